//! The trust's security audit log, for its tenant admins.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::repo::audit;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{Action, Visitor};
use crate::app::pages::{PageError, nav, page_access};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/admin/audit", web::get().to(audit_page));
}

async fn audit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ViewAudit)?;
    let tid = access.tenant.id.clone();
    let entries = state.tenant_db(&access.tenant.id, move |c| audit::for_tenant(c, &tid, 200)).await?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| json!({"at": e.at.format("%Y-%m-%d %H:%M:%S").to_string(), "action": e.action.replace('_', " "), "entity": e.entity_kind, "detail": e.detail, "ip": e.ip}))
        .collect();
    Ok(state.page(
        "audit",
        &json!({"title": format!("Audit log of {}", access.tenant.name), "nav": nav(&access), "entries": rows}),
    )?)
}
