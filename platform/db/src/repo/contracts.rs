//! A contract's life after it is let: variations, extensions and termination recorded as
//! events with their reasons (never silent edits), the reviews its framework schedules planned
//! and re-planned as its dates change, and reviews completed with their outcome.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::changes::{FieldChange, field_changes};
use super::commissioning as c;
use super::edits::{Saved, check_version, update_if_current};
use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::*;
use crate::models::*;
use crate::schema::*;

/// What an event changes.
#[derive(Debug, Clone, PartialEq)]
pub enum ContractChange {
    /// A new value, a new end date, or both.
    Variation { value_pence: Option<i64>, end_date: Option<NaiveDate> },
    /// A later end date.
    Extension { end_date: NaiveDate },
    /// The contract ends early on the event's effective date.
    Termination,
}

#[derive(Debug, Clone)]
pub struct EventRequest {
    pub contract: ContractId,
    /// The contract version the request was made to.
    pub version: i32,
    pub change: ContractChange,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub by: Option<UserId>,
    pub now: NaiveDateTime,
}

/// Records a variation, extension or termination and applies it to the contract, together or
/// not at all.
pub fn record_event(
    conn: &mut DbConnection,
    tenant: &TenantId,
    request: EventRequest,
) -> DbResult<(Saved<Contract>, ContractEvent)> {
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(DbError::invalid("reason", "say why: the reason is kept with the contract"));
    }
    validate::text("reason", reason, 4000)?;
    conn.transaction(|conn| {
        let stored = c::get_contract(conn, tenant, &request.contract)?;
        check_version(stored.version, request.version)?;
        if matches!(stored.status, ContractStatus::Terminated | ContractStatus::Ended) {
            return Err(DbError::invalid("status", format!("the contract is {}: it no longer changes", stored.status)));
        }
        if request.effective_on < stored.start_date {
            return Err(DbError::invalid("effective_on", "must not be before the contract starts"));
        }
        let mut row = stored.clone();
        let kind = match request.change {
            ContractChange::Variation { value_pence, end_date } => {
                if let Some(v) = value_pence {
                    validate::non_negative("value_pence", v)?;
                    row.value_pence = v;
                }
                if let Some(end) = end_date {
                    row.end_date = end;
                }
                if row.value_pence == stored.value_pence && row.end_date == stored.end_date {
                    return Err(DbError::invalid("value_pence", "a variation changes the value, the end date or both"));
                }
                ContractEventKind::Variation
            }
            ContractChange::Extension { end_date } => {
                if end_date <= stored.end_date {
                    return Err(DbError::invalid(
                        "end_date",
                        format!("an extension ends after the current end date, {}", stored.end_date),
                    ));
                }
                row.end_date = end_date;
                ContractEventKind::Extension
            }
            ContractChange::Termination => {
                if request.effective_on > stored.end_date {
                    return Err(DbError::invalid(
                        "effective_on",
                        format!("a termination takes effect by the contract's end date, {}", stored.end_date),
                    ));
                }
                row.end_date = request.effective_on;
                row.status = ContractStatus::Terminated;
                ContractEventKind::Termination
            }
        };
        if row.end_date < row.start_date {
            return Err(DbError::invalid("end_date", "must not be before the start date"));
        }
        let pooled: i64 = c::contributions(conn, tenant, &row.id)?.iter().map(|x| x.amount_pence).sum();
        if pooled > row.value_pence {
            return Err(DbError::invalid(
                "value_pence",
                "the pooled-budget contributions add up to more than this value",
            ));
        }
        update_if_current!(conn, contracts, tenant, row);
        let changes = field_changes(&stored, &row);
        let event = ContractEvent {
            id: ContractEventId::new(),
            tenant_id: tenant.clone(),
            contract_id: row.id.clone(),
            kind,
            effective_on: request.effective_on,
            reason: reason.to_string(),
            changes: serde_json::to_string(&changes).map_err(|e| DbError::Other(e.to_string()))?,
            recorded_by_user_id: request.by.clone(),
            recorded_at: request.now,
        };
        diesel::insert_into(contract_events::table).values(&event).execute(conn)?;
        Ok((Saved { row, changes }, event))
    })
}

