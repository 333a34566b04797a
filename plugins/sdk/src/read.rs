//! Typed readers for everything a plugin reads from attributes. No plugin parses a number, a
//! date or a yes/no itself: it asks a `Fields` reader, which refuses what is not of the kind
//! with a finding naming the field, and never turns a bad value into a default.

use crate::*;

/// Names compared as people write them: case, spaces and punctuation do not matter, so
/// "Chester-le-Street", "chester le street" and "CHESTER_LE_STREET" are one name, and "&" is
/// "and". Numbers keep their shape: "13+" is not "1-3", and "0-7" is not "07".
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (fold_name(a), fold_name(b));
    !a.is_empty() && a == b
}

fn fold_name(s: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '+' {
            // A separator between two digits is part of the number's shape.
            if gap && c.is_ascii_digit() && out.ends_with(|p: char| p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c);
            gap = false;
        } else if c == '&' {
            out.push_str("and");
            gap = false;
        } else {
            gap = true;
        }
    }
    out
}

/// The accepted value `value` names (by id or by name), if any.
pub fn pick<'a>(value: &str, accepted: &[(&'a str, &str)]) -> Option<&'a str> {
    accepted.iter().find(|(id, name)| same_name(value, id) || same_name(value, name)).map(|(id, _)| *id)
}

/// The accepted values as a finding lists them.
pub fn listed(accepted: &[(&str, &str)]) -> String {
    accepted.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", ")
}

/// Whole pence from a sum of money in pounds: "1234.56", "£1,234.56", "1,000,000", "-5".
/// At most two decimal places; thousands separators only in groups of three.
pub fn parse_money(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    let t = t.strip_prefix('£').unwrap_or(t);
    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let pounds: i64 = whole.replace(',', "").parse().ok()?;
    let pence = match fraction {
        None => 0,
        Some(f) if (1..=2).contains(&f.len()) && f.chars().all(|c| c.is_ascii_digit()) => {
            let n: i64 = f.parse().ok()?;
            if f.len() == 1 { n * 10 } else { n }
        }
        Some(_) => return None,
    };
    let total = pounds.checked_mul(100)?.checked_add(pence)?;
    Some(if negative { -total } else { total })
}

/// An age range "from-to" (or "from to to"), in whole years within 0-25, from <= to.
pub fn parse_age_range(text: &str) -> Result<(u8, u8), String> {
    let t = text.trim();
    let (a, b) = t
        .split_once(" to ")
        .or_else(|| t.split_once('-'))
        .ok_or_else(|| format!("{t:?} is not an age range (from-to, e.g. 0-19)"))?;
    let age = |s: &str| s.trim().parse::<u8>().ok().filter(|n| *n <= 25);
    match (age(a), age(b)) {
        (Some(from), Some(to)) if from <= to => Ok((from, to)),
        (Some(from), Some(to)) => Err(format!("{t:?}: the range starts at {from}, after its end {to}")),
        _ => Err(format!("{t:?} is not an age range in whole years from 0 to 25")),
    }
}

/// Reads one entity's attributes by kind, collecting a finding for each value that is present
/// but not of its kind (and, with `require`, for each one missing). A reader returns `None` both
/// when the value is absent and when it is bad: the finding says which.
pub struct Fields<'a> {
    attributes: &'a [Attribute],
    source: &'a str,
    findings: Vec<Finding>,
}

