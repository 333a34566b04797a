//! The actions of signing in, each in one transaction: sending and using email links, starting
//! a member's session, admitting an identity provider's account, and the identity provider's
//! settings.

use platform_db::models::{Role, Tenant, TenantOidc, TokenPurpose, User};
use platform_db::repo::accounts::{self as repo, LinkRefusal};
use platform_db::repo::{audit, users};
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access, Visitor};
use crate::app::links::{LOGIN_LINK_TTL, Outgoing, new_link, refusal_text};
use crate::clock;
use crate::error::{ApiError, internal};
use crate::limits;
use crate::secrets;
use crate::sessions::{Session, SessionData};

/// The client of an identity provider, as discovery at its issuer sets it up.
pub type OidcClient = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The trust's identity-provider settings, if it has any.
pub async fn oidc_settings(state: &AppState, tenant: &Tenant) -> Result<Option<TenantOidc>, ApiError> {
    let tid = tenant.id.clone();
    state.tenant_db(&tenant.id, move |c| repo::oidc_settings(c, &tid)).await
}

/// Mails a sign-in link to `email` if it belongs to a member of the trust; otherwise does
/// nothing, and the caller cannot tell which happened.
pub async fn send_login_link(state: &AppState, tenant: &Tenant, email: &str, ip: &str) -> Result<(), ApiError> {
    platform_db::repo::validate::email("email", email)?;
    state.limiter.hit(limits::LINK_PER_IP, ip).await?;
    // Counted per address and client together: someone else asking for links to a member's
    // address cannot lock that member out of signing in from their own browser.
    state.limiter.hit(limits::LINK_PER_ADDRESS, &format!("{email}|{ip}")).await?;
    let out = Outgoing::from_state(state);
    let t = tenant.clone();
    let email = email.to_string();
    state
        .tenant_db(&tenant.id, move |conn| {
            let Some(user) = users::by_email(conn, &email)? else { return Ok(()) };
            if users::membership(conn, &t.id, &user.id)?.is_none() {
                return Ok(());
            }
            let token = new_link(conn, TokenPurpose::Login, &user.email, Some(&t.id), None, LOGIN_LINK_TTL)?;
            out.send(
                &user.email,
                "login_link",
                &format!("login:{}", secrets::hash(&token)),
                &json!({
                    "tenant": t.name, "name": user.display_name,
                    "link": format!("{}/t/{}/login/link/{token}", out.base, t.slug), "minutes": LOGIN_LINK_TTL.num_minutes(),
                }),
            )
        })
        .await
}

