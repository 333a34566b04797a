//! Sunderland Children's Trust: "Planning and Commissioning Framework" (2008). Section names
//! below are the handbook's own.
//!
//! Four activities over nine stages and the year: ASSESS (stages 1-3, April-June), PLAN (4-5,
//! July-September), DO (6-8, September-March), REVIEW (9: monitoring all year, formal review from
//! December, evaluation in January). Age bands 0-7, 8-12, 13+; individual, operational and
//! strategic levels; six areas; a commissioning strategy with set contents.

use commissioning_sdk::*;

struct Sunderland;
commissioning_sdk::export!(Sunderland);

const SOURCE: &str = "Sunderland Children's Trust planning and commissioning framework (2008)";

/// "The Planning and Commissioning Framework": the nine stages and their activities.
const STAGES: [(&str, &str, &str); 9] = [
    ("look-at-outcomes", "Stage 1: Look at outcomes", "ASSESS"),
    ("particular-groups", "Stage 2: Focus on particular groups", "ASSESS"),
    ("needs-analysis", "Stage 3: Needs analysis", "ASSESS"),
    ("resources-priorities", "Stage 4: Identify resources, set priorities", "PLAN"),
    ("plan-prevention", "Stage 5: Plan services, focus on prevention", "PLAN"),
    ("commission-effectively", "Stage 6: Commission effectively", "DO"),
    ("pooled-resources", "Stage 7: Pooled resources", "DO"),
    ("workforce-market", "Stage 8: Workforce and market development", "DO"),
    ("monitor-review", "Stage 9: Monitor and review", "REVIEW"),
];

/// "Area profile - North, South, East, West, Washington & Coalfields".
const AREAS: [&str; 6] = ["North", "South", "East", "West", "Washington", "Coalfields"];

/// Activity Two, point 6: what a draft commissioning strategy contains. Keys are the attribute
/// names a strategy entity (or a move out of PLAN) carries.
const STRATEGY_CONTENTS: [(&str, &str); 5] = [
    ("outcomes", "the outcomes you want to achieve"),
    ("needs_assessment", "an outline of your assessment of need"),
    ("priorities", "your priorities, linked to outcomes"),
    ("resources", "the resources available"),
    ("recommendations", "your recommendations and their impact"),
];

/// The same point: a shared cross-cutting issue states who with, what, and how it progresses.
const CROSS_CUTTING: [(&str, &str); 3] = [
    ("cross_cutting_with", "who the shared issue is with"),
    ("cross_cutting_what", "what the shared issue is"),
    ("cross_cutting_how", "how you have agreed to progress it"),
];

fn age_bands() -> Vec<AgeBand> {
    vec![
        AgeBand { id: "0-7".into(), name: "0-7".into(), min_age: 0, max_age: Some(7) },
        AgeBand { id: "8-12".into(), name: "8-12".into(), min_age: 8, max_age: Some(12) },
        AgeBand { id: "13+".into(), name: "13+".into(), min_age: 13, max_age: None },
    ]
}

fn group_of(stage: &str) -> Option<&'static str> {
    STAGES.iter().find(|s| s.0 == stage).map(|s| s.2)
}

/// "Timeline": the months in which an activity's stages are worked.
fn in_season(group: &str, month: u32) -> bool {
    match group {
        "ASSESS" => (4..=6).contains(&month),
        "PLAN" => (7..=9).contains(&month),
        "DO" => month >= 9 || month <= 3,
        _ => true,
    }
}

