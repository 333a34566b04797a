//! Southwark: the Young Southwark children's trust commissioning framework. Section numbers
//! below are the framework's own.
//!
//! Levels of need: levels 1 and 2 commissioned through the four locality quadrants, higher and
//! specialist needs borough-wide or cross-borough, individual commissioning by spot purchase
//! (section 3); eleven commissioning standards (5); the service redesign process (8); criteria
//! for commissioning from the voluntary and community sector (9.1); three-year contracts
//! preferred (10); quarterly quality assurance by the commissioning unit (3.1).

use commissioning_sdk::*;

struct Southwark;
commissioning_sdk::export!(Southwark);

const SOURCE: &str = "Young Southwark children's trust commissioning framework";

/// Section 3.2: the four quadrants.
const QUADRANTS: [&str; 4] = [
    "Bermondsey and Rotherhithe",
    "Borough and Bankside and Walworth",
    "Peckham and Nunhead and Peckham Rye",
    "Camberwell and Dulwich",
];

/// Section 8: the service redesign process.
const STAGES: [(&str, &str, &str); 6] = [
    ("preparation", "Preparation", "Identify boundaries and liaise with the children's services commissioning unit"),
    ("review", "Review", "Carry out a needs assessment, using the borough-wide analysis broken down by locality"),
    (
        "childs-journey",
        "Redesigning the child's journey",
        "Draft process maps and referral pathways, with user consultation",
    ),
    (
        "formal-consultation",
        "Formal consultation",
        "Consult managers, staff, other sectors and service users; revise the specification",
    ),
    (
        "decision-period",
        "Decision period",
        "The final specification is agreed by the project board or senior management team",
    ),
    (
        "procurement",
        "Procurement",
        "Re-commission, decommission, tender, or strategic partnering (large contracts only)",
    ),
];

/// Section 8, procurement.
const ROUTES: [&str; 4] = ["re-commission", "decommission", "tender", "strategic-partnering"];

/// "Strategic partnering (only for large contracts)": the framework sets no figure; a contract
/// of at least this value counts as large.
const LARGE_CONTRACT_PENCE: i64 = 100_000_000;

/// Section 5: the commissioning standards.
const STANDARDS: [(&str, &str); 11] = [
    ("user-focused", "User focused"),
    ("involve-service-users", "Involve service users"),
    ("celebrate-diversity", "Celebrate diversity"),
    ("inclusive", "Inclusive"),
    ("evidence-based", "Evidence based"),
    ("strategically-directed", "Strategically directed"),
    ("open-transparent", "Open and transparent"),
    ("value-for-money", "Value for money"),
    ("choice", "Choice"),
    ("outcome-focused", "Outcome focused"),
    ("safeguarding", "Safeguarding and promoting the welfare of children"),
];

fn standards_set() -> StandardsSet {
    StandardsSet {
        id: "commissioning-standards".into(),
        name: "Southwark commissioning standards".into(),
        standards: STANDARDS.iter().map(|(id, name)| standard(id, name, "")).collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "not-met".into(), label: "Not met".into(), min_score: 1, max_score: 2 },
            ScoreBand { id: "met".into(), label: "Met".into(), min_score: 3, max_score: 4 },
        ],
    }
}

fn quadrant(area: Option<&str>) -> Option<&'static str> {
    let area = area?;
    QUADRANTS.iter().copied().find(|q| q.eq_ignore_ascii_case(area) || slug(q) == area)
}

fn locality_team(q: &str) -> String {
    format!("locality-{}", slug(q))
}

/// Level of need from the item: its own field, else its tier (universal 1, targeted 2, specialist 3).
fn need_level(item: &Item) -> Option<u8> {
    match item.level_of_need.as_deref() {
        Some("1") => Some(1),
        Some("2") => Some(2),
        Some("3") => Some(3),
        _ => match item.tier.as_deref() {
            Some("universal") => Some(1),
            Some("targeted") => Some(2),
            Some("specialist") => Some(3),
            _ => None,
        },
    }
}

