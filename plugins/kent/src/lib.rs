//! Kent Children's Trust: the commissioning and delivery review (report to the Policy Overview
//! Committee, 6 November 2009) with "KCT Commissioning and Delivery Review: Main Messages and
//! Options (at 6/10/09)" and the review's Overview. Paragraph and row letters below are the
//! report's own.
//!
//! Self-evaluation against the national Commissioning Support Programme (CSP) standards, rated by
//! many groups and an online survey and scored 4 going well, 3 steady progress, 1-2 needs
//! improvement, with options for improvement against the weak standards; commissioning at county
//! and local (LCSP) levels; projects through the commissioning cycle the CSP standards rate. The
//! review's listening, options and implementation phases are the self-evaluation's own programme.
//! The rules table is `rules()` (and README.md).

use commissioning_sdk::*;

struct Kent;
commissioning_sdk::export!(Kent);

const SOURCE: &str = "Kent Children's Trust commissioning and delivery review (2009)";

/// The CSP standards the main messages name, by number, with the report's row letter and the
/// report's name for each.
const STANDARDS: [(u8, &str, &str); 12] = [
    (1, "a", "Clarity and agreement on outcomes to improve"),
    (2, "g", "Robust up-to-date joint commissioning arrangements which allow the KCT to improve outcomes"),
    (3, "d", "Governance arrangements to improve outcomes through commissioning"),
    (4, "h", "Partners understand commissioning and have effective joint commissioning arrangements"),
    (5, "b", "Understanding the needs of CYPP and families"),
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

/// The number of the standard with this id.
fn number_of(id: &str) -> Option<u8> {
    STANDARDS.iter().map(|s| s.0).find(|n| csp(*n) == id)
}

fn standards_set() -> StandardsSet {
    StandardsSet {
        id: "csp-standards".into(),
        name: "Commissioning Support Programme standards".into(),
        standards: STANDARDS
            .iter()
            .map(|(n, row, name)| {
                let mut description = format!("Main Messages and Options, row {row}");
                if *n == 5 {
                    description.push_str("; the report writes CYPP here for children and young people");
                }
                standard(&csp(*n), &format!("CSP standard {n}: {name}"), &description)
            })
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

/// Where the commissioning cycle comes from.
const CYCLE: &str = "Main Messages and Options, row g (\"the commissioning cycle\"); paragraph 2.1 (the national CSP); DCSF Joint Planning and Commissioning Framework (2006)";

/// The CSP standards that rate each step of the commissioning cycle (standards 3, 10 and 12 rate
/// the whole cycle: governance, leadership and partnership culture).
const STEP_STANDARDS: [(&str, &[u8]); 9] = [
    ("look-at-outcomes", &[1]),
    ("particular-groups", &[5]),
    ("needs-assessment", &[5]),
    ("resources-priorities", &[6]),
    ("plan-services", &[2, 9]),
    ("decide-how", &[2, 4]),
    ("commission", &[8]),
    ("workforce-market", &[6, 11]),
    ("monitor-review", &[7]),
];

fn stages() -> Vec<Stage> {
    baseline::STAGES
        .iter()
        .map(|(id, name, group)| {
            let rated: &[u8] = STEP_STANDARDS.iter().find(|(s, _)| s == id).map_or(&[], |(_, ns)| ns);
            let by = rated.iter().map(|n| format!("CSP standard {n}")).collect::<Vec<_>>().join(" and ");
            stage(
                id,
                name,
                Some(group),
                &format!("A step of the commissioning cycle; rated in the self-evaluation by {by}"),
            )
        })
        .collect()
}

fn stage_ids() -> Vec<&'static str> {
    baseline::STAGES.iter().map(|s| s.0).collect()
}

/// The areas a Local Children's Services Partnership works in: Kent's twelve districts. The
/// report does not list the LCSPs.
const DISTRICTS: [(&str, &str); 12] = [
    ("ashford", "Ashford"),
    ("canterbury", "Canterbury"),
    ("dartford", "Dartford"),
    ("dover", "Dover"),
    ("gravesham", "Gravesham"),
    ("maidstone", "Maidstone"),
    ("sevenoaks", "Sevenoaks"),
    ("shepway", "Shepway"),
    ("swale", "Swale"),
    ("thanet", "Thanet"),
    ("tonbridge-and-malling", "Tonbridge and Malling"),
    ("tunbridge-wells", "Tunbridge Wells"),
];

/// The district a value names, by id or name as people write it ("Tonbridge & Malling" too).
fn district_of(value: &str) -> Option<&'static str> {
    pick(&value.replace('&', " and "), &DISTRICTS)
}

fn district_areas() -> Vec<Area> {
    DISTRICTS.iter().map(|(id, name)| area(id, name)).collect()
}

fn district_names() -> String {
    DISTRICTS.iter().map(|d| d.1).collect::<Vec<_>>().join(", ")
}

fn district_name(id: &str) -> &str {
    DISTRICTS.iter().find(|d| d.0 == id).map_or(id, |d| d.1)
}

/// The commissioning levels: "county and local levels" (paragraph 3.1).
const LEVELS: [(&str, &str); 2] = [("county", "County"), ("local", "Local (LCSP)")];
/// Other ways people write the levels.
const LEVEL_WORDS: [(&str, &str); 2] = [("local", "LCSP"), ("local", "Local")];
const LEVELS_ACCEPTED: &str = "county, local (LCSP)";

fn level_named(value: &str) -> Option<&'static str> {
    pick(value, &LEVELS).or_else(|| pick(value, &LEVEL_WORDS))
}

/// "Pooled/ aligned resources to support commissioning activity" (option j).
const PARTNER_RESOURCES: [(&str, &str); 3] =
    [("pooled", "Pooled"), ("aligned", "Aligned"), ("single-agency", "Single agency")];

/// Priority areas "where we need to make more progress" (paragraph 2.2), given as examples.
const PRIORITY_AREAS: [&str; 2] = ["teenage pregnancy", "substance misuse"];

