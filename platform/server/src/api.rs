//! The tenant-scoped read API of the data core, and the trust's home page. Every route resolves
//! its tenant from the path, checks the caller's membership and role with the one guard, and
//! reads within that tenant only; a provider member sees only their own provider's contracts,
//! services and reviews.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ProviderId;
use platform_db::repo::{Page, Paged, commissioning as cm, indicators};
use serde_json::json;

use crate::app::AppState;
use crate::app::api::{ListParams, ListQuery, paged};
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::pages::{PageError, nav, page_access};
use crate::clock;
use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/", web::get().to(dashboard))
        .route("/t/{slug}", web::get().to(dashboard_redirect))
        .route("/api/v1/tenants/{slug}/providers", web::get().to(list_providers))
        .route("/api/v1/tenants/{slug}/services", web::get().to(list_services))
        .route("/api/v1/tenants/{slug}/contracts", web::get().to(list_contracts))
        .route("/api/v1/tenants/{slug}/reviews", web::get().to(list_reviews))
        .route("/api/v1/tenants/{slug}/needs", web::get().to(list_needs))
        .route("/api/v1/tenants/{slug}/priorities", web::get().to(list_priorities))
        .route("/api/v1/tenants/{slug}/indicators", web::get().to(list_indicators))
        .route("/api/v1/tenants/{slug}/providers/{id}", web::get().to(get_provider))
        .route("/api/v1/tenants/{slug}/services/{id}", web::get().to(get_service))
        .route("/api/v1/tenants/{slug}/contracts/{id}", web::get().to(get_contract))
        .route("/api/v1/tenants/{slug}/reviews/{id}", web::get().to(get_review))
        .route("/api/v1/tenants/{slug}/needs/{id}", web::get().to(get_need))
        .route("/api/v1/tenants/{slug}/priorities/{id}", web::get().to(get_priority))
        .route("/api/v1/tenants/{slug}/indicators/{id}", web::get().to(get_indicator));
}

/// Narrows a list to one of the trust's providers (a provider member sees only their own).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProviderParam {
    /// A provider of this trust.
    provider_id: Option<String>,
}

/// An indicator of the shared catalogue with this trust's values for it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorSeries {
    pub indicator: platform_db::models::Indicator,
    pub values: Vec<platform_db::models::IndicatorValue>,
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
    list_contracts,
    "contracts",
    "/api/v1/tenants/{slug}/contracts",
    Paged<m::Contract>,
    "The trust's contracts register.",
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

async fn dashboard_redirect(slug: web::Path<String>) -> Result<HttpResponse, PageError> {
    let slug = auth::checked_slug(&slug)?;
    Ok(HttpResponse::MovedPermanently().insert_header(("Location", format!("/t/{slug}/"))).finish())
}

async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    let tid = access.tenant.id.clone();
    let provider = access.provider_scope().cloned();
    let today = clock::today();
    let (summary, own) = state
        .tenant_db(&access.tenant.id, move |c| {
            let own = match &provider {
                Some(p) => {
                    Some((cm::get_provider(c, &tid, p)?.name, cm::list_contracts_of(c, &tid, p, Page::all())?.items))
                }
                None => None,
            };
            let summary = if own.is_none() { Some(cm::summary(c, &tid, today)?) } else { None };
            Ok((summary, own))
        })
        .await?;
    let own = own.map(|(name, contracts)| {
        json!({
            "provider": name,
            "contracts": contracts.iter().map(|k| json!({
                "reference": k.reference, "title": k.title, "end": k.end_date.to_string(),
                "value": platform_db::models::format_pence(k.value_pence), "status": k.status,
            })).collect::<Vec<_>>(),
        })
    });
    let summary = summary.map(|s| {
        json!({
            "providers": s.providers, "services": s.services, "active_contracts": s.active_contracts,
            "value": platform_db::models::format_pence(s.active_contract_value_pence),
            "overdue": s.reviews_overdue, "due": s.reviews_due_90_days, "ending": s.contracts_ending_180_days,
        })
    });
    Ok(state.page(
        "dashboard",
        &json!({"title": access.tenant.name, "nav": nav(&access), "summary": summary, "own": own, "slug": access.tenant.slug}),
    )?)
}

