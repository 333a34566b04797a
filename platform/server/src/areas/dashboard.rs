//! The trust's home page: what its commissioners see first (the totals and what is due), or,
//! for a provider member, their own contracts.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::repo::{Page, commissioning as cm};
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Action, Visitor};
use crate::app::pages::{PageError, nav, page_access};
use crate::clock;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/", web::get().to(dashboard)).route("/t/{slug}", web::get().to(dashboard_redirect));
}

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
                "id": k.id, "reference": k.reference, "title": k.title, "end": k.end_date.to_string(),
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
