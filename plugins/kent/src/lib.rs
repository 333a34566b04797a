//! Kent Children's Trust: the commissioning and delivery review (report to the Policy Overview
//! Committee, 2009) with "KCT Commissioning and Delivery Review: Main Messages and Options (at
//! 6/10/09)". Paragraph and row letters below are the report's own.
//!
//! Self-evaluation against the national Commissioning Support Programme (CSP) standards, scored
//! 4 going well, 3 steady progress, 1-2 needs improvement, with options for improvement against
//! the weak standards; commissioning at county and local (LCSP) levels; the review runs in
//! listening, options and implementation phases.

use commissioning_sdk::*;

struct Kent;
commissioning_sdk::export!(Kent);

const SOURCE: &str = "Kent Children's Trust commissioning and delivery review (2009)";

/// The CSP standards the main messages name, by number, with the report's row letter.
const STANDARDS: [(u8, &str, &str); 12] = [
    (1, "a", "Clarity and agreement on outcomes to improve"),
    (2, "g", "Robust up-to-date joint commissioning arrangements which allow the KCT to improve outcomes"),
    (3, "d", "Governance arrangements to improve outcomes through commissioning"),
    (4, "h", "Partners understand commissioning and have effective joint commissioning arrangements"),
    (5, "b", "Understanding the needs of children, young people and families"),
    (6, "i", "Wise investment and market development"),
    (7, "e", "Monitoring impact and managing the performance of services to improve outcomes"),
    (8, "j", "Commissioners working effectively together at strategic and local levels"),
    (9, "k", "Successfully secure major service reconfiguration and change to improve outcomes through commissioning"),
    (10, "l", "Joint working and common understanding at a leadership level for effective commissioning"),
    (
        11,
        "f",
        "Having the right people with the right skills, knowledge and expertise to improve outcomes through commissioning",
    ),
    (
        12,
        "c",
        "Partnership culture to promote development of commissioning skills, knowledge and expertise at all levels",
    ),
];

/// "Options for KCT improvements (for consultation and further development)", rows g to l.
fn options_for(standard: u8) -> Vec<String> {
    let options: &[&str] = match standard {
        2 => &[
            "Fully explore, agree and implement joint commissioning arrangements and structures (e.g. reconsider the KCT substructure, including LCSPs, as a commissioning model reporting to the Executive)",
            "Develop outcome-based joint commissioning plans for key priority areas that guide strategic decisions and local delivery",
        ],
        4 => &[
            "Clearer joint commissioning arrangements at all levels",
            "Stronger leadership to embed agreed commissioning arrangements across all partners (e.g. the KCT Board championing a joint commissioning approach)",
        ],
        6 => &[
            "Agreed arrangements to systematically collect and analyse information about resources and markets across children's services",
        ],
        8 => &[
            "Stronger strategic commissioning arrangements to drive service development (e.g. the Executive as a strategic commissioning group)",
            "Clarity at local levels about commissioning responsibilities and partner resources (e.g. local joint commissioning and pooled or aligned resources)",
        ],
        9 => &[
            "Agree a partnership commissioning-led approach to major service change: evidence based, outcomes focused, shared openly, with robust monitoring and evaluation leading to decommissioning",
        ],
        10 => &[
            "Set out clearer roles and responsibilities for strategic joint commissioning across the trust (e.g. the DCS as lead commissioner)",
        ],
        _ => &[],
    };
    options.iter().map(|s| (*s).to_string()).collect()
}

fn csp(n: u8) -> String {
    format!("csp-{n}")
}

fn standards_set() -> StandardsSet {
    StandardsSet {
        id: "csp-standards".into(),
        name: "Commissioning Support Programme standards".into(),
        standards: STANDARDS
            .iter()
            .map(|(n, _, name)| standard(&csp(*n), &format!("CSP standard {n}: {name}"), ""))
            .collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "needs-improvement".into(), label: "Needs improvement".into(), min_score: 1, max_score: 2 },
            ScoreBand { id: "steady-progress".into(), label: "Steady progress".into(), min_score: 3, max_score: 3 },
            ScoreBand { id: "going-well".into(), label: "Going well".into(), min_score: 4, max_score: 4 },
        ],
    }
}

/// Local Children's Services Partnerships follow the districts; the report does not list them.
const DISTRICTS: [&str; 12] = [
    "Ashford",
    "Canterbury",
    "Dartford",
    "Dover",
    "Gravesham",
    "Maidstone",
    "Sevenoaks",
    "Shepway",
    "Swale",
    "Thanet",
    "Tonbridge and Malling",
    "Tunbridge Wells",
];

/// Priority areas "where we need to make more progress" (paragraph 2.2).
const PRIORITY_AREAS: [&str; 2] = ["teenage pregnancy", "substance misuse"];

