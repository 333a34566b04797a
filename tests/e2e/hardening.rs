//! Hardening: what an outsider's inputs did before, each reproduced against the real binary (or,
//! for the pool, against the data layer the server uses) on both backends. No input may lose
//! data, crash a worker, reach a header unchecked or leak across trusts.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use platform_db::Backend;
use platform_db::conn::{Pool, PoolOptions, Scope, leftover_scope, scoped};
use platform_db::error::DbError;
use platform_db::models::{AuditEntry, TenantStatus};
use platform_db::repo::{audit, tenants};
use platform_db::{AuditId, TenantId};
use serde_json::json;

use crate::accounts::Deployment;
use crate::support::{Browser, TestDb, both_backends, link_for, messages, now, run_platform, sign_in};

fn entry(tenant: &TenantId, action: &str) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(),
        tenant_id: Some(tenant.clone()),
        actor_user_id: None,
        action: action.into(),
        entity_kind: "test".into(),
        entity_id: None,
        detail: "{}".into(),
        ip: None,
        at: now(),
    }
}

fn count(db: &TestDb, action: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.conn();
    let sql = format!("SELECT count(*) AS n FROM audit_log WHERE action = '{action}'");
    diesel::sql_query(sql).get_result::<N>(&mut conn).unwrap().n
}

fn signup(name: &str, ons: &str, email: &str) -> serde_json::Value {
    json!({"council_name": name, "ons_code": ons, "region": "East Midlands", "admin_name": "Ann Admin",
           "admin_email": email, "framework": "national-baseline"})
}

