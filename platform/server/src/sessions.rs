//! Sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure unless the platform is
//! served over plain http on localhost); the data server-side, keyed by the id's SHA-256, in
//! Redis when `REDIS_URL` is set (so any replica serves any request) or else in the database.
//! Sessions end after an idle timeout and after twelve hours in any case; the id rotates at
//! login; logging out removes the session from the shared store, so no replica accepts it again.

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use platform_db::conn::Pool;
use platform_db::repo::accounts;
use platform_db::{TenantId, UserId};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::ApiError;
use crate::secrets;

pub const COOKIE: &str = "platform_session";
/// A session ends this long after login however busy it is.
pub const MAX_AGE: Duration = Duration::from_secs(12 * 3600);

/// An OIDC login under way: what the callback must match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingOidc {
    pub tenant: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What a session holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionData {
    pub user_id: Option<UserId>,
    /// Signed in as a platform operator (by an operator link).
    pub operator: bool,
    /// The tenant a tenant login was for; a session is good for that tenant only.
    pub tenant_id: Option<TenantId>,
    pub csrf: String,
    pub created_at: i64,
    pub seen_at: i64,
    pub oidc: Option<PendingOidc>,
}

impl SessionData {
    pub fn fresh() -> Result<SessionData, ApiError> {
        let now = clock::now().and_utc().timestamp();
        Ok(SessionData {
            user_id: None,
            operator: false,
            tenant_id: None,
            csrf: secrets::random_token().map_err(|e| ApiError::Internal(e.to_string()))?,
            created_at: now,
            seen_at: now,
            oidc: None,
        })
    }
}

/// A session as loaded for a request: its raw id (from the cookie) and data.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub data: SessionData,
}

#[derive(Clone)]
pub enum Store {
    Redis(redis::aio::ConnectionManager),
    Database(Pool),
}

fn redis_key(id: &str) -> String {
    format!("session:{}", secrets::hash(id))
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(format!("the session store ({what}) is unavailable: {e}"))
}

impl Store {
    pub fn name(&self) -> &'static str {
        match self {
            Store::Redis(_) => "redis",
            Store::Database(_) => "database",
        }
    }

    /// The session with this id, if it exists and has not timed out.
    pub async fn load(&self, id: &str, idle: Duration) -> Result<Option<Session>, ApiError> {
        let raw: Option<String> = match self {
            Store::Redis(r) => r.clone().get(redis_key(id)).await.map_err(|e| unavailable("redis", e))?,
            Store::Database(pool) => {
                let pool = pool.clone();
                let hash = secrets::hash(id);
                actix_web::web::block(move || {
                    let mut conn = pool.get()?;
                    accounts::session_get(&mut conn, &hash, clock::now())
                })
                .await??
            }
        };
        let Some(raw) = raw else { return Ok(None) };
        let Ok(data) = serde_json::from_str::<SessionData>(&raw) else { return Ok(None) };
        let now = clock::now().and_utc().timestamp();
        let idle_secs = i64::try_from(idle.as_secs()).unwrap_or(i64::MAX);
        let max_secs = i64::try_from(MAX_AGE.as_secs()).unwrap_or(i64::MAX);
        if now - data.seen_at > idle_secs || now - data.created_at > max_secs {
            self.delete(id).await?;
            return Ok(None);
        }
        Ok(Some(Session { id: id.to_string(), data }))
    }

    /// Stores the session for `idle` from now.
    pub async fn save(&self, session: &mut Session, idle: Duration) -> Result<(), ApiError> {
        session.data.seen_at = clock::now().and_utc().timestamp();
        let json = serde_json::to_string(&session.data).map_err(|e| ApiError::Internal(e.to_string()))?;
        match self {
            Store::Redis(r) => {
                let _: () = r
                    .clone()
                    .set_ex(redis_key(&session.id), json, idle.as_secs().max(1))
                    .await
                    .map_err(|e| unavailable("redis", e))?;
            }
            Store::Database(pool) => {
                let pool = pool.clone();
                let hash = secrets::hash(&session.id);
                let user = session.data.user_id.clone();
                let expires = clock::now() + chrono::Duration::seconds(i64::try_from(idle.as_secs()).unwrap_or(3600));
                actix_web::web::block(move || {
                    let mut conn = pool.get()?;
                    accounts::session_put(&mut conn, &hash, user.as_ref(), &json, expires)
                })
                .await??;
            }
        }
        Ok(())
    }

    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        match self {
            Store::Redis(r) => {
                let _: () = r.clone().del(redis_key(id)).await.map_err(|e| unavailable("redis", e))?;
            }
            Store::Database(pool) => {
                let pool = pool.clone();
                let hash = secrets::hash(id);
                actix_web::web::block(move || {
                    let mut conn = pool.get()?;
                    accounts::session_delete(&mut conn, &hash)
                })
                .await??;
            }
        }
        Ok(())
    }

    /// A new session with a fresh id, stored.
    pub async fn create(&self, data: SessionData, idle: Duration) -> Result<Session, ApiError> {
        let id = secrets::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut session = Session { id, data };
        self.save(&mut session, idle).await?;
        Ok(session)
    }

    /// Login: the old id is retired and the data moves to a new id, with a new CSRF token.
    pub async fn rotate(
        &self,
        old: Option<&Session>,
        mut data: SessionData,
        idle: Duration,
    ) -> Result<Session, ApiError> {
        if let Some(old) = old {
            self.delete(&old.id).await?;
        }
        data.csrf = secrets::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
        data.created_at = clock::now().and_utc().timestamp();
        data.oidc = None;
        self.create(data, idle).await
    }
}

/// The cookie that carries a session id.
pub fn cookie(id: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, id.to_string()).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish()
}

/// A cookie that removes the session cookie.
pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = cookie("", secure);
    c.make_removal();
    c
}