/// The provider a list is narrowed to: a provider member's own, or one named in the query (which
/// must be this trust's; a provider member may only name their own).
fn provider_filter(access: &Access, query: &ListQuery) -> Result<Option<ProviderId>, ApiError> {
    let named = match query.provider_id.as_deref() {
        None => None,
        Some("") => return Err(ApiError::bad_request(Some("provider_id"), "give a provider's id, or leave it out")),
        Some(t) => Some(t.parse::<ProviderId>().map_err(|_| ApiError::NotFound("no such provider".into()))?),
    };
    match (access.provider_scope(), named) {
        (Some(own), Some(n)) if own != &n => Err(ApiError::NotFound("no such provider".into())),
        (Some(own), _) => Ok(Some(own.clone())),
        (None, n) => Ok(n),
    }
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    (slug, kind): (String, String),
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    access.require(Action::Read)?;
    let page = query.page()?;
    let by_provider = matches!(kind.as_str(), "providers" | "services" | "contracts" | "reviews");
    if !by_provider && query.provider_id.is_some() {
        return Err(ApiError::bad_request(Some("provider_id"), format!("{kind} cannot be filtered by provider")));
    }
    let provider = if by_provider { provider_filter(&access, &query)? } else { None };
    let tid = access.tenant.id.clone();
    let response = state
        .tenant_db(&access.tenant.id, move |c| {
            if let Some(p) = &provider {
                // The provider must be one of this trust's: another trust's id is "not found".
                cm::get_provider(c, &tid, p)?;
            }
            Ok(match (kind.as_str(), &provider) {
                ("providers", None) => Some(paged(cm::list_providers(c, &tid, page)?)),
                ("providers", Some(p)) => {
                    let one = cm::get_provider(c, &tid, p)?;
                    Some(paged(Paged { items: vec![one], total: 1, limit: page.limit, offset: 0 }))
                }
                ("services", None) => Some(paged(cm::list_services(c, &tid, page)?)),
                ("services", Some(p)) => Some(paged(cm::list_services_of(c, &tid, p, page)?)),
                ("contracts", None) => Some(paged(cm::list_contracts(c, &tid, page)?)),
                ("contracts", Some(p)) => Some(paged(cm::list_contracts_of(c, &tid, p, page)?)),
                ("reviews", None) => Some(paged(cm::list_reviews(c, &tid, page)?)),
                ("reviews", Some(p)) => Some(paged(cm::list_reviews_of(c, &tid, p, page)?)),
                ("needs", _) => Some(paged(cm::list_needs(c, &tid, page)?)),
                ("priorities", _) => Some(paged(cm::list_priorities(c, &tid, page)?)),
                ("indicators", _) => {
                    let all = indicators::catalogue(c)?;
                    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
                    let items = all
                        .into_iter()
                        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
                        .take(usize::try_from(page.limit).unwrap_or(0))
                        .collect::<Vec<_>>();
                    Some(paged(Paged { items, total, limit: page.limit, offset: page.offset }))
                }
                _ => None,
            })
        })
        .await?;
    response
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
    let not_found = || ApiError::NotFound("not found".into());
    let tid = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    // A provider member sees a provider, service, contract or review only if it is theirs.
    let mine = move |p: Option<&ProviderId>| own.as_ref().is_none_or(|o| p == Some(o));
    let body = state
        .tenant_db(&access.tenant.id, move |c| {
            use platform_db::DbError::NotFound;
            let hidden = Err(NotFound);
            Ok(match kind.as_str() {
                "providers" => {
                    let r = cm::get_provider(c, &tid, &id.parse().map_err(|_| NotFound)?)?;
                    if !mine(Some(&r.id)) {
                        return hidden;
                    }
                    Some(json!(r))
                }
                "services" => {
                    let r = cm::get_service(c, &tid, &id.parse().map_err(|_| NotFound)?)?;
                    if !mine(Some(&r.provider_id)) {
                        return hidden;
                    }
                    Some(json!(r))
                }
                "contracts" => {
                    let r = cm::get_contract(c, &tid, &id.parse().map_err(|_| NotFound)?)?;
                    if !mine(Some(&r.provider_id)) {
                        return hidden;
                    }
                    Some(json!(r))
                }
                "reviews" => {
                    let r = cm::get_review(c, &tid, &id.parse().map_err(|_| NotFound)?)?;
                    let p = cm::review_provider(c, &tid, &r)?;
                    if !mine(p.as_ref()) {
                        return hidden;
                    }
                    Some(json!(r))
                }
                "needs" => Some(json!(cm::get_need(c, &tid, &id.parse().map_err(|_| NotFound)?)?)),
                "priorities" => Some(json!(cm::get_priority(c, &tid, &id.parse().map_err(|_| NotFound)?)?)),
                "indicators" => {
                    let Some(ind) = indicators::catalogue(c)?.into_iter().find(|i| i.code == id) else { return hidden };
                    let values = indicators::series(c, &tid, &ind.code, "")?;
                    Some(json!(IndicatorSeries { indicator: ind, values }))
                }
                _ => None,
            })
        })
        .await?;
    body.map(|b| HttpResponse::Ok().json(b)).ok_or_else(not_found)
}
