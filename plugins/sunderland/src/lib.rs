//! Sunderland Children's Trust: "Planning and Commissioning Framework" (2008). Section names
//! below are the handbook's own.
//!
//! Four activities over nine stages and the year: ASSESS (stages 1-3, April-June), PLAN (4-5,
//! July-September), DO (6-8, September-March), REVIEW (9: monitoring all year, formal review from
//! December, evaluation in January). Age bands 0-7, 8-12, 13+; individual, operational and
//! strategic levels; six areas; a commissioning strategy with set contents. The rules the plugin
//! applies are listed in `RULES` (and in the crate's README).

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

/// The position of stage 6, the first stage of DO.
const FIRST_DO_STAGE: usize = 5;

/// Activity One, resources: "Area profile - North, South, East, West, Washington & Coalfields".
const AREAS: [(&str, &str); 6] = [
    ("north", "North"),
    ("south", "South"),
    ("east", "East"),
    ("west", "West"),
    ("washington", "Washington"),
    ("coalfields", "Coalfields"),
];

/// "Levels of planning and commissioning": three levels, the process followed at each.
const LEVELS: [(&str, &str); 3] =
    [("individual", "Individual"), ("operational", "Operational"), ("strategic", "Strategic")];

/// Activity One, point 2: "the age model adopted by the Children's Trust [0-7, 8-12, 13+]".
const AGE_BANDS: [(&str, &str); 3] = [("0-7", "0-7"), ("8-12", "8-12"), ("13+", "13+")];

/// The governance bodies, as `describe().bodies` names them; classifications and reviews use
/// these ids.
const CTSP: &str = "ctsp";
const BOARD: &str = "joint-commissioning-board";
const ALIGNED: &str = "aligned-partnership";
const SERVICES: &str = "services";

/// Activity Two, point 6: what a draft commissioning strategy contains. Keys are the attribute
/// names a strategy entity (or a move out of PLAN) carries.
const STRATEGY_CONTENTS: [(&str, &str, &str); 5] = [
    ("outcomes", "Outcomes to achieve", "the outcomes you want to achieve"),
    ("needs_assessment", "Outline of the assessment of need", "an outline of your assessment of need"),
    ("priorities", "Priorities, linked to outcomes", "your priorities, linked to outcomes"),
    ("resources", "Resources available", "the resources available"),
    ("recommendations", "Recommendations and their impact", "your recommendations and their impact"),
];

/// The same point: a shared cross-cutting issue states who with, what, and how it progresses.
const CROSS_CUTTING: [(&str, &str, &str); 3] = [
    ("cross_cutting_with", "Cross-cutting issue: shared with", "who the shared issue is with"),
    ("cross_cutting_what", "Cross-cutting issue: what it is", "what the shared issue is"),
    ("cross_cutting_how", "Cross-cutting issue: how it is progressed", "how you have agreed to progress it"),
];

const STRATEGY_SOURCE: &str = "Activity Two, point 6: produce a draft Commissioning Strategy";
const LEVELS_SOURCE: &str = "Levels of planning and commissioning (case example: bullying)";
const FORMAL_REVIEW_SOURCE: &str = "Activity Four, stage 9, point 3: in December begin the formal review of services";
const EVALUATION_SOURCE: &str = "Timeline: Formal REVIEW, evaluation in January";

/// An open-ended service is scheduled for this many formal review seasons counted from its start
/// (inferred: the handbook reviews every year and sets no horizon).
const OPEN_ENDED_CYCLES: usize = 3;

