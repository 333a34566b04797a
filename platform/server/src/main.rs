//! `platform`: the children's services commissioning platform. Serves the web application and
//! API by default; the subcommands run migrations, seed the demo data and list tenants.

mod app;
mod areas;
mod cache;
mod clock;
mod config;
mod demo;
mod disclosure;
mod error;
mod framework_calls;
mod frameworks;
mod limits;
mod mail;
mod openapi;
mod outbound;
mod reference;
mod routes;
mod secrets;
mod sessions;
mod working_days;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use platform_db::conn::{self as db, Pool, PoolOptions};
use platform_db::repo::tenants;

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "platform", version, about = "Commissioning of children's services for children's trusts")]
struct Cli {
    /// A settings file (default: ./platform.toml if it exists). The environment overrides it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations, seed if configured, and serve the web application (the default).
    Serve,
    /// Apply pending migrations, or show where the database stands.
    Migrate {
        /// Only show applied and pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Seed the five founding trusts and register the built-in frameworks; with --demo, the demo
    /// dataset too. Re-running adds nothing.
    Seed {
        #[arg(long)]
        demo: bool,
    },
    /// Tenants (trusts) on this deployment.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Framework plugins: the registry, the conformance suite, and calling a plugin by hand.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Outgoing mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Platform operators: the people who approve councils and plugin versions.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Reminders before reviews and contract ends fall due.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Reference data published about every English authority (DfE's LAIT, the geography).
    Reference {
        #[command(subcommand)]
        command: ReferenceCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReferenceCommand {
    /// Import a release from the files as published, all or nothing; the same files again
    /// change nothing.
    Import {
        /// `lait` (bds_long.csv.gz, lait_data_dictionary.csv, sn_*.xlsx) or `geography` (las.csv).
        #[arg(value_enum)]
        source: ReferenceSource,
        /// The folder that holds the files.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReferenceSource {
    Lait,
    Geography,
}

#[derive(Debug, Subcommand)]
enum RemindersCommand {
    /// Run one tick (queue what falls due) and one dispatch pass (send what is queued).
    RunOnce {
        /// The day to run for, YYYY-MM-DD (default today); the time of day is now's.
        #[arg(long, conflicts_with = "at")]
        today: Option<chrono::NaiveDate>,
        /// The moment to run at, YYYY-MM-DDTHH:MM:SS (for retries, which wait minutes).
        #[arg(long)]
        at: Option<chrono::NaiveDateTime>,
        /// Run only the tick or only the dispatch pass.
        #[arg(long, value_enum)]
        only: Option<RunPart>,
    },
}

/// One half of a reminders run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RunPart {
    Tick,
    Dispatch,
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Make this address a platform operator (creating the user) and print a one-time sign-in link.
    Create {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Send a test message through the configured delivery (SMTP_URL, or the outbox folder).
    Test {
        /// The recipient.
        #[arg(long)]
        to: String,
        /// The tenant the message is sent for (its name appears in the message).
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Every registered plugin version.
    List,
    /// Run the conformance suite on a component file and, if it passes, register it. The
    /// version waits for an operator's approval before councils are offered it.
    Add {
        file: PathBuf,
        /// The platform operator adding it (their email address), recorded in the registry.
        #[arg(long)]
        by: String,
    },
    /// Approve a registered version (ID@VERSION): councils are offered it from now on.
    Approve {
        plugin: String,
        /// The platform operator approving it (their email address).
        #[arg(long)]
        by: String,
    },
    /// Run the conformance suite on a registered plugin (ID or ID@VERSION) or a component file.
    Check { plugin: String },
    /// Call one function of a plugin (ID, ID@VERSION or FILE) with JSON input; print JSON.
    Call {
        plugin: String,
        /// describe, classify, review-schedule, validate, stage-gate, score-self-evaluation or band.
        function: String,
        /// The parameters as a JSON object, e.g. '{"items": [...]}' (see the README).
        #[arg(long, default_value = "{}")]
        input: String,
    },
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// List every tenant with its status.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Pin a tenant to a registered framework version (ID@VERSION).
    Pin { slug: String, plugin: String },
    /// Approve a council's confirmed sign-up by the slug it will get (see `tenant signups`):
    /// the tenant becomes active and its admin is sent a sign-in link.
    Approve { slug: String },
    /// Sign-ups waiting for email confirmation or approval.
    Signups,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let config = match Config::load(cli.config.as_deref(), &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
        .with_writer(std::io::stderr)
        .init();
    match run(cli.command.unwrap_or(Command::Serve), config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of contexts, outermost first (libpq's messages span several).
            let message = format!("{e:#}");
            eprintln!("error: {}", message.split_whitespace().collect::<Vec<_>>().join(" "));
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config),
        Command::Migrate { status } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            if status {
                let s = db::migration_status(&mut conn)?;
                println!("backend: {}", pool.backend().name());
                println!("pending: {}", if s.pending.is_empty() { "none".into() } else { s.pending.join(", ") });
                if !s.unknown.is_empty() {
                    println!("unknown (applied by a newer release): {}", s.unknown.join(", "));
                }
            } else {
                let applied = db::run_migrations(&mut conn).context("applying migrations")?;
                println!("applied {} migration(s){}", applied.len(), list_suffix(&applied));
            }
            Ok(())
        }
        Command::Seed { demo } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            db::run_migrations(&mut conn).context("applying migrations")?;
            let report = platform_db::seed::seed(&mut conn, demo, clock::today(), clock::now()).context("seeding")?;
            let frameworks = frameworks::Frameworks::new(Arc::new(plugin_host(&config)?));
            let added = frameworks
                .register_builtins(&mut conn, clock::today(), clock::now())
                .context("registering the built-in frameworks")?;
            frameworks.pin_founding_trusts(&mut conn, clock::now()).context("pinning the founding trusts")?;
            let cycle = if demo {
                frameworks.load_pinned(&mut conn).context("loading pinned frameworks")?;
                demo::seed_cycle(&mut conn, &frameworks, clock::today(), clock::now())?
            } else {
                Vec::new()
            };
            println!("tenants created: {}", none_or(&report.tenants_created));
            println!("frameworks registered: {}", none_or(&added));
            if demo {
                println!("demo data added: {}", none_or(&report.demo_data_added));
                println!("demo commissioning cycle added: {}", none_or(&cycle));
                println!("already present, left alone: {}", none_or(&report.already_present));
            }
            Ok(())
        }
        Command::Tenant { command: TenantCommand::List { json } } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let all = tenants::list_all(&mut conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                println!(
                    "{:<24} {:<40} {:<10} {:<26} {:<10} FRAMEWORK",
                    "SLUG", "NAME", "ONS CODE", "REGION", "STATUS"
                );
                for t in all {
                    let framework = match (&t.plugin_id, &t.plugin_version) {
                        (Some(i), Some(v)) => format!("{i}@{v}"),
                        _ => "none".into(),
                    };
                    println!(
                        "{:<24} {:<40} {:<10} {:<26} {:<10} {framework}",
                        t.slug,
                        t.name,
                        t.ons_code,
                        t.region,
                        t.status.to_string()
                    );
                }
            }
            Ok(())
        }
        Command::Tenant { command: TenantCommand::Pin { slug, plugin } } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let (id, version) = plugin
                .split_once('@')
                .ok_or_else(|| anyhow::anyhow!("name the version: {plugin}@VERSION (see `platform plugin list`)"))?;
            let tenant = tenants::by_slug(&mut conn, &slug)?.ok_or_else(|| anyhow::anyhow!("no tenant {slug:?}"))?;
            frameworks::pin(&mut conn, &tenant, id, version, Some("cli"), clock::now())
                .with_context(|| format!("pinning {slug} to {plugin}"))?;
            println!("{slug} now uses {id}@{version}");
            Ok(())
        }
        Command::Tenant { command: TenantCommand::Approve { slug } } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let signup = platform_db::repo::accounts::signup_by_slug(&mut conn, &slug).map_err(|_| {
                anyhow::anyhow!(
                    "no sign-up awaiting approval would get the slug {slug:?} (see `platform tenant signups`)"
                )
            })?;
            let out = app::links::Outgoing {
                mailer: Arc::new(mail::Mailer::from_config(&config)?),
                templates: Arc::new(app::templates()?),
                base: public_base(&config),
            };
            let (tenant, user) = areas::operator::service::approve(&mut conn, &out, &signup.id, None, "cli")
                .map_err(|e| anyhow::anyhow!("{slug}: {e}"))?;
            println!("{} is active as {}; a sign-in link was sent to {}", tenant.name, tenant.slug, user.email);
            Ok(())
        }
        Command::Tenant { command: TenantCommand::Signups } => {
            use platform_db::models::SignupStatus;
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let rows = platform_db::repo::accounts::signups_in(
                &mut conn,
                &[SignupStatus::AwaitingEmail, SignupStatus::AwaitingApproval],
            )?;
            println!("{:<24} {:<40} {:<10} {:<18} ADMIN", "SLUG", "COUNCIL", "ONS CODE", "STATUS");
            for s in rows {
                println!(
                    "{:<24} {:<40} {:<10} {:<18} {}",
                    s.slug,
                    s.council_name,
                    s.ons_code,
                    s.status.as_str(),
                    s.admin_email
                );
            }
            Ok(())
        }
        Command::Operator { command: OperatorCommand::Create { email } } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let link = areas::operator::service::operator_link(&mut conn, &public_base(&config), &email)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{email} is a platform operator. Sign in within {} minutes, once, at:",
                app::links::LOGIN_LINK_TTL.num_minutes()
            );
            println!("{link}");
            Ok(())
        }
        Command::Plugin { command } => plugin_command(command, &config),
        Command::Reminders { command: RemindersCommand::RunOnce { today, at, only } } => {
            let pool = open(&config)?;
            ensure_current(&mut *pool.get()?)?;
            let templates = app::templates()?;
            let public_url = public_url_of(&config);
            // A day alone is run at noon UTC: the same date in every trust, and after the
            // default hour of the daily digests.
            let now = match (at, today) {
                (Some(at), _) => at,
                (None, Some(day)) => day.and_hms_opt(12, 0, 0).unwrap_or_default(),
                (None, None) => clock::now(),
            };
            if only != Some(RunPart::Dispatch) {
                // The frameworks name the bodies that own reviews.
                let frameworks = frameworks::Frameworks::new(Arc::new(plugin_host(&config)?));
                frameworks.load_pinned(&mut *pool.get()?).context("loading pinned frameworks")?;
                let body_name = |t: &platform_db::models::Tenant, code: &str| body_name(&frameworks, t, code);
                let settings = areas::reminders::service::TickSettings {
                    templates: &templates,
                    public_url: public_url.as_str(),
                    give_up_after: config.reminder_give_up,
                    body_name: &body_name,
                };
                let started = std::time::Instant::now();
                let tick = areas::reminders::service::tick(&mut *pool.get()?, &settings, now)?;
                println!(
                    "tick for {}: {} trusts, {} reminders queued, {} held for digests, {} digests queued, {} already queued, {} refused (in {} ms)",
                    now.date(),
                    tick.tenants,
                    tick.queued,
                    tick.held,
                    tick.digests,
                    tick.already,
                    tick.refused,
                    started.elapsed().as_millis()
                );
            }
            if only != Some(RunPart::Tick) {
                let mailer = mail::Mailer::from_config(&config)?;
                let worker = format!("run-once-{}", std::process::id());
                let started = std::time::Instant::now();
                let sent = areas::reminders::service::dispatch(&pool, &mailer, &worker, || now, || false)?;
                println!(
                    "dispatch: {} sent, {} to try again, {} failed (in {} ms)",
                    sent.sent,
                    sent.retrying,
                    sent.failed,
                    started.elapsed().as_millis()
                );
            }
            Ok(())
        }
        Command::Reference { command: ReferenceCommand::Import { source, dir } } => {
            let pool = open(&config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let started = std::time::Instant::now();
            let report = match source {
                ReferenceSource::Lait => reference::import_lait(&mut conn, &dir, clock::now())?,
                ReferenceSource::Geography => reference::import_geography(&mut conn, &dir, clock::now())?,
            };
            println!("{} (in {} ms)", report.render(20), started.elapsed().as_millis());
            Ok(())
        }
        Command::Mail { command: MailCommand::Test { to, tenant } } => {
            let tenant_name = match tenant {
                Some(slug) => {
                    let pool = open(&config)?;
                    let mut conn = pool.get()?;
                    ensure_current(&mut conn)?;
                    tenants::by_slug(&mut conn, &slug)?.ok_or_else(|| anyhow::anyhow!("no tenant {slug:?}"))?.name
                }
                None => "Commissioning platform".to_string(),
            };
            let mailer = mail::Mailer::from_config(&config)?;
            let now = clock::now();
            let rendered = mail::Mailer::render(
                &app::templates()?,
                "test",
                &serde_json::json!({"tenant": tenant_name, "sent_at": now.format("%Y-%m-%d %H:%M").to_string()}),
            )?;
            let id = mail::message_id(&format!("test:{to}:{now}"), "commissioning.platform");
            match mailer.send(&to, &id, &rendered)? {
                mail::Sent::Outbox(path) => println!("written to {}", path.display()),
                mail::Sent::Smtp => println!("accepted by the SMTP server for {to}"),
            }
            Ok(())
        }
    }
}

