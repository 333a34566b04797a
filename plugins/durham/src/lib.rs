//! County Durham: "Commissioning framework for services to children and families" (report to
//! the Every Child Matters Implementation Team, 21 December 2005). Paragraph numbers below are
//! the report's own.
//!
//! Two levels: strategic commissioning (the Executive Board alone) and service commissioning
//! (the Executive Board for centrally retained services, the Local Children's Boards for local
//! universal and targeted services). Specifying follows the eight-step process of paragraph 33;
//! priorities are must-dos or want-to-dos (42); services sit on a continuum of collaboration (37).
//! The rules the framework applies are listed in `rules()` and in this crate's README.md.

use commissioning_sdk::*;

struct Durham;
commissioning_sdk::export!(Durham);

const SOURCE: &str = "County Durham commissioning framework (2005)";

/// The districts of County Durham in 2005, one Local Children's Board each. The report names
/// the boards but not their areas: inferred.
const LOCALITIES: [(&str, &str); 7] = [
    ("chester-le-street", "Chester-le-Street"),
    ("derwentside", "Derwentside"),
    ("durham-city", "Durham City"),
    ("easington", "Easington"),
    ("sedgefield", "Sedgefield"),
    ("teesdale", "Teesdale"),
    ("wear-valley", "Wear Valley"),
];

/// "Levels of commissioning": strategic and service.
const LEVELS: [(&str, &str); 2] = [("strategic", "Strategic commissioning"), ("service", "Service commissioning")];

/// What the framework places: services, priorities and projects.
const ITEM_KINDS: [(&str, &str); 3] = [("service", "Service"), ("priority", "Priority"), ("project", "Project")];

/// Paragraph 42: the two types of strategic priority, and where each comes from.
const PRIORITY_TYPES: [(&str, &str); 2] = [("must_do", "Must-do"), ("want_to_do", "Want-to-do")];
const PRIORITY_SOURCES: [(&str, &str); 3] =
    [("performance", "Performance"), ("inspection", "Inspection"), ("visioning", "Visioning")];

/// Paragraph 37: the continuum of collaboration, in order; "new" is a different direction.
const CONTINUUM: [(&str, &str); 4] =
    [("autonomy", "Autonomy"), ("co-ordination", "Co-ordination"), ("integration", "Integration"), ("new", "New")];

/// Paragraph 34 (II): what keeps a service with the Executive Board.
const RETAINED: [(&str, &str); 3] = [
    ("low_incidence", "a low-incidence need"),
    ("county_wide", "a need calling for a county-wide, regional or national response"),
    ("high_risk_to_delegate", "too great a risk to delegate to local level"),
];

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

fn lcb(locality_id: &str) -> String {
    format!("lcb-{locality_id}")
}

fn locality_names() -> String {
    LOCALITIES.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
}

/// The locality an area names, matched as people write it. No area is `Ok(None)`; an area that
/// is not one of the districts is an error naming the accepted ones, never "no locality".
fn locality_of(area: Option<&str>) -> Result<Option<(&'static str, &'static str)>, String> {
    match area.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => LOCALITIES
            .iter()
            .find(|(id, name)| same_name(a, id) || same_name(a, name))
            .map(|l| Some(*l))
            .ok_or_else(|| format!("{a:?} is not a locality of County Durham (one of {})", locality_names())),
    }
}

/// The findings a reader collected, as one error string naming the record (`what`).
fn refuse(what: &str, findings: &[Finding]) -> Result<(), String> {
    if findings.is_empty() {
        return Ok(());
    }
    Err(findings.iter().map(|f| format!("{what}.{}", f.message)).collect::<Vec<_>>().join("; "))
}