/// The rules table: id, the rule, the handbook's section, inferred where the handbook is silent.
const RULES: [(&str, &str, &str, bool); 22] = [
    (
        "nine-stages",
        "Projects follow the nine stages in four activities: ASSESS (stages 1-3), PLAN (4-5), DO (6-8), REVIEW (9)",
        "Outcomes based planning and commissioning in Sunderland",
        false,
    ),
    (
        "stage-order",
        "A project starts at stage 1 and moves one stage forward at a time; it may go back to any earlier stage",
        "The Planning and Commissioning Framework",
        true,
    ),
    (
        "activity-seasons",
        "ASSESS is worked April-June, PLAN July-September, DO September-March; a move into an activity outside its months is noted, not refused, because the timescales are flexible",
        "Activities One to Three; Timeline; Activity Three: \"timescales suggested are flexible\"",
        false,
    ),
    (
        "strategy-contents",
        "A draft commissioning strategy sets out the outcomes, an outline of the assessment of need, the priorities, the resources available, and the recommendations and their impact; each missing one is an error",
        "Activity Two, point 6",
        false,
    ),
    (
        "cross-cutting",
        "A strategy naming a shared cross-cutting issue states who it is shared with, what it is and how it is progressed",
        "Activity Two, point 6",
        false,
    ),
    (
        "evidence-based",
        "All recommendations must be evidence based: a strategy that does not say yes is an error, and does not move into DO",
        "Activity Two, point 4: \"All recommendations must be evidence based\"",
        false,
    ),
    (
        "age-band-model",
        "Recommendations should be linked to the age band model: a strategy naming no age band is warned; a band that is not 0-7, 8-12 or 13+ is an error",
        "Activity Two, points 2 and 4",
        false,
    ),
    (
        "plan-to-do-gate",
        "A move from PLAN (or earlier) into DO needs the complete strategy, evidence-based recommendations and the strategy forwarded to the Children's Trust Strategic Partnership; a move back within or into DO is not gated",
        "Activity Two, points 4, 6 and 7; Activity Three, point 1",
        true,
    ),
    ("age-bands", "The age bands are 0-7, 8-12 and 13+", "Activity One, point 2; Activity Two, point 2", false),
    (
        "priority-age-band",
        "A priority is incorporated with an age band: none given is warned; an unknown band is an error naming the accepted ones",
        "Activity Two, point 2",
        false,
    ),
    (
        "areas",
        "The areas are North, South, East, West, Washington and Coalfields; an unknown area is an error naming the accepted ones",
        "Activity One, resources: area profiles",
        false,
    ),
    (
        "levels",
        "There are three levels, individual, operational and strategic; a level given to a priority, service or project is kept; an unknown level is an error naming the accepted ones",
        "Levels of planning and commissioning",
        false,
    ),
    (
        "level-when-not-given",
        "With no level given: support for one child is individual; a city-wide item, or one with no area, is strategic; an item in one area is operational; a level that contradicts these marks is an error",
        "Levels of planning and commissioning (case example: bullying)",
        true,
    ),
    (
        "level-bodies",
        "Individual work is for the schools and services that know the child, operational work for the aligned partnerships, strategic work for the Children's Trust Strategic Partnership",
        "Levels of planning and commissioning; Strategic level planning and commissioning in Sunderland",
        true,
    ),
    ("commissioning-year", "The commissioning year runs April to March", "Timeline", false),
    (
        "formal-review-december",
        "Each December in a contract's or service's life its formal review begins, dated 1 December",
        "Activity Four, stage 9, point 3: \"In December begin the formal review of services\"",
        false,
    ),
    (
        "evaluation-january",
        "The formal review is followed by the evaluation on 1 January, when that date is within the subject's life",
        "Timeline: Formal REVIEW, evaluation in January; Activity Four: formal evaluation December to March",
        false,
    ),
    (
        "review-dates",
        "Review dates are the first of the month, depend only on the subject's dates (never on today), and lie within its life; a subject whose life holds no 1 December is given one formal review on the first 1 December after its end, labelled as after its end",
        "Activity Four; Timeline",
        true,
    ),
    (
        "open-ended-services",
        "A service with no end date is scheduled for its first three formal review seasons counted from its start",
        "Activity Four",
        true,
    ),
    (
        "review-audience",
        "Reviews of specialist services go to the Children's Trust Strategic Partnership, of universal, targeted or untiered ones to the aligned partnership; an unknown tier is an error",
        "Strategic level planning and commissioning in Sunderland",
        true,
    ),
    (
        "self-assessment",
        "Commissioners self-assess their use of the process against the ten key principles, each scored 1-4: 1-2 performing not so well, 3-4 performing well",
        "Activity Four: commissioners self-assess; Principles of planning and commissioning",
        true,
    ),
    (
        "platform-values",
        "A service's or need's tier, a contract's kind and an age range are ones the platform knows",
        baseline::SOURCE,
        false,
    ),
];

/// The baseline's data checks this framework composes (see `baseline::data_checks`).
const BASELINE_RULES: [&str; 3] = ["five-outcomes", "safeguarding-evidence", "contract-data"];

fn rules() -> Vec<Rule> {
    let mut out: Vec<Rule> =
        RULES.iter().map(|(id, text, source, inferred)| rule(id, text, source, *inferred)).collect();
    out.extend(baseline::rules().into_iter().filter(|r| BASELINE_RULES.contains(&r.id.as_str())));
    out
}

fn age_bands() -> Vec<AgeBand> {
    vec![
        AgeBand { id: "0-7".into(), name: "0-7".into(), min_age: 0, max_age: Some(7) },
        AgeBand { id: "8-12".into(), name: "8-12".into(), min_age: 8, max_age: Some(12) },
        AgeBand { id: "13+".into(), name: "13+".into(), min_age: 13, max_age: None },
    ]
}

fn framework_areas() -> Vec<Area> {
    AREAS.iter().map(|(id, name)| area(id, name)).collect()
}

