//! The guest side of `commissioning:framework@1.1.0`: the generated types and `Guest` trait, an
//! `export!` macro, typed readers for attributes (`read`), and helpers for the rules frameworks
//! share (dates, findings, banding, scoring, the baseline's data checks). A plugin implements
//! `Guest` for a unit struct and calls `export!` on it.

// The bindings are generated here once, so plugin crates need no WIT of their own.
#[allow(unsafe_code, clippy::all)]
#[doc(hidden)]
pub mod generated {
    wit_bindgen::generate!({
        world: "framework",
        path: "../wit/v1.1.0",
        default_bindings_module: "commissioning_sdk::generated",
        pub_export_macro: true,
        export_macro_name: "export",
    });
}

pub use generated::commissioning::framework::types::*;
pub use generated::{Guest, export};

pub mod baseline;
pub mod read;
pub use read::{Fields, listed, pick, same_name};

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

/// The shared arithmetic of a self-evaluation, with no standard capping the overall band.
pub fn score_against(
    set: &StandardsSet,
    evaluation: &SelfEvaluation,
    options: impl Fn(&str, &str) -> Vec<String>,
) -> Result<EvaluationSummary, String> {
    score_capped(set, evaluation, None, options)
}

/// The shared arithmetic of a self-evaluation.
///
/// A standard may be rated by several named groups, each once; its score is the lower median of
/// its ratings (the middle one, or the lower of the two middle ones, so a split view never
/// rounds up), and the spread (count, lowest, highest, mean) is kept beside it. The overall mean
/// is the mean of the standards' scores, shown unrounded. The summary has an overall band only
/// when every standard is rated: until then it is incomplete and says which are missing. A band
/// is reached by a mean at or above its lowest score. Where `cap` names a standard (a
/// safeguarding standard), the overall band is never better than that standard's own band.
/// `options` gives the improvement options a framework attaches to a standard in a given band.
pub fn score_capped(
    set: &StandardsSet,
    evaluation: &SelfEvaluation,
    cap: Option<&str>,
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
    let rank_of = |band: &str| set.bands.iter().position(|b| b.id == band);
    let mut ratings: Vec<(&str, Vec<u8>)> = set.standards.iter().map(|st| (st.id.as_str(), Vec::new())).collect();
    let mut raters: Vec<(String, Option<String>)> = Vec::new();
    let mut findings = Vec::new();
    for (i, s) in evaluation.scores.iter().enumerate() {
        let Some(slot) = ratings.iter_mut().find(|(id, _)| *id == s.standard_id) else {
            return Err(format!("scores[{i}]: {:?} is not a standard of {}", s.standard_id, set.name));
        };
        if s.score < set.min_score || s.score > set.max_score {
            return Err(format!(
                "scores[{i}]: {} is given {}, outside {}-{}",
                s.standard_id, s.score, set.min_score, set.max_score
            ));
        }
        let rater = s.rater.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if raters.iter().any(|(id, r)| *id == s.standard_id && (r.is_none() || rater.is_none() || *r == rater)) {
            return Err(match &rater {
                Some(r) => format!("scores[{i}]: {r} rates {} twice", s.standard_id),
                None => format!(
                    "scores[{i}]: {} is rated twice; name the group giving each rating to combine several",
                    s.standard_id
                ),
            });
        }
        raters.push((s.standard_id.clone(), rater));
        slot.1.push(s.score);
        if s.evidence.trim().is_empty() {
            findings.push(warning(
                "no-evidence",
                format!("Standard {} is rated without evidence", s.standard_id),
                Some(&s.standard_id),
                "",
            ));
        }
    }
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for (id, scores) in &mut ratings {
        if scores.is_empty() {
            missing.push(*id);
            continue;
        }
        scores.sort_unstable();
        let score = scores[(scores.len() - 1) / 2];
        let band_id = band_of(f64::from(score)).ok_or_else(|| format!("score {score} is in no band"))?;
        results.push(StandardResult {
            standard_id: id.to_string(),
            score,
            options: options(id, &band_id),
            band_id,
            ratings: scores.len() as u32,
            lowest: scores[0],
            highest: scores[scores.len() - 1],
            mean: scores.iter().map(|s| f64::from(*s)).sum::<f64>() / scores.len() as f64,
        });
    }
    if results.is_empty() {
        return Err("no standards were rated".into());
    }
    let mean = results.iter().map(|r| f64::from(r.score)).sum::<f64>() / results.len() as f64;
    let mut order: Vec<&StandardResult> = results.iter().collect();
    order.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.standard_id.cmp(&b.standard_id)));
    let lowest = order.first().map(|r| r.score).unwrap_or(0);
    let weakest = order.iter().filter(|r| r.score == lowest).map(|r| r.standard_id.clone()).collect();
    let complete = missing.is_empty();
    let mut band_id = None;
    let mut capped_by = None;
    if complete {
        let by_mean = band_of(mean).ok_or_else(|| format!("the mean {mean} is in no band"))?;
        let cap_result = cap.and_then(|c| results.iter().find(|r| r.standard_id == c));
        band_id = Some(match cap_result {
            Some(c) if rank_of(&c.band_id) < rank_of(&by_mean) => {
                findings.push(warning(
                    "capped",
                    format!(
                        "The overall band is capped at {} by standard {}: a trust is no better overall than it safeguards",
                        c.band_id, c.standard_id
                    ),
                    Some(&c.standard_id),
                    "",
                ));
                capped_by = Some(c.standard_id.clone());
                c.band_id.clone()
            }
            _ => by_mean,
        });
    } else {
        findings.push(warning(
            "incomplete",
            format!(
                "{} of {} standards have no rating ({}): the self-evaluation has no overall band until every standard is rated",
                missing.len(),
                set.standards.len(),
                missing.join(", ")
            ),
            None,
            "",
        ));
    }
    Ok(EvaluationSummary { band_id, mean_score: mean, complete, capped_by, results, weakest, findings })
}