/// Paragraphs 34-35: who commissions what. `what` names the record in an error ("items[0]").
fn classify_item(what: &str, item: &Item) -> Result<Classification, String> {
    let kind = pick(&item.kind, &ITEM_KINDS)
        .ok_or_else(|| format!("{what}.kind: {:?} is not one of {}", item.kind, listed(&ITEM_KINDS)))?;
    let tier = match item.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            pick(t, &baseline::TIERS)
                .ok_or_else(|| format!("{what}.tier: {t:?} is not one of {}", listed(&baseline::TIERS)))?,
        ),
    };
    let mut f = Fields::new(&item.attributes, SOURCE);
    let level = f.choice("level", &LEVELS);
    let retained: Vec<&str> =
        RETAINED.iter().filter(|(key, _)| f.yes_no(key) == Some(true)).map(|(_, why)| *why).collect();
    refuse(what, f.findings())?;
    let locality = locality_of(item.area.as_deref()).map_err(|m| format!("{what}.area: {m}"))?;
    let level = match (kind, level) {
        ("priority", Some("service")) => {
            return Err(format!(
                "{what}.level: a priority is strategic (paragraph 42: the two types of strategic priority), not service"
            ));
        }
        ("priority", _) => "strategic",
        (_, Some(level)) => level,
        ("project", None) => {
            return Err(format!(
                "{what}.level: say whether the project is strategic or service commissioning (one of {})",
                listed(&LEVELS)
            ));
        }
        (_, None) => "service",
    };
    let (body, rationale, para) = if level == "strategic" {
        (
            "executive-board".to_string(),
            "Only the Executive Board commissions strategically".to_string(),
            "paragraph 34 (I)",
        )
    } else if !retained.is_empty() {
        ("executive-board".to_string(), format!("Retained centrally: {}", retained.join("; ")), "paragraph 34 (II)")
    } else if tier == Some("specialist") {
        (
            "executive-board".to_string(),
            "Specialist provision is not among the local services the Local Children's Boards commission".to_string(),
            "paragraphs 34 (II) and 35",
        )
    } else if let Some((id, name)) = locality {
        let rationale = match tier {
            Some(t) => format!("A local {t} service in {name}: commissioned by its Local Children's Board"),
            None => format!(
                "A local service in {name}, with no tier given: commissioned by its Local Children's Board (a specialist service would stay with the Executive Board)"
            ),
        };
        (lcb(id), rationale, "paragraph 35")
    } else {
        (
            "executive-board".to_string(),
            "No locality given: a county-wide service is retained by the Executive Board".to_string(),
            "paragraph 34 (II)",
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

/// The framework's own rules for one entity; `validate` composes them with the baseline's.
fn validate_entity(e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, SOURCE);
    match e.kind.as_str() {
        "priority" => {
            let kind = f.choice("priority_type", &PRIORITY_TYPES);
            let from = f.choice("source", &PRIORITY_SOURCES);
            // A source that cannot be read is reported by the reader; a missing one is this rule's.
            let unread = from.is_none() && f.present("source");
            let wrong = match kind {
                Some("must_do") if !matches!(from, Some("performance" | "inspection")) => {
                    Some(("must-do-source", "A must-do priority comes from performance or inspection"))
                }
                Some("want_to_do") if from != Some("visioning") => {
                    Some(("want-to-do-source", "A want-to-do priority comes from visioning"))
                }
                _ => None,
            };
            if let Some((code, message)) = wrong.filter(|_| !unread) {
                f.push(error(code, message, Some("source"), "paragraph 42"));
            }
            if kind.is_none() && !f.present("priority_type") {
                f.push(error(
                    "priority-type",
                    "A strategic priority is either a must-do (from performance and inspection) or a want-to-do (from visioning)",
                    Some("priority_type"),
                    "paragraph 42",
                ));
            }
        }
        "service" | "project" => {
            if e.kind == "project" {
                f.require(
                    "level",
                    "Say whether the project is strategic or service commissioning (Levels of commissioning)",
                );
            }
            f.choice("level", &LEVELS);
            f.choice("area", &LOCALITIES);
            for (key, _) in RETAINED {
                f.yes_no(key);
            }
            let current = f.choice("continuum_current", &CONTINUUM);
            let target = f.choice("continuum_target", &CONTINUUM);
            let rank = |v: &str| CONTINUUM.iter().position(|(id, _)| *id == v);
            match (current, target) {
                (Some("new"), Some(t)) if t != "new" => f.push(warning(
                    "continuum-leaves-new",
                    format!(
                        "The target ({t}) moves the service from a new approach back onto the continuum from autonomy to integration; paragraph 37 describes moving services from autonomy towards co-ordination or integration, or on to a new approach"
                    ),
                    Some("continuum_target"),
                    "paragraphs 37-38",
                )),
                (Some(c), Some(t)) if t != "new" && rank(t) < rank(c) => f.push(warning(
                    "continuum-backwards",
                    format!("The target ({t}) is further from integration than the current position ({c})"),
                    Some("continuum_target"),
                    "paragraphs 37-38",
                )),
                _ => {}
            }
            if e.kind == "service" && !f.present("continuum_target") {
                f.push(info(
                    "continuum-target-missing",
                    "Say where on the continuum of collaboration this service should move to",
                    Some("continuum_target"),
                    "paragraph 38",
                ));
            }
        }
        _ => {}
    }
    // A position off the continuum keeps the framework's own code and source.
    f.into_findings()
        .into_iter()
        .map(|mut x| {
            if x.code == "bad-choice" && matches!(x.field.as_deref(), Some("continuum_current" | "continuum_target")) {
                x.code = "continuum-position".into();
                x.source = Some("paragraph 37".into());
            }
            x
        })
        .collect()
}

/// Paragraph 33: the process for specifying, securing and monitoring; paragraphs 39 and 43:
/// strategic commissioning before service commissioning, on every forward move.
fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, "paragraph 33");
    let position = |s: &str| ids.iter().position(|id| *id == s);
    // A new project, or one moving on; a move back or staying put is not service commissioning
    // proceeding.
    let forward = match (m.from_stage.as_deref().map(position), position(&m.to_stage)) {
        (Some(Some(from)), Some(to)) => to > from,
        _ => true,
    };
    let mut f = Fields::new(&m.attributes, "paragraphs 33, 39 and 43");
    if m.to_stage == "compare-current-ideal"
        && f.choice("continuum_target", &CONTINUUM).is_none()
        && !f.present("continuum_target")
    {
        f.push(error(
            "ideal-type-missing",
            "Agree the ideal type (the target position on the continuum of collaboration) before comparing current with ideal",
            Some("continuum_target"),
            "paragraphs 33, 36-38",
        ));
    }
    if m.to_stage == "secure" && forward {
        let message = match f.yes_no("decommissioning_considered") {
            Some(true) => None,
            Some(false) => Some(
                "Decommissioning has not been considered: the process for specifying describes the decommissioning as well as the commissioning needed, before services are secured",
            ),
            None if f.present("decommissioning_considered") => None,
            None => Some(
                "Say whether decommissioning has been considered: the process for specifying describes the decommissioning as well as the commissioning needed, before services are secured",
            ),
        };
        if let Some(message) = message {
            f.push(error(
                "decommissioning-not-considered",
                message,
                Some("decommissioning_considered"),
                "paragraph 33",
            ));
        }
    }
    f.require("level", "Say whether the project is strategic or service commissioning: strategic commissioning comes before service commissioning");
    if f.choice("level", &LEVELS) == Some("service") && forward {
        let done = f.yes_no("strategic_commissioning_done");
        if done == Some(false) || !f.present("strategic_commissioning_done") {
            f.push(error(
                "strategic-first",
                "Service commissioning cannot begin or move on until strategic commissioning has set the priorities",
                Some("strategic_commissioning_done"),
                "paragraphs 39 and 43",
            ));
        }
    }
    out.extend(f.into_findings());
    out
}

