//! Edits of the cycle's records: each takes the whole edited row, whose `version` is the version
//! the edit was made to. In one transaction the stored row is read, the edit refused if it is
//! stale, the row checked as on insert, written with its version raised, and the changes
//! returned for the audit log. Fields an edit may not touch (identity, creation, archiving,
//! and what has its own action) are kept from the stored row whatever the edit says.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{FieldChange, field_changes};
use super::commissioning::{self as c, attributes_object, optional_text};
use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::*;
use crate::models::*;
use crate::schema::*;

/// A row as it now stands, with what the edit changed.
#[derive(Debug, Clone)]
pub struct Saved<T> {
    pub row: T,
    pub changes: Vec<FieldChange>,
}

/// Writes `$row` if the stored version is still `$row.version`, raising it by one; otherwise
/// the edit is stale and nothing is written.
macro_rules! update_if_current {
    ($conn:expr, $table:ident, $tenant:expr, $row:expr) => {{
        let expected = $row.version;
        $row.version = expected + 1;
        let written = diesel::update(
            $table::table
                .filter($table::tenant_id.eq($tenant))
                .filter($table::id.eq(&$row.id))
                .filter($table::version.eq(expected)),
        )
        .set(&$row)
        .execute($conn)?;
        if written == 0 {
            let current: i32 = $table::table
                .filter($table::tenant_id.eq($tenant))
                .filter($table::id.eq(&$row.id))
                .select($table::version)
                .first($conn)?;
            return Err(DbError::Stale { current });
        }
    }};
}
pub(crate) use update_if_current;

/// Refuses an edit made to another version than the stored one.
pub fn check_version(stored: i32, edited: i32) -> DbResult<()> {
    if stored == edited { Ok(()) } else { Err(DbError::Stale { current: stored }) }
}

