//! Central Bedfordshire: "Strategic Commissioning Framework, Children and Young People in
//! Central Bedfordshire" (draft), with the Children's Trust Agreement's extract on the
//! Commissioning Executive (Appendix 3). Section names below are the document's own.
//!
//! The DCSF nine-step model; fourteen commissioning standards, each with evidence; the
//! Commissioning Executive meets quarterly and refers key strategic decisions to the Trust Board;
//! one Outcome Delivery Group per Every Child Matters outcome.

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

/// The last day of the next quarterly meeting month on or after `from`.
fn next_meeting(from: NaiveDate) -> NaiveDate {
    (0..13u32)
        .map(|i| add_months(NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from), i))
        .filter(|d| MEETING_MONTHS.contains(&d.month()))
        .map(|d| sub_one_day(add_months(d, 1)))
        .find(|end| *end >= from)
        .unwrap_or(from)
}

fn sub_one_day(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

fn key_strategic(attributes: &[Attribute]) -> bool {
    flag(attributes, "key_strategic_decision")
}

fn classify_item(item: &Item) -> Classification {
    let a = &item.attributes;
    let outcome = attr(a, "outcome");
    let (level, body, rationale, para) = if item.kind == "priority" || key_strategic(a) {
        (
            "strategic",
            "trust-board".to_string(),
            "A key strategic decision: the Commissioning Executive refers it to the Trust Board for final agreement"
                .to_string(),
            "Appendix 3, paragraph 4",
        )
    } else {
        let delivery = outcome
            .map(|o| format!("; its delivery is overseen by the {} Outcome Delivery Group", o.replace('_', " ")))
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
    Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body,
        rationale,
        source: Some(format!("{SOURCE}, {para}")),
    }
}

fn validate_entity(e: &Entity) -> Vec<Finding> {
    let a = &e.attributes;
    let mut out = Vec::new();
    match e.kind.as_str() {
        "provider" => {
            if attr(a, "safeguarding_evidence").is_none() {
                out.push(error(
                    "safeguarding",
                    "Safeguarding is at the core of every commissioning decision: the provider shows its safeguarding evidence",
                    Some("safeguarding_evidence"),
                    "Commissioning standard 3; step 2",
                ));
            }
            if attr(a, "sector") == Some("voluntary_community") && !flag(a, "regional_safeguarding_standards") {
                out.push(warning(
                    "regional-safeguarding-standards",
                    "Voluntary and community providers are commissioned to the regional Safeguarding Standards (Eastern Region)",
                    Some("regional_safeguarding_standards"),
                    "Commissioning principles",
                ));
            }
        }
        "contract" => {
            if attr(a, "kind") == Some("partnership") {
                let partners =
                    attr(a, "partners").map(|p| p.split(',').filter(|s| !s.trim().is_empty()).count()).unwrap_or(0);
                if partners < 2 {
                    out.push(error(
                        "pooled-budget-partners",
                        "A pooled or aligned budget is shared by at least two Trust partners",
                        Some("partners"),
                        "Step 7: commission, including the use of pooled resources",
                    ));
                }
            }
            if attr(a, "monitoring_arrangements").is_none() {
                out.push(warning(
                    "monitoring-arrangements",
                    "Strong contractual procedures include full monitoring arrangements",
                    Some("monitoring_arrangements"),
                    "Commissioning standard 10",
                ));
            }
        }
        "priority" if attr(a, "outcome").is_none_or(|o| !OUTCOMES.iter().any(|(id, _)| *id == o)) => {
            out.push(error(
                "outcome",
                "Every priority belongs to one of the five outcomes, each with its Outcome Delivery Group",
                Some("outcome"),
                "Step 1: look at outcomes",
            ));
        }
        _ => {}
    }
    out
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "The nine step commissioning model");
    let a = &m.attributes;
    if m.to_stage == "resources-priorities" && !(flag(a, "user_views") && flag(a, "staff_views")) {
        out.push(error(
            "needs-assessment-views",
            "The needs assessment takes in the views of users and of staff before priorities are set",
            Some("user_views"),
            "Step 3: develop the needs assessment with user and staff views",
        ));
    }
    if m.to_stage == "commission-pooled" && key_strategic(a) && !flag(a, "trust_board_agreed") {
        out.push(error(
            "trust-board-agreement",
            "A key strategic decision needs the Trust Board's final agreement before commissioning",
            Some("trust_board_agreed"),
            "Appendix 3, paragraph 4",
        ));
    }
    out
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
            notes: vec![
                "The document numbers its standards 1-4, 4-7, 9-14; they are the fourteen standards cs-1 to cs-14 here, in the document's order.".into(),
                "The standards have no scoring scale in the document; the 1-4 scale and its bands are the platform's.".into(),
                "The Commissioning Executive meets quarterly; the meeting months (June, September, December, March) are assumed.".into(),
                "The draft names no localities; the four used are inferred. The annual CYPP refresh is placed in January to March, before the financial year.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items.iter().map(classify_item).collect())
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Step 9: regular monitoring, taken to each quarterly Commissioning Executive; the
        // decision whether to re-commission comes to the meeting six months before the end, and
        // to the Trust Board when it is a key strategic decision.
        let today = date("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let (start, end) = subject_span(i, s)?;
            let mut due = next_meeting(start.max(today));
            let horizon = end.unwrap_or_else(|| add_months(today, 12));
            while due < horizon {
                out.push(review(
                    s,
                    "quarterly-monitoring",
                    "Quarterly monitoring",
                    due,
                    "commissioning-executive",
                    "Step 9; Appendix 3, paragraph 5",
                ));
                due = next_meeting(add_months(due, 1));
            }
            if let Some(end) = end {
                let audience = if key_strategic(&s.attributes) { "trust-board" } else { "commissioning-executive" };
                let decide = next_meeting(sub_months(end, 6).max(start));
                out.push(review(
                    s,
                    "recommissioning-decision",
                    "Decide whether to re-commission",
                    decide.min(end),
                    audience,
                    "Step 9; Appendix 3, paragraph 4",
                ));
            }
        }
        Ok(out)
    }

    fn validate(_today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        entities.iter().map(validate_entity).collect()
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        let mut summary = score_against(&standards_set(), &evaluation, |_, _| Vec::new())?;
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
        // Appendix 3, paragraph 5: quarterly meetings; step 9: regular monitoring.
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
                ("2026-12-31", "commissioning-executive"),
                ("2027-03-31", "commissioning-executive"),
                ("2027-06-30", "commissioning-executive"),
                ("2027-03-31", "trust-board"),
            ]
        );
    }

    #[test]
    fn priorities_need_user_and_staff_views_and_pooled_budgets_two_partners() {
        // Step 3 before step 4; step 7: pooled resources.
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
                    ("kind", "partnership"),
                    ("partners", "Council"),
                    ("monitoring_arrangements", "quarterly"),
                ]),
            }],
        );
        assert_eq!(v[0][0].code, "pooled-budget-partners");
    }

    #[test]
    fn each_standard_is_evidenced() {
        // "Each standard will be set against success criteria"; evidence reviewed regularly.
        let s = CentralBedfordshire::score_self_evaluation(SelfEvaluation {
            standards_set_id: "commissioning-standards".into(),
            scores: vec![
                Score { standard_id: "cs-3".into(), score: 2, evidence: String::new() },
                Score { standard_id: "cs-1".into(), score: 4, evidence: "Agreed vision".into() },
            ],
        })
        .unwrap();
        assert!(s.findings.iter().any(|f| f.code == "no-evidence" && f.severity == Severity::Error));
        assert_eq!(s.weakest, vec!["cs-3"]);
        assert_eq!(s.results[0].band_id, "partly-met");
    }
}