const PHASES: [(&str, &str); 3] =
    [("listening", "Listening phase"), ("options", "Options phase"), ("implementation", "Implementation phase")];

fn classify_item(item: &Item) -> Classification {
    let local = item.area.is_some() && item.tier.as_deref() != Some("specialist") && item.kind != "priority";
    let (level, body, rationale) = if local {
        (
            "local",
            "lcsp-board",
            "Local universal and targeted provision through the Local Children's Services Partnership, reporting to the Executive",
        )
    } else if item.kind == "priority" {
        ("county", "kct-board", "CYPP priorities are set county-wide by the Kent Children's Trust Board")
    } else {
        ("county", "kct-executive", "County commissioning by the KCT Executive as a strategic commissioning group")
    };
    Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale: rationale.into(),
        source: Some(format!("{SOURCE}, paragraph 5.2 and options g and j")),
    }
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = PHASES.iter().map(|p| p.0).collect();
    let mut out = ordered_move(&ids, m, "Phased programme of review");
    let a = &m.attributes;
    if m.to_stage == "options" && !flag(a, "self_evaluation_completed") {
        out.push(error(
            "self-evaluation-first",
            "Groups in the listening phase complete the CSP self-evaluation tool before options are developed",
            Some("self_evaluation_completed"),
            "Listening phase",
        ));
    }
    if m.to_stage == "implementation" && !flag(a, "final_report_agreed") {
        out.push(error(
            "final-report",
            "Implementation follows the final report's agreement by the KCT Executive",
            Some("final_report_agreed"),
            "Paragraphs 6.1-6.2",
        ));
    }
    out
}