pub fn save_need(conn: &mut DbConnection, tenant: &TenantId, mut row: Need) -> DbResult<Saved<Need>> {
    validate::name("title", &row.title, 300)?;
    if let (Some(from), Some(to)) = (row.age_from, row.age_to) {
        validate::age_range("age_range", from, to)?;
    }
    conn.transaction(|conn| {
        let stored = c::get_need(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        (row.tenant_id, row.created_at, row.archived_at) =
            (stored.tenant_id.clone(), stored.created_at, stored.archived_at);
        update_if_current!(conn, needs, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

pub fn save_priority(conn: &mut DbConnection, tenant: &TenantId, mut row: Priority) -> DbResult<Saved<Priority>> {
    validate::name("title", &row.title, 300)?;
    attributes_object("attributes", &row.attributes)?;
    if row.rank < 1 {
        return Err(DbError::invalid("rank", "must be 1 or more"));
    }
    conn.transaction(|conn| {
        let stored = c::get_priority(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        (row.tenant_id, row.created_at, row.archived_at) =
            (stored.tenant_id.clone(), stored.created_at, stored.archived_at);
        if let Some(need) = &row.need_id {
            c::get_need(conn, tenant, need).map_err(|e| not_here(e, "need_id", "no such need in this trust"))?;
        }
        update_if_current!(conn, priorities, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

pub fn save_provider(conn: &mut DbConnection, tenant: &TenantId, mut row: Provider) -> DbResult<Saved<Provider>> {
    validate::name("name", &row.name, 200)?;
    attributes_object("attributes", &row.attributes)?;
    optional_text("registration_number", &row.registration_number, 40)?;
    optional_text("safeguarding_evidence", &row.safeguarding_evidence, 4000)?;
    conn.transaction(|conn| {
        let stored = c::get_provider(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        (row.tenant_id, row.created_at, row.archived_at) =
            (stored.tenant_id.clone(), stored.created_at, stored.archived_at);
        update_if_current!(conn, providers, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

/// Saves a service and the outcomes it serves, together or not at all. A change of outcomes
/// shows in the changes as `outcomes`.
pub fn save_service(
    conn: &mut DbConnection,
    tenant: &TenantId,
    mut row: Service,
    outcomes: &[&str],
) -> DbResult<Saved<Service>> {
    validate::name("name", &row.name, 200)?;
    attributes_object("attributes", &row.attributes)?;
    validate::age_range("age_range", row.age_from, row.age_to)?;
    validate::non_negative("annual_budget_pence", row.annual_budget_pence)?;
    optional_text("level", &row.level, 60)?;
    optional_text("area", &row.area, 120)?;
    optional_text("body", &row.body, 200)?;
    if outcomes.is_empty() {
        return Err(DbError::invalid("outcomes", "a service serves at least one of the five outcomes"));
    }
    conn.transaction(|conn| {
        let stored = c::get_service(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        (row.tenant_id, row.created_at, row.archived_at) =
            (stored.tenant_id.clone(), stored.created_at, stored.archived_at);
        c::get_provider(conn, tenant, &row.provider_id)
            .map_err(|e| not_here(e, "provider_id", "no such provider in this trust"))?;
        let before_outcomes = c::service_outcome_codes(conn, tenant, &row.id)?;
        update_if_current!(conn, services, tenant, row);
        let mut after_outcomes: Vec<String> = outcomes.iter().map(|o| (*o).to_string()).collect();
        after_outcomes.sort();
        after_outcomes.dedup();
        let mut changes = field_changes(&stored, &row);
        let mut sorted_before = before_outcomes.clone();
        sorted_before.sort();
        if sorted_before != after_outcomes {
            diesel::delete(
                service_outcomes::table
                    .filter(service_outcomes::tenant_id.eq(tenant))
                    .filter(service_outcomes::service_id.eq(&row.id)),
            )
            .execute(conn)?;
            for outcome in &after_outcomes {
                diesel::insert_into(service_outcomes::table)
                    .values(&ServiceOutcome {
                        tenant_id: tenant.clone(),
                        service_id: row.id.clone(),
                        outcome_code: outcome.clone(),
                    })
                    .execute(conn)?;
            }
            changes.push(FieldChange {
                field: "outcomes".into(),
                before: serde_json::json!(before_outcomes),
                after: serde_json::json!(after_outcomes),
            });
        }
        Ok(Saved { changes, row })
    })
}

/// Saves a project's description and links. Its stage moves only through the stage gate
/// (`commissioning::move_project`), so the stored stage is kept.
pub fn save_project(conn: &mut DbConnection, tenant: &TenantId, mut row: Project) -> DbResult<Saved<Project>> {
    validate::name("title", &row.title, 300)?;
    attributes_object("attributes", &row.attributes)?;
    optional_text("level", &row.level, 60)?;
    optional_text("body", &row.body, 200)?;
    conn.transaction(|conn| {
        let stored = c::get_project(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        (row.tenant_id, row.created_at, row.stage, row.contract_id) =
            (stored.tenant_id.clone(), stored.created_at, stored.stage.clone(), stored.contract_id.clone());
        update_if_current!(conn, commissioning_projects, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

/// Saves a contract's description: reference, title, kind and framework fields. Its value, end
/// date and status change only by a recorded event (`contracts::record_event`), never by an edit.
pub fn save_contract(conn: &mut DbConnection, tenant: &TenantId, mut row: Contract) -> DbResult<Saved<Contract>> {
    validate::text("reference", &row.reference, 40)?;
    validate::text("title", &row.title, 300)?;
    attributes_object("attributes", &row.attributes)?;
    conn.transaction(|conn| {
        let stored = c::get_contract(conn, tenant, &row.id)?;
        check_version(stored.version, row.version)?;
        if row.value_pence != stored.value_pence {
            return Err(DbError::invalid("value_pence", "the value changes by a variation, with its reason"));
        }
        if row.end_date != stored.end_date {
            return Err(DbError::invalid(
                "end_date",
                "the end date changes by a variation or an extension, with its reason",
            ));
        }
        if row.status != stored.status {
            return Err(DbError::invalid("status", "a contract is ended by a termination, with its reason"));
        }
        if row.service_id != stored.service_id || row.provider_id != stored.provider_id {
            return Err(DbError::invalid(
                "service_id",
                "a contract's service and provider do not change; let a new contract",
            ));
        }
        if row.start_date != stored.start_date
            && (stored.status != ContractStatus::Draft || row.start_date > row.end_date)
        {
            return Err(DbError::invalid(
                "start_date",
                "only a draft contract's start date changes, and not past its end",
            ));
        }
        (row.tenant_id, row.created_at) = (stored.tenant_id.clone(), stored.created_at);
        update_if_current!(conn, contracts, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

/// Archives a need, priority, provider or service: it stays for what points at it and leaves
/// the lists of new choices. Archiving twice is refused; `version` is the version archived.
macro_rules! archive_fn {
    ($name:ident, $get:path, $table:ident, $row:ty, $id:ty) => {
        pub fn $name(
            conn: &mut DbConnection,
            tenant: &TenantId,
            id: &$id,
            version: i32,
            now: NaiveDateTime,
        ) -> DbResult<Saved<$row>> {
            conn.transaction(|conn| {
                let stored = $get(conn, tenant, id)?;
                check_version(stored.version, version)?;
                if stored.archived_at.is_some() {
                    return Err(DbError::invalid("archived_at", "already archived"));
                }
                let mut row = stored.clone();
                row.archived_at = Some(now);
                update_if_current!(conn, $table, tenant, row);
                Ok(Saved { changes: field_changes(&stored, &row), row })
            })
        }
    };
}

archive_fn!(archive_need, c::get_need, needs, Need, NeedId);
archive_fn!(archive_priority, c::get_priority, priorities, Priority, PriorityId);
archive_fn!(archive_provider, c::get_provider, providers, Provider, ProviderId);
archive_fn!(archive_service, c::get_service, services, Service, ServiceId);

/// A reference to a row that is not this tenant's reads as a bad value of that field.
pub fn not_here(e: DbError, field: &'static str, message: &'static str) -> DbError {
    match e {
        DbError::NotFound => DbError::invalid(field, message),
        other => other,
    }
}