/// The address in links the command line prints or mails: PLATFORM_PUBLIC_URL, else the bind address.
fn public_base(config: &Config) -> String {
    match &config.public_url {
        Some(u) => u.as_str().trim_end_matches('/').to_string(),
        None => local_url(config.bind),
    }
}

fn local_url(addr: std::net::SocketAddr) -> String {
    if addr.ip().is_unspecified() { format!("http://localhost:{}", addr.port()) } else { format!("http://{addr}") }
}

fn plugin_host(config: &Config) -> anyhow::Result<platform_plugins::PluginHost> {
    let options =
        platform_plugins::HostOptions { cache_dir: Some(config.data_dir.join("plugin-cache")), ..Default::default() };
    platform_plugins::PluginHost::new(options).map_err(|e| anyhow::anyhow!(e))
}

/// The component named by a plugin argument: a file path if one exists, else ID or ID@VERSION
/// from the registry (the newest version when none is given).
fn component_bytes(config: &Config, plugin: &str) -> anyhow::Result<Vec<u8>> {
    let path = std::path::Path::new(plugin);
    if path.is_file() {
        return std::fs::read(path).with_context(|| format!("reading {plugin}"));
    }
    let pool = open(config)?;
    let mut conn = pool.get()?;
    ensure_current(&mut conn)?;
    let (id, version) = match plugin.split_once('@') {
        Some((i, v)) => (i.to_string(), v.to_string()),
        None => {
            let newest = platform_db::repo::plugins::list(&mut conn)?
                .into_iter()
                .filter(|p| p.id == plugin)
                .filter_map(|p| semver::Version::parse(&p.version).ok())
                .max()
                .ok_or_else(|| anyhow::anyhow!("no file and no registered plugin called {plugin:?}"))?;
            (plugin.to_string(), newest.to_string())
        }
    };
    let row = platform_db::repo::plugins::get(&mut conn, &id, &version)?
        .ok_or_else(|| anyhow::anyhow!("{id}@{version} is not registered"))?;
    Ok(row.component)
}