const SCHEDULE_SOURCE: &str = "paragraph 33 (monitoring the progress of planned change)";

/// Reviews of one subject, a pure function of it: an annual review on each anniversary of the
/// start while it runs, and the decision whether to re-commission six months before the end
/// (at the start, if it runs for less). A subject with no end has its first annual review,
/// titled as recurring.
fn schedule(s: &Subject, start: NaiveDate, end: Option<NaiveDate>, audience: &str) -> Vec<ReviewDue> {
    let source = format!("{SOURCE}, {SCHEDULE_SOURCE}");
    let mut out = Vec::new();
    match end {
        Some(end) => {
            // Each anniversary counted from the start (so 29 February comes back in leap years);
            // `previous` stops the loop should a date fall off the calendar.
            let mut previous = start;
            for n in 1u32.. {
                let due = add_months(start, n.saturating_mul(12));
                if due >= end || due <= previous {
                    break;
                }
                out.push(review(s, "annual", "Annual review", due, audience, &source));
                previous = due;
            }
            let six_months_before = sub_months(end, 6);
            let (due, what) = if six_months_before >= start {
                (six_months_before, "Decide whether to re-commission")
            } else {
                (start, "Decide whether to re-commission (it runs for less than six months)")
            };
            out.push(review(s, "end-of-contract", what, due, audience, &source));
        }
        None => out.push(review(
            s,
            "annual",
            "Annual review (then every year on the anniversary of the start)",
            add_months(start, 12),
            audience,
            &source,
        )),
    }
    out
}

fn age_bands() -> Vec<AgeBand> {
    common_age_bands()
}

