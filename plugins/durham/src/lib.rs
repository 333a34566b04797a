//! County Durham: "Commissioning framework for services to children and families" (report to
//! the Every Child Matters Implementation Team, 21 December 2005). Paragraph numbers below are
//! the report's own.
//!
//! Two levels: strategic commissioning (the Executive Board alone) and service commissioning
//! (the Executive Board for centrally retained services, the Local Children's Boards for local
//! universal and targeted services). Specifying follows the eight-step process of paragraph 33;
//! priorities are must-dos or want-to-dos (42); services sit on a continuum of collaboration (37).

use commissioning_sdk::*;

struct Durham;
commissioning_sdk::export!(Durham);

const SOURCE: &str = "County Durham commissioning framework (2005)";

/// The districts of County Durham in 2005, one Local Children's Board each. The report names
/// the boards but not their areas: inferred.
const DISTRICTS: [&str; 7] =
    ["Chester-le-Street", "Derwentside", "Durham City", "Easington", "Sedgefield", "Teesdale", "Wear Valley"];

/// Paragraph 33: the process for specifying, then securing services and monitoring planned change.
const STAGES: [(&str, &str, &str); 11] = [
    ("vision", "Agree a clear vision, values and outcomes", "SPECIFY"),
    ("analyse-need", "Analyse need", "SPECIFY"),
    ("audit-provision", "Audit current service provision and performance", "SPECIFY"),
    ("ideal-type", "Develop consensus on the ideal type of service configuration", "SPECIFY"),
    ("compare-current-ideal", "Compare current provision and performance with the ideal", "SPECIFY"),
    ("gaps-duplication", "Identify duplication, gaps and unnecessary activity", "SPECIFY"),
    (
        "commissioning-plan",
        "Describe the commissioning and decommissioning needed in the short, medium and long term",
        "SPECIFY",
    ),
    ("move-to-future", "Set clear processes for moving from current to future", "SPECIFY"),
    (
        "secure",
        "Secure services: pooled budgets, co-ordination, integration or new models; procurement within budget",
        "SECURE",
    ),
    ("monitor-change", "Monitor delivery of the improvement and decommissioning programme", "MONITOR"),
    ("monitor-kpis", "Monitor key performance indicators", "MONITOR"),
];

/// Paragraph 37: the continuum of collaboration, in order; "new" is a different direction.
const CONTINUUM: [&str; 4] = ["autonomy", "co-ordination", "integration", "new"];

fn lcb(district: &str) -> String {
    format!("lcb-{}", slug(district))
}

fn district_of(area: Option<&str>) -> Option<&'static str> {
    let area = area?;
    DISTRICTS.iter().copied().find(|d| d.eq_ignore_ascii_case(area) || slug(d) == area)
}

