//! The HTTP surface of the real server: health, readiness, the tenant directory, the home page,
//! and the one error shape.

use diesel::connection::SimpleConnection;
use serde_json::Value;

use crate::support::{Server, TestDb, redis_url};

fn start(db: &TestDb, extra: &[(&str, &str)]) -> Server {
    let mut env = vec![("DATABASE_URL", db.url.as_str()), ("PLATFORM_SEED_DEMO", "true")];
    env.extend_from_slice(extra);
    Server::start(db.dir.path(), &env)
}

fn check_directory_and_pages(server: &Server) {
    let health = server.get("/healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().unwrap()["status"], "ok");

    let ready = server.get("/readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().unwrap()["checks"]["database"], "ok");

    let dir = server.get("/api/v1/tenants");
    assert_eq!(dir.status(), 200);
    assert!(dir.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = dir.json().unwrap();
    let tenants = body["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 5);
    let southwark = tenants.iter().find(|t| t["slug"] == "southwark").unwrap();
    assert_eq!(southwark["ons_code"], "E09000028");
    assert_eq!(southwark["region"], "London");
    assert_eq!(southwark["name"], "Young Southwark Children's Trust");
    // The public directory carries nothing but these four fields.
    let mut keys: Vec<&str> = southwark.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["name", "ons_code", "region", "slug"]);

    let home = server.get("/");
    assert_eq!(home.status(), 200);
    let headers = home.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    let html = home.text().unwrap();
    for name in [
        "County Durham Children&#x27;s Trust",
        "Kent Children&#x27;s Trust",
        "Sunderland",
        "Central Bedfordshire",
        "Young Southwark",
    ] {
        assert!(html.contains(name), "home page lacks {name}");
    }
    assert!(html.contains(r#"<html lang="en-GB">"#));
    assert!(html.contains(r##"<a href="#main-content" class="skip-link">"##));
    assert!(html.contains(r#"<main class="main" id="main-content""#));
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(!html.to_lowercase().contains("gov.uk"), "no GOV.UK branding");

    let css = server.get("/assets/app.css");
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));

    let missing = server.get("/api/v1/nothing-here");
    assert_eq!(missing.status(), 404);
    let err: Value = missing.json().unwrap();
    assert_eq!(err["error"], "not_found");
    assert!(err["message"].as_str().unwrap().contains("/api/v1/nothing-here"));

    let page = server.get("/no-such-page");
    assert_eq!(page.status(), 404);
    assert!(page.text().unwrap().contains("Page not found"));
}

#[test]
fn serves_on_sqlite() {
    let db = TestDb::new(platform_db::Backend::Sqlite);
    let server = start(&db, &[]);
    check_directory_and_pages(&server);
    // Embedded mode writes mail to the outbox folder, which start-up creates.
    assert!(db.dir.path().join("data/outbox").is_dir());
}

#[test]
fn serves_on_postgres_with_redis() {
    let db = TestDb::new(platform_db::Backend::Postgres);
    let server = start(&db, &[("REDIS_URL", &redis_url())]);
    check_directory_and_pages(&server);
    let ready: Value = server.get("/readyz").json().unwrap();
    assert_eq!(ready["checks"]["redis"], "ok");
}

#[test]
fn readiness_fails_when_the_database_is_ahead_of_the_release() {
    let db = TestDb::new(platform_db::Backend::Sqlite);
    let server = start(&db, &[("PLATFORM_SEED_DEMO", "false")]);
    assert_eq!(server.get("/readyz").status(), 200);
    // A newer release has migrated the database under this one.
    db.conn().batch_execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('20990101000000')").unwrap();
    let ready = server.get("/readyz");
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().unwrap();
    assert_eq!(body["error"], "not_ready");
    assert!(body["checks"]["database"].as_str().unwrap().contains("20990101000000"), "{body}");
    // Liveness is unaffected: the process is up.
    assert_eq!(server.get("/healthz").status(), 200);
}

#[test]
fn readiness_fails_when_postgres_goes_away() {
    let db = TestDb::new(platform_db::Backend::Postgres);
    let server = start(&db, &[("PLATFORM_SEED_DEMO", "false")]);
    assert_eq!(server.get("/readyz").status(), 200);
    let name = url::Url::parse(&db.url).unwrap().path().trim_start_matches('/').to_string();
    let mut admin = <diesel::PgConnection as diesel::Connection>::establish(&crate::support::pg_admin_url()).unwrap();
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    let ready = server.get("/readyz");
    assert_eq!(ready.status(), 503);
    // Asking for data now is a clear 503, not a 500.
    let dir = server.get("/api/v1/tenants");
    assert_eq!(dir.status(), 503, "{:?}", dir.text());
}