fn folded(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn names_priority_area(title: &str) -> bool {
    let t = folded(title);
    PRIORITY_AREAS.iter().any(|p| t.contains(&folded(p)))
}

/// Reads a record's commissioning level and LCSP district; an unknown value, or a local record
/// with no district, is a finding naming the accepted values.
fn read_place(f: &mut Fields) -> (Option<&'static str>, Option<&'static str>) {
    let level = match f.raw("level") {
        None => None,
        Some(v) => {
            let named = level_named(v);
            if named.is_none() {
                f.push(error(
                    "bad-choice",
                    format!("level: {v:?} is not one of {LEVELS_ACCEPTED}"),
                    Some("level"),
                    "Paragraph 3.1: county and local levels",
                ));
            }
            named
        }
    };
    let district = match f.raw("area") {
        None => None,
        Some(v) => {
            let named = district_of(v);
            if named.is_none() {
                f.push(error(
                    "bad-choice",
                    format!("area: {v:?} is not one of {}", listed(&DISTRICTS)),
                    Some("area"),
                    "Paragraph 3.1: an LCSP district",
                ));
            }
            named
        }
    };
    if level == Some("local") && !f.present("area") {
        f.push(error(
            "missing-area",
            format!("A local (LCSP) record names the district it serves (area), one of {}", listed(&DISTRICTS)),
            Some("area"),
            "Paragraph 3.1: commissioning and delivery on a locality basis",
        ));
    }
    (level, district)
}

/// The level and body of an item; `what` names it in an error ("items[0]").
fn classify_item(what: &str, i: usize, item: &Item) -> Result<Classification, String> {
    let tier = baseline::tier_of(i, item).map_err(|e| e.replacen(&format!("items[{i}]"), what, 1))?;
    let district =
        match item.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(district_of(a).ok_or_else(|| {
                format!("{what}.area: {a:?} is not one of Kent's LCSP districts ({})", district_names())
            })?),
        };
    let level = match Fields::new(&item.attributes, SOURCE).raw("level") {
        None => None,
        Some(v) => Some(level_named(v).ok_or_else(|| format!("{what}.level: {v:?} is not one of {LEVELS_ACCEPTED}"))?),
    };
    let priority = item.kind == "priority";
    let local = |d: &str, why: &str| {
        (
            "local",
            "lcsp-board",
            format!(
                "{why}: commissioned locally by the Local Children's Services Partnership for {}, within the KCT strategic framework and reporting to the Executive",
                district_name(d)
            ),
        )
    };
    let (level, body, rationale, source) = match (level, district) {
        (Some("local"), None) => {
            return Err(format!(
                "{what}: a local (LCSP) item names the district it serves (area), one of {}",
                district_names()
            ));
        }
        (Some("local"), Some(d)) => {
            let (l, b, r) = local(d, "Given as local");
            (l, b, r, "paragraph 3.1 and option g")
        }
        (Some(_), _) if priority => (
            "county",
            "kct-board",
            "Given as county: a CYPP priority, owned and resourced by the Kent Children's Trust Board".to_string(),
            "paragraph 1.3",
        ),
        (Some(_), _) => (
            "county",
            "kct-executive",
            "Given as county: commissioned by the KCT Executive as a strategic commissioning group".to_string(),
            "option j",
        ),
        (None, _) if priority => (
            "county",
            "kct-board",
            "CYPP priorities are set county-wide: the Kent Children's Trust Board owns and resources the CYPP".to_string(),
            "paragraph 1.3",
        ),
        (None, _) if tier == Some("specialist") => (
            "county",
            "kct-executive",
            "Specialist provision is commissioned at county level by the KCT Executive; local integrated teams support universal and targeted provision".to_string(),
            "paragraph 5.2 and option j",
        ),
        (None, Some(d)) => {
            let why = match tier {
                Some(t) => format!("{} provision in {}", if t == "universal" { "Universal" } else { "Targeted" }, district_name(d)),
                None => format!("Provision in {} with no tier given", district_name(d)),
            };
            let (l, b, r) = local(d, &why);
            (l, b, r, "paragraph 5.2 and option g")
        }
        (None, None) => (
            "county",
            "kct-executive",
            "No LCSP district given: commissioned at county level by the KCT Executive".to_string(),
            "paragraph 5.2 and option j",
        ),
    };
    Ok(Classification {
        item_id: item.id.clone(),
        level: level.into(),
        body: body.into(),
        rationale,
        source: Some(format!("{SOURCE}, {source}")),
    })
}

/// Reviews: annual on each anniversary of the start while the subject runs, and an evaluation of
/// impact six months before its end to decide whether to re-commission or decommission; an
/// open-ended service lists its first three annual reviews. A pure function of the subject.
fn schedule(i: usize, s: &Subject) -> Result<Vec<ReviewDue>, String> {
    const REVIEW: &str =
        "Option k: robust monitoring and evaluation leads to decommissioning; row e: evaluating impact";
    let (start, end) = subject_span(i, s)?;
    let audience = classify_item(&format!("subjects[{i}]"), i, &subject_item(s))?.body;
    let mut out = Vec::new();
    match end {
        Some(end) => {
            let mut last = start;
            for n in 1u32.. {
                let due = add_months(start, 12 * n);
                if due >= end || due <= last {
                    break;
                }
                out.push(review(s, "annual", "Annual review: performance and impact", due, &audience, REVIEW));
                last = due;
            }
            let decide = sub_months(end, 6).max(start);
            out.push(review(
                s,
                "end-of-contract",
                "Evaluate impact and decide whether to re-commission or decommission",
                decide,
                &audience,
                REVIEW,
            ));
        }
        None => {
            for n in 1u32..=3 {
                let what = format!("Annual review, year {n}: performance and impact");
                out.push(review(s, "annual", &what, add_months(start, 12 * n), &audience, REVIEW));
            }
        }
    }
    Ok(out)
}

