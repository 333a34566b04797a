//! Typed configuration: an optional `platform.toml`, then the environment on top. An unknown or
//! bad setting stops start-up with one line that names it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use platform_db::Backend;
use serde::Deserialize;

/// The settings file. Every key is optional; the environment overrides it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    /// Address and port the web server listens on.
    bind: Option<String>,
    /// Folder for the SQLite database and the mail outbox.
    data_dir: Option<PathBuf>,
    /// `postgres://…` for PostgreSQL, or a SQLite file path.
    database_url: Option<String>,
    /// `redis://…`; unset means the in-process cache and scheduler.
    redis_url: Option<String>,
    /// `smtp://…` or `smtps://…`; unset means messages are written to `<data dir>/outbox/`.
    smtp_url: Option<String>,
    /// Seed the five trusts and the demo dataset at start-up.
    seed_demo: Option<bool>,
    /// The sender of the platform's mail, e.g. `Commissioning platform <no-reply@example.org>`.
    mail_from: Option<String>,
    /// Log filter, for example `info` or `platform=debug`.
    log: Option<String>,
    /// The address people reach the platform at, used in email links and OIDC redirects.
    public_url: Option<String>,
    /// Base64 of 32 random bytes: seals tenants' OIDC client secrets. Required with PostgreSQL.
    secret_key: Option<String>,
    /// Minutes of inactivity after which a session ends.
    session_idle_minutes: Option<u32>,
    reminder_interval_seconds: Option<u32>,
    reminder_give_up_hours: Option<u32>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted load balancer).
    trust_proxy: Option<bool>,
    /// Comma-separated `host` or `host:port` identity providers allowed although their address
    /// is local (loopback, private, …); they may also use plain http.
    oidc_allowed_hosts: Option<String>,
}

/// The configuration the program runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub backend: Backend,
    pub redis_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub seed_demo: bool,
    pub log: String,
    /// None: derived from the bound address at start-up.
    pub public_url: Option<url::Url>,
    /// The 32-byte sealing key, if configured.
    pub secret_key: Option<[u8; 32]>,
    pub session_idle: std::time::Duration,
    pub trust_proxy: bool,
    /// Identity providers the outbound guard lets through although they are local.
    pub oidc_allowed_hosts: Vec<crate::outbound::AllowedHost>,
    /// How often the reminders' tick and dispatcher run in-process (zero: not here).
    pub reminder_interval: std::time::Duration,
    /// How long a reminder is retried before it is failed.
    pub reminder_give_up: chrono::Duration,
}

/// A setting that is unknown or has a bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.to_string(), message: message.into() }
}

/// Environment variables this program reads. Any other `PLATFORM_*` variable is a mistake.
const KNOWN_ENV: &[&str] = &[
    "PLATFORM_BIND",
    "PLATFORM_DATA_DIR",
    "PLATFORM_SEED_DEMO",
    "PLATFORM_LOG",
    "PLATFORM_CONFIG",
    "PLATFORM_MAIL_FROM",
    "PLATFORM_PUBLIC_URL",
    "PLATFORM_SECRET_KEY",
    "PLATFORM_SESSION_IDLE_MINUTES",
    "PLATFORM_TRUST_PROXY",
    "PLATFORM_OIDC_ALLOWED_HOSTS",
    "PLATFORM_REMINDER_INTERVAL_SECONDS",
    "PLATFORM_REMINDER_GIVE_UP_HOURS",
    "DATABASE_URL",
    "REDIS_URL",
    "SMTP_URL",
];

