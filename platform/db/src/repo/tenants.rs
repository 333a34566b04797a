//! Trusts as tenants: creating one, the public directory, and look-up by slug.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::TenantId;
use crate::models::{Tenant, TenantStatus};
use crate::schema::tenants;

/// What it takes to create a tenant.
#[derive(Debug, Clone, Deserialize)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub ons_code: String,
    pub region: String,
    pub status: TenantStatus,
    pub plugin_id: Option<String>,
    pub plugin_version: Option<String>,
}

pub fn validate(new: &NewTenant) -> DbResult<()> {
    validate::slug(&new.slug)?;
    validate::name("name", &new.name, 200)?;
    validate::ons_code(&new.ons_code)?;
    validate::region(&new.region)?;
    Ok(())
}

/// Creates a tenant with the given id (derived ids keep seeding idempotent).
pub fn create(conn: &mut DbConnection, id: TenantId, new: &NewTenant, now: NaiveDateTime) -> DbResult<Tenant> {
    validate(new)?;
    let row = Tenant {
        id,
        slug: new.slug.clone(),
        name: new.name.trim().to_string(),
        ons_code: new.ons_code.clone(),
        region: new.region.clone(),
        status: new.status,
        plugin_id: new.plugin_id.clone(),
        plugin_version: new.plugin_version.clone(),
        reminder_lead_days: "28,14,7,1".into(),
        share_indicators: false,
        created_at: now,
    };
    conn.transaction(|conn| {
        if by_ons_code(conn, &row.ons_code)?.is_some() {
            return Err(DbError::Conflict(format!("a council with ONS code {} is already registered", row.ons_code)));
        }
        if by_slug(conn, &row.slug)?.is_some() {
            return Err(DbError::Conflict(format!("the slug {} is taken", row.slug)));
        }
        diesel::insert_into(tenants::table).values(&row).execute(conn)?;
        Ok(row)
    })
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> DbResult<Option<Tenant>> {
    Ok(tenants::table.filter(tenants::slug.eq(slug)).select(Tenant::as_select()).first(conn).optional()?)
}

pub fn by_id(conn: &mut DbConnection, id: &TenantId) -> DbResult<Option<Tenant>> {
    Ok(tenants::table.find(id).select(Tenant::as_select()).first(conn).optional()?)
}

pub fn by_ons_code(conn: &mut DbConnection, ons_code: &str) -> DbResult<Option<Tenant>> {
    Ok(tenants::table.filter(tenants::ons_code.eq(ons_code)).select(Tenant::as_select()).first(conn).optional()?)
}

/// Whether a tenant already carries this name, ignoring case and surrounding space: two trusts
/// of one name would be indistinguishable in the directory, in mail and in comparisons.
pub fn name_taken(conn: &mut DbConnection, name: &str) -> DbResult<bool> {
    let wanted = name.trim().to_lowercase();
    let names: Vec<String> = tenants::table.select(tenants::name).load(conn)?;
    Ok(names.iter().any(|n| n.trim().to_lowercase() == wanted))
}

/// Every tenant, whatever its status, by name (for operators).
pub fn list_all(conn: &mut DbConnection) -> DbResult<Vec<Tenant>> {
    Ok(tenants::table.order(tenants::name.asc()).select(Tenant::as_select()).load(conn)?)
}

/// The public directory: active tenants only, by name.
pub fn directory(conn: &mut DbConnection) -> DbResult<Vec<Tenant>> {
    Ok(tenants::table
        .filter(tenants::status.eq(TenantStatus::Active))
        .order(tenants::name.asc())
        .select(Tenant::as_select())
        .load(conn)?)
}
