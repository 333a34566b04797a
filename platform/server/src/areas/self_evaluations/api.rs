//! Self-evaluations in the JSON API.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, Evaluation, EvaluationInput, SideBySide};
use crate::app::AppState;
use crate::app::api::json_body;
use crate::app::auth::{self, Visitor};
use crate::error::{ApiError, ErrorBody};

/// Records a self-evaluation against one of the framework's standards sets; the framework
/// scores it (bands, weakest standards, options for improvement).
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/self-evaluations", tag = "self-evaluation",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = EvaluationInput,
    responses(
        (status = 201, description = "the self-evaluation with the framework's summary", body = Evaluation),
        (status = 409, description = "the title is taken, or a group rated a standard twice", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody)))]
pub(crate) async fn record_self_evaluation(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: EvaluationInput = json_body(&body)?;
    let saved = service::record(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created().json(saved))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SetParam {
    /// One of the framework's standards sets (its first by default).
    pub standards_set: Option<String>,
}

/// The trust's self-evaluations of one standards set side by side, standard by standard.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/self-evaluations/side-by-side", tag = "self-evaluation",
    params(("slug" = String, Path, description = "the trust's slug"), SetParam),
    responses((status = 200, description = "a row per standard, a column per evaluation", body = SideBySide)))]
pub(crate) async fn side_by_side(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<SetParam>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(service::side_by_side(&state, &access, query.into_inner().standards_set).await?))
}
