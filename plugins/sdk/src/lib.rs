//! The guest side of `commissioning:framework@1.0.0`: the generated types and `Guest` trait, an
//! `export!` macro, and helpers for the rules frameworks share (dates, attributes, findings,
//! banding, scoring). A plugin implements `Guest` for a unit struct and calls `export!` on it.

// The bindings are generated here once, so plugin crates need no WIT of their own.
#[allow(unsafe_code, clippy::all)]
#[doc(hidden)]
pub mod generated {
    wit_bindgen::generate!({
        world: "framework",
        path: "../wit/v1.0.0",
        default_bindings_module: "commissioning_sdk::generated",
        pub_export_macro: true,
        export_macro_name: "export",
    });
}

pub use generated::commissioning::framework::types::*;
pub use generated::{Guest, export};

pub mod baseline;

use chrono::Months;
pub use chrono::{Datelike, NaiveDate};

/// Parses an ISO date, naming the field when it is not one.
pub fn date(field: &str, value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| format!("{field}: {value:?} is not a date (YYYY-MM-DD)"))
}

pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

pub fn sub_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(d)
}

/// The first day of `month` (1-12) on or after `from`.
pub fn next_month_start(from: NaiveDate, month: u32) -> NaiveDate {
    let this_year = NaiveDate::from_ymd_opt(from.year(), month, 1).unwrap_or(from);
    if this_year >= from { this_year } else { NaiveDate::from_ymd_opt(from.year() + 1, month, 1).unwrap_or(from) }
}

/// The value of an attribute, if present and not empty.
pub fn attr<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a str> {
    attributes.iter().find(|a| a.key == key).map(|a| a.value.trim()).filter(|v| !v.is_empty())
}

/// A yes/no attribute: "true", "yes" or "1" is yes; anything else, or absence, is no.
pub fn flag(attributes: &[Attribute], key: &str) -> bool {
    matches!(attr(attributes, key).map(str::to_ascii_lowercase).as_deref(), Some("true" | "yes" | "1"))
}

/// A numeric attribute; `Err` names the key when present but not a number.
pub fn number(attributes: &[Attribute], key: &str) -> Result<Option<f64>, String> {
    match attr(attributes, key) {
        None => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| format!("{key}: {v:?} is not a number")),
    }
}

pub fn attribute(key: &str, value: &str) -> Attribute {
    Attribute { key: key.into(), value: value.into() }
}

fn finding(severity: Severity, code: &str, message: String, field: Option<&str>, source: &str) -> Finding {
    Finding {
        severity,
        code: code.into(),
        message,
        field: field.map(str::to_string),
        source: Some(source.to_string()).filter(|s| !s.is_empty()),
    }
}

pub fn error(code: &str, message: impl Into<String>, field: Option<&str>, source: &str) -> Finding {
    finding(Severity::Error, code, message.into(), field, source)
}

pub fn warning(code: &str, message: impl Into<String>, field: Option<&str>, source: &str) -> Finding {
    finding(Severity::Warning, code, message.into(), field, source)
}

pub fn info(code: &str, message: impl Into<String>, field: Option<&str>, source: &str) -> Finding {
    finding(Severity::Info, code, message.into(), field, source)
}

pub fn stage(id: &str, name: &str, group: Option<&str>, description: &str) -> Stage {
    Stage { id: id.into(), name: name.into(), group: group.map(str::to_string), description: description.into() }
}

pub fn level(id: &str, name: &str, description: &str) -> Level {
    Level { id: id.into(), name: name.into(), description: description.into() }
}

pub fn body(id: &str, name: &str, responsibilities: &str, meets: Option<&str>) -> Body {
    Body {
        id: id.into(),
        name: name.into(),
        responsibilities: responsibilities.into(),
        meets: meets.map(str::to_string),
    }
}

pub fn area(id: &str, name: &str) -> Area {
    Area { id: id.into(), name: name.into() }
}

pub fn standard(id: &str, name: &str, description: &str) -> Standard {
    Standard { id: id.into(), name: name.into(), description: description.into() }
}

/// Areas whose ids are their names made lowercase and hyphenated.
pub fn areas(names: &[&str]) -> Vec<Area> {
    names.iter().map(|n| area(&slug(n), n)).collect()
}

pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Sums counts into bands: by age into `bands`, or by area into `areas` (matched by id or name).
/// A count that fits no band is an error naming it, so nothing is silently dropped.
pub fn band_counts(by: Dimension, counts: &[Count], bands: &[AgeBand], areas: &[Area]) -> Result<Vec<Banded>, String> {
    match by {
        Dimension::Age => {
            let mut totals: Vec<Banded> = bands.iter().map(|b| Banded { band_id: b.id.clone(), value: 0.0 }).collect();
            for (i, c) in counts.iter().enumerate() {
                let age = c.age.ok_or_else(|| format!("counts[{i}]: banding by age needs an age"))?;
                let slot = bands
                    .iter()
                    .position(|b| age >= b.min_age && b.max_age.is_none_or(|max| age <= max))
                    .ok_or_else(|| format!("counts[{i}]: age {age} is in none of the framework's age bands"))?;
                totals[slot].value += c.value;
            }
            Ok(totals)
        }
        Dimension::Area => {
            let mut totals: Vec<Banded> = areas.iter().map(|a| Banded { band_id: a.id.clone(), value: 0.0 }).collect();
            for (i, c) in counts.iter().enumerate() {
                let name = c.area.as_deref().ok_or_else(|| format!("counts[{i}]: banding by area needs an area"))?;
                let slot = areas
                    .iter()
                    .position(|a| a.id == name || a.name.eq_ignore_ascii_case(name))
                    .ok_or_else(|| format!("counts[{i}]: {name:?} is not one of the framework's areas"))?;
                totals[slot].value += c.value;
            }
            Ok(totals)
        }
    }
}

/// The shared arithmetic of a self-evaluation: each score placed in the set's bands, the mean
/// placed too, the weakest standards first. `options` gives the improvement options a framework
/// attaches to a standard in a given band.
pub fn score_against(
    set: &StandardsSet,
    evaluation: &SelfEvaluation,
    options: impl Fn(&str, &str) -> Vec<String>,
) -> Result<EvaluationSummary, String> {
    if evaluation.standards_set_id != set.id {
        return Err(format!("standards set {:?} is not {:?}", evaluation.standards_set_id, set.id));
    }
    let band_of = |score: f64| {
        set.bands
            .iter()
            .find(|b| score >= f64::from(b.min_score) && score < f64::from(b.max_score) + 1.0)
            .map(|b| b.id.clone())
    };
    let mut results = Vec::new();
    let mut findings = Vec::new();
    for s in &evaluation.scores {
        if !set.standards.iter().any(|st| st.id == s.standard_id) {
            return Err(format!("{:?} is not a standard of {}", s.standard_id, set.name));
        }
        if results.iter().any(|r: &StandardResult| r.standard_id == s.standard_id) {
            return Err(format!("{:?} is scored twice", s.standard_id));
        }
        if s.score < set.min_score || s.score > set.max_score {
            return Err(format!("{}: score {} is outside {}-{}", s.standard_id, s.score, set.min_score, set.max_score));
        }
        let band_id = band_of(f64::from(s.score)).ok_or_else(|| format!("score {} is in no band", s.score))?;
        if s.evidence.trim().is_empty() {
            findings.push(warning(
                "no-evidence",
                format!("Standard {} is scored without evidence", s.standard_id),
                Some(&s.standard_id),
                "",
            ));
        }
        results.push(StandardResult {
            standard_id: s.standard_id.clone(),
            score: s.score,
            options: options(&s.standard_id, &band_id),
            band_id,
        });
    }
    for st in &set.standards {
        if !results.iter().any(|r| r.standard_id == st.id) {
            findings.push(info(
                "not-scored",
                format!("Standard {} ({}) has no score", st.id, st.name),
                Some(&st.id),
                "",
            ));
        }
    }
    if results.is_empty() {
        return Err("no standards were scored".into());
    }
    let mean = results.iter().map(|r| f64::from(r.score)).sum::<f64>() / results.len() as f64;
    let mut order: Vec<&StandardResult> = results.iter().collect();
    order.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.standard_id.cmp(&b.standard_id)));
    let lowest = order.first().map(|r| r.score).unwrap_or(0);
    let weakest = order.iter().filter(|r| r.score == lowest).map(|r| r.standard_id.clone()).collect();
    Ok(EvaluationSummary {
        band_id: band_of(mean.floor()).unwrap_or_default(),
        mean_score: (mean * 100.0).round() / 100.0,
        results,
        weakest,
        findings,
    })
}

/// The common banding every framework's figures can be compared in across the region.
pub fn common_age_bands() -> Vec<AgeBand> {
    [
        ("0-4", 0, Some(4)),
        ("5-9", 5, Some(9)),
        ("10-14", 10, Some(14)),
        ("15-19", 15, Some(19)),
        ("20-25", 20, Some(25)),
    ]
    .into_iter()
    .map(|(id, min, max)| AgeBand { id: id.into(), name: format!("Aged {id}"), min_age: min, max_age: max })
    .collect()
}