fn attribute_definitions() -> Vec<AttributeDefinition> {
    let mut out = baseline::fields();
    let hinted = |d: AttributeDefinition, hint: &str| AttributeDefinition { hint: Some(hint.into()), ..d };
    out.push(hinted(
        choice_field("priority", "age_band", "Age band", &AGE_BANDS, false, "Activity Two, point 2"),
        "The Trust's age model: incorporate priorities with the age bands",
    ));
    for kind in ["priority", "service", "project"] {
        out.push(hinted(
            choice_field(kind, "level", "Level of planning and commissioning", &LEVELS, false, LEVELS_SOURCE),
            "When not given, it is read from the marks below and the area",
        ));
        out.push(choice_field(kind, "area", "Area", &AREAS, false, "Activity One, resources: area profiles"));
        out.push(hinted(
            field(kind, "individual", "Support for one child", AttributeKind::YesNo, false, LEVELS_SOURCE),
            "Individual level: a school, club or service supports one child",
        ));
        out.push(hinted(
            field(kind, "city_wide", "City-wide", AttributeKind::YesNo, false, LEVELS_SOURCE),
            "Strategic level: a city-wide picture no single service or partnership holds",
        ));
    }
    let gate_hint = "Needed to move from stage 5 (PLAN) into stage 6 (DO)";
    for (kind, required) in [("commissioning-strategy", true), ("stage-move", false)] {
        let with_hint = |d: AttributeDefinition| if required { d } else { hinted(d, gate_hint) };
        for (key, label, _) in STRATEGY_CONTENTS {
            out.push(with_hint(field(kind, key, label, AttributeKind::Text, required, "Activity Two, point 6")));
        }
        for (key, label, _) in CROSS_CUTTING {
            out.push(hinted(
                field(kind, key, label, AttributeKind::Text, false, "Activity Two, point 6"),
                "All three, if a cross-cutting issue is shared with another partnership or commissioner",
            ));
        }
        out.push(hinted(
            field(
                kind,
                "age_bands",
                "Age bands the recommendations link to",
                AttributeKind::Text,
                false,
                "Activity Two, point 4",
            ),
            "Comma-separated: 0-7, 8-12, 13+",
        ));
        out.push(with_hint(field(
            kind,
            "evidence_based",
            "All recommendations are evidence based",
            AttributeKind::YesNo,
            required,
            "Activity Two, point 4",
        )));
    }
    out.push(hinted(
        field(
            "stage-move",
            "forwarded_to_ctsp",
            "Draft strategy forwarded to the Children's Trust Strategic Partnership",
            AttributeKind::YesNo,
            false,
            "Activity Two, point 7",
        ),
        gate_hint,
    ));
    out
}

fn group_of(stage: &str) -> Option<&'static str> {
    STAGES.iter().find(|s| s.0 == stage).map(|s| s.2)
}

fn stage_index(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.0 == stage)
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

/// Activity Two, points 4 and 6: the contents of a draft commissioning strategy.
fn strategy_findings(f: &mut Fields) {
    for (key, _, what) in STRATEGY_CONTENTS {
        if f.present(key) {
            f.text(key);
        } else {
            f.push(error(
                "strategy-contents",
                format!("The commissioning strategy must set out {what}"),
                Some(key),
                STRATEGY_SOURCE,
            ));
        }
    }
    if CROSS_CUTTING.iter().any(|(k, _, _)| f.present(k)) {
        for (key, _, what) in CROSS_CUTTING {
            if f.present(key) {
                f.text(key);
            } else {
                f.push(error(
                    "cross-cutting",
                    format!("A shared cross-cutting issue must state {what}"),
                    Some(key),
                    STRATEGY_SOURCE,
                ));
            }
        }
    }
    match f.raw("age_bands") {
        None => f.push(warning(
            "age-band-model",
            "Link recommendations to the age band model [0-7, 8-12, 13+]",
            Some("age_bands"),
            "Activity Two, points 2 and 4",
        )),
        Some(v) => {
            for band in v.split([',', ';']).map(str::trim).filter(|b| !b.is_empty()) {
                if pick(band, &AGE_BANDS).is_none() {
                    f.push(error(
                        "age-band",
                        format!("age_bands: {band:?} is not one of the Trust's age bands {}", listed(&AGE_BANDS)),
                        Some("age_bands"),
                        "Activity Two, point 2",
                    ));
                }
            }
        }
    }
    let present = f.present("evidence_based");
    match f.yes_no("evidence_based") {
        Some(true) => {}
        // A value that is neither yes nor no already has its finding.
        None if present => {}
        _ => f.push(error(
            "not-evidence-based",
            "All recommendations must be evidence based: say yes once they are",
            Some("evidence_based"),
            "Activity Two, point 4",
        )),
    }
}

/// The level an item's attributes give or imply, with why; `None` when the attributes are bad
/// or contradict each other (the findings say which).
fn read_level(f: &mut Fields, area: Option<&'static str>) -> Option<(&'static str, String)> {
    let level_given = f.present("level");
    let given = f.choice("level", &LEVELS);
    let individual = f.yes_no("individual") == Some(true);
    let city_wide = f.yes_no("city_wide") == Some(true);
    if level_given && given.is_none() {
        return None;
    }
    let conflict = |f: &mut Fields, message: String| {
        f.push(error("level-conflict", message, Some("level"), LEVELS_SOURCE));
        None
    };
    match given {
        Some(level) if individual && level != "individual" => {
            conflict(f, format!("level: {level:?} contradicts individual = yes (support for one child)"))
        }
        Some(level) if city_wide && level != "strategic" => {
            conflict(f, format!("level: {level:?} contradicts city_wide = yes (the strategic level)"))
        }
        Some(level) => Some((level, format!("Level given as {level}"))),
        None if individual && city_wide => conflict(f, "individual and city_wide are both yes: give the level".into()),
        None if individual => Some(("individual", "No level given; support for one child".into())),
        None if city_wide => Some(("strategic", "No level given; marked city-wide".into())),
        None => match area {
            None => Some(("strategic", "No level or area given, so city-wide".into())),
            Some(id) => {
                let name = AREAS.iter().find(|a| a.0 == id).map_or(id, |a| a.1);
                Some(("operational", format!("No level given; within the {name} area")))
            }
        },
    }
}

/// The body that works at a level, and the bullying case's words for it.
fn body_of(level: &str) -> (&'static str, &'static str) {
    match level {
        "individual" => (
            SERVICES,
            "support arranged for one child by the school or service that knows them (case example: bullying, individual level)",
        ),
        "operational" => (
            ALIGNED,
            "services and partnerships collate and act on needs in their area (case example: bullying, operational level)",
        ),
        _ => (
            CTSP,
            "a city-wide picture no single service or partnership holds: the Children's Trust drives it (case example: bullying, strategic level)",
        ),
    }
}

