//! Signing up through the JSON API.

use actix_web::{HttpResponse, web};
use platform_db::SignupId;
use platform_db::models::SignupStatus;
use platform_db::repo::accounts::NewSignup;

use super::service;
use crate::app::AppState;
use crate::app::auth::Visitor;
use crate::error::ApiError;

/// A sign-up received: the admin must now confirm their address.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SignupReceived {
    pub id: SignupId,
    pub status: SignupStatus,
    /// The slug the trust will have once approved.
    pub slug: String,
    pub framework: FrameworkVersion,
    pub message: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FrameworkVersion {
    pub id: String,
    pub version: String,
}

/// A council signs up; a confirmation link goes to the admin's address.
#[utoipa::path(post, path = "/api/v1/signups", tag = "sign-up", request_body = NewSignup,
    responses((status = 201, description = "recorded; a confirmation link has been sent", body = SignupReceived),
              (status = 400, description = "bad input: the field is named", body = crate::error::ErrorBody),
              (status = 429, description = "too many sign-ups from this address", body = crate::error::ErrorBody)))]
pub(crate) async fn signup_api(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Json<NewSignup>,
) -> Result<HttpResponse, ApiError> {
    let signup = service::sign_up(&state, body.into_inner(), &visitor.ip).await?;
    Ok(HttpResponse::Created().json(SignupReceived {
        id: signup.id,
        status: signup.status,
        slug: signup.slug,
        framework: FrameworkVersion { id: signup.plugin_id, version: signup.plugin_version },
        message: format!("a confirmation link has been sent to {}", signup.admin_email),
    }))
}
