//! The needs assessment's JSON API: a need recorded, edited (If-Match) and archived. Needs are
//! read through the data core's routes.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::NeedId;

use super::service::{self, NeedInput, NeedSaved};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Access, Visitor};
use crate::app::input::with_current;
use crate::error::{ApiError, ErrorBody};

fn need_id(text: &str) -> Result<NeedId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

async fn answer(
    state: &AppState,
    access: &Access,
    id: &NeedId,
    result: Result<NeedSaved, ApiError>,
) -> Result<NeedSaved, ApiError> {
    let id = id.clone();
    with_current(result, || async move { Ok(serde_json::json!(service::current(state, access, id).await?)) }).await
}

/// Records a need against one of the five outcomes, checked by the trust's framework.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/needs", tag = "needs",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = NeedInput,
    responses(
        (status = 201, description = "the need, with the framework's findings", body = NeedSaved),
        (status = 409, description = "another need of the trust has this title", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (an area the framework does not list names the ones it does); a refusal by the trust's framework carries every finding, with its source", body = ErrorBody)))]
pub(crate) async fn create_need(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: NeedInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(saved.need.version))
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/tenants/{}/needs/{}", access.tenant.slug, saved.need.id),
        ))
        .json(saved))
}

/// Edits a need. Send the ETag it was read with as If-Match; a stale edit is 409 with the need as
/// it now stands.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/needs/{id}", tag = "needs",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the need's id"),
           ("If-Match" = Option<String>, Header, description = "the need's ETag when it was read")),
    request_body = NeedInput,
    responses(
        (status = 200, description = "the need as saved, with what changed", body = NeedSaved),
        (status = 409, description = "changed since it was read (the current need is in `current`), or another need of the trust has this title", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_need(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = need_id(&id)?;
    let input: NeedInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let result = service::edit(&state, &access, id.clone(), version, input).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.need.version)).json(saved))
}

/// Archives a need: it stays readable, and is no longer chosen for a new priority. Send the ETag it
/// was read with as If-Match.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/needs/{id}/archive", tag = "needs",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the need's id"),
           ("If-Match" = Option<String>, Header, description = "the need's ETag when it was read")),
    responses(
        (status = 200, description = "the need as archived", body = NeedSaved),
        (status = 409, description = "changed since it was read; the current need is in `current`", body = ErrorBody),
        (status = 422, description = "already archived", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn archive_need(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = need_id(&id)?;
    let version = version_of(&req, None)?;
    let result = service::archive(&state, &access, id.clone(), version).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.need.version)).json(saved))
}
