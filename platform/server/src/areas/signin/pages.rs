//! The sign-in page, email links, and signing out.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::models::{Tenant, User};
use serde::Deserialize;
use serde_json::json;

use super::service;
use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::app::edge::{safe_next, see_other};
use crate::app::links::{LOGIN_LINK_TTL, refusal_text};
use crate::app::pages::{CsrfForm, PageError, TokenForm, button_page, ensure_session, message, with_cookie};
use crate::error::ApiError;
use crate::limits;
use crate::sessions;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NextQuery {
    next: String,
}

pub(super) async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let tenant = auth::active_tenant(&state, &slug).await?;
    if auth::tenant_access(&state, &req, &visitor, &slug, false).await.is_ok() {
        return Ok(see_other(&safe_next(&slug, &query.next)));
    }
    let oidc = service::oidc_settings(&state, &tenant).await?;
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = state.page(
        "login",
        &json!({
            "title": format!("Sign in to {}", tenant.name), "nav": null, "slug": tenant.slug, "tenant": tenant.name,
            "oidc": oidc.is_some(), "csrf": visitor.csrf(), "minutes": LOGIN_LINK_TTL.num_minutes(),
        }),
    )?;
    Ok(with_cookie(page, cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EmailForm {
    email: String,
    csrf: String,
}

pub(super) async fn login_email(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let email = form.email.trim().to_lowercase();
    service::send_login_link(&state, &tenant, &email, &visitor.ip).await?;
    // The same answer whether or not the address belongs to a member.
    Ok(message(
        &state,
        200,
        "Check your email",
        &[
            format!("If {email} belongs to a member of {}, a sign-in link is on its way.", tenant.name),
            format!("The link works once and for {} minutes.", LOGIN_LINK_TTL.num_minutes()),
        ],
    )?)
}

pub(super) async fn login_link_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, token) = path.into_inner();
    let tenant = auth::active_tenant(&state, &slug).await?;
    if let Err(r) = service::login_link_is_valid(&state, &tenant, &token).await? {
        return Ok(message(
            &state,
            410,
            "Link not valid",
            &[refusal_text(r).into(), format!("Ask for a new one on the sign-in page of {}.", tenant.name)],
        )?);
    }
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = button_page(
        &state,
        &format!("Sign in to {}", tenant.name),
        "Continue to sign in.",
        &format!("/t/{slug}/login/link"),
        &token,
        visitor.csrf(),
        "Sign in",
    )?;
    Ok(with_cookie(page, cookie))
}

/// The member signs in: a new session, and on to where they were going in the trust.
pub(super) async fn sign_in(
    state: &AppState,
    visitor: &Visitor,
    tenant: &Tenant,
    user: &User,
    method: &str,
    next: &str,
) -> Result<HttpResponse, ApiError> {
    let session = service::start_session(state, visitor, tenant, user, method).await?;
    Ok(with_cookie(
        see_other(&safe_next(&tenant.slug, next)),
        Some(sessions::cookie(&session.id, state.secure_cookies)),
    ))
}

pub(super) async fn login_link_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    match service::use_login_link(&state, &tenant, &form.token).await? {
        Ok(user) => Ok(sign_in(&state, &visitor, &tenant, &user, "email_link", "").await?),
        Err(reason) => {
            service::login_failed(&state, &tenant, &visitor.ip, "email_link", reason).await?;
            Ok(message(
                &state,
                410,
                "Link not valid",
                &[reason_text(reason), format!("Ask for a new one on the sign-in page of {}.", tenant.name)],
            )?)
        }
    }
}

fn reason_text(reason: &str) -> String {
    if reason == "not a member" { "This link is not valid.".into() } else { reason.to_string() }
}

pub(super) async fn logout(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    service::sign_out(&state, &visitor).await?;
    Ok(with_cookie(see_other("/"), Some(sessions::removal(state.secure_cookies))))
}