fn rules() -> Vec<Rule> {
    let mut rules = vec![
        rule(
            "stage-order",
            "A project takes the eight steps of specifying, then securing, then monitoring, in order and one step at a time; it may go back to an earlier step",
            "paragraph 33",
            true,
        ),
        rule(
            "level-known",
            "A project says whether it is strategic or service commissioning; a level that is neither is refused, and a missing one is a finding",
            "Levels of commissioning",
            false,
        ),
        rule(
            "strategic-first",
            "A service-level project may not be created or move forward (including on to securing) until strategic commissioning is done",
            "paragraphs 39 and 43",
            false,
        ),
        rule(
            "ideal-before-compare",
            "Current provision is compared with the ideal only once the ideal type, the target on the continuum of collaboration, is agreed",
            "paragraphs 33, 36-38 and 41",
            false,
        ),
        rule(
            "decommissioning-considered",
            "A project moves on to securing services only once decommissioning has been considered (yes); no or no answer stops it",
            "paragraph 33 (process for specifying)",
            false,
        ),
        rule(
            "strategic-executive-board",
            "Priorities and strategic-level items are commissioned by the Executive Board alone",
            "paragraph 34 (I); Commissioning responsibilities",
            false,
        ),
        rule(
            "centrally-retained",
            "A service for a low-incidence need, one calling for a county-wide, regional or national response, or one too risky to delegate is commissioned by the Executive Board",
            "paragraph 34 (II)",
            false,
        ),
        rule(
            "specialist-central",
            "Specialist services, not among the local services the Local Children's Boards commission, stay with the Executive Board",
            "paragraphs 34 (II) and 35",
            true,
        ),
        rule(
            "local-lcb",
            "Universal and targeted services in a locality are commissioned by that locality's Local Children's Board",
            "paragraph 35",
            false,
        ),
        rule(
            "localities",
            "The localities are the seven districts of 2005, one Local Children's Board each, matched as people write them; any other locality is refused naming the accepted ones",
            "Commissioning responsibilities; paragraph 35",
            true,
        ),
        rule(
            "no-locality-county-wide",
            "A universal or targeted service with no locality given is county-wide and retained by the Executive Board",
            "paragraph 34 (II); Service commissioning (\"delivered locally or County-wide\")",
            true,
        ),
        rule(
            "priority-types",
            "A strategic priority is a must-do, from performance or inspection, or a want-to-do, from visioning",
            "paragraph 42",
            false,
        ),
        rule(
            "continuum",
            "A service's current and target positions are on the continuum of collaboration: autonomy, co-ordination, integration, or new",
            "paragraph 37",
            false,
        ),
        rule(
            "continuum-direction",
            "A target further from integration than the current position, or one leaving a new approach for the continuum, is a warning",
            "paragraphs 37-38",
            true,
        ),
        rule(
            "continuum-target",
            "A service says where on the continuum it should move to (information)",
            "paragraph 38",
            true,
        ),
        rule(
            "annual-review",
            "Contracts and services are reviewed on each anniversary of their start while they run, by the body that commissions them; one with no end has its first annual review, recurring yearly",
            "paragraph 33 (monitoring the progress of planned change)",
            true,
        ),
        rule(
            "recommissioning-decision",
            "Whether to re-commission is decided six months before the end (at the start of a contract shorter than that), by the body that commissions it; the dates never depend on today",
            "paragraph 33 (monitoring the delivery of the improvement and decommissioning programme)",
            true,
        ),
        rule(
            "outcomes-themes-scale",
            "The self-evaluation rates the five outcomes and four underpinning themes 1 to 4: 1-2 weak, 3 adequate, 4 strong; a weak standard is offered the continuum of collaboration",
            "paragraphs 14 and 45",
            true,
        ),
    ];
    rules.extend(
        baseline::rules()
            .into_iter()
            .filter(|r| ["five-outcomes", "safeguarding-evidence", "contract-data"].contains(&r.id.as_str())),
    );
    rules
}

fn attribute_definitions() -> Vec<AttributeDefinition> {
    let mut defs = baseline::fields();
    defs.extend([
        choice_field("priority", "priority_type", "Type of strategic priority", &PRIORITY_TYPES, true, "paragraph 42"),
        choice_field("priority", "source", "Where the priority comes from", &PRIORITY_SOURCES, true, "paragraph 42"),
    ]);
    for kind in ["service", "project"] {
        defs.push(choice_field(
            kind,
            "level",
            "Level of commissioning",
            &LEVELS,
            kind == "project",
            "Levels of commissioning",
        ));
        defs.push(choice_field(kind, "area", "Locality (Local Children's Board)", &LOCALITIES, false, "paragraph 35"));
        for (key, label) in RETAINED {
            defs.push(AttributeDefinition {
                hint: Some(format!("Yes if {label}: the Executive Board retains it")),
                ..field(
                    kind,
                    key,
                    &format!("Retained centrally: {label}"),
                    AttributeKind::YesNo,
                    false,
                    "paragraph 34 (II)",
                )
            });
        }
        defs.push(choice_field(
            kind,
            "continuum_current",
            "Current position on the continuum of collaboration",
            &CONTINUUM,
            false,
            "paragraph 37",
        ));
        defs.push(choice_field(
            kind,
            "continuum_target",
            "Target position on the continuum of collaboration",
            &CONTINUUM,
            false,
            "paragraphs 37-38",
        ));
    }
    defs.extend([
        choice_field("stage-move", "level", "Level of commissioning", &LEVELS, true, "Levels of commissioning"),
        field(
            "stage-move",
            "strategic_commissioning_done",
            "Strategic commissioning done",
            AttributeKind::YesNo,
            false,
            "paragraphs 39 and 43",
        ),
        choice_field(
            "stage-move",
            "continuum_target",
            "Ideal type: target position on the continuum",
            &CONTINUUM,
            false,
            "paragraphs 33, 36-38",
        ),
        field(
            "stage-move",
            "decommissioning_considered",
            "Decommissioning considered",
            AttributeKind::YesNo,
            false,
            "paragraph 33",
        ),
    ]);
    defs
}