both_backends! {
    fn a_unit_of_work_that_panics_is_rolled_back_and_its_connection_never_reused(db) {
        let mut setup = db.migrated();
        let tenant = TenantId::new();
        tenants::create(&mut setup, tenant.clone(), &tenants::NewTenant {
            slug: "rutland".into(), name: "Rutland".into(), ons_code: "E06000017".into(), region: "East Midlands".into(),
            status: TenantStatus::Active, plugin_id: None, plugin_version: None,
        }, now()).unwrap();
        drop(setup);
        let postgres = db.url.starts_with("postgres");
        let pool = Pool::connect(&db.url, &PoolOptions { max_size: 4, app_role: postgres, ..Default::default() }).unwrap();

        // A panic inside the unit of work: rolled back, reported as an error, nothing saved.
        let (p, t) = (pool.clone(), tenant.clone());
        let result = std::thread::spawn(move || {
            let mut conn = p.get().unwrap();
            scoped::<()>(&mut conn, Scope::Tenant(&t), |c| {
                audit::record(c, &entry(&t, "written_before_the_panic"))?;
                panic!("a bug in validation");
            })
        })
        .join()
        .unwrap();
        assert!(matches!(result, Err(DbError::Panicked(ref m)) if m.contains("a bug in validation")), "{result:?}");

        // A panic in a transaction opened outside a unit of work: the thread unwinds with the
        // connection in the middle of its transaction, and the pool closes it.
        let (p, t) = (pool.clone(), tenant.clone());
        let unwound = std::thread::spawn(move || {
            use diesel::Connection;
            let mut conn = p.get().unwrap();
            let _: Result<(), diesel::result::Error> = conn.transaction(|c| {
                audit::record(c, &entry(&t, "written_before_the_panic")).unwrap();
                panic!("a panic with a transaction open");
            });
        })
        .join();
        assert!(unwound.is_err());

        // On PostgreSQL a scope set for the session (not the transaction) is found at check-out.
        if postgres {
            let mut conn = pool.get().unwrap();
            conn.batch_execute(&format!("SELECT set_config('platform.tenant_id', '{tenant}', false)")).unwrap();
        }

        // Every connection the pool hands out now is clean: hold four at once, so each pooled
        // connection is looked at, then write 100 times.
        let held: Vec<_> = (0..4).map(|_| pool.get().unwrap()).collect();
        for mut c in held {
            use diesel::r2d2::R2D2Connection;
            assert!(!c.is_broken(), "a connection came out of the pool with a transaction open");
            assert_eq!(leftover_scope(&mut c).unwrap(), None, "a connection carried a scope it was not given");
        }
        for i in 0..100 {
            let mut conn = pool.get().unwrap();
            scoped(&mut conn, Scope::Tenant(&tenant), |c| audit::record(c, &entry(&tenant, "after_the_panic")))
                .unwrap_or_else(|e| panic!("write {i}: {e}"));
        }
        assert_eq!(count(&db, "after_the_panic"), 100, "every write after the panic is saved");
        assert_eq!(count(&db, "written_before_the_panic"), 0, "the panicking units of work left nothing");
        if postgres {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let name = db.url.rsplit('/').next().unwrap().to_string();
            let mut admin = db.conn();
            let idle: N = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{name}' AND state LIKE 'idle in transaction%'"
            ))
            .get_result(&mut admin)
            .unwrap();
            assert_eq!(idle.n, 0, "a connection was left idle in a transaction");
        }
    }

    fn a_multibyte_ons_code_is_refused_and_later_signups_are_all_saved(db) {
        let d = Deployment::start(&db, false, &[]);
        let b = d.browser();
        let bad = b.post_json("/api/v1/signups", &signup("Rutland County Council", "E0€0000", "ann@rutland.gov.uk"));
        assert_eq!(bad.status, 400, "{}", bad.body);
        assert_eq!(bad.json()["field"], "ons_code");
        let csrf = b.csrf("/signup");
        let form = b.post("/signup", &[
            ("council_name", "Rutland County Council"), ("ons_code", "E0€0000"), ("region", "East Midlands"),
            ("admin_name", "Ann"), ("admin_email", "ann@rutland.gov.uk"), ("framework", "national-baseline"), ("csrf", &csrf),
        ]);
        assert_eq!(form.status, 400, "{}", form.body);
        assert!(form.body.contains("href=\"#ons_code\""), "{}", form.body);
        for (i, (name, ons)) in [("Rutland", "E06000017"), ("Poole", "E06000029"), ("Torbay", "E06000027")].iter().enumerate() {
            let ok = b.post_json("/api/v1/signups", &signup(name, ons, &format!("admin{i}@council{i}.gov.uk")));
            assert_eq!(ok.status, 201, "{}", ok.body);
        }
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let saved: N = diesel::sql_query("SELECT count(*) AS n FROM signups").get_result(&mut db.conn()).unwrap();
        assert_eq!(saved.n, 3, "every sign-up answered 201 is saved");
        let op = d.cli(&["operator", "create", "--email", "ops@platform.example"]);
        assert_eq!(op.code, Some(0), "{}", op.stderr);
    }

    fn nul_and_line_breaks_in_paths_and_queries_are_a_400_never_a_500(db) {
        let d = Deployment::start(&db, true, &[]);
        let anon = d.browser();
        for path in ["/api/v1/tenants/kent%00/contracts", "/t/kent%00", "/t/x%0d%0a", "/t/kent%00/framework", "/api/v1/tenants/kent/contracts?limit=%00"] {
            let r = anon.get(path);
            assert_eq!(r.status, 400, "{path}: {}", r.body);
            assert!(r.location.is_none(), "{path}");
        }
        let api = anon.get("/api/v1/tenants/kent%00/contracts");
        assert_eq!(api.json()["field"], "path");
        let nul = anon.post_json("/api/v1/signups", &json!({"council_name": "Rutland", "ons_code": "E06000017",
            "region": "East Midlands", "admin_name": "Ann", "admin_email": "ann@rutland.gov.uk", "framework": "kent\u{0}"}));
        assert_eq!((nul.status, nul.json()["field"].as_str()), (400, Some("framework")), "{}", nul.body);
        // Not slug-shaped: no trust of that name can exist.
        assert_eq!(anon.get("/t/Kent%20Trust").status, 404);
        assert_eq!(anon.get("/t/durham").location.as_deref(), Some("/t/durham/"));

        let b = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
        let crlf = b.get("/t/durham/login?next=/t/durham/%0d%0a");
        assert_eq!(crlf.status, 400, "{}", crlf.body);
        let escape = b.get("/t/durham/login?next=/t/durham/..%2F..%2Fevil");
        assert_eq!((escape.status, escape.location.as_deref()), (303, Some("/t/durham/")));
        let inside = b.get("/t/durham/login?next=/t/durham/admin/users");
        assert_eq!(inside.location.as_deref(), Some("/t/durham/admin/users"));
    }

    fn addresses_the_mail_library_refuses_are_a_400_naming_the_field(db) {
        let d = Deployment::start(&db, true, &[]);
        let anon = d.browser();
        let admin = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
        let csrf = admin.csrf("/t/durham/admin/users");
        let signup_csrf = anon.csrf("/signup");
        let before = messages(&d.mail).len();
        for bad in ["a..b@x.example", "a.@x.example", "a@-x.example", "a\"b@x.example", "a,b@x.example", "<a>@x.example"] {
            let api = anon.post_json("/api/v1/signups", &signup("Rutland", "E06000017", bad));
            assert_eq!((api.status, api.json()["field"].as_str()), (400, Some("admin_email")), "{bad}: {}", api.body);
            let form = anon.post("/signup", &[
                ("council_name", "Rutland"), ("ons_code", "E06000017"), ("region", "East Midlands"), ("admin_name", "Ann"),
                ("admin_email", bad), ("framework", "national-baseline"), ("csrf", &signup_csrf),
            ]);
            assert_eq!(form.status, 400, "{bad}: {}", form.body);
            assert!(form.body.contains("href=\"#admin_email\""), "{bad}");
            let invite = admin.post("/t/durham/admin/users", &[("email", bad), ("name", "X"), ("role", "viewer"), ("csrf", &csrf)]);
            assert_eq!(invite.status, 400, "{bad}: {}", invite.body);
            assert!(invite.body.contains("email address"), "{bad}: {}", invite.body);
        }
        assert_eq!(messages(&d.mail).len(), before, "no mail was attempted");
    }

    fn names_are_single_line_and_mail_quotes_them(db) {
        let d = Deployment::start(&db, true, &[]);
        let anon = d.browser();
        let attack = "Rutland\n\nYour account is suspended. Visit https://evil.example to restore it.";
        let r = anon.post_json("/api/v1/signups", &signup(attack, "E06000017", "ann@rutland.gov.uk"));
        assert_eq!((r.status, r.json()["field"].as_str()), (400, Some("council_name")), "{}", r.body);
        let mut body = signup("Rutland", "E06000017", "ann@rutland.gov.uk");
        body["admin_name"] = json!("Ann, see https://evil.example");
        let r = anon.post_json("/api/v1/signups", &body);
        assert_eq!((r.status, r.json()["field"].as_str()), (400, Some("admin_name")), "{}", r.body);
        body["admin_name"] = json!("Ann\u{202E}nimda");
        assert_eq!(anon.post_json("/api/v1/signups", &body).status, 400);
        body["admin_name"] = json!("x".repeat(201));
        assert_eq!(anon.post_json("/api/v1/signups", &body).status, 400);
        // A trust's name is its own: the name of one on the platform is refused, in any case.
        let taken = anon.post_json("/api/v1/signups", &signup("county durham children's trust", "E06000017", "ann@rutland.gov.uk"));
        assert_eq!((taken.status, taken.json()["field"].as_str()), (409, Some("council_name")), "{}", taken.body);

        let ok = anon.post_json("/api/v1/signups", &signup("Rutland County Council", "E06000017", "ann@rutland.gov.uk"));
        assert_eq!(ok.status, 201, "{}", ok.body);
        let mail = messages(&d.mail).into_iter().find(|m| m.contains("To: ann@rutland.gov.uk")).unwrap();
        // The test reader keeps each decoded byte as a character: “ and ” are E2 80 9C and E2 80 9D.
        assert!(mail.contains("sign up \u{e2}\u{80}\u{9c}Rutland County Council\u{e2}\u{80}\u{9d} to the"), "{mail}");
    }

    fn an_invitation_shows_the_name_the_inviting_trust_typed(db) {
        let d = Deployment::start(&db, true, &[]);
        let admin = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
        let csrf = admin.csrf("/t/durham/admin/users");
        let invite = admin.post("/t/durham/admin/users", &[
            ("email", "viewer@kent.example"), ("name", "Val from the partnership"), ("role", "viewer"), ("csrf", &csrf),
        ]);
        assert_eq!(invite.status, 303, "{}", invite.body);
        let page = admin.get("/t/durham/admin/users");
        assert!(page.body.contains("Val from the partnership"), "{}", page.body);
        assert!(!page.body.contains("Demo viewer (kent)"), "Kent's name for this person leaked into Durham");
        let mail = link_for(&d.mail, "viewer@kent.example", "/t/durham/login/link/");
        assert!(!mail.is_empty());
        let all = messages(&d.mail);
        let invitation = all.iter().rev().find(|m| m.contains("To: viewer@kent.example")).unwrap();
        assert!(!invitation.contains("Demo viewer (kent)"), "{invitation}");
        // Once they sign in to Durham, Durham knows them by their own name.
        let _val = sign_in(&d.server.base, &d.mail, "durham", "viewer@kent.example");
        let page = admin.get("/t/durham/admin/users");
        assert!(page.body.contains("Demo viewer (kent)"), "{}", page.body);
    }

    fn tokens_caching_and_transport_headers(db) {
        let d = Deployment::start(&db, true, &[]);
        let b = sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
        let csrf = b.csrf("/t/durham/tokens");
        let created = b.client.post(format!("{}/t/durham/tokens", d.server.base)).form(&[("name", "t"), ("csrf", csrf.as_str())]).send().unwrap();
        assert_eq!(created.headers()["cache-control"], "no-store", "the page showing a new token once is not kept");
        assert!(created.headers().get("strict-transport-security").is_none(), "no HSTS over plain http");
        let text = created.text().unwrap();
        let start = text.find("cpt_").unwrap();
        let token: String = text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        let api = b.client.get(format!("{}/api/v1/tenants/durham/contracts", d.server.base)).bearer_auth(&token).send().unwrap();
        assert_eq!(api.status(), 200);
        assert_eq!(api.headers()["cache-control"], "no-store");
        // Its first use is recorded (later uses within the minute are not written again).
        assert_eq!(b.get_bearer("/api/v1/tenants/durham/contracts", &token).status, 200);
        let tokens = b.get("/t/durham/tokens");
        assert!(!tokens.body.contains("<td>never</td>"), "the token's last use is shown: {}", tokens.body);
        let css = b.client.get(format!("{}/assets/app.css", d.server.base)).send().unwrap();
        assert!(css.headers()["cache-control"].to_str().unwrap().starts_with("public"));
        // A live Durham token on Kent's routes: Kent does not exist for its holder.
        assert_eq!(b.get_bearer("/api/v1/tenants/kent/contracts", &token).status, 404);
        assert_eq!(b.get_bearer("/api/v1/tenants/kent/framework", &token).status, 404);
        assert_eq!(b.get_bearer("/api/v1/tenants/kent/contracts", "cpt_not_a_token").status, 401);
    }

    fn asking_for_links_to_someone_elses_address_does_not_lock_them_out(db) {
        let d = Deployment::start(&db, true, &[("PLATFORM_TRUST_PROXY", "true")]);
        let ask = |client_ip: &str| {
            let b = Browser::new(&d.server.base);
            let csrf = b.csrf("/t/durham/login");
            b.client
                .post(format!("{}/t/durham/login/email", d.server.base))
                .header("x-forwarded-for", client_ip)
                .form(&[("email", "admin@durham.example"), ("csrf", csrf.as_str())])
                .send()
                .unwrap()
                .status()
                .as_u16()
        };
        let statuses: Vec<u16> = (0..5).map(|_| ask("203.0.113.9")).collect();
        assert_eq!(statuses.last(), Some(&429), "the one asking again and again is limited: {statuses:?}");
        assert_eq!(ask("198.51.100.7"), 200, "the member, from their own browser, still gets a link");
    }
}