/// Kent's own rules on an entity; the baseline's data checks are composed with them.
fn own_findings(_today: NaiveDate, e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, SOURCE);
    if !matches!(e.kind.as_str(), "priority" | "service" | "contract" | "project") {
        return f.into_findings();
    }
    let (level, _) = read_place(&mut f);
    if e.kind == "priority" {
        let key = f.yes_no("key_priority");
        let named = f.text("title").is_some_and(names_priority_area);
        let plan = f.yes_no("joint_commissioning_plan");
        if (key == Some(true) || named) && plan != Some(true) {
            f.push(warning(
                "joint-commissioning-plan",
                "Key priority areas such as teenage pregnancy and substance misuse need an agreed outcome-based joint commissioning plan",
                Some("joint_commissioning_plan"),
                "Paragraph 2.2 and option g",
            ));
        }
    }
    if e.kind == "contract" {
        let resources = f.choice("partner_resources", &PARTNER_RESOURCES);
        let unsaid = resources.is_none() && !f.present("partner_resources");
        if level == Some("local") && (unsaid || resources == Some("single-agency")) {
            f.push(info(
                "local-resources",
                "Be clear about the partner resources, pooled or aligned, that support local commissioning",
                Some("partner_resources"),
                "Option j",
            ));
        }
    }
    f.into_findings()
}

/// A project's move through the commissioning cycle: in order, with Kent's gates.
fn gate(m: &StageMove) -> Vec<Finding> {
    let ids = stage_ids();
    let mut out = ordered_move(&ids, m, CYCLE);
    for f in out.iter_mut().filter(|f| f.code == "unknown-stage") {
        f.message = format!("{}; the steps of the commissioning cycle are {}", f.message, ids.join(", "));
    }
    let mut f = Fields::new(&m.attributes, SOURCE);
    let (level, _) = read_place(&mut f);
    let key = f.yes_no("key_priority");
    let plan = f.yes_no("joint_commissioning_plan");
    let major = f.yes_no("major_service_change");
    let engaged = f.yes_no("partners_engaged");
    let resources = f.choice("partner_resources", &PARTNER_RESOURCES);
    if m.to_stage == "decide-how" {
        if key == Some(true) && plan != Some(true) {
            f.push(error(
                "joint-commissioning-plan",
                "A key priority area has an agreed outcome-based joint commissioning plan before deciding how to commission",
                Some("joint_commissioning_plan"),
                "Paragraph 2.2 and option g",
            ));
        }
        if major == Some(true) && engaged != Some(true) {
            f.push(error(
                "major-change-partnership",
                "Major service change is managed on a partnership basis: partners share information about it and are engaged in the decision before deciding how to commission",
                Some("partners_engaged"),
                "Row k, options",
            ));
        }
    }
    if m.to_stage == "commission" && level == Some("local") && resources.is_none() && !f.present("partner_resources") {
        f.push(warning(
            "local-resources",
            "Local commissioning says which partner resources, pooled or aligned, support it",
            Some("partner_resources"),
            "Option j",
        ));
    }
    out.extend(f.into_findings());
    out
}

/// The ratings of a standard that fall in different bands, as an information finding.
fn split_views(set: &StandardsSet, summary: &EvaluationSummary) -> Vec<Finding> {
    let band =
        |score: u8| set.bands.iter().find(|b| (b.min_score..=b.max_score).contains(&score)).map(|b| b.label.as_str());
    summary
        .results
        .iter()
        .filter(|r| band(r.lowest) != band(r.highest))
        .map(|r| {
            info(
                "split-view",
                format!(
                    "{}: {} ratings run from {} ({}) to {} ({}), mean {:.2}; the standard is scored {}, the lower median",
                    r.standard_id,
                    r.ratings,
                    r.lowest,
                    band(r.lowest).unwrap_or("no band"),
                    r.highest,
                    band(r.highest).unwrap_or("no band"),
                    r.mean,
                    r.score
                ),
                Some(&r.standard_id),
                "Paragraph 4.1: ratings by a range of groups and an online survey",
            )
        })
        .collect()
}

fn attribute_definitions() -> Vec<AttributeDefinition> {
    let hinted = |d: AttributeDefinition, hint: &str| AttributeDefinition { hint: Some(hint.into()), ..d };
    let mut out = baseline::fields();
    for kind in ["priority", "service", "contract", "project", "stage-move"] {
        out.push(hinted(
            choice_field(
                kind,
                "level",
                "Commissioning level",
                &LEVELS,
                false,
                "Paragraph 3.1: county and local levels",
            ),
            "County, or local (LCSP); a local record names its district",
        ));
        out.push(hinted(
            choice_field(
                kind,
                "area",
                "LCSP district",
                &DISTRICTS,
                false,
                "Paragraph 3.1 (the districts are inferred)",
            ),
            "The district a Local Children's Services Partnership serves",
        ));
    }
    out.push(hinted(
        field("priority", "title", "Title", AttributeKind::Text, false, "Paragraph 2.2"),
        "A title naming teenage pregnancy or substance misuse marks a key priority area",
    ));
    for kind in ["priority", "stage-move"] {
        out.push(field(
            kind,
            "key_priority",
            "A key priority area of the CYPP",
            AttributeKind::YesNo,
            false,
            "Paragraph 2.2 and option g",
        ));
        out.push(field(
            kind,
            "joint_commissioning_plan",
            "Outcome-based joint commissioning plan agreed",
            AttributeKind::YesNo,
            false,
            "Option g",
        ));
    }
    out.push(field(
        "stage-move",
        "major_service_change",
        "Major service change or reconfiguration",
        AttributeKind::YesNo,
        false,
        "Row k",
    ));
    out.push(field(
        "stage-move",
        "partners_engaged",
        "Partners shared information and engaged in the decision",
        AttributeKind::YesNo,
        false,
        "Row k, options",
    ));
    for kind in ["contract", "stage-move"] {
        out.push(choice_field(kind, "partner_resources", "Partner resources", &PARTNER_RESOURCES, false, "Option j"));
    }
    out
}

