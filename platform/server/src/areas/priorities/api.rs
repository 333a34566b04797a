//! The priorities' JSON API: a priority set, edited (If-Match) and archived. Priorities are
//! read through the data core's routes.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::PriorityId;

use super::service::{self, PriorityInput, PrioritySaved};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Access, Visitor};
use crate::app::input::with_current;
use crate::error::{ApiError, ErrorBody};

fn priority_id(text: &str) -> Result<PriorityId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

async fn answer(
    state: &AppState,
    access: &Access,
    id: &PriorityId,
    result: Result<PrioritySaved, ApiError>,
) -> Result<PrioritySaved, ApiError> {
    let id = id.clone();
    with_current(result, || async move { Ok(serde_json::json!(service::current(state, access, id).await?)) }).await
}

/// Sets a priority under one of the five outcomes, perhaps answering a need; the framework's
/// fields checked against its definitions, then by the trust's framework.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/priorities", tag = "priorities",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = PriorityInput,
    responses(
        (status = 201, description = "the priority, with the framework's findings", body = PrioritySaved),
        (status = 409, description = "another priority of the trust has this title", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (a choice of the framework not among its choices names the ones it has; an archived need is not chosen anew); a refusal by the trust's framework carries every finding, with its source", body = ErrorBody)))]
pub(crate) async fn create_priority(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: PriorityInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(saved.priority.version))
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/tenants/{}/priorities/{}", access.tenant.slug, saved.priority.id),
        ))
        .json(saved))
}

/// Edits a priority. Send the ETag it was read with as If-Match; a stale edit is 409 with the
/// priority as it now stands.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/priorities/{id}", tag = "priorities",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the priority's id"),
           ("If-Match" = Option<String>, Header, description = "the priority's ETag when it was read")),
    request_body = PriorityInput,
    responses(
        (status = 200, description = "the priority as saved, with what changed", body = PrioritySaved),
        (status = 409, description = "changed since it was read (the current priority is in `current`), or another priority of the trust has this title", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_priority(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = priority_id(&id)?;
    let input: PriorityInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let result = service::edit(&state, &access, id.clone(), version, input).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.priority.version)).json(saved))
}

/// Archives a priority: it stays readable, and is no longer chosen anew. Send the ETag it was read
/// with as If-Match.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/priorities/{id}/archive", tag = "priorities",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the priority's id"),
           ("If-Match" = Option<String>, Header, description = "the priority's ETag when it was read")),
    responses(
        (status = 200, description = "the priority as archived", body = PrioritySaved),
        (status = 409, description = "changed since it was read; the current priority is in `current`", body = ErrorBody),
        (status = 422, description = "already archived", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn archive_priority(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = priority_id(&id)?;
    let version = version_of(&req, None)?;
    let result = service::archive(&state, &access, id.clone(), version).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.priority.version)).json(saved))
}