impl Config {
    /// Reads `file` if given (it must exist), else `./platform.toml` if present, then `env`.
    pub fn load(file: Option<&Path>, env: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        for key in env.keys() {
            if key.starts_with("PLATFORM_") && !KNOWN_ENV.contains(&key.as_str()) {
                return Err(bad(key, format!("unknown setting; known ones are {}", KNOWN_ENV.join(", "))));
            }
        }
        let explicit = file.map(Path::to_path_buf).or_else(|| env.get("PLATFORM_CONFIG").map(PathBuf::from));
        let path = match explicit {
            Some(p) => Some(p),
            None => Some(PathBuf::from("platform.toml")).filter(|p| p.exists()),
        };
        let file_config = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| bad(&p.display().to_string(), format!("cannot read: {e}")))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    let message = e.message().to_string();
                    bad(&p.display().to_string(), message)
                })?
            }
            None => FileConfig::default(),
        };

        let pick = |env_key: &str, file_value: Option<String>| -> Option<String> {
            env.get(env_key).cloned().filter(|v| !v.is_empty()).or(file_value)
        };

        let bind_text = pick("PLATFORM_BIND", file_config.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            bad("PLATFORM_BIND", format!("{bind_text:?} is not an address and port such as 127.0.0.1:8080"))
        })?;

        let data_dir = env
            .get("PLATFORM_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or(file_config.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));

        let database_url = pick("DATABASE_URL", file_config.database_url)
            .unwrap_or_else(|| data_dir.join("platform.sqlite3").display().to_string());
        let backend = Backend::from_url(&database_url).map_err(|e| bad("DATABASE_URL", e.to_string()))?;
        if backend == Backend::Postgres {
            url::Url::parse(&database_url).map_err(|e| bad("DATABASE_URL", format!("not a valid URL: {e}")))?;
        }

        let redis_url = pick("REDIS_URL", file_config.redis_url);
        if let Some(u) = &redis_url {
            check_url("REDIS_URL", u, &["redis", "rediss"])?;
        }
        let smtp_url = pick("SMTP_URL", file_config.smtp_url);
        if let Some(u) = &smtp_url {
            check_url("SMTP_URL", u, &["smtp", "smtps"])?;
        }

        let mail_from = pick("PLATFORM_MAIL_FROM", file_config.mail_from)
            .unwrap_or_else(|| "Commissioning platform <no-reply@localhost>".into());
        mail_from.parse::<lettre::message::Mailbox>().map_err(|e| {
            bad("PLATFORM_MAIL_FROM", format!("{mail_from:?} is not a sender such as Name <address@example.org>: {e}"))
        })?;

        // The demo data belongs to the embedded mode; a production database starts empty.
        let seed_demo =
            flag(env, "PLATFORM_SEED_DEMO")?.or(file_config.seed_demo).unwrap_or(backend == Backend::Sqlite);
        let trust_proxy = flag(env, "PLATFORM_TRUST_PROXY")?.or(file_config.trust_proxy).unwrap_or(false);

        let public_url = match pick("PLATFORM_PUBLIC_URL", file_config.public_url) {
            None => None,
            Some(text) => {
                let u =
                    url::Url::parse(&text).map_err(|e| bad("PLATFORM_PUBLIC_URL", format!("not a valid URL: {e}")))?;
                let local = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
                if !(u.scheme() == "https" || (u.scheme() == "http" && local)) {
                    return Err(bad("PLATFORM_PUBLIC_URL", "must be https:// (plain http only for localhost)"));
                }
                if u.path() != "/" || u.query().is_some() {
                    return Err(bad(
                        "PLATFORM_PUBLIC_URL",
                        "must be a bare origin such as https://commissioning.example.org",
                    ));
                }
                Some(u)
            }
        };

        let secret_key = match pick("PLATFORM_SECRET_KEY", file_config.secret_key) {
            None => None,
            Some(text) => Some(crate::secrets::parse_key(&text).map_err(|m| bad("PLATFORM_SECRET_KEY", m))?),
        };

        let idle_text = env.get("PLATFORM_SESSION_IDLE_MINUTES").filter(|v| !v.is_empty()).cloned();
        let idle_minutes = match idle_text {
            Some(t) => t
                .parse::<u32>()
                .map_err(|_| bad("PLATFORM_SESSION_IDLE_MINUTES", format!("{t:?} is not a whole number of minutes")))?,
            None => file_config.session_idle_minutes.unwrap_or(60),
        };
        if !(1..=24 * 60).contains(&idle_minutes) {
            return Err(bad("PLATFORM_SESSION_IDLE_MINUTES", "must be between 1 and 1440"));
        }
        let session_idle = std::time::Duration::from_secs(u64::from(idle_minutes) * 60);

        let whole = |name: &'static str, given: Option<u32>, default: u32, range: std::ops::RangeInclusive<u32>| {
            let n = match env.get(name).filter(|v| !v.is_empty()) {
                Some(t) => t.parse::<u32>().map_err(|_| bad(name, format!("{t:?} is not a whole number")))?,
                None => given.unwrap_or(default),
            };
            if range.contains(&n) {
                Ok(n)
            } else {
                Err(bad(name, format!("must be between {} and {}", range.start(), range.end())))
            }
        };
        // 0 turns the in-process tick and dispatcher off (another replica, or a cron, runs them).
        let reminder_interval = std::time::Duration::from_secs(u64::from(whole(
            "PLATFORM_REMINDER_INTERVAL_SECONDS",
            file_config.reminder_interval_seconds,
            60,
            0..=86_400,
        )?));
        let reminder_give_up = chrono::Duration::hours(i64::from(whole(
            "PLATFORM_REMINDER_GIVE_UP_HOURS",
            file_config.reminder_give_up_hours,
            24,
            1..=24 * 14,
        )?));

        let oidc_allowed_hosts = match pick("PLATFORM_OIDC_ALLOWED_HOSTS", file_config.oidc_allowed_hosts) {
            None => Vec::new(),
            Some(text) => {
                crate::outbound::parse_allowed_hosts(&text).map_err(|m| bad("PLATFORM_OIDC_ALLOWED_HOSTS", m))?
            }
        };

        let log = pick("PLATFORM_LOG", file_config.log).unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| bad("PLATFORM_LOG", e.to_string()))?;

        Ok(Config {
            bind,
            data_dir,
            database_url,
            backend,
            redis_url,
            smtp_url,
            mail_from,
            seed_demo,
            log,
            public_url,
            secret_key,
            session_idle,
            trust_proxy,
            oidc_allowed_hosts,
            reminder_interval,
            reminder_give_up,
        })
    }

    /// Where messages go when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

