//! Reading what people type into the cycle's forms and JSON bodies: dates, amounts of money,
//! closed choices and the trust's framework's own fields, each refusal naming the field.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::error::ApiError;
use crate::framework_calls::{self as fc, Framework};

/// Money as the API bounds it: £10 billion, in pence.
pub const MAX_PENCE: i64 = 1_000_000_000_000;

/// A date of the cycle: written YYYY-MM-DD, in the years 2000 to 2100 (a contract of 0001 is
/// a typing slip, and the frameworks' calendars are not asked about it).
pub fn date(field: &'static str, text: &str) -> Result<NaiveDate, ApiError> {
    let d = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request(Some(field), format!("{text:?} is not a date written YYYY-MM-DD")))?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&d)) {
        return Err(ApiError::bad_request(Some(field), format!("{d} is not between the years 2000 and 2100")));
    }
    Ok(d)
}

/// An amount in pence, from nothing to [`MAX_PENCE`].
pub fn pence(field: &str, value: i64) -> Result<i64, ApiError> {
    if (0..=MAX_PENCE).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_request(Some(field), "an amount in pence from 0 to 1000000000000 (£10 billion)"))
    }
}

pub fn choice<T: std::str::FromStr<Err = String>>(field: &str, text: &str) -> Result<T, ApiError> {
    text.trim().parse::<T>().map_err(|e| ApiError::bad_request(Some(field), e))
}

/// The framework's fields of a record as stored JSON, checked against its definitions.
pub fn fields_json(fw: &Framework, kind: &str, given: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let checked = fc::check_fields(&fw.fields(kind), given)?;
    serde_json::to_string(&checked).map_err(|e| ApiError::Internal(e.to_string()))
}