fn classify_item(item: &Item) -> Result<Classification, String> {
    let a = &item.attributes;
    let individual = flag(a, "individual") || attr(a, "contract_kind") == Some("spot");
    let (level, body, rationale, section) = if individual {
        (
            "individual",
            "lead-practitioners".to_string(),
            "Individual commissioning: spot purchase by lead practitioners, or by young people and families themselves"
                .to_string(),
            "section 3.3",
        )
    } else {
        match need_level(item) {
            Some(1 | 2) => match quadrant(item.area.as_deref()) {
                Some(q) => (
                    "locality",
                    locality_team(q),
                    format!("Levels 1 and 2 are commissioned through locality provision: the {q} quadrant"),
                    "sections 3 and 3.2",
                ),
                None => (
                    "borough-wide",
                    "commissioning-unit".to_string(),
                    "Level 1-2 provision with no quadrant given is commissioned borough-wide".to_string(),
                    "sections 3 and 3.1",
                ),
            },
            Some(_) => (
                "borough-wide",
                "young-southwark".to_string(),
                "Higher needs and specialist provision are commissioned borough-wide or cross-borough".to_string(),
                "section 3",
            ),
            None => return Err(format!("item {:?}: give a level of need (1, 2 or 3) or a tier", item.id)),
        }
    };
    Ok(Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body,
        rationale,
        source: Some(format!("{SOURCE}, {section}")),
    })
}

/// Section 9.1: criteria for commissioning from the voluntary and community sector.
fn vcs_criteria(a: &[Attribute]) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = "Section 9.1: criteria for commissioning";
    match number(a, "southwark_beneficiaries_percent") {
        Err(m) => out.push(error("beneficiaries-percent", m, Some("southwark_beneficiaries_percent"), s)),
        Ok(None) => out.push(error(
            "beneficiaries-percent",
            "State the share of beneficiaries who are Southwark young people",
            Some("southwark_beneficiaries_percent"),
            s,
        )),
        Ok(Some(p)) if p < 80.0 => out.push(error(
            "local-beneficiaries",
            format!("At least 80% of beneficiaries must be Southwark young people; this is {p}%"),
            Some("southwark_beneficiaries_percent"),
            s,
        )),
        _ => {}
    }
    let special = flag(a, "special_needs");
    let (min, max) = if special { (11.0, 25.0) } else { (0.0, 19.0) };
    match (number(a, "beneficiary_age_from"), number(a, "beneficiary_age_to")) {
        (Ok(Some(from)), Ok(Some(to))) if from < min || to > max => out.push(error(
            "beneficiary-ages",
            if special {
                "Beneficiaries with special needs are young people aged 11 to 25".to_string()
            } else {
                "Beneficiaries are young people aged from birth to 19 (11 to 25 with special needs)".to_string()
            },
            Some("beneficiary_age_to"),
            s,
        )),
        (Ok(Some(_)), Ok(Some(_))) => {}
        _ => out.push(error(
            "beneficiary-ages",
            "State the age range of the beneficiaries",
            Some("beneficiary_age_from"),
            s,
        )),
    }
    let required = [
        (
            "safe_organisation_checklist",
            "meet the Southwark Safeguarding Board 'Safe Organisation Checklist' and have up-to-date health and safety policies",
        ),
        (
            "enhanced_checks_all_staff",
            "show enhanced criminal records checks for all staff and volunteers in contact with children",
        ),
        ("management_information_system", "have an appropriate management information system"),
        ("young_people_involved", "involve young people in decisions about the delivery of its services"),
    ];
    for (key, what) in required {
        if !flag(a, key) {
            out.push(error(
                &key.replace('_', "-"),
                format!("A voluntary or community organisation must {what}"),
                Some(key),
                s,
            ));
        }
    }
    out
}

