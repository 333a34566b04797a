//! One-time links sent by email (confirming a sign-up, signing in) and the mail that carries
//! them. Only a link's hash is stored; a message is sent inside the transaction that wrote its
//! link, so if the mail cannot be sent, nothing is kept.

use chrono::Duration;
use handlebars::Handlebars;
use platform_db::conn::DbConnection;
use platform_db::error::DbError;
use platform_db::models::{EmailToken, TokenPurpose};
use platform_db::repo::accounts::{self as repo, LinkRefusal};
use platform_db::{SignupId, TenantId};

use super::AppState;
use crate::clock;
use crate::mail::{self, Mailer};
use crate::secrets;

/// Sign-in links last this long.
pub const LOGIN_LINK_TTL: Duration = Duration::minutes(15);
/// A council admin may not read their mail at once: confirmation links last a day.
pub const CONFIRM_LINK_TTL: Duration = Duration::hours(24);

pub fn refusal_text(r: LinkRefusal) -> &'static str {
    match r {
        LinkRefusal::Expired => "This link has expired.",
        LinkRefusal::Used => "This link has already been used.",
        LinkRefusal::Unknown => "This link is not valid.",
    }
}

fn mail_failed(e: mail::MailError) -> DbError {
    DbError::Unavailable(format!("the email could not be sent ({e}); nothing was saved, please try again"))
}

/// Writes a one-time link and returns its secret (only the hash is stored).
pub fn new_link(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    email: &str,
    tenant: Option<&TenantId>,
    signup: Option<&SignupId>,
    ttl: Duration,
) -> Result<String, DbError> {
    let token = secrets::random_token().map_err(|e| DbError::Other(e.to_string()))?;
    let now = clock::now();
    repo::create_email_token(
        conn,
        &EmailToken {
            token_hash: secrets::hash(&token),
            purpose,
            email: email.to_string(),
            tenant_id: tenant.cloned(),
            signup_id: signup.cloned(),
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
        },
    )?;
    Ok(token)
}

/// Everything sending mail needs, for use inside a blocking database transaction.
#[derive(Clone)]
pub struct Outgoing {
    pub mailer: std::sync::Arc<Mailer>,
    pub templates: std::sync::Arc<Handlebars<'static>>,
    pub base: String,
}

impl Outgoing {
    pub fn from_state(state: &AppState) -> Outgoing {
        Outgoing {
            mailer: state.mailer.clone(),
            templates: state.templates.clone(),
            base: state.public_url.as_str().trim_end_matches('/').to_string(),
        }
    }

    pub fn send(&self, to: &str, template: &str, key: &str, data: &serde_json::Value) -> Result<(), DbError> {
        let rendered = Mailer::render(&self.templates, template, data).map_err(mail_failed)?;
        let id = mail::message_id(key, "commissioning.platform");
        self.mailer.send(to, &id, &rendered).map_err(mail_failed)?;
        Ok(())
    }
}
