//! Central Bedfordshire: "Strategic Commissioning Framework, Children and Young People in
//! Central Bedfordshire" (draft), with the Children's Trust Agreement's extract on the
//! Commissioning Executive (Appendix 3). Section names below are the document's own.
//!
//! The DCSF nine-step model; fourteen commissioning standards, each with evidence; the
//! Commissioning Executive meets quarterly and refers key strategic decisions to the Trust Board;
//! funding decisions depend on the partner agencies' agreement; one Outcome Delivery Group per
//! Every Child Matters outcome. The rules are listed in `rules()` and in this crate's README.md.

use commissioning_sdk::*;

struct CentralBedfordshire;
commissioning_sdk::export!(CentralBedfordshire);

const SOURCE: &str = "Central Bedfordshire strategic commissioning framework (draft)";

/// "The Nine Step Commissioning Model", headings 1-9.
const STAGES: [(&str, &str, &str); 9] = [
    ("outcomes", "Look at outcomes for children and young people", "ASSESS"),
    ("particular-groups", "Look at particular groups of children and young people", "ASSESS"),
    ("needs-assessment", "Develop the needs assessment with user and staff views", "ASSESS"),
    ("resources-priorities", "Identify resources and set priorities", "PLAN"),
    ("plan-prevention", "Plan the pattern of services and focus on prevention", "PLAN"),
    ("decide-how", "Decide how to commission services effectively", "DO"),
    ("commission-pooled", "Commission, including the use of pooled resources", "DO"),
    ("workforce-market", "Plan for workforce and market development", "DO"),
    ("monitor-review", "Monitor and review services and process", "REVIEW"),
];

/// The step from which resources are committed: "7. Commission – including the use of pooled
/// resources".
const COMMISSION_STEP: usize = 6;

/// "Commissioning Standards - Ensuring Quality". The document numbers them 1-4, 4-7, 9-14;
/// there are fourteen, numbered here in order.
const STANDARDS: [&str; 14] = [
    "Partners agree to a shared vision, strategic objectives, priorities and values",
    "The Children's Trust Board has clear accountability and governance arrangements",
    "Safeguarding children and young people is at the core of our commissioning decisions and arrangements",
    "A strategic needs assessment is undertaken and a regular review cycle established",
    "Children, young people, parents and carers have meaningful involvement in the planning and delivery of services",
    "The commissioning framework is accessible and actively promoted to all partners, stakeholders and service users",
    "Prioritisation and decision making processes are transparent",
    "Commissioning processes to identify preferred providers are based on clear and transparent decisions",
    "Contracting mechanisms and risk sharing arrangements are implemented",
    "Strong contractual procedures are in place, with full monitoring arrangements",
    "All partners are able to engage with an effective performance framework",
    "Clear quality and clinical governance processes are in place",
    "Clarity exists on the roles and remits of commissioners and providers",
    "Provider development and market development are undertaken to increase the choice and diversity of available services",
];

/// Localities are named nowhere in the draft: inferred.
const AREAS: [&str; 4] =
    ["Dunstable and Houghton Regis", "Leighton Buzzard and Linslade", "Ivel Valley", "West Mid Beds"];

/// The Commissioning Executive meets quarterly (Appendix 3, paragraph 5); the months are not
/// given, so the ends of the financial quarters are assumed.
const MEETING_MONTHS: [u32; 4] = [6, 9, 12, 3];

/// What the framework places.
const ITEM_KINDS: [(&str, &str); 3] = [("service", "Service"), ("priority", "Priority"), ("project", "Project")];

/// How a contract or project is funded: "pooled or aligned budget arrangements" (Commissioning
/// principles; step 7).
const BUDGETS: [(&str, &str); 3] =
    [("no", "No: one agency's own budget"), ("pooled", "Pooled budget"), ("aligned", "Aligned budgets")];

/// The provider sectors of the platform's data core.
const SECTORS: [(&str, &str); 3] = [
    ("statutory", "Statutory"),
    ("voluntary_community", "Voluntary and community"),
    ("independent_private", "Independent and private"),
];

const FUNDING_SOURCE: &str = "Appendix 3, paragraph 3; step 7: commission, including the use of pooled resources";

fn odg(outcome: &str) -> String {
    format!("odg-{}", outcome.replace('_', "-"))
}

fn standards_set() -> StandardsSet {
    StandardsSet {
        id: "commissioning-standards".into(),
        name: "Commissioning standards: ensuring quality".into(),
        standards: STANDARDS
            .iter()
            .enumerate()
            .map(|(i, s)| {
                standard(
                    &format!("cs-{}", i + 1),
                    s,
                    "Set against success criteria; evidence reviewed by the Commissioning Executive",
                )
            })
            .collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "not-met".into(), label: "Not met".into(), min_score: 1, max_score: 1 },
            ScoreBand { id: "partly-met".into(), label: "Partly met".into(), min_score: 2, max_score: 2 },
            ScoreBand { id: "largely-met".into(), label: "Largely met".into(), min_score: 3, max_score: 3 },
            ScoreBand { id: "met".into(), label: "Met".into(), min_score: 4, max_score: 4 },
        ],
    }
}

/// The Commissioning Executive's meetings (taken as the last day of each meeting month) from
/// `from` up to but not including `until`.
fn meetings(from: NaiveDate, until: NaiveDate) -> Vec<NaiveDate> {
    let first_month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    let span = i64::from(until.year() - from.year()) * 12 + i64::from(until.month()) - i64::from(from.month()) + 1;
    (0..u32::try_from(span).unwrap_or(0))
        .map(|i| add_months(first_month, i))
        .take_while(|month| *month < until)
        .filter(|month| MEETING_MONTHS.contains(&month.month()))
        .map(|month| add_months(month, 1).pred_opt().unwrap_or(month))
        .filter(|day| *day >= from && *day < until)
        .collect()
}

