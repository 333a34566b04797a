//! One connection type over PostgreSQL (production) and SQLite (the embedded default), a pool of
//! them, and the migrations embedded for each backend (same names in both folders).

use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{DbError, DbResult};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a `DATABASE_URL` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://PATH` or a plain file path
    /// selects SQLite. Any other scheme is refused rather than guessed at.
    pub fn from_url(url: &str) -> DbResult<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres);
        }
        if url.starts_with("sqlite://") {
            return Ok(Backend::Sqlite);
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(DbError::Unavailable(format!(
                "unsupported database scheme {scheme:?}: use postgres://… or a SQLite file path"
            )));
        }
        if url.trim().is_empty() {
            return Err(DbError::Unavailable("the database URL is empty".into()));
        }
        Ok(Backend::Sqlite)
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The file path of a SQLite URL, without its scheme.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Opens one connection of the right kind, with the per-connection settings SQLite needs.
pub fn establish(url: &str) -> DbResult<DbConnection> {
    match Backend::from_url(url)? {
        Backend::Postgres => PgConnection::establish(url)
            .map(DbConnection::Postgres)
            .map_err(|e| DbError::Unavailable(redact(&e.to_string(), url))),
        Backend::Sqlite => {
            let path = sqlite_path(url);
            let mut conn =
                SqliteConnection::establish(path).map_err(|e| DbError::Unavailable(format!("{path}: {e}")))?;
            conn.batch_execute(SQLITE_PRAGMAS).map_err(|e| DbError::Unavailable(format!("{path}: {e}")))?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

// Foreign keys are off by default in SQLite; WAL lets readers and the one writer work together.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/// Never echo a password from a connection string into a log line.
fn redact(message: &str, url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match parsed.password() {
            Some(pw) if !pw.is_empty() => message.replace(pw, "***"),
            _ => message.to_string(),
        },
        Err(_) => message.to_string(),
    }
}

pub struct Manager {
    url: String,
    app_role: bool,
}

/// The PostgreSQL role the web server's queries run as: not a superuser, not the owner of the
/// tables, so the row-level security policies of migration 000006 hold it to one tenant.
pub const APP_ROLE: &str = "platform_app";

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut conn = establish(&self.url)
            .map_err(|e| r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string())))?;
        if self.app_role && matches!(conn, DbConnection::Postgres(_)) {
            conn.batch_execute(&format!("SET ROLE {APP_ROLE}")).map_err(r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }

    /// Run on every check-out: a connection that still has a transaction open, or (PostgreSQL)
    /// still carries a tenant or platform scope outside one, is refused and replaced, so one
    /// unit of work can never leak its transaction or its row-level-security scope into the next.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        use diesel::r2d2::R2D2Connection;
        if conn.is_broken() {
            return Err(r2d2::Error::QueryError(diesel::result::Error::BrokenTransactionManager));
        }
        match leftover_scope(conn).map_err(r2d2::Error::QueryError)? {
            None => Ok(()),
            Some(scope) => Err(r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(format!(
                "a pooled connection still carried the scope {scope:?}; it was discarded"
            )))),
        }
    }

    /// Run on every return to the pool: a connection given back while its thread unwinds from a
    /// panic, or with a transaction still open, is closed rather than reused.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        std::thread::panicking() || conn.is_broken()
    }
}

/// The tenant or platform scope a connection carries outside any unit of work (there should be
/// none: [`scoped`] sets it for its transaction only). Doubles as the liveness query.
pub fn leftover_scope(conn: &mut DbConnection) -> diesel::QueryResult<Option<String>> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        tenant: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        scope: Option<String>,
    }
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("SELECT 1").map(|()| None),
        DbConnection::Postgres(pg) => {
            let row: Row = diesel::sql_query(
                "SELECT current_setting('platform.tenant_id', true) AS tenant, \
                 current_setting('platform.scope', true) AS scope",
            )
            .get_result(pg)?;
            let set = |v: Option<String>| v.filter(|v| !v.is_empty());
            Ok(set(row.tenant).or(set(row.scope)))
        }
    }
}

#[derive(Debug)]
struct NoCustomizer;
impl CustomizeConnection<DbConnection, r2d2::Error> for NoCustomizer {}

/// How big the pool is and how long a caller waits for a connection.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    /// On PostgreSQL, run every pooled connection as [`APP_ROLE`] (the web server's pool);
    /// otherwise connections keep the role of the URL (migrations and operator commands).
    pub app_role: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions { max_size: 8, connect_timeout: Duration::from_secs(5), app_role: false }
    }
}

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("backend", &self.backend).finish()
    }
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