fn validate_entity(e: &Entity) -> Vec<Finding> {
    let a = &e.attributes;
    let mut out = Vec::new();
    match e.kind.as_str() {
        "provider" | "vcs-application"
            if e.kind == "vcs-application" || attr(a, "sector") == Some("voluntary_community") =>
        {
            out.extend(vcs_criteria(a));
        }
        "contract" => {
            let start = attr(a, "start").map(|v| date("start", v));
            let end = attr(a, "end").map(|v| date("end", v));
            if let (Some(Ok(s)), Some(Ok(e))) = (start, end)
                && e < add_months(s, 24)
                && attr(a, "kind") != Some("spot")
            {
                out.push(warning(
                    "three-year-contracts",
                    "Three-year contracts are preferred over one-year service level agreements, for stability and capacity",
                    Some("end"),
                    "Section 10",
                ));
            }
        }
        _ => {}
    }
    out
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "Section 8: service redesign process");
    let a = &m.attributes;
    match m.to_stage.as_str() {
        "formal-consultation" if !flag(a, "user_consultation") => out.push(error(
            "user-consultation",
            "Redesigning the child's journey involves user consultation",
            Some("user_consultation"),
            "Section 8: redesigning the child's journey",
        )),
        "procurement" => {
            if attr(a, "specification_agreed_by").is_none() {
                out.push(error(
                    "specification-agreed",
                    "The final specification is agreed by the appropriate project board or senior management team",
                    Some("specification_agreed_by"),
                    "Section 8: decision period",
                ));
            }
            match attr(a, "procurement_route") {
                None => out.push(error(
                    "procurement-route",
                    "Choose a route: re-commission, decommission, tender or strategic partnering",
                    Some("procurement_route"),
                    "Section 8: procurement",
                )),
                Some(r) if !ROUTES.contains(&r) => out.push(error(
                    "procurement-route",
                    format!("{r:?} is not a route: re-commission, decommission, tender or strategic partnering"),
                    Some("procurement_route"),
                    "Section 8: procurement",
                )),
                Some("strategic-partnering") => {
                    let value = number(a, "value_pence").ok().flatten().unwrap_or(0.0);
                    if value < LARGE_CONTRACT_PENCE as f64 {
                        out.push(error(
                            "strategic-partnering-large-only",
                            "Strategic partnering is only for large contracts",
                            Some("procurement_route"),
                            "Section 8: procurement",
                        ));
                    }
                }
                Some("decommission") if attr(a, "evidence").is_none() => out.push(warning(
                    "decommission-evidence",
                    "Decommission where services are not meeting the needs of the population: record the evidence",
                    Some("evidence"),
                    "Sections 5 (evidence based) and 8",
                )),
                _ => {}
            }
        }
        _ => {}
    }
    out
}

