//! Reviews in the JSON API: what is due and overdue by owning body, and a review completed with
//! its outcome (If-Match).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ReviewId;

use super::service::{self, Completed, Completion, DueFilter, DueReviews};
use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Visitor};
use crate::app::input::with_current;
use crate::error::{ApiError, ErrorBody};

/// Open reviews due within the window, the overdue ones first, with counts per owning body.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/reviews/due", tag = "reviews",
    params(("slug" = String, Path, description = "the trust's slug"), DueFilter),
    responses((status = 200, description = "overdue and due reviews, and counts by body", body = DueReviews)))]
pub(crate) async fn due_reviews(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    filter: web::Query<DueFilter>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(service::due(&state, &access, filter.into_inner()).await?))
}

/// Completes a review with its outcome. Continue or improve: the contract's next reviews by its
/// framework. Re-commission: a project opens at the framework's first stage, linked to the
/// contract. Decommission: a decision is recorded and the contract ends on the exit date.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/reviews/{id}/complete", tag = "reviews",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the review's id"),
           ("If-Match" = Option<String>, Header, description = "the review's ETag when it was read")),
    request_body = Completion,
    responses(
        (status = 200, description = "the review completed and what followed from it", body = Completed),
        (status = 409, description = "changed since it was read; the current review is in `current`", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn complete_review(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id: ReviewId = id.parse().map_err(|_| ApiError::NotFound("not found".into()))?;
    let input: Completion = json_body(&body)?;
    let version = version_of(&req, None)?;
    let result = service::complete(&state, &access, id.clone(), version, input).await;
    let done = with_current(result, || service::current(&state, &access, id)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(done.review.version)).json(done))
}
