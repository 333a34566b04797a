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
    // The reminders' in-process tick stays off unless a test turns it on: the demo data's reviews
    // would otherwise fill the mail a test reads.
    cmd.env("PLATFORM_REMINDER_INTERVAL_SECONDS", "0");
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

    /// Sends SIGTERM, as an orchestrator stopping a replica does, and waits up to `within` for
    /// the process to exit: its exit status, or None if it did not.
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
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

/// A browser-like HTTP client: keeps cookies, never follows redirects (tests look at them).
pub struct Browser {
    pub client: reqwest::blocking::Client,
    pub base: String,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
}

/// A response read to the end.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of a hidden form field (the first one of that name).
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no field {name} in {}", self.body)) + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::blocking::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Browser { client, base: base.to_string(), jar }
    }

    /// The session id the platform's cookie carries, if any.
    pub fn session_id(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().unwrap().split("; ").find_map(|c| c.strip_prefix("platform_session=").map(str::to_string))
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.base) }
    }

    fn read(r: reqwest::blocking::Response) -> Page {
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        Page { status, location, body: r.text().unwrap() }
    }

    pub fn get(&self, path: &str) -> Page {
        Self::read(send(self.client.get(self.url(path))))
    }

    pub fn get_bearer(&self, path: &str, token: &str) -> Page {
        Self::read(send(self.client.get(self.url(path)).bearer_auth(token)))
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Self::read(send(self.client.post(self.url(path)).form(form)))
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Page {
        Self::read(send(self.client.post(self.url(path)).json(body)))
    }

    /// Opens an email link (a page with a button) and presses the button.
    pub fn use_link(&self, link: &str) -> Page {
        let page = self.get(link);
        assert_eq!(page.status, 200, "{link}: {}", page.body);
        let action = {
            let marker = "<form method=\"post\" action=\"";
            let start = page.body.find(marker).unwrap() + marker.len();
            let end = page.body[start..].find('"').unwrap() + start;
            page.body[start..end].to_string()
        };
        self.post(&action, &[("csrf", &page.field("csrf")), ("token", &page.field("token"))])
    }

    /// The CSRF token of a page of this session.
    pub fn csrf(&self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        page.field("csrf")
    }
}

/// Sends a request; a failure (a timeout, a refused connection) names the request and how long
/// it waited, and a request slower than five seconds is printed, so a failing run on a busy
/// machine says which request was slow.
pub fn send(request: reqwest::blocking::RequestBuilder) -> reqwest::blocking::Response {
    let (client, request) = request.build_split();
    let request = request.unwrap();
    let what = format!("{} {}", request.method(), request.url());
    let started = Instant::now();
    let answer = client.execute(request);
    let took = started.elapsed();
    if took > Duration::from_secs(5) {
        eprintln!("slow: {what} took {:.1} s", took.as_secs_f64());
    }
    answer.unwrap_or_else(|e| panic!("{what} failed after {:.1} s: {e:?}", took.as_secs_f64()))
}

/// Messages the platform sent: `.eml` files in an outbox folder or a maildir's `new/`.
pub fn messages(dir: &Path) -> Vec<String> {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).unwrap());
    files.iter().map(|p| decode_mail(&std::fs::read_to_string(p).unwrap())).collect()
}

/// Undoes quoted-printable soft breaks and escapes, enough to read links out of a message.
pub fn decode_mail(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b as char);
            i += 3;
            continue;
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

/// The newest message to `to`, and the first link in it that contains `contains`.
pub fn link_for(dir: &Path, to: &str, contains: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = messages(dir).into_iter().rev().find(|m| m.contains(&format!("To: {to}")));
        if let Some(m) = found {
            let start = m.find(contains).unwrap_or_else(|| panic!("no link with {contains} in {m}"));
            let from = m[..start].rfind("http").unwrap();
            let end = m[from..].find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap() + from;
            return m[from..end].to_string();
        }
        assert!(Instant::now() < deadline, "no message to {to} in {}", dir.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Signs a member in by an email link through the real flow; returns their browser.
pub fn sign_in(server_base: &str, outbox: &Path, slug: &str, email: &str) -> Browser {
    let b = Browser::new(server_base);
    let csrf = b.csrf(&format!("/t/{slug}/login"));
    let sent = b.post(&format!("/t/{slug}/login/email"), &[("email", email), ("csrf", &csrf)]);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let link = link_for(outbox, email, &format!("/t/{slug}/login/link/"));
    let done = b.use_link(&link);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(format!("/t/{slug}/").as_str()));
    b
}

/// How many migrations the release carries (one folder each, the same for both backends).
pub fn migration_count() -> usize {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sqlite");
    std::fs::read_dir(dir).unwrap().filter(|e| e.as_ref().unwrap().path().join("up.sql").exists()).count()
}