/// A description's rules table entry.
pub fn rule(id: &str, rule: &str, source: &str, inferred: bool) -> Rule {
    Rule { id: id.into(), rule: rule.into(), source: source.into(), inferred }
}

/// What is wrong with a plugin's rules table against its README: every rule of `describe` has a
/// row `| \`id\` | rule | source | yes/no | tests |` with the same text and the same stated or
/// inferred mark, every test the row names is a `fn` in `code`, ids are unique and every rule has
/// a source. Each plugin's tests call this, so the README and `describe` cannot drift apart.
pub fn rules_table_problems(rules: &[Rule], readme: &str, code: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
        problems.push(format!("rule id {} is used twice", pair[0]));
    }
    for r in rules {
        if r.source.trim().is_empty() {
            problems.push(format!("{}: no source", r.id));
        }
        let Some(row) = readme.lines().find(|l| l.starts_with(&format!("| `{}` |", r.id))) else {
            problems.push(format!("{}: no row in README.md", r.id));
            continue;
        };
        let cells: Vec<&str> = row.trim().trim_matches('|').split(" | ").map(str::trim).collect();
        if cells.get(1) != Some(&r.rule.as_str()) {
            problems.push(format!("{}: README says {:?}, describe says {:?}", r.id, cells.get(1), r.rule));
        }
        if !cells.contains(&if r.inferred { "yes" } else { "no" }) {
            problems.push(format!(
                "{}: README does not mark it {}",
                r.id,
                if r.inferred { "inferred" } else { "stated" }
            ));
        }
        let tests: Vec<&str> = cells.last().map(|c| c.split('`').skip(1).step_by(2).collect()).unwrap_or_default();
        if tests.is_empty() {
            problems.push(format!("{}: README names no test", r.id));
        }
        for t in tests {
            if !code.contains(&format!("fn {t}()")) {
                problems.push(format!("{}: README names test {t}, which does not exist", r.id));
            }
        }
    }
    problems
}

/// A field a framework asks for on one kind of record.
pub fn field(
    entity_kind: &str,
    key: &str,
    label: &str,
    kind: AttributeKind,
    required: bool,
    source: &str,
) -> AttributeDefinition {
    AttributeDefinition {
        entity_kind: entity_kind.into(),
        key: key.into(),
        label: label.into(),
        hint: None,
        kind,
        choices: Vec::new(),
        required,
        source: Some(source.to_string()).filter(|s| !s.is_empty()),
    }
}

/// A choice field whose accepted values are `(value, label)` pairs.
pub fn choice_field(
    entity_kind: &str,
    key: &str,
    label: &str,
    choices: &[(&str, &str)],
    required: bool,
    source: &str,
) -> AttributeDefinition {
    AttributeDefinition {
        choices: choices.iter().map(|(v, l)| Choice { value: v.to_string(), label: l.to_string() }).collect(),
        ..field(entity_kind, key, label, AttributeKind::Choice, required, source)
    }
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
            format!("{:?} is not a stage of this framework (one of {})", m.to_stage, stage_ids.join(", ")),
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
                    format!("{f:?} is not a stage of this framework (one of {})", stage_ids.join(", ")),
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