/// The rules table (also in README.md, with the test pinning each rule).
fn rules() -> Vec<Rule> {
    let mut out = vec![
        rule(
            "commissioning-cycle",
            "Projects move through the nine steps of the commissioning cycle of the DCSF Joint Planning and Commissioning Framework (2006), the national cycle the CSP standards rate, grouped ASSESS, PLAN, DO, REVIEW; the report names \"the commissioning cycle\" but not its steps",
            CYCLE,
            true,
        ),
        rule(
            "stages-in-order",
            "A new project starts at the first step; a project moves one step forward at a time, or back to any earlier step (a new round of the cycle)",
            CYCLE,
            true,
        ),
        rule(
            "review-phases",
            "The listening (September-October), options (October-December) and implementation (January onwards) phases are the self-evaluation's own programme: calendar entries, not project stages",
            "Review Overview, section 4: the review programme",
            false,
        ),
        rule(
            "implementation-to-august",
            "The calendar ends the implementation phase in August, before the next listening phase",
            "Review Overview, section 4 (\"January 2010 onwards\")",
            true,
        ),
        rule(
            "key-priority-plan",
            "A project in a key priority area has an agreed outcome-based joint commissioning plan before it moves to deciding how to commission (an error); a priority in a key priority area (teenage pregnancy, substance misuse, or marked key) without one gets a warning",
            "Paragraph 2.2 and option g",
            true,
        ),
        rule(
            "major-change-partnership",
            "A project of major service change has shared information with partners and engaged them in the decision before it moves to deciding how to commission",
            "Row k, options",
            true,
        ),
        rule(
            "local-resources",
            "Local (LCSP) commissioning says which partner resources, pooled or aligned, support it: information on a local contract without them, a warning when a local project moves to commission without saying",
            "Option j",
            true,
        ),
        rule(
            "csp-standards",
            "The self-evaluation rates the twelve CSP standards the Main Messages name, by the report's names",
            "Main Messages and Options, rows a to l",
            false,
        ),
        rule(
            "score-bands",
            "Each standard is scored 1 to 4: 4 going well, 3 steady progress, 1-2 needs improvement; any other score is refused",
            "Main Messages and Options, column headings",
            false,
        ),
        rule(
            "options-for-weak",
            "A standard that needs improvement carries the report's options for KCT improvements; other standards carry none",
            "Main Messages and Options, rows g to l, options column",
            false,
        ),
        rule(
            "ratings-combined",
            "Each named group (a planning or strategic group, an LCSP, the online survey) rates a standard at most once; a second unnamed rating is refused; a standard's score is the lower median of its ratings, and its count, lowest, highest and mean are kept",
            "Paragraph 4.1: ratings by a range of planning/strategic groups and an online survey",
            true,
        ),
        rule(
            "split-view",
            "A standard whose ratings fall in different bands gets an information finding giving the spread",
            "Paragraph 4.1",
            true,
        ),
        rule(
            "overall-band",
            "The overall band is the band of the mean of the standards' scores, given only when every standard is rated; no standard caps it, as none of the report's standards is about safeguarding",
            "Main Messages and Options",
            true,
        ),
        rule(
            "levels",
            "Commissioning is at county or local (LCSP) level; any other level is refused, naming the two",
            "Paragraphs 3.1 and 5.2",
            false,
        ),
        rule(
            "lcsp-districts",
            "A local area is one of Kent's twelve districts, matched as people write it; any other is refused, naming them",
            "Paragraph 3.1 (the report does not list the LCSPs)",
            true,
        ),
        rule(
            "local-names-district",
            "A record at local (LCSP) level names the district it serves",
            "Paragraph 3.1: on a locality basis",
            true,
        ),
        rule(
            "priorities-board",
            "CYPP priorities are placed at county level under the Kent Children's Trust Board",
            "Paragraph 1.3: the Board owns and resources the CYPP",
            false,
        ),
        rule(
            "local-provision",
            "A level given is followed; otherwise universal and targeted provision in a named district goes to its LCSP Board, and specialist provision and anything without a district to the KCT Executive",
            "Paragraph 5.2 and options g and j",
            true,
        ),
        rule(
            "annual-review",
            "Contracts and services are reviewed on each anniversary of their start while they run; an open-ended service lists its first three annual reviews; the dates do not depend on today",
            "Option k and row e",
            true,
        ),
        rule(
            "impact-before-end",
            "Six months before a contract ends its impact is evaluated to decide whether to re-commission or decommission",
            "Option k: robust monitoring and evaluation leads to decommissioning",
            true,
        ),
        rule(
            "review-audience",
            "Reviews go to the body that commissions at the subject's level (an LCSP Board or the KCT Executive)",
            "Options g and j",
            true,
        ),
    ];
    out.extend(
        baseline::rules()
            .into_iter()
            .filter(|r| matches!(r.id.as_str(), "five-outcomes" | "safeguarding-evidence" | "contract-data")),
    );
    out
}

