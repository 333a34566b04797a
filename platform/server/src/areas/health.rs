//! Health and readiness, for the load balancer and the operators.

use actix_web::{HttpResponse, web};
use platform_db::conn::migration_status;
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz)).route("/readyz", web::get().to(readyz));
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "the process is up", body = Health)))]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Ready when the database answers and its migrations match this binary (and Redis answers, if
/// configured). Not ready is a 503 with the failing checks named.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready: every check is \"ok\"", body = Readiness),
              (status = 503, description = "not ready: the failing checks are named", body = NotReady)))]
pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let db = web::block(move || -> Result<(), String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let status = migration_status(&mut conn).map_err(|e| e.to_string())?;
        if !status.pending.is_empty() {
            return Err(format!("migrations not applied: {}", status.pending.join(", ")));
        }
        if !status.unknown.is_empty() {
            return Err(format!("database has migrations this release does not know: {}", status.unknown.join(", ")));
        }
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    let mut record = |name: &str, result: Result<(), String>| {
        let value = match result {
            Ok(()) => json!("ok"),
            Err(e) => {
                ready = false;
                json!(e)
            }
        };
        checks.insert(name.to_string(), value);
    };
    record("database", db);
    let failures = state.frameworks.failures();
    record("plugins", if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) });
    if let Some(redis) = &state.redis {
        record("redis", crate::cache::ping(redis).await);
    }
    if ready {
        HttpResponse::Ok().json(json!({"status": "ready", "checks": checks}))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({
            "error": "not_ready",
            "message": "a dependency is not ready",
            "checks": checks,
        }))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub status: String,
    /// Each check by name: "ok", or why it failed.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub checks: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotReady {
    pub error: String,
    pub message: String,
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub checks: serde_json::Value,
}
