//! The operator's pages: the sign-ups waiting, the tenants, and the sign-in link's page.

use actix_web::{HttpResponse, web};
use platform_db::SignupId;
use platform_db::models::SignupStatus;
use serde_json::json;

use super::service::{self, operator};
use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::app::edge::see_other;
use crate::app::links::{Outgoing, refusal_text};
use crate::app::pages::{CsrfForm, PageError, TokenForm, button_page, ensure_session, message, with_cookie};
use crate::error::ApiError;
use crate::limits;
use crate::sessions::{self, SessionData};

pub(super) async fn operator_page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    let (pending, tenants) = service::overview(&state).await?;
    let pending: Vec<_> = pending
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "council_name": s.council_name, "ons_code": s.ons_code, "region": s.region,
                "admin": format!("{} <{}>", s.admin_name, s.admin_email), "slug": s.slug,
                "framework": format!("{}@{}", s.plugin_id, s.plugin_version),
                "ready": s.status == SignupStatus::AwaitingApproval,
                "status": s.status.as_str().replace('_', " "),
            })
        })
        .collect();
    Ok(state.page(
        "operator",
        &json!({"title": "Operator", "nav": null, "operator": me.email, "csrf": visitor.csrf(),
                "signups": pending, "tenants": tenants, "has_signups": !pending.is_empty()}),
    )?)
}

pub(super) async fn operator_link_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    if let Err(r) = service::link_is_valid(&state, &token).await? {
        return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
    }
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = button_page(
        &state,
        "Sign in as a platform operator",
        "Continue to sign in to the operator pages.",
        "/operator/login",
        &token,
        visitor.csrf(),
        "Sign in",
    )?;
    Ok(with_cookie(page, cookie))
}

pub(super) async fn operator_link_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let user = match service::use_link(&state, &form.token).await? {
        Ok(u) => u,
        Err(r) => {
            auth::record(
                &state,
                auth::entry(
                    None,
                    None,
                    "login_failed",
                    ("operator", None),
                    json!({"method": "operator_link", "reason": refusal_text(r)}),
                    &visitor.ip,
                ),
            )
            .await?;
            return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
        }
    };
    let data = SessionData { user_id: Some(user.id.clone()), operator: true, tenant_id: None, ..SessionData::fresh()? };
    let session = state.sessions.rotate(visitor.session.as_ref(), data, state.session_idle).await?;
    auth::record(
        &state,
        auth::entry(
            None,
            Some(&user.id),
            "login_succeeded",
            ("operator", Some(user.id.to_string())),
            json!({"method": "operator_link"}),
            &visitor.ip,
        ),
    )
    .await?;
    Ok(with_cookie(see_other("/operator"), Some(sessions::cookie(&session.id, state.secure_cookies))))
}

pub(super) async fn operator_decide(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    visitor.check_csrf(&form.csrf)?;
    let (id, decision) = path.into_inner();
    let id: SignupId = id.parse().map_err(|_| ApiError::NotFound("no such sign-up".into()))?;
    let ip = visitor.ip.clone();
    let me_id = me.id.clone();
    match decision.as_str() {
        "approve" => {
            let out = Outgoing::from_state(&state);
            state.db(move |c| service::approve(c, &out, &id, Some(&me_id), &ip)).await?;
        }
        "reject" => state.db(move |c| service::reject(c, &id, &me_id, &ip)).await?,
        _ => return Err(ApiError::NotFound("no such decision".into()).into()),
    }
    Ok(see_other("/operator"))
}