fn flag(env: &BTreeMap<String, String>, key: &str) -> Result<Option<bool>, ConfigError> {
    match env.get(key).filter(|v| !v.is_empty()).map(String::as_str) {
        None => Ok(None),
        Some("true" | "1" | "yes") => Ok(Some(true)),
        Some("false" | "0" | "no") => Ok(Some(false)),
        Some(other) => Err(bad(key, format!("{other:?} is not true or false"))),
    }
}

fn check_url(setting: &str, value: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(value).map_err(|e| bad(setting, format!("not a valid URL: {e}")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(bad(setting, format!("scheme must be {} (got {:?})", schemes.join(" or "), parsed.scheme())));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(setting, "has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn defaults_are_the_embedded_mode() {
        let c = Config::load(None, &env(&[])).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.backend, Backend::Sqlite);
        assert!(c.database_url.ends_with("platform.sqlite3"));
        assert!(c.seed_demo);
        assert!(c.redis_url.is_none() && c.smtp_url.is_none());
    }

    #[test]
    fn postgres_url_selects_postgres_and_no_demo_data() {
        let c = Config::load(None, &env(&[("DATABASE_URL", "postgres://postgres@127.0.0.1/db")])).unwrap();
        assert_eq!(c.backend, Backend::Postgres);
        assert!(!c.seed_demo);
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases = [
            ("PLATFORM_BIND", "8080", "PLATFORM_BIND"),
            ("PLATFORM_BNID", "x", "PLATFORM_BNID"),
            ("DATABASE_URL", "mysql://h/db", "DATABASE_URL"),
            ("REDIS_URL", "http://localhost", "REDIS_URL"),
            ("SMTP_URL", "smtp://", "SMTP_URL"),
            ("PLATFORM_SEED_DEMO", "maybe", "PLATFORM_SEED_DEMO"),
            ("PLATFORM_LOG", "[[[", "PLATFORM_LOG"),
            ("PLATFORM_MAIL_FROM", "not an address", "PLATFORM_MAIL_FROM"),
            ("PLATFORM_PUBLIC_URL", "http://commissioning.example.org", "PLATFORM_PUBLIC_URL"),
            ("PLATFORM_SECRET_KEY", "c2hvcnQ=", "PLATFORM_SECRET_KEY"),
            ("PLATFORM_SESSION_IDLE_MINUTES", "0", "PLATFORM_SESSION_IDLE_MINUTES"),
            ("PLATFORM_TRUST_PROXY", "perhaps", "PLATFORM_TRUST_PROXY"),
            ("PLATFORM_OIDC_ALLOWED_HOSTS", "127.0.0.1:8443, http://idp", "PLATFORM_OIDC_ALLOWED_HOSTS"),
        ];
        for (key, value, named) in cases {
            let err = Config::load(None, &env(&[(key, value)])).unwrap_err();
            assert_eq!(err.setting, named, "{key}={value}: {err}");
        }
    }

    #[test]
    fn allowed_identity_providers_come_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform.toml");
        std::fs::write(&path, "oidc_allowed_hosts = \"idp.trust.internal\"\n").unwrap();
        let shown = |c: &Config| c.oidc_allowed_hosts.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(shown(&Config::load(Some(&path), &env(&[])).unwrap()), ["idp.trust.internal"]);
        let c =
            Config::load(Some(&path), &env(&[("PLATFORM_OIDC_ALLOWED_HOSTS", "127.0.0.1:8443,[::1]:8443")])).unwrap();
        assert_eq!(shown(&c), ["127.0.0.1:8443", "[::1]:8443"]);
        assert!(Config::load(None, &env(&[])).unwrap().oidc_allowed_hosts.is_empty());
        let err = Config::load(None, &env(&[("PLATFORM_OIDC_ALLOWED_HOSTS", "ok.example, http://idp")])).unwrap_err();
        assert!(err.to_string().contains("\"http://idp\""), "{err}");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\nbnid = 1\n").unwrap();
        let err = Config::load(Some(&path), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\nseed_demo = false\n").unwrap();
        let c = Config::load(Some(&path), &env(&[("PLATFORM_BIND", "0.0.0.0:7000")])).unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:7000");
        assert!(!c.seed_demo);
    }
}
