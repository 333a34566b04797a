//! The sign-up form and the page a confirmation link opens. Email links are never used up by
//! opening them (council mail systems open links to scan them): the link shows a page with a
//! button, and the button's POST confirms.

use actix_web::{HttpResponse, web};
use platform_db::repo::accounts::NewSignup;
use serde::Deserialize;
use serde_json::json;

use super::service;
use crate::app::AppState;
use crate::app::auth::Visitor;
use crate::app::links::refusal_text;
use crate::app::pages::{
    PageError, TokenForm, button_page, ensure_session, form_error, message, page_with_status, with_cookie,
};
use crate::error::ApiError;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SignupForm {
    council_name: String,
    ons_code: String,
    region: String,
    admin_name: String,
    admin_email: String,
    framework: String,
    csrf: String,
}

async fn render_signup(
    state: &AppState,
    visitor: &Visitor,
    form: &SignupForm,
    error: Option<&ApiError>,
) -> Result<HttpResponse, ApiError> {
    let frameworks: Vec<serde_json::Value> = service::framework_choices(state)
        .await?
        .into_iter()
        .map(|mut f| {
            f["selected"] = json!(f["id"] == form.framework.as_str());
            f
        })
        .collect();
    let regions: Vec<serde_json::Value> = platform_db::models::ENGLISH_REGIONS
        .iter()
        .map(|r| json!({"name": r, "selected": *r == form.region}))
        .collect();
    let (message, field) = form_error(error);
    page_with_status(
        state,
        "signup",
        &json!({
            "title": "Sign up your council",
            "nav": null,
            "csrf": visitor.csrf(),
            "form": {
                "council_name": form.council_name, "ons_code": form.ons_code, "admin_name": form.admin_name,
                "admin_email": form.admin_email,
            },
            "frameworks": frameworks,
            "regions": regions,
            "error": message,
            "error_field": field,
        }),
        error,
    )
}

pub(super) async fn signup_page(state: web::Data<AppState>, mut visitor: Visitor) -> Result<HttpResponse, PageError> {
    let cookie = ensure_session(&state, &mut visitor).await?;
    Ok(with_cookie(render_signup(&state, &visitor, &SignupForm::default(), None).await?, cookie))
}

pub(super) async fn signup_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    let new = NewSignup {
        council_name: form.council_name.clone(),
        ons_code: form.ons_code.trim().to_uppercase(),
        region: form.region.clone(),
        admin_name: form.admin_name.clone(),
        admin_email: form.admin_email.clone(),
        framework: form.framework.clone(),
    };
    match service::sign_up(&state, new, &visitor.ip).await {
        Ok(signup) => Ok(message(
            &state,
            200,
            "Check your email",
            &[format!(
                "We have sent a link to {} to confirm the address. Once it is confirmed, a platform operator will review the sign-up of {}.",
                signup.admin_email, signup.council_name
            )],
        )?),
        Err(e @ (ApiError::BadRequest { .. } | ApiError::Conflict(_) | ApiError::Taken { .. })) => {
            Ok(render_signup(&state, &visitor, &form, Some(&e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn confirm_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    match service::confirmation_link(&state, &token).await? {
        Err(r) => Ok(message(
            &state,
            410,
            "Link not valid",
            &[refusal_text(r).into(), "Sign up again to get a new link.".into()],
        )?),
        Ok(t) => {
            let cookie = ensure_session(&state, &mut visitor).await?;
            let page = button_page(
                &state,
                "Confirm your email address",
                &format!("Confirm that {} is your address to continue the sign-up.", t.email),
                "/signup/confirm",
                &token,
                visitor.csrf(),
                "Confirm email address",
            )?;
            Ok(with_cookie(page, cookie))
        }
    }
}

pub(super) async fn confirm_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    match service::confirm(&state, &form.token, &visitor.ip).await? {
        Err(r) => Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?),
        Ok(signup) => Ok(message(
            &state,
            200,
            "Email address confirmed",
            &[format!(
                "Thank you. A platform operator will now review the sign-up of {}. When it is approved, {} will receive a link to sign in.",
                signup.council_name, signup.admin_email
            )],
        )?),
    }
}