/// A contract's events, oldest first.
pub fn events(conn: &mut DbConnection, tenant: &TenantId, contract: &ContractId) -> DbResult<Vec<ContractEvent>> {
    Ok(contract_events::table
        .filter(contract_events::tenant_id.eq(tenant))
        .filter(contract_events::contract_id.eq(contract))
        .order((contract_events::recorded_at.asc(), contract_events::id.asc()))
        .select(ContractEvent::as_select())
        .load(conn)?)
}

/// A review the framework's schedule asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedReview {
    pub kind: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub owner_body: Option<String>,
}

/// What planning did to a contract's reviews.
#[derive(Debug, Clone, Default)]
pub struct Replanned {
    pub added: Vec<Review>,
    pub kept: usize,
    pub cancelled: Vec<Review>,
}

/// Brings a contract's scheduled reviews in line with its framework's schedule. Reviews in
/// progress or completed are never touched. With `from`, only scheduled reviews due on or after
/// that day are re-planned (what is already overdue stays overdue, and past dates of the new
/// schedule are not added); without it, the whole schedule is planned (a new contract).
/// A scheduled review the schedule still asks for (same kind, same day) is kept; one it no
/// longer asks for is cancelled, not deleted.
pub fn plan_reviews(
    conn: &mut DbConnection,
    tenant: &TenantId,
    contract: &ContractId,
    planned: &[PlannedReview],
    from: Option<NaiveDate>,
    now: NaiveDateTime,
) -> DbResult<Replanned> {
    for p in planned {
        validate::text("reviews.kind", &p.kind, 60)?;
        validate::name("reviews.title", &p.title, 300)?;
    }
    let in_window = |d: NaiveDate| from.is_none_or(|f| d >= f);
    conn.transaction(|conn| {
        c::get_contract(conn, tenant, contract)?;
        let existing: Vec<Review> = reviews::table
            .filter(reviews::tenant_id.eq(tenant))
            .filter(reviews::contract_id.eq(contract))
            .filter(reviews::status.eq(ReviewStatus::Scheduled))
            .order((reviews::due_on.asc(), reviews::id.asc()))
            .select(Review::as_select())
            .load(conn)?;
        let mut out = Replanned::default();
        let mut matched = vec![false; planned.len()];
        for review in existing.into_iter().filter(|r| in_window(r.due_on)) {
            let found = planned
                .iter()
                .enumerate()
                .position(|(i, p)| !matched[i] && p.kind == review.kind && p.due_on == review.due_on);
            match found {
                Some(i) => {
                    matched[i] = true;
                    out.kept += 1;
                    let p = &planned[i];
                    if p.owner_body != review.owner_body || p.title != review.title {
                        let mut row = review.clone();
                        (row.owner_body, row.title) = (p.owner_body.clone(), p.title.clone());
                        update_if_current!(conn, reviews, tenant, row);
                    }
                }
                None => {
                    let mut row = review.clone();
                    row.status = ReviewStatus::Cancelled;
                    row.notes = "No longer in the framework's schedule after the contract changed.".into();
                    update_if_current!(conn, reviews, tenant, row);
                    out.cancelled.push(row);
                }
            }
        }
        for (i, p) in planned.iter().enumerate() {
            if matched[i] || !in_window(p.due_on) {
                continue;
            }
            let row = Review {
                id: ReviewId::new(),
                tenant_id: tenant.clone(),
                contract_id: Some(contract.clone()),
                service_id: None,
                kind: p.kind.clone(),
                title: p.title.clone(),
                due_on: p.due_on,
                owner_user_id: None,
                owner_body: p.owner_body.clone(),
                status: ReviewStatus::Scheduled,
                outcome: None,
                completed_on: None,
                notes: String::new(),
                created_at: now,
                version: 1,
                evidence: String::new(),
                follow_up_project_id: None,
            };
            diesel::insert_into(reviews::table).values(&row).execute(conn)?;
            out.added.push(row);
        }
        Ok(out)
    })
}