fn strategy_findings(a: &[Attribute], source: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, what) in STRATEGY_CONTENTS {
        if attr(a, key).is_none() {
            out.push(error(
                "strategy-contents",
                format!("The commissioning strategy must set out {what}"),
                Some(key),
                source,
            ));
        }
    }
    let any_cross = CROSS_CUTTING.iter().any(|(k, _)| attr(a, k).is_some());
    if any_cross {
        for (key, what) in CROSS_CUTTING {
            if attr(a, key).is_none() {
                out.push(error(
                    "cross-cutting",
                    format!("A shared cross-cutting issue must state {what}"),
                    Some(key),
                    source,
                ));
            }
        }
    }
    match attr(a, "age_bands") {
        None => out.push(warning(
            "age-band-model",
            "Link recommendations to the age band model [0-7, 8-12, 13+]",
            Some("age_bands"),
            "Activity Two, points 2 and 4",
        )),
        Some(v) => {
            for band in v.split(',').map(str::trim).filter(|b| !b.is_empty()) {
                if !["0-7", "8-12", "13+"].contains(&band) {
                    out.push(error(
                        "age-band",
                        format!("{band:?} is not one of the Trust's age bands 0-7, 8-12, 13+"),
                        Some("age_bands"),
                        "Activity Two, point 2",
                    ));
                }
            }
        }
    }
    if !flag(a, "evidence_based") {
        out.push(warning(
            "evidence-based",
            "All recommendations must be evidence based",
            Some("evidence_based"),
            "Activity Two, point 4",
        ));
    }
    out
}

fn classify_item(item: &Item) -> Classification {
    let a = &item.attributes;
    let (level, body, rationale) = if flag(a, "individual") {
        (
            "individual",
            "services",
            "Support arranged for one child by the school or service that knows them (case example: bullying, individual level)",
        )
    } else if item.kind == "priority" || flag(a, "city_wide") || item.area.is_none() {
        (
            "strategic",
            "ctsp",
            "A city-wide picture no single service or partnership holds: the Children's Trust drives it (case example: bullying, strategic level)",
        )
    } else {
        (
            "operational",
            "aligned-partnership",
            "Services and partnerships collate and act on needs in their area (case example: bullying, operational level)",
        )
    };
    Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale: rationale.into(),
        source: Some(format!("{SOURCE}, Levels of planning and commissioning")),
    }
}

fn gate(today: NaiveDate, m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "The Planning and Commissioning Framework");
    // Leaving PLAN for DO needs the commissioning strategy, forwarded to the Partnership.
    if m.to_stage == "commission-effectively" {
        out.extend(strategy_findings(&m.attributes, "Activity Two, point 6: produce a draft Commissioning Strategy"));
        if !flag(&m.attributes, "forwarded_to_ctsp") {
            out.push(error(
                "strategy-not-forwarded",
                "Forward the draft Commissioning Strategy to the Children's Trust Strategic Partnership",
                Some("forwarded_to_ctsp"),
                "Activity Two, point 7",
            ));
        }
    }
    if let Some(group) = group_of(&m.to_stage)
        && !in_season(group, today.month())
    {
        out.push(info(
            "out-of-season",
            format!(
                "{group} activity normally takes place {}",
                match group {
                    "ASSESS" => "in April to June",
                    "PLAN" => "in July to September",
                    _ => "from September to March",
                }
            ),
            Some("to_stage"),
            "Timeline",
        ));
    }
    out
}

fn principles() -> StandardsSet {
    let names = [
        ("needs-first", "Put the needs of children, young people and families first; engage and consult them"),
        ("leadership", "Provide leadership for commissioning at the highest level"),
        ("prevention", "Provide preventative services as early as possible"),
        ("partnership", "Work in partnership to maximise effectiveness and reduce barriers"),
        ("right-skills", "Ensure people have the right skills throughout the cycle"),
        ("long-term-view", "Develop a long term view of needs"),
        ("timely-information", "Provide timely information to providers and work constructively with them"),
        ("evaluate-impact", "Continuously evaluate services and their impact on outcomes"),
        ("spend-wisely", "Spend money wisely, including remodelling and decommissioning"),
        ("open-transparent", "Use open and transparent processes"),
    ];
    StandardsSet {
        id: "key-principles".into(),
        name: "The ten key principles (commissioners' self-assessment)".into(),
        standards: names.iter().map(|(id, n)| standard(id, n, "")).collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "not-well".into(), label: "Performing not so well".into(), min_score: 1, max_score: 2 },
            ScoreBand { id: "well".into(), label: "Performing well".into(), min_score: 3, max_score: 4 },
        ],
    }
}

