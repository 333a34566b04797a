//! The service map: services by outcome, tier and area, with gaps and overlaps.

pub mod service;

mod pages;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants/{slug}/service-map", web::get().to(service_map))
        .route("/t/{slug}/service-map", web::get().to(pages::page));
}

/// The trust's services by outcome, tier and area; the needs and priorities no service covers
/// (with the nearest services and what each misses); services that overlap.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/service-map", tag = "service map",
    params(("slug" = String, Path, description = "the trust's slug")),
    responses((status = 200, description = "the map, its gaps and its overlaps", body = service::ServiceMap)))]
pub(crate) async fn service_map(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(service::service_map(&state, &access).await?))
}
