//! Sign-up, approval and sign-in through the real binary: a council signs up, confirms by an
//! email link, an operator approves it, its admin signs in and invites people. Mail goes to the
//! outbox folder (SQLite runs) or to a real SMTP server (PostgreSQL runs).

use std::path::PathBuf;

use platform_db::Backend;
use serde_json::json;

use crate::mail::SmtpServer;
use crate::support::{Browser, Server, TestDb, both_backends, link_for, messages, run_platform, sign_in};

/// A server on its own database, with mail going somewhere the test can read.
pub struct Deployment {
    pub server: Server,
    pub mail: PathBuf,
    pub env: Vec<(String, String)>,
    pub dir: PathBuf,
    _smtp: Option<SmtpServer>,
}

impl Deployment {
    pub fn start(db: &TestDb, demo: bool, extra: &[(&str, &str)]) -> Deployment {
        let dir = db.dir.path().to_path_buf();
        let mut env: Vec<(String, String)> =
            vec![("DATABASE_URL".into(), db.url.clone()), ("PLATFORM_SEED_DEMO".into(), demo.to_string())];
        let smtp = if db.url.starts_with("postgres") {
            let s = SmtpServer::start(&dir);
            env.push(("SMTP_URL".into(), format!("smtp://127.0.0.1:{}", s.port)));
            Some(s)
        } else {
            None
        };
        for (k, v) in extra {
            env.push(((*k).into(), (*v).into()));
        }
        let mail = match &smtp {
            Some(s) => s.maildir.join("new"),
            None => dir.join("data/outbox"),
        };
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = Server::start(&dir, &pairs);
        Deployment { server, mail, env, dir, _smtp: smtp }
    }

    pub fn cli(&self, args: &[&str]) -> crate::support::Run {
        let mut pairs: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // The command line prints links for the address the platform is served at.
        pairs.push(("PLATFORM_PUBLIC_URL", &self.server.base));
        run_platform(&self.dir, &pairs, args)
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.server.base)
    }
}

fn signup_body() -> serde_json::Value {
    json!({
        "council_name": "Rutland County Council", "ons_code": "E06000017", "region": "East Midlands",
        "admin_name": "Ann Admin", "admin_email": "Ann.Admin@rutland.gov.uk", "framework": "national-baseline",
    })
}