impl Guest for Kent {
    fn describe() -> Description {
        Description {
            id: "kent".into(),
            name: "Kent Children's Trust commissioning review".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            source: "Kent Children's Trust: Commissioning and Delivery Review, Main Messages and Options (6 October 2009)".into(),
            stages: stages(),
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
            areas: district_areas(),
            bodies: vec![
                body("kct-board", "Kent Children's Trust Board", "Owns and resources the CYPP and sets the strategic direction", None),
                body("kct-executive", "KCT Executive", "Drives joint commissioning across the children's services system", None),
                body("lcsp-board", "Local Children's Services Partnership Board", "Local commissioning and integrated teams for universal and targeted provision", None),
            ],
            standards_sets: vec![standards_set()],
            calendar: vec![
                CalendarEntry { name: "Self-evaluation review: listening phase".into(), start_month: 9, end_month: 10, stage_ids: Vec::new() },
                CalendarEntry { name: "Self-evaluation review: options phase".into(), start_month: 10, end_month: 12, stage_ids: Vec::new() },
                CalendarEntry { name: "Self-evaluation review: implementation phase".into(), start_month: 1, end_month: 8, stage_ids: Vec::new() },
            ],
            attribute_definitions: attribute_definitions(),
            rules: rules(),
            notes: vec![
                "Projects follow the commissioning cycle. The report speaks of \"the commissioning cycle\" (row g) without naming its steps; the standards Kent rated are the national Commissioning Support Programme's (paragraph 2.1), which assess how a children's trust carries out the joint planning and commissioning cycle of the DCSF Joint Planning and Commissioning Framework for children, young people and maternity services (2006), the national cycle for children's trusts. Its nine steps are Kent's project stages here, because the standards' subjects follow them: outcomes (standard 1), the needs of particular groups (5), resources and markets (6), joint commissioning arrangements (2, 4, 8), major service change (9), workforce (11) and monitoring (7). Each step's description names the standards that rate it; standards 3 (governance), 10 (leadership) and 12 (partnership culture) rate the whole cycle. The choice of cycle and its grouping into ASSESS, PLAN, DO and REVIEW are inferred.".into(),
                "The listening phase (September to October 2009), options phase (October to December 2009) and implementation phase (January 2010 onwards) are the review's own programme of self-evaluation (Overview, section 4), not stages of a project: they are calendar entries with no stages. In the listening phase groups complete the CSP self-evaluation tool before their meeting, and individuals use the online survey; the final report goes to the KCT Executive on 11 November and the full Board on 16 December (paragraph 6.1). The calendar ends implementation in August, before the next listening phase (inferred).".into(),
                "Kent rated each standard through a range of planning and strategic groups and an online survey (paragraph 4.1). Each rating names its group (the rater); a group rates a standard once. A standard's score is the lower median of its ratings, so a split view never rounds up, and each result keeps how many ratings there were, the lowest, the highest and the mean; ratings in different bands give a split-view finding. The report publishes only each standard's band, not the ratings behind it; the combining is inferred.".into(),
                "Scores are 4 going well, 3 steady progress and 1-2 needs improvement (Main Messages); the options for KCT improvements (rows g to l) are attached to a standard that needs improvement. The report gives no overall band: the summary's, from the mean of the standards' scores, is the platform's. None of the report's standards is about safeguarding, so none caps the overall band.".into(),
                "Standard names are the report's, row by row; standard 5 reads \"Understanding the needs of CYPP and families\", where the report writes CYPP for children and young people. Row l is printed \"I\" in the report.".into(),
                "The report neither lists the Local Children's Services Partnerships nor maps them to areas, and proposes \"a smaller number of Local Children Services Partnership Boards\" (paragraph 5.2); a local record's area is named by one of Kent's twelve districts (inferred).".into(),
                "With no level given, universal and targeted provision in a named district is commissioned locally and specialist provision, or anything without a district, at county level (inferred from paragraph 5.2: local integrated teams support universal and targeted provision).".into(),
                "The report sets no review rhythm: reviews are annual on the anniversary of the start while a contract runs, with an evaluation of impact six months before its end to decide whether to re-commission or decommission (option k); an open-ended service lists its first three annual reviews. The dates depend only on the subject, never on today. All inferred.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(&format!("items[{i}]"), i, item)).collect()
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        date("today", &today)?;
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            out.extend(schedule(i, s)?);
        }
        Ok(out)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        baseline::validate_with(&today, &entities, own_findings)
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        let set = standards_set();
        let mut summary = score_against(&set, &evaluation, |id, band| {
            if band == "needs-improvement" { number_of(id).map(options_for).unwrap_or_default() } else { Vec::new() }
        })?;
        let split = split_views(&set, &summary);
        summary.findings.extend(split);
        Ok(summary)
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        let mut counts = counts;
        if matches!(by, Dimension::Area) {
            for (i, c) in counts.iter_mut().enumerate() {
                if let Some(a) = c.area.as_deref() {
                    let id = district_of(a).ok_or_else(|| {
                        format!("counts[{i}]: {a:?} is not one of Kent's LCSP districts ({})", district_names())
                    })?;
                    c.area = Some(id.to_string());
                }
            }
        }
        band_counts(by, &counts, &common_age_bands(), &district_areas())
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
                .map(|(n, _, _)| Score {
                    standard_id: csp(*n),
                    score: score(*n),
                    evidence: "Listening phase".into(),
                    rater: None,
                })
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
        // Paragraph 5.2: strategic and local levels, local integrated teams for universal and
        // targeted provision; option j: clarity at local levels; paragraph 1.3: the Board owns the CYPP.
        let item = |kind: &str, tier: Option<&str>, area: Option<&str>, level: Option<&str>| Item {
            id: "x".into(),
            kind: kind.into(),
            tier: tier.map(str::to_string),
            level_of_need: None,
            area: area.map(str::to_string),
            attributes: level.map(|l| vec![attribute("level", l)]).unwrap_or_default(),
        };
        let c = Kent::classify(vec![
            item("service", Some("targeted"), Some("Thanet"), None),
            item("service", Some("specialist"), Some("Thanet"), None),
            item("service", Some("universal"), None, None),
            item("priority", None, Some("Thanet"), None),
            item("service", Some("specialist"), Some("tunbridge wells"), Some("LCSP")),
            item("service", Some("Targeted"), Some("Swale"), Some("County")),
        ])
        .unwrap();
        assert_eq!(
            c.iter().map(|c| (c.level.as_str(), c.body.as_str())).collect::<Vec<_>>(),
            [
                ("local", "lcsp-board"),
                ("county", "kct-executive"),
                ("county", "kct-executive"),
                ("county", "kct-board"),
                ("local", "lcsp-board"),
                ("county", "kct-executive"),
            ]
        );
        assert!(c[0].rationale.contains("Targeted provision in Thanet"), "{}", c[0].rationale);
        assert!(c[2].rationale.starts_with("No LCSP district given"));
        assert!(c[4].rationale.contains("Tunbridge Wells"));
        // An unknown tier is refused, never read as universal.
        let err = Kent::classify(vec![item("service", Some("acute"), None, None)]).unwrap_err();
        assert!(err.contains("items[0].tier") && err.contains("universal, targeted, specialist"), "{err}");
    }

    #[test]
    fn priority_areas_need_a_joint_commissioning_plan() {
        // Paragraph 2.2: teenage pregnancy and substance misuse; option g: outcome-based joint commissioning plans.
        let p = |a: &[(&str, &str)]| Entity {
            id: "p".into(),
            kind: "priority".into(),
            attributes: a.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let f = Kent::validate(
            "2026-11-24".into(),
            vec![
                p(&[("title", "Reduce teenage pregnancy"), ("outcome", "be_healthy")]),
                p(&[("title", "Substance-misuse"), ("outcome", "be_healthy"), ("joint_commissioning_plan", "yes")]),
                p(&[("title", "Youth offending"), ("outcome", "stay_safe"), ("key_priority", "yes")]),
                p(&[("title", "Play"), ("outcome", "enjoy_and_achieve")]),
            ],
        );
        assert_eq!(codes(&f[0]), ["joint-commissioning-plan"]);
        assert!(f[1].is_empty(), "{:?}", f[1]);
        assert_eq!(codes(&f[2]), ["joint-commissioning-plan"]);
        assert!(f[3].is_empty());
    }

    fn mv(from: Option<&str>, to: &str, a: &[(&str, &str)]) -> StageMove {
        StageMove {
            project_id: "p".into(),
            from_stage: from.map(str::to_string),
            to_stage: to.into(),
            attributes: a.iter().map(|(k, v)| attribute(k, v)).collect(),
        }
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|x| x.code.as_str()).collect()
    }

    #[test]
    fn projects_move_through_the_commissioning_cycle_not_the_review_phases() {
        // Row g: "Some partners still do not understand the commissioning cycle"; the CSP
        // standards (paragraph 2.1) rate a trust's practice of that cycle. The listening, options
        // and implementation phases (Overview, section 4) are the 2009 review's own programme.
        let d = Kent::describe();
        let ids: Vec<&str> = d.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, baseline::STAGES.iter().map(|s| s.0).collect::<Vec<_>>());
        let groups: Vec<&str> = d.stages.iter().map(|s| s.group.as_deref().unwrap_or("")).collect();
        assert_eq!(groups, ["ASSESS", "ASSESS", "ASSESS", "PLAN", "PLAN", "DO", "DO", "DO", "REVIEW"]);
        for phase in ["listening", "options", "implementation"] {
            assert!(!ids.contains(&phase), "{phase} is not a project stage");
        }
        let phase = |name: &str| d.calendar.iter().find(|c| c.name.to_lowercase().contains(name)).unwrap();
        assert_eq!((phase("listening").start_month, phase("listening").end_month), (9, 10));
        assert_eq!((phase("options").start_month, phase("options").end_month), (10, 12));
        assert_eq!((phase("implementation").start_month, phase("implementation").end_month), (1, 8));
        assert!(d.calendar.iter().all(|c| c.stage_ids.is_empty()));
        let cycle = d.rules.iter().find(|r| r.id == "commissioning-cycle").unwrap();
        assert!(cycle.inferred && cycle.rule.contains("nine steps"));
        assert!(d.notes.iter().any(|n| n.contains("Joint Planning and Commissioning Framework")));
    }

