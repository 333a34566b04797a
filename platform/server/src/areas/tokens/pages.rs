//! The API tokens page and its forms.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ApiTokenId;
use platform_db::models::ApiToken;
use serde::Deserialize;
use serde_json::json;

use super::service;
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::edge::see_other;
use crate::app::pages::{CsrfForm, PageError, nav, page_access};
use crate::error::ApiError;

fn token_rows(tokens: &[ApiToken], slug: &str) -> Vec<serde_json::Value> {
    tokens
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "created": t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                "last_used": t.last_used_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
                "revoked": t.revoked_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
                "revoke": format!("/t/{slug}/tokens/{}/revoke", t.id),
            })
        })
        .collect()
}

async fn render_tokens(state: &AppState, access: &Access, new_token: Option<String>) -> Result<HttpResponse, ApiError> {
    let tokens = service::tokens(state, access).await?;
    state.page(
        "tokens",
        &json!({
            "title": "API tokens", "nav": nav(access), "slug": access.tenant.slug, "csrf": access.csrf(),
            "tokens": token_rows(&tokens, &access.tenant.slug), "new_token": new_token,
            "api": state.link(&format!("/api/v1/tenants/{}/contracts", access.tenant.slug)),
        }),
    )
}

pub(super) async fn tokens_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    Ok(render_tokens(&state, &access, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TokenNameForm {
    name: String,
    csrf: String,
}

pub(super) async fn token_create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<TokenNameForm>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    access.check_csrf(&form.csrf)?;
    let secret = service::create(&state, &access, &form.name, &visitor.ip).await?;
    Ok(render_tokens(&state, &access, Some(secret)).await?)
}

pub(super) async fn token_revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    access.check_csrf(&form.csrf)?;
    let id: ApiTokenId = id.parse().map_err(|_| ApiError::NotFound("no such token".into()))?;
    service::revoke(&state, &access, id, &visitor.ip).await?;
    Ok(see_other(&format!("/t/{slug}/tokens")))
}
