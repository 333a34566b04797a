//! The providers' JSON API: a provider added, edited (If-Match) and archived. Providers are
//! read through the data core's routes.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ProviderId;

use super::service::{self, ProviderInput, ProviderSaved};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Access, Visitor};
use crate::app::input::with_current;
use crate::error::{ApiError, ErrorBody};

fn provider_id(text: &str) -> Result<ProviderId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

async fn answer(
    state: &AppState,
    access: &Access,
    id: &ProviderId,
    result: Result<ProviderSaved, ApiError>,
) -> Result<ProviderSaved, ApiError> {
    let id = id.clone();
    with_current(result, || async move { Ok(serde_json::json!(service::current(state, access, id).await?)) }).await
}

/// Adds a provider: its framework fields checked against the definitions, then the trust's
/// framework's findings (warnings come back with it; an error refuses it).
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/providers", tag = "providers",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = ProviderInput,
    responses(
        (status = 201, description = "the provider, with the framework's findings", body = ProviderSaved),
        (status = 409, description = "another provider of the trust has this name", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field; a refusal by the trust's framework carries every finding, with its source", body = ErrorBody)))]
pub(crate) async fn create_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: ProviderInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(saved.provider.version))
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/tenants/{}/providers/{}", access.tenant.slug, saved.provider.id),
        ))
        .json(saved))
}

/// Edits a provider. Send the ETag it was read with as If-Match; a stale edit is 409 with the
/// provider as it now stands.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/providers/{id}", tag = "providers",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the provider's id"),
           ("If-Match" = Option<String>, Header, description = "the provider's ETag when it was read")),
    request_body = ProviderInput,
    responses(
        (status = 200, description = "the provider as saved, with what changed", body = ProviderSaved),
        (status = 409, description = "changed since it was read (the current provider is in `current`), or another provider of the trust has this name", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = provider_id(&id)?;
    let input: ProviderInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let result = service::edit(&state, &access, id.clone(), version, input).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.provider.version)).json(saved))
}

/// Archives a provider: it stays readable, and no new service is placed with it. Send the ETag it
/// was read with as If-Match.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/providers/{id}/archive", tag = "providers",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the provider's id"),
           ("If-Match" = Option<String>, Header, description = "the provider's ETag when it was read")),
    responses(
        (status = 200, description = "the provider as archived", body = ProviderSaved),
        (status = 409, description = "changed since it was read; the current provider is in `current`", body = ErrorBody),
        (status = 422, description = "already archived", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn archive_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = provider_id(&id)?;
    let version = version_of(&req, None)?;
    let result = service::archive(&state, &access, id.clone(), version).await;
    let saved = answer(&state, &access, &id, result).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.provider.version)).json(saved))
}