fn classify_item(i: usize, item: &Item) -> Result<Classification, String> {
    baseline::tier_of(i, item)?;
    let mut f = Fields::new(&item.attributes, LEVELS_SOURCE);
    let area = match item.area.as_deref().map(str::trim).filter(|a| !a.is_empty()).or_else(|| f.raw("area")) {
        None => None,
        Some(a) => {
            Some(pick(a, &AREAS).ok_or_else(|| format!("items[{i}].area: {a:?} is not one of {}", listed(&AREAS)))?)
        }
    };
    let level = read_level(&mut f, area);
    let findings = f.into_findings();
    let Some((level, why)) = level.filter(|_| findings.iter().all(|x| x.severity != Severity::Error)) else {
        let messages: Vec<String> = findings.into_iter().map(|x| x.message).collect();
        return Err(format!("items[{i}] ({}): {}", item.id, messages.join("; ")));
    };
    let (body, words) = body_of(level);
    Ok(Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale: format!("{why}: {words}"),
        source: Some(format!("{SOURCE}, Levels of planning and commissioning")),
    })
}

/// A framework's own findings on an entity, composed with the baseline's data checks.
fn own_findings(e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, SOURCE);
    match e.kind.as_str() {
        "commissioning-strategy" => strategy_findings(&mut f),
        "priority" | "service" | "project" => {
            if e.kind == "priority" && !f.present("age_band") {
                f.push(warning(
                    "priority-age-band",
                    "The Trust has adopted an age model [0-7, 8-12, 13+]: incorporate priorities with the age bands",
                    Some("age_band"),
                    "Activity Two, point 2",
                ));
            }
            if e.kind == "priority" {
                f.choice("age_band", &AGE_BANDS);
            }
            let area = f.choice("area", &AREAS);
            read_level(&mut f, area);
        }
        _ => {}
    }
    f.into_findings()
}

fn gate(today: NaiveDate, m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "The Planning and Commissioning Framework");
    let to = stage_index(&m.to_stage);
    let from = m.from_stage.as_deref().map(stage_index);
    // Leaving PLAN (or earlier) for DO needs the commissioning strategy, forwarded to the
    // Partnership; a move within DO, or back into it from REVIEW, does not leave PLAN.
    let enters_do = to.is_some_and(|t| t >= FIRST_DO_STAGE)
        && match from {
            None => true,
            Some(None) => false,
            Some(Some(f)) => f < FIRST_DO_STAGE,
        };
    if enters_do {
        let mut f = Fields::new(&m.attributes, STRATEGY_SOURCE);
        strategy_findings(&mut f);
        let present = f.present("forwarded_to_ctsp");
        match f.yes_no("forwarded_to_ctsp") {
            Some(true) => {}
            None if present => {}
            _ => f.push(error(
                "strategy-not-forwarded",
                "Forward the draft Commissioning Strategy to the Children's Trust Strategic Partnership",
                Some("forwarded_to_ctsp"),
                "Activity Two, point 7",
            )),
        }
        out.extend(f.into_findings());
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

/// Who a subject's reviews are for, by its tier.
fn audience(i: usize, s: &Subject) -> Result<&'static str, String> {
    match s.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(ALIGNED),
        Some(t) => match pick(t, &baseline::TIERS) {
            Some("specialist") => Ok(CTSP),
            Some(_) => Ok(ALIGNED),
            None => Err(format!("subjects[{i}].tier: {t:?} is not one of {}", listed(&baseline::TIERS))),
        },
    }
}

