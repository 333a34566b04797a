//! The `platform` command: its subcommands, and its refusals. A bad setting, an unreachable or
//! corrupt database, or a port in use each give one clear line, a non-zero exit, and no change
//! to existing data.

use std::net::TcpListener;

use crate::support::{Run, TestDb, pg_admin_url, run_platform};

fn one_line_error(run: &Run) -> &str {
    assert_ne!(run.code, Some(0), "expected failure; stdout: {}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {:?}", run.stderr);
    assert!(lines[0].starts_with("error: "), "{:?}", lines[0]);
    lines[0]
}

#[test]
fn seed_migrate_and_tenant_list_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_platform(dir.path(), &[], &["migrate"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let applied = format!("applied {} migration(s)", crate::support::migration_count());
    assert!(run.stdout.contains(&applied), "{}", run.stdout);
    assert!(dir.path().join("data/platform.sqlite3").exists());

    let run = run_platform(dir.path(), &[], &["seed", "--demo"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("demo data added: durham, central-bedfordshire, sunderland, kent, southwark"),
        "{}",
        run.stdout
    );

    let again = run_platform(dir.path(), &[], &["seed", "--demo"]);
    assert!(again.stdout.contains("tenants created: none"), "{}", again.stdout);
    assert!(again.stdout.contains("demo data added: none"), "{}", again.stdout);

    let list = run_platform(dir.path(), &[], &["tenant", "list"]);
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    for (slug, ons) in [
        ("durham", "E06000047"),
        ("central-bedfordshire", "E06000056"),
        ("sunderland", "E08000024"),
        ("kent", "E10000016"),
        ("southwark", "E09000028"),
    ] {
        // Each founding trust is active and pinned to its own framework.
        let pinned = format!(" active     {slug}@1.1.0");
        assert!(
            list.stdout.lines().any(|l| l.starts_with(slug) && l.contains(ons) && l.ends_with(&pinned)),
            "{slug} missing:\n{}",
            list.stdout
        );
    }
    let json = run_platform(dir.path(), &[], &["tenant", "list", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 5);

    let status = run_platform(dir.path(), &[], &["migrate", "--status"]);
    assert!(status.stdout.contains("pending: none"), "{}", status.stdout);
}

#[test]
fn seed_and_list_on_postgres() {
    let db = TestDb::new(platform_db::Backend::Postgres);
    let env = [("DATABASE_URL", db.url.as_str())];
    let run = run_platform(db.dir.path(), &env, &["seed"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let list = run_platform(db.dir.path(), &env, &["tenant", "list"]);
    assert_eq!(list.stdout.lines().count(), 6, "{}", list.stdout);
    // No SQLite file appears when PostgreSQL is configured.
    assert!(!db.dir.path().join("data/platform.sqlite3").exists());
}

#[test]
fn tenant_list_refuses_an_unmigrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_platform(dir.path(), &[], &["tenant", "list"]);
    let line = one_line_error(&run);
    assert!(line.contains("platform migrate"), "{line}");
}

#[test]
fn unknown_and_bad_settings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("platform.toml"), "bind = \"127.0.0.1:9\"\ndatabse_url = \"x\"\n").unwrap();
    let run = run_platform(dir.path(), &[], &["migrate"]);
    assert_eq!(run.code, Some(2));
    let line = one_line_error(&run);
    assert!(line.contains("databse_url"), "{line}");
    std::fs::remove_file(dir.path().join("platform.toml")).unwrap();

    for (key, value) in [
        ("PLATFORM_BIND", "localhost"),
        ("PLATFORM_BNID", "127.0.0.1:1"),
        ("DATABASE_URL", "mysql://root@127.0.0.1/x"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("SMTP_URL", "http://mail"),
        ("PLATFORM_SEED_DEMO", "perhaps"),
    ] {
        let run = run_platform(dir.path(), &[(key, value)], &["serve"]);
        assert_eq!(run.code, Some(2), "{key}={value}");
        let line = one_line_error(&run);
        assert!(line.contains(key), "{key}: {line}");
    }
    assert!(!dir.path().join("data").exists(), "a refused configuration still created files");
}

#[test]
fn an_unreachable_postgres_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_platform(dir.path(), &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")], &["migrate"]);
    let line = one_line_error(&run);
    assert!(line.contains("opening the postgres database") && line.contains("127.0.0.1"), "{line}");
    // And one whose database does not exist.
    let mut url = url::Url::parse(&pg_admin_url()).unwrap();
    url.set_path("platform_no_such_database");
    let run = run_platform(dir.path(), &[("DATABASE_URL", url.as_str())], &["migrate"]);
    let line = one_line_error(&run);
    assert!(line.contains("platform_no_such_database"), "{line}");
}

#[test]
fn a_corrupt_sqlite_file_is_reported_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let file = dir.path().join("data/platform.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &garbage).unwrap();
    for args in [&["migrate"][..], &["serve"][..]] {
        let run = run_platform(dir.path(), &[("PLATFORM_BIND", "127.0.0.1:0")], args);
        let line = one_line_error(&run);
        assert!(line.contains("not a database"), "{line}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), garbage, "the corrupt file was changed");
}

#[test]
fn a_port_in_use_is_reported_before_any_data_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let run = run_platform(dir.path(), &[("PLATFORM_BIND", &addr)], &["serve"]);
    let line = one_line_error(&run);
    assert!(line.contains(&addr) && line.contains("PLATFORM_BIND"), "{line}");
    assert!(!dir.path().join("data").exists(), "start-up touched the data folder");
}

#[test]
fn a_redis_that_does_not_answer_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let run = run_platform(
        dir.path(),
        &[("PLATFORM_BIND", "127.0.0.1:0"), ("REDIS_URL", "redis://127.0.0.1:1/"), ("PLATFORM_SEED_DEMO", "false")],
        &["serve"],
    );
    let line = one_line_error(&run);
    assert!(line.contains("REDIS_URL"), "{line}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