/// A sign-in link of the trust, looked at without using it up.
pub async fn login_link_is_valid(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<Result<(), LinkRefusal>, ApiError> {
    let hash = secrets::hash(token);
    let tid = tenant.id.clone();
    let found = state
        .tenant_db(&tenant.id, move |c| repo::peek_email_token(c, &hash, TokenPurpose::Login, Some(&tid), clock::now()))
        .await?;
    Ok(found.map(|_| ()))
}

/// Uses up a sign-in link: the member it was sent to, or why not.
pub async fn use_login_link(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<Result<User, &'static str>, ApiError> {
    let hash = secrets::hash(token);
    let tid = tenant.id.clone();
    state
        .tenant_db(&tenant.id, move |c| {
            let token = match repo::consume_email_token(c, &hash, TokenPurpose::Login, Some(&tid), clock::now())? {
                Ok(t) => t,
                Err(r) => return Ok(Err(refusal_text(r))),
            };
            let Some(user) = users::by_email(c, &token.email)? else { return Ok(Err("not a member")) };
            if users::membership(c, &tid, &user.id)?.is_none() {
                return Ok(Err("not a member"));
            }
            Ok(Ok(user))
        })
        .await
}

/// The member signs in: a new session id, bound to this tenant.
pub async fn start_session(
    state: &AppState,
    visitor: &Visitor,
    tenant: &Tenant,
    user: &User,
    method: &str,
) -> Result<Session, ApiError> {
    let data = SessionData {
        user_id: Some(user.id.clone()),
        operator: false,
        tenant_id: Some(tenant.id.clone()),
        ..SessionData::fresh()?
    };
    let session = state.sessions.rotate(visitor.session.as_ref(), data, state.session_idle).await?;
    let (tid, uid) = (tenant.id.clone(), user.id.clone());
    state.tenant_db(&tenant.id, move |c| users::joined(c, &tid, &uid)).await?;
    auth::record(
        state,
        auth::entry(
            Some(&tenant.id),
            Some(&user.id),
            "login_succeeded",
            ("user", Some(user.id.to_string())),
            json!({"method": method, "email": user.email}),
            &visitor.ip,
        ),
    )
    .await?;
    Ok(session)
}

pub async fn login_failed(
    state: &AppState,
    tenant: &Tenant,
    ip: &str,
    method: &str,
    reason: &str,
) -> Result<(), ApiError> {
    tracing::info!(tenant = %tenant.slug, method, reason, "login refused");
    auth::record(
        state,
        auth::entry(
            Some(&tenant.id),
            None,
            "login_failed",
            ("user", None),
            json!({"method": method, "reason": reason}),
            ip,
        ),
    )
    .await
}

/// The member signs out: the session is removed from the shared store.
pub async fn sign_out(state: &AppState, visitor: &Visitor) -> Result<(), ApiError> {
    if let Some(s) = &visitor.session {
        state.sessions.delete(&s.id).await?;
        if let (Some(user), Some(tenant)) = (&s.data.user_id, &s.data.tenant_id) {
            auth::record(
                state,
                auth::entry(
                    Some(tenant),
                    Some(user),
                    "logout",
                    ("user", Some(user.to_string())),
                    json!({}),
                    &visitor.ip,
                ),
            )
            .await?;
        }
    }
    Ok(())
}

/// The OIDC client of a tenant, from its settings (discovery at the issuer each time, so key
/// rotation at the provider needs nothing here).
pub async fn oidc_client(state: &AppState, tenant: &Tenant, ip: &str) -> Result<(OidcClient, TenantOidc), ApiError> {
    use openidconnect::core::{CoreClient, CoreProviderMetadata};
    use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
    let settings = oidc_settings(state, tenant).await?.ok_or_else(|| {
        ApiError::NotFound(format!("{} has not set up sign-in with its identity provider", tenant.name))
    })?;
    let sealer =
        state.sealer.as_ref().ok_or_else(|| ApiError::Unavailable("PLATFORM_SECRET_KEY is not configured".into()))?;
    let secret = sealer.open(&settings.client_secret_sealed, tenant.id.as_str()).map_err(internal)?;
    let discovered = match IssuerUrl::new(settings.issuer.clone()) {
        Ok(issuer) => CoreProviderMetadata::discover_async(issuer, &state.http)
            .await
            .map_err(|e| format!("discovery at {}: {}", settings.issuer, crate::outbound::describe(&e))),
        Err(e) => Err(format!("the issuer {:?} is not a URL: {e}", settings.issuer)),
    };
    let metadata = match discovered {
        Ok(m) => m,
        Err(detail) => return Err(idp_unreachable(state, tenant, ip, &detail).await),
    };
    let redirect = RedirectUrl::new(state.link(&format!("/t/{}/oidc/callback", tenant.slug))).map_err(internal)?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    Ok((client, settings))
}

/// Whatever kept the identity provider from being used (an address the guard refused, a closed
/// port, something there that is no identity provider), the visitor, who may be anyone, gets one
/// answer: telling them apart would let anyone map the platform's network through a trust's
/// settings. The detail goes to the server log and the trust's audit log, for its admin.
pub async fn idp_unreachable(state: &AppState, tenant: &Tenant, ip: &str, detail: &str) -> ApiError {
    let reason = format!("the identity provider could not be reached: {detail}");
    if let Err(e) = login_failed(state, tenant, ip, "oidc", &reason).await {
        tracing::warn!(tenant = %tenant.slug, %reason, error = %e, "could not record a failed sign-in");
    }
    ApiError::Unavailable(format!(
        "The identity provider of {} could not be reached. Try again later, or sign in with an email link.",
        tenant.name
    ))
}

/// The account an identity provider vouched for: a member of the trust, or someone from one of
/// its allowed domains, who joins as a viewer (an admin can change the role). None otherwise.
pub async fn admit(
    state: &AppState,
    tenant: &Tenant,
    settings: &TenantOidc,
    email: String,
    name: String,
    ip: &str,
) -> Result<Option<User>, ApiError> {
    let domains = settings.domains();
    let tid = tenant.id.clone();
    let ip = ip.to_string();
    state
        .tenant_db(&tenant.id, move |c| {
            let user = users::by_email(c, &email)?;
            if let Some(u) = &user
                && users::membership(c, &tid, &u.id)?.is_some()
            {
                return Ok(Some(u.clone()));
            }
            let domain = email.rsplit('@').next().unwrap_or("").to_string();
            if !domains.contains(&domain) {
                return Ok(None);
            }
            // From an allowed domain: admitted as a viewer; an admin can change the role.
            let user = users::find_or_create(c, &email, &name, clock::now())?;
            let m = users::add_membership(c, &tid, &user.id, Role::Viewer, None, clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tid),
                    Some(&user.id),
                    "member_joined",
                    ("membership", Some(m.id.to_string())),
                    json!({"email": user.email, "role": "viewer", "by": "allowed_domain"}),
                    &ip,
                ),
            )?;
            Ok(Some(user))
        })
        .await
}