/// Paragraphs 34-35: who commissions what.
fn classify_item(item: &Item) -> Classification {
    let a = &item.attributes;
    let strategic = item.kind == "priority" || attr(a, "level") == Some("strategic");
    let centrally_retained = flag(a, "low_incidence") || flag(a, "county_wide") || flag(a, "high_risk_to_delegate");
    let local = district_of(item.area.as_deref());
    let (level, body, rationale, para) = if strategic {
        (
            "strategic",
            "executive-board".to_string(),
            "Only the Executive Board commissions strategically".to_string(),
            "paragraph 34 (I)",
        )
    } else if centrally_retained {
        (
            "service",
            "executive-board".to_string(),
            "Retained centrally: a low-incidence need calling for a county-wide, regional or national response, or too risky to delegate".to_string(),
            "paragraph 34 (II)",
        )
    } else if item.tier.as_deref() == Some("specialist") {
        (
            "service",
            "executive-board".to_string(),
            "Specialist provision is not among the local services the Local Children's Boards commission".to_string(),
            "paragraphs 34 (II) and 35",
        )
    } else if let Some(d) = local {
        (
            "service",
            lcb(d),
            format!(
                "A local {} service in {d}: commissioned by its Local Children's Board",
                item.tier.as_deref().unwrap_or("universal")
            ),
            "paragraph 35",
        )
    } else {
        (
            "service",
            "executive-board".to_string(),
            "No locality given: a county-wide service is retained by the Executive Board".to_string(),
            "paragraph 34 (II)",
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

fn validate_entity(today: &str, e: &Entity) -> Vec<Finding> {
    let a = &e.attributes;
    let mut out = Vec::new();
    match e.kind.as_str() {
        "priority" => match (attr(a, "priority_type"), attr(a, "source")) {
            (Some("must_do"), Some("performance" | "inspection")) | (Some("want_to_do"), Some("visioning")) => {}
            (Some("must_do"), _) => out.push(error(
                "must-do-source",
                "A must-do priority comes from performance or inspection",
                Some("source"),
                "paragraph 42",
            )),
            (Some("want_to_do"), _) => {
                out.push(error("want-to-do-source", "A want-to-do priority comes from visioning", Some("source"), "paragraph 42"))
            }
            _ => out.push(error(
                "priority-type",
                "A strategic priority is either a must-do (from performance and inspection) or a want-to-do (from visioning)",
                Some("priority_type"),
                "paragraph 42",
            )),
        },
        "service" | "project" => {
            let current = attr(a, "continuum_current");
            let target = attr(a, "continuum_target");
            for (field, value) in [("continuum_current", current), ("continuum_target", target)] {
                if let Some(v) = value
                    && !CONTINUUM.contains(&v)
                {
                    out.push(error(
                        "continuum-position",
                        format!("{v:?} is not on the continuum of collaboration (autonomy, co-ordination, integration, new)"),
                        Some(field),
                        "paragraph 37",
                    ));
                }
            }
            let rank = |v: &str| CONTINUUM.iter().position(|c| *c == v);
            if let (Some(c), Some(t)) = (current.and_then(rank), target.and_then(rank))
                && t < c
                && CONTINUUM[t] != "new"
            {
                out.push(warning(
                    "continuum-backwards",
                    format!("The target ({}) is further from integration than the current position ({})", CONTINUUM[t], CONTINUUM[c]),
                    Some("continuum_target"),
                    "paragraphs 37-38",
                ));
            }
            if e.kind == "service" && target.is_none() {
                out.push(info(
                    "continuum-target-missing",
                    "Say where on the continuum of collaboration this service should move to",
                    Some("continuum_target"),
                    "paragraph 38",
                ));
            }
        }
        _ => out.extend(baseline::NationalBaseline::validate(today.to_string(), vec![e.clone()]).into_iter().flatten().filter(|f| f.code != "ended")),
    }
    out
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "paragraph 33");
    let a = &m.attributes;
    // Paragraph 39: strategic commissioning comes first.
    if attr(a, "level") == Some("service") && !flag(a, "strategic_commissioning_done") && m.from_stage.is_none() {
        out.push(error(
            "strategic-first",
            "Service commissioning cannot begin until strategic commissioning has set the priorities",
            Some("strategic_commissioning_done"),
            "paragraphs 39 and 43",
        ));
    }
    if m.to_stage == "compare-current-ideal" && attr(a, "continuum_target").is_none() {
        out.push(error(
            "ideal-type-missing",
            "Agree the ideal type (the target position on the continuum of collaboration) before comparing current with ideal",
            Some("continuum_target"),
            "paragraphs 33, 36-38",
        ));
    }
    if m.to_stage == "secure" && attr(a, "decommissioning_considered").is_none() {
        out.push(warning(
            "decommissioning-not-considered",
            "The commissioning framework describes decommissioning as well as commissioning: say what stops",
            Some("decommissioning_considered"),
            "paragraph 33",
        ));
    }
    out
}

fn age_bands() -> Vec<AgeBand> {
    common_age_bands()
}

impl Guest for Durham {
    fn describe() -> Description {
        let mut bodies = vec![body(
            "executive-board",
            "Executive Board",
            "Represents the Children's Services Authority; alone commissions strategically, and commissions centrally retained services",
            None,
        )];
        bodies.extend(DISTRICTS.iter().map(|d| {
            body(
                &lcb(d),
                &format!("{d} Local Children's Board"),
                "Commissions universal services locally and local services targeted to specific or population-level need",
                None,
            )
        }));
        Description {
            id: "durham".into(),
            name: "County Durham commissioning framework".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Every Child Matters in County Durham: Commissioning framework for services to children and families, 21 December 2005".into(),
            stages: STAGES.iter().map(|(id, name, group)| stage(id, name, Some(group), "")).collect(),
            levels: vec![
                level("strategic", "Strategic commissioning", "High-level analysis of needs, patterns and trends; indistinguishable from strategic planning"),
                level("service", "Service commissioning", "Specifying, securing and monitoring individual services, locally or county-wide"),
            ],
            levels_of_need: vec![
                level("universal", "Universal", "Services for every child, delivered locally"),
                level("targeted", "Targeted", "Local services targeted to specific needs or to population-level need"),
                level("specialist", "Specialist", "Low-incidence needs, often calling for a county-wide, regional or national response"),
            ],
            age_bands: age_bands(),
            areas: areas(&DISTRICTS),
            bodies,
            standards_sets: vec![StandardsSet {
                id: "outcomes-and-themes".into(),
                name: "The five outcomes and four underpinning themes".into(),
                standards: OUTCOMES
                    .iter()
                    .map(|(id, name)| standard(id, name, "Services are evaluated against this outcome"))
                    .chain([
                        standard("supporting-families", "Supporting families and carers", "The most critical influence on children's lives"),
                        standard("early-intervention", "Intervention before crisis point", "Children do not fall through the net"),
                        standard("accountability-integration", "Accountability and integration", "The weak accountability and poor co-ordination found by the Climbié report are addressed"),
                        standard("workforce", "A valued, rewarded and trained workforce", "People working with children are valued, rewarded and trained"),
                    ])
                    .collect(),
                min_score: 1,
                max_score: 4,
                bands: vec![
                    ScoreBand { id: "weak".into(), label: "Weak".into(), min_score: 1, max_score: 2 },
                    ScoreBand { id: "adequate".into(), label: "Adequate".into(), min_score: 3, max_score: 3 },
                    ScoreBand { id: "strong".into(), label: "Strong".into(), min_score: 4, max_score: 4 },
                ],
            }],
            calendar: Vec::new(),
            notes: vec![
                "The report names Local Children's Boards but not their areas; one board per district of 2005 is assumed.".into(),
                "The report sets no annual calendar and no age bands; the common five-year bands are used.".into(),
                "Paragraph 45 asks that everything be evaluated against the five outcomes and four themes (paragraph 14); the 1-4 scale and its bands are the platform's.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items.iter().map(classify_item).collect())
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Monitoring KPIs and the improvement and decommissioning programme (paragraph 33): an
        // annual review and a decision before the end, for the body that commissioned it.
        schedule_for_bodies(
            &today,
            &subjects,
            |s| classify_item(&subject_item(s)).body,
            &format!("{SOURCE}, paragraph 33 (monitoring planned change)"),
        )
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        entities.iter().map(|e| validate_entity(&today, e)).collect()
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        let set = Self::describe().standards_sets.remove(0);
        score_against(&set, &evaluation, |_, band| {
            if band == "weak" {
                vec!["Consider co-ordination, integration or a new approach along the continuum of collaboration (paragraph 37)".into()]
            } else {
                Vec::new()
            }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &age_bands(), &areas(&DISTRICTS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, tier: Option<&str>, area: Option<&str>, attributes: &[(&str, &str)]) -> Item {
        Item {
            id: "i".into(),
            kind: kind.into(),
            tier: tier.map(str::to_string),
            level_of_need: None,
            area: area.map(str::to_string),
            attributes: attributes.iter().map(|(k, v)| attribute(k, v)).collect(),
        }
    }

    fn classify(i: Item) -> Classification {
        Durham::classify(vec![i]).unwrap().remove(0)
    }

    #[test]
    fn only_the_executive_board_commissions_strategically() {
        // Paragraph 34 (I) and "Commissioning responsibilities": strategic commissioning is the
        // Executive Board's alone, even for a priority raised in one locality.
        let c = classify(item("priority", None, Some("Easington"), &[]));
        assert_eq!((c.level.as_str(), c.body.as_str()), ("strategic", "executive-board"));
        let c = classify(item("project", Some("universal"), Some("Teesdale"), &[("level", "strategic")]));
        assert_eq!(c.body, "executive-board");
    }

    #[test]
    fn centrally_retained_services_stay_with_the_executive_board() {
        // Paragraph 34 (II): low incidence needing a county-wide, regional or national response,
        // or too risky to delegate.
        for flagged in ["low_incidence", "county_wide", "high_risk_to_delegate"] {
            let c = classify(item("service", Some("targeted"), Some("Derwentside"), &[(flagged, "yes")]));
            assert_eq!((c.level.as_str(), c.body.as_str()), ("service", "executive-board"), "{flagged}");
        }
    }

    #[test]
    fn local_universal_and_targeted_services_go_to_their_local_childrens_board() {
        // Paragraph 35: LCBs commission universal services locally and local targeted services.
        let c = classify(item("service", Some("universal"), Some("Wear Valley"), &[]));
        assert_eq!((c.level.as_str(), c.body.as_str()), ("service", "lcb-wear-valley"));
        let c = classify(item("service", Some("targeted"), Some("chester-le-street"), &[]));
        assert_eq!(c.body, "lcb-chester-le-street");
        // A specialist service is not one of the local services paragraph 35 lists.
        assert_eq!(classify(item("service", Some("specialist"), Some("Sedgefield"), &[])).body, "executive-board");
    }

    #[test]
    fn the_process_for_specifying_has_eight_steps_then_securing_and_monitoring() {
        // Paragraph 33.
        let d = Durham::describe();
        let specify: Vec<_> = d.stages.iter().filter(|s| s.group.as_deref() == Some("SPECIFY")).collect();
        assert_eq!(specify.len(), 8);
        assert_eq!(specify[0].name, "Agree a clear vision, values and outcomes");
        assert_eq!(specify[7].name, "Set clear processes for moving from current to future");
        assert_eq!(d.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["strategic", "service"]);
    }

    #[test]
    fn strategic_commissioning_comes_before_service_commissioning() {
        // Paragraphs 39 and 43: service commissioning cannot commence before strategic.
        let mv = |attrs: &[(&str, &str)]| StageMove {
            project_id: "p".into(),
            from_stage: None,
            to_stage: "vision".into(),
            attributes: attrs.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let findings = Durham::stage_gate(
            "2026-11-24".into(),
            vec![mv(&[("level", "service")]), mv(&[("level", "service"), ("strategic_commissioning_done", "yes")])],
        );
        assert_eq!(findings[0].iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["strategic-first"]);
        assert!(findings[1].is_empty());
    }

    #[test]
    fn comparing_with_the_ideal_needs_a_target_on_the_continuum() {
        // Paragraphs 36-38: the ideal type is described on the continuum of collaboration.
        let mv = StageMove {
            project_id: "p".into(),
            from_stage: Some("ideal-type".into()),
            to_stage: "compare-current-ideal".into(),
            attributes: vec![],
        };
        let f = Durham::stage_gate("2026-11-24".into(), vec![mv]);
        assert_eq!(f[0][0].code, "ideal-type-missing");
    }

    #[test]
    fn priorities_are_must_dos_from_performance_or_inspection_or_want_to_dos_from_visioning() {
        // Paragraph 42.
        let p = |attrs: &[(&str, &str)]| Entity {
            id: "p".into(),
            kind: "priority".into(),
            attributes: attrs.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![
                p(&[("priority_type", "must_do"), ("source", "inspection")]),
                p(&[("priority_type", "want_to_do"), ("source", "visioning")]),
                p(&[("priority_type", "must_do"), ("source", "visioning")]),
                p(&[]),
            ],
        );
        assert!(f[0].is_empty() && f[1].is_empty());
        assert_eq!(f[2][0].code, "must-do-source");
        assert_eq!(f[3][0].code, "priority-type");
    }

    #[test]
    fn the_continuum_of_collaboration_has_four_positions() {
        // Paragraph 37: autonomy, co-ordination, integration, new; current and target.
        let s = |c: &str, t: &str| Entity {
            id: "s".into(),
            kind: "service".into(),
            attributes: vec![attribute("continuum_current", c), attribute("continuum_target", t)],
        };
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![s("autonomy", "integration"), s("integration", "autonomy"), s("merged", "new")],
        );
        assert!(f[0].is_empty());
        assert_eq!(f[1][0].code, "continuum-backwards");
        assert_eq!(f[2][0].code, "continuum-position");
    }

    #[test]
    fn reviews_go_to_the_body_that_commissions_the_service() {
        let s = Subject {
            id: "c".into(),
            kind: "contract".into(),
            title: "Youth service".into(),
            contract_kind: Some("block".into()),
            tier: Some("universal".into()),
            start: "2026-04-01".into(),
            end: Some("2028-03-31".into()),
            value_pence: 1,
            attributes: vec![attribute("area", "Easington")],
        };
        let r = Durham::review_schedule("2026-11-24".into(), vec![s]).unwrap();
        assert!(r.iter().all(|r| r.audience == "lcb-easington"));
        assert_eq!(r.last().unwrap().due, "2027-09-30");
    }
}
