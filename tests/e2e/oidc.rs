//! Sign-in by the trust's own identity provider: a real OpenID Connect provider (oidc-provider,
//! run with Node), driven through the whole redirect flow over HTTP. The good path signs in;
//! a forged state, a replayed code, a changed nonce, an expired ID token, an ID token for
//! another audience and an account from a domain that is not allowed are each refused. The
//! provider runs on loopback over plain http, so the deployment allows its host:port; without
//! that allowance, issuers at local addresses are refused when saved and when used.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use platform_db::Backend;

use crate::accounts::Deployment;
use crate::support::{Browser, TestDb, sign_in};

struct OidcProvider {
    base: String,
    child: Child,
}

/// A port nothing listens on (until someone binds it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl OidcProvider {
    /// The platform must be told to allow the provider before it starts, so the port is chosen
    /// first and handed in.
    fn start(port: u16, client_id: &str, secret: &str, redirect: &str) -> OidcProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", client_id)
            .env("CLIENT_SECRET", secret)
            .env("REDIRECT_URIS", redirect)
            .stdout(Stdio::piped())
            .spawn()
            .expect("node is needed (tests/setup.sh installs it and the provider's packages)");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
        assert!(line.contains("listening"), "the OIDC provider did not start: {line:?}");
        // Keep reading what it prints: a closed pipe would stop it at its next notice.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        OidcProvider { base: format!("http://127.0.0.1:{port}"), child }
    }

    fn set_mode(&self, mode: &str) {
        let r = reqwest::blocking::get(format!("{}/__test/mode?m={mode}", self.base)).unwrap();
        assert_eq!(r.text().unwrap(), mode);
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces one query parameter's value in a URL.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == name { value.to_string() } else { v.to_string() }))
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// Starts sign-in at the platform, plays the person at the provider (who they are is the
/// `login_hint`), and returns the callback URL the provider sends the browser back to.
fn to_callback(b: &Browser, provider: &OidcProvider, who: &str, tamper: impl Fn(String) -> String) -> String {
    let start = b.get("/t/durham/login/oidc");
    assert_eq!(start.status, 303, "{}", start.body);
    let auth = start.location.unwrap();
    assert!(auth.starts_with(&provider.base), "{auth}");
    for required in ["code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "scope=openid"] {
        assert!(auth.contains(required), "{required} missing from {auth}");
    }
    let mut url = format!("{}&login_hint={}", tamper(auth), who);
    for _ in 0..12 {
        let r = b.get(&url);
        let next = r.location.unwrap_or_else(|| panic!("the provider stopped at {url}: {} {}", r.status, r.body));
        let next = if next.starts_with('/') { format!("{}{next}", provider.base) } else { next };
        if next.starts_with(&format!("{}/t/durham/oidc/callback", b.base)) {
            return next;
        }
        url = next;
    }
    panic!("no callback after 12 redirects");
}

fn refused(page: &crate::support::Page, words: &str) {
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("Sign-in failed"), "{}", page.body);
    assert!(page.body.contains(words), "expected {words:?} in {}", page.body);
}

