//! Monitoring returns in the JSON API: a contract's KPIs against their targets, and a return
//! submitted by the provider (or a commissioner on its behalf).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ContractId;

use super::service::{self, KpiPicture, KpiView, ReturnInput};
use crate::app::AppState;
use crate::app::api::json_body;
use crate::app::auth::{self, Visitor};
use crate::error::{ApiError, ErrorBody};

fn contract_id(text: &str) -> Result<ContractId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

/// Each KPI of a contract against its target and polarity, period by period, with late and
/// missing returns flagged.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/contracts/{id}/kpis", tag = "monitoring",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id")),
    responses((status = 200, description = "the contract's KPI picture", body = KpiPicture)))]
pub(crate) async fn contract_kpis(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(service::kpis(&state, &access, contract_id(&id)?).await?))
}

/// Submits a return for one KPI and period of one of the provider's own contracts.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/contracts/{id}/returns", tag = "monitoring",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the contract's id")),
    request_body = ReturnInput,
    responses(
        (status = 201, description = "the KPI with the return in its period", body = KpiView),
        (status = 409, description = "the return for this period is in already", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody)))]
pub(crate) async fn submit_return(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = contract_id(&id)?;
    let input: ReturnInput = json_body(&body)?;
    let view = service::submit(&state, &access, id, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created().json(view))
}
