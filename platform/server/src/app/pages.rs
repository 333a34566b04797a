//! What every page shares: rendering, the error page, tenant access for a page (a visitor who
//! must sign in is sent to the trust's sign-in page), the navigation, plain message pages, the
//! session a form needs, and the summary of a form's error.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};
use handlebars::Handlebars;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::auth::{Access, Action, Visitor};
use crate::error::ApiError;
use crate::sessions::{self, SessionData};

/// The templates, for error pages (which are rendered without the request's state).
static PAGE_TEMPLATES: std::sync::OnceLock<std::sync::Arc<Handlebars<'static>>> = std::sync::OnceLock::new();

pub fn set_page_templates(t: std::sync::Arc<Handlebars<'static>>) {
    let _ = PAGE_TEMPLATES.set(t);
}

/// An error on a page route: shown as a page, not JSON. A visitor who must sign in is sent to
/// the trust's sign-in page.
#[derive(Debug)]
pub struct PageError {
    pub error: ApiError,
    pub login: Option<String>,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        PageError { error, login: None }
    }
}

impl From<platform_plugins::PluginError> for PageError {
    fn from(e: platform_plugins::PluginError) -> PageError {
        PageError { error: e.into(), login: None }
    }
}

impl From<platform_db::DbError> for PageError {
    fn from(e: platform_db::DbError) -> PageError {
        PageError { error: e.into(), login: None }
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match (&self.error, &self.login) {
            (ApiError::Unauthenticated, Some(_)) => StatusCode::SEE_OTHER,
            _ => self.error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let (ApiError::Unauthenticated, Some(login)) = (&self.error, &self.login) {
            return super::edge::see_other(login);
        }
        let reference = self.error.log_internal();
        let title = match self.error.status_code().as_u16() {
            400 => "There is a problem",
            401 => "Sign in first",
            403 => "You cannot do that",
            404 => "Page not found",
            409 => "That has already been done",
            429 => "Too many attempts",
            502..=504 => "Sorry, the service is unavailable",
            _ => "Sorry, there is a problem with the service",
        };
        let field = self.error.field().map(str::to_string);
        let message = match &reference {
            Some(id) => format!("{} Quote reference {id} if you contact us.", self.error),
            None => self.error.to_string(),
        };
        let data = json!({"title": title, "message": message, "field": field});
        let body = PAGE_TEMPLATES
            .get()
            .and_then(|t| t.render("error", &data).ok())
            .unwrap_or_else(|| format!("<!DOCTYPE html><title>{title}</title><h1>{title}</h1>"));
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::TooManyRequests(secs) = &self.error {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response.content_type(ContentType::html()).body(body)
    }
}

pub fn render(state: &AppState, template: &str, data: &serde_json::Value) -> Result<String, ApiError> {
    state.templates.render(template, data).map_err(|e| ApiError::Internal(format!("rendering {template}: {e}")))
}

/// A page answered with the status of the error it shows, if any (200 otherwise).
pub fn page_with_status(
    state: &AppState,
    template: &str,
    data: &serde_json::Value,
    error: Option<&ApiError>,
) -> Result<HttpResponse, ApiError> {
    let html = render(state, template, data)?;
    let status = error.map_or(StatusCode::OK, actix_web::ResponseError::status_code);
    Ok(HttpResponse::build(status).content_type(ContentType::html()).body(html))
}

/// What a form shows of an error: its message, and the field at fault where the input was bad
/// or a value is taken (the field is then marked and linked from the summary).
pub fn form_error(error: Option<&ApiError>) -> (Option<String>, Option<String>) {
    match error {
        Some(e @ (ApiError::BadRequest { .. } | ApiError::Taken { .. })) => {
            (Some(e.to_string()), e.field().map(str::to_string))
        }
        Some(e) => (Some(e.to_string()), None),
        None => (None, None),
    }
}

/// A plain page with a heading and some paragraphs.
pub fn message(state: &AppState, status: u16, title: &str, paragraphs: &[String]) -> Result<HttpResponse, ApiError> {
    let html = render(state, "message", &json!({"title": title, "paragraphs": paragraphs, "nav": null}))?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Ok(HttpResponse::build(status).content_type(ContentType::html()).body(html))
}

/// A page with one button that POSTs the link's token: opening a link never uses it up.
pub fn button_page(
    state: &AppState,
    title: &str,
    text: &str,
    action: &str,
    token: &str,
    csrf: &str,
    button: &str,
) -> Result<HttpResponse, ApiError> {
    state.page(
        "link",
        &json!({"title": title, "text": text, "action": action, "token": token, "csrf": csrf, "button": button, "nav": null}),
    )
}

/// Makes sure the visitor has a session (forms need its CSRF token); the cookie to set if new.
pub async fn ensure_session(
    state: &AppState,
    visitor: &mut Visitor,
) -> Result<Option<actix_web::cookie::Cookie<'static>>, ApiError> {
    if visitor.session.is_some() {
        return Ok(None);
    }
    let session = state.sessions.create(SessionData::fresh()?, state.session_idle).await?;
    let cookie = sessions::cookie(&session.id, state.secure_cookies);
    visitor.session = Some(session);
    Ok(Some(cookie))
}

pub fn with_cookie(mut response: HttpResponse, cookie: Option<actix_web::cookie::Cookie<'static>>) -> HttpResponse {
    if let Some(c) = cookie {
        let _ = response.add_cookie(&c);
    }
    response
}

/// A form that carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// The button of a [`button_page`]: the link's token and the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub token: String,
    pub csrf: String,
}

/// Tenant access for a page: a visitor who must sign in is sent to the trust's sign-in page.
pub async fn page_access(
    state: &AppState,
    req: &HttpRequest,
    visitor: &Visitor,
    slug: &str,
) -> Result<Access, PageError> {
    super::auth::tenant_access(state, req, visitor, slug, false).await.map_err(|error| match error {
        ApiError::Unauthenticated => {
            let next = req.path().to_string();
            PageError {
                error,
                login: Some(format!(
                    "/t/{slug}/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )),
            }
        }
        other => other.into(),
    })
}

/// What the navigation of a tenant's pages shows, by role.
pub fn nav(access: &Access) -> serde_json::Value {
    json!({
        "slug": access.tenant.slug,
        "tenant": access.tenant.name,
        "user": access.user.display_name,
        "role": access.role().as_str().replace('_', " "),
        "csrf": access.csrf(),
        "admin": Action::ManageMembers.allowed(access.role()),
        // A provider's staff see their own contracts from the trust's home page, not the cycle.
        "cycle": access.provider_scope().is_none(),
        "reminders": Action::Commission.allowed(access.role()),
    })
}
