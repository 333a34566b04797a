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
