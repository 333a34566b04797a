//! What the cycle's services share in reading what people give them: dates, amounts, closed
//! choices, outcomes, ages, the trust's areas, the framework's own fields of a record (checked
//! beside its core columns), references that must not be archived, the audit entry of a write,
//! and a stale write's answer carrying the record as it now stands. Each refusal names the field.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{NaiveDate, NaiveDateTime};
use platform_db::DbError;
use platform_db::framework::EntityView;
use platform_db::models::AuditEntry;
use platform_db::repo::indicators::OUTCOMES;
use platform_db::repo::validate;

use crate::app::auth::Access;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, Framework};

/// Money as the API bounds it: £10 billion, in pence.
pub const MAX_PENCE: i64 = 1_000_000_000_000;

/// A date of the cycle: written YYYY-MM-DD, in the years 2000 to 2100.
pub fn date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
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

/// One of a closed vocabulary of the data core (a sector, a tier).
pub fn choice<T: std::str::FromStr<Err = String>>(field: &str, text: &str) -> Result<T, ApiError> {
    text.trim().parse::<T>().map_err(|e| ApiError::bad_request(Some(field), e))
}

/// One of the five outcomes, by its code.
pub fn outcome(field: &str, text: &str) -> Result<String, ApiError> {
    let code = text.trim();
    if OUTCOMES.iter().any(|(c, _)| *c == code) {
        Ok(code.to_string())
    } else {
        let codes: Vec<&str> = OUTCOMES.iter().map(|(c, _)| *c).collect();
        Err(ApiError::bad_request(
            Some(field),
            format!("{code:?} is not one of the five outcomes: {}", codes.join(", ")),
        ))
    }
}

/// An age range in whole years, 0 to 25, the first not above the second.
pub fn ages(from: i32, to: i32) -> Result<(i32, i32), ApiError> {
    for (field, age) in [("age_from", from), ("age_to", to)] {
        if !(0..=25).contains(&age) {
            return Err(ApiError::bad_request(Some(field), "an age in whole years from 0 to 25"));
        }
    }
    if to < from {
        return Err(ApiError::bad_request(Some("age_to"), "the upper age must not be below the lower age"));
    }
    Ok((from, to))
}

/// A name or title: one line, not empty, at most `max` characters (as given), no web address;
/// kept without the spaces around it.
pub fn name(field: &'static str, text: &str, max: usize) -> Result<String, ApiError> {
    validate::name(field, text, max)?;
    Ok(text.trim().to_string())
}

/// Text that may be left empty (a description, evidence): at most `max` characters (as given),
/// with line breaks and tabs but no other control or hidden characters.
pub fn notes(field: &'static str, text: Option<&str>, max: usize) -> Result<String, ApiError> {
    let text = text.unwrap_or_default();
    validate::plain(field, &text.replace(['\n', '\r', '\t'], " "), max)?;
    Ok(text.trim().to_string())
}

/// A one-line value that may be left out: blank is none; otherwise as [`name`].
pub fn optional_line(field: &'static str, text: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    validate::plain(field, text, max)?;
    if text.trim().is_empty() { Ok(None) } else { name(field, text, max).map(Some) }
}

/// The area a record names, as the trust's framework names its areas (by id or name, case and
/// punctuation aside): the area's own name. Where the framework lists no areas, any one line.
/// An area the framework does not list is refused naming `field` and the accepted ones.
pub fn area(fw: &Framework, field: &'static str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(given) = optional_line(field, text, 120)? else { return Ok(None) };
    let areas = &fw.description().areas;
    if areas.is_empty() {
        return Ok(Some(given));
    }
    let squash =
        |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    areas.iter().find(|a| squash(&a.id) == squash(&given) || squash(&a.name) == squash(&given)).map_or_else(
        || {
            let names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
            Err(ApiError::bad_request(
                Some(field),
                format!("{given:?} is not an area of the trust's framework; it lists: {}", names.join("; ")),
            ))
        },
        |a| Ok(Some(a.name.clone())),
    )
}

