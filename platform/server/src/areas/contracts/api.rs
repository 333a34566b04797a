//! The contracts register's JSON API: the register with its filters, a contract let, its
//! description edited (If-Match), variations, extensions and terminations as events, and a
//! contract's record with its events and reviews.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ContractId;
use platform_db::repo::Paged;

use super::service::{self, ContractEdit, ContractFilter, ContractInput, ContractRecord, ContractSaved, EventInput};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Visitor};
use crate::error::{ApiError, ErrorBody};

fn contract_id(text: &str) -> Result<ContractId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

/// The contracts register, soonest ending first, narrowed by the filters given.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/contracts", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug"), ContractFilter),
    responses((status = 200, description = "a page of the register", body = Paged<platform_db::models::Contract>)))]
pub(crate) async fn list_contracts(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    filter: web::Query<ContractFilter>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let page = service::list(&state, &access, filter.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Lets a contract: checked by the trust's framework, with the reviews its schedule asks for.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/contracts", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = ContractInput,
    responses(
        (status = 201, description = "the contract, the framework's findings and the reviews planned", body = ContractSaved),
        (status = 409, description = "another contract of the trust has this reference", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field; a refusal by the trust's framework carries every finding, with its source", body = ErrorBody)))]
pub(crate) async fn create_contract(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: ContractInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(saved.contract.version))
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/tenants/{}/contracts/{}", access.tenant.slug, saved.contract.id),
        ))
        .json(saved))
}

/// Edits a contract's description (reference, title, kind, a draft's start, the framework's
/// fields). Send the ETag the contract was read with as If-Match; a stale edit is 409 with the
/// contract as it now stands.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/contracts/{id}", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id"),
           ("If-Match" = Option<String>, Header, description = "the contract's ETag when it was read")),
    request_body = ContractEdit,
    responses(
        (status = 200, description = "the contract as saved, with what changed", body = ContractSaved),
        (status = 409, description = "changed since it was read; the current contract is in `current`", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_contract(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = contract_id(&id)?;
    let input: ContractEdit = json_body(&body)?;
    let version = version_of(&req, None)?;
    let saved =
        with_current(&state, &access, &id, service::edit(&state, &access, id.clone(), version, input).await).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.contract.version)).json(saved))
}

/// Records a variation (value or end date), an extension (a later end date) or a termination,
/// with its reason; the reviews are re-planned from the new dates.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/contracts/{id}/events", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id"),
           ("If-Match" = Option<String>, Header, description = "the contract's ETag when it was read")),
    request_body = EventInput,
    responses(
        (status = 201, description = "the event and the contract as it now stands", body = ContractSaved),
        (status = 409, description = "changed since it was read; the current contract is in `current`", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field (the trust's framework's findings in `findings`)", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn record_event(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = contract_id(&id)?;
    let input: EventInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let saved =
        with_current(&state, &access, &id, service::record_event(&state, &access, id.clone(), version, input).await)
            .await?;
    Ok(HttpResponse::Created().insert_header(etag(saved.contract.version)).json(saved))
}

/// Sets when commissioners are reminded before the contract ends (months of notice) and how the
/// Procurement Act 2023 covers it (covered or not, its regime, the day it was entered into), from
/// which the Act's notices are reminded. Send the ETag the contract was read with as If-Match.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/contracts/{id}/terms", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id"),
           ("If-Match" = Option<String>, Header, description = "the contract's ETag when it was read")),
    request_body = service::Terms,
    responses(
        (status = 200, description = "the contract at its new version, its terms and what changed", body = service::TermsSaved),
        (status = 409, description = "changed since it was read; the current contract is in `current`", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn set_terms(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = contract_id(&id)?;
    let input: service::Terms = json_body(&body)?;
    let version = version_of(&req, None)?;
    let saved =
        with_current(&state, &access, &id, service::set_terms(&state, &access, id.clone(), version, input).await)
            .await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.contract.version)).json(saved))
}

/// A contract with its events and every review, for its history.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/contracts/{id}/record", tag = "contracts",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id")),
    responses((status = 200, description = "the contract, its events and its reviews", body = ContractRecord)))]
pub(crate) async fn contract_record(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let record = service::record(&state, &access, contract_id(&id)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(record.contract.version)).json(record))
}

/// A stale write's answer carries the contract as it now stands.
async fn with_current<T>(
    state: &AppState,
    access: &auth::Access,
    id: &ContractId,
    result: Result<T, ApiError>,
) -> Result<T, ApiError> {
    crate::app::input::with_current(result, || async move {
        Ok(serde_json::json!(service::record(state, access, id.clone()).await?.contract))
    })
    .await
}