/// The findings a reader collected, as one error string naming the record (`what`).
fn refuse(what: &str, findings: &[Finding]) -> Result<(), String> {
    if findings.is_empty() {
        return Ok(());
    }
    Err(findings.iter().map(|f| format!("{what}.{}", f.message)).collect::<Vec<_>>().join("; "))
}

fn classify_item(i: usize, item: &Item) -> Result<Classification, String> {
    let what = format!("items[{i}]");
    let kind = pick(&item.kind, &ITEM_KINDS)
        .ok_or_else(|| format!("{what}.kind: {:?} is not one of {}", item.kind, listed(&ITEM_KINDS)))?;
    let mut f = Fields::new(&item.attributes, SOURCE);
    let key_strategic = f.yes_no("key_strategic_decision") == Some(true);
    let outcome = f.choice("outcome", &OUTCOMES);
    refuse(&what, f.findings())?;
    let (level, body, rationale, para) = if kind == "priority" || key_strategic {
        (
            "strategic",
            "trust-board".to_string(),
            "A key strategic decision: the Commissioning Executive refers it to the Trust Board for final agreement"
                .to_string(),
            "Appendix 3, paragraph 4",
        )
    } else {
        let delivery = outcome
            .and_then(|o| OUTCOMES.iter().find(|(id, _)| *id == o))
            .map(|(_, name)| {
                format!("; its delivery is overseen by the {} Outcome Delivery Group", name.to_lowercase())
            })
            .unwrap_or_default();
        (
            "joint-commissioning",
            "commissioning-executive".to_string(),
            format!(
                "The Commissioning Executive directs the Trust's shared resources to the agreed priorities{delivery}"
            ),
            "Appendix 3, paragraph 1; nine-step model, step 1",
        )
    };
    Ok(Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body,
        rationale,
        source: Some(format!("{SOURCE}, {para}")),
    })
}

/// A contract's or project's funding: with a pooled or aligned budget (or as a partnership
/// contract) it is shared by at least two partners, each agreeing through its own procedures.
fn funding(f: &mut Fields, partnership: bool) {
    let budget = f.choice("pooled_budget", &BUDGETS);
    if !(partnership || matches!(budget, Some("pooled" | "aligned"))) {
        // Not needed here, but a value given is still read: a bad one is a finding.
        f.yes_no("partner_agreement");
        return;
    }
    let partners =
        f.text("partners").map(|p| p.split([',', ';']).filter(|s| !s.trim().is_empty()).count()).unwrap_or(0);
    if partners < 2 {
        f.push(error(
            "pooled-budget-partners",
            "A pooled or aligned budget is shared by at least two Trust partners: name them",
            Some("partners"),
            "Step 7: commission, including the use of pooled resources",
        ));
    }
    partner_agreement(f);
}

/// "Funding decisions will always be dependent on agreement by partner agencies using their own
/// internal procedures" (Appendix 3, paragraph 3).
fn partner_agreement(f: &mut Fields) {
    let message = match f.yes_no("partner_agreement") {
        Some(true) => return,
        None if f.present("partner_agreement") => return,
        Some(false) => {
            "The partner agencies have not agreed: funding decisions always depend on their agreement, through their own internal procedures"
        }
        None => {
            "Record that the partner agencies have agreed the funding, through their own internal procedures: funding decisions always depend on it"
        }
    };
    f.push(error("partner-agreement", message, Some("partner_agreement"), FUNDING_SOURCE));
}