/// The framework's own fields of a record, checked against its definitions for `kind`, as the
/// stored JSON object. A field the framework defines under the name of one of the record's
/// core columns (a provider's `sector`, its `safeguarding_evidence`; a service's `area`) is
/// read from that column, as the plugin sees it, and not stored twice: giving it in
/// `attributes` is refused, naming the column. `inputs` are core names that stay the
/// framework's to give (a service's `level`, which its classification then sets).
pub fn fields_of(
    fw: &Framework,
    kind: &str,
    given: &BTreeMap<String, String>,
    core: &EntityView,
    inputs: &[&str],
) -> Result<String, ApiError> {
    let is_core = |key: &str| !inputs.contains(&key) && core_keys(kind).contains(&key);
    if let Some(key) = given.keys().find(|k| is_core(k)) {
        return Err(ApiError::bad_request(
            Some(&format!("attributes.{key}")),
            format!("{key} is a field of the record itself: give it as `{key}`, not among the framework's fields"),
        ));
    }
    let defs = fw.fields(kind);
    let mut merged = given.clone();
    for def in defs.iter().filter(|d| is_core(&d.key)) {
        if let Some((_, v)) = core.attributes.iter().find(|(k, _)| *k == def.key) {
            merged.insert(def.key.clone(), v.clone());
        }
    }
    let checked = fc::check_fields(&defs, &merged).map_err(|e| match e {
        // A core column the framework checks is named as the column.
        ApiError::BadRequest { field: Some(f), message } if f.strip_prefix("attributes.").is_some_and(&is_core) => {
            ApiError::BadRequest { field: f.strip_prefix("attributes.").map(str::to_string), message }
        }
        other => other,
    })?;
    let stored: BTreeMap<&String, &String> = checked.iter().filter(|(k, _)| !is_core(k)).collect();
    serde_json::to_string(&stored).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The core columns a plugin is shown of each kind of record (see `platform_db::framework`).
fn core_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "provider" => &["name", "sector", "registration_number", "safeguarding_evidence", "safeguarding_checked_on"],
        "service" => &["name", "tier", "level", "area", "ages", "annual_budget_pence", "outcomes"],
        "priority" => &["title", "outcome", "rank"],
        _ => &[],
    }
}

/// A write refused because another record of the trust holds the same `field` (its title or
/// name): 409 naming the field.
pub fn taken(field: &'static str, what: &'static str) -> impl Fn(DbError) -> ApiError {
    move |e| match e {
        DbError::Conflict(_) => {
            ApiError::Taken { field: field.into(), message: format!("another {what} of this trust has this {field}") }
        }
        other => other.into(),
    }
}

/// A record named as a new reference must not be archived.
pub fn not_archived(archived_at: Option<NaiveDateTime>, field: &str, what: &str) -> Result<(), ApiError> {
    match archived_at {
        None => Ok(()),
        Some(at) => Err(ApiError::bad_request(
            Some(field),
            format!("the {what} was archived on {}: archived records are not chosen anew", at.format("%Y-%m-%d")),
        )),
    }
}

/// The audit entry of a write of one record.
pub fn audit_entry(
    access: &Access,
    action: &str,
    kind: &str,
    id: &str,
    detail: String,
    now: NaiveDateTime,
) -> AuditEntry {
    access.actor().audit(action, kind, id, detail, now)
}

/// A write's answer as the API gives it: bad content is 422, and a stale write's 409 carries
/// the record as it now stands (read by `current`).
pub async fn with_current<T, F, Fut>(result: Result<T, ApiError>, current: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<serde_json::Value, ApiError>>,
{
    match result.map_err(ApiError::content) {
        Err(ApiError::Stale { version, .. }) => Err(ApiError::Stale { version, current: current().await.ok() }),
        other => other,
    }
}

/// The framework's fields of a record as stored JSON, checked against its definitions.
pub fn fields_json(fw: &Framework, kind: &str, given: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let checked = fc::check_fields(&fw.fields(kind), given)?;
    serde_json::to_string(&checked).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_a_body_are_refused_naming_their_field() {
        assert_eq!(outcome("outcome", " stay_safe ").unwrap(), "stay_safe");
        let e = outcome("outcome", "be_wealthy").unwrap_err();
        assert_eq!(e.field(), Some("outcome"));
        assert!(e.to_string().contains("be_healthy, stay_safe"), "{e}");
        assert_eq!(ages(0, 25).unwrap(), (0, 25));
        assert_eq!(ages(-1, 4).unwrap_err().field(), Some("age_from"));
        assert_eq!(ages(5, 26).unwrap_err().field(), Some("age_to"));
        assert_eq!(ages(12, 11).unwrap_err().field(), Some("age_to"));
        assert_eq!(date("identified_on", "0001-01-01").unwrap_err().field(), Some("identified_on"));
        assert_eq!(pence("annual_budget_pence", -1).unwrap_err().field(), Some("annual_budget_pence"));
        assert_eq!(optional_line("group", Some("  "), 200).unwrap(), None);
        assert_eq!(optional_line("group", Some(" \u{85} "), 200).unwrap_err().field(), Some("group"));
        assert_eq!(optional_line("group", Some(" Young carers "), 200).unwrap().as_deref(), Some("Young carers"));
        assert_eq!(notes("evidence", None, 10).unwrap(), "");
        assert_eq!(notes("evidence", Some("a\nb\t"), 10).unwrap(), "a\nb");
        assert_eq!(notes("evidence", Some("a\u{1}"), 10).unwrap_err().field(), Some("evidence"));
        assert_eq!(notes("evidence", Some(&" ".repeat(11)), 10).unwrap_err().field(), Some("evidence"));
        assert!(not_archived(None, "need_id", "need").is_ok());
        let at = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
        let e = not_archived(Some(at), "need_id", "need").unwrap_err();
        assert_eq!(e.field(), Some("need_id"));
        assert!(e.to_string().contains("2026-01-02"), "{e}");
    }
}
