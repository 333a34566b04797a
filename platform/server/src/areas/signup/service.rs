//! The actions of signing up, each in one transaction, for the form and the API alike.

use platform_db::error::DbError;
use platform_db::models::{EmailToken, Signup, TokenPurpose};
use platform_db::repo::accounts::{self as repo, LinkRefusal, NewSignup};
use platform_db::repo::{audit, plugins as registry};
use serde_json::json;

use crate::app::AppState;
use crate::app::auth;
use crate::app::links::{CONFIRM_LINK_TTL, Outgoing, new_link};
use crate::clock;
use crate::error::ApiError;
use crate::limits;
use crate::secrets;

/// Frameworks a council may choose: each plugin with an approved version.
pub async fn framework_choices(state: &AppState) -> Result<Vec<serde_json::Value>, ApiError> {
    let all = state.db(registry::list).await?;
    let mut seen: Vec<serde_json::Value> = Vec::new();
    for p in all.into_iter().filter(|p| p.approved) {
        if !seen.iter().any(|s| s["id"] == p.id.as_str()) {
            seen.push(json!({"id": p.id, "name": p.name}));
        }
    }
    Ok(seen)
}

/// Records the sign-up and mails the confirmation link in one transaction: if the mail cannot
/// be sent, nothing is kept.
pub async fn sign_up(state: &AppState, new: NewSignup, ip: &str) -> Result<Signup, ApiError> {
    state.limiter.hit(limits::SIGNUP_PER_IP, ip).await?;
    let out = Outgoing::from_state(state);
    let ip = ip.to_string();
    state
        .platform_db(move |conn| {
            let signup = repo::create_signup(conn, &new, clock::now())?;
            let token = new_link(
                conn,
                TokenPurpose::ConfirmSignup,
                &signup.admin_email,
                None,
                Some(&signup.id),
                CONFIRM_LINK_TTL,
            )?;
            audit::record(
                conn,
                &auth::entry(
                    None,
                    None,
                    "signup_received",
                    ("signup", Some(signup.id.to_string())),
                    json!({"council": signup.council_name, "ons_code": signup.ons_code}),
                    &ip,
                ),
            )?;
            out.send(
                &signup.admin_email,
                "confirm_signup",
                &format!("signup:{}", signup.id),
                &json!({
                    "tenant": signup.council_name, "name": signup.admin_name,
                    "link": format!("{}/signup/confirm/{token}", out.base), "hours": CONFIRM_LINK_TTL.num_hours(),
                }),
            )?;
            Ok(signup)
        })
        .await
}

/// The confirmation link, looked at without using it up.
pub async fn confirmation_link(state: &AppState, token: &str) -> Result<Result<EmailToken, LinkRefusal>, ApiError> {
    let hash = secrets::hash(token);
    state.db(move |c| repo::peek_email_token(c, &hash, TokenPurpose::ConfirmSignup, None, clock::now())).await
}

/// Uses up the confirmation link: the admin's address is confirmed and the sign-up waits for
/// an operator.
pub async fn confirm(state: &AppState, token: &str, ip: &str) -> Result<Result<Signup, LinkRefusal>, ApiError> {
    let hash = secrets::hash(token);
    let ip = ip.to_string();
    state
        .platform_db(move |conn| {
            let used = repo::consume_email_token(conn, &hash, TokenPurpose::ConfirmSignup, None, clock::now())?;
            let token = match used {
                Ok(t) => t,
                Err(r) => return Ok(Err(r)),
            };
            let id = token.signup_id.ok_or(DbError::NotFound)?;
            let signup = repo::confirm_signup_email(conn, &id, clock::now())?;
            audit::record(
                conn,
                &auth::entry(None, None, "signup_confirmed", ("signup", Some(id.to_string())), json!({}), &ip),
            )?;
            Ok(Ok(signup))
        })
        .await
}
