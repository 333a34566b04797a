//! Reviews: what is due and overdue, by the body that owns it, and a review completed with its
//! outcome. Completing is one unit of work with its consequences: the contract's next reviews by
//! its framework's rules, a re-commissioning project opened at the framework's first stage, or a
//! decommissioning decision with the contract's exit, each audited.

use chrono::{NaiveDate, NaiveDateTime};
use platform_db::models::*;
use platform_db::repo::audit;
use platform_db::repo::changes::audit_detail;
use platform_db::repo::commissioning as c;
use platform_db::repo::contracts::{self as k, ContractChange, EventRequest};
use platform_db::repo::edits::check_version;
use platform_db::{DecisionId, ProjectId, ReviewId};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action, Actor};
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, Framework};

/// What is due: open reviews due within the window, the overdue ones first, and how many each
/// body owns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueReviews {
    pub today: NaiveDate,
    pub overdue: Vec<Review>,
    pub due: Vec<Review>,
    /// Open reviews due within the window (overdue included) per owning body.
    pub by_body: Vec<BodyCount>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BodyCount {
    /// The body's id in the trust's framework ("" where a review has no owning body).
    pub body: String,
    /// Its name in the framework, where the framework names it.
    pub name: Option<String>,
    pub overdue: usize,
    pub due: usize,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueFilter {
    /// Reviews due within this many days from today (default 90, at most 3650).
    pub within_days: Option<String>,
    /// Only the reviews one body of the framework owns.
    pub body: Option<String>,
}

pub async fn due(state: &AppState, access: &Access, filter: DueFilter) -> Result<DueReviews, ApiError> {
    access.require(Action::Read)?;
    let today = clock::today();
    let days = match filter.within_days.as_deref().map(str::trim) {
        None => 90,
        Some(t) => t
            .parse::<u64>()
            .ok()
            .filter(|d| *d <= 3650)
            .ok_or_else(|| ApiError::bad_request(Some("within_days"), "a whole number of days from 0 to 3650"))?,
    };
    if filter.body.as_ref().is_some_and(|b| b.chars().count() > 100) {
        return Err(ApiError::bad_request(Some("body"), "a body's id, at most 100 characters"));
    }
    let fw = Framework::of(&state.frameworks, &access.tenant).ok();
    let names: Vec<(String, String)> =
        fw.map(|f| f.description().bodies.iter().map(|b| (b.id.clone(), b.name.clone())).collect()).unwrap_or_default();
    let body = filter.body.clone();
    let tenant = access.tenant.id.clone();
    let scope = access.provider_scope().cloned();
    let open = state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut open = c::reviews_due_by(conn, &tenant, today + chrono::Days::new(days))?;
            if let Some(p) = scope {
                let mine: std::collections::BTreeSet<_> =
                    c::contracts_of_provider(conn, &tenant, &p)?.into_iter().map(|x| x.id).collect();
                open.retain(|r| r.contract_id.as_ref().is_some_and(|id| mine.contains(id)));
            }
            Ok(open)
        })
        .await?;
    let open: Vec<Review> = open
        .into_iter()
        .filter(|r| body.as_ref().is_none_or(|b| r.owner_body.as_deref() == Some(b.as_str())))
        .collect();
    let mut by_body: Vec<BodyCount> = Vec::new();
    for r in &open {
        let key = r.owner_body.clone().unwrap_or_default();
        let i = match by_body.iter().position(|b| b.body == key) {
            Some(i) => i,
            None => {
                let name = names.iter().find(|(id, _)| *id == key).map(|(_, n)| n.clone());
                by_body.push(BodyCount { body: key, name, overdue: 0, due: 0 });
                by_body.len() - 1
            }
        };
        if r.due_on < today {
            by_body[i].overdue += 1;
        } else {
            by_body[i].due += 1;
        }
    }
    by_body.sort_by(|a, b| (b.overdue, b.due).cmp(&(a.overdue, a.due)).then(a.body.cmp(&b.body)));
    let (overdue, due) = open.into_iter().partition(|r| r.due_on < today);
    Ok(DueReviews { today, overdue, due, by_body })
}

/// A review's outcome, as the form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    /// continue, improve, recommission or decommission.
    pub outcome: String,
    /// YYYY-MM-DD, not after today (default today).
    #[serde(default)]
    pub completed_on: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// What the review looked at (the KPI picture, reports).
    #[serde(default)]
    pub evidence: String,
    /// For decommissioning: the contract's last day (YYYY-MM-DD).
    #[serde(default)]
    pub exit_date: Option<String>,
}

/// What completing a review did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Completed {
    pub review: Review,
    /// The contract's next reviews its framework's schedule added.
    pub next_reviews: Vec<Review>,
    /// The re-commissioning project opened, at the framework's first stage.
    pub project: Option<ProjectSummary>,
    /// The decommissioning decision recorded.
    pub decision: Option<Decision>,
    /// The contract's termination at its exit date, for decommissioning.
    pub event: Option<ContractEvent>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectSummary {
    pub id: ProjectId,
    pub title: String,
    pub stage: String,
    pub level: Option<String>,
    pub body: Option<String>,
}

