//! The tenant-scoped read API of the data core. Every route resolves its tenant from the path,
//! checks the caller's membership and role with the one guard, and reads within that tenant
//! only; a provider member sees only their own provider's contracts, services and reviews.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::repo::Paged;

use super::service::{self, IndicatorSeries};
use crate::app::AppState;
use crate::app::api::{ListParams, ListQuery, etag};
use crate::app::auth::{self, Action, Visitor};
use crate::error::ApiError;

/// Narrows a list to one of the trust's providers (a provider member sees only their own).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProviderParam {
    /// A provider of this trust.
    provider_id: Option<String>,
}

macro_rules! list_route {
    ($name:ident, $kind:literal, $path:literal, $body:ty, $what:literal, [$($params:ty),*]) => {
        #[doc = $what]
        #[utoipa::path(get, path = $path, tag = "data core",
            params(("slug" = String, Path, description = "the trust's slug"), $($params),*),
            responses((status = 200, description = $what, body = $body)))]
        pub(crate) async fn $name(
            state: web::Data<AppState>,
            req: HttpRequest,
            visitor: Visitor,
            slug: web::Path<String>,
            query: web::Query<ListQuery>,
        ) -> Result<HttpResponse, ApiError> {
            list(state, req, visitor, (slug.into_inner(), $kind.to_string()), query).await
        }
    };
}

// rustfmt re-indents the attribute inside this macro on every run; it is laid out by hand.
#[rustfmt::skip]
macro_rules! item_route {
    ($name:ident, $kind:literal, $path:literal, $body:ty, $what:literal) => {
        #[doc = $what]
        #[utoipa::path(get, path = $path, tag = "data core",
            params(("slug" = String, Path, description = "the trust's slug"),
                   ("id" = String, Path, description = "the record's id")),
            responses((status = 200, description = $what, body = $body)))]
        pub(crate) async fn $name(
            state: web::Data<AppState>,
            req: HttpRequest,
            visitor: Visitor,
            path: web::Path<(String, String)>,
        ) -> Result<HttpResponse, ApiError> {
            let (slug, id) = path.into_inner();
            item(state, req, visitor, (slug, $kind.to_string(), id)).await
        }
    };
}

use platform_db::models as m;
list_route!(
    list_providers,
    "providers",
    "/api/v1/tenants/{slug}/providers",
    Paged<m::Provider>,
    "The trust's providers.",
    [ListParams, ProviderParam]
);
list_route!(
    list_services,
    "services",
    "/api/v1/tenants/{slug}/services",
    Paged<m::Service>,
    "The trust's services.",
    [ListParams, ProviderParam]
);
list_route!(
    list_reviews,
    "reviews",
    "/api/v1/tenants/{slug}/reviews",
    Paged<m::Review>,
    "The trust's reviews, soonest due first.",
    [ListParams, ProviderParam]
);
list_route!(
    list_needs,
    "needs",
    "/api/v1/tenants/{slug}/needs",
    Paged<m::Need>,
    "The trust's needs assessment.",
    [ListParams]
);
list_route!(
    list_priorities,
    "priorities",
    "/api/v1/tenants/{slug}/priorities",
    Paged<m::Priority>,
    "The trust's priorities, by rank.",
    [ListParams]
);
list_route!(
    list_indicators,
    "indicators",
    "/api/v1/tenants/{slug}/indicators",
    Paged<m::Indicator>,
    "The shared indicator catalogue.",
    [ListParams]
);
item_route!(get_provider, "providers", "/api/v1/tenants/{slug}/providers/{id}", m::Provider, "One provider.");
item_route!(get_service, "services", "/api/v1/tenants/{slug}/services/{id}", m::Service, "One service.");
item_route!(get_contract, "contracts", "/api/v1/tenants/{slug}/contracts/{id}", m::Contract, "One contract.");
item_route!(get_review, "reviews", "/api/v1/tenants/{slug}/reviews/{id}", m::Review, "One review.");
item_route!(get_need, "needs", "/api/v1/tenants/{slug}/needs/{id}", m::Need, "One need.");
item_route!(get_priority, "priorities", "/api/v1/tenants/{slug}/priorities/{id}", m::Priority, "One priority.");
item_route!(
    get_indicator,
    "indicators",
    "/api/v1/tenants/{slug}/indicators/{id}",
    IndicatorSeries,
    "One indicator (by its code) with the trust's values."
);

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    (slug, kind): (String, String),
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    access.require(Action::Read)?;
    service::list(&state, &access, kind, &query)
        .await?
        .map(|body| HttpResponse::Ok().json(body))
        .ok_or_else(|| ApiError::NotFound(format!("no such resource: {}", req.path())))
}

async fn item(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    (slug, kind, id): (String, String, String),
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    access.require(Action::Read)?;
    service::item(&state, &access, kind, id)
        .await?
        .map(|b| {
            // A record that has a version is read with its ETag, for an edit's If-Match.
            let mut answer = HttpResponse::Ok();
            if let Some(version) = b["version"].as_i64().and_then(|v| i32::try_from(v).ok()) {
                answer.insert_header(etag(version));
            }
            answer.json(b)
        })
        .ok_or_else(|| ApiError::NotFound("not found".into()))
}
