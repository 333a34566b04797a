//! The input rules: every piece of text a person or program gives the platform (forms, the JSON
//! API, the command line) is checked here, by character and never by byte, before it reaches a
//! database, a header or an email. Each refusal names the field. The database's own constraints
//! remain as a backstop.

use crate::error::{DbError, DbResult};
use crate::models::ENGLISH_REGIONS;

/// Characters that never belong in text a person typed: C0 and C1 controls (NUL among them)
/// and the Unicode separators and direction overrides that can disguise or reorder text.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Text that may run over several lines (notes, evidence, a decision): not empty, at most
/// `max` characters, and no control characters other than line breaks and tabs.
pub fn text(field: &'static str, value: &str, max: usize) -> DbResult<()> {
    if value.trim().is_empty() {
        return Err(DbError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(DbError::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| hidden(c) && c != '\n' && c != '\r' && c != '\t') {
        return Err(DbError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Notes that may be left empty; otherwise as [`text`].
pub fn notes(field: &'static str, value: &str, max: usize) -> DbResult<()> {
    if value.is_empty() { Ok(()) } else { text(field, value, max) }
}

/// A name or a title: one line, not empty, at most `max` characters, no control or hidden
/// characters, and no web address (a name is quoted in the platform's mail, and must not be
/// able to carry a link of its own into it).
pub fn name(field: &'static str, value: &str, max: usize) -> DbResult<()> {
    if value.chars().any(|c| c == '\n' || c == '\r') {
        return Err(DbError::invalid(field, "must be on one line"));
    }
    if value.chars().any(hidden) {
        return Err(DbError::invalid(field, "must not contain control characters"));
    }
    if value.trim().is_empty() {
        return Err(DbError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(DbError::invalid(field, format!("must be at most {max} characters")));
    }
    if value.contains("://") {
        return Err(DbError::invalid(field, "must be a name, not a web address"));
    }
    Ok(())
}

/// Text that is only passed along (a token, an identifier from a path): no control characters,
/// at most `max` characters. Empty is allowed; the caller decides what empty means.
pub fn plain(field: &'static str, value: &str, max: usize) -> DbResult<()> {
    if value.chars().any(hidden) {
        return Err(DbError::invalid(field, "must not contain control characters"));
    }
    if value.chars().count() > max {
        return Err(DbError::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// Lowercase letters, digits and single hyphens, 1 to 63 characters: safe in a URL path and a
/// header.
pub fn slug(value: &str) -> DbResult<()> {
    slug_named("slug", value)
}

/// [`slug`] for a field with another name (a framework plugin's id, say).
pub fn slug_named(field: &'static str, value: &str) -> DbResult<()> {
    let ok = !value.is_empty()
        && value.chars().count() <= 63
        && value
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(DbError::invalid(
            field,
            "must be lowercase letters and digits separated by single hyphens, at most 63 characters",
        ))
    }
}

/// An ONS code of an English upper-tier authority: E06 (unitary), E07 (district), E08
/// (metropolitan district), E09 (London borough) or E10 (county), then six digits.
pub fn ons_code(value: &str) -> DbResult<()> {
    let chars: Vec<char> = value.chars().collect();
    let prefix: String = chars.iter().take(3).collect();
    let ok = chars.len() == 9
        && ["E06", "E07", "E08", "E09", "E10"].contains(&prefix.as_str())
        && chars[3..].iter().all(char::is_ascii_digit);
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

/// An email address the platform can send to: accepted only if the mail library accepts it
/// (so a sign-up is never saved for an address whose mail would then fail), with a domain of at
/// least two labels (mail to a bare host name is never delivered). Give it trimmed and
/// lowercased.
pub fn email(field: &'static str, value: &str) -> DbResult<()> {
    let bad = || DbError::invalid(field, "must be an email address such as name@council.gov.uk");
    if value.chars().any(|c| c.is_whitespace() || hidden(c)) || value.chars().count() > 254 {
        return Err(bad());
    }
    let address: lettre::Address = value.parse().map_err(|_| bad())?;
    let domain = address.domain();
    let dotted = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
    if address.user().chars().count() > 64 || !dotted || domain.starts_with('[') {
        return Err(bad());
    }
    Ok(())
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
        for bad in ["", "Durham", "-kent", "kent-", "a--b", "a_b", "a b", &"x".repeat(64), "kent\0", "kent\r\n", "kénT"]
        {
            assert!(slug(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ons_codes_are_checked_by_character_not_byte() {
        for good in ["E06000047", "E06000056", "E08000024", "E10000016", "E09000028"] {
            assert!(ons_code(good).is_ok(), "{good}");
        }
        // "E0€0000" is nine bytes: a byte slice at 3 falls inside the euro sign.
        for bad in
            ["", "E0600004", "E05000001", "W06000001", "E06000O47", "e06000047", "É0600004", "E0€0000", "E06€0047"]
        {
            assert!(ons_code(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn emails_are_accepted_only_when_the_mail_library_accepts_them() {
        for good in ["jo.bloggs@durham.gov.uk", "a+b@x.example", "o'neil@kent.gov.uk"] {
            assert!(email("email", good).is_ok(), "{good}");
            assert!(good.parse::<lettre::Address>().is_ok());
        }
        for bad in [
            "",
            "jo",
            "jo@",
            "@x.uk",
            "jo@localhost",
            "jo bloggs@x.uk",
            "a@b@c.uk",
            "jo@.uk",
            "a..b@x.example",
            "a.@x.example",
            "a@-x.example",
            "a\"b@x.example",
            "a,b@x.example",
            "<a>@x.example",
            "a@x.example\0",
            "a@x.example\r\nBcc: b@y.example",
        ] {
            assert!(email("email", bad).is_err(), "{bad:?} accepted");
        }
        let err = email("admin_email", "a..b@x.example").unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "admin_email", .. }));
    }

    #[test]
    fn names_are_one_line_without_hidden_characters_or_links() {
        assert!(name("council_name", "Rutland County Council", 200).is_ok());
        assert!(name("admin_name", "Siân O'Neil-Smith", 200).is_ok());
        for bad in [
            "",
            "  ",
            "Rutland\nVisit https://evil.example to confirm",
            "Rutland\r",
            "Rut\u{0}land",
            "Rut\u{202E}land",
            "Rutland\u{2028}Council",
            "see https://evil.example",
        ] {
            assert!(name("council_name", bad, 200).is_err(), "{bad:?} accepted");
        }
        assert!(name("council_name", &"x".repeat(201), 200).is_err());
        assert!(name("council_name", &"é".repeat(200), 200).is_ok(), "length is counted in characters");
    }

    #[test]
    fn regions_and_text() {
        assert!(region("North East").is_ok());
        assert!(region("Wales").is_err());
        assert!(text("name", "  ", 10).is_err());
        assert!(text("name", "abcdefghijk", 10).is_err());
        assert!(text("name", "ok\u{0}", 10).is_err());
        assert!(text("notes", "line one\nline two", 100).is_ok());
        assert!(plain("token", "abc", 10).is_ok());
        assert!(plain("token", "a\u{0}", 10).is_err());
    }
}