/// The framework's own rules for one entity; `validate` composes them with the baseline's.
fn validate_entity(today: NaiveDate, e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, SOURCE);
    match e.kind.as_str() {
        "provider" => {
            // The baseline's check, in this framework's words (the same code replaces it).
            if baseline::data_checks(today, e).iter().any(|x| x.code == "no-safeguarding-evidence") {
                f.push(error(
                    "no-safeguarding-evidence",
                    "Safeguarding is at the core of every commissioning decision: the provider shows its safeguarding evidence",
                    Some("safeguarding_evidence"),
                    "Commissioning standard 3; step 2",
                ));
            }
            let sector = f.choice("sector", &SECTORS);
            let standards = f.yes_no("regional_safeguarding_standards");
            let unreadable = standards.is_none() && f.present("regional_safeguarding_standards");
            if sector == Some("voluntary_community") && standards != Some(true) && !unreadable {
                f.push(warning(
                    "regional-safeguarding-standards",
                    "Voluntary and community providers are commissioned to the regional Safeguarding Standards (Eastern Region)",
                    Some("regional_safeguarding_standards"),
                    "Commissioning principles",
                ));
            }
        }
        "contract" => {
            let partnership =
                f.raw("contract_kind").and_then(|k| pick(k, &baseline::CONTRACT_KINDS)) == Some("partnership");
            funding(&mut f, partnership);
            f.yes_no("key_strategic_decision");
            if f.text("monitoring_arrangements").is_none() && !f.present("monitoring_arrangements") {
                f.push(warning(
                    "monitoring-arrangements",
                    "Strong contractual procedures include full monitoring arrangements",
                    Some("monitoring_arrangements"),
                    "Commissioning standard 10",
                ));
            }
        }
        "project" => {
            funding(&mut f, false);
            f.yes_no("key_strategic_decision");
        }
        "service" => {
            f.choice("outcome", &OUTCOMES);
            f.yes_no("key_strategic_decision");
        }
        "priority" if !f.present("outcome") => {
            // The baseline's check, in this framework's words (the same code replaces it).
            f.push(error(
                "no-outcome",
                "Every priority belongs to one of the five outcomes, each with its Outcome Delivery Group",
                Some("outcome"),
                "Step 1: look at outcomes",
            ));
        }
        _ => {}
    }
    f.into_findings()
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "The nine step commissioning model");
    let position = |s: &str| ids.iter().position(|id| *id == s);
    let to = position(&m.to_stage);
    let forward = match (m.from_stage.as_deref().map(position), to) {
        (Some(Some(from)), Some(to)) => to > from,
        _ => true,
    };
    let mut f = Fields::new(&m.attributes, "The nine step commissioning model");
    // Not a yes: "no", or nothing said. A value that is neither yes nor no is reported by the
    // reader itself.
    let not_yes = |f: &mut Fields, key: &str| {
        f.yes_no(key).is_none_or(|yes| !yes) && !f.findings().iter().any(|x| x.field.as_deref() == Some(key))
    };
    if m.to_stage == "resources-priorities" {
        for (key, whose) in [("user_views", "users"), ("staff_views", "staff")] {
            if not_yes(&mut f, key) {
                f.push(error(
                    "needs-assessment-views",
                    format!("The needs assessment takes in the views of {whose} before priorities are set"),
                    Some(key),
                    "Step 3: develop the needs assessment with user and staff views",
                ));
            }
        }
    }
    // Resources are committed from step 7 on: no project moves there, or beyond, without the
    // agreements funding needs.
    if forward && to.is_some_and(|t| t >= COMMISSION_STEP) {
        if f.yes_no("key_strategic_decision") == Some(true) && not_yes(&mut f, "trust_board_agreed") {
            f.push(error(
                "trust-board-agreement",
                "A key strategic decision needs the Trust Board's final agreement before commissioning",
                Some("trust_board_agreed"),
                "Appendix 3, paragraph 4",
            ));
        }
        if matches!(f.choice("pooled_budget", &BUDGETS), Some("pooled" | "aligned")) {
            partner_agreement(&mut f);
        }
    }
    out.extend(f.into_findings());
    out
}

/// Step 9 and Appendix 3, paragraph 5: monitoring at each quarterly Commissioning Executive
/// while the subject runs (the first year's meetings for one with no end, titled as recurring);
/// the decision whether to re-commission six months before the end, to the Trust Board when it
/// is a key strategic decision. A pure function of the subject: today plays no part.
fn schedule(i: usize, s: &Subject) -> Result<Vec<ReviewDue>, String> {
    let (start, end) = subject_span(i, s)?;
    let mut f = Fields::new(&s.attributes, SOURCE);
    let key_strategic = f.yes_no("key_strategic_decision") == Some(true);
    refuse(&format!("subjects[{i}]"), f.findings())?;
    let mut out = Vec::new();
    let (until, what) = match end {
        Some(end) => (end, "Quarterly monitoring"),
        None => (add_months(start, 12), "Quarterly monitoring (then each quarter while it runs)"),
    };
    for due in meetings(start, until) {
        out.push(review(
            s,
            "quarterly-monitoring",
            what,
            due,
            "commissioning-executive",
            "Step 9; Appendix 3, paragraph 5",
        ));
    }
    if let Some(end) = end {
        let audience = if key_strategic { "trust-board" } else { "commissioning-executive" };
        let six_months_before = sub_months(end, 6);
        let (due, what) = if six_months_before >= start {
            (six_months_before, "Decide whether to re-commission")
        } else {
            (start, "Decide whether to re-commission (it runs for less than six months)")
        };
        out.push(review(s, "recommissioning-decision", what, due, audience, "Step 9; Appendix 3, paragraph 4"));
    }
    Ok(out)
}