    #[test]
    fn stage_moves_are_taken_in_order() {
        // Row g: "the commissioning cycle"; its steps follow one another, a project may go back.
        let f = Kent::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(None, "look-at-outcomes", &[]),
                mv(None, "plan-services", &[]),
                mv(Some("look-at-outcomes"), "needs-assessment", &[]),
                mv(Some("monitor-review"), "look-at-outcomes", &[]),
                mv(Some("look-at-outcomes"), "listening", &[]),
            ],
        );
        assert!(f[0].is_empty());
        assert_eq!(codes(&f[1]), ["start-at-first-stage"]);
        assert_eq!(codes(&f[2]), ["skips-a-stage"]);
        assert!(f[3].is_empty(), "{:?}", f[3]);
        assert_eq!(codes(&f[4]), ["unknown-stage"]);
        assert!(f[4][0].message.contains("look-at-outcomes, particular-groups"), "{}", f[4][0].message);
    }

    #[test]
    fn key_priority_projects_need_a_joint_commissioning_plan_before_commissioning() {
        // Paragraph 2.2: teenage pregnancy and substance misuse are priority areas; option g:
        // "Outcome based joint commissioning plans should be developed for key priority areas".
        let f = Kent::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(Some("plan-services"), "decide-how", &[("key_priority", "yes")]),
                mv(
                    Some("plan-services"),
                    "decide-how",
                    &[("key_priority", "yes"), ("joint_commissioning_plan", "yes")],
                ),
                mv(Some("plan-services"), "decide-how", &[("key_priority", "no")]),
                mv(Some("plan-services"), "decide-how", &[("key_priority", "maybe")]),
            ],
        );
        assert_eq!(codes(&f[0]), ["joint-commissioning-plan"]);
        assert_eq!(f[0][0].severity, Severity::Error);
        assert!(f[1].is_empty() && f[2].is_empty());
        assert_eq!(f[3][0].field.as_deref(), Some("key_priority"));
    }

    #[test]
    fn major_service_change_is_shared_with_partners_before_commissioning() {
        // Row k, options: "Partners have an open approach sharing information about major change
        // and wherever possible seeking active engagement in decision making."
        let f = Kent::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(Some("plan-services"), "decide-how", &[("major_service_change", "yes")]),
                mv(
                    Some("plan-services"),
                    "decide-how",
                    &[("major_service_change", "yes"), ("partners_engaged", "yes")],
                ),
            ],
        );
        assert_eq!(codes(&f[0]), ["major-change-partnership"]);
        assert!(f[1].is_empty());
    }

    #[test]
    fn several_groups_rate_each_standard_and_the_spread_is_kept() {
        // Paragraph 4.1: "self evaluation ratings ... undertaken by a range of planning/strategic
        // groups and through on line survey"; section 5 of the Overview: groups and individuals.
        let mut e = reported();
        e.scores.retain(|s| s.standard_id != "csp-4");
        for (rater, score) in [("KCT Executive", 3), ("Thanet LCSP", 1), ("Online survey", 2), ("Swale LCSP", 4)] {
            e.scores.push(Score {
                standard_id: "csp-4".into(),
                score,
                evidence: "Listening phase".into(),
                rater: Some(rater.into()),
            });
        }
        let s = Kent::score_self_evaluation(e.clone()).unwrap();
        let r = s.results.iter().find(|r| r.standard_id == "csp-4").unwrap();
        assert_eq!((r.score, r.ratings, r.lowest, r.highest), (2, 4, 1, 4));
        assert!((r.mean - 2.5).abs() < 1e-9);
        assert_eq!(r.band_id, "needs-improvement");
        assert!(s.complete);
        assert!(s.findings.iter().any(|f| f.code == "split-view" && f.field.as_deref() == Some("csp-4")));
        let d = Kent::describe();
        assert!(d.rules.iter().any(|r| r.id == "ratings-combined" && r.rule.contains("lower median")));
        // One group rates a standard once.
        let mut twice = e.clone();
        twice.scores.push(Score {
            standard_id: "csp-4".into(),
            score: 4,
            evidence: "again".into(),
            rater: Some("Thanet LCSP".into()),
        });
        assert!(Kent::score_self_evaluation(twice).unwrap_err().contains("Thanet LCSP rates csp-4 twice"));
    }

    #[test]
    fn standard_names_are_the_reports() {
        // Main Messages rows a to l: each standard's name as the report gives it.
        let d = Kent::describe();
        let name = |id: &str| d.standards_sets[0].standards.iter().find(|s| s.id == id).unwrap().name.clone();
        assert_eq!(name("csp-5"), "CSP standard 5: Understanding the needs of CYPP and families");
        assert_eq!(name("csp-1"), "CSP standard 1: Clarity and agreement on outcomes to improve");
        assert_eq!(
            name("csp-10"),
            "CSP standard 10: Joint working and common understanding at a leadership level for effective commissioning"
        );
    }

    fn subject(id: &str, tier: &str, start: &str, end: Option<&str>, a: &[(&str, &str)]) -> Subject {
        Subject {
            id: id.into(),
            kind: if end.is_some() { "contract" } else { "service" }.into(),
            title: "Family support".into(),
            contract_kind: end.map(|_| "block".into()),
            tier: Some(tier.into()),
            start: start.into(),
            end: end.map(str::to_string),
            value_pence: 30_000_000,
            attributes: a.iter().map(|(k, v)| attribute(k, v)).collect(),
        }
    }

    #[test]
    fn review_dates_do_not_depend_on_today() {
        // Option k: "Robust monitoring and evaluation leads to decommissioning of services"; the
        // report sets no review rhythm, so the plugin's is a pure function of the subject.
        let subjects = vec![
            subject("c", "targeted", "2010-04-01", Some("2013-03-31"), &[("area", "Thanet")]),
            subject("s", "universal", "2010-09-01", None, &[]),
        ];
        let early = Kent::review_schedule("2010-01-01".into(), subjects.clone()).unwrap();
        let late = Kent::review_schedule("2030-06-30".into(), subjects).unwrap();
        let key = |r: &Vec<ReviewDue>| r.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>();
        assert_eq!(key(&early), key(&late));
        let dates = |id: &str| early.iter().filter(|r| r.subject_id == id).map(|r| r.due.as_str()).collect::<Vec<_>>();
        assert_eq!(dates("c"), ["2011-04-01", "2012-04-01", "2012-09-30"]);
        assert_eq!(dates("s"), ["2011-09-01", "2012-09-01", "2013-09-01"]);
    }

    #[test]
    fn unknown_districts_and_levels_are_refused_naming_the_accepted_ones() {
        // Paragraph 3.1: "county and local levels"; local partnerships work "on a locality basis".
        let e = Entity {
            id: "c".into(),
            kind: "contract".into(),
            attributes: vec![
                attribute("start", "2010-04-01"),
                attribute("level", "regional"),
                attribute("area", "Narnia"),
            ],
        };
        let f = &Kent::validate("2026-11-24".into(), vec![e])[0];
        let on = |field: &str| f.iter().find(|x| x.field.as_deref() == Some(field)).unwrap();
        assert!(on("level").message.contains("county") && on("level").message.contains("local"));
        assert!(on("area").message.contains("tunbridge-wells"), "{}", on("area").message);
        let item = Item {
            id: "x".into(),
            kind: "service".into(),
            tier: Some("targeted".into()),
            level_of_need: None,
            area: Some("Narnia".into()),
            attributes: vec![],
        };
        let err = Kent::classify(vec![item]).unwrap_err();
        assert!(err.contains("Narnia") && err.contains("Tunbridge Wells"), "{err}");
    }

    #[test]
    fn no_standard_caps_the_overall_band() {
        // Main Messages rows a to l: none of the CSP standards is about safeguarding, so the
        // overall band is the mean's; an incomplete self-evaluation has none.
        let s = Kent::score_self_evaluation(reported()).unwrap();
        assert!(s.complete && s.capped_by.is_none());
        assert_eq!(s.band_id.as_deref(), Some("needs-improvement"));
        assert!((s.mean_score - 2.75).abs() < 1e-9);
        let mut part = reported();
        part.scores.retain(|x| x.standard_id != "csp-9");
        let s = Kent::score_self_evaluation(part).unwrap();
        assert!(!s.complete && s.band_id.is_none());
        assert!(
            !Kent::describe().standards_sets[0].standards.iter().any(|s| s.name.to_lowercase().contains("safeguard"))
        );
    }

    #[test]
    fn local_records_name_their_district() {
        // Paragraph 3.1: local partnerships "commission and deliver on a locality basis".
        let e = Entity {
            id: "s".into(),
            kind: "service".into(),
            attributes: vec![attribute("level", "local"), attribute("tier", "targeted")],
        };
        let f = &Kent::validate("2026-11-24".into(), vec![e])[0];
        assert_eq!(codes(f), ["missing-area"]);
        assert!(f[0].message.contains("thanet"));
        let item = Item {
            id: "x".into(),
            kind: "service".into(),
            tier: Some("targeted".into()),
            level_of_need: None,
            area: None,
            attributes: vec![attribute("level", "local")],
        };
        assert!(Kent::classify(vec![item]).unwrap_err().contains("names the district"));
        let g = Kent::stage_gate(
            "2026-11-24".into(),
            vec![mv(Some("look-at-outcomes"), "particular-groups", &[("level", "LCSP")])],
        );
        assert_eq!(codes(&g[0]), ["missing-area"]);
    }

    #[test]
    fn reviews_go_to_the_body_that_commissions_at_the_subjects_level() {
        // Option g: LCSPs as a commissioning model reporting to the Executive; option k: robust
        // monitoring and evaluation leads to decommissioning.
        let r = Kent::review_schedule(
            "2026-11-24".into(),
            vec![
                subject("local", "targeted", "2010-04-01", Some("2011-03-31"), &[("area", "Thanet")]),
                subject("county", "specialist", "2010-04-01", Some("2011-03-31"), &[("area", "Thanet")]),
            ],
        )
        .unwrap();
        assert_eq!(r.iter().map(|x| x.audience.as_str()).collect::<Vec<_>>(), ["lcsp-board", "kct-executive"]);
        assert!(r[0].title.contains("decommission") && r[0].due == "2010-09-30");
        let err = Kent::review_schedule(
            "2026-11-24".into(),
            vec![subject("x", "targeted", "2010-04-01", None, &[("area", "Medway")])],
        )
        .unwrap_err();
        assert!(err.contains("subjects[0].area") && err.contains("Ashford"), "{err}");
    }

    #[test]
    fn local_commissioning_says_which_partner_resources_support_it() {
        // Option j: "Clarity at local levels about commissioning responsibilities and partner
        // resources to support local commissioning activity (... pooled/ aligned resources ...)".
        let c = |a: &[(&str, &str)]| Entity {
            id: "c".into(),
            kind: "contract".into(),
            attributes: [("start", "2010-04-01")].iter().chain(a).map(|(k, v)| attribute(k, v)).collect(),
        };
        let f = Kent::validate(
            "2010-05-01".into(),
            vec![
                c(&[("level", "local"), ("area", "Dover")]),
                c(&[("level", "local"), ("area", "Dover"), ("partner_resources", "Pooled")]),
                c(&[("level", "local"), ("area", "Dover"), ("partner_resources", "lottery")]),
            ],
        );
        assert_eq!(codes(&f[0]), ["local-resources"]);
        assert!(f[1].is_empty());
        assert_eq!(codes(&f[2]), ["bad-choice"]);
        let g = Kent::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(Some("decide-how"), "commission", &[("level", "local"), ("area", "Dover")]),
                mv(
                    Some("decide-how"),
                    "commission",
                    &[("level", "local"), ("area", "Dover"), ("partner_resources", "aligned")],
                ),
            ],
        );
        assert_eq!(codes(&g[0]), ["local-resources"]);
        assert_eq!(g[0][0].severity, Severity::Warning);
        assert!(g[1].is_empty());
    }

    #[test]
    fn validate_composes_the_baseline_data_checks() {
        // The platform's data checks hold for Kent as for every trust: real dates in order,
        // providers' safeguarding evidence (Children Act 2004, section 11), known outcomes.
        let f = Kent::validate(
            "2026-11-24".into(),
            vec![
                Entity {
                    id: "c".into(),
                    kind: "contract".into(),
                    attributes: vec![attribute("start", "2011-04-01"), attribute("end", "2010-04-01")],
                },
                Entity {
                    id: "p".into(),
                    kind: "provider".into(),
                    attributes: vec![attribute("safeguarding_evidence", "no")],
                },
                Entity { id: "q".into(), kind: "priority".into(), attributes: vec![attribute("title", "Play")] },
            ],
        );
        assert!(codes(&f[0]).contains(&"ends-before-start"));
        assert_eq!(codes(&f[1]), ["no-safeguarding-evidence"]);
        assert_eq!(codes(&f[2]), ["no-outcome"]);
    }

    #[test]
    fn every_attribute_read_is_defined() {
        // The fields Kent's rules read, as the host shows them (paragraphs 2.2, 3.1; options g, j, k).
        let d = Kent::describe();
        let has = |kind: &str, key: &str| d.attribute_definitions.iter().any(|a| a.entity_kind == kind && a.key == key);
        for kind in ["priority", "service", "contract", "project", "stage-move"] {
            assert!(has(kind, "level") && has(kind, "area"), "{kind}");
        }
        for key in [
            "key_priority",
            "joint_commissioning_plan",
            "major_service_change",
            "partners_engaged",
            "partner_resources",
        ] {
            assert!(has("stage-move", key), "{key}");
        }
        assert!(
            has("priority", "title")
                && has("contract", "partner_resources")
                && has("provider", "safeguarding_evidence")
        );
        let area = d.attribute_definitions.iter().find(|a| a.key == "area").unwrap();
        assert_eq!(area.choices.len(), 12);
        let level = d.attribute_definitions.iter().find(|a| a.key == "level").unwrap();
        assert_eq!(level.choices.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["county", "local"]);
    }

    #[test]
    fn the_rules_table_is_in_the_readme() {
        // Every rule the plugin applies is listed with its source, in describe and in README.md.
        let readme = include_str!("../README.md");
        let d = Kent::describe();
        for r in &d.rules {
            assert!(readme.contains(&format!("| `{}` |", r.id)), "{} is not in README.md", r.id);
            assert!(!r.source.is_empty());
        }
        let ids: std::collections::BTreeSet<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), d.rules.len());
    }

    #[test]
    fn banding_by_area_matches_districts_as_people_write_them() {
        // LCSP districts (paragraph 3.1, inferred): names match whatever their case and punctuation.
        let count = |a: &str| Count { age: None, area: Some(a.into()), value: 2.0 };
        let b =
            Kent::band(Dimension::Area, vec![count("Tonbridge & Malling"), count("tunbridge-wells"), count("THANET")])
                .unwrap();
        let v = |id: &str| b.iter().find(|x| x.band_id == id).unwrap().value;
        assert_eq!((v("tonbridge-and-malling"), v("tunbridge-wells"), v("thanet")), (2.0, 2.0, 2.0));
        assert!(Kent::band(Dimension::Area, vec![count("Medway")]).unwrap_err().contains("Sevenoaks"));
    }

    #[test]
    fn the_readme_rules_table_matches_describe_and_names_real_tests() {
        // Each rule is traced to the document in the README, stated or inferred, with its test.
        let problems =
            rules_table_problems(&Kent::describe().rules, include_str!("../README.md"), include_str!("lib.rs"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
