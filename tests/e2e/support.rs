//! Test fixtures: a database of its own per test (a SQLite file in a temporary folder, or a fresh
//! PostgreSQL database on the machine's server), and the real `platform` binary on a free port.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use platform_db::Backend;
use platform_db::conn::{DbConnection, establish, run_migrations};

/// PostgreSQL server for tests; `TEST_POSTGRES_URL` overrides (it must name a database to connect to).
pub fn pg_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

/// A fixed "today" so tests that depend on dates are repeatable.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

pub fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 30, 0).unwrap()
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => {
                let url = dir.path().join("test.sqlite3").display().to_string();
                TestDb { url, dir, pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("platform_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = diesel::PgConnection::establish(&pg_admin_url())
                    .unwrap_or_else(|e| panic!("PostgreSQL at {} is needed for this test: {e}", pg_admin_url()));
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let mut url = url::Url::parse(&pg_admin_url()).unwrap();
                url.set_path(&name);
                TestDb { url: url.to_string(), dir, pg_name: Some(name) }
            }
        }
    }

    pub fn conn(&self) -> DbConnection {
        establish(&self.url).unwrap()
    }

    /// A connection to a database with every migration applied.
    pub fn migrated(&self) -> DbConnection {
        let mut conn = self.conn();
        run_migrations(&mut conn).unwrap();
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut admin) = diesel::PgConnection::establish(&pg_admin_url())
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs the test body once against SQLite and once against PostgreSQL, as two tests.
macro_rules! both_backends {
    ($(fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: crate::support::TestDb) $body

            #[test]
            fn sqlite() {
                run(crate::support::TestDb::new(platform_db::Backend::Sqlite));
            }

            #[test]
            fn postgres() {
                run(crate::support::TestDb::new(platform_db::Backend::Postgres));
            }
        }
    )*};
}
pub(crate) use both_backends;

pub fn platform_bin() -> &'static str {
    env!("CARGO_BIN_EXE_platform")
}

/// A `platform` command with a clean environment: no settings leak in from the caller.
pub fn platform_cmd(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(platform_bin());
    cmd.current_dir(dir).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("PLATFORM_DATA_DIR", dir.join("data")).env("PLATFORM_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The outcome of running the binary to completion.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run_platform(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let out = platform_cmd(dir, env).args(args).output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The real server, on a port of its own, stopped when dropped.
pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut child = platform_cmd(dir, env)
            .env("PLATFORM_BIND", "127.0.0.1:0")
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let Some(base) = line.trim().strip_prefix("platform listening on ").map(str::to_string) else {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("server did not start: {line:?} {err}");
        };
        let server = Server { base, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if reqwest::blocking::get(server.url("/healthz")).is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server at {} never became healthy", server.base);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        reqwest::blocking::get(self.url(path)).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