fn rules() -> Vec<Rule> {
    let mut rules = vec![
        rule(
            "nine-steps",
            "A project takes the nine steps in order, each fed by the one before, one at a time; it may go back to an earlier step",
            "The Nine Step Commissioning Model",
            false,
        ),
        rule(
            "needs-views",
            "Priorities are set (step 4) only once the needs assessment has taken in both user and staff views (yes)",
            "Step 3: develop the needs assessment with user and staff views",
            false,
        ),
        rule(
            "key-strategic-trust-board",
            "Priorities and key strategic decisions go to the Trust Board for final agreement; a project that is one does not move to commissioning (step 7) or beyond without it",
            "Appendix 3, paragraph 4",
            false,
        ),
        rule(
            "joint-commissioning",
            "Other services and projects are commissioned by the Commissioning Executive, the outcome's Outcome Delivery Group overseeing delivery; an outcome is one of the five, matched as written",
            "Appendix 3, paragraph 1; step 1",
            false,
        ),
        rule(
            "partner-agreement",
            "A contract or project with a pooled or aligned budget, or a partnership contract, records that the partner agencies have agreed its funding (yes); a project with a pooled or aligned budget does not move to commissioning (step 7) or beyond without it",
            "Appendix 3, paragraph 3 (\"Funding decisions will always be dependent on agreement by partner agencies\"); step 7",
            false,
        ),
        rule(
            "pooled-partners",
            "A pooled or aligned budget, or a partnership contract, names at least two Trust partners",
            "Step 7: commission, including the use of pooled resources",
            true,
        ),
        rule(
            "monitoring-arrangements",
            "A contract states its monitoring arrangements (warning)",
            "Commissioning standard 10",
            false,
        ),
        rule(
            "priority-outcome",
            "Every priority belongs to one of the five outcomes, each with its Outcome Delivery Group",
            "Step 1: look at outcomes",
            false,
        ),
        rule(
            "safeguarding-evidence",
            "Every provider shows its safeguarding evidence; \"no\" or \"none\" is not evidence",
            "Commissioning standard 3; step 2",
            false,
        ),
        rule(
            "vcs-regional-standards",
            "A voluntary or community provider is commissioned to the regional Safeguarding Standards (Eastern Region) (warning)",
            "Commissioning principles",
            false,
        ),
        rule(
            "quarterly-monitoring",
            "Contracts and services are monitored at each quarterly Commissioning Executive while they run; one with no end has its first year's meetings listed, recurring each quarter",
            "Step 9; Appendix 3, paragraph 5",
            true,
        ),
        rule(
            "meeting-months",
            "The Commissioning Executive meets at the end of June, September, December and March",
            "Appendix 3, paragraph 5 (\"quarterly\")",
            true,
        ),
        rule(
            "recommissioning-decision",
            "Whether to re-commission is decided six months before the end (at the start of a contract shorter than that), by the Commissioning Executive, or the Trust Board for a key strategic decision; the dates never depend on today",
            "Step 9; Appendix 3, paragraph 4",
            true,
        ),
        rule(
            "cypp-refresh",
            "The Children and Young People's Plan is refreshed each year in January to March, before the financial year",
            "Step 4 (\"refreshed annually\")",
            true,
        ),
        rule(
            "fourteen-standards",
            "There are fourteen commissioning standards, cs-1 to cs-14 in the document's order, whatever its numbering",
            "Commissioning Standards - Ensuring Quality",
            false,
        ),
        rule(
            "standards-evidence",
            "Each standard's rating is evidenced; a rating without evidence is an error",
            "Commissioning Standards - Ensuring Quality (\"Evidence that these standards are being met will be reviewed regularly\")",
            false,
        ),
        rule(
            "standards-scale",
            "Each standard is rated 1 to 4: not met, partly met, largely met, met",
            "Commissioning Standards - Ensuring Quality",
            true,
        ),
        rule(
            "safeguarding-caps",
            "The overall band is never better than the band of standard cs-3, safeguarding at the core of commissioning decisions",
            "Commissioning Standards - Ensuring Quality (standard 3)",
            true,
        ),
    ];
    rules.extend(baseline::rules().into_iter().filter(|r| ["five-outcomes", "contract-data"].contains(&r.id.as_str())));
    rules
}

fn attribute_definitions() -> Vec<AttributeDefinition> {
    let yes_no =
        |kind: &str, key: &str, label: &str, source: &str| field(kind, key, label, AttributeKind::YesNo, false, source);
    let mut defs = baseline::fields();
    defs.extend([
        choice_field("provider", "sector", "Sector", &SECTORS, false, "Commissioning principles"),
        yes_no(
            "provider",
            "regional_safeguarding_standards",
            "Works to the regional Safeguarding Standards (Eastern Region)",
            "Commissioning principles",
        ),
        choice_field("priority", "outcome", "Every Child Matters outcome", &OUTCOMES, true, "Step 1: look at outcomes"),
        choice_field(
            "service",
            "outcome",
            "Every Child Matters outcome (its Outcome Delivery Group)",
            &OUTCOMES,
            false,
            "Step 1: look at outcomes",
        ),
        yes_no("service", "key_strategic_decision", "Key strategic decision", "Appendix 3, paragraph 4"),
    ]);
    for kind in ["contract", "project"] {
        defs.extend([
            choice_field(
                kind,
                "pooled_budget",
                "Pooled or aligned budget",
                &BUDGETS,
                false,
                "Step 7: commission, including the use of pooled resources",
            ),
            AttributeDefinition {
                hint: Some("The Trust partners sharing the budget, separated by commas".into()),
                ..field(
                    kind,
                    "partners",
                    "Partners",
                    AttributeKind::Text,
                    false,
                    "Step 7: commission, including the use of pooled resources",
                )
            },
            yes_no(kind, "partner_agreement", "Partner agencies have agreed the funding", FUNDING_SOURCE),
            yes_no(kind, "key_strategic_decision", "Key strategic decision", "Appendix 3, paragraph 4"),
        ]);
    }
    defs.extend([
        field(
            "contract",
            "monitoring_arrangements",
            "Monitoring arrangements",
            AttributeKind::Text,
            false,
            "Commissioning standard 10",
        ),
        yes_no("stage-move", "user_views", "The needs assessment has user views", "Step 3"),
        yes_no("stage-move", "staff_views", "The needs assessment has staff views", "Step 3"),
        yes_no("stage-move", "key_strategic_decision", "Key strategic decision", "Appendix 3, paragraph 4"),
        yes_no(
            "stage-move",
            "trust_board_agreed",
            "The Trust Board has given final agreement",
            "Appendix 3, paragraph 4",
        ),
        choice_field(
            "stage-move",
            "pooled_budget",
            "Pooled or aligned budget",
            &BUDGETS,
            false,
            "Step 7: commission, including the use of pooled resources",
        ),
        yes_no("stage-move", "partner_agreement", "Partner agencies have agreed the funding", FUNDING_SOURCE),
        AttributeDefinition {
            hint: Some("What shows the standard is met, for the Commissioning Executive's regular review".into()),
            ..field(
                "score",
                "evidence",
                "Evidence the standard is met",
                AttributeKind::Text,
                true,
                "Commissioning Standards - Ensuring Quality",
            )
        },
    ]);
    defs
}