impl Guest for Southwark {
    fn describe() -> Description {
        let mut bodies = vec![
            body(
                "young-southwark",
                "Young Southwark",
                "The strategic commissioning body for children's services: sets the borough's commissioning priorities",
                None,
            ),
            body(
                "commissioning-unit",
                "Children's services commissioning unit",
                "Guardian of the commissioning standards; supports borough-wide commissioning; reviews and quality-assures services",
                Some("quarterly"),
            ),
            body(
                "project-board",
                "Project board or senior management team",
                "Agrees final service specifications",
                None,
            ),
            body(
                "lead-practitioners",
                "Lead practitioners, young people and families",
                "Individual commissioning by spot purchase, direct payments or the Youth Opportunity Fund",
                None,
            ),
        ];
        bodies.extend(QUADRANTS.iter().map(|q| {
            body(
                &locality_team(q),
                &format!("{q} locality team"),
                "Commissions level 2 preventative services with headteachers and GPs",
                None,
            )
        }));
        Description {
            id: "southwark".into(),
            name: "Young Southwark commissioning framework".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Young Southwark: children's trust commissioning framework".into(),
            stages: STAGES.iter().map(|(id, name, description)| stage(id, name, Some("SERVICE REDESIGN"), description)).collect(),
            levels: vec![
                level("borough-wide", "Borough wide", "Children's services, Young Southwark and other statutory partnerships; cross-borough where needed"),
                level("locality", "Locality based", "Integrated service teams in the four quadrants"),
                level("individual", "Individual", "Lead practitioners, young people and families commissioning their own services"),
            ],
            levels_of_need: vec![
                level("1", "Level 1", "Universal needs, met through locality provision"),
                level("2", "Level 2", "Additional needs: preventative services commissioned in the localities"),
                level("3", "Level 3 and above", "Higher and specialist needs, commissioned borough-wide or cross-borough"),
            ],
            age_bands: vec![
                AgeBand { id: "0-10".into(), name: "Aged 0-10".into(), min_age: 0, max_age: Some(10) },
                AgeBand { id: "11-19".into(), name: "Aged 11-19".into(), min_age: 11, max_age: Some(19) },
                AgeBand { id: "20-25".into(), name: "Aged 20-25 (special needs)".into(), min_age: 20, max_age: Some(25) },
            ],
            areas: areas(&QUADRANTS),
            bodies,
            standards_sets: vec![standards_set()],
            calendar: vec![
                CalendarEntry { name: "Quarterly quality assurance (Q1)".into(), start_month: 6, end_month: 6, stage_ids: vec![] },
                CalendarEntry { name: "Quarterly quality assurance (Q2)".into(), start_month: 9, end_month: 9, stage_ids: vec![] },
                CalendarEntry { name: "Quarterly quality assurance (Q3)".into(), start_month: 12, end_month: 12, stage_ids: vec![] },
                CalendarEntry { name: "Quarterly quality assurance (Q4)".into(), start_month: 3, end_month: 3, stage_ids: vec![] },
                CalendarEntry { name: "Needs assessment update".into(), start_month: 4, end_month: 6, stage_ids: vec!["review".into()] },
            ],
            notes: vec![
                "The figure of levels of need is missing from the source; three levels are modelled, as the text describes (levels 1-2 in localities, higher needs borough-wide).".into(),
                "Strategic partnering is for large contracts only; the framework sets no figure, so £1,000,000 or more counts as large.".into(),
                "Age bands follow the VCS criteria: 0-19, and 11-25 for young people with special needs.".into(),
                "The standards have no scoring scale in the source; 1-4 with 3 and above as met is the platform's.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().map(classify_item).collect()
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Section 3.1: services are reviewed and quality assured by the unit each quarter;
        // section 8: at the end, re-commission, decommission or tender.
        let today = date("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let (start, end) = subject_span(i, s)?;
            let horizon = end.unwrap_or_else(|| add_months(today, 12));
            let mut due = add_months(start, 3);
            while due < today {
                due = add_months(due, 3);
            }
            while due < horizon {
                out.push(review(
                    s,
                    "quarterly-qa",
                    "Quarterly quality assurance",
                    due,
                    "commissioning-unit",
                    "Section 3.1",
                ));
                due = add_months(due, 3);
            }
            if let Some(end) = end {
                let decide = sub_months(end, 6).max(start);
                out.push(review(
                    s,
                    "procurement-decision",
                    "Re-commission, decommission or tender",
                    decide,
                    "young-southwark",
                    "Section 8: procurement",
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
        score_against(&standards_set(), &evaluation, |id, band| {
            match (id, band) {
            ("evidence-based", "not-met") => vec!["Services are decommissioned if effectiveness and impact cannot be demonstrated (section 5)".into()],
            ("safeguarding", "not-met") => vec!["All commissioned services have adequate safeguarding procedures: check each against the Safe Organisation Checklist (sections 5, 9.1)".into()],
            ("involve-service-users", "not-met") => vec!["Include lead professionals and young people's representatives in specification groups and tender panels (section 6.2)".into()],
            _ => Vec::new(),
        }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &Self::describe().age_bands, &areas(&QUADRANTS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
        pairs.iter().map(|(k, v)| attribute(k, v)).collect()
    }

    fn item(level: Option<&str>, tier: Option<&str>, area: Option<&str>, a: &[(&str, &str)]) -> Item {
        Item {
            id: "x".into(),
            kind: "service".into(),
            tier: tier.map(str::to_string),
            level_of_need: level.map(str::to_string),
            area: area.map(str::to_string),
            attributes: attrs(a),
        }
    }

    #[test]
    fn levels_one_and_two_are_commissioned_in_the_four_quadrants() {
        // Sections 3 and 3.2.
        let c = Southwark::classify(vec![
            item(Some("2"), None, Some("Peckham and Nunhead and Peckham Rye"), &[]),
            item(Some("1"), None, Some("camberwell-and-dulwich"), &[]),
        ])
        .unwrap();
        assert_eq!(c[0].level, "locality");
        assert_eq!(c[0].body, "locality-peckham-and-nunhead-and-peckham-rye");
        assert_eq!(c[1].body, "locality-camberwell-and-dulwich");
        assert_eq!(Southwark::describe().areas.len(), 4);
    }

    #[test]
    fn higher_needs_are_borough_wide_and_individual_commissioning_is_spot_purchase() {
        // Section 3: higher level needs borough-wide or cross-borough; section 3.3: spot purchasing.
        let c = Southwark::classify(vec![
            item(Some("3"), None, Some("Bermondsey and Rotherhithe"), &[]),
            item(Some("2"), None, None, &[("contract_kind", "spot")]),
        ])
        .unwrap();
        assert_eq!((c[0].level.as_str(), c[0].body.as_str()), ("borough-wide", "young-southwark"));
        assert_eq!((c[1].level.as_str(), c[1].body.as_str()), ("individual", "lead-practitioners"));
        assert!(Southwark::classify(vec![item(None, None, None, &[])]).is_err());
    }

    #[test]
    fn eleven_standards() {
        // Section 5.
        let s = &Southwark::describe().standards_sets[0];
        assert_eq!(s.standards.len(), 11);
        assert_eq!(s.standards[10].name, "Safeguarding and promoting the welfare of children");
    }

    #[test]
    fn the_service_redesign_process_and_its_procurement_routes() {
        // Section 8: preparation, review, child's journey, consultation, decision, procurement.
        let d = Southwark::describe();
        assert_eq!(
            d.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            [
                "Preparation",
                "Review",
                "Redesigning the child's journey",
                "Formal consultation",
                "Decision period",
                "Procurement"
            ]
        );
        let mv = |a: &[(&str, &str)]| StageMove {
            project_id: "p".into(),
            from_stage: Some("decision-period".into()),
            to_stage: "procurement".into(),
            attributes: attrs(a),
        };
        let f = Southwark::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(&[("specification_agreed_by", "SMT"), ("procurement_route", "tender")]),
                mv(&[
                    ("specification_agreed_by", "SMT"),
                    ("procurement_route", "strategic-partnering"),
                    ("value_pence", "20000000"),
                ]),
                mv(&[
                    ("specification_agreed_by", "SMT"),
                    ("procurement_route", "strategic-partnering"),
                    ("value_pence", "500000000"),
                ]),
                mv(&[("procurement_route", "outsource")]),
            ],
        );
        assert!(f[0].is_empty());
        assert_eq!(f[1][0].code, "strategic-partnering-large-only");
        assert!(f[2].is_empty());
        let codes: Vec<&str> = f[3].iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, ["specification-agreed", "procurement-route"]);
    }

    #[test]
    fn vcs_providers_meet_the_commissioning_criteria() {
        // Section 9.1: 80% local beneficiaries aged 0-19 (11-25 with special needs), safe
        // organisation checklist, enhanced checks for all staff and volunteers, MIS, young people involved.
        let ok = [
            ("sector", "voluntary_community"),
            ("southwark_beneficiaries_percent", "85"),
            ("beneficiary_age_from", "0"),
            ("beneficiary_age_to", "19"),
            ("safe_organisation_checklist", "yes"),
            ("enhanced_checks_all_staff", "yes"),
            ("management_information_system", "yes"),
            ("young_people_involved", "yes"),
        ];
        let with = |changes: &[(&str, &str)]| {
            let mut a: Vec<(&str, &str)> =
                ok.iter().copied().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
            a.extend_from_slice(changes);
            Entity { id: "v".into(), kind: "provider".into(), attributes: attrs(&a) }
        };
        let f = Southwark::validate(
            "2026-11-24".into(),
            vec![
                with(&[]),
                with(&[("southwark_beneficiaries_percent", "79.5")]),
                with(&[("beneficiary_age_to", "25")]),
                with(&[("beneficiary_age_from", "11"), ("beneficiary_age_to", "25"), ("special_needs", "yes")]),
                with(&[("enhanced_checks_all_staff", "no")]),
            ],
        );
        assert!(f[0].is_empty(), "{:?}", f[0]);
        assert_eq!(f[1][0].code, "local-beneficiaries");
        assert_eq!(f[2][0].code, "beneficiary-ages");
        assert!(f[3].is_empty());
        assert_eq!(f[4][0].code, "enhanced-checks-all-staff");
    }

    #[test]
    fn three_year_contracts_are_preferred() {
        // Section 10.
        let c = |end: &str| Entity {
            id: "c".into(),
            kind: "contract".into(),
            attributes: attrs(&[("start", "2026-04-01"), ("end", end), ("kind", "sla")]),
        };
        let f = Southwark::validate("2026-11-24".into(), vec![c("2027-03-31"), c("2029-03-31")]);
        assert_eq!(f[0][0].code, "three-year-contracts");
        assert!(f[1].is_empty());
    }

    #[test]
    fn services_are_quality_assured_quarterly() {
        // Section 3.1: reviewed and quality assured by the unit on a quarterly basis.
        let s = Subject {
            id: "c".into(),
            kind: "contract".into(),
            title: "Youth inclusion".into(),
            contract_kind: Some("block".into()),
            tier: Some("targeted".into()),
            start: "2026-04-01".into(),
            end: Some("2027-09-30".into()),
            value_pence: 1,
            attributes: vec![],
        };
        let r = Southwark::review_schedule("2026-11-24".into(), vec![s]).unwrap();
        let qa: Vec<&str> = r.iter().filter(|r| r.kind == "quarterly-qa").map(|r| r.due.as_str()).collect();
        assert_eq!(qa, ["2027-01-01", "2027-04-01", "2027-07-01"]);
        assert_eq!(r.last().unwrap().due, "2027-03-30");
    }
}