/// Identity-provider settings as an admin entered them.
pub struct OidcInput<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub allowed_domains: &'a str,
}

/// The checks on identity-provider settings: the fields' shape, the issuer's address as the
/// outbound guard judges it, and the client secret sealed (an empty one keeps the current).
/// Returns the row to save.
pub async fn check_oidc_settings(
    state: &AppState,
    access: &Access,
    input: &OidcInput<'_>,
    current: Option<&TenantOidc>,
) -> Result<TenantOidc, ApiError> {
    let domains = repo::check_oidc(input.issuer, input.client_id, input.allowed_domains)?;
    state.http.check_issuer(input.issuer).await.map_err(|r| ApiError::bad_request(Some("issuer"), r.advice()))?;
    let sealer = state.sealer.as_ref().ok_or_else(|| {
        ApiError::Unavailable(
            "the platform has no PLATFORM_SECRET_KEY configured, so it cannot keep a client secret".into(),
        )
    })?;
    let sealed = match (input.client_secret.trim(), current) {
        ("", Some(c)) => c.client_secret_sealed.clone(),
        ("", None) => return Err(ApiError::bad_request(Some("client_secret"), "enter the client secret")),
        (s, _) if s.len() > 500 => {
            return Err(ApiError::bad_request(Some("client_secret"), "must be at most 500 characters"));
        }
        (s, _) => sealer.seal(s, access.tenant.id.as_str()).map_err(internal)?,
    };
    Ok(TenantOidc {
        tenant_id: access.tenant.id.clone(),
        issuer: input.issuer.trim().to_string(),
        client_id: input.client_id.trim().to_string(),
        client_secret_sealed: sealed,
        allowed_domains: domains,
        updated_at: clock::now(),
        updated_by: Some(access.user.id.clone()),
    })
}

/// Saves checked identity-provider settings, with an audit entry.
pub async fn save_oidc_settings(state: &AppState, access: &Access, row: TenantOidc, ip: &str) -> Result<(), ApiError> {
    let ip = ip.to_string();
    let actor = access.user.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::set_oidc_settings(c, &row)?;
            audit::record(
                c,
                &auth::entry(
                    Some(&row.tenant_id),
                    Some(&actor),
                    "oidc_settings_changed",
                    ("tenant", Some(row.tenant_id.to_string())),
                    json!({"issuer": row.issuer, "client_id": row.client_id, "allowed_domains": row.allowed_domains}),
                    &ip,
                ),
            )
        })
        .await
}