/// An operator's browser, signed in through the link `platform operator create` prints.
pub fn operator(d: &Deployment) -> Browser {
    let run = d.cli(&["operator", "create", "--email", "ops@platform.example"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let link = run.stdout.lines().last().unwrap().trim().to_string();
    assert!(link.starts_with(&d.server.base) && link.contains("/operator/login/"), "{}", run.stdout);
    let b = d.browser();
    let done = b.use_link(&link);
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/operator")), "{}", done.body);
    b
}

both_backends! {
    fn a_council_signs_up_confirms_is_approved_and_its_admin_signs_in(db) {
        let d = Deployment::start(&db, false, &[]);
        let anon = d.browser();

        // Bad input: each error names its field, and nothing is stored.
        let cases = [
            ("ons_code", json!("E12345")),
            ("region", json!("Wessex")),
            ("admin_email", json!("not-an-address")),
            ("framework", json!("no-such-framework")),
            ("council_name", json!("")),
        ];
        for (field, value) in cases {
            let mut body = signup_body();
            body[field] = value;
            let r = anon.post_json("/api/v1/signups", &body);
            assert_eq!(r.status, 400, "{field}: {}", r.body);
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        let r = anon.post_json("/api/v1/signups", &json!({"council_name": "x"}));
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(messages(&d.mail).is_empty(), "no mail for refused sign-ups");

        let r = anon.post_json("/api/v1/signups", &signup_body());
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["slug"], "rutland");
        assert_eq!(r.json()["status"], "awaiting_email");
        // A council signs up once: by its name, and by its ONS code under another name.
        let again = anon.post_json("/api/v1/signups", &signup_body());
        assert_eq!((again.status, again.json()["field"].as_str()), (409, Some("council_name")), "{}", again.body);
        let mut renamed = signup_body();
        renamed["council_name"] = json!("Rutland Council");
        let again = anon.post_json("/api/v1/signups", &renamed);
        assert_eq!((again.status, again.json()["field"].as_str()), (409, Some("ons_code")), "{}", again.body);

        // The confirmation link: opening it (as a mail scanner would) does not use it up.
        let link = link_for(&d.mail, "ann.admin@rutland.gov.uk", "/signup/confirm/");
        let mail = messages(&d.mail).pop().unwrap();
        assert!(mail.contains("Rutland County Council") && mail.contains("text/html"), "{mail}");
        assert_eq!(Browser::new(&d.server.base).get(&link).status, 200);
        let admin = d.browser();
        let done = admin.use_link(&link);
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("Email address confirmed"));
        // Used once: a second press is refused.
        let page = admin.get(&link);
        assert_eq!(page.status, 410, "{}", page.body);

        // Not active yet: the trust is not found.
        assert_eq!(anon.get("/t/rutland/login").status, 404);

        // The operator pages are not there for anyone else.
        assert_eq!(anon.get("/operator").status, 404);
        let ops = operator(&d);
        let page = ops.get("/operator");
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Rutland County Council"));
        let approve = {
            let marker = "action=\"/operator/signups/";
            let start = page.body.find(marker).unwrap() + "action=\"".len();
            let end = page.body[start..].find('"').unwrap() + start;
            page.body[start..end].to_string()
        };
        assert!(approve.ends_with("/approve"), "{approve}");
        // Without the form's CSRF token: refused, nothing approved.
        assert_eq!(ops.post(&approve, &[("csrf", "forged")]).status, 403);
        assert_eq!(anon.get("/t/rutland/login").status, 404);
        let r = ops.post(&approve, &[("csrf", &page.field("csrf"))]);
        assert_eq!(r.status, 303, "{}", r.body);

        // Active, with its framework; the admin gets a sign-in link.
        assert_eq!(anon.get("/t/rutland/login").status, 200);
        let link = link_for(&d.mail, "ann.admin@rutland.gov.uk", "/t/rutland/login/link/");
        let admin = d.browser();
        let done = admin.use_link(&link);
        assert_eq!((done.status, done.location.as_deref()), (303, Some("/t/rutland/")), "{}", done.body);
        let home = admin.get("/t/rutland/");
        assert_eq!(home.status, 200, "{}", home.body);
        assert!(home.body.contains("Rutland County Council") && home.body.contains("tenant admin"));
        let framework = admin.get("/api/v1/tenants/rutland/framework");
        assert_eq!(framework.json()["plugin"]["id"], "national-baseline", "{}", framework.body);
        // The link worked once.
        assert_eq!(d.browser().get(&link).status, 410);

        // The admin invites a commissioner, who signs in by the invitation's link.
        let csrf = admin.csrf("/t/rutland/admin/users");
        let r = admin.post(
            "/t/rutland/admin/users",
            &[("email", "cara@rutland.gov.uk"), ("name", "Cara Commissioner"), ("role", "commissioner"), ("provider_id", ""), ("csrf", &csrf)],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let invite = link_for(&d.mail, "cara@rutland.gov.uk", "/t/rutland/login/link/");
        let cara = d.browser();
        assert_eq!(cara.use_link(&invite).status, 303);
        assert_eq!(cara.get("/t/rutland/").status, 200);
        // A commissioner is not an admin.
        assert_eq!(cara.get("/t/rutland/admin/users").status, 403);

        // The admin makes her a viewer; the change and everything above is in the audit log.
        let users = admin.get("/t/rutland/admin/users");
        let marker = "/admin/users/";
        let at = users.body.match_indices(marker).map(|(i, _)| i).find(|i| users.body[..*i].contains("cara@rutland.gov.uk")).unwrap();
        let id: String = users.body[at + marker.len()..].chars().take_while(|c| *c != '/').collect();
        let r = admin.post(&format!("/t/rutland/admin/users/{id}/role"), &[("role", "viewer"), ("provider_id", ""), ("csrf", &users.field("csrf"))]);
        assert_eq!(r.status, 303, "{}", r.body);
        let audit = admin.get("/t/rutland/admin/audit");
        for event in ["tenant approved", "login succeeded", "member invited", "role changed"] {
            assert!(audit.body.contains(event), "{event} missing from the audit log");
        }
        // No other trust's events are in it.
        assert!(!audit.body.contains("ops@platform.example"));
    }
}

#[test]
fn the_command_line_approves_by_slug_and_refuses_an_unconfirmed_sign_up() {
    let db = TestDb::new(Backend::Sqlite);
    let d = Deployment::start(&db, false, &[]);
    let r = d.browser().post_json("/api/v1/signups", &signup_body());
    assert_eq!(r.status, 201, "{}", r.body);
    let run = d.cli(&["tenant", "signups"]);
    assert!(run.stdout.contains("rutland") && run.stdout.contains("awaiting_email"), "{}", run.stdout);
    let run = d.cli(&["tenant", "approve", "rutland"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("has not confirmed"), "{}", run.stderr);
    let link = link_for(&d.mail, "ann.admin@rutland.gov.uk", "/signup/confirm/");
    assert_eq!(d.browser().use_link(&link).status, 200);
    let run = d.cli(&["tenant", "approve", "rutland"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("active as rutland"), "{}", run.stdout);
    let run = d.cli(&["tenant", "approve", "no-such-council"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("no sign-up"), "{}", run.stderr);
    link_for(&d.mail, "ann.admin@rutland.gov.uk", "/t/rutland/login/link/");
}

fn expire_links(db: &TestDb) {
    use diesel::connection::SimpleConnection;
    let mut conn = db.conn();
    conn.batch_execute("UPDATE email_tokens SET expires_at = created_at").unwrap();
}

#[test]
fn email_links_are_single_use_expire_and_are_rate_limited() {
    let db = TestDb::new(Backend::Sqlite);
    let d = Deployment::start(&db, true, &[]);
    let me = "viewer@kent.example";

    // Someone who is not a member gets the same answer and no mail.
    let b = d.browser();
    let csrf = b.csrf("/t/kent/login");
    let r = b.post("/t/kent/login/email", &[("email", "stranger@evil.example"), ("csrf", &csrf)]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Check your email"));
    assert!(messages(&d.mail).is_empty());
    // A member of another trust is not sent a link for this one.
    let r = b.post("/t/kent/login/email", &[("email", "viewer@durham.example"), ("csrf", &csrf)]);
    assert_eq!(r.status, 200);
    assert!(messages(&d.mail).is_empty());
    // Without the CSRF token: refused.
    assert_eq!(b.post("/t/kent/login/email", &[("email", me)]).status, 403);
    // A bad address is named.
    let r = b.post("/t/kent/login/email", &[("email", "not an address"), ("csrf", &csrf)]);
    assert_eq!(r.status, 400);

    let r = b.post("/t/kent/login/email", &[("email", me), ("csrf", &csrf)]);
    assert_eq!(r.status, 200);
    let link = link_for(&d.mail, me, "/t/kent/login/link/");
    // Opened twice (a scanner, then the person): still good.
    assert_eq!(d.browser().get(&link).status, 200);
    let first = d.browser();
    assert_eq!(first.use_link(&link).status, 303);
    // Used: refused, for anyone.
    let second = d.browser();
    let page = second.get(&link);
    assert_eq!(page.status, 410);
    assert!(page.body.contains("already been used"));
    // A link for one trust does not work on another's path.
    let r = b.post("/t/kent/login/email", &[("email", me), ("csrf", &csrf)]);
    assert_eq!(r.status, 200);
    let link = link_for(&d.mail, me, "/t/kent/login/link/");
    assert_eq!(d.browser().get(&link.replace("/t/kent/", "/t/durham/")).status, 410);
    // After fifteen minutes the link is refused.
    expire_links(&db);
    let page = d.browser().get(&link);
    assert_eq!(page.status, 410);
    assert!(page.body.contains("expired"));

    // Three links per address per fifteen minutes: the fourth request is refused.
    let r = b.post("/t/kent/login/email", &[("email", me), ("csrf", &csrf)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = b.post("/t/kent/login/email", &[("email", me), ("csrf", &csrf)]);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Too many attempts"));
}

#[test]
fn sessions_rotate_at_login_end_at_logout_and_idle_out() {
    let db = TestDb::new(Backend::Sqlite);
    let d = Deployment::start(&db, true, &[]);
    let b = d.browser();
    let before = b.csrf("/t/durham/login");
    let cookie_before = b.session_id().unwrap();
    let r = b.post("/t/durham/login/email", &[("email", "admin@durham.example"), ("csrf", &before)]);
    assert_eq!(r.status, 200);
    let link = link_for(&d.mail, "admin@durham.example", "/t/durham/login/link/");
    assert_eq!(b.use_link(&link).status, 303);
    let cookie_after = b.session_id().unwrap();
    assert_ne!(cookie_before, cookie_after, "the session id rotates at login");
    let raw = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let with = |c: &str| {
        raw.get(d.server.url("/t/durham/"))
            .header("cookie", format!("platform_session={c}"))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(with(&cookie_after), 200);
    assert_eq!(with(&cookie_before), 303, "the pre-login id is dead");

    // Logout ends the session: the same cookie, replayed, is signed out.
    let csrf = b.csrf("/t/durham/");
    assert_eq!(b.post("/logout", &[("csrf", &csrf)]).status, 303);
    assert_eq!(with(&cookie_after), 303);

    // Idle timeout: a session not used for longer than the limit is gone.
    let b = sign_in(&d.server.base, &d.mail, "durham", "viewer@durham.example");
    let c = b.session_id().unwrap();
    {
        use diesel::connection::SimpleConnection;
        let mut conn = db.conn();
        conn.batch_execute("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'").unwrap();
    }
    assert_eq!(with(&c), 303);
}
