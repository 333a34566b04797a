//! The operators' actions, each in one transaction: the pages and the command line call these.

use platform_db::conn::{DbConnection, Scope, scoped};
use platform_db::error::DbError;
use platform_db::models::{Signup, SignupStatus, Tenant, TokenPurpose, User};
use platform_db::repo::accounts::{self as repo, LinkRefusal};
use platform_db::repo::{audit, users};
use platform_db::{SignupId, UserId};
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::app::links::{LOGIN_LINK_TTL, Outgoing, new_link};
use crate::clock;
use crate::error::ApiError;
use crate::secrets;

/// Approves a confirmed sign-up: the tenant becomes active with its slug and framework, the
/// admin is its first tenant admin and receives a sign-in link. One transaction, mail included.
pub fn approve(
    conn: &mut DbConnection,
    out: &Outgoing,
    signup: &SignupId,
    operator: Option<&UserId>,
    ip: &str,
) -> Result<(Tenant, User), DbError> {
    scoped(conn, Scope::Platform, |conn| {
        let (tenant, user, row) = repo::approve_signup(conn, signup, operator, clock::now())?;
        audit::record(
            conn,
            &auth::entry(
                None,
                operator,
                "tenant_approved",
                ("tenant", Some(tenant.id.to_string())),
                json!({"slug": tenant.slug, "signup": row.id, "framework": format!("{}@{}", row.plugin_id, row.plugin_version)}),
                ip,
            ),
        )?;
        audit::record(
            conn,
            &auth::entry(
                Some(&tenant.id),
                operator,
                "tenant_approved",
                ("tenant", Some(tenant.id.to_string())),
                json!({"slug": tenant.slug, "admin": user.email}),
                ip,
            ),
        )?;
        let token = new_link(conn, TokenPurpose::Login, &user.email, Some(&tenant.id), None, LOGIN_LINK_TTL)?;
        out.send(
            &user.email,
            "approved",
            &format!("approved:{}", tenant.id),
            &json!({
                "tenant": tenant.name, "name": user.display_name,
                "link": format!("{}/t/{}/login/link/{token}", out.base, tenant.slug),
                "login": format!("{}/t/{}/login", out.base, tenant.slug),
                "minutes": LOGIN_LINK_TTL.num_minutes(),
            }),
        )?;
        Ok((tenant, user))
    })
}

/// Rejects a sign-up.
pub fn reject(conn: &mut DbConnection, signup: &SignupId, operator: &UserId, ip: &str) -> Result<(), DbError> {
    scoped(conn, Scope::Platform, |c| {
        let s = repo::reject_signup(c, signup, Some(operator), clock::now())?;
        audit::record(
            c,
            &auth::entry(
                None,
                Some(operator),
                "signup_rejected",
                ("signup", Some(s.id.to_string())),
                json!({"council": s.council_name}),
                ip,
            ),
        )
    })
}

/// Creates (or promotes) an operator and returns a one-time sign-in link for them.
pub fn operator_link(conn: &mut DbConnection, base: &str, email: &str) -> Result<String, DbError> {
    scoped(conn, Scope::Platform, |conn| {
        let user = repo::make_operator(conn, email, clock::now())?;
        let token = new_link(conn, TokenPurpose::OperatorLogin, &user.email, None, None, LOGIN_LINK_TTL)?;
        audit::record(
            conn,
            &auth::entry(
                None,
                None,
                "operator_created",
                ("user", Some(user.id.to_string())),
                json!({"email": user.email}),
                "cli",
            ),
        )?;
        Ok(format!("{base}/operator/login/{token}"))
    })
}

/// The signed-in operator, re-checked against the database; anyone else gets "not found".
pub async fn operator(state: &AppState, visitor: &Visitor) -> Result<User, ApiError> {
    let not_found = || ApiError::NotFound("no such page".into());
    if !visitor.is_operator() {
        return Err(not_found());
    }
    let id = visitor.user_id().cloned().ok_or_else(not_found)?;
    let user = state.db(move |c| repo::user(c, &id)).await?;
    if user.is_operator { Ok(user) } else { Err(not_found()) }
}

/// The sign-ups waiting for an operator (or for their admin's confirmation), and every tenant.
pub async fn overview(state: &AppState) -> Result<(Vec<Signup>, Vec<Tenant>), ApiError> {
    state
        .platform_db(|c| {
            Ok((
                repo::signups_in(c, &[SignupStatus::AwaitingApproval, SignupStatus::AwaitingEmail])?,
                platform_db::repo::tenants::list_all(c)?,
            ))
        })
        .await
}

/// An operator's sign-in link, looked at without using it up.
pub async fn link_is_valid(state: &AppState, token: &str) -> Result<Result<(), LinkRefusal>, ApiError> {
    let hash = secrets::hash(token);
    let found =
        state.db(move |c| repo::peek_email_token(c, &hash, TokenPurpose::OperatorLogin, None, clock::now())).await?;
    Ok(found.map(|_| ()))
}

/// Uses up an operator's sign-in link: the operator it was made for.
pub async fn use_link(state: &AppState, token: &str) -> Result<Result<User, LinkRefusal>, ApiError> {
    let hash = secrets::hash(token);
    state
        .db(move |c| {
            let used = repo::consume_email_token(c, &hash, TokenPurpose::OperatorLogin, None, clock::now())?;
            Ok(match used {
                Ok(t) => users::by_email(c, &t.email)?.filter(|u| u.is_operator).ok_or(LinkRefusal::Unknown),
                Err(r) => Err(r),
            })
        })
        .await
}