impl<'a> Fields<'a> {
    pub fn new(attributes: &'a [Attribute], source: &'a str) -> Fields<'a> {
        Fields { attributes, source, findings: Vec::new() }
    }

    /// The findings so far, for the caller to add its own to.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// A finding of the caller's own, with this reader's source.
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// The raw value: present and not blank.
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        attr(self.attributes, key)
    }

    pub fn present(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// A finding that `key` is missing, with `why` saying what the framework needs it for.
    pub fn require(&mut self, key: &str, why: &str) -> bool {
        if self.present(key) {
            return true;
        }
        let f = error(&format!("missing-{}", slug(key)), why.to_string(), Some(key), self.source);
        self.findings.push(f);
        false
    }

    fn bad(&mut self, key: &str, kind: &str, message: String) {
        let f = error(&format!("bad-{kind}"), message, Some(key), self.source);
        self.findings.push(f);
    }

    /// One line of text, without control characters.
    pub fn text(&mut self, key: &str) -> Option<&'a str> {
        let v = self.raw(key)?;
        if v.chars().any(|c| c.is_control()) {
            self.bad(key, "text", format!("{key}: control characters are not allowed"));
            return None;
        }
        Some(v)
    }

    /// "yes" or "no" (also true/false, y/n, 1/0).
    pub fn yes_no(&mut self, key: &str) -> Option<bool> {
        let v = self.raw(key)?;
        match v.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                self.bad(key, "yes-no", format!("{key}: {v:?} is neither yes nor no"));
                None
            }
        }
    }

    /// A whole number (thousands separators allowed).
    pub fn whole(&mut self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        match parse_money(v).filter(|p| p % 100 == 0 && !v.contains('.') && !v.contains('£')) {
            Some(p) => Some(p / 100),
            None => {
                self.bad(key, "number", format!("{key}: {v:?} is not a whole number"));
                None
            }
        }
    }

    /// A share in per cent: a finite number from 0 to 100 ("80", "80%", "92.5").
    pub fn share(&mut self, key: &str) -> Option<f64> {
        let v = self.raw(key)?;
        let t = v.strip_suffix('%').unwrap_or(v).trim();
        let parsed = if t.chars().all(|c| c.is_ascii_digit() || c == '.') { t.parse::<f64>().ok() } else { None };
        match parsed.filter(|p| p.is_finite() && (0.0..=100.0).contains(p)) {
            Some(p) => Some(p),
            None => {
                self.bad(key, "share", format!("{key}: {v:?} is not a share from 0 to 100 per cent"));
                None
            }
        }
    }

    /// Money in pounds, read as pence: "1234.56", "£1,234.56", "1,000,000".
    pub fn money(&mut self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        match parse_money(v) {
            Some(p) => Some(p),
            None => {
                self.bad(key, "money", format!("{key}: {v:?} is not a sum in pounds (e.g. 1234.56 or £1,234.56)"));
                None
            }
        }
    }

    /// A whole number of pence, as the host passes contract values (`value_pence`).
    pub fn pence(&mut self, key: &str) -> Option<i64> {
        let v = self.raw(key)?;
        match v.parse::<i64>() {
            Ok(p) => Some(p),
            Err(_) => {
                self.bad(key, "money", format!("{key}: {v:?} is not a whole number of pence"));
                None
            }
        }
    }

    /// A real calendar date, "YYYY-MM-DD".
    pub fn day(&mut self, key: &str) -> Option<NaiveDate> {
        let v = self.raw(key)?;
        match date(key, v) {
            Ok(d) => Some(d),
            Err(m) => {
                self.bad(key, "date", m);
                None
            }
        }
    }

    /// An age range "from-to" in years, 0-25.
    pub fn age_range(&mut self, key: &str) -> Option<(u8, u8)> {
        let v = self.raw(key)?;
        match parse_age_range(v) {
            Ok(r) => Some(r),
            Err(m) => {
                self.bad(key, "age-range", format!("{key}: {m}"));
                None
            }
        }
    }

    /// One of the accepted values (id or name, case- and punctuation-insensitively): the id.
    pub fn choice<'c>(&mut self, key: &str, accepted: &[(&'c str, &str)]) -> Option<&'c str> {
        let v = self.raw(key)?;
        match pick(v, accepted) {
            Some(id) => Some(id),
            None => {
                self.bad(key, "choice", format!("{key}: {v:?} is not one of {}", listed(accepted)));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<Attribute> {
        pairs.iter().map(|(k, v)| attribute(k, v)).collect()
    }

    #[test]
    fn money_is_read_in_pounds_with_separators_and_never_as_zero() {
        assert_eq!(parse_money("1,000,000"), Some(100_000_000));
        assert_eq!(parse_money("£1,234.56"), Some(123_456));
        assert_eq!(parse_money("1234.5"), Some(123_450));
        assert_eq!(parse_money("-5"), Some(-500));
        for bad in ["", "1,00", "12,3456", "1.234", "£", "1e6", "NaN", "inf", "99999999999999999999"] {
            assert_eq!(parse_money(bad), None, "{bad}");
        }
    }

    #[test]
    fn shares_are_finite_and_within_a_hundred() {
        let attrs = fields(&[("a", "NaN"), ("b", "inf"), ("c", "150"), ("d", "80%"), ("e", "92.5"), ("f", "-1")]);
        let mut f = Fields::new(&attrs, "doc");
        assert_eq!([f.share("a"), f.share("b"), f.share("c")], [None, None, None]);
        assert_eq!(f.share("d"), Some(80.0));
        assert_eq!(f.share("e"), Some(92.5));
        assert_eq!(f.share("f"), None);
        let found = f.into_findings();
        assert_eq!(found.len(), 4);
        assert!(found.iter().all(|x| x.code == "bad-share" && x.severity == Severity::Error));
        assert_eq!(found[0].field.as_deref(), Some("a"));
    }

    #[test]
    fn yes_no_reads_no_as_no_and_refuses_anything_else() {
        let attrs = fields(&[("a", "no"), ("b", "Yes"), ("c", "maybe"), ("d", " ")]);
        let mut f = Fields::new(&attrs, "");
        assert_eq!((f.yes_no("a"), f.yes_no("b"), f.yes_no("c"), f.yes_no("d")), (Some(false), Some(true), None, None));
        assert_eq!(f.findings().len(), 1, "a blank value is absent, not bad");
    }

    #[test]
    fn dates_must_be_real_and_ages_ordered_within_the_range() {
        let attrs =
            fields(&[("a", "2026-13-01"), ("b", "2026-02-28"), ("c", "19-0"), ("d", "11 to 25"), ("e", "0-30")]);
        let mut f = Fields::new(&attrs, "");
        assert_eq!(f.day("a"), None);
        assert!(f.day("b").is_some());
        assert_eq!(f.age_range("c"), None);
        assert_eq!(f.age_range("d"), Some((11, 25)));
        assert_eq!(f.age_range("e"), None);
        assert_eq!(f.findings().len(), 3);
    }

    #[test]
    fn choices_match_as_people_write_them_and_name_the_accepted_values() {
        let accepted = [("chester-le-street", "Chester-le-Street"), ("derwentside", "Derwentside")];
        let attrs = fields(&[("a", "Chester le Street"), ("b", "CHESTER_LE_STREET"), ("c", "Narnia")]);
        let mut f = Fields::new(&attrs, "");
        assert_eq!(f.choice("a", &accepted), Some("chester-le-street"));
        assert_eq!(f.choice("b", &accepted), Some("chester-le-street"));
        assert_eq!(f.choice("c", &accepted), None);
        let found = f.into_findings();
        assert!(found[0].message.contains("chester-le-street, derwentside"), "{}", found[0].message);
        assert!(!same_name("", ""));
        assert!(same_name("Borough & Bankside", "borough-and-bankside"));
        assert!(!same_name("1-3", "13+"));
        assert!(same_name("0-7", "0 - 7"));
        assert!(!same_name("0-7", "07"));
    }

    #[test]
    fn text_refuses_control_characters_and_whole_numbers_refuse_fractions() {
        let attrs = fields(&[("a", "line\u{0}"), ("b", "12"), ("c", "1.5"), ("d", "1,200")]);
        let mut f = Fields::new(&attrs, "");
        assert_eq!(f.text("a"), None);
        assert_eq!(f.whole("b"), Some(12));
        assert_eq!(f.whole("c"), None);
        assert_eq!(f.whole("d"), Some(1200));
        assert!(f.require("b", "needed"));
        assert!(!f.require("zz", "needed"));
        assert_eq!(f.into_findings().len(), 3);
    }
}