impl Guest for Sunderland {
    fn describe() -> Description {
        let ids = |range: std::ops::Range<usize>| STAGES[range].iter().map(|s| s.0.to_string()).collect::<Vec<_>>();
        Description {
            id: "sunderland".into(),
            name: "Sunderland planning and commissioning framework".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Sunderland Children's Trust: Planning and Commissioning Framework (2008)".into(),
            stages: STAGES.iter().map(|(id, name, group)| stage(id, name, Some(group), "")).collect(),
            levels: vec![
                level("individual", "Individual", "A school, club or service supports one child with the resources it knows"),
                level("operational", "Operational", "Services collate information from their needs assessments and pass it on"),
                level("strategic", "Strategic", "The Children's Trust's needs assessment and city-wide priorities"),
            ],
            levels_of_need: Vec::new(),
            age_bands: age_bands(),
            areas: areas(&AREAS),
            bodies: vec![
                body("ctsp", "Children's Trust Strategic Partnership", "Discusses draft commissioning strategies; identifies cross-cutting issues and joint working", None),
                body("joint-commissioning-board", "Joint Commissioning Project Board", "Responsible for planning and commissioning developments", None),
                body("aligned-partnership", "Aligned Partnerships", "Follow the planning and commissioning process for their themes", None),
                body("services", "Schools and services", "Support individual children", None),
            ],
            standards_sets: vec![principles()],
            calendar: vec![
                CalendarEntry { name: "ASSESS: assessment of need".into(), start_month: 4, end_month: 6, stage_ids: ids(0..3) },
                CalendarEntry { name: "PLAN: commissioning strategy".into(), start_month: 7, end_month: 9, stage_ids: ids(3..5) },
                CalendarEntry { name: "DO: contracts and formal agreements".into(), start_month: 9, end_month: 3, stage_ids: ids(5..8) },
                CalendarEntry { name: "REVIEW: continuous monitoring".into(), start_month: 4, end_month: 3, stage_ids: ids(8..9) },
                CalendarEntry { name: "REVIEW: formal review of services".into(), start_month: 12, end_month: 3, stage_ids: ids(8..9) },
                CalendarEntry { name: "REVIEW: evaluation".into(), start_month: 1, end_month: 1, stage_ids: ids(8..9) },
            ],
            notes: vec![
                "The handbook has no levels of need; commissioning levels are its individual, operational and strategic levels.".into(),
                "Commissioners self-assess their use of the process (stage 9); they do so here against the ten key principles, scored 1-4 (the scale is the platform's).".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        Ok(items.iter().map(classify_item).collect())
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Stage 9: "In December begin the formal review of services"; evaluation in January.
        // A contract's last formal review is the December before it ends, when contracts and
        // formal agreements for the next year are made (Timeline: December).
        let today = date("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let (start, end) = subject_span(i, s)?;
            let audience = if s.tier.as_deref() == Some("specialist") { "ctsp" } else { "aligned-partnership" };
            let mut december = next_month_start(start.max(today), 12);
            let horizon = end.unwrap_or_else(|| add_months(today, 12));
            while december < horizon {
                out.push(review(s, "formal-review", "Formal review", december, audience, "Stage 9, point 3"));
                let january = next_month_start(december, 1);
                if january < horizon {
                    out.push(review(s, "evaluation", "Evaluation", january, audience, "Timeline: January"));
                }
                december = next_month_start(add_months(december, 1), 12);
            }
            if let Some(end) = end
                && !out.iter().any(|r| r.subject_id == s.id)
            {
                out.push(review(
                    s,
                    "formal-review",
                    "Formal review",
                    sub_months(end, 3).max(start),
                    audience,
                    "Stage 9, point 3",
                ));
            }
        }
        Ok(out)
    }

    fn validate(_today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        entities
            .iter()
            .map(|e| match e.kind.as_str() {
                "commissioning-strategy" => strategy_findings(&e.attributes, "Activity Two, point 6: produce a draft Commissioning Strategy"),
                "priority" => match attr(&e.attributes, "age_band") {
                    Some("0-7" | "8-12" | "13+") => Vec::new(),
                    _ => vec![warning(
                        "priority-age-band",
                        "The Trust has adopted an age model [0-7, 8-12, 13+]: incorporate priorities with the age bands",
                        Some("age_band"),
                        "Activity Two, point 2",
                    )],
                },
                _ => Vec::new(),
            })
            .collect()
    }

    fn stage_gate(today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        match date("today", &today) {
            Ok(t) => moves.iter().map(|m| gate(t, m)).collect(),
            Err(msg) => moves.iter().map(|_| vec![error("bad-today", msg.clone(), None, "")]).collect(),
        }
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        score_against(&principles(), &evaluation, |_, band| {
            if band == "not-well" {
                vec!["Identify the parts of the process that perform not so well and act on them (stage 9: monitoring and reviewing the process)".into()]
            } else {
                Vec::new()
            }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        band_counts(by, &counts, &age_bands(), &areas(&AREAS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
        pairs.iter().map(|(k, v)| attribute(k, v)).collect()
    }

    #[test]
    fn four_activities_over_nine_stages() {
        // "The Planning and Commissioning Framework": Assess 1-3, Plan 4-5, Do 6-8, Review 9.
        let d = Sunderland::describe();
        let groups: Vec<&str> = d.stages.iter().map(|s| s.group.as_deref().unwrap()).collect();
        assert_eq!(groups, ["ASSESS", "ASSESS", "ASSESS", "PLAN", "PLAN", "DO", "DO", "DO", "REVIEW"]);
    }

    #[test]
    fn the_year_runs_assess_plan_do_with_formal_review_from_december_and_evaluation_in_january() {
        // "Timeline" and the activity pages: April-June, July-September, September-March.
        let cal = Sunderland::describe().calendar;
        let months =
            |name: &str| cal.iter().find(|c| c.name.starts_with(name)).map(|c| (c.start_month, c.end_month)).unwrap();
        assert_eq!(months("ASSESS"), (4, 6));
        assert_eq!(months("PLAN"), (7, 9));
        assert_eq!(months("DO"), (9, 3));
        assert_eq!(months("REVIEW: formal"), (12, 3));
        assert_eq!(months("REVIEW: evaluation"), (1, 1));
    }

    #[test]
    fn age_bands_are_0_7_8_12_and_13_plus() {
        // Activity One: "Analyse data using the age model adopted by the Children's Trust [0-7, 8-12, 13+]".
        let counts: Vec<Count> = (0..=19u8).map(|a| Count { age: Some(a), area: None, value: 1.0 }).collect();
        let b = Sunderland::band(Dimension::Age, counts).unwrap();
        assert_eq!(
            b.iter().map(|x| (x.band_id.as_str(), x.value)).collect::<Vec<_>>(),
            [("0-7", 8.0), ("8-12", 5.0), ("13+", 7.0)]
        );
    }

    #[test]
    fn six_areas() {
        // Activity One tools: "Area profile - North, South, East, West, Washington & Coalfields".
        let counts = vec![
            Count { age: None, area: Some("Washington".into()), value: 3.0 },
            Count { age: None, area: Some("coalfields".into()), value: 2.0 },
        ];
        let b = Sunderland::band(Dimension::Area, counts).unwrap();
        assert_eq!(b.len(), 6);
        assert_eq!(b.iter().map(|x| x.value).sum::<f64>(), 5.0);
        assert!(
            Sunderland::band(Dimension::Area, vec![Count { age: None, area: Some("Hendon".into()), value: 1.0 }])
                .is_err()
        );
    }

    #[test]
    fn individual_operational_and_strategic_levels_follow_the_bullying_case() {
        // "Levels of planning and commissioning": the bullying case example.
        let item = |a: &[(&str, &str)], area: Option<&str>| Item {
            id: "x".into(),
            kind: "service".into(),
            tier: None,
            level_of_need: None,
            area: area.map(str::to_string),
            attributes: attrs(a),
        };
        let c = Sunderland::classify(vec![
            item(&[("individual", "yes")], Some("North")),
            item(&[], Some("West")),
            item(&[("city_wide", "yes")], Some("East")),
        ])
        .unwrap();
        assert_eq!(c.iter().map(|c| c.level.as_str()).collect::<Vec<_>>(), ["individual", "operational", "strategic"]);
        assert_eq!(c[2].body, "ctsp");
    }

    #[test]
    fn moving_to_do_needs_a_complete_commissioning_strategy_forwarded_to_the_partnership() {
        // Activity Two, points 6 and 7.
        let mv = |a: &[(&str, &str)]| StageMove {
            project_id: "p".into(),
            from_stage: Some("plan-prevention".into()),
            to_stage: "commission-effectively".into(),
            attributes: attrs(a),
        };
        let f = Sunderland::stage_gate(
            "2026-10-01".into(),
            vec![
                mv(&[("outcomes", "Fewer children bullied"), ("priorities", "Bullying, 8-12")]),
                mv(&[
                    ("outcomes", "x"),
                    ("needs_assessment", "x"),
                    ("priorities", "x"),
                    ("resources", "x"),
                    ("recommendations", "x"),
                    ("age_bands", "8-12"),
                    ("evidence_based", "yes"),
                    ("forwarded_to_ctsp", "yes"),
                ]),
                mv(&[
                    ("outcomes", "x"),
                    ("needs_assessment", "x"),
                    ("priorities", "x"),
                    ("resources", "x"),
                    ("recommendations", "x"),
                    ("age_bands", "8-12"),
                    ("evidence_based", "yes"),
                    ("forwarded_to_ctsp", "yes"),
                    ("cross_cutting_with", "Safer Sunderland"),
                ]),
            ],
        );
        let missing: Vec<&str> =
            f[0].iter().filter(|x| x.code == "strategy-contents").filter_map(|x| x.field.as_deref()).collect();
        assert_eq!(missing, ["needs_assessment", "resources", "recommendations"]);
        assert!(f[0].iter().any(|x| x.code == "strategy-not-forwarded"));
        assert!(f[1].is_empty(), "{:?}", f[1]);
        assert_eq!(f[2].iter().filter(|x| x.code == "cross-cutting").count(), 2);
    }

    #[test]
    fn formal_reviews_fall_in_december_with_evaluation_in_january() {
        // Stage 9, point 3: "In December begin the formal review of services"; Timeline: January evaluation.
        let s = Subject {
            id: "c".into(),
            kind: "contract".into(),
            title: "Anti-bullying".into(),
            contract_kind: Some("grant".into()),
            tier: Some("targeted".into()),
            start: "2026-04-01".into(),
            end: Some("2028-03-31".into()),
            value_pence: 1,
            attributes: vec![],
        };
        let r = Sunderland::review_schedule("2026-11-24".into(), vec![s]).unwrap();
        let got: Vec<(&str, &str)> = r.iter().map(|r| (r.kind.as_str(), r.due.as_str())).collect();
        assert_eq!(
            got,
            [
                ("formal-review", "2026-12-01"),
                ("evaluation", "2027-01-01"),
                ("formal-review", "2027-12-01"),
                ("evaluation", "2028-01-01")
            ]
        );
    }

    #[test]
    fn assess_work_outside_april_to_june_is_flagged() {
        let mv = StageMove {
            project_id: "p".into(),
            from_stage: None,
            to_stage: "look-at-outcomes".into(),
            attributes: vec![],
        };
        let f = Sunderland::stage_gate("2026-11-24".into(), vec![mv.clone()]);
        assert_eq!(f[0][0].code, "out-of-season");
        assert!(Sunderland::stage_gate("2026-05-01".into(), vec![mv])[0].is_empty());
    }
}