#[test]
fn a_plugin_version_is_offered_only_after_an_operator_approves_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert_eq!(run_platform(p, &[], &["seed"]).code, Some(0));
    let file = p.join("next.wasm");
    let bytes = plugin_artifacts::TEST_PROGRAMS.iter().find(|a| a.id == "next-version").unwrap().bytes;
    std::fs::write(&file, bytes).unwrap();
    let file = file.display().to_string();

    let anonymous = run_platform(p, &[], &["plugin", "add", &file]);
    assert_eq!(anonymous.code, Some(2), "who adds it must be named: {}", anonymous.stderr);
    let stranger = run_platform(p, &[], &["plugin", "add", &file, "--by", "someone@example.org"]);
    assert_eq!(stranger.code, Some(1));
    assert!(stranger.stderr.contains("not a platform operator"), "{}", stranger.stderr);
    assert_eq!(run_platform(p, &[], &["operator", "create", "--email", "ops@platform.example"]).code, Some(0));
    let added = run_platform(p, &[], &["plugin", "add", &file, "--by", "ops@platform.example"]);
    assert_eq!(added.code, Some(0), "{}{}", added.stdout, added.stderr);
    assert!(added.stdout.contains("waits for approval"), "{}", added.stdout);
    let list = run_platform(p, &[], &["plugin", "list"]).stdout;
    let row = list.lines().find(|l| l.starts_with("national-baseline") && l.contains("1.1.1")).unwrap();
    assert!(row.contains("waiting: ops@platform.example"), "{row}");
    let pin = run_platform(p, &[], &["tenant", "pin", "kent", "national-baseline@1.1.1"]);
    assert_eq!(pin.code, Some(1));
    assert!(pin.stderr.contains("waiting for an operator's approval"), "{}", pin.stderr);

    let server = crate::support::Server::start(p, &[]);
    let anon = Browser::new(&server.base);
    let first = anon.post_json("/api/v1/signups", &signup("Rutland", "E06000017", "ann@rutland.gov.uk"));
    assert_eq!(first.json()["framework"]["version"], "1.1.0", "a waiting version is not offered: {}", first.body);
    drop(server);

    let approved =
        run_platform(p, &[], &["plugin", "approve", "national-baseline@1.1.1", "--by", "ops@platform.example"]);
    assert_eq!(approved.code, Some(0), "{}", approved.stderr);
    let row_after = run_platform(p, &[], &["plugin", "list"]).stdout;
    assert!(
        row_after.lines().any(|l| l.starts_with("national-baseline")
            && l.contains("1.1.1")
            && l.contains("ops@platform.example")
            && !l.contains("waiting")),
        "{row_after}"
    );
    let server = crate::support::Server::start(p, &[]);
    let anon = Browser::new(&server.base);
    let second = anon.post_json("/api/v1/signups", &signup("Poole", "E06000029", "pat@poole.gov.uk"));
    assert_eq!(second.json()["framework"]["version"], "1.1.1", "{}", second.body);
}

#[test]
fn two_trusts_cannot_share_a_name_even_by_a_raw_insert() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend);
        let mut conn = db.migrated();
        let new = |slug: &str, name: &str, ons: &str| tenants::NewTenant {
            slug: slug.into(),
            name: name.into(),
            ons_code: ons.into(),
            region: "East Midlands".into(),
            status: TenantStatus::Active,
            plugin_id: None,
            plugin_version: None,
        };
        tenants::create(&mut conn, TenantId::new(), &new("rutland", "Rutland", "E06000017"), now()).unwrap();
        let twin = tenants::create(&mut conn, TenantId::new(), &new("rutland-2", "RUTLAND", "E06000029"), now());
        assert!(matches!(twin, Err(DbError::Conflict(_))), "{backend:?}: {twin:?}");
    }
}
