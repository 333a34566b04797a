//! Checks shared by repository functions, so bad input is refused with the field named before
//! anything is written. The database's own constraints remain as a backstop.

use crate::error::{DbError, DbResult};
use crate::models::ENGLISH_REGIONS;

pub fn text(field: &'static str, value: &str, max: usize) -> DbResult<()> {
    let len = value.trim().chars().count();
    if len == 0 {
        return Err(DbError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(DbError::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(DbError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Lowercase letters, digits and single hyphens, 1 to 63 characters: safe in a URL path.
pub fn slug(value: &str) -> DbResult<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(DbError::invalid(
            "slug",
            "must be lowercase letters and digits separated by single hyphens, at most 63 characters",
        ))
    }
}

/// An ONS code of an English upper-tier authority: E06 (unitary), E07 (district), E08
/// (metropolitan district), E09 (London borough) or E10 (county), then six digits.
pub fn ons_code(value: &str) -> DbResult<()> {
    let ok = value.len() == 9
        && ["E06", "E07", "E08", "E09", "E10"].contains(&&value[..3.min(value.len())])
        && value[3..].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(DbError::invalid(
            "ons_code",
            "must be an English local authority code such as E06000047 (E06, E07, E08, E09 or E10 and six digits)",
        ))
    }
}

pub fn region(value: &str) -> DbResult<()> {
    if ENGLISH_REGIONS.contains(&value) {
        Ok(())
    } else {
        Err(DbError::invalid("region", format!("must be one of the English regions: {}", ENGLISH_REGIONS.join(", "))))
    }
}

/// A plausible email address: one @, a non-empty local part, a dotted domain, no spaces.
pub fn email(value: &str) -> DbResult<()> {
    let bad = || DbError::invalid("email", "must be an email address such as name@council.gov.uk");
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(()) } else { Err(bad()) }
}

pub fn age_range(field: &'static str, from: i32, to: i32) -> DbResult<()> {
    if !(0..=25).contains(&from) || !(0..=25).contains(&to) {
        return Err(DbError::invalid(field, "ages must be between 0 and 25"));
    }
    if to < from {
        return Err(DbError::invalid(field, "the upper age must not be below the lower age"));
    }
    Ok(())
}

pub fn non_negative(field: &'static str, value: i64) -> DbResult<()> {
    if value < 0 { Err(DbError::invalid(field, "must not be negative")) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(slug("central-bedfordshire").is_ok());
        for bad in ["", "Durham", "-kent", "kent-", "a--b", "a_b", "a b", &"x".repeat(64)] {
            assert!(slug(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ons_codes() {
        for good in ["E06000047", "E06000056", "E08000024", "E10000016", "E09000028"] {
            assert!(ons_code(good).is_ok(), "{good}");
        }
        for bad in ["", "E0600004", "E05000001", "W06000001", "E06000O47", "e06000047", "É0600004"] {
            assert!(ons_code(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn emails() {
        assert!(email("jo.bloggs@durham.gov.uk").is_ok());
        for bad in ["", "jo", "jo@", "@x.uk", "jo@localhost", "jo bloggs@x.uk", "a@b@c.uk", "jo@.uk"] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn regions_and_text() {
        assert!(region("North East").is_ok());
        assert!(region("Wales").is_err());
        assert!(text("name", "  ", 10).is_err());
        assert!(text("name", "abcdefghijk", 10).is_err());
        assert!(text("name", "ok\u{0}", 10).is_err());
    }
}