/// A contract's reviews, by due date (every status).
pub fn reviews_of(conn: &mut DbConnection, tenant: &TenantId, contract: &ContractId) -> DbResult<Vec<Review>> {
    Ok(reviews::table
        .filter(reviews::tenant_id.eq(tenant))
        .filter(reviews::contract_id.eq(contract))
        .order((reviews::due_on.asc(), reviews::id.asc()))
        .select(Review::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone)]
pub struct Completion {
    pub review: ReviewId,
    pub version: i32,
    pub outcome: ReviewOutcome,
    pub completed_on: NaiveDate,
    pub notes: String,
    pub evidence: String,
    /// The project a re-commissioning outcome opened (inserted in the same transaction).
    pub follow_up_project: Option<ProjectId>,
}

/// Completes an open review with its outcome. A completed or cancelled review is not completed
/// again.
pub fn complete_review(conn: &mut DbConnection, tenant: &TenantId, done: Completion) -> DbResult<Saved<Review>> {
    validate::notes("notes", &done.notes, 8000)?;
    validate::notes("evidence", &done.evidence, 8000)?;
    conn.transaction(|conn| {
        let stored = c::get_review(conn, tenant, &done.review)?;
        check_version(stored.version, done.version)?;
        if matches!(stored.status, ReviewStatus::Completed | ReviewStatus::Cancelled) {
            return Err(DbError::invalid("status", format!("the review is already {}", stored.status)));
        }
        let mut row = stored.clone();
        row.status = ReviewStatus::Completed;
        row.outcome = Some(done.outcome);
        row.completed_on = Some(done.completed_on);
        row.notes = done.notes;
        row.evidence = done.evidence;
        row.follow_up_project_id = done.follow_up_project;
        update_if_current!(conn, reviews, tenant, row);
        Ok(Saved { changes: field_changes(&stored, &row), row })
    })
}

/// The changes an insert amounts to, for the audit log: every field from nothing.
pub fn created<T: serde::Serialize>(row: &T) -> Vec<FieldChange> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(row) else { return Vec::new() };
    map.into_iter()
        .filter(|(k, v)| !["version", "created_at", "tenant_id", "id"].contains(&k.as_str()) && !v.is_null())
        .map(|(field, after)| FieldChange { field, before: serde_json::Value::Null, after })
        .collect()
}

/// The contracts register's filters; all given ones must hold.
#[derive(Debug, Clone, Default)]
pub struct ContractQuery {
    pub provider: Option<ProviderId>,
    pub kind: Option<ContractKind>,
    pub status: Option<ContractStatus>,
    /// Active contracts ending from `today` up to this day.
    pub ending_by: Option<NaiveDate>,
    pub today: NaiveDate,
    pub min_value_pence: Option<i64>,
    pub max_value_pence: Option<i64>,
}

/// A page of the register, soonest ending first.
pub fn list_contracts(
    conn: &mut DbConnection,
    tenant: &TenantId,
    q: &ContractQuery,
    page: super::Page,
) -> DbResult<super::Paged<Contract>> {
    let filtered = || {
        let mut query = contracts::table.filter(contracts::tenant_id.eq(tenant)).into_boxed();
        if let Some(p) = &q.provider {
            query = query.filter(contracts::provider_id.eq(p));
        }
        if let Some(k) = q.kind {
            query = query.filter(contracts::kind.eq(k));
        }
        if let Some(s) = q.status {
            query = query.filter(contracts::status.eq(s));
        }
        if let Some(by) = q.ending_by {
            query = query
                .filter(contracts::status.eq(ContractStatus::Active))
                .filter(contracts::end_date.ge(q.today))
                .filter(contracts::end_date.le(by));
        }
        if let Some(min) = q.min_value_pence {
            query = query.filter(contracts::value_pence.ge(min));
        }
        if let Some(max) = q.max_value_pence {
            query = query.filter(contracts::value_pence.le(max));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((contracts::end_date.asc(), contracts::reference.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(Contract::as_select())
        .load(conn)?;
    Ok(super::Paged { items, total, limit: page.limit, offset: page.offset })
}
