//! What the JSON API's handlers share: reading a list's page from its query, and a page of
//! rows as JSON. Errors are [`crate::error::ApiError`], the one error shape.

use platform_db::repo::{Page, Paged};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;

/// The query of a list (as the OpenAPI document describes it; [`ListQuery`] reads it as text so
/// a bad number is refused with the field named).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// How many rows, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// How many rows to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647)]
    offset: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub provider_id: Option<String>,
}

impl ListQuery {
    /// The page asked for: 50 rows from the first unless the query says otherwise.
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = number("limit", self.limit.as_deref(), 50, 1..=Page::MAX_LIMIT)?;
        let offset = number("offset", self.offset.as_deref(), 0, 0..=i64::from(i32::MAX))?;
        Ok(Page::new(limit, offset))
    }
}

fn number(
    field: &str,
    text: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ApiError> {
    match text {
        None => Ok(default),
        Some(t) => match t.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(
                Some(field),
                format!("must be a whole number from {} to {}", range.start(), range.end()),
            )),
        },
    }
}

pub fn paged<T: serde::Serialize>(p: Paged<T>) -> serde_json::Value {
    json!(p)
}

/// The ETag of a record at a version: its version, quoted.
pub fn etag(version: i32) -> (actix_web::http::header::HeaderName, String) {
    (actix_web::http::header::ETAG, format!("\"{version}\""))
}

/// The version a write was made to: `If-Match` (as the record's ETag gave it), else the
/// `version` of the body or form. Neither: 428, since a write that names no version could
/// overwrite a colleague's change unseen.
pub fn version_of(req: &actix_web::HttpRequest, given: Option<i32>) -> Result<i32, ApiError> {
    match req.headers().get(actix_web::http::header::IF_MATCH) {
        Some(value) => {
            let text = value.to_str().unwrap_or_default().trim();
            let text = text.strip_prefix("W/").unwrap_or(text);
            // An entity tag is quoted (RFC 9110): `"3"`, as the ETag header gave it.
            text.strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<i32>().ok())
                .filter(|v| *v >= 1)
                .ok_or_else(|| {
                    ApiError::bad_request(Some("If-Match"), "give the ETag the record was read with, such as \"3\"")
                })
        }
        None => given.ok_or(ApiError::PreconditionRequired),
    }
}

/// A write's JSON body, read after the caller's access is settled (an anonymous caller learns
/// nothing about the body's shape): an unreadable body is 400 with what could not be read.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let field = e.to_string().split('`').nth(1).map(str::to_string);
        ApiError::BadRequest { field, message: format!("the JSON body could not be read: {e}") }
    })
}

/// A whole number given in JSON, also as `12.0` (JSON does not tell 12 from 12.0).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
            _ => Err(D::Error::custom(format!("{n} is not a whole number"))),
        },
    }
}

pub fn whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    whole_number(d)?.ok_or_else(|| D::Error::custom("a whole number is needed"))
}

pub fn whole_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    whole_number(d)
}

pub fn whole_i32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    use serde::de::Error;
    whole_i32_opt(d)?.ok_or_else(|| D::Error::custom("a whole number is needed"))
}

pub fn whole_i32_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    use serde::de::Error;
    whole_number(d)?.map(|n| i32::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range")))).transpose()
}
