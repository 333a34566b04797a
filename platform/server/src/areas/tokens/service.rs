//! The actions on a member's API tokens, each in one transaction with its audit entry. Only a
//! token's hash is stored: its secret is shown once, when it is made.

use platform_db::ApiTokenId;
use platform_db::models::ApiToken;
use platform_db::repo::accounts as repo;
use platform_db::repo::audit;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access};
use crate::clock;
use crate::error::{ApiError, internal};
use crate::secrets;

/// The member's tokens in this trust.
pub async fn tokens(state: &AppState, access: &Access) -> Result<Vec<ApiToken>, ApiError> {
    let tid = access.tenant.id.clone();
    let uid = access.user.id.clone();
    state.tenant_db(&access.tenant.id, move |c| repo::api_tokens_of(c, &tid, &uid)).await
}

/// Makes a token for the member; returns its secret.
pub async fn create(state: &AppState, access: &Access, name: &str, ip: &str) -> Result<String, ApiError> {
    let secret = format!("cpt_{}", secrets::random_token().map_err(internal)?);
    let row = ApiToken {
        id: ApiTokenId::new(),
        tenant_id: access.tenant.id.clone(),
        user_id: access.user.id.clone(),
        name: name.trim().to_string(),
        token_hash: secrets::hash(&secret),
        created_at: clock::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let ip = ip.to_string();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::create_api_token(c, &row)?;
            audit::record(
                c,
                &auth::entry(
                    Some(&row.tenant_id),
                    Some(&row.user_id),
                    "api_token_created",
                    ("api_token", Some(row.id.to_string())),
                    json!({"name": row.name}),
                    &ip,
                ),
            )
        })
        .await?;
    Ok(secret)
}

/// Revokes one of the member's own tokens.
pub async fn revoke(state: &AppState, access: &Access, id: ApiTokenId, ip: &str) -> Result<(), ApiError> {
    let tid = access.tenant.id.clone();
    let uid = access.user.id.clone();
    let ip = ip.to_string();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let t = repo::revoke_api_token(c, &tid, &uid, &id, clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tid),
                    Some(&uid),
                    "api_token_revoked",
                    ("api_token", Some(t.id.to_string())),
                    json!({"name": t.name}),
                    &ip,
                ),
            )
        })
        .await
}
