//! Who is asking, and for which tenant. Every tenant route resolves exactly one tenant from its
//! path and goes through [`tenant_access`]; every action is checked by [`Access::require`], the
//! one guard. Someone with no membership of the tenant gets "not found" for everything of it.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, web};
use platform_db::conn::Scope;
use platform_db::models::{AuditEntry, Membership, Role, Tenant, TenantStatus, User};
use platform_db::repo::{accounts, audit, tenants, users};
use platform_db::{AuditId, ProviderId, TenantId, UserId};

use super::AppState;
use crate::clock;
use crate::error::ApiError;
use crate::secrets;
use crate::sessions::{COOKIE, Session};

/// The visitor of a request: their session, if the cookie names a live one, and their address.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub session: Option<Session>,
    pub ip: String,
}

impl Visitor {
    pub fn user_id(&self) -> Option<&UserId> {
        self.session.as_ref().and_then(|s| s.data.user_id.as_ref())
    }

    pub fn is_operator(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.data.operator && s.data.user_id.is_some())
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.data.csrf.as_str())
    }

    /// A form's CSRF token must match its session's.
    pub fn check_csrf(&self, given: &str) -> Result<(), ApiError> {
        check_csrf(self.session.as_ref(), given)
    }
}

/// A form's CSRF token must match the token of the session it was posted in.
pub fn check_csrf(session: Option<&Session>, given: &str) -> Result<(), ApiError> {
    match session {
        Some(s) if !given.is_empty() && secrets::same(&s.data.csrf, given) => Ok(()),
        _ => Err(ApiError::Forbidden(
            "this form has expired or did not come from this site; go back, reload the page and try again".into(),
        )),
    }
}

/// The client's address: the connection's peer, or the first `X-Forwarded-For` hop when the
/// platform is configured to trust its load balancer.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded.split(',').next().map(str::trim).filter(|s| !s.is_empty())
    {
        return first.chars().take(64).collect();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

impl FromRequest for Visitor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Visitor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let ip = client_ip(&req, state.trust_proxy);
            let session = match req.cookie(COOKIE) {
                Some(c) if c.value().len() == 43 => state.sessions.load(c.value(), state.session_idle).await?,
                _ => None,
            };
            // Keep an active session alive without writing on every request.
            let session = match session {
                Some(mut s) if clock::now().and_utc().timestamp() - s.data.seen_at > 60 => {
                    state.sessions.save(&mut s, state.session_idle).await?;
                    Some(s)
                }
                other => other,
            };
            Ok(Visitor { session, ip })
        })
    }
}

/// What a role may do. Reading is filtered further for providers (their own contracts only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The data core and the framework: every member.
    Read,
    /// API tokens of one's own: every member.
    OwnTokens,
    /// Invite members and change roles.
    ManageMembers,
    /// The trust's identity-provider settings.
    ManageSettings,
    /// The trust's security audit log.
    ViewAudit,
    /// The commissioning cycle's records: needs, priorities, providers, services, projects,
    /// contracts and their events: commissioners and tenant admins.
    Commission,
    /// Record decisions and review outcomes: board members too.
    Decide,
    /// Submit monitoring returns: a provider for its own contracts, and commissioners.
    SubmitReturns,
}

impl Action {
    pub fn allowed(self, role: Role) -> bool {
        match self {
            Action::Read | Action::OwnTokens => true,
            Action::ManageMembers | Action::ManageSettings | Action::ViewAudit => role == Role::TenantAdmin,
            Action::Commission => matches!(role, Role::TenantAdmin | Role::Commissioner),
            Action::Decide => matches!(role, Role::TenantAdmin | Role::Commissioner | Role::BoardMember),
            Action::SubmitReturns => matches!(role, Role::TenantAdmin | Role::Commissioner | Role::Provider),
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    Session(Box<Session>),
    Token,
}

/// Who a unit of work acts for: a member's access reduced to what the work records (the
/// demo data's seeding acts as the trust's demo commissioner the same way).
#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant: TenantId,
    pub user: UserId,
    pub ip: String,
    /// The provider a provider member is bound to.
    pub provider: Option<ProviderId>,
}

impl Actor {
    /// The audit entry of something this actor did to a record of the tenant.
    pub fn audit(
        &self,
        action: &str,
        kind: &str,
        id: impl std::fmt::Display,
        detail: String,
        now: chrono::NaiveDateTime,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(),
            tenant_id: Some(self.tenant.clone()),
            actor_user_id: Some(self.user.clone()),
            action: action.into(),
            entity_kind: kind.into(),
            entity_id: Some(id.to_string()),
            detail,
            ip: Some(self.ip.clone()),
            at: now,
        }
    }
}

