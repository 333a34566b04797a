//! The national baseline: the DCSF joint planning and commissioning cycle of nine steps, the five
//! Every Child Matters outcomes, and nothing local. A council that signs up without a framework
//! of its own starts here. Where the national guidance is silent the choices are plain and
//! written down in `notes`.

use crate::*;

/// The baseline framework. Exported as the `national-baseline` plugin, and a starting point
/// for plugins that only change part of it.
pub struct NationalBaseline;

pub const STAGES: [(&str, &str, &str); 9] = [
    ("look-at-outcomes", "Look at outcomes for children and young people", "ASSESS"),
    ("particular-groups", "Look at particular groups of children and young people", "ASSESS"),
    ("needs-assessment", "Develop the needs assessment with user and staff views", "ASSESS"),
    ("resources-priorities", "Identify resources and set priorities", "PLAN"),
    ("plan-services", "Plan the pattern of services and focus on prevention", "PLAN"),
    ("decide-how", "Decide how to commission services effectively", "DO"),
    ("commission", "Commission, including the use of pooled resources", "DO"),
    ("workforce-market", "Plan for workforce and market development", "DO"),
    ("monitor-review", "Monitor and review services and process", "REVIEW"),
];

pub const SOURCE: &str =
    "DCSF joint planning and commissioning framework for children, young people and maternity services (2006)";

pub fn cycle_standards() -> StandardsSet {
    StandardsSet {
        id: "commissioning-cycle".into(),
        name: "The commissioning cycle in practice".into(),
        standards: STAGES
            .iter()
            .enumerate()
            .map(|(i, (id, name, _))| {
                standard(id, &format!("Step {}: {name}", i + 1), "The trust carries out this step of the cycle.")
            })
            .collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "not-started".into(), label: "Not started".into(), min_score: 1, max_score: 1 },
            ScoreBand { id: "developing".into(), label: "Developing".into(), min_score: 2, max_score: 2 },
            ScoreBand { id: "established".into(), label: "Established".into(), min_score: 3, max_score: 3 },
            ScoreBand { id: "embedded".into(), label: "Embedded".into(), min_score: 4, max_score: 4 },
        ],
    }
}

/// Annual reviews on each anniversary of the start while the contract runs, and a review six
/// months before the end to decide whether to re-commission; services get an annual review.
pub fn default_schedule(
    today: &str,
    subjects: &[Subject],
    audience: &str,
    source: &str,
) -> Result<Vec<ReviewDue>, String> {
    let today = date("today", today)?;
    let mut out = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        let (start, end) = subject_span(i, s)?;
        match end {
            Some(end) => {
                let mut n = 1;
                loop {
                    let due = add_months(start, 12 * n);
                    if due >= end {
                        break;
                    }
                    out.push(review(s, "annual", "Annual review", due, audience, source));
                    n += 1;
                }
                let decide = sub_months(end, 6).max(start);
                out.push(review(s, "end-of-contract", "Decide whether to re-commission", decide, audience, source));
            }
            None => {
                let mut due = add_months(start, 12);
                while due < today {
                    due = add_months(due, 12);
                }
                out.push(review(s, "annual", "Annual review", due, audience, source));
            }
        }
    }
    Ok(out)
}

fn classify_item(item: &Item) -> Classification {
    let (level, body, why) = match item.tier.as_deref() {
        Some("specialist") => {
            ("strategic", "trust-board", "Specialist services are commissioned across the whole trust")
        }
        _ if item.kind == "priority" => ("strategic", "trust-board", "Priorities are set by the trust board"),
        _ => (
            "service",
            "commissioning-group",
            "Universal and targeted services are commissioned by the commissioning group",
        ),
    };
    Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale: why.into(),
        source: Some(SOURCE.into()),
    }
}

