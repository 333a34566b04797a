//! Test program: a small framework written against `commissioning:framework@1.0.0` with
//! wit-bindgen alone, no SDK, as a council's plugin released before 1.1.0 was built. The host
//! keeps loading it, checks it, and answers every function in the newest types.

// The generated glue is unsafe by nature; it is exported from inside the module that allows it.
#[allow(unsafe_code, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
        world: "framework",
        path: "../../wit/v1.0.0",
    });

    use super::Legacy;
    export!(Legacy with_types_in self);
}

use bindings::Guest;
use bindings::commissioning::framework::types::*;

struct Legacy;

const SOURCE: &str = "Children and young people's plan (2007)";

const STAGES: [(&str, &str, &str); 4] = [
    ("assess", "Assess need", "ASSESS"),
    ("plan", "Plan services", "PLAN"),
    ("commission", "Commission services", "DO"),
    ("review", "Review services", "REVIEW"),
];

const STANDARDS: [(&str, &str); 3] = [
    ("needs", "Commissioning follows the assessment of need"),
    ("voice", "Children and families shape the services"),
    ("outcomes", "Contracts are judged by their outcomes"),
];

fn practice() -> StandardsSet {
    StandardsSet {
        id: "practice".into(),
        name: "Commissioning practice".into(),
        standards: STANDARDS
            .iter()
            .map(|(id, name)| Standard { id: (*id).into(), name: (*name).into(), description: String::new() })
            .collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "weak".into(), label: "Weak".into(), min_score: 1, max_score: 2 },
            ScoreBand { id: "good".into(), label: "Good".into(), min_score: 3, max_score: 4 },
        ],
    }
}

fn age_bands() -> Vec<AgeBand> {
    vec![
        AgeBand { id: "0-10".into(), name: "Aged 0 to 10".into(), min_age: 0, max_age: Some(10) },
        AgeBand { id: "11-17".into(), name: "Aged 11 to 17".into(), min_age: 11, max_age: Some(17) },
        AgeBand { id: "18+".into(), name: "Aged 18 and over".into(), min_age: 18, max_age: None },
    ]
}

fn areas() -> Vec<Area> {
    vec![Area { id: "north".into(), name: "North".into() }, Area { id: "south".into(), name: "South".into() }]
}

