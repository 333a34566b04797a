//! The one error type of the HTTP API: a stable machine code, a human message and, for bad
//! input, the field at fault. Status codes are mapped in one place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use platform_db::DbError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadRequest { field: Option<String>, message: String },
    #[error("{0}")]
    Conflict(String),
    /// A value another record already holds (a council's name or ONS code): 409, naming the field.
    #[error("{message}")]
    Taken { field: String, message: String },
    /// The write was made to an older version than the stored one: 409 with the record as it
    /// now stands, so the caller can redo the change on top of it. Nothing was written.
    #[error(
        "this record was changed by someone else since you read it (it is now at version {version}); nothing was saved"
    )]
    Stale { version: i32, current: Option<serde_json::Value> },
    /// The trust's framework found an error in what was to be written: 422 with every finding
    /// (errors, warnings, notes), the first error's message and field. Nothing was written.
    #[error("{message}")]
    Refused { field: Option<String>, message: String, findings: Vec<crate::framework_calls::FindingView> },
    /// Well-formed input whose content is refused (an end before its start, a record that is
    /// not this trust's, a field the trust's framework does not ask for): 422 naming the field.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// A write that names no version (no If-Match, no `version`): 428.
    #[error("say which version you are changing: send If-Match with the record's ETag, or its version")]
    PreconditionRequired,
    /// No credentials (or expired ones) where they are needed.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Over a rate limit; seconds until another try may succeed.
    #[error("too many attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("{0}")]
    Unavailable(String),
    #[error("something went wrong on our side; it has been logged")]
    Internal(String),
    /// A framework plugin call failed; the plugin error says how.
    #[error("{0}")]
    Plugin(#[from] platform_plugins::PluginError),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a 409 on a stale write: the record as it now stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    /// For a 422: what the trust's framework found, each with where its rule comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<crate::framework_calls::FindingView>>,
    /// For a 500 only: the id the server's log line carries too, for an operator to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Conflict(_) | ApiError::Taken { .. } => "conflict",
            ApiError::Stale { .. } => "stale",
            ApiError::Refused { .. } => "refused_by_framework",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::Invalid { .. } => "invalid",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::TooManyRequests(_) => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
            ApiError::Plugin(e) => e.code(),
        }
    }

    /// The field at fault, where one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { field, .. } => field.as_deref(),
            ApiError::Taken { field, .. } => Some(field),
            ApiError::Refused { field, .. } | ApiError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest { field: field.map(str::to_string), message: message.into() }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code().to_string(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
            current: match self {
                ApiError::Stale { current, .. } => current.clone(),
                _ => None,
            },
            findings: match self {
                ApiError::Refused { findings, .. } => Some(findings.clone()),
                _ => None,
            },
            correlation_id: None,
        }
    }

    /// Logs an internal error with a new correlation id and returns the id (None for any other
    /// error). A 500 is always a bug: the id lets an operator find the log line a user quotes.
    pub fn log_internal(&self) -> Option<String> {
        let ApiError::Internal(detail) = self else { return None };
        let id = uuid::Uuid::new_v4().simple().to_string();
        tracing::error!(correlation_id = %id, %detail, "internal error");
        Some(id)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) | ApiError::Taken { .. } | ApiError::Stale { .. } => StatusCode::CONFLICT,
            ApiError::Refused { .. } | ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Plugin(e) => {
                use platform_plugins::PluginError as P;
                match e {
                    P::InvalidInput(_) => StatusCode::BAD_REQUEST,
                    P::NotFound(_) => StatusCode::NOT_FOUND,
                    P::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
                    P::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
                    P::MemoryLimit(_) | P::Trap(_) | P::BadOutput(_) | P::Incompatible(_) => StatusCode::BAD_GATEWAY,
                }
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = self.body();
        if let Some(id) = self.log_internal() {
            body.message = format!("{} (reference {id})", body.message);
            body.correlation_id = Some(id);
        }
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::TooManyRequests(secs) = self {
            response.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        response.json(body)
    }
}

/// An error of ours with its detail kept for the log: the caller sees only that it happened.
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        match e {
            DbError::NotFound => ApiError::NotFound("not found".into()),
            DbError::Invalid { field, message } => ApiError::bad_request(Some(field), message),
            DbError::Conflict(m) => ApiError::Conflict(m),
            DbError::Taken { field, message } => ApiError::Taken { field: field.into(), message },
            DbError::Stale { current } => ApiError::Stale { version: current, current: None },
            DbError::Rejected(m) => ApiError::bad_request(None, m),
            DbError::Unavailable(m) => ApiError::Unavailable(format!("the database is unavailable: {m}")),
            DbError::Migration(m) | DbError::Other(m) | DbError::Panicked(m) => ApiError::Internal(m),
        }
    }
}

impl ApiError {
    /// For a write whose body was read: bad content is 422 (the body was well formed; what it
    /// says is refused), anything else is unchanged.
    pub fn content(self) -> ApiError {
        match self {
            ApiError::BadRequest { field, message } => ApiError::Invalid { field, message },
            other => other,
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        DbError::from(e).into()
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn json_of(e: ApiError) -> (u16, serde_json::Value) {
        let resp = e.error_response();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn error_bodies_have_one_shape() {
        let (status, body) = json_of(ApiError::bad_request(Some("ons_code"), "must be a code"));
        assert_eq!(status, 400);
        assert_eq!(body, serde_json::json!({"error": "bad_request", "message": "must be a code", "field": "ons_code"}));

        let (status, body) = json_of(ApiError::NotFound("no such trust".into()));
        assert_eq!(status, 404);
        assert_eq!(body, serde_json::json!({"error": "not_found", "message": "no such trust"}));
    }

    #[test]
    fn internal_errors_do_not_leak_detail_and_carry_a_correlation_id() {
        let (status, body) = json_of(ApiError::Internal("relation \"secret\" does not exist".into()));
        assert_eq!(status, 500);
        assert!(!body.to_string().contains("secret"));
        let id = body["correlation_id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert!(body["message"].as_str().unwrap().contains(id));
        let (_, again) = json_of(ApiError::Internal("x".into()));
        assert_ne!(again["correlation_id"], body["correlation_id"], "each 500 has its own id");
    }

    #[test]
    fn database_errors_map_to_codes() {
        assert_eq!(ApiError::from(DbError::NotFound).code(), "not_found");
        assert_eq!(ApiError::from(DbError::invalid("slug", "bad")).code(), "bad_request");
        assert_eq!(ApiError::from(DbError::Conflict("x".into())).code(), "conflict");
        assert_eq!(ApiError::from(DbError::Unavailable("x".into())).code(), "unavailable");
    }

    #[test]
    fn plugin_errors_keep_their_codes() {
        use platform_plugins::PluginError;
        let (status, body) = json_of(ApiError::Plugin(PluginError::Timeout(50)));
        assert_eq!((status, body["error"].as_str().unwrap()), (504, "plugin_timeout"));
        let (status, _) = json_of(ApiError::Plugin(PluginError::Overloaded));
        assert_eq!(status, 503);
    }
}