fn validate_entity(today: NaiveDate, e: &Entity) -> Vec<Finding> {
    let mut out = Vec::new();
    match e.kind.as_str() {
        "contract" => {
            let start = attr(&e.attributes, "start").map(|v| date("start", v));
            let end = attr(&e.attributes, "end").map(|v| date("end", v));
            match (start, end) {
                (Some(Ok(s)), Some(Ok(en))) if en < s => {
                    out.push(error("ends-before-start", "The contract ends before it starts", Some("end"), SOURCE))
                }
                (Some(Err(m)), _) => out.push(error("bad-date", m, Some("start"), SOURCE)),
                (_, Some(Err(m))) => out.push(error("bad-date", m, Some("end"), SOURCE)),
                (None, _) => out.push(error("missing-start", "A contract needs a start date", Some("start"), SOURCE)),
                (_, Some(Ok(en))) if en < today => {
                    out.push(info("ended", "The contract has ended", Some("end"), SOURCE))
                }
                _ => {}
            }
            match number(&e.attributes, "value_pence") {
                Err(m) => out.push(error("bad-value", m, Some("value_pence"), SOURCE)),
                Ok(Some(v)) if v < 0.0 => {
                    out.push(error("negative-value", "The value must not be negative", Some("value_pence"), SOURCE))
                }
                _ => {}
            }
        }
        "provider" if attr(&e.attributes, "safeguarding_evidence").is_none() => {
            out.push(error(
                "no-safeguarding-evidence",
                "Every provider of children's services shows how it safeguards children (Children Act 2004, section 11)",
                Some("safeguarding_evidence"),
                SOURCE,
            ));
        }
        "priority" => match attr(&e.attributes, "outcome") {
            Some(o) if OUTCOMES.iter().any(|(id, _)| *id == o) => {}
            _ => out.push(error(
                "no-outcome",
                "A priority is linked to one of the five outcomes",
                Some("outcome"),
                SOURCE,
            )),
        },
        _ => {}
    }
    out
}

impl Guest for NationalBaseline {
    fn describe() -> Description {
        Description {
            id: "national-baseline".into(),
            name: "National baseline: the commissioning cycle".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: SOURCE.into(),
            stages: STAGES.iter().map(|(id, name, group)| stage(id, name, Some(group), "")).collect(),
            levels: vec![
                level("strategic", "Strategic commissioning", "Trust-wide priorities and specialist services"),
                level("service", "Service commissioning", "Specifying, securing and monitoring individual services"),
            ],
            levels_of_need: vec![
                level("universal", "Universal", "Services for every child"),
                level("targeted", "Targeted", "Additional needs"),
                level("specialist", "Specialist", "Complex and acute needs"),
            ],
            age_bands: common_age_bands(),
            areas: Vec::new(),
            bodies: vec![
                body("trust-board", "Children's Trust Board", "Sets priorities and takes strategic commissioning decisions", Some("quarterly")),
                body("commissioning-group", "Commissioning group", "Specifies, secures and monitors services", Some("monthly")),
            ],
            standards_sets: vec![cycle_standards()],
            calendar: vec![
                CalendarEntry { name: "Assess need".into(), start_month: 4, end_month: 6, stage_ids: STAGES[..3].iter().map(|s| s.0.into()).collect() },
                CalendarEntry { name: "Plan".into(), start_month: 7, end_month: 9, stage_ids: STAGES[3..5].iter().map(|s| s.0.into()).collect() },
                CalendarEntry { name: "Commission".into(), start_month: 10, end_month: 3, stage_ids: STAGES[5..8].iter().map(|s| s.0.into()).collect() },
                CalendarEntry { name: "Monitor and review".into(), start_month: 4, end_month: 3, stage_ids: vec![STAGES[8].0.into()] },
            ],
            notes: vec![
                "The national guidance sets no calendar; the baseline follows the financial year, assessing need in the first quarter.".into(),
                "Age bands are the common five-year bands used to compare trusts across a region.".into(),
                "The self-evaluation scores how far each step of the cycle is in practice, 1 to 4; the national guidance has no scale.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items.iter().map(classify_item).collect())
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        default_schedule(&today, &subjects, "commissioning-group", SOURCE)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        match date("today", &today) {
            Ok(t) => entities.iter().map(|e| validate_entity(t, e)).collect(),
            Err(m) => entities.iter().map(|_| vec![error("bad-today", m.clone(), None, "")]).collect(),
        }
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
        moves.iter().map(|m| ordered_move(&ids, m, SOURCE)).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        score_against(&cycle_standards(), &evaluation, |_, _| Vec::new())
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &common_age_bands(), &[])
    }
}
