//! The audit log: append-only, written in the same transaction as the change it records.

use diesel::prelude::*;

use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::ids::TenantId;
use crate::models::AuditEntry;
use crate::schema::audit_log;

pub fn record(conn: &mut DbConnection, entry: &AuditEntry) -> DbResult<()> {
    diesel::insert_into(audit_log::table).values(entry).execute(conn)?;
    Ok(())
}

/// One tenant's entries, newest first. Platform-level entries (no tenant) are not included.
pub fn for_tenant(conn: &mut DbConnection, tenant: &TenantId, limit: i64) -> DbResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::tenant_id.eq(tenant))
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit.clamp(1, 1000))
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// One record's entries of some actions, newest first.
/// Everything recorded about one record of a tenant, newest first: its history.
pub fn history_of(
    conn: &mut DbConnection,
    tenant: &TenantId,
    entity_kind: &str,
    entity_id: &str,
    limit: i64,
) -> DbResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::tenant_id.eq(tenant))
        .filter(audit_log::entity_kind.eq(entity_kind))
        .filter(audit_log::entity_id.eq(entity_id))
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit.clamp(1, 1000))
        .select(AuditEntry::as_select())
        .load(conn)?)
}

pub fn for_entity(
    conn: &mut DbConnection,
    tenant: &TenantId,
    entity_kind: &str,
    entity_id: &str,
    actions: &[&str],
    limit: i64,
) -> DbResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::tenant_id.eq(tenant))
        .filter(audit_log::entity_kind.eq(entity_kind))
        .filter(audit_log::entity_id.eq(entity_id))
        .filter(audit_log::action.eq_any(actions))
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit.clamp(1, 1000))
        .select(AuditEntry::as_select())
        .load(conn)?)
}