impl Guest for Durham {
    fn describe() -> Description {
        let mut bodies = vec![body(
            "executive-board",
            "Executive Board",
            "Represents the Children's Services Authority; alone commissions strategically, and commissions centrally retained services",
            None,
        )];
        bodies.extend(LOCALITIES.iter().map(|(id, name)| {
            body(
                &lcb(id),
                &format!("{name} Local Children's Board"),
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
            levels: LEVELS_DESCRIBED.iter().map(|(id, name, d)| level(id, name, d)).collect(),
            levels_of_need: vec![
                level("universal", "Universal", "Services for every child, delivered locally"),
                level("targeted", "Targeted", "Local services targeted to specific needs or to population-level need"),
                level("specialist", "Specialist", "Low-incidence needs, often calling for a county-wide, regional or national response"),
            ],
            age_bands: age_bands(),
            areas: LOCALITIES.iter().map(|(id, name)| area(id, name)).collect(),
            bodies,
            standards_sets: vec![standards_set()],
            calendar: Vec::new(),
            attribute_definitions: attribute_definitions(),
            rules: rules(),
            notes: vec![
                "The report names Local Children's Boards but not their areas; one board per district of 2005 is assumed.".into(),
                "The report sets no annual calendar and no age bands; the common five-year bands are used.".into(),
                "Paragraph 45 asks that everything be evaluated against the five outcomes and four themes (paragraph 14); the 1-4 scale and its bands are the platform's.".into(),
                "The report sets no review rhythm: an annual review and a decision six months before the end are assumed, for the body that commissions the service.".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(&format!("items[{i}]"), item)).collect()
    }

    fn review_schedule(_today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Monitoring KPIs and the improvement and decommissioning programme (paragraph 33), for
        // the body that commissioned the subject; today plays no part in the dates.
        let mut out = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            let (start, end) = subject_span(i, s)?;
            let body = classify_item(&format!("subjects[{i}]"), &subject_item(s))?.body;
            out.extend(schedule(s, start, end, &body));
        }
        Ok(out)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        baseline::validate_with(&today, &entities, |_, e| validate_entity(e))
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        score_against(&standards_set(), &evaluation, |_, band| {
            if band == "weak" {
                vec!["Consider co-ordination, integration or a new approach along the continuum of collaboration (paragraph 37)".into()]
            } else {
                Vec::new()
            }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        let areas: Vec<Area> = LOCALITIES.iter().map(|(id, name)| area(id, name)).collect();
        band_counts(by, &counts, &age_bands(), &areas)
    }
}

const LEVELS_DESCRIBED: [(&str, &str, &str); 2] = [
    (
        "strategic",
        "Strategic commissioning",
        "High-level analysis of needs, patterns and trends; indistinguishable from strategic planning",
    ),
    (
        "service",
        "Service commissioning",
        "Specifying, securing and monitoring individual services, locally or county-wide",
    ),
];

/// Paragraph 45: everything is evaluated against the five outcomes and the four themes (14).
fn standards_set() -> StandardsSet {
    StandardsSet {
        id: "outcomes-and-themes".into(),
        name: "The five outcomes and four underpinning themes".into(),
        standards: OUTCOMES
            .iter()
            .map(|(id, name)| standard(id, name, "Services are evaluated against this outcome"))
            .chain([
                standard(
                    "supporting-families",
                    "Supporting families and carers",
                    "The most critical influence on children's lives",
                ),
                standard(
                    "early-intervention",
                    "Intervention before crisis point",
                    "Children do not fall through the net",
                ),
                standard(
                    "accountability-integration",
                    "Accountability and integration",
                    "The weak accountability and poor co-ordination found by the Climbié report are addressed",
                ),
                standard(
                    "workforce",
                    "A valued, rewarded and trained workforce",
                    "People working with children are valued, rewarded and trained",
                ),
            ])
            .collect(),
        min_score: 1,
        max_score: 4,
        bands: vec![
            ScoreBand { id: "weak".into(), label: "Weak".into(), min_score: 1, max_score: 2 },
            ScoreBand { id: "adequate".into(), label: "Adequate".into(), min_score: 3, max_score: 3 },
            ScoreBand { id: "strong".into(), label: "Strong".into(), min_score: 4, max_score: 4 },
        ],
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
        // Paragraph 42. Each priority also names its outcome (paragraph 13: the outcomes
        // framework is the basis for agreeing local priorities), as the baseline's checks ask.
        let p = |attrs: &[(&str, &str)]| Entity {
            id: "p".into(),
            kind: "priority".into(),
            attributes: attrs.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![
                p(&[("priority_type", "must_do"), ("source", "inspection"), ("outcome", "stay_safe")]),
                p(&[("priority_type", "want_to_do"), ("source", "visioning"), ("outcome", "be_healthy")]),
                p(&[("priority_type", "must_do"), ("source", "visioning"), ("outcome", "stay_safe")]),
                p(&[("outcome", "stay_safe")]),
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

    fn mv(from: Option<&str>, to: &str, attrs: &[(&str, &str)]) -> StageMove {
        StageMove {
            project_id: "p".into(),
            from_stage: from.map(str::to_string),
            to_stage: to.into(),
            attributes: attrs.iter().map(|(k, v)| attribute(k, v)).collect(),
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn gate(moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        Durham::stage_gate("2026-11-24".into(), moves)
    }

    fn entity(kind: &str, attrs: &[(&str, &str)]) -> Entity {
        Entity { id: "e".into(), kind: kind.into(), attributes: attrs.iter().map(|(k, v)| attribute(k, v)).collect() }
    }

    fn subject(area: &str, end: Option<&str>) -> Subject {
        Subject {
            id: "s".into(),
            kind: if end.is_some() { "contract" } else { "service" }.into(),
            title: "Family support".into(),
            contract_kind: end.map(|_| "block".into()),
            tier: Some("universal".into()),
            start: "2025-04-01".into(),
            end: end.map(str::to_string),
            value_pence: 1,
            attributes: vec![attribute("area", area)],
        }
    }

    #[test]
    fn strategic_commissioning_comes_first_on_every_forward_move_of_a_service_project() {
        // Paragraph 39: strategic commissioning "will be required before Service Commissioning can
        // commence"; paragraph 43: priorities so identified then become service commissioning.
        // Moving a service-level project on, not only creating it, is service commissioning
        // proceeding.
        let service = [("level", "service")];
        let f = gate(vec![
            mv(Some("vision"), "analyse-need", &service),
            mv(
                Some("move-to-future"),
                "secure",
                &[("level", "service"), ("strategic_commissioning_done", "no"), ("decommissioning_considered", "yes")],
            ),
            mv(Some("analyse-need"), "vision", &service),
            mv(Some("vision"), "analyse-need", &[("level", "service"), ("strategic_commissioning_done", "yes")]),
            mv(Some("vision"), "analyse-need", &[("level", "strategic")]),
        ]);
        assert_eq!(codes(&f[0]), ["strategic-first"]);
        assert_eq!(codes(&f[1]), ["strategic-first"]);
        assert!(f[2].is_empty(), "going back is not commissioning proceeding: {:?}", f[2]);
        assert!(f[3].is_empty() && f[4].is_empty());
    }

    #[test]
    fn the_level_is_read_as_written_and_a_missing_one_is_a_finding() {
        // "Levels of commissioning": strategic and service; paragraph 39 can only be applied to
        // a project whose level is known.
        let f = gate(vec![
            mv(None, "vision", &[("level", "Service")]),
            mv(None, "vision", &[]),
            mv(None, "vision", &[("level", "regional")]),
            mv(None, "vision", &[("level", "Service Commissioning"), ("strategic_commissioning_done", "Yes")]),
        ]);
        assert_eq!(codes(&f[0]), ["strategic-first"]);
        assert_eq!(codes(&f[1]), ["missing-level"]);
        assert_eq!(codes(&f[2]), ["bad-choice"]);
        assert!(f[2][0].message.contains("strategic, service"), "{}", f[2][0].message);
        assert!(f[3].is_empty(), "{:?}", f[3]);
    }

    #[test]
    fn localities_match_as_written_and_an_unknown_one_is_refused_not_taken_as_missing() {
        // Paragraph 35: each Local Children's Board commissions universal services locally; the
        // locality says which board. Paragraph 34 (II) keeps county-wide services central.
        let c = classify(item("service", Some("universal"), Some("Chester le Street"), &[]));
        assert_eq!(c.body, "lcb-chester-le-street");
        assert_eq!(classify(item("service", Some("targeted"), Some("WEAR_VALLEY"), &[])).body, "lcb-wear-valley");
        let err = Durham::classify(vec![item("service", Some("universal"), Some("Narnia"), &[])]).unwrap_err();
        assert!(err.contains("items[0].area") && err.contains("Narnia"), "{err}");
        assert!(err.contains("Chester-le-Street") && err.contains("Wear Valley"), "{err}");
        assert!(!err.to_lowercase().contains("no locality"), "{err}");
        // Absent is still county-wide, and said to be absent.
        let c = classify(item("service", Some("universal"), None, &[]));
        assert_eq!(c.body, "executive-board");
        assert!(c.rationale.starts_with("No locality given"));
        // Its reviews follow: to the board of the locality as written, or refused.
        let r = Durham::review_schedule("2026-11-24".into(), vec![subject("chester le street", Some("2027-03-31"))])
            .unwrap();
        assert!(r.iter().all(|r| r.audience == "lcb-chester-le-street"), "{r:?}");
        let err =
            Durham::review_schedule("2026-11-24".into(), vec![subject("Narnia", Some("2027-03-31"))]).unwrap_err();
        assert!(err.contains("subjects[0].area") && err.contains("Teesdale"), "{err}");
        // And validate says so, naming the accepted localities.
        let v = Durham::validate(
            "2026-11-24".into(),
            vec![entity("service", &[("area", "Narnia"), ("continuum_target", "integration")])],
        );
        let found = v[0].iter().find(|f| f.field.as_deref() == Some("area")).expect("a finding on the area");
        assert_eq!(found.severity, Severity::Error);
        assert!(found.message.contains("chester-le-street"), "{}", found.message);
    }

    #[test]
    fn decommissioning_must_be_considered_before_services_are_secured() {
        // Paragraph 33: the process for specifying ends by "describing the commissioning and
        // decommissioning activity required"; securing follows it. "No" is not considering it.
        let to_secure = |v: Option<&str>| {
            let mut a = vec![("level", "strategic")];
            if let Some(v) = v {
                a.push(("decommissioning_considered", v));
            }
            mv(Some("move-to-future"), "secure", &a)
        };
        let f = gate(vec![to_secure(Some("no")), to_secure(None), to_secure(Some("yes")), to_secure(Some("maybe"))]);
        assert_eq!(codes(&f[0]), ["decommissioning-not-considered"]);
        assert_eq!(f[0][0].severity, Severity::Error);
        assert_eq!(codes(&f[1]), ["decommissioning-not-considered"]);
        assert!(f[2].is_empty());
        assert_eq!(codes(&f[3]), ["bad-yes-no"]);
    }

    #[test]
    fn leaving_a_new_approach_is_described_as_the_move_it_is() {
        // Paragraph 37: services move from autonomy towards co-ordination or integration, or
        // towards "a completely new service direction"; new is not further along the same line.
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![entity("service", &[("continuum_current", "new"), ("continuum_target", "integration")])],
        );
        let w = &f[0][0];
        assert_eq!(w.severity, Severity::Warning);
        assert!(!w.message.contains("further from integration"), "{}", w.message);
        assert!(w.message.contains("from a new approach back onto the continuum"), "{}", w.message);
        // Matched as written: "Co-ordination" is "coordination".
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![entity("service", &[("continuum_current", "Autonomy"), ("continuum_target", "coordination")])],
        );
        assert!(f[0].is_empty(), "{:?}", f[0]);
    }

    #[test]
    fn classify_refuses_values_it_does_not_recognise() {
        // Paragraph 34 (II) and "Levels of commissioning": a retained flag, level or tier that
        // cannot be read is not quietly taken as no, service or universal.
        for (tier, attrs) in [
            (Some("universal"), vec![("low_incidence", "perhaps")]),
            (Some("universal"), vec![("level", "regional")]),
            (Some("everyone"), vec![]),
        ] {
            let err = Durham::classify(vec![item("service", tier, Some("Easington"), &attrs)]).unwrap_err();
            assert!(err.starts_with("items[0]."), "{err}");
        }
        // A project says its level; a priority is strategic.
        assert!(Durham::classify(vec![item("project", Some("universal"), Some("Easington"), &[])]).is_err());
        assert!(Durham::classify(vec![item("priority", None, None, &[("level", "service")])]).is_err());
        let c = classify(item("service", Some("targeted"), Some("Easington"), &[("county_wide", "Yes")]));
        assert_eq!(c.body, "executive-board");
        assert!(c.rationale.contains("county-wide"), "{}", c.rationale);
        // With no tier the rationale does not claim one.
        let c = classify(item("service", None, Some("Easington"), &[]));
        assert_eq!(c.body, "lcb-easington");
        assert!(!c.rationale.contains("universal"), "{}", c.rationale);
    }

    #[test]
    fn validate_composes_the_baseline_data_checks() {
        // The platform's data core: a contract's dates in order and its value not negative; a
        // provider shows its safeguarding evidence (Children Act 2004, section 11, which the
        // report cites in paragraph 20 as section 12's duty to safeguard).
        let f = Durham::validate(
            "2026-11-24".into(),
            vec![
                entity("contract", &[("start", "2026-04-01"), ("end", "2025-04-01"), ("value_pence", "-100")]),
                entity("provider", &[("safeguarding_evidence", "no")]),
                entity("priority", &[("priority_type", "must_do"), ("source", "inspection")]),
            ],
        );
        assert!(codes(&f[0]).contains(&"ends-before-start") && codes(&f[0]).contains(&"negative-value"), "{:?}", f[0]);
        assert_eq!(codes(&f[1]), ["no-safeguarding-evidence"]);
        // Paragraph 13: the outcomes framework is the basis for agreeing local priorities.
        assert_eq!(codes(&f[2]), ["no-outcome"]);
    }

    #[test]
    fn review_dates_do_not_depend_on_today() {
        // Paragraph 33, monitoring the progress of planned change: the review rhythm is the
        // framework's (inferred), so the same subject has the same reviews whatever the date.
        let subjects = vec![subject("Easington", Some("2027-09-30")), subject("Teesdale", None)];
        let early = Durham::review_schedule("2025-01-01".into(), subjects.clone()).unwrap();
        let late = Durham::review_schedule("2031-06-15".into(), subjects).unwrap();
        assert_eq!(format!("{early:?}"), format!("{late:?}"));
        let dues: Vec<(&str, &str)> = early.iter().map(|r| (r.subject_id.as_str(), r.due.as_str())).collect();
        assert_eq!(dues, [("s", "2026-04-01"), ("s", "2027-04-01"), ("s", "2027-03-30"), ("s", "2026-04-01")]);
        assert!(early[3].title.contains("every year"), "{}", early[3].title);
        // A contract shorter than six months decides at its start, within its life.
        let mut short = subject("Easington", Some("2025-07-01"));
        short.start = "2025-04-01".into();
        let r = Durham::review_schedule("2026-11-24".into(), vec![short]).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].due, "2025-04-01");
    }

    #[test]
    fn the_rules_table_and_fields_name_what_the_framework_reads() {
        // Every rule the framework applies is listed with its paragraph, and the fields it reads
        // are defined with their kinds; the README carries the same table.
        let d = Durham::describe();
        let ids: Vec<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
        for id in ["strategic-first", "localities", "decommissioning-considered", "priority-types", "annual-review"] {
            assert!(ids.contains(&id), "{id}");
        }
        assert!(d.rules.iter().find(|r| r.id == "recommissioning-decision").unwrap().inferred);
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "rule ids are unique");
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
        assert_eq!(def("priority", "priority_type").kind, AttributeKind::Choice);
        assert_eq!(def("priority", "source").choices.len(), 3);
        assert!(def("stage-move", "level").required);
        assert_eq!(def("stage-move", "decommissioning_considered").kind, AttributeKind::YesNo);
        assert_eq!(def("service", "area").choices.len(), 7);
        assert_eq!(def("service", "continuum_target").choices.len(), 4);
        assert_eq!(def("provider", "safeguarding_evidence").kind, AttributeKind::Text);
    }

    #[test]
    fn the_steps_are_taken_in_order() {
        // Paragraph 33: the process for specifying, then securing, then monitoring.
        let f = gate(vec![
            mv(Some("vision"), "audit-provision", &[("level", "strategic")]),
            mv(None, "analyse-need", &[("level", "strategic")]),
        ]);
        assert_eq!(codes(&f[0]), ["skips-a-stage"]);
        assert_eq!(codes(&f[1]), ["start-at-first-stage"]);
    }

    #[test]
    fn a_service_says_where_it_should_move_on_the_continuum() {
        // Paragraph 38: strategic managers are explicit about which services should move towards
        // co-ordination, integration or a new approach.
        let f = Durham::validate("2026-11-24".into(), vec![entity("service", &[("continuum_current", "autonomy")])]);
        assert_eq!(codes(&f[0]), ["continuum-target-missing"]);
        assert_eq!(f[0][0].severity, Severity::Info);
    }

    #[test]
    fn self_evaluation_rates_the_five_outcomes_and_four_themes() {
        // Paragraph 45: everything is evaluated against the five outcomes and the four themes of
        // paragraph 14; a weak standard is offered the continuum of collaboration (paragraph 37).
        let set = &Durham::describe().standards_sets[0];
        assert_eq!(set.standards.len(), 9);
        let s = Durham::score_self_evaluation(SelfEvaluation {
            standards_set_id: set.id.clone(),
            scores: set
                .standards
                .iter()
                .map(|st| Score { standard_id: st.id.clone(), score: 2, evidence: "Audit".into(), rater: None })
                .collect(),
        })
        .unwrap();
        assert_eq!(s.band_id.as_deref(), Some("weak"));
        assert!(s.results.iter().all(|r| r.options.len() == 1));
    }

    #[test]
    fn the_readme_rules_table_matches_describe_and_names_real_tests() {
        // Each rule is traced to the document in the README, stated or inferred, with its test.
        let problems =
            rules_table_problems(&Durham::describe().rules, include_str!("../README.md"), include_str!("lib.rs"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