impl Guest for Kent {
    fn describe() -> Description {
        Description {
            id: "kent".into(),
            name: "Kent Children's Trust commissioning review".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Kent Children's Trust: Commissioning and Delivery Review, Main Messages and Options (6 October 2009)".into(),
            stages: PHASES.iter().map(|(id, name)| stage(id, name, Some("REVIEW PROGRAMME"), "")).collect(),
            levels: vec![
                level("county", "County", "Strategic commissioning for the whole of Kent"),
                level("local", "Local (LCSP)", "Local Children's Services Partnerships"),
            ],
            levels_of_need: vec![
                level("universal", "Universal", "Universal provision supported by local integrated teams"),
                level("targeted", "Targeted", "Targeted provision supported by local integrated teams"),
                level("specialist", "Specialist", "Commissioned at county level"),
            ],
            age_bands: common_age_bands(),
            areas: areas(&DISTRICTS),
            bodies: vec![
                body("kct-board", "Kent Children's Trust Board", "Agrees the CYPP and the strategic direction", None),
                body("kct-executive", "KCT Executive", "Drives joint commissioning across the children's services system", None),
                body("lcsp-board", "Local Children's Services Partnership Board", "Local commissioning and integrated teams for universal and targeted provision", None),
            ],
            standards_sets: vec![standards_set()],
            calendar: vec![
                CalendarEntry { name: "Listening phase".into(), start_month: 9, end_month: 10, stage_ids: vec!["listening".into()] },
                CalendarEntry { name: "Options phase".into(), start_month: 10, end_month: 12, stage_ids: vec!["options".into()] },
                CalendarEntry { name: "Implementation phase".into(), start_month: 1, end_month: 8, stage_ids: vec!["implementation".into()] },
            ],
            notes: vec![
                "The report lists CSP standards 1 to 12 across its main messages; standard names are the report's.".into(),
                "LCSP areas are taken to be Kent's twelve districts; the report does not list them.".into(),
                "Implementation runs 'from January 2010 onwards'; the calendar ends it in August, before the next listening phase.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items.iter().map(classify_item).collect())
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Option k: robust monitoring and evaluation leads to decommissioning; reviews go to the
        // body that commissions at the subject's level.
        schedule_for_bodies(
            &today,
            &subjects,
            |s| classify_item(&subject_item(s)).body,
            "Option k: robust monitoring and evaluation",
        )
    }

    fn validate(_today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        entities
            .iter()
            .map(|e| {
                let a = &e.attributes;
                let title = attr(a, "title").unwrap_or("").to_lowercase();
                let mut out = Vec::new();
                if e.kind == "priority" && PRIORITY_AREAS.iter().any(|p| title.contains(p)) && attr(a, "joint_commissioning_plan").is_none() {
                    out.push(warning(
                        "joint-commissioning-plan",
                        "Key priority areas such as teenage pregnancy and substance misuse need an outcome-based joint commissioning plan",
                        Some("joint_commissioning_plan"),
                        "Paragraph 2.2 and option g",
                    ));
                }
                if e.kind == "contract" && attr(a, "level") == Some("local") && attr(a, "partner_resources").is_none() {
                    out.push(info(
                        "local-resources",
                        "Be clear about partner resources (pooled or aligned) supporting local commissioning",
                        Some("partner_resources"),
                        "Option j",
                    ));
                }
                out
            })
            .collect()
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        score_against(&standards_set(), &evaluation, |standard, band| {
            let n: u8 = standard.trim_start_matches("csp-").parse().unwrap_or(0);
            if band == "needs-improvement" { options_for(n) } else { Vec::new() }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &common_age_bands(), &areas(&DISTRICTS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scores the report's main messages give (rows a to l).
    fn reported() -> SelfEvaluation {
        let score = |n: u8| match n {
            1 | 5 | 12 => 4,
            3 | 7 | 11 => 3,
            2 | 4 | 6 | 8 | 9 | 10 => 2,
            _ => 0,
        };
        SelfEvaluation {
            standards_set_id: "csp-standards".into(),
            scores: STANDARDS
                .iter()
                .map(|(n, _, _)| Score { standard_id: csp(*n), score: score(*n), evidence: "Listening phase".into() })
                .collect(),
        }
    }

    #[test]
    fn scores_band_as_going_well_steady_progress_or_needs_improvement() {
        // Main messages: "Going Well scores of 4", "Steady progress (scores of 3)", "Needs improvement scores of 1 - 2".
        let s = Kent::score_self_evaluation(reported()).unwrap();
        let band = |id: &str| s.results.iter().find(|r| r.standard_id == id).unwrap().band_id.clone();
        assert_eq!(band("csp-1"), "going-well");
        assert_eq!(band("csp-12"), "going-well");
        assert_eq!(band("csp-7"), "steady-progress");
        assert_eq!(band("csp-2"), "needs-improvement");
        assert_eq!(s.weakest, ["csp-10", "csp-2", "csp-4", "csp-6", "csp-8", "csp-9"]);
    }

    #[test]
    fn weak_standards_carry_the_options_for_improvement() {
        // Options column, rows g to l: attached only where a standard needs improvement.
        let s = Kent::score_self_evaluation(reported()).unwrap();
        let options = |id: &str| s.results.iter().find(|r| r.standard_id == id).unwrap().options.clone();
        assert!(options("csp-2")[1].starts_with("Develop outcome-based joint commissioning plans"));
        assert!(options("csp-9")[0].contains("decommissioning"));
        assert_eq!(options("csp-8").len(), 2);
        assert!(options("csp-1").is_empty() && options("csp-3").is_empty());
    }

    #[test]
    fn scores_outside_one_to_four_are_refused() {
        let mut e = reported();
        e.scores[0].score = 5;
        assert!(Kent::score_self_evaluation(e).unwrap_err().contains("outside 1-4"));
    }

    #[test]
    fn county_and_local_levels() {
        // Paragraph 5.2: strategic and local levels; option j: clarity at local levels.
        let item = |tier: &str, area: Option<&str>| Item {
            id: "x".into(),
            kind: "service".into(),
            tier: Some(tier.into()),
            level_of_need: None,
            area: area.map(str::to_string),
            attributes: vec![],
        };
        let c = Kent::classify(vec![
            item("targeted", Some("Thanet")),
            item("specialist", Some("Thanet")),
            item("universal", None),
        ])
        .unwrap();
        assert_eq!(
            c.iter().map(|c| (c.level.as_str(), c.body.as_str())).collect::<Vec<_>>(),
            [("local", "lcsp-board"), ("county", "kct-executive"), ("county", "kct-executive")]
        );
    }

    #[test]
    fn the_review_runs_listening_then_options_then_implementation() {
        // "Working with the national CSP the KCT Executive has agreed a phased programme of review".
        let d = Kent::describe();
        assert_eq!(
            d.stages.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["listening", "options", "implementation"]
        );
        let listening = d.calendar.iter().find(|c| c.name == "Listening phase").unwrap();
        assert_eq!((listening.start_month, listening.end_month), (9, 10));
        let mv = |from: &str, to: &str, a: &[(&str, &str)]| StageMove {
            project_id: "p".into(),
            from_stage: Some(from.into()),
            to_stage: to.into(),
            attributes: a.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let f = Kent::stage_gate(
            "2026-11-24".into(),
            vec![mv("listening", "options", &[]), mv("options", "implementation", &[("final_report_agreed", "yes")])],
        );
        assert_eq!(f[0][0].code, "self-evaluation-first");
        assert!(f[1].is_empty());
    }

    #[test]
    fn priority_areas_need_a_joint_commissioning_plan() {
        // Paragraph 2.2: teenage pregnancy and substance misuse; option g: outcome-based joint commissioning plans.
        let p = Entity {
            id: "p".into(),
            kind: "priority".into(),
            attributes: vec![attribute("title", "Reduce teenage pregnancy")],
        };
        assert_eq!(Kent::validate("2026-11-24".into(), vec![p])[0][0].code, "joint-commissioning-plan");
    }
}