/// The framework's project fields a re-commissioning project takes from the service its
/// contract buys (Durham's level of commissioning, an area): each only where the service holds
/// a value the framework accepts for a project.
fn inherited_fields(
    fw: &Framework,
    service: &Service,
    conn: &mut platform_db::DbConnection,
    tenant: &platform_db::TenantId,
) -> Result<String, ApiError> {
    let outcomes = c::service_outcome_codes(conn, tenant, &service.id)?;
    let view = service.entity(&outcomes);
    let defs = fw.fields("project");
    let mut taken = std::collections::BTreeMap::new();
    for def in &defs {
        if let Some((_, v)) = view.attributes.iter().find(|(k, _)| *k == def.key) {
            let one = std::collections::BTreeMap::from([(def.key.clone(), v.clone())]);
            if let Ok(ok) = fc::check_fields(&[*def], &one) {
                taken.extend(ok);
            }
        }
    }
    serde_json::to_string(&taken).map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn complete(
    state: &AppState,
    access: &Access,
    id: ReviewId,
    version: i32,
    input: Completion,
) -> Result<Completed, ApiError> {
    access.require(Action::Decide)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            complete_in(conn, &fw, &actor, id, Some(version), input, clock::today(), clock::now())
        })
        .await
}

/// Completes a review with its consequences, within a unit of work. `version`: the version the
/// completion was made to (None for the platform's own, such as the demo data's).
#[allow(clippy::too_many_arguments)]
pub fn complete_in(
    conn: &mut platform_db::DbConnection,
    fw: &Framework,
    actor: &Actor,
    id: ReviewId,
    version: Option<i32>,
    input: Completion,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Completed, ApiError> {
    let outcome: ReviewOutcome = crate::app::input::choice("outcome", &input.outcome)?;
    let completed_on = match input.completed_on.as_deref() {
        None => today,
        Some(d) => crate::app::input::date("completed_on", d)?,
    };
    if completed_on > today {
        return Err(ApiError::bad_request(Some("completed_on"), "a review is completed on or before today"));
    }
    let exit_date = input.exit_date.as_deref().map(|d| crate::app::input::date("exit_date", d)).transpose()?;
    if outcome == ReviewOutcome::Decommission && exit_date.is_none() {
        return Err(ApiError::bad_request(Some("exit_date"), "decommissioning gives the contract's last day"));
    }
    if outcome != ReviewOutcome::Decommission && exit_date.is_some() {
        return Err(ApiError::bad_request(Some("exit_date"), "only decommissioning gives an exit date"));
    }
    let tenant = actor.tenant.clone();
    {
        {
            let stored = c::get_review(conn, &tenant, &id)?;
            if let Some(v) = version {
                check_version(stored.version, v)?;
            }
            if let (Some(p), Some(contract)) = (&actor.provider, &stored.contract_id)
                && c::get_contract(conn, &tenant, contract)?.provider_id != *p
            {
                return Err(ApiError::NotFound("not found".into()));
            }
            let contract = stored.contract_id.as_ref().map(|cid| c::get_contract(conn, &tenant, cid)).transpose()?;
            let mut project = None;
            if outcome == ReviewOutcome::Recommission {
                let Some(contract) = &contract else {
                    return Err(ApiError::bad_request(Some("outcome"), "re-commissioning follows a contract's review"));
                };
                let first = fw.description().stages.first().map(|s| s.id.clone()).ok_or_else(|| ApiError::Invalid {
                    field: Some("outcome".into()),
                    message: "the trust's framework has no stages".into(),
                })?;
                let row = Project {
                    id: ProjectId::new(),
                    tenant_id: tenant.clone(),
                    title: format!("Re-commission {} ({})", contract.title, contract.reference),
                    description: format!("Opened by the review \"{}\" of {}.", stored.title, completed_on),
                    level: None,
                    stage: first,
                    priority_id: None,
                    service_id: Some(contract.service_id.clone()),
                    owner_user_id: Some(actor.user.clone()),
                    started_on: completed_on,
                    created_at: now,
                    attributes: inherited_fields(
                        fw,
                        &c::get_service(conn, &tenant, &contract.service_id)?,
                        conn,
                        &tenant,
                    )?,
                    version: 1,
                    body: None,
                    contract_id: Some(contract.id.clone()),
                };
                let placed = fw.classify_now(fc::project_item(
                    &row,
                    Some(c::get_service(conn, &tenant, &contract.service_id)?.tier),
                ))?;
                let row = Project { level: Some(placed.level), body: Some(placed.body), ..row };
                let row = c::insert_project_noted(conn, &tenant, row, "Opened by a review's re-commissioning outcome")
                    .map_err(|e| match e {
                        platform_db::DbError::Conflict(_) => ApiError::Taken {
                            field: "outcome".into(),
                            message: "a re-commissioning project for this contract is already open".into(),
                        },
                        other => other.into(),
                    })?;
                audit::record(
                    conn,
                    &actor.audit(
                        "project.created",
                        "project",
                        row.id.to_string(),
                        audit_detail(&k::created(&row), Default::default()),
                        now,
                    ),
                )?;
                project = Some(row);
            }
            let saved = k::complete_review(
                conn,
                &tenant,
                k::Completion {
                    review: id.clone(),
                    version: version.unwrap_or(stored.version),
                    outcome,
                    completed_on,
                    notes: input.notes.trim().to_string(),
                    evidence: input.evidence.trim().to_string(),
                    follow_up_project: project.as_ref().map(|p| p.id.clone()),
                },
            )?;
            audit::record(
                conn,
                &actor.audit(
                    "review.completed",
                    "review",
                    id.to_string(),
                    audit_detail(&saved.changes, Default::default()),
                    now,
                ),
            )?;
            let (mut decision, mut event, mut next) = (None, None, Vec::new());
            if let Some(contract) = contract {
                let mut current = contract;
                if let (ReviewOutcome::Decommission, Some(exit)) = (outcome, exit_date) {
                    let body = stored
                        .owner_body
                        .clone()
                        .or_else(|| fw.description().bodies.first().map(|b| b.id.clone()))
                        .unwrap_or_default();
                    let d = c::record_decision(
                        conn,
                        &tenant,
                        Decision {
                            id: DecisionId::new(),
                            tenant_id: tenant.clone(),
                            decided_on: completed_on,
                            body,
                            title: format!("Decommission {} ({})", current.title, current.reference),
                            decision: format!(
                                "Decommissioned after review; the contract ends on {exit}. {}",
                                input.notes.trim()
                            )
                            .trim()
                            .to_string(),
                            decided_by_user_id: Some(actor.user.clone()),
                            contract_id: Some(current.id.clone()),
                            project_id: None,
                            recorded_at: now,
                            review_id: Some(id.clone()),
                        },
                    )?;
                    audit::record(
                        conn,
                        &actor.audit(
                            "decision.recorded",
                            "decision",
                            d.id.to_string(),
                            serde_json::json!({"title": d.title, "body": d.body}).to_string(),
                            now,
                        ),
                    )?;
                    let (saved_contract, ev) = k::record_event(
                        conn,
                        &tenant,
                        EventRequest {
                            contract: current.id.clone(),
                            version: current.version,
                            change: ContractChange::Termination,
                            effective_on: exit,
                            reason: format!("Decommissioned after the review \"{}\"", stored.title),
                            by: Some(actor.user.clone()),
                            now,
                        },
                    )?;
                    audit::record(
                        conn,
                        &actor.audit(
                            "contract.termination",
                            "contract",
                            current.id.to_string(),
                            audit_detail(&saved_contract.changes, Default::default()),
                            now,
                        ),
                    )?;
                    current = saved_contract.row;
                    decision = Some(d);
                    event = Some(ev);
                }
                // The next reviews by the framework's rules, from the day the review was done.
                let tier = c::get_service(conn, &tenant, &current.service_id)?.tier;
                let schedule = fw.review_schedule_now(today, fc::contract_subject(&current, Some(tier)))?;
                let planned: Vec<_> = fc::planned(&schedule)?
                    .into_iter()
                    .filter(|p| current.status != ContractStatus::Terminated || p.due_on <= current.end_date)
                    .collect();
                next = k::plan_reviews(conn, &tenant, &current.id, &planned, Some(completed_on.max(today)), now)?.added;
            }
            let project = project.map(|p| ProjectSummary {
                id: p.id,
                title: p.title,
                stage: p.stage,
                level: p.level,
                body: p.body,
            });
            Ok(Completed { review: saved.row, next_reviews: next, project, decision, event })
        }
    }
}

/// A review as it now stands, for a stale write's answer (as the caller may see it).
pub async fn current(state: &AppState, access: &Access, id: ReviewId) -> Result<serde_json::Value, ApiError> {
    let tenant = access.tenant.id.clone();
    let scope = access.provider_scope().cloned();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let r = c::get_review(conn, &tenant, &id)?;
            if scope.is_some() && c::review_provider(conn, &tenant, &r)? != scope {
                return Err(ApiError::NotFound("not found".into()));
            }
            Ok(serde_json::json!(r))
        })
        .await
}

/// A review as it now stands, with the KPI picture of its contract (none for a service's
/// review), as the caller may see it.
pub async fn with_kpis(
    state: &AppState,
    access: &Access,
    id: ReviewId,
) -> Result<(Review, Vec<platform_db::repo::monitoring::KpiView>), ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let scope = access.provider_scope().cloned();
    let today = clock::today();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let r = c::get_review(conn, &tenant, &id)?;
            if scope.is_some() && c::review_provider(conn, &tenant, &r)? != scope {
                return Err(ApiError::NotFound("not found".into()));
            }
            let kpis = match &r.contract_id {
                Some(k) => {
                    let contract = c::get_contract(conn, &tenant, k)?;
                    platform_db::repo::monitoring::contract_kpis(conn, &tenant, &contract, today)?
                }
                None => Vec::new(),
            };
            Ok((r, kpis))
        })
        .await
}
