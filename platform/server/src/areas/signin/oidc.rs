//! Signing in by the trust's identity provider: the redirect there, and the callback.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::pages::sign_in;
use super::service::{self, idp_unreachable, login_failed, oidc_client};
use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::app::pages::{PageError, ensure_session, message, with_cookie};
use crate::error::ApiError;
use crate::limits;
use crate::secrets;
use crate::sessions::PendingOidc;

pub(super) async fn oidc_start(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    use openidconnect::core::CoreAuthenticationFlow;
    use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, Scope as OidcScope};
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let (client, _) = oidc_client(&state, &tenant, &visitor.ip).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(OidcScope::new("email".into()))
        .add_scope(OidcScope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let cookie = ensure_session(&state, &mut visitor).await?;
    let Some(mut session) = visitor.session.clone() else { return Err(ApiError::Internal("no session".into()).into()) };
    session.data.oidc = Some(PendingOidc {
        tenant: tenant.slug.clone(),
        state: csrf_state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    });
    state.sessions.save(&mut session, state.session_idle).await?;
    Ok(with_cookie(crate::app::edge::see_other_url(&url), cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CallbackQuery {
    code: String,
    state: String,
    error: String,
    error_description: String,
}

pub(super) async fn oidc_callback(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, PageError> {
    use openidconnect::{AuthorizationCode, Nonce, PkceCodeVerifier, TokenResponse};
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let refuse = |reason: String| {
        let state = state.clone();
        let tenant = tenant.clone();
        let ip = visitor.ip.clone();
        async move {
            login_failed(&state, &tenant, &ip, "oidc", &reason).await?;
            Ok::<HttpResponse, PageError>(message(
                &state,
                400,
                "Sign-in failed",
                &[reason, format!("Go back to the sign-in page of {} and try again.", tenant.name)],
            )?)
        }
    };
    // The pending login is used up whatever happens next: a callback works once.
    let Some(mut session) = visitor.session.clone() else {
        return refuse("there is no sign-in under way in this browser".into()).await;
    };
    let Some(pending) = session.data.oidc.take() else {
        return refuse("there is no sign-in under way in this browser".into()).await;
    };
    state.sessions.save(&mut session, state.session_idle).await?;
    if pending.tenant != tenant.slug || !secrets::same(&pending.state, &query.state) {
        return refuse("the sign-in response does not match the request (state)".into()).await;
    }
    if !query.error.is_empty() {
        return refuse(format!("the identity provider refused: {} {}", query.error, query.error_description)).await;
    }
    if query.code.is_empty() {
        return refuse("the identity provider sent no code".into()).await;
    }
    let (client, settings) = oidc_client(&state, &tenant, &visitor.ip).await?;
    let request = match client.exchange_code(AuthorizationCode::new(query.code.clone())) {
        Ok(r) => r,
        Err(e) => return refuse(format!("the identity provider has no token endpoint: {e}")).await,
    };
    let token = match request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&state.http)
        .await
    {
        Ok(t) => t,
        Err(openidconnect::RequestTokenError::Request(e)) => {
            let detail = format!("token request: {}", crate::outbound::describe(&e));
            return Err(idp_unreachable(&state, &tenant, &visitor.ip, &detail).await.into());
        }
        Err(e) => return refuse(format!("the code was not accepted: {e}")).await,
    };
    let Some(id_token) = token.id_token() else {
        return refuse("the identity provider sent no ID token".into()).await;
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(c) => c,
        Err(e) => return refuse(format!("the ID token was not accepted: {e}")).await,
    };
    let Some(email) = claims.email().map(|e| e.as_str().trim().to_lowercase()) else {
        return refuse("the ID token carries no email address".into()).await;
    };
    if claims.email_verified() == Some(false) {
        return refuse("the identity provider has not verified this email address".into()).await;
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
    match service::admit(&state, &tenant, &settings, email, name, &visitor.ip).await? {
        Some(user) => Ok(sign_in(&state, &visitor, &tenant, &user, "oidc", "").await?),
        None => refuse(format!("this account is not a member of {} and its domain is not allowed", tenant.name)).await,
    }
}