/// A stage move may go one step forward, or back to any earlier step; never skip ahead.
pub fn ordered_move(stage_ids: &[&str], m: &StageMove, source: &str) -> Vec<Finding> {
    let Some(to) = stage_ids.iter().position(|s| *s == m.to_stage) else {
        return vec![error(
            "unknown-stage",
            format!("{:?} is not a stage of this framework", m.to_stage),
            Some("to_stage"),
            source,
        )];
    };
    let from = match &m.from_stage {
        None => None,
        Some(f) => match stage_ids.iter().position(|s| s == f) {
            Some(i) => Some(i),
            None => {
                return vec![error(
                    "unknown-stage",
                    format!("{f:?} is not a stage of this framework"),
                    Some("from_stage"),
                    source,
                )];
            }
        },
    };
    match from {
        None if to != 0 => vec![error(
            "start-at-first-stage",
            format!("A new project starts at {:?}", stage_ids[0]),
            Some("to_stage"),
            source,
        )],
        Some(f) if to > f + 1 => vec![error(
            "skips-a-stage",
            format!("{:?} cannot follow {:?}: stages are taken in order", m.to_stage, stage_ids[f]),
            Some("to_stage"),
            source,
        )],
        Some(f) if to == f => {
            vec![warning("same-stage", "The project is already at this stage", Some("to_stage"), source)]
        }
        _ => Vec::new(),
    }
}

pub fn review(s: &Subject, kind: &str, what: &str, due: NaiveDate, audience: &str, source: &str) -> ReviewDue {
    ReviewDue {
        subject_id: s.id.clone(),
        kind: kind.into(),
        title: format!("{what}: {}", s.title),
        due: iso(due),
        audience: audience.into(),
        source: Some(source.to_string()),
    }
}

/// A subject's start and (optional) end, with the subject's position named on a bad date.
pub fn subject_span(i: usize, s: &Subject) -> Result<(NaiveDate, Option<NaiveDate>), String> {
    let start = date(&format!("subjects[{i}].start"), &s.start)?;
    let end = match &s.end {
        Some(e) => Some(date(&format!("subjects[{i}].end"), e)?),
        None => None,
    };
    if end.is_some_and(|e| e < start) {
        return Err(format!("subjects[{i}]: ends before it starts"));
    }
    Ok((start, end))
}

/// The baseline's schedule (annual reviews and a re-commissioning decision), each subject's
/// reviews addressed to the body `audience` picks for it.
pub fn schedule_for_bodies(
    today: &str,
    subjects: &[Subject],
    audience: impl Fn(&Subject) -> String,
    source: &str,
) -> Result<Vec<ReviewDue>, String> {
    let mut out = Vec::new();
    for s in subjects {
        out.extend(baseline::default_schedule(today, std::slice::from_ref(s), &audience(s), source)?);
    }
    Ok(out)
}

/// The item a subject is, for classifying who reviews it.
pub fn subject_item(s: &Subject) -> Item {
    Item {
        id: s.id.clone(),
        kind: "service".into(),
        tier: s.tier.clone(),
        level_of_need: None,
        area: attr(&s.attributes, "area").map(str::to_string),
        attributes: s.attributes.clone(),
    }
}

/// The five Every Child Matters outcomes, the ids the platform's data core uses.
pub const OUTCOMES: [(&str, &str); 5] = [
    ("be_healthy", "Be healthy"),
    ("stay_safe", "Stay safe"),
    ("enjoy_and_achieve", "Enjoy and achieve"),
    ("positive_contribution", "Make a positive contribution"),
    ("economic_wellbeing", "Achieve economic well-being"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_dates() {
        assert_eq!(slug("Peckham and Nunhead and Peckham Rye"), "peckham-and-nunhead-and-peckham-rye");
        assert_eq!(slug("Borough, Bankside & Walworth"), "borough-bankside-walworth");
        let d = date("today", "2026-11-24").unwrap();
        assert_eq!(iso(add_months(d, 3)), "2027-02-24");
        assert_eq!(iso(next_month_start(d, 12)), "2026-12-01");
        assert_eq!(iso(next_month_start(d, 4)), "2027-04-01");
        assert!(date("today", "2026-02-30").is_err());
    }

    #[test]
    fn banding_keeps_every_count_or_says_why_not() {
        let bands = vec![
            AgeBand { id: "0-7".into(), name: "0-7".into(), min_age: 0, max_age: Some(7) },
            AgeBand { id: "8+".into(), name: "8+".into(), min_age: 8, max_age: None },
        ];
        let counts = [
            Count { age: Some(3), area: None, value: 2.0 },
            Count { age: Some(7), area: None, value: 1.0 },
            Count { age: Some(19), area: None, value: 5.0 },
        ];
        let out = band_counts(Dimension::Age, &counts, &bands, &[]).unwrap();
        assert_eq!(out.iter().map(|b| b.value).collect::<Vec<_>>(), vec![3.0, 5.0]);
        assert!(band_counts(Dimension::Area, &counts, &bands, &areas(&["North"])).is_err());
    }
}