impl Pool {
    /// Connects once up front, so an unreachable or corrupt database is reported at start-up
    /// with its own message rather than as a pool time-out later.
    pub fn connect(url: &str, options: &PoolOptions) -> DbResult<Pool> {
        let backend = Backend::from_url(url)?;
        let mut probe = establish(url)?;
        // A file that is not a SQLite database opens fine and fails on first read.
        probe.batch_execute("SELECT 1").map_err(|e| DbError::Unavailable(e.to_string()))?;
        drop(probe);
        let max_size = match backend {
            // One writer at a time in SQLite; a few connections still help readers under WAL.
            Backend::Sqlite => options.max_size.min(4),
            Backend::Postgres => options.max_size,
        };
        let inner = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .connection_customizer(Box::new(NoCustomizer))
            .build_unchecked(Manager { url: url.to_string(), app_role: options.app_role });
        Ok(Pool { inner, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> DbResult<PooledConnection> {
        self.inner.get().map_err(DbError::from)
    }
}

/// Whose rows a unit of work may see. On PostgreSQL it is set for the transaction
/// (`platform.tenant_id` or `platform.scope`), and row-level security holds every query of a
/// connection running as [`APP_ROLE`] to it, even one that forgot its tenant filter.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Tenant(&'a crate::ids::TenantId),
    /// Operator work across tenants: sign-up approval, platform-level audit entries.
    Platform,
}

/// Runs `work` in one transaction within `scope`: all of it happens or none of it does. A panic
/// inside `work` rolls the transaction back and comes out as [`DbError::Panicked`], so the
/// connection goes back to the pool clean (and the caller answers with an error, not a hang).
pub fn scoped<T>(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    work: impl FnOnce(&mut DbConnection) -> DbResult<T>,
) -> DbResult<T> {
    scoped_with(conn, scope, work)
}

/// As [`scoped`], with an error of the caller's own (a web answer, say) into which a database
/// error converts: any error rolls the transaction back.
pub fn scoped_with<T, E>(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError> + From<diesel::result::Error>,
{
    use diesel::RunQueryDsl;
    use diesel::sql_types::Text;
    conn.transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            let (name, value) = match scope {
                Scope::Tenant(t) => ("platform.tenant_id", t.as_str()),
                Scope::Platform => ("platform.scope", "platform"),
            };
            diesel::sql_query("SELECT set_config($1, $2, true)")
                .bind::<Text, _>(name)
                .bind::<Text, _>(value)
                .execute(pg)?;
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn))) {
            Ok(result) => result,
            Err(panic) => Err(E::from(DbError::Panicked(panic_message(panic.as_ref())))),
        }
    })
}

/// The text of a panic's payload, for the log.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".into())
}

/// Whether this connection is subject to row-level security (PostgreSQL, not a superuser, no
/// BYPASSRLS). Always false on SQLite.
pub fn subject_to_rls(conn: &mut DbConnection) -> DbResult<bool> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        subject: bool,
    }
    match conn {
        DbConnection::Sqlite(_) => Ok(false),
        DbConnection::Postgres(pg) => {
            let row: Row = diesel::sql_query(
                "SELECT NOT (rolsuper OR rolbypassrls) AS subject FROM pg_roles WHERE rolname = current_user",
            )
            .get_result(pg)?;
            Ok(row.subject)
        }
    }
}

/// Applies every pending migration. Each migration runs in its own transaction, so one that
/// fails part-way leaves the database as it was after the last migration that succeeded.
pub fn run_migrations(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(PG_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Reverts every migration, newest first (used by the round-trip tests and `migrate --revert-all`).
pub fn revert_all_migrations(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    let reverted = match conn {
        DbConnection::Postgres(c) => c.revert_all_migrations(PG_MIGRATIONS),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(reverted.iter().map(|v| v.to_string()).collect())
}

/// Where the database stands against the migrations this binary carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Migrations this binary has that the database has not applied.
    pub pending: Vec<String>,
    /// Migrations the database has applied that this binary does not know (a newer release ran).
    pub unknown: Vec<String>,
}

impl MigrationStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }
}

pub fn migration_status(conn: &mut DbConnection) -> DbResult<MigrationStatus> {
    use diesel::migration::MigrationSource;
    let known = match conn {
        DbConnection::Postgres(_) => MigrationSource::<diesel::pg::Pg>::migrations(&PG_MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect::<Vec<_>>()),
        DbConnection::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect::<Vec<_>>()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    let applied = applied_versions(conn)?;
    Ok(MigrationStatus {
        pending: known.iter().filter(|k| !applied.contains(k)).cloned().collect(),
        unknown: applied.iter().filter(|a| !known.contains(a)).cloned().collect(),
    })
}

/// The versions recorded as applied. Read with a plain query, so the web server's role (which
/// may not create tables) can check readiness; a database never migrated has none.
fn applied_versions(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let exists_sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '__diesel_schema_migrations' AND table_schema = current_schema()"
        }
        DbConnection::Sqlite(_) => {
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations'"
        }
    };
    let exists: Exists =
        diesel::sql_query(exists_sql).get_result(conn).map_err(|e| DbError::Migration(e.to_string()))?;
    if exists.n == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
        .load(conn)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme_and_unknown_schemes_are_refused() {
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("data/platform.sqlite3").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite:///tmp/x.db").unwrap(), Backend::Sqlite);
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert!(Backend::from_url("").is_err());
    }

    #[test]
    fn passwords_are_redacted_from_connection_errors() {
        let msg = redact("could not connect as u:s3cret@h", "postgres://u:s3cret@h/db");
        assert!(!msg.contains("s3cret"));
    }
}
