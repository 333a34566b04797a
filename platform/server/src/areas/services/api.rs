//! The services' JSON API: a service added, edited (If-Match) and archived, each placed by the
//! trust's framework. Services are read through the data core's routes.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ServiceId;

use super::service::{self, ServiceInput, ServiceSaved};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Access, Visitor};
use crate::app::input::with_current;
use crate::error::{ApiError, ErrorBody};

fn service_id(text: &str) -> Result<ServiceId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

async fn answer(
    state: &AppState,
    access: &Access,
    id: &ServiceId,
    result: Result<ServiceSaved, ApiError>,
) -> Result<ServiceSaved, ApiError> {
    let id = id.clone();
    with_current(result, || async move { Ok(serde_json::json!(service::current(state, access, id).await?)) }).await
}

/// Adds a service under one of the trust's providers: checked by the trust's framework, which
/// places it at a level and under the body that commissions it (stored on the service, with
/// the rationale and its source in the answer).
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/services", tag = "services",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = ServiceInput,
    responses(
        (status = 201, description = "the service, the framework's classification and findings", body = ServiceSaved),
        (status = 409, description = "another service of the trust has this name", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (an area the framework does not list names the ones it does; an archived provider is not chosen anew); a refusal by the trust's framework carries every finding, with its source", body = ErrorBody)))]
pub(crate) async fn create_service(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: ServiceInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(saved.service.version))
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/tenants/{}/services/{}", access.tenant.slug, saved.service.id),
        ))
        .json(saved))
}

/// Edits a service, placed again by the trust's framework. Send the ETag it was read with as
/// If-Match; a stale edit is 409 with the service as it now stands.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/services/{id}", tag = "services",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the service's id"),
           ("If-Match" = Option<String>, Header, description = "the service's ETag when it was read")),
    request_body = ServiceInput,
    responses(
        (status = 200, description = "the service as saved, with what changed", body = ServiceSaved),
        (status = 409, description = "changed since it was read (the current service is in `current`), or another service of the trust has this name", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_service(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = service_id(&id)?;
    let input: ServiceInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let result = service::edit(&state, &access, id.clone(), version, input).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.service.version)).json(saved))
}

/// Archives a service: it stays readable, and is no longer chosen anew. Send the ETag it was read
/// with as If-Match.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/services/{id}/archive", tag = "services",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the service's id"),
           ("If-Match" = Option<String>, Header, description = "the service's ETag when it was read")),
    responses(
        (status = 200, description = "the service as archived", body = ServiceSaved),
        (status = 409, description = "changed since it was read; the current service is in `current`", body = ErrorBody),
        (status = 422, description = "already archived", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn archive_service(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = service_id(&id)?;
    let version = version_of(&req, None)?;
    let result = service::archive(&state, &access, id.clone(), version).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.service.version)).json(saved))
}