impl Guest for CentralBedfordshire {
    fn describe() -> Description {
        let mut bodies = vec![
            body(
                "trust-board",
                "Children's Trust Board",
                "The Executive of the Trust: sets strategic direction; gives final agreement to key strategic decisions",
                None,
            ),
            body(
                "commissioning-executive",
                "Commissioning Executive",
                "Directs the Trust's shared resources towards the priorities of the Children and Young People's Plan; decides by consensus",
                Some("quarterly"),
            ),
            body(
                "overview-scrutiny",
                "Overview and Scrutiny Committee",
                "May review or scrutinise decisions on children's services",
                None,
            ),
        ];
        bodies.extend(OUTCOMES.iter().map(|(id, name)| {
            body(
                &odg(id),
                &format!("{name} Outcome Delivery Group"),
                "Ensures the outcome is achieved for all children in Central Bedfordshire",
                None,
            )
        }));
        Description {
            id: "central-bedfordshire".into(),
            name: "Central Bedfordshire strategic commissioning framework".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Strategic Commissioning Framework, Children and Young People in Central Bedfordshire (draft), with the Children's Trust Agreement".into(),
            stages: STAGES.iter().map(|(id, name, group)| stage(id, name, Some(group), "")).collect(),
            levels: vec![
                level("strategic", "Strategic decisions", "Key strategic decisions, agreed by the Trust Board"),
                level("joint-commissioning", "Joint commissioning", "Commissioning by the Commissioning Executive with pooled and aligned budgets"),
            ],
            levels_of_need: vec![
                level("universal", "Universal offer", "A universal offer for all"),
                level("targeted", "Targeted support", "Support that meets local need and mitigates disadvantage"),
                level("specialist", "Very specialist", "Shared across several Children's Trusts, sub-regionally or regionally"),
            ],
            age_bands: common_age_bands(),
            areas: areas(&AREAS),
            bodies,
            standards_sets: vec![standards_set()],
            calendar: MEETING_MONTHS
                .iter()
                .map(|m| CalendarEntry { name: "Commissioning Executive meets".into(), start_month: *m as u8, end_month: *m as u8, stage_ids: vec!["monitor-review".into()] })
                .chain([CalendarEntry { name: "Refresh of the Children and Young People's Plan".into(), start_month: 1, end_month: 3, stage_ids: vec!["outcomes".into(), "needs-assessment".into()] }])
                .collect(),
            attribute_definitions: attribute_definitions(),
            rules: rules(),
            notes: vec![
                "The document numbers its standards 1-4, 4-7, 9-14; they are the fourteen standards cs-1 to cs-14 here, in the document's order.".into(),
                "The standards have no scoring scale in the document; the 1-4 scale and its bands are the platform's.".into(),
                "The Commissioning Executive meets quarterly; the meeting months (June, September, December and March, on the last day) are assumed.".into(),
                "The draft names no localities; the four used are inferred. The annual CYPP refresh is placed in January to March, before the financial year.".into(),
                "The draft sets no date for deciding whether to re-commission; six months before the end is assumed.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(i, item)).collect()
    }

    fn review_schedule(_today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            out.extend(schedule(i, s)?);
        }
        Ok(out)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        baseline::validate_with(&today, &entities, validate_entity)
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        // Standard 3 puts safeguarding at the core of every decision: it caps the overall band.
        let mut summary = score_capped(&standards_set(), &evaluation, Some("cs-3"), |_, _| Vec::new())?;
        // Each standard is evidenced: a score without evidence is an error here, not a warning.
        for f in &mut summary.findings {
            if f.code == "no-evidence" {
                f.severity = Severity::Error;
                f.source =
                    Some("Commissioning standards: evidence reviewed regularly by the Commissioning Executive".into());
            }
        }
        Ok(summary)
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &common_age_bands(), &areas(&AREAS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
        pairs.iter().map(|(k, v)| attribute(k, v)).collect()
    }

    #[test]
    fn there_are_fourteen_standards_despite_the_numbering() {
        // "Commissioning Standards - Ensuring Quality": numbered 1-4, 4-7, 9-14, fourteen in all.
        let set = &CentralBedfordshire::describe().standards_sets[0];
        assert_eq!(set.standards.len(), 14);
        assert_eq!(
            set.standards[4].name,
            "Children, young people, parents and carers have meaningful involvement in the planning and delivery of services"
        );
        assert_eq!(set.standards[13].id, "cs-14");
    }

    #[test]
    fn the_nine_steps_and_one_outcome_delivery_group_per_outcome() {
        // "The Nine Step Commissioning Model"; step 1: five Outcome Delivery Groups.
        let d = CentralBedfordshire::describe();
        assert_eq!(d.stages.len(), 9);
        assert_eq!(d.stages[6].name, "Commission, including the use of pooled resources");
        assert_eq!(d.bodies.iter().filter(|b| b.id.starts_with("odg-")).count(), 5);
        let exec = d.bodies.iter().find(|b| b.id == "commissioning-executive").unwrap();
        assert_eq!(exec.meets.as_deref(), Some("quarterly"));
    }

    #[test]
    fn key_strategic_decisions_go_to_the_trust_board() {
        // Appendix 3, paragraph 4.
        let item = |a: &[(&str, &str)]| Item {
            id: "x".into(),
            kind: "service".into(),
            tier: None,
            level_of_need: None,
            area: None,
            attributes: attrs(a),
        };
        let c = CentralBedfordshire::classify(vec![
            item(&[("key_strategic_decision", "yes")]),
            item(&[("outcome", "stay_safe")]),
        ])
        .unwrap();
        assert_eq!(c[0].body, "trust-board");
        assert_eq!(c[1].body, "commissioning-executive");
        assert!(c[1].rationale.contains("stay safe Outcome Delivery Group"));
        let gate = CentralBedfordshire::stage_gate(
            "2026-11-24".into(),
            vec![StageMove {
                project_id: "p".into(),
                from_stage: Some("decide-how".into()),
                to_stage: "commission-pooled".into(),
                attributes: attrs(&[("key_strategic_decision", "yes")]),
            }],
        );
        assert_eq!(gate[0][0].code, "trust-board-agreement");
    }

    #[test]
    fn monitoring_falls_at_the_quarterly_commissioning_executive() {
        // Appendix 3, paragraph 5: quarterly meetings; step 9: regular monitoring. Every meeting
        // in the contract's life is listed whatever today is, and the decision whether to
        // re-commission falls six months before the end, for the Trust Board when the contract
        // is a key strategic decision (Appendix 3, paragraph 4).
        let s = Subject {
            id: "c".into(),
            kind: "contract".into(),
            title: "Short breaks".into(),
            contract_kind: Some("partnership".into()),
            tier: None,
            start: "2026-04-01".into(),
            end: Some("2027-09-30".into()),
            value_pence: 1,
            attributes: attrs(&[("key_strategic_decision", "yes")]),
        };
        let r = CentralBedfordshire::review_schedule("2026-11-24".into(), vec![s]).unwrap();
        let dues: Vec<(&str, &str)> = r.iter().map(|r| (r.due.as_str(), r.audience.as_str())).collect();
        assert_eq!(
            dues,
            vec![
                ("2026-06-30", "commissioning-executive"),
                ("2026-09-30", "commissioning-executive"),
                ("2026-12-31", "commissioning-executive"),
                ("2027-03-31", "commissioning-executive"),
                ("2027-06-30", "commissioning-executive"),
                ("2027-03-30", "trust-board"),
            ]
        );
    }

    #[test]
    fn priorities_need_user_and_staff_views_and_pooled_budgets_two_partners() {
        // Step 3 before step 4; step 7: pooled resources. The contract is a whole record (dates
        // and the data core's `contract_kind`), so the baseline's data checks find nothing else.
        let gate = CentralBedfordshire::stage_gate(
            "2026-11-24".into(),
            vec![StageMove {
                project_id: "p".into(),
                from_stage: Some("needs-assessment".into()),
                to_stage: "resources-priorities".into(),
                attributes: attrs(&[("user_views", "yes")]),
            }],
        );
        assert_eq!(gate[0][0].code, "needs-assessment-views");
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![Entity {
                id: "c".into(),
                kind: "contract".into(),
                attributes: attrs(&[
                    ("start", "2026-04-01"),
                    ("end", "2028-03-31"),
                    ("contract_kind", "partnership"),
                    ("partners", "Council"),
                    ("partner_agreement", "yes"),
                    ("monitoring_arrangements", "quarterly"),
                ]),
            }],
        );
        assert_eq!(v[0].iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["pooled-budget-partners"]);
    }

    #[test]
    fn each_standard_is_evidenced() {
        // "Each standard will be set against success criteria"; evidence reviewed regularly.
        let s = CentralBedfordshire::score_self_evaluation(SelfEvaluation {
            standards_set_id: "commissioning-standards".into(),
            scores: vec![
                Score { standard_id: "cs-3".into(), score: 2, evidence: String::new(), rater: None },
                Score { standard_id: "cs-1".into(), score: 4, evidence: "Agreed vision".into(), rater: None },
            ],
        })
        .unwrap();
        assert!(s.findings.iter().any(|f| f.code == "no-evidence" && f.severity == Severity::Error));
        assert_eq!(s.weakest, vec!["cs-3"]);
        let cs3 = s.results.iter().find(|r| r.standard_id == "cs-3").unwrap();
        assert_eq!(cs3.band_id, "partly-met");
    }

    fn entity(kind: &str, pairs: &[(&str, &str)]) -> Entity {
        Entity { id: "e".into(), kind: kind.into(), attributes: attrs(pairs) }
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn mv(from: &str, to: &str, pairs: &[(&str, &str)]) -> StageMove {
        StageMove {
            project_id: "p".into(),
            from_stage: Some(from.into()),
            to_stage: to.into(),
            attributes: attrs(pairs),
        }
    }

    fn contract(start: &str, end: &str, pairs: &[(&str, &str)]) -> Subject {
        Subject {
            id: "c".into(),
            kind: "contract".into(),
            title: "Family support".into(),
            contract_kind: Some("block".into()),
            tier: None,
            start: start.into(),
            end: Some(end.into()),
            value_pence: 1,
            attributes: attrs(pairs),
        }
    }

    const WHOLE: [(&str, &str); 3] =
        [("start", "2026-04-01"), ("end", "2028-03-31"), ("monitoring_arrangements", "quarterly returns")];

    #[test]
    fn pooled_or_aligned_budgets_need_the_partner_agencies_agreement() {
        // Appendix 3, paragraph 3: "Funding decisions will always be dependent on agreement by
        // partner agencies using their own internal procedures"; step 7 and the principles:
        // pooled or aligned budgets are how partners fund commissioning together.
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut a = WHOLE.to_vec();
            a.push(("partners", "Council, NHS Bedfordshire"));
            a.extend_from_slice(extra);
            a
        };
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![
                entity("contract", &with(&[("pooled_budget", "Pooled")])),
                entity("contract", &with(&[("pooled_budget", "aligned"), ("partner_agreement", "no")])),
                entity("contract", &with(&[("pooled_budget", "pooled"), ("partner_agreement", "yes")])),
                entity("contract", &with(&[("pooled_budget", "no")])),
                entity("project", &[("pooled_budget", "pooled"), ("partners", "Council, Police")]),
                entity("contract", &with(&[("contract_kind", "partnership")])),
            ],
        );
        assert_eq!(codes(&v[0]), ["partner-agreement"]);
        assert_eq!(v[0][0].severity, Severity::Error);
        assert_eq!(codes(&v[1]), ["partner-agreement"]);
        assert!(v[2].is_empty() && v[3].is_empty(), "{:?} {:?}", v[2], v[3]);
        assert_eq!(codes(&v[4]), ["partner-agreement"]);
        assert_eq!(codes(&v[5]), ["partner-agreement"]);
        // A project commissioning with a pooled budget (step 7), or moving on from there,
        // waits for the agreement.
        let g = CentralBedfordshire::stage_gate(
            "2026-11-24".into(),
            vec![
                mv("decide-how", "commission-pooled", &[("pooled_budget", "pooled")]),
                mv(
                    "commission-pooled",
                    "workforce-market",
                    &[("pooled_budget", "aligned"), ("partner_agreement", "no")],
                ),
                mv("decide-how", "commission-pooled", &[("pooled_budget", "pooled"), ("partner_agreement", "yes")]),
                mv("decide-how", "commission-pooled", &[("pooled_budget", "no")]),
                mv("commission-pooled", "decide-how", &[("pooled_budget", "pooled")]),
            ],
        );
        assert_eq!(codes(&g[0]), ["partner-agreement"]);
        assert_eq!(codes(&g[1]), ["partner-agreement"]);
        assert!(g[2].is_empty() && g[3].is_empty() && g[4].is_empty(), "{g:?}");
    }

