//! Decisions: the trust's append-only log of what was decided, by which of its framework's
//! bodies, when, on what (a project, a contract, a review) and by whom. Board members record
//! them; nothing changes or removes one (the database refuses it).

mod pages;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use platform_db::models::Decision;
use platform_db::repo::edits::not_here;
use platform_db::repo::{Paged, audit, commissioning as c};
use platform_db::{ContractId, DecisionId, ProjectId, ReviewId};
use serde::Deserialize;

use crate::app::AppState;
use crate::app::api::{ListParams, ListQuery, json_body};
use crate::app::auth::{self, Access, Action, Actor, Visitor};
use crate::app::input::date;
use crate::clock;
use crate::error::{ApiError, ErrorBody};
use crate::framework_calls::Framework;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants/{slug}/decisions", web::get().to(list_decisions))
        .route("/api/v1/tenants/{slug}/decisions", web::post().to(record_decision))
        .route("/t/{slug}/decisions", web::get().to(pages::list))
        .route("/t/{slug}/decisions", web::post().to(pages::create))
        .route("/t/{slug}/decisions/new", web::get().to(pages::new_page));
}

/// A decision, as the form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// YYYY-MM-DD, not after today.
    pub decided_on: String,
    /// One of the trust's framework's bodies, by id.
    pub body: String,
    pub title: String,
    /// What was decided.
    pub decision: String,
    #[serde(default)]
    pub contract_id: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub review_id: Option<String>,
}

fn reference<T: std::str::FromStr>(field: &'static str, text: &Option<String>) -> Result<Option<T>, ApiError> {
    text.as_deref()
        .map(|t| {
            t.trim().parse::<T>().map_err(|_| ApiError::bad_request(Some(field), "not one of this trust's records"))
        })
        .transpose()
}

/// Records a decision of one of the framework's bodies.
pub async fn record(state: &AppState, access: &Access, input: DecisionInput) -> Result<Decision, ApiError> {
    access.require(Action::Decide)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            record_in(conn, &fw, &actor, input, clock::today(), clock::now())
        })
        .await
}

/// Records a decision within a unit of work.
pub fn record_in(
    conn: &mut platform_db::DbConnection,
    fw: &Framework,
    actor: &Actor,
    input: DecisionInput,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> Result<Decision, ApiError> {
    let decided_on: NaiveDate = date("decided_on", &input.decided_on)?;
    if decided_on > today {
        return Err(ApiError::bad_request(Some("decided_on"), "a decision is recorded on or after the day it is made"));
    }
    let bodies: Vec<String> = fw.description().bodies.iter().map(|b| b.id.clone()).collect();
    let body = input.body.trim().to_string();
    if !bodies.contains(&body) {
        return Err(ApiError::bad_request(
            Some("body"),
            format!("{body:?} is not one of the trust's bodies: {}", bodies.join(", ")),
        ));
    }
    let contract: Option<ContractId> = reference("contract_id", &input.contract_id)?;
    let project: Option<ProjectId> = reference("project_id", &input.project_id)?;
    let review: Option<ReviewId> = reference("review_id", &input.review_id)?;
    let tenant = actor.tenant.clone();
    {
        {
            if let Some(id) = &contract {
                c::get_contract(conn, &tenant, id)
                    .map_err(|e| not_here(e, "contract_id", "not one of this trust's contracts"))?;
            }
            if let Some(id) = &project {
                c::get_project(conn, &tenant, id)
                    .map_err(|e| not_here(e, "project_id", "not one of this trust's projects"))?;
            }
            if let Some(id) = &review {
                c::get_review(conn, &tenant, id)
                    .map_err(|e| not_here(e, "review_id", "not one of this trust's reviews"))?;
            }
            let d = c::record_decision(
                conn,
                &tenant,
                Decision {
                    id: DecisionId::new(),
                    tenant_id: tenant.clone(),
                    decided_on,
                    body,
                    title: input.title.trim().to_string(),
                    decision: input.decision.trim().to_string(),
                    decided_by_user_id: Some(actor.user.clone()),
                    contract_id: contract,
                    project_id: project,
                    recorded_at: now,
                    review_id: review,
                },
            )?;
            audit::record(
                conn,
                &actor.audit(
                    "decision.recorded",
                    "decision",
                    &d.id,
                    serde_json::json!({"title": d.title, "body": d.body, "decided_on": d.decided_on}).to_string(),
                    now,
                ),
            )?;
            Ok(d)
        }
    }
}

/// The trust's decisions, newest first.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/decisions", tag = "decisions",
    params(("slug" = String, Path, description = "the trust's slug"), ListParams),
    responses((status = 200, description = "a page of the decision log", body = Paged<Decision>)))]
pub(crate) async fn list_decisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(ApiError::Forbidden("the decision log is the trust's; providers see their own contracts".into()));
    }
    if query.provider_id.is_some() {
        return Err(ApiError::bad_request(Some("provider_id"), "decisions cannot be filtered by provider"));
    }
    let page = query.page()?;
    let tenant = access.tenant.id.clone();
    let list = state.tenant_db(&tenant.clone(), move |conn| c::list_decisions(conn, &tenant, page)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Records a decision of one of the trust's framework's bodies; decisions are never changed.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/decisions", tag = "decisions",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = DecisionInput,
    responses(
        (status = 201, description = "the decision as recorded", body = Decision),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody)))]
pub(crate) async fn record_decision(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: DecisionInput = json_body(&body)?;
    let d = record(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created().json(d))
}