/// The formal reviews and evaluations of one subject: a pure function of its dates.
fn subject_reviews(s: &Subject, start: NaiveDate, end: Option<NaiveDate>, audience: &str) -> Vec<ReviewDue> {
    let mut out = Vec::new();
    let mut december = next_month_start(start, 12);
    let mut cycles = 0;
    loop {
        match end {
            Some(end) if december > end => break,
            None if cycles == OPEN_ENDED_CYCLES => break,
            _ => {}
        }
        out.push(review(s, "formal-review", "Formal review", december, audience, FORMAL_REVIEW_SOURCE));
        let january = add_months(december, 1);
        if end.is_none_or(|end| january <= end) {
            out.push(review(s, "evaluation", "Evaluation", january, audience, EVALUATION_SOURCE));
        }
        december = add_months(december, 12);
        cycles += 1;
    }
    if let (true, Some(end)) = (out.is_empty(), end) {
        // No 1 December falls in its life: `december` is the first one after its end.
        out.push(review(
            s,
            "formal-review-after-end",
            &format!("Formal review (after its end on {})", iso(end)),
            december,
            audience,
            FORMAL_REVIEW_SOURCE,
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
            areas: framework_areas(),
            bodies: vec![
                body(CTSP, "Children's Trust Strategic Partnership", "Discusses draft commissioning strategies; identifies cross-cutting issues and joint working; drives strategic priorities; receives the reviews of specialist services", None),
                body(BOARD, "Joint Commissioning Project Board", "Responsible for planning and commissioning developments", None),
                body(ALIGNED, "Aligned Partnerships", "Follow the planning and commissioning process for their themes; receive the reviews of universal and targeted services", None),
                body(SERVICES, "Schools and services", "Support individual children", None),
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
            attribute_definitions: attribute_definitions(),
            rules: rules(),
            notes: vec![
                "The handbook has no levels of need; commissioning levels are its individual, operational and strategic levels.".into(),
                "Commissioners self-assess their use of the process (stage 9); they do so here against the ten key principles, scored 1-4 (the scale is the platform's).".into(),
                "The handbook reviews services every year but sets no horizon for a service without an end date: such a service is scheduled for its first three formal review seasons from its start; give it an end date to schedule further years.".into(),
                "Timescales are flexible (Activity Three), so work outside an activity's months is noted, not refused.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(i, item)).collect()
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Today is checked for form only: the schedule is the subject's and the year's.
        date("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let (start, end) = subject_span(i, s)?;
            out.extend(subject_reviews(s, start, end, audience(i, s)?));
        }
        Ok(out)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        baseline::validate_with(&today, &entities, |_, e| own_findings(e))
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
        band_counts(by, &counts, &age_bands(), &framework_areas())
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
        // Activity One: "This period of activity takes place during April - June"; Activity
        // Three: "timescales suggested are flexible", so it is noted, not refused.
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

    fn contract(id: &str, tier: Option<&str>, start: &str, end: Option<&str>) -> Subject {
        Subject {
            id: id.into(),
            kind: if end.is_some() { "contract".into() } else { "service".into() },
            title: format!("Subject {id}"),
            contract_kind: end.map(|_| "block".to_string()),
            tier: tier.map(str::to_string),
            start: start.into(),
            end: end.map(str::to_string),
            value_pence: 100,
            attributes: vec![],
        }
    }

    fn dues(today: &str, subjects: Vec<Subject>) -> Vec<(String, String, String)> {
        Sunderland::review_schedule(today.into(), subjects)
            .unwrap()
            .into_iter()
            .map(|r| (r.subject_id, r.kind, r.due))
            .collect()
    }

    #[test]
    fn the_schedule_is_the_same_whatever_day_it_is_asked() {
        // Timeline and Activity Four: formal review from December, evaluation in January, every
        // year. The schedule belongs to the contract and the year, not to the day it is asked.
        let s = contract("c", Some("targeted"), "2026-04-01", Some("2027-03-31"));
        let want = vec![
            ("c".to_string(), "formal-review".to_string(), "2026-12-01".to_string()),
            ("c".to_string(), "evaluation".to_string(), "2027-01-01".to_string()),
        ];
        for today in ["2025-01-01", "2026-04-01", "2026-11-30", "2026-12-01", "2026-12-02", "2027-02-01", "2031-06-30"]
        {
            assert_eq!(dues(today, vec![s.clone()]), want, "asked on {today}");
        }
    }

    #[test]
    fn every_review_falls_in_december_or_january_within_the_subjects_life() {
        // Activity Four: "In December begin the formal review of services"; Timeline: evaluation
        // in January. A review is never dated before the subject starts or after it ends (unless
        // labelled as after its end).
        let subjects = vec![
            contract("a", Some("universal"), "2026-04-01", Some("2028-03-31")),
            contract("b", Some("targeted"), "2026-12-02", Some("2027-11-30")),
            contract("c", Some("specialist"), "2027-01-15", Some("2029-06-30")),
            contract("d", None, "2026-09-01", Some("2027-12-15")),
            contract("e", Some("targeted"), "2025-06-01", Some("2026-05-31")),
            contract("f", Some("universal"), "2027-02-01", Some("2027-11-30")),
        ];
        let first = dues("2026-11-24", subjects.clone());
        for today in ["2024-01-01", "2026-12-02", "2027-08-30", "2029-12-31"] {
            assert_eq!(dues(today, subjects.clone()), first, "asked on {today}");
        }
        for s in &subjects {
            let start = date("start", &s.start).unwrap();
            let end = date("end", s.end.as_deref().unwrap()).unwrap();
            let mine: Vec<&(String, String, String)> = first.iter().filter(|r| r.0 == s.id).collect();
            assert!(!mine.is_empty(), "{} has no review", s.id);
            for (_, kind, due) in mine {
                let due = date("due", due).unwrap();
                assert_eq!(due.day(), 1, "{} {kind} {due}", s.id);
                assert!(due.month() == 12 || due.month() == 1, "{} {kind} {due} is outside December-January", s.id);
                assert!(due >= start, "{} {kind} {due} is before its start", s.id);
                assert!(due <= end || kind.ends_with("after-end"), "{} {kind} {due} is after its end", s.id);
            }
        }
    }

    #[test]
    fn an_open_ended_service_gets_its_first_three_cycles_counted_from_its_start() {
        // Activity Four, every year: a service with no end date is reviewed in the formal review
        // seasons counted from its start, the same whatever today is.
        let s = contract("s", Some("universal"), "2024-09-01", None);
        let want: Vec<(String, String, String)> = [
            ("formal-review", "2024-12-01"),
            ("evaluation", "2025-01-01"),
            ("formal-review", "2025-12-01"),
            ("evaluation", "2026-01-01"),
            ("formal-review", "2026-12-01"),
            ("evaluation", "2027-01-01"),
        ]
        .iter()
        .map(|(k, d)| ("s".to_string(), k.to_string(), d.to_string()))
        .collect();
        for today in ["2024-09-01", "2026-11-24", "2030-01-01"] {
            assert_eq!(dues(today, vec![s.clone()]), want, "asked on {today}");
        }
    }

    #[test]
    fn a_subject_with_no_december_in_its_life_gets_a_formal_review_labelled_after_its_end() {
        // Activity Four: the formal review of services is in December; a contract that runs
        // April to November is reviewed in the December after it, and says so.
        let s = contract("x", Some("targeted"), "2026-04-01", Some("2026-11-30"));
        let r = Sunderland::review_schedule("2026-05-01".into(), vec![s]).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!((r[0].kind.as_str(), r[0].due.as_str()), ("formal-review-after-end", "2026-12-01"));
        assert!(r[0].title.contains("after its end"), "{}", r[0].title);
    }

    #[test]
    fn review_audiences_are_bodies_of_the_framework_and_an_unknown_tier_is_refused() {
        // Governance ("Strategic level planning and commissioning"): reviews go to a named body.
        let bodies: Vec<String> = Sunderland::describe().bodies.into_iter().map(|b| b.id).collect();
        let r = Sunderland::review_schedule(
            "2026-11-24".into(),
            vec![
                contract("a", Some("specialist"), "2026-04-01", Some("2027-03-31")),
                contract("b", Some("Targeted"), "2026-04-01", Some("2027-03-31")),
                contract("c", None, "2026-04-01", Some("2027-03-31")),
            ],
        )
        .unwrap();
        assert!(r.iter().all(|x| bodies.contains(&x.audience)), "{r:?}");
        assert_eq!(r[0].audience, "ctsp");
        assert_eq!(r[2].audience, "aligned-partnership");
        let e = Sunderland::review_schedule(
            "2026-11-24".into(),
            vec![contract("z", Some("tier 9"), "2026-04-01", Some("2027-03-31"))],
        )
        .unwrap_err();
        assert!(e.contains("universal, targeted, specialist"), "{e}");
    }

    fn plan_to_do(a: &[(&str, &str)]) -> StageMove {
        StageMove {
            project_id: "p".into(),
            from_stage: Some("plan-prevention".into()),
            to_stage: "commission-effectively".into(),
            attributes: attrs(a),
        }
    }

    const FULL_STRATEGY: [(&str, &str); 7] = [
        ("outcomes", "Fewer children bullied"),
        ("needs_assessment", "School surveys"),
        ("priorities", "Bullying, 8-12"),
        ("resources", "Anti-bullying grant"),
        ("recommendations", "Peer mentoring"),
        ("age_bands", "8-12, 13+"),
        ("forwarded_to_ctsp", "yes"),
    ];

    #[test]
    fn recommendations_that_are_not_evidence_based_do_not_move_into_do() {
        // Activity Two, point 4: "All recommendations must be evidence based".
        let with = |v: Option<&str>| {
            let mut a = FULL_STRATEGY.to_vec();
            if let Some(v) = v {
                a.push(("evidence_based", v));
            }
            plan_to_do(&a)
        };
        let f = Sunderland::stage_gate(
            "2026-10-01".into(),
            vec![with(Some("yes")), with(Some("no")), with(None), with(Some("mostly"))],
        );
        let errors = |i: usize| {
            f[i].iter()
                .filter(|x| x.severity == Severity::Error)
                .map(|x| x.field.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert!(f[0].is_empty(), "{:?}", f[0]);
        assert_eq!(errors(1), ["evidence_based"]);
        assert_eq!(errors(2), ["evidence_based"]);
        assert_eq!(errors(3), ["evidence_based"]);
        // The same rule holds for a draft strategy recorded on its own.
        let v = Sunderland::validate(
            "2026-10-01".into(),
            vec![Entity {
                id: "s".into(),
                kind: "commissioning-strategy".into(),
                attributes: attrs(&[
                    ("outcomes", "x"),
                    ("needs_assessment", "x"),
                    ("priorities", "x"),
                    ("resources", "x"),
                    ("recommendations", "x"),
                    ("age_bands", "0-7"),
                    ("evidence_based", "no"),
                ]),
            }],
        );
        assert!(
            v[0].iter().any(|x| x.severity == Severity::Error && x.field.as_deref() == Some("evidence_based")),
            "{:?}",
            v[0]
        );
    }

    #[test]
    fn moving_back_from_stage_7_to_6_does_not_ask_for_the_strategy_again() {
        // "The Planning and Commissioning Framework" is a cycle: going back to commission again
        // is not leaving PLAN, so Activity Two's strategy is not asked for at that step.
        let back = StageMove {
            project_id: "p".into(),
            from_stage: Some("pooled-resources".into()),
            to_stage: "commission-effectively".into(),
            attributes: vec![],
        };
        let f = Sunderland::stage_gate("2026-10-01".into(), vec![back]);
        assert!(f[0].iter().all(|x| x.severity != Severity::Error), "{:?}", f[0]);
    }

    fn priority(area: Option<&str>, a: &[(&str, &str)]) -> Item {
        Item {
            id: "pr".into(),
            kind: "priority".into(),
            tier: None,
            level_of_need: None,
            area: area.map(str::to_string),
            attributes: attrs(a),
        }
    }

    #[test]
    fn a_priority_keeps_the_level_it_is_given() {
        // "Levels of planning and commissioning": there are three levels and the process is
        // followed at each, so a priority set at the operational level stays there.
        let c = Sunderland::classify(vec![
            priority(None, &[("level", "operational")]),
            priority(Some("Washington"), &[("level", "Individual")]),
            priority(Some("north"), &[("level", "strategic")]),
        ])
        .unwrap();
        let got: Vec<(&str, &str)> = c.iter().map(|c| (c.level.as_str(), c.body.as_str())).collect();
        assert_eq!(got, [("operational", "aligned-partnership"), ("individual", "services"), ("strategic", "ctsp")]);
        let bodies: Vec<String> = Sunderland::describe().bodies.into_iter().map(|b| b.id).collect();
        assert!(c.iter().all(|x| bodies.contains(&x.body)));
    }

    #[test]
    fn an_unknown_area_or_level_is_refused_naming_the_accepted_values() {
        // Activity One resources: area profiles for "North, South, East, West, Washington &
        // Coalfields"; "Levels of planning and commissioning": individual, operational, strategic.
        let e = Sunderland::classify(vec![priority(Some("Narnia"), &[])]).unwrap_err();
        assert!(e.contains("Narnia") && e.contains("north, south, east, west, washington, coalfields"), "{e}");
        let e = Sunderland::classify(vec![priority(Some("North"), &[("level", "county")])]).unwrap_err();
        assert!(e.contains("county") && e.contains("individual, operational, strategic"), "{e}");
        let v = Sunderland::validate(
            "2026-10-01".into(),
            vec![Entity {
                id: "p".into(),
                kind: "priority".into(),
                attributes: attrs(&[
                    ("outcome", "stay_safe"),
                    ("age_band", "8-12"),
                    ("level", "county"),
                    ("area", "Narnia"),
                ]),
            }],
        );
        let mut fields: Vec<&str> =
            v[0].iter().filter(|x| x.severity == Severity::Error).filter_map(|x| x.field.as_deref()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["area", "level"], "{:?}", v[0]);
        assert!(v[0].iter().any(|x| x.message.contains("individual, operational, strategic")), "{:?}", v[0]);
        assert!(v[0].iter().any(|x| x.message.contains("north, south, east, west, washington, coalfields")));
    }

    #[test]
    fn marks_that_contradict_the_level_given_are_refused() {
        // "Levels of planning and commissioning": support for one child is the individual level, a
        // city-wide picture the strategic level; an item cannot be both, nor another level.
        let e = Sunderland::classify(vec![priority(Some("North"), &[("level", "operational"), ("individual", "yes")])])
            .unwrap_err();
        assert!(e.contains("contradicts"), "{e}");
        let e = Sunderland::classify(vec![priority(None, &[("individual", "yes"), ("city_wide", "yes")])]).unwrap_err();
        assert!(e.contains("give the level"), "{e}");
        let e = Sunderland::classify(vec![priority(None, &[("city_wide", "perhaps")])]).unwrap_err();
        assert!(e.contains("city_wide") && e.contains("neither yes nor no"), "{e}");
        // With no level and no marks, a priority with no area is city-wide and says why.
        let c = Sunderland::classify(vec![priority(None, &[])]).unwrap();
        assert_eq!((c[0].level.as_str(), c[0].body.as_str()), ("strategic", "ctsp"));
        assert!(c[0].rationale.starts_with("No level or area given"), "{}", c[0].rationale);
    }

    #[test]
    fn a_priority_names_one_of_the_age_bands_and_a_strategy_links_to_them() {
        // Activity Two, point 2: "incorporate priorities with the age bands"; point 4:
        // "Recommendations should be linked to the age band model [0-7, 8-12, 13+]".
        let entity =
            |kind: &str, a: &[(&str, &str)]| Entity { id: "e".into(), kind: kind.into(), attributes: attrs(a) };
        let v = Sunderland::validate(
            "2026-10-01".into(),
            vec![
                entity("priority", &[("outcome", "stay_safe"), ("age_band", "13 +")]),
                entity("priority", &[("outcome", "stay_safe")]),
                entity("priority", &[("outcome", "stay_safe"), ("age_band", "5-10")]),
                entity(
                    "commissioning-strategy",
                    &[
                        ("outcomes", "x"),
                        ("needs_assessment", "x"),
                        ("priorities", "x"),
                        ("resources", "x"),
                        ("recommendations", "x"),
                        ("evidence_based", "yes"),
                        ("age_bands", "0-7, 14-19"),
                    ],
                ),
            ],
        );
        assert!(v[0].is_empty(), "{:?}", v[0]);
        assert_eq!(
            v[1].iter().map(|x| (x.severity, x.code.as_str())).collect::<Vec<_>>(),
            [(Severity::Warning, "priority-age-band")]
        );
        assert!(
            v[2].iter().any(|x| x.severity == Severity::Error && x.message.contains("0-7, 8-12, 13+")),
            "{:?}",
            v[2]
        );
        assert_eq!(v[3].iter().map(|x| x.code.as_str()).collect::<Vec<_>>(), ["age-band"], "{:?}", v[3]);
    }

    #[test]
    fn validate_keeps_the_baseline_data_checks() {
        // Composed with the national baseline: outcomes, safeguarding evidence, contract data and
        // the platform's tiers are checked whatever the framework adds.
        let entity =
            |kind: &str, a: &[(&str, &str)]| Entity { id: "e".into(), kind: kind.into(), attributes: attrs(a) };
        let v = Sunderland::validate(
            "2026-10-01".into(),
            vec![
                entity("priority", &[("age_band", "0-7"), ("level", "strategic")]),
                entity("provider", &[("name", "Coalfields Family Centre")]),
                entity("contract", &[("start", "2026-04-01"), ("end", "2026-03-31")]),
                entity("service", &[("tier", "tier 5"), ("level", "operational")]),
            ],
        );
        let codes = |i: usize| v[i].iter().map(|x| x.code.as_str()).collect::<Vec<_>>();
        assert_eq!(codes(0), ["no-outcome"]);
        assert_eq!(codes(1), ["no-safeguarding-evidence"]);
        assert_eq!(codes(2), ["ends-before-start"]);
        assert_eq!(codes(3), ["bad-choice"]);
        assert_eq!(v[3][0].field.as_deref(), Some("tier"));
    }

    #[test]
    fn stages_are_taken_in_order_from_the_first() {
        // "The Planning and Commissioning Framework": the nine stages in order; going back is allowed.
        let mv = |from: Option<&str>, to: &str| StageMove {
            project_id: "p".into(),
            from_stage: from.map(str::to_string),
            to_stage: to.into(),
            attributes: vec![],
        };
        let f = Sunderland::stage_gate(
            "2026-05-01".into(),
            vec![
                mv(None, "needs-analysis"),
                mv(Some("look-at-outcomes"), "needs-analysis"),
                mv(Some("monitor-review"), "look-at-outcomes"),
                mv(Some("monitor-review"), "commission-effectively"),
            ],
        );
        assert_eq!(f[0][0].code, "start-at-first-stage");
        assert_eq!(f[1][0].code, "skips-a-stage");
        assert!(f[2].is_empty(), "{:?}", f[2]);
        // Back from REVIEW to commission again: not leaving PLAN, so no strategy is asked for.
        assert!(f[3].iter().all(|x| x.severity != Severity::Error), "{:?}", f[3]);
    }

    #[test]
    fn commissioners_self_assess_against_the_ten_principles() {
        // Activity Four: commissioners "self-assess their use of the planning and commissioning
        // process and identify areas of the process that perform well/not so well".
        let set = principles();
        assert_eq!(set.standards.len(), 10);
        let scores = |s: u8| SelfEvaluation {
            standards_set_id: set.id.clone(),
            scores: set
                .standards
                .iter()
                .map(|st| Score { standard_id: st.id.clone(), score: s, evidence: "e".into(), rater: None })
                .collect(),
        };
        let low = Sunderland::score_self_evaluation(scores(2)).unwrap();
        assert_eq!(low.band_id.as_deref(), Some("not-well"));
        assert!(!low.results[0].options.is_empty());
        assert_eq!(Sunderland::score_self_evaluation(scores(3)).unwrap().band_id.as_deref(), Some("well"));
    }

    #[test]
    fn the_fields_asked_for_are_the_ones_read() {
        // Activity Two, points 4, 6 and 7; Levels of planning and commissioning; area profiles.
        let defs = Sunderland::describe().attribute_definitions;
        let def = |kind: &str, key: &str| {
            defs.iter().find(|d| d.entity_kind == kind && d.key == key).unwrap_or_else(|| panic!("{kind}.{key}"))
        };
        let values = |d: &AttributeDefinition| d.choices.iter().map(|c| c.value.clone()).collect::<Vec<_>>();
        assert_eq!(values(def("priority", "age_band")), ["0-7", "8-12", "13+"]);
        assert_eq!(values(def("priority", "level")), ["individual", "operational", "strategic"]);
        assert_eq!(values(def("priority", "area")).len(), 6);
        for kind in ["commissioning-strategy", "stage-move"] {
            for key in STRATEGY_CONTENTS.iter().map(|c| c.0).chain(["evidence_based", "age_bands", "cross_cutting_how"])
            {
                def(kind, key);
            }
        }
        assert!(def("commissioning-strategy", "evidence_based").required);
        assert_eq!(def("stage-move", "forwarded_to_ctsp").kind, AttributeKind::YesNo);
        assert!(def("provider", "safeguarding_evidence").required);
    }

    #[test]
    fn the_rules_table_is_in_describe_and_in_the_readme_with_its_tests() {
        // Every rule the framework applies is listed with its source, inferred or stated, and
        // each is pinned by a test named in the crate's README.
        let readme = include_str!("../README.md");
        let code = include_str!("lib.rs");
        let rules = Sunderland::describe().rules;
        assert!(rules.len() >= RULES.len());
        for r in &rules {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", r.id)))
                .unwrap_or_else(|| panic!("README has no row for {}", r.id));
            assert!(row.contains(if r.inferred { "| yes |" } else { "| no |" }), "{row}");
            let test = row.rsplit('`').nth(1).unwrap();
            assert!(code.contains(&format!("fn {test}()")), "{} names no test: {test}", r.id);
        }
        assert!(rules.iter().any(|r| r.id == "evidence-based" && !r.inferred));
        assert!(rules.iter().any(|r| r.id == "open-ended-services" && r.inferred));
    }

    #[test]
    fn the_readme_rules_table_matches_describe_and_names_real_tests() {
        // Each rule is traced to the document in the README, stated or inferred, with its test.
        let problems =
            rules_table_problems(&Sunderland::describe().rules, include_str!("../README.md"), include_str!("lib.rs"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