#[test]
fn sign_in_with_the_trusts_identity_provider_and_every_forgery_is_refused() {
    let db = TestDb::new(Backend::Sqlite);
    let port = free_port();
    let d = Deployment::start(&db, true, &[("PLATFORM_OIDC_ALLOWED_HOSTS", &format!("127.0.0.1:{port}"))]);
    let callback = d.server.url("/t/durham/oidc/callback");
    let provider = OidcProvider::start(port, "commissioning-platform", "s3cret-client-secret", &callback);

    // The tenant admin sets the identity provider up; bad values are named.
    let admin = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
    let page = admin.get("/t/durham/admin/oidc");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&callback), "the page tells the admin the redirect address");
    let csrf = page.field("csrf");
    let settings = |issuer: &str, domains: &str| {
        admin.post(
            "/t/durham/admin/oidc",
            &[
                ("issuer", issuer),
                ("client_id", "commissioning-platform"),
                ("client_secret", "s3cret-client-secret"),
                ("allowed_domains", domains),
                ("csrf", &csrf),
            ],
        )
    };
    let bad = settings("ftp://idp.example", "durham.gov.uk");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("href=\"#issuer\""), "{}", bad.body);
    let bad = settings(&provider.base, "not a domain");
    assert!(bad.body.contains("href=\"#allowed_domains\""), "{}", bad.body);
    let ok = settings(&provider.base, "durham.gov.uk");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("The settings are saved"));
    {
        use diesel::prelude::*;
        let mut conn = db.conn();
        let sealed: String = platform_db::schema::tenant_oidc::table
            .select(platform_db::schema::tenant_oidc::client_secret_sealed)
            .first(&mut conn)
            .unwrap();
        assert!(!sealed.contains("s3cret"), "the client secret is stored sealed");
    }
    assert!(d.browser().get("/t/durham/login").body.contains("/t/durham/login/oidc"));

    // The good path: someone from an allowed domain signs in and is a viewer.
    let jo = d.browser();
    let cb = to_callback(&jo, &provider, "jo@durham.gov.uk", |u| u);
    let done = jo.get(&cb);
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/t/durham/")), "{}", done.body);
    let home = jo.get("/t/durham/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains(", viewer</span>"), "{}", home.body);

    // A replayed code (the same callback again, here or in another browser): refused.
    refused(&jo.get(&cb), "no sign-in under way");
    let other = d.browser();
    let _ = other.get("/t/durham/login");
    refused(&other.get(&cb), "no sign-in under way");

    // A forged state: refused, and the browser is not signed in.
    let b = d.browser();
    let cb = to_callback(&b, &provider, "jo@durham.gov.uk", |u| u);
    refused(&b.get(&with_param(&cb, "state", "forged-state")), "does not match");
    assert_eq!(b.get("/t/durham/").status, 303);

    // A changed nonce (the ID token then carries another): refused.
    let b = d.browser();
    let cb = to_callback(&b, &provider, "jo@durham.gov.uk", |u| with_param(&u, "nonce", "forged-nonce"));
    refused(&b.get(&cb), "ID token was not accepted");
    assert_eq!(b.get("/t/durham/").status, 303);

    // An expired ID token, and one issued for another client: refused.
    for mode in ["expired", "wrong-aud"] {
        provider.set_mode(mode);
        let b = d.browser();
        let cb = to_callback(&b, &provider, "jo@durham.gov.uk", |u| u);
        refused(&b.get(&cb), "ID token was not accepted");
        assert_eq!(b.get("/t/durham/").status, 303, "{mode}");
    }
    provider.set_mode("good");

    // Someone neither invited nor from an allowed domain: refused.
    let b = d.browser();
    let cb = to_callback(&b, &provider, "mallory@evil.example", |u| u);
    refused(&b.get(&cb), "not a member");
    // An invited member from another domain is let in with their own role.
    let b = d.browser();
    let cb = to_callback(&b, &provider, "commissioner@durham.example", |u| u);
    assert_eq!(b.get(&cb).status, 303);
    assert!(b.get("/t/durham/").body.contains(", commissioner</span>"));

    // Each refusal is in the trust's audit log.
    let audit = admin.get("/t/durham/admin/audit");
    let failures = audit.body.matches("login failed").count();
    assert!(failures >= 7, "{failures} failures logged");
    assert!(audit.body.contains("oidc settings changed"));
}

fn save_settings(admin: &Browser, issuer: &str) -> crate::support::Page {
    let csrf = admin.csrf("/t/durham/admin/oidc");
    admin.post(
        "/t/durham/admin/oidc",
        &[
            ("issuer", issuer),
            ("client_id", "commissioning-platform"),
            ("client_secret", "s3cret-client-secret"),
            ("allowed_domains", "durham.gov.uk"),
            ("csrf", &csrf),
        ],
    )
}

fn stored_issuer(db: &TestDb) -> String {
    use diesel::prelude::*;
    use platform_db::schema::tenant_oidc;
    tenant_oidc::table.select(tenant_oidc::issuer).first(&mut db.conn()).unwrap()
}

