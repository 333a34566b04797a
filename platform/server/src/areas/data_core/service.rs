//! Reading the data core within one tenant: a page of a list, or one record, as the caller may
//! see it (a provider member sees only their own provider's records).

use platform_db::ProviderId;
use platform_db::repo::{Paged, commissioning as cm, indicators};
use serde_json::json;

use crate::app::AppState;
use crate::app::api::{ListQuery, paged};
use crate::app::auth::Access;
use crate::error::ApiError;

/// An indicator of the shared catalogue with this trust's values for it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorSeries {
    pub indicator: platform_db::models::Indicator,
    pub values: Vec<platform_db::models::IndicatorValue>,
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

/// A page of the list of `kind` (None: there is no such list).
pub async fn list(
    state: &AppState,
    access: &Access,
    kind: String,
    query: &ListQuery,
) -> Result<Option<serde_json::Value>, ApiError> {
    let page = query.page()?;
    let by_provider = matches!(kind.as_str(), "providers" | "services" | "contracts" | "reviews");
    if !by_provider && query.provider_id.is_some() {
        return Err(ApiError::bad_request(Some("provider_id"), format!("{kind} cannot be filtered by provider")));
    }
    let provider = if by_provider { provider_filter(access, query)? } else { None };
    let tid = access.tenant.id.clone();
    state
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
        .await
}

/// One record of `kind` by its id (None: there is no such kind).
pub async fn item(
    state: &AppState,
    access: &Access,
    kind: String,
    id: String,
) -> Result<Option<serde_json::Value>, ApiError> {
    let tid = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    // A provider member sees a provider, service, contract or review only if it is theirs.
    let mine = move |p: Option<&ProviderId>| own.as_ref().is_none_or(|o| p == Some(o));
    state
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
        .await
}