/// A date as (year, month, day), checked.
type Day = (i32, u32, u32);

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn day(field: &str, text: &str) -> Result<Day, String> {
    let bad = || format!("{field}: {text:?} is not a date (YYYY-MM-DD)");
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (y, m, d) =
        (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if y.to_string().len() != 4 || !(1..=12).contains(&m) || d < 1 || d > days_in(y, m) {
        return Err(bad());
    }
    Ok((y, m, d))
}

fn iso((y, m, d): Day) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// `months` after (or, negative, before) a date, on the same day or the month's last.
fn add_months((y, m, d): Day, months: i32) -> Day {
    let index = y * 12 + m as i32 - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    (year, month, d.min(days_in(year, month)))
}

fn review(s: &Subject, kind: &str, title: &str, due: Day, audience: &str) -> ReviewDue {
    ReviewDue {
        subject_id: s.id.clone(),
        kind: kind.into(),
        title: format!("{title}: {}", s.title),
        due: iso(due),
        audience: audience.into(),
        source: Some(SOURCE.into()),
    }
}

fn finding(severity: Severity, code: &str, message: &str, field: Option<&str>) -> Finding {
    Finding {
        severity,
        code: code.into(),
        message: message.into(),
        field: field.map(str::to_string),
        source: Some(SOURCE.into()),
    }
}

fn attr<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a str> {
    attributes.iter().find(|a| a.key == key).map(|a| a.value.trim()).filter(|v| !v.is_empty())
}

impl Guest for Legacy {
    fn describe() -> Description {
        Description {
            id: "legacy-v1-0".into(),
            name: "A framework released against contract 1.0.0".into(),
            version: "1.0.0".into(),
            source: SOURCE.into(),
            stages: STAGES
                .iter()
                .map(|(id, name, group)| Stage {
                    id: (*id).into(),
                    name: (*name).into(),
                    group: Some((*group).into()),
                    description: String::new(),
                })
                .collect(),
            levels: vec![
                Level { id: "strategic".into(), name: "Strategic".into(), description: "Across the area".into() },
                Level { id: "operational".into(), name: "Operational".into(), description: "One service".into() },
            ],
            levels_of_need: vec![
                Level { id: "universal".into(), name: "Universal".into(), description: "Every child".into() },
                Level { id: "targeted".into(), name: "Targeted".into(), description: "Additional needs".into() },
                Level { id: "specialist".into(), name: "Specialist".into(), description: "Complex needs".into() },
            ],
            age_bands: age_bands(),
            areas: areas(),
            bodies: vec![
                Body {
                    id: "board".into(),
                    name: "Children's Trust Board".into(),
                    responsibilities: "Strategic commissioning".into(),
                    meets: Some("quarterly".into()),
                },
                Body {
                    id: "group".into(),
                    name: "Commissioning group".into(),
                    responsibilities: "Specifies and monitors services".into(),
                    meets: Some("monthly".into()),
                },
            ],
            standards_sets: vec![practice()],
            calendar: vec![
                CalendarEntry {
                    name: "Assess and plan".into(),
                    start_month: 4,
                    end_month: 9,
                    stage_ids: vec!["assess".into(), "plan".into()],
                },
                CalendarEntry {
                    name: "Commission and review".into(),
                    start_month: 10,
                    end_month: 3,
                    stage_ids: vec!["commission".into(), "review".into()],
                },
            ],
            notes: vec!["The plan sets no scale for its standards; they are scored 1 to 4.".into()],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items
            .into_iter()
            .map(|item| {
                let specialist = item.tier.as_deref() == Some("specialist");
                Classification {
                    item_id: item.id,
                    level: if specialist { "strategic" } else { "operational" }.into(),
                    body: if specialist { "board" } else { "group" }.into(),
                    rationale: if specialist {
                        "Specialist services are commissioned across the area"
                    } else {
                        "Other services are commissioned one by one"
                    }
                    .into(),
                    source: Some(SOURCE.into()),
                }
            })
            .collect())
    }

    /// Reviews on each anniversary of the start while a contract runs and a decision six
    /// months before its end; an open-ended service is reviewed a year after it starts.
    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        day("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let start = day(&format!("subjects[{i}].start"), &s.start)?;
            let audience = if s.tier.as_deref() == Some("specialist") { "board" } else { "group" };
            match &s.end {
                Some(end) => {
                    let end = day(&format!("subjects[{i}].end"), end)?;
                    if end < start {
                        return Err(format!("subjects[{i}]: ends before it starts"));
                    }
                    let mut n = 1;
                    while add_months(start, 12 * n) < end {
                        out.push(review(s, "annual", "Annual review", add_months(start, 12 * n), audience));
                        n += 1;
                    }
                    let decide = add_months(end, -6).max(start);
                    out.push(review(s, "end-of-contract", "Decide whether to re-commission", decide, audience));
                }
                None => out.push(review(s, "annual", "Annual review", add_months(start, 12), audience)),
            }
        }
        Ok(out)
    }

    fn validate(_today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        entities
            .iter()
            .map(|e| {
                let mut out = Vec::new();
                match e.kind.as_str() {
                    "contract" => {
                        let start = attr(&e.attributes, "start").map(|v| day("start", v));
                        let end = attr(&e.attributes, "end").map(|v| day("end", v));
                        match (start, end) {
                            (None, _) => out.push(finding(
                                Severity::Error,
                                "no-start",
                                "A contract needs a start date",
                                Some("start"),
                            )),
                            (Some(Err(m)), _) => out.push(finding(Severity::Error, "bad-date", &m, Some("start"))),
                            (_, Some(Err(m))) => out.push(finding(Severity::Error, "bad-date", &m, Some("end"))),
                            (Some(Ok(s)), Some(Ok(en))) if en < s => out.push(finding(
                                Severity::Error,
                                "ends-before-start",
                                "The contract ends before it starts",
                                Some("end"),
                            )),
                            _ => {}
                        }
                    }
                    "provider" if attr(&e.attributes, "name").is_none() => {
                        out.push(finding(Severity::Warning, "no-name", "A provider has a name", Some("name")))
                    }
                    _ => {}
                }
                out
            })
            .collect()
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        let position = |id: &str| STAGES.iter().position(|(s, _, _)| *s == id);
        moves
            .iter()
            .map(|m| {
                let Some(to) = position(&m.to_stage) else {
                    return vec![finding(Severity::Error, "unknown-stage", "No such stage", Some("to_stage"))];
                };
                let from = match &m.from_stage {
                    None => None,
                    Some(f) => match position(f) {
                        Some(i) => Some(i),
                        None => {
                            return vec![finding(
                                Severity::Error,
                                "unknown-stage",
                                "No such stage",
                                Some("from_stage"),
                            )];
                        }
                    },
                };
                match from {
                    None if to != 0 => {
                        vec![finding(
                            Severity::Error,
                            "start-at-first-stage",
                            "A project starts by assessing need",
                            Some("to_stage"),
                        )]
                    }
                    Some(f) if to > f + 1 => {
                        vec![finding(Severity::Error, "skips-a-stage", "Stages are taken in order", Some("to_stage"))]
                    }
                    _ => Vec::new(),
                }
            })
            .collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        let set = practice();
        if evaluation.standards_set_id != set.id {
            return Err(format!("standards set {:?} is not {:?}", evaluation.standards_set_id, set.id));
        }
        let band_of = |score: u8| set.bands.iter().find(|b| b.min_score <= score && score <= b.max_score);
        let mut results: Vec<StandardResult> = Vec::new();
        let mut findings = Vec::new();
        for (i, s) in evaluation.scores.iter().enumerate() {
            if !set.standards.iter().any(|st| st.id == s.standard_id) {
                return Err(format!("scores[{i}]: {:?} is not a standard of {}", s.standard_id, set.name));
            }
            if results.iter().any(|r| r.standard_id == s.standard_id) {
                return Err(format!("scores[{i}]: {} is scored twice", s.standard_id));
            }
            let band = band_of(s.score)
                .ok_or_else(|| format!("scores[{i}]: {} is given {}, outside 1-4", s.standard_id, s.score))?;
            if s.evidence.trim().is_empty() {
                findings.push(Finding {
                    field: Some(s.standard_id.clone()),
                    ..finding(Severity::Warning, "no-evidence", "A score needs its evidence", None)
                });
            }
            results.push(StandardResult {
                standard_id: s.standard_id.clone(),
                score: s.score,
                band_id: band.id.clone(),
                options: if band.id == "weak" {
                    vec!["Agree an improvement plan with the board".into()]
                } else {
                    vec![]
                },
            });
        }
        let lowest = results.iter().map(|r| r.score).min().ok_or("no standards were scored")?;
        let mean = results.iter().map(|r| f64::from(r.score)).sum::<f64>() / results.len() as f64;
        let band_id = band_of(mean.round() as u8).map(|b| b.id.clone()).ok_or("the mean is in no band")?;
        let mut weakest: Vec<String> =
            results.iter().filter(|r| r.score == lowest).map(|r| r.standard_id.clone()).collect();
        weakest.sort();
        Ok(EvaluationSummary { band_id, mean_score: mean, results, weakest, findings })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        let mut totals: Vec<Banded> = match by {
            Dimension::Age => age_bands().into_iter().map(|b| Banded { band_id: b.id, value: 0.0 }).collect(),
            Dimension::Area => areas().into_iter().map(|a| Banded { band_id: a.id, value: 0.0 }).collect(),
        };
        for (i, c) in counts.iter().enumerate() {
            let slot = match by {
                Dimension::Age => {
                    let age = c.age.ok_or_else(|| format!("counts[{i}]: banding by age needs an age"))?;
                    age_bands().iter().position(|b| age >= b.min_age && b.max_age.is_none_or(|m| age <= m))
                }
                Dimension::Area => {
                    let area =
                        c.area.as_deref().ok_or_else(|| format!("counts[{i}]: banding by area needs an area"))?;
                    areas().iter().position(|a| a.id == area || a.name.eq_ignore_ascii_case(area))
                }
            };
            let slot = slot.ok_or_else(|| format!("counts[{i}] is in none of the framework's bands"))?;
            totals[slot].value += c.value;
        }
        Ok(totals)
    }
}