/// A member of a tenant acting in it.
#[derive(Debug, Clone)]
pub struct Access {
    pub tenant: Tenant,
    pub user: User,
    pub membership: Membership,
    pub via: Via,
    /// The caller's address, for the audit log.
    pub ip: String,
}

impl Access {
    pub fn role(&self) -> Role {
        self.membership.role
    }

    /// The one guard: every tenant route calls it before it reads or changes anything.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if action.allowed(self.role()) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "your role ({}) does not allow this; ask a tenant admin of {}",
                self.role().as_str().replace('_', " "),
                self.tenant.name
            )))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            tenant: self.tenant.id.clone(),
            user: self.user.id.clone(),
            ip: self.ip.clone(),
            provider: self.provider_scope().cloned(),
        }
    }

    /// The provider a provider member is bound to: they see only its contracts.
    pub fn provider_scope(&self) -> Option<&ProviderId> {
        match self.role() {
            Role::Provider => self.membership.provider_id.as_ref(),
            _ => None,
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session(s) => &s.data.csrf,
            Via::Token => "",
        }
    }

    /// A form posted by this member carries their session's CSRF token (never so for a token).
    pub fn check_csrf(&self, given: &str) -> Result<(), ApiError> {
        match &self.via {
            Via::Session(s) => check_csrf(Some(s), given),
            Via::Token => check_csrf(None, given),
        }
    }
}

/// A trust's slug from a path, checked before it goes anywhere: control characters are a 400
/// naming the field; anything else that is not slug-shaped names no trust.
pub fn checked_slug(slug: &str) -> Result<&str, ApiError> {
    platform_db::repo::validate::plain("slug", slug, 200)?;
    match platform_db::repo::validate::slug(slug) {
        Ok(()) => Ok(slug),
        Err(_) => Err(ApiError::NotFound("no such trust".into())),
    }
}

/// An active tenant by slug; any other status is "not found".
pub async fn active_tenant(state: &AppState, slug: &str) -> Result<Tenant, ApiError> {
    let slug = checked_slug(slug)?.to_string();
    let found = state.db(move |conn| tenants::by_slug(conn, &slug)).await?;
    found.filter(|t| t.status == TenantStatus::Active).ok_or_else(|| ApiError::NotFound("no such trust".into()))
}

