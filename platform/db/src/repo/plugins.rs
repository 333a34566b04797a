//! The plugin registry: accepted plugin versions with their components, and which version
//! each tenant is pinned to.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::TenantId;
use crate::schema::{plugins, tenants};

/// A registered plugin version.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = plugins)]
pub struct PluginRow {
    pub id: String,
    pub version: String,
    pub wit_version: String,
    pub name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub component: Vec<u8>,
    /// When an operator approved it (for a version still waiting: when it was added).
    pub approved_at: NaiveDateTime,
    pub approved_by: Option<String>,
    /// Who added the version (an operator's address, or `built-in`).
    pub added_by: Option<String>,
    /// Only an approved version is offered to councils and can be pinned.
    pub approved: bool,
}

/// The registry listing, without the component bytes.
#[derive(Debug, Clone, PartialEq, Queryable, Serialize)]
pub struct PluginSummary {
    pub id: String,
    pub version: String,
    pub wit_version: String,
    pub name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub approved_at: NaiveDateTime,
    pub approved_by: Option<String>,
    pub added_by: Option<String>,
    pub approved: bool,
}

/// Registers a version. A version already registered is a conflict: versions never change.
pub fn insert(conn: &mut DbConnection, row: &PluginRow) -> DbResult<()> {
    conn.transaction(|conn| {
        if get(conn, &row.id, &row.version)?.is_some() {
            return Err(DbError::Conflict(format!(
                "{}@{} is already registered; a changed plugin needs a new version",
                row.id, row.version
            )));
        }
        diesel::insert_into(plugins::table).values(row).execute(conn)?;
        Ok(())
    })
}

pub fn get(conn: &mut DbConnection, id: &str, version: &str) -> DbResult<Option<PluginRow>> {
    Ok(plugins::table
        .filter(plugins::id.eq(id))
        .filter(plugins::version.eq(version))
        .select(PluginRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConnection) -> DbResult<Vec<PluginSummary>> {
    Ok(plugins::table
        .order((plugins::id.asc(), plugins::approved_at.asc()))
        .select((
            plugins::id,
            plugins::version,
            plugins::wit_version,
            plugins::name,
            plugins::sha256,
            plugins::size_bytes,
            plugins::approved_at,
            plugins::approved_by,
            plugins::added_by,
            plugins::approved,
        ))
        .load(conn)?)
}

/// An operator approves a version that was added: from now on councils are offered it and
/// tenants can be pinned to it.
pub fn approve(conn: &mut DbConnection, id: &str, version: &str, by: &str, now: NaiveDateTime) -> DbResult<()> {
    conn.transaction(|conn| {
        let Some(row) = get(conn, id, version)? else {
            return Err(DbError::invalid("plugin", format!("{id}@{version} is not registered")));
        };
        if row.approved {
            return Err(DbError::Conflict(format!("{id}@{version} is already approved")));
        }
        diesel::update(plugins::table.filter(plugins::id.eq(id)).filter(plugins::version.eq(version)))
            .set((plugins::approved.eq(true), plugins::approved_at.eq(now), plugins::approved_by.eq(by)))
            .execute(conn)?;
        Ok(())
    })
}

/// The newest approved version of a plugin, if any.
pub fn newest_approved(conn: &mut DbConnection, id: &str) -> DbResult<Option<String>> {
    let versions: Vec<String> = plugins::table
        .filter(plugins::id.eq(id))
        .filter(plugins::approved.eq(true))
        .select(plugins::version)
        .load(conn)?;
    Ok(versions
        .iter()
        .filter_map(|v| semver::Version::parse(v).ok().map(|p| (p, v)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v.clone()))
}

/// Pins a tenant to a registered plugin version.
pub fn pin(conn: &mut DbConnection, tenant: &TenantId, id: &str, version: &str) -> DbResult<()> {
    conn.transaction(|conn| {
        match get(conn, id, version)? {
            None => return Err(DbError::invalid("plugin", format!("{id}@{version} is not registered"))),
            Some(p) if !p.approved => {
                return Err(DbError::invalid(
                    "plugin",
                    format!("{id}@{version} is waiting for an operator's approval (`platform plugin approve`)"),
                ));
            }
            Some(_) => {}
        }
        let n = diesel::update(tenants::table.find(tenant))
            .set((tenants::plugin_id.eq(id), tenants::plugin_version.eq(version)))
            .execute(conn)?;
        if n == 0 { Err(DbError::NotFound) } else { Ok(()) }
    })
}

/// The plugin versions tenants are pinned to, each once.
pub fn pinned(conn: &mut DbConnection) -> DbResult<Vec<(String, String)>> {
    let rows: Vec<(Option<String>, Option<String>)> =
        tenants::table.select((tenants::plugin_id, tenants::plugin_version)).distinct().load(conn)?;
    let mut out: Vec<(String, String)> = rows.into_iter().filter_map(|(i, v)| Some((i?, v?))).collect();
    out.sort();
    Ok(out)
}