/// The address of a platform operator, or a clear refusal: plugin versions are added and
/// approved by operators only, and the registry records which one.
fn require_operator(conn: &mut platform_db::DbConnection, email: &str) -> anyhow::Result<()> {
    platform_db::repo::validate::email("by", email)?;
    match platform_db::repo::users::by_email(conn, email)? {
        Some(u) if u.is_operator => Ok(()),
        _ => anyhow::bail!(
            "--by {email}: not a platform operator (create one with `platform operator create --email ADDRESS`)"
        ),
    }
}

fn plugin_command(command: PluginCommand, config: &Config) -> anyhow::Result<()> {
    match command {
        PluginCommand::List => {
            let pool = open(config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            let rows = platform_db::repo::plugins::list(&mut conn)?;
            let pinned = platform_db::repo::tenants::list_all(&mut conn)?;
            println!(
                "{:<24} {:<10} {:<6} {:<14} {:>9} {:<20} TENANTS",
                "ID", "VERSION", "WIT", "SHA256", "BYTES", "APPROVED (OR ADDED BY, WAITING)"
            );
            for p in rows {
                let tenants: Vec<&str> = pinned
                    .iter()
                    .filter(|t| {
                        t.plugin_id.as_deref() == Some(p.id.as_str())
                            && t.plugin_version.as_deref() == Some(p.version.as_str())
                    })
                    .map(|t| t.slug.as_str())
                    .collect();
                println!(
                    "{:<24} {:<10} {:<6} {:<14} {:>9} {:<20} {}",
                    p.id,
                    p.version,
                    p.wit_version,
                    &p.sha256[..12.min(p.sha256.len())],
                    p.size_bytes,
                    if p.approved {
                        format!("{} {}", p.approved_at.format("%Y-%m-%d %H:%M"), p.approved_by.as_deref().unwrap_or(""))
                    } else {
                        format!("waiting: {}", p.added_by.as_deref().unwrap_or("?"))
                    },
                    if tenants.is_empty() { "-".to_string() } else { tenants.join(",") }
                );
            }
            Ok(())
        }
        PluginCommand::Add { file, by } => {
            let by = by.trim().to_lowercase();
            {
                let pool = open(config)?;
                let mut conn = pool.get()?;
                ensure_current(&mut conn)?;
                require_operator(&mut conn, &by)?;
            }
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let host = plugin_host(config)?;
            let (report, plugin) = platform_plugins::conformance::run(&host, &bytes, clock::today());
            print!("{}", report.render());
            let plugin =
                plugin.ok_or_else(|| anyhow::anyhow!("{} was not added: it is not conformant", file.display()))?;
            let pool = open(config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            frameworks::store(&mut conn, &bytes, &plugin, frameworks::AddedBy::Operator(&by), clock::now())
                .with_context(|| format!("registering {}@{}", plugin.id(), plugin.version()))?;
            println!(
                "registered {id}@{v}; it waits for approval: platform plugin approve {id}@{v} --by ADDRESS",
                id = plugin.id(),
                v = plugin.version()
            );
            Ok(())
        }
        PluginCommand::Approve { plugin, by } => {
            let by = by.trim().to_lowercase();
            let (id, version) = plugin
                .split_once('@')
                .ok_or_else(|| anyhow::anyhow!("name the version: {plugin}@VERSION (see `platform plugin list`)"))?;
            let pool = open(config)?;
            let mut conn = pool.get()?;
            ensure_current(&mut conn)?;
            require_operator(&mut conn, &by)?;
            frameworks::approve(&mut conn, id, version, &by, clock::now())
                .with_context(|| format!("approving {plugin}"))?;
            println!("approved {plugin}: councils are offered it from now on");
            Ok(())
        }
        PluginCommand::Check { plugin } => {
            let bytes = component_bytes(config, &plugin)?;
            let host = plugin_host(config)?;
            let (report, _) = platform_plugins::conformance::run(&host, &bytes, clock::today());
            print!("{}", report.render());
            if report.passed() { Ok(()) } else { anyhow::bail!("{plugin} is not conformant") }
        }
        PluginCommand::Call { plugin, function, input } => {
            let input: serde_json::Value =
                serde_json::from_str(&input).map_err(|e| anyhow::anyhow!("--input is not JSON: {e}"))?;
            let bytes = component_bytes(config, &plugin)?;
            let host = plugin_host(config)?;
            let result = host.load(&bytes).and_then(|p| host.call_json(&p, &function, &input));
            match result {
                Ok(value) => {
                    println!("{}", serde_json::to_string_pretty(&value)?);
                    Ok(())
                }
                Err(e) => {
                    // The typed error, as JSON, for scripts; the exit code says it failed.
                    println!("{}", serde_json::json!({"error": e.code(), "message": e.to_string()}));
                    anyhow::bail!("{}", e)
                }
            }
        }
    }
}

fn list_suffix(items: &[String]) -> String {
    if items.is_empty() { String::new() } else { format!(": {}", items.join(", ")) }
}

fn none_or(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

fn ensure_current(conn: &mut db::DbConnection) -> anyhow::Result<()> {
    let s = db::migration_status(conn)?;
    if !s.pending.is_empty() {
        anyhow::bail!("the database needs migrating first: run `platform migrate` ({} pending)", s.pending.len());
    }
    Ok(())
}

/// Opens the database named by the configuration, creating the data folder for SQLite.
fn open(config: &Config) -> anyhow::Result<Pool> {
    if config.backend == db::Backend::Sqlite {
        let path = PathBuf::from(db::sqlite_path(&config.database_url));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the data folder {}", parent.display()))?;
        }
    }
    Pool::connect(&config.database_url, &PoolOptions::default())
        .with_context(|| format!("opening the {} database", config.backend.name()))
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(serve_async(config))
}

async fn serve_async(config: Config) -> anyhow::Result<()> {
    // Claim the port first: a port in use is reported before anything touches the data.
    let listener = std::net::TcpListener::bind(config.bind)
        .with_context(|| format!("cannot listen on {} (PLATFORM_BIND)", config.bind))?;

    let pool = open(&config)?;
    let host = Arc::new(plugin_host(&config)?);
    let frameworks = Arc::new(frameworks::Frameworks::new(host));
    {
        let pool = pool.clone();
        let seed_demo = config.seed_demo;
        let frameworks = Arc::clone(&frameworks);
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            let applied = db::run_migrations(&mut conn).context("applying migrations")?;
            if !applied.is_empty() {
                tracing::info!(count = applied.len(), "applied migrations");
            }
            if seed_demo {
                let report = platform_db::seed::seed(&mut conn, true, clock::today(), clock::now())
                    .context("seeding the demo data")?;
                if !report.demo_data_added.is_empty() {
                    tracing::info!(trusts = ?report.demo_data_added, "seeded demo data");
                }
            }
            let added = frameworks
                .register_builtins(&mut conn, clock::today(), clock::now())
                .context("registering the built-in frameworks")?;
            if !added.is_empty() {
                tracing::info!(plugins = ?added, "registered built-in frameworks");
            }
            frameworks.pin_founding_trusts(&mut conn, clock::now()).context("pinning the founding trusts")?;
            frameworks.load_pinned(&mut conn).context("loading pinned frameworks")?;
            if seed_demo {
                let cycle = demo::seed_cycle(&mut conn, &frameworks, clock::today(), clock::now())?;
                if !cycle.is_empty() {
                    tracing::info!(trusts = ?cycle, "seeded the demo commissioning cycle");
                }
            }
            Ok(())
        })
        .await
        .context("start-up task")??;
    }

    if config.smtp_url.is_none() {
        std::fs::create_dir_all(config.outbox_dir())
            .with_context(|| format!("creating the outbox folder {}", config.outbox_dir().display()))?;
    }
    let redis = match &config.redis_url {
        Some(url) => Some(cache::connect_redis(url, Duration::from_secs(5)).await?),
        None => None,
    };

    // Requests run as the application role, held to one tenant by row-level security.
    drop(pool);
    let pool = Pool::connect(&config.database_url, &PoolOptions { app_role: true, ..PoolOptions::default() })
        .with_context(|| format!("opening the {} database", config.backend.name()))?;
    {
        let pool = pool.clone();
        let rls = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let mut conn = pool.get()?;
            Ok(db::subject_to_rls(&mut conn)?)
        })
        .await
        .context("start-up task")??;
        if config.backend == db::Backend::Postgres && !rls {
            anyhow::bail!(
                "the web server's database role is not subject to row-level security (it must not be a superuser or have BYPASSRLS)"
            );
        }
    }
    let addr = listener.local_addr().context("reading the bound address")?;
    let public_url = match &config.public_url {
        Some(u) => u.clone(),
        None => url::Url::parse(&local_url(addr)).context("the local address as a URL")?,
    };
    let sealer = match (&config.secret_key, config.backend) {
        (Some(key), _) => Some(secrets::Sealer::new(key)),
        (None, db::Backend::Sqlite) => {
            Some(secrets::Sealer::new(&secrets::key_file(&config.data_dir.join("secret.key"))?))
        }
        (None, db::Backend::Postgres) => {
            tracing::warn!("PLATFORM_SECRET_KEY is not set: tenants cannot save identity-provider settings");
            None
        }
    };
    let sessions = match &redis {
        Some(r) => sessions::Store::Redis(r.clone()),
        None => sessions::Store::Database(pool.clone()),
    };
    if let sessions::Store::Database(p) = &sessions {
        let p = p.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                let p = p.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    p.get().and_then(|mut c| platform_db::repo::accounts::session_purge(&mut c, clock::now()))
                })
                .await;
            }
        });
    }
    tracing::info!(store = sessions.name(), "sessions");
    let limiter = match &redis {
        Some(r) => limits::Limiter::Redis(r.clone()),
        None => limits::Limiter::memory(),
    };
    if !config.oidc_allowed_hosts.is_empty() {
        let hosts: Vec<String> = config.oidc_allowed_hosts.iter().map(ToString::to_string).collect();
        tracing::info!(hosts = %hosts.join(","), "identity providers allowed at local addresses");
    }
    let http = outbound::Client::new(config.oidc_allowed_hosts.clone());
    let templates = std::sync::Arc::new(app::templates()?);
    app::pages::set_page_templates(templates.clone());
    let state = app::AppState {
        pool,
        frameworks,
        templates,
        redis,
        sessions,
        limiter: Arc::new(limiter),
        sealer,
        mailer: Arc::new(mail::Mailer::from_config(&config)?),
        secure_cookies: public_url.scheme() == "https",
        public_url,
        session_idle: config.session_idle,
        trust_proxy: config.trust_proxy,
        http,
    };
    if !config.reminder_interval.is_zero() {
        spawn_reminders(&config, &state);
    }
    // On SIGTERM or SIGINT the dispatcher stops claiming at once (the web server, which hears
    // the same signal, drains its connections meanwhile).
    tokio::spawn(async {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    tracing::info!(%addr, backend = config.backend.name(), "serving");
    println!("platform listening on http://{addr}");
    let https = state.public_url.scheme() == "https";
    let data = actix_web::web::Data::new(state);
    actix_web::HttpServer::new(move || {
        // The last `wrap` runs first: the logger sees every answer, panics are caught inside it,
        // and control characters are refused before routing.
        actix_web::App::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::from_fn(app::edge::refuse_control_characters))
            .wrap(actix_web::middleware::from_fn(app::edge::catch_panics))
            .wrap(app::edge::security_headers(https))
            .wrap(routes::logger())
            .configure(routes::configure)
    })
    .listen(listener)
    .context("starting the web server")?
    .run()
    .await
    .context("serving")?;
    // The web server has stopped (SIGTERM or SIGINT): the dispatcher claims nothing more,
    // settles the message in hand and gives back what it claimed and did not try; the process
    // waits for that (at most 30 seconds) before it exits.
    STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    let settled = tokio::task::spawn_blocking(|| drop(REMINDERS_BUSY.lock()));
    if tokio::time::timeout(std::time::Duration::from_secs(30), settled).await.is_err() {
        tracing::warn!(
            "the reminders' dispatcher did not settle within 30 seconds; its claims lapse after their lease"
        );
    }
    Ok(())
}

