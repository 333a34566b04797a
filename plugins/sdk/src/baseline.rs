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
/// months before the end to decide whether to re-commission. A subject with no end gets the
/// first annual review counted from its start (the platform asks again with the next year's
/// start). Nothing depends on `today` beyond checking it is a date.
pub fn default_schedule(
    today: &str,
    subjects: &[Subject],
    audience: &str,
    source: &str,
) -> Result<Vec<ReviewDue>, String> {
    date("today", today)?;
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
                let title = "Annual review (then every year on the anniversary of the start)";
                out.push(review(s, "annual", title, add_months(start, 12), audience, source));
            }
        }
    }
    Ok(out)
}

/// The three tiers of service, as the data core names them.
pub const TIERS: [(&str, &str); 3] =
    [("universal", "Universal"), ("targeted", "Targeted"), ("specialist", "Specialist")];

/// The kinds of contract the data core knows.
pub const CONTRACT_KINDS: [(&str, &str); 5] = [
    ("block", "Block"),
    ("spot", "Spot purchase"),
    ("sla", "Service level agreement"),
    ("grant", "Grant"),
    ("partnership", "Partnership"),
];

/// An item's tier read as one of the three, matched as people write it; an unknown tier is an
/// error naming the accepted ones, never a quiet "universal".
pub fn tier_of(i: usize, item: &Item) -> Result<Option<&'static str>, String> {
    match item.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => crate::pick(t, &TIERS)
            .map(Some)
            .ok_or_else(|| format!("items[{i}].tier: {t:?} is not one of {}", crate::listed(&TIERS))),
    }
}

fn classify_item(i: usize, item: &Item) -> Result<Classification, String> {
    let (level, body, why) = match tier_of(i, item)? {
        Some("specialist") => {
            ("strategic", "trust-board", "Specialist services are commissioned across the whole trust")
        }
        _ if item.kind == "priority" => ("strategic", "trust-board", "Priorities are set by the trust board"),
        Some(_) => (
            "service",
            "commissioning-group",
            "Universal and targeted services are commissioned by the commissioning group",
        ),
        None => (
            "service",
            "commissioning-group",
            "Services with no tier given are commissioned by the commissioning group",
        ),
    };
    Ok(Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale: why.into(),
        source: Some(SOURCE.into()),
    })
}

/// The data checks every framework composes with its own rules, so none can drop them: a
/// contract's dates are real and in order and its value is not negative; a provider shows its
/// safeguarding evidence; tiers, contract kinds, ages and outcomes are ones the platform knows.
pub fn data_checks(today: NaiveDate, e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, SOURCE);
    match e.kind.as_str() {
        "contract" => {
            f.require("start", "A contract needs a start date");
            let start = f.day("start");
            let end = f.day("end");
            match (start, end) {
                (Some(s), Some(en)) if en < s => {
                    f.push(error("ends-before-start", "The contract ends before it starts", Some("end"), SOURCE))
                }
                (_, Some(en)) if en < today => f.push(info("ended", "The contract has ended", Some("end"), SOURCE)),
                _ => {}
            }
            if f.pence("value_pence").is_some_and(|v| v < 0) {
                f.push(error("negative-value", "The value must not be negative", Some("value_pence"), SOURCE));
            }
            f.choice("contract_kind", &CONTRACT_KINDS);
        }
        "provider" => {
            let has_evidence = f.text("safeguarding_evidence").is_some_and(|v| {
                !["no", "none", "false", "n/a", "na", "-", "0"].iter().any(|n| v.eq_ignore_ascii_case(n))
            });
            if !has_evidence {
                f.push(error(
                    "no-safeguarding-evidence",
                    "Every provider of children's services shows how it safeguards children (Children Act 2004, section 11)",
                    Some("safeguarding_evidence"),
                    SOURCE,
                ));
            }
        }
        "service" | "need" => {
            f.choice("tier", &TIERS);
            f.age_range("ages");
        }
        _ => {}
    }
    if e.kind == "priority" || e.kind == "need" {
        let outcomes: Vec<(&str, &str)> = OUTCOMES.to_vec();
        if f.choice("outcome", &outcomes).is_none() && !f.present("outcome") {
            f.push(error(
                "no-outcome",
                "A priority or need is linked to one of the five outcomes",
                Some("outcome"),
                SOURCE,
            ));
        }
    }
    f.into_findings()
}

/// Each entity's findings: the baseline's data checks, then the framework's own rules (a finding
/// of its own with the same code and field as a baseline one replaces it).
pub fn validate_with(
    today: &str,
    entities: &[Entity],
    own: impl Fn(NaiveDate, &Entity) -> Vec<Finding>,
) -> Vec<Vec<Finding>> {
    let today = match date("today", today) {
        Ok(t) => t,
        Err(m) => return entities.iter().map(|_| vec![error("bad-today", m.clone(), None, "")]).collect(),
    };
    entities
        .iter()
        .map(|e| {
            let mine = own(today, e);
            let mut out: Vec<Finding> = data_checks(today, e)
                .into_iter()
                .filter(|b| !mine.iter().any(|m| m.code == b.code && m.field == b.field))
                .collect();
            out.extend(mine);
            out
        })
        .collect()
}

/// The baseline's rules table.
pub fn rules() -> Vec<Rule> {
    vec![
        rule(
            "nine-steps",
            "Projects move through the nine steps of the cycle in order, one at a time; they may go back",
            SOURCE,
            false,
        ),
        rule(
            "five-outcomes",
            "Every priority and need is linked to one of the five Every Child Matters outcomes",
            SOURCE,
            false,
        ),
        rule(
            "safeguarding-evidence",
            "Every provider shows its safeguarding evidence",
            "Children Act 2004, section 11",
            false,
        ),
        rule("contract-data", "A contract's dates are real and in order, and its value is not negative", SOURCE, true),
        rule(
            "annual-review",
            "Contracts and services are reviewed on each anniversary of their start; one with no end gets its first annual review, counted from its start",
            SOURCE,
            true,
        ),
        rule(
            "recommissioning-decision",
            "Whether to re-commission is decided six months before a contract ends",
            SOURCE,
            true,
        ),
        rule(
            "specialist-strategic",
            "Specialist services are commissioned across the whole trust; universal and targeted services by the commissioning group; a tier the platform does not know is refused",
            SOURCE,
            true,
        ),
        rule(
            "cycle-scale",
            "The self-evaluation scores each step 1 to 4; with a step unscored it has no overall band",
            SOURCE,
            true,
        ),
    ]
}

/// The fields the baseline asks for beyond the data core.
pub fn fields() -> Vec<AttributeDefinition> {
    vec![field(
        "provider",
        "safeguarding_evidence",
        "Safeguarding evidence",
        AttributeKind::Text,
        true,
        "Children Act 2004, section 11",
    )]
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
            attribute_definitions: fields(),
            rules: rules(),
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(i, item)).collect()
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        default_schedule(&today, &subjects, "commissioning-group", SOURCE)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        validate_with(&today, &entities, |_, _| Vec::new())
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
