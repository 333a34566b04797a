//! The tenant admin's page for the trust's identity provider.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::models::TenantOidc;
use serde::Deserialize;
use serde_json::json;

use super::service::{self, OidcInput};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::pages::{PageError, form_error, nav, page_access, page_with_status};
use crate::error::ApiError;

pub(super) async fn oidc_settings_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageSettings)?;
    let current = service::oidc_settings(&state, &access.tenant).await?;
    render_oidc(&state, &access, current.as_ref(), None, None).map_err(Into::into)
}

fn render_oidc(
    state: &AppState,
    access: &Access,
    current: Option<&TenantOidc>,
    form: Option<&OidcForm>,
    error: Option<&ApiError>,
) -> Result<HttpResponse, ApiError> {
    let (message, field) = form_error(error);
    let values = match (form, current) {
        (Some(f), _) => json!({"issuer": f.issuer, "client_id": f.client_id, "allowed_domains": f.allowed_domains}),
        (None, Some(c)) => {
            json!({"issuer": c.issuer, "client_id": c.client_id, "allowed_domains": c.domains().join(", ")})
        }
        (None, None) => json!({"issuer": "", "client_id": "", "allowed_domains": ""}),
    };
    page_with_status(
        state,
        "oidc",
        &json!({
            "title": "Sign-in with your identity provider", "nav": nav(access), "slug": access.tenant.slug,
            "values": values, "configured": current.is_some(), "csrf": access.csrf(),
            "redirect_uri": state.link(&format!("/t/{}/oidc/callback", access.tenant.slug)),
            "key_missing": state.sealer.is_none(), "error": message, "error_field": field,
            "saved": form.is_some() && error.is_none(),
        }),
        error,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct OidcForm {
    issuer: String,
    client_id: String,
    client_secret: String,
    allowed_domains: String,
    csrf: String,
}

pub(super) async fn oidc_settings_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<OidcForm>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageSettings)?;
    access.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let current = service::oidc_settings(&state, &access.tenant).await?;
    let input = OidcInput {
        issuer: &form.issuer,
        client_id: &form.client_id,
        client_secret: &form.client_secret,
        allowed_domains: &form.allowed_domains,
    };
    let row = match service::check_oidc_settings(&state, &access, &input, current.as_ref()).await {
        Ok(r) => r,
        Err(e) => return Ok(render_oidc(&state, &access, current.as_ref(), Some(&form), Some(&e))?),
    };
    service::save_oidc_settings(&state, &access, row.clone(), &visitor.ip).await?;
    Ok(render_oidc(&state, &access, Some(&row), Some(&form), None)?)
}