/// Set when the process is stopping: the reminders' dispatcher stops claiming.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Held by the reminders' tick and dispatch while they work.
static REMINDERS_BUSY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The reminders' tick and dispatcher, in-process, every `PLATFORM_REMINDER_INTERVAL_SECONDS`.
/// Several replicas may run it: one tick at a time holds the lock, any may dispatch.
fn spawn_reminders(config: &Config, state: &app::AppState) {
    let (pool, templates, mailer) = (state.pool.clone(), state.templates.clone(), state.mailer.clone());
    let frameworks = state.frameworks.clone();
    let public_url = state.public_url.to_string();
    let (every, give_up) = (config.reminder_interval, config.reminder_give_up);
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            let (pool, templates, mailer, public_url, worker, frameworks) = (
                pool.clone(),
                templates.clone(),
                mailer.clone(),
                public_url.clone(),
                worker.clone(),
                frameworks.clone(),
            );
            let done = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                // Held while working: a stopping process waits for it (see `serve_async`).
                let _busy = REMINDERS_BUSY.lock();
                if STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok(());
                }
                let now = clock::now();
                let body_name = |t: &platform_db::models::Tenant, code: &str| body_name(&frameworks, t, code);
                let settings = areas::reminders::service::TickSettings {
                    templates: &templates,
                    public_url: &public_url,
                    give_up_after: give_up,
                    body_name: &body_name,
                };
                let tick = areas::reminders::service::tick(&mut *pool.get()?, &settings, now)?;
                if tick.queued + tick.refused + tick.held + tick.digests > 0 {
                    tracing::info!(
                        queued = tick.queued,
                        held = tick.held,
                        digests = tick.digests,
                        refused = tick.refused,
                        "reminders queued"
                    );
                }
                let sent = areas::reminders::service::dispatch(&pool, &mailer, &worker, clock::now, || {
                    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
                })?;
                if sent.sent + sent.retrying + sent.failed > 0 {
                    tracing::info!(sent = sent.sent, retrying = sent.retrying, failed = sent.failed, "mail dispatched");
                }
                Ok(())
            })
            .await;
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "the reminders' tick or dispatch failed; it runs again next time")
                }
                Err(e) => tracing::warn!(error = %e, "the reminders' task stopped"),
            }
        }
    });
}

/// The name of a body of a trust's framework, when the framework is loaded.
fn body_name(frameworks: &frameworks::Frameworks, tenant: &platform_db::models::Tenant, code: &str) -> Option<String> {
    let plugin = frameworks.for_tenant(tenant).ok()?;
    plugin.framework.bodies.iter().find(|b| b.id == code).map(|b| b.name.clone())
}

/// Where people reach the platform: the configured public URL, else the bound address.
fn public_url_of(config: &Config) -> String {
    config.public_url.as_ref().map_or_else(|| local_url(config.bind), url::Url::to_string)
}
