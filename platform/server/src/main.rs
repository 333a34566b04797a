//! `platform`: the children's services commissioning platform. Serves the web application and
//! API by default; the subcommands run migrations, seed the demo data and list tenants.

mod cache;
mod clock;
mod config;
mod error;
mod web;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
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
    /// Seed the five founding trusts; with --demo, their demo dataset too. Re-running adds nothing.
    Seed {
        #[arg(long)]
        demo: bool,
    },
    /// Tenants (trusts) on this deployment.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
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
            println!("tenants created: {}", none_or(&report.tenants_created));
            if demo {
                println!("demo data added: {}", none_or(&report.demo_data_added));
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
                println!("{:<24} {:<40} {:<10} {:<26} STATUS", "SLUG", "NAME", "ONS CODE", "REGION");
                for t in all {
                    println!("{:<24} {:<40} {:<10} {:<26} {}", t.slug, t.name, t.ons_code, t.region, t.status);
                }
            }
            Ok(())
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
    {
        let pool = pool.clone();
        let seed_demo = config.seed_demo;
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

    let state = web::AppState { pool, templates: std::sync::Arc::new(web::templates()?), redis };
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(%addr, backend = config.backend.name(), "serving");
    println!("platform listening on http://{addr}");
    let data = actix_web::web::Data::new(state);
    actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .wrap(web::security_headers())
            .wrap(web::logger())
            .configure(web::configure)
    })
    .listen(listener)
    .context("starting the web server")?
    .run()
    .await
    .context("serving")
}