/// Resolves the tenant of the path and the caller's membership of it. A bearer token (API
/// routes) or a session bound to this tenant. No credentials: `Unauthenticated`. A caller who is
/// not a member: `NotFound`, exactly as for a trust that does not exist.
pub async fn tenant_access(
    state: &AppState,
    req: &HttpRequest,
    visitor: &Visitor,
    slug: &str,
    allow_token: bool,
) -> Result<Access, ApiError> {
    let slug = checked_slug(slug)?.to_string();
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    if bearer.is_some() && !allow_token {
        active_tenant(state, &slug).await?;
        return Err(ApiError::bad_request(None, "API tokens are for the JSON API; pages need a signed-in session"));
    }
    let session = visitor.session.clone();
    let session_user = session.as_ref().and_then(|s| s.data.user_id.clone());
    if bearer.is_none() && session_user.is_none() {
        // Whether the trust exists is not told to someone who has not signed in.
        active_tenant(state, &slug).await?;
        return Err(ApiError::Unauthenticated);
    }
    let hash = bearer.as_deref().map(secrets::hash);
    // One trip to the database: the trust by its slug, then, within its scope, the caller's
    // token (marked used) or session user, and their membership.
    let (tenant, found) = state
        .db(move |conn| {
            let Some(tenant) = tenants::by_slug(conn, &slug)?.filter(|t| t.status == TenantStatus::Active) else {
                return Ok(None);
            };
            let tid = tenant.id.clone();
            let found = platform_db::conn::scoped(conn, Scope::Tenant(&tid), |conn| {
                let user_id = match &hash {
                    Some(hash) => match accounts::use_api_token(conn, &tid, hash, clock::now())? {
                        Some(t) => t.user_id,
                        None => return Ok(None),
                    },
                    None => match session_user {
                        Some(u) => u,
                        None => return Ok(None),
                    },
                };
                let m = users::membership(conn, &tid, &user_id)?;
                match m {
                    Some(m) => Ok(Some((m, accounts::user(conn, &user_id)?))),
                    None => Ok(None),
                }
            })?;
            Ok(Some((tenant, found)))
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("no such trust".into()))?;
    let ip = client_ip(req, state.trust_proxy);
    if let Some(token) = bearer {
        return match found {
            Some((membership, user)) => Ok(Access { tenant, user, membership, via: Via::Token, ip }),
            None => {
                // A live token of another trust: its holder is not a member here, so this trust
                // does not exist for them. An unknown or revoked token must sign in again.
                let hash = secrets::hash(&token);
                let elsewhere = state.platform_db(move |conn| accounts::api_token_is_live(conn, &hash)).await?;
                Err(if elsewhere { ApiError::NotFound("no such trust".into()) } else { ApiError::Unauthenticated })
            }
        };
    }
    let Some(session) = session else { return Err(ApiError::Unauthenticated) };
    match found {
        Some((membership, user)) if session.data.tenant_id.as_ref() == Some(&tenant.id) => {
            Ok(Access { tenant, user, membership, via: Via::Session(Box::new(session)), ip })
        }
        // A member signed in to another trust: they sign in here too.
        Some(_) => Err(ApiError::Unauthenticated),
        None => Err(ApiError::NotFound("no such trust".into())),
    }
}

/// An audit entry for a security event.
pub fn entry(
    tenant: Option<&TenantId>,
    actor: Option<&UserId>,
    action: &str,
    entity: (&str, Option<String>),
    detail: serde_json::Value,
    ip: &str,
) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(),
        tenant_id: tenant.cloned(),
        actor_user_id: actor.cloned(),
        action: action.to_string(),
        entity_kind: entity.0.to_string(),
        entity_id: entity.1,
        detail: detail.to_string(),
        ip: Some(ip.to_string()),
        at: clock::now(),
    }
}

/// Records an audit entry in its own unit of work (tenant scope, or platform scope).
pub async fn record(state: &AppState, entry: AuditEntry) -> Result<(), ApiError> {
    let scope_tenant = entry.tenant_id.clone();
    state
        .db(move |conn| {
            let scope = match &scope_tenant {
                Some(t) => Scope::Tenant(t),
                None => Scope::Platform,
            };
            platform_db::conn::scoped(conn, scope, |conn| audit::record(conn, &entry))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tenant_admins_manage_members_settings_and_the_audit_log() {
        for role in Role::ALL {
            let admin = *role == Role::TenantAdmin;
            assert!(Action::Read.allowed(*role) && Action::OwnTokens.allowed(*role), "{role:?}");
            assert_eq!(Action::ManageMembers.allowed(*role), admin, "{role:?}");
            assert_eq!(Action::ManageSettings.allowed(*role), admin, "{role:?}");
            assert_eq!(Action::ViewAudit.allowed(*role), admin, "{role:?}");
            let commissions = matches!(role, Role::TenantAdmin | Role::Commissioner);
            assert_eq!(Action::Commission.allowed(*role), commissions, "{role:?}");
            assert_eq!(Action::Decide.allowed(*role), commissions || *role == Role::BoardMember, "{role:?}");
            assert_eq!(Action::SubmitReturns.allowed(*role), commissions || *role == Role::Provider, "{role:?}");
            assert!(!Action::Commission.allowed(Role::Viewer) && !Action::Decide.allowed(Role::Viewer));
        }
    }
}