    #[test]
    fn contracts_get_the_baseline_data_checks() {
        // The platform's data core, composed with "Strong contractual procedures" (standard 10):
        // a contract does not end before it starts, and its value is not negative.
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![entity(
                "contract",
                &[
                    ("start", "2026-04-01"),
                    ("end", "2025-04-01"),
                    ("value_pence", "-5"),
                    ("monitoring_arrangements", "x"),
                ],
            )],
        );
        assert!(codes(&v[0]).contains(&"ends-before-start"), "{:?}", v[0]);
        assert!(codes(&v[0]).contains(&"negative-value"), "{:?}", v[0]);
        // Standard 10: full monitoring arrangements.
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![entity("contract", &[("start", "2026-04-01"), ("end", "2028-03-31")])],
        );
        assert_eq!(codes(&v[0]), ["monitoring-arrangements"]);
        assert_eq!(v[0][0].severity, Severity::Warning);
    }

    #[test]
    fn the_steps_are_taken_in_order_and_the_calendar_has_the_meetings_and_the_plan_refresh() {
        // "The commissioning model is a cyclical process, each element being fed by the one
        // before"; Appendix 3, paragraph 5: quarterly meetings; step 4: the plan is "refreshed
        // annually".
        let g = CentralBedfordshire::stage_gate(
            "2026-11-24".into(),
            vec![mv("outcomes", "needs-assessment", &[]), mv("monitor-review", "outcomes", &[])],
        );
        assert_eq!(codes(&g[0]), ["skips-a-stage"]);
        assert!(g[1].is_empty());
        let d = CentralBedfordshire::describe();
        let meets: Vec<u8> =
            d.calendar.iter().filter(|c| c.name == "Commissioning Executive meets").map(|c| c.start_month).collect();
        assert_eq!(meets, [6, 9, 12, 3]);
        assert!(d.calendar.iter().any(|c| c.name.starts_with("Refresh") && (c.start_month, c.end_month) == (1, 3)));
    }

    #[test]
    fn the_recommissioning_decision_is_six_months_before_the_end_whatever_today_is() {
        // Step 9 (regular monitoring within specific timescales): the decision falls six months
        // before the end (the plugin's assumption, marked inferred), never later, and no date
        // moves with today.
        let subjects = vec![contract("2026-04-01", "2027-07-15", &[]), contract("2026-04-01", "2026-08-31", &[])];
        let early = CentralBedfordshire::review_schedule("2026-01-01".into(), subjects.clone()).unwrap();
        let late = CentralBedfordshire::review_schedule("2027-05-01".into(), subjects).unwrap();
        assert_eq!(format!("{early:?}"), format!("{late:?}"));
        let decisions: Vec<&str> =
            early.iter().filter(|r| r.kind == "recommissioning-decision").map(|r| r.due.as_str()).collect();
        assert_eq!(decisions, ["2027-01-15", "2026-04-01"]);
        let d = CentralBedfordshire::describe();
        assert!(d.rules.iter().any(|r| r.id == "recommissioning-decision" && r.inferred));
        // A service with no end: its first year of meetings, titled as recurring.
        let mut service = contract("2026-02-10", "2026-02-10", &[]);
        service.end = None;
        let r = CentralBedfordshire::review_schedule("2030-01-01".into(), vec![service]).unwrap();
        assert_eq!(
            r.iter().map(|r| r.due.as_str()).collect::<Vec<_>>(),
            ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]
        );
        assert!(r[0].title.contains("each quarter"), "{}", r[0].title);
    }

    #[test]
    fn values_that_cannot_be_read_are_refused_not_defaulted() {
        // Appendix 3, paragraph 4 and step 1: a key strategic decision or an outcome that cannot
        // be read is not quietly taken as "no" or as none.
        let item = |a: &[(&str, &str)]| Item {
            id: "x".into(),
            kind: "service".into(),
            tier: None,
            level_of_need: None,
            area: None,
            attributes: attrs(a),
        };
        let err = CentralBedfordshire::classify(vec![item(&[("key_strategic_decision", "perhaps")])]).unwrap_err();
        assert!(err.contains("items[0].key_strategic_decision"), "{err}");
        let err = CentralBedfordshire::classify(vec![item(&[("outcome", "be happy")])]).unwrap_err();
        assert!(err.contains("be_healthy"), "{err}");
        let c =
            CentralBedfordshire::classify(vec![item(&[("outcome", "Stay Safe"), ("key_strategic_decision", "No")])])
                .unwrap();
        assert_eq!(c[0].body, "commissioning-executive");
        let err = CentralBedfordshire::review_schedule(
            "2026-11-24".into(),
            vec![contract("2026-04-01", "2027-03-31", &[("key_strategic_decision", "maybe")])],
        )
        .unwrap_err();
        assert!(err.contains("subjects[0]"), "{err}");
        // Step 3: "no" is not a view taken in.
        let g = CentralBedfordshire::stage_gate(
            "2026-11-24".into(),
            vec![mv("needs-assessment", "resources-priorities", &[("user_views", "yes"), ("staff_views", "no")])],
        );
        assert_eq!(codes(&g[0]), ["needs-assessment-views"]);
        assert_eq!(g[0][0].field.as_deref(), Some("staff_views"));
    }

    #[test]
    fn providers_show_safeguarding_and_voluntary_ones_the_regional_standards() {
        // Standard 3 and step 2: safeguarding at the core of every decision; the principles: the
        // regional Safeguarding Standards for the community and voluntary sector.
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![
                entity("provider", &[("safeguarding_evidence", "none"), ("sector", "statutory")]),
                entity(
                    "provider",
                    &[
                        ("safeguarding_evidence", "Section 11 audit"),
                        ("sector", "Voluntary and community"),
                        ("regional_safeguarding_standards", "no"),
                    ],
                ),
                entity("provider", &[("safeguarding_evidence", "Section 11 audit"), ("sector", "charity")]),
                entity("priority", &[]),
            ],
        );
        assert_eq!(codes(&v[0]), ["no-safeguarding-evidence"]);
        assert_eq!(v[0][0].source.as_deref(), Some("Commissioning standard 3; step 2"));
        assert_eq!(codes(&v[1]), ["regional-safeguarding-standards"]);
        assert_eq!(codes(&v[2]), ["bad-choice"]);
        // Step 1: every priority belongs to an outcome and its Outcome Delivery Group.
        assert_eq!(codes(&v[3]), ["no-outcome"]);
        assert!(v[3][0].message.contains("Outcome Delivery Group"));
    }

    #[test]
    fn the_rules_table_and_fields_name_what_the_framework_reads() {
        // Every rule the framework applies is listed with its section, and the fields it reads
        // are defined with their kinds; the README carries the same table.
        let d = CentralBedfordshire::describe();
        let ids: Vec<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "rule ids are unique");
        assert!(ids.contains(&"partner-agreement"));
        let readme = include_str!("../README.md");
        for r in &d.rules {
            assert!(
                readme.contains(&format!("| `{}` | {} |", r.id, r.rule)),
                "README lacks {} as describe has it",
                r.id
            );
        }
        let def = |kind: &str, key: &str| {
            d.attribute_definitions
                .iter()
                .find(|a| a.entity_kind == kind && a.key == key)
                .unwrap_or_else(|| panic!("{kind}.{key}"))
        };
        assert_eq!(def("contract", "pooled_budget").choices.len(), 3);
        assert_eq!(def("contract", "partner_agreement").kind, AttributeKind::YesNo);
        assert_eq!(def("project", "partner_agreement").kind, AttributeKind::YesNo);
        assert_eq!(def("stage-move", "partner_agreement").kind, AttributeKind::YesNo);
        assert!(def("score", "evidence").required);
        assert!(def("priority", "outcome").required);
        assert_eq!(def("provider", "safeguarding_evidence").kind, AttributeKind::Text);
    }

    #[test]
    fn safeguarding_caps_the_overall_band() {
        // Standard 3: "Safeguarding children and young people is at the core of our
        // commissioning decisions and arrangements": strong elsewhere cannot outweigh it.
        let scores = (1..=14)
            .map(|n| Score {
                standard_id: format!("cs-{n}"),
                score: if n == 3 { 2 } else { 4 },
                evidence: "Reviewed by the Commissioning Executive".into(),
                rater: None,
            })
            .collect();
        let s = CentralBedfordshire::score_self_evaluation(SelfEvaluation {
            standards_set_id: "commissioning-standards".into(),
            scores,
        })
        .unwrap();
        assert!(s.complete);
        assert_eq!(s.capped_by.as_deref(), Some("cs-3"));
        assert_eq!(s.band_id.as_deref(), Some("partly-met"), "mean {} alone would be met", s.mean_score);
    }

    #[test]
    fn a_partner_agreement_that_is_neither_yes_nor_no_is_refused_even_where_not_needed() {
        // Appendix 3, paragraph 3: the agreement is recorded as yes or no; "maybe" is neither,
        // whether or not the budget is pooled.
        let v = CentralBedfordshire::validate(
            "2026-11-24".into(),
            vec![entity("project", &[("pooled_budget", "no"), ("partner_agreement", "maybe")])],
        );
        assert!(
            v[0].iter().any(|f| f.code == "bad-yes-no" && f.field.as_deref() == Some("partner_agreement")),
            "{:?}",
            v[0]
        );
    }

    #[test]
    fn the_readme_rules_table_matches_describe_and_names_real_tests() {
        // Each rule is traced to the document in the README, stated or inferred, with its test.
        let problems = rules_table_problems(
            &CentralBedfordshire::describe().rules,
            include_str!("../README.md"),
            include_str!("lib.rs"),
        );
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