/// Writes the issuer straight into the database, as an older release or a direct edit could.
fn store_issuer(db: &TestDb, issuer: &str) {
    use diesel::prelude::*;
    use platform_db::schema::tenant_oidc;
    let n = diesel::update(tenant_oidc::table).set(tenant_oidc::issuer.eq(issuer)).execute(&mut db.conn()).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn an_issuer_at_a_local_address_is_refused_when_saved_and_when_used() {
    let db = TestDb::new(Backend::Sqlite);
    // A port with something listening, as an internal service would; nothing may connect to it.
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    open.set_nonblocking(true).unwrap();
    let open_port = open.local_addr().unwrap().port();
    let closed_port = free_port();
    let open_issuer = format!("http://127.0.0.1:{open_port}");
    let closed_issuer = format!("http://127.0.0.1:{closed_port}");

    // While the operator allows loopback, such an issuer is saved; a real connection to a closed
    // port then fails, and gives the answer every other failure must give too.
    let reached_closed = {
        let d = Deployment::start(&db, true, &[("PLATFORM_OIDC_ALLOWED_HOSTS", "127.0.0.1")]);
        let admin = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
        let ok = save_settings(&admin, &closed_issuer);
        assert_eq!(ok.status, 200, "{}", ok.body);
        let page = d.browser().get("/t/durham/login/oidc");
        assert_eq!(page.status, 503, "{}", page.body);
        page.body
    };

    // Without the allowance: every issuer inside the platform's network is refused when saved,
    // naming the field and saying why, and nothing is stored. (The first deployment's mail is
    // cleared so the sign-in below cannot pick up its used link.)
    for sent in std::fs::read_dir(db.dir.path().join("data/outbox")).unwrap() {
        std::fs::remove_file(sent.unwrap().path()).unwrap();
    }
    let d = Deployment::start(&db, true, &[]);
    let admin = sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
    let cases = [
        (open_issuer.as_str(), "must use https"),
        ("http://localhost", "must use https"),
        ("http://idp.durham.gov.uk", "must use https"),
        ("https://[::1]/", "::1 is a loopback address"),
        ("https://10.0.0.1/", "10.0.0.1 is a private address"),
        ("https://169.254.169.254/", "169.254.169.254 is a link-local address"),
        ("https://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("https://127.1/", "127.0.0.1 is a loopback address"),
        ("https://2130706433/", "127.0.0.1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("https://[fd00:ec2::254]/", "unique-local"),
        ("https://100.100.100.200/", "carrier-grade NAT"),
        ("https://0.0.0.0/", "unspecified"),
        ("https://localhost/", "localhost is a loopback name"),
        ("https://localhost./", "is a loopback name"),
        ("https://idp.localhost/", "is a loopback name"),
        ("https://metadata.google.internal/", "metadata.google.internal is an internal name"),
        // In this machine's /etc/hosts, pointing at 127.0.0.1.
        ("https://vm/", "vm is a single-label name"),
    ];
    for (issuer, why) in cases {
        let page = save_settings(&admin, issuer);
        assert_eq!(page.status, 400, "{issuer}: {}", page.body);
        assert!(page.body.contains("href=\"#issuer\""), "{issuer}: {}", page.body);
        assert!(page.body.contains(why), "{issuer}: expected {why:?} in {}", page.body);
        assert_eq!(stored_issuer(&db), closed_issuer, "{issuer} was not stored");
    }

    // Already stored (the allowance since withdrawn, or written straight into the database): an
    // anonymous visitor's sign-in gets the same answer for an open port and a closed one, the
    // same as for a real failed connection, and nothing is connected to.
    let anon = d.browser();
    let mut answers = Vec::new();
    for issuer in [&open_issuer, &closed_issuer, &format!("https://127.0.0.1:{open_port}")] {
        store_issuer(&db, issuer);
        let page = anon.get("/t/durham/login/oidc");
        assert_eq!(page.status, 503, "{issuer}: {}", page.body);
        assert!(page.body.contains("The identity provider of County Durham Children"), "{}", page.body);
        assert!(page.body.contains("could not be reached"), "{}", page.body);
        for leak in ["loopback", "refused", "connect", "not fetched", &open_port.to_string(), &closed_port.to_string()]
        {
            assert!(!page.body.contains(leak), "{leak:?} in {}", page.body);
        }
        answers.push(page.body);
    }
    assert!(answers.iter().all(|a| *a == reached_closed), "the answers differ: {answers:#?} / {reached_closed}");
    match open.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("something connected to the open port: {other:?}"),
    }

    // The trust's admin can read why in the audit log.
    let audit = admin.get("/t/durham/admin/audit");
    assert!(audit.body.contains("127.0.0.1 is a loopback address"), "{}", audit.body);
}
