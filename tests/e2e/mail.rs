//! Outgoing mail: written to the outbox folder in the embedded mode, delivered to a real SMTP
//! server (aiosmtpd, started here) when SMTP_URL is set; both with a plain-text and an HTML part
//! carrying the tenant's name. A server that does not answer is one clear line.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::support::run_platform;

/// An SMTP server that stores what it receives in a maildir, stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    child: Child,
}

impl SmtpServer {
    pub fn start(dir: &Path) -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = dir.join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .spawn()
            .expect("aiosmtpd is needed (tests/setup.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer { port, maildir, child }
    }

    fn received(&self) -> Vec<String> {
        match std::fs::read_dir(self.maildir.join("new")) {
            Ok(entries) => entries.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn check_message(raw: &str) {
    assert!(raw.contains("To: jo.bloggs@kent.gov.uk"), "{raw}");
    // The trust's name is quoted (“…”), so the subject is sent as encoded words.
    assert!(raw.contains("Subject: Test message from the commissioning platform for =?utf-8?b?"), "{raw}");
    assert!(raw.contains("commissioning platform for =E2=80=9CKent Ch"), "{raw}");
    assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
    assert!(raw.contains("Message-ID: <") && raw.contains("@commissioning.platform>"));
}

#[test]
fn embedded_mode_writes_the_message_to_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_platform(dir.path(), &[], &["seed"]).code, Some(0));
    let run = run_platform(dir.path(), &[], &["mail", "test", "--to", "jo.bloggs@kent.gov.uk", "--tenant", "kent"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let files: Vec<PathBuf> =
        std::fs::read_dir(dir.path().join("data/outbox")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    assert!(run.stdout.contains(&files[0].file_name().unwrap().to_string_lossy().to_string()));
    check_message(&std::fs::read_to_string(&files[0]).unwrap());
}

#[test]
fn with_smtp_url_the_message_is_delivered_to_the_smtp_server() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_platform(dir.path(), &[], &["seed"]).code, Some(0));
    let smtp = SmtpServer::start(dir.path());
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [("SMTP_URL", url.as_str()), ("PLATFORM_MAIL_FROM", "Kent commissioning <commissioning@kent.example>")];
    let run = run_platform(dir.path(), &env, &["mail", "test", "--to", "jo.bloggs@kent.gov.uk", "--tenant", "kent"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    check_message(&received[0]);
    assert!(received[0].contains("From: \"Kent commissioning\" <commissioning@kent.example>"), "{}", received[0]);
    assert!(
        !dir.path().join("data/outbox").exists()
            || std::fs::read_dir(dir.path().join("data/outbox")).unwrap().next().is_none()
    );
}

#[test]
fn delivery_failures_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{closed}");
    let run = run_platform(dir.path(), &[("SMTP_URL", url.as_str())], &["mail", "test", "--to", "jo@kent.gov.uk"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("delivering over SMTP"), "{}", run.stderr);

    let run = run_platform(dir.path(), &[], &["mail", "test", "--to", "not an address"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("not an email address"), "{}", run.stderr);
}
