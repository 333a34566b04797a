//! The actions on a trust's members, each in one transaction with its audit entry (and, for an
//! invitation, its mail).

use platform_db::models::{Membership, Provider, Role, TokenPurpose, User};
use platform_db::repo::accounts as repo;
use platform_db::repo::{Page, audit, commissioning, users};
use platform_db::{MembershipId, ProviderId};
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access};
use crate::app::links::{LOGIN_LINK_TTL, Outgoing, new_link};
use crate::clock;
use crate::error::ApiError;

/// The trust's members, and its providers (a provider member is bound to one).
pub async fn members(state: &AppState, access: &Access) -> Result<(Vec<(Membership, User)>, Vec<Provider>), ApiError> {
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            Ok((users::members(c, &tid)?, commissioning::list_providers(c, &tid, Page::all())?.items))
        })
        .await
}

pub fn parse_role(text: &str) -> Result<Role, ApiError> {
    text.parse::<Role>().map_err(|m| ApiError::bad_request(Some("role"), m))
}

/// The provider a provider member is bound to; none for any other role.
pub fn parse_provider(role: Role, text: &str) -> Result<Option<ProviderId>, ApiError> {
    if role != Role::Provider || text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse::<ProviderId>()
        .map(Some)
        .map_err(|_| ApiError::bad_request(Some("provider_id"), "no such provider in this trust"))
}

/// Someone invited to the trust: a member with the role, and a sign-in link in the mail.
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub provider: Option<ProviderId>,
}

pub async fn invite(state: &AppState, access: &Access, invitation: Invitation, ip: &str) -> Result<(), ApiError> {
    let out = Outgoing::from_state(state);
    let tenant = access.tenant.clone();
    let actor = access.user.clone();
    let ip = ip.to_string();
    let Invitation { email, name, role, provider } = invitation;
    state
        .tenant_db(&access.tenant.id, move |c| {
            let (m, user) = repo::invite(c, &tenant.id, &email, &name, role, provider.as_ref(), clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tenant.id),
                    Some(&actor.id),
                    "member_invited",
                    ("membership", Some(m.id.to_string())),
                    json!({"email": user.email, "role": role, "provider_id": m.provider_id}),
                    &ip,
                ),
            )?;
            let token = new_link(c, TokenPurpose::Login, &user.email, Some(&tenant.id), None, LOGIN_LINK_TTL)?;
            out.send(
                &user.email,
                "invitation",
                &format!("invite:{}", m.id),
                &json!({
                    "tenant": tenant.name, "name": user.display_name, "inviter": actor.display_name,
                    "role": role.as_str().replace('_', " "),
                    "link": format!("{}/t/{}/login/link/{token}", out.base, tenant.slug),
                    "login": format!("{}/t/{}/login", out.base, tenant.slug), "minutes": LOGIN_LINK_TTL.num_minutes(),
                }),
            )
        })
        .await
}

pub async fn set_role(
    state: &AppState,
    access: &Access,
    id: MembershipId,
    role: Role,
    provider: Option<ProviderId>,
    ip: &str,
) -> Result<(), ApiError> {
    let tid = access.tenant.id.clone();
    let actor = access.user.id.clone();
    let ip = ip.to_string();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let (before, after) = repo::set_role(c, &tid, &id, role, provider.as_ref())?;
            audit::record(
                c,
                &auth::entry(Some(&tid), Some(&actor), "role_changed", ("membership", Some(id.to_string())), json!({"user": before.user_id, "from": before.role, "to": after.role, "provider_id": after.provider_id}), &ip),
            )
        })
        .await
}
