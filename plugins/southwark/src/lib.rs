//! Southwark: the Young Southwark children's trust commissioning framework. Section numbers
//! below are the framework's own.
//!
//! Levels of need: levels 1 and 2 commissioned through the four locality quadrants, higher and
//! specialist needs borough-wide or cross-borough, individual commissioning by spot purchase
//! (section 3); eleven commissioning standards (5); the service redesign process (8); criteria
//! for commissioning from the voluntary and community sector (9.1); three-year contracts
//! preferred (10); quarterly quality assurance by the commissioning unit (3.1).
//!
//! Every rule the plugin applies is in [`rules`], and in the crate's README.md with the test
//! that pins it.

use commissioning_sdk::*;

struct Southwark;
commissioning_sdk::export!(Southwark);

const SOURCE: &str = "Young Southwark children's trust commissioning framework";

const S3: &str = "Section 3: Southwark's approach to commissioning";
const S31: &str = "Section 3.1: borough wide commissioning";
const S32: &str = "Section 3.2: locality commissioning";
const S33: &str = "Section 3.3: individual commissioning";
const S5: &str = "Section 5: commissioning standards";
const S61: &str = "Section 6.1: needs assessment";
const S8: &str = "Section 8: service redesign process";
const S8_PROCUREMENT: &str = "Section 8: procurement";
const S9: &str = "Section 9: commissioning from the voluntary and community sector";
const S91: &str = "Section 9.1: criteria for commissioning";
const S10: &str = "Section 10: purchasing and contracting";

/// Section 3.2: the four quadrants.
const QUADRANTS: [&str; 4] = [
    "Bermondsey and Rotherhithe",
    "Borough and Bankside and Walworth",
    "Peckham and Nunhead and Peckham Rye",
    "Camberwell and Dulwich",
];

/// The places each quadrant is named after (its index in `QUADRANTS`, the place folded to
/// lower-case letters), so "Peckham" or "Bermondsey & Rotherhithe" names its quadrant.
const PLACES: [(usize, &str); 10] = [
    (0, "bermondsey"),
    (0, "rotherhithe"),
    (1, "borough"),
    (1, "bankside"),
    (1, "walworth"),
    (2, "peckhamrye"),
    (2, "peckham"),
    (2, "nunhead"),
    (3, "camberwell"),
    (3, "dulwich"),
];

/// Section 3: the levels of need. The figure is missing from the source; the text names levels
/// 1 and 2 (locality) and level 3 and higher needs (borough wide).
const LEVELS: [(&str, &str); 3] = [("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3 and above")];
/// The levels as they may be written: "3+" is level 3 and above.
const LEVEL_NAMES: [(&str, &str); 4] = [LEVELS[0], LEVELS[1], LEVELS[2], ("3", "3+")];

/// The data core's provider sectors.
const SECTORS: [(&str, &str); 3] = [
    ("statutory", "Statutory"),
    ("voluntary_community", "Voluntary and community"),
    ("independent_private", "Independent or private"),
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

/// Section 8, procurement: review current contracts and either re-commission, decommission,
/// tender or undertake strategic partnering.
const ROUTES: [(&str, &str); 4] = [
    ("re-commission", "Re-commission"),
    ("decommission", "Decommission"),
    ("tender", "Tender"),
    ("strategic-partnering", "Strategic partnering"),
];

/// "Strategic partnering (only for large contracts)": the framework sets no figure; a contract
/// of at least this value (£1,000,000) counts as large.
const LARGE_CONTRACT_PENCE: i64 = 100_000_000;

/// Section 9.1: "the majority (at least 80%) of beneficiaries".
const LOCAL_SHARE_PERCENT: f64 = 80.0;

/// Section 3.1: "services are reviewed and quality assured by the unit on a quarterly basis".
/// The framework's calendar puts each quarter's quality assurance in the last month of a
/// financial quarter.
const QA_MONTHS: [(u8, &str); 4] = [(6, "Q1"), (9, "Q2"), (12, "Q3"), (3, "Q4")];

/// Section 10: "three year contracts where appropriate will be preferred".
const PREFERRED_CONTRACT_MONTHS: u32 = 36;

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

/// The standard whose band caps the overall band.
const SAFEGUARDING_STANDARD: &str = "safeguarding";

/// Section 9.1: the yes/no criteria a voluntary or community organisation meets.
const VCS_YES_NO: [(&str, &str, &str); 4] = [
    (
        "safe_organisation_checklist",
        "Safe Organisation Checklist and health and safety policies",
        "have up-to-date health and safety policies and procedures and meet all the requirements of the Southwark Safeguarding Board 'Safe Organisation Checklist'",
    ),
    (
        "enhanced_checks_all_staff",
        "Child protection policies and enhanced CRB checks for all staff and volunteers",
        "have robust child protection policies and show enhanced criminal records checks for all staff and volunteers in contact with children",
    ),
    (
        "management_information_system",
        "Appropriate management information system",
        "have an appropriate management information system",
    ),
    (
        "young_people_involved",
        "Young people involved in decisions on delivery",
        "involve young people in decision-making on the delivery of its services",
    ),
];

const BENEFICIARIES_KEY: &str = "southwark_beneficiaries_percent";

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

fn quadrant_list() -> String {
    QUADRANTS.join("; ")
}

/// The places a name is made of (indexes into `PLACES`), read as a run of known place names
/// with or without "and" between them (case, spaces and punctuation aside), longest place first.
fn places_in(folded: &str) -> Option<Vec<usize>> {
    if folded.is_empty() {
        return Some(Vec::new());
    }
    let mut by_length: Vec<(usize, &str)> = PLACES.iter().enumerate().map(|(i, (_, p))| (i, *p)).collect();
    by_length.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
    for (i, place) in by_length {
        let Some(rest) = folded.strip_prefix(place) else { continue };
        let tails = [Some(rest), rest.strip_prefix("and").filter(|r| !r.is_empty())];
        for tail in tails.into_iter().flatten() {
            if let Some(mut more) = places_in(tail) {
                more.insert(0, i);
                return Some(more);
            }
        }
    }
    None
}

/// The quadrant a written area names: its full name, its id, or one or more of the places it is
/// named after ("Peckham", "Nunhead", "Bermondsey & Rotherhithe"), case and punctuation aside.
/// "Borough" alone is refused: it also reads as the whole borough. An area naming places in two
/// quadrants, or no known place, is refused naming the four quadrants.
fn quadrant(written: &str) -> Result<&'static str, String> {
    let folded: String =
        written.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let unknown = || format!("{written:?} is not one of the four quadrants: {}", quadrant_list());
    if folded.is_empty() {
        return Err(unknown());
    }
    if folded == "borough" {
        return Err(format!(
            "{written:?} is ambiguous: write \"Borough and Bankside and Walworth\" for that quadrant, or give no quadrant for borough-wide commissioning (the four quadrants: {})",
            quadrant_list()
        ));
    }
    // The longest quadrant name is under 40 letters; a longer value names no quadrant (and
    // reading it place by place would take a step per place).
    if folded.chars().count() > 80 {
        return Err(unknown());
    }
    let places = places_in(&folded).ok_or_else(unknown)?;
    // Each place once: a quadrant's name does not repeat a place.
    let mut seen = Vec::new();
    for p in &places {
        if seen.contains(p) {
            return Err(unknown());
        }
        seen.push(*p);
    }
    let mut quadrants: Vec<usize> = places.iter().map(|p| PLACES[*p].0).collect();
    quadrants.sort_unstable();
    quadrants.dedup();
    match quadrants.as_slice() {
        [q] => Ok(QUADRANTS[*q]),
        [] => Err(unknown()),
        several => Err(format!(
            "{written:?} names places in more than one quadrant ({}); give one of the four quadrants: {}",
            several.iter().map(|q| QUADRANTS[*q]).collect::<Vec<_>>().join("; "),
            quadrant_list()
        )),
    }
}

fn locality_team(q: &str) -> String {
    format!("locality-{}", slug(q))
}

fn level_refusal(written: &str) -> String {
    format!(
        "level of need {written:?} is not one of {} (3 stands for level 3 and above, higher and specialist needs)",
        listed(&LEVELS)
    )
}

/// An item's value from its own field or, failing that, from its attributes; the two must agree.
fn item_value<'a>(item: &'a Item, own: Option<&'a str>, key: &str) -> Result<Option<&'a str>, String> {
    let own = own.map(str::trim).filter(|v| !v.is_empty());
    match (own, attr(&item.attributes, key)) {
        (Some(a), Some(b)) if !same_name(a, b) => {
            Err(format!("item {:?}: {key} is given twice, as {a:?} and as {b:?}", item.id))
        }
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

/// The findings of a typed reader as one error string naming the item.
fn refused(item: &Item, findings: Vec<Finding>) -> Result<(), String> {
    if findings.is_empty() {
        return Ok(());
    }
    let messages: Vec<String> = findings.into_iter().map(|f| f.message).collect();
    Err(format!("item {:?}: {}", item.id, messages.join("; ")))
}

fn classify_item(i: usize, item: &Item) -> Result<Classification, String> {
    let mut f = Fields::new(&item.attributes, S33);
    let individual = f.yes_no("individual");
    let kind = f.choice("contract_kind", &baseline::CONTRACT_KINDS);
    refused(item, f.into_findings())?;
    let tier = baseline::tier_of(i, item).map_err(|m| format!("item {:?}: {m}", item.id))?;
    let level = match item_value(item, item.level_of_need.as_deref(), "level_of_need")? {
        Some(v) => Some(pick(v, &LEVEL_NAMES).ok_or_else(|| format!("item {:?}: {}", item.id, level_refusal(v)))?),
        None => None,
    };
    let area = match item_value(item, item.area.as_deref(), "area")? {
        Some(a) => Some((a, quadrant(a).map_err(|m| format!("item {:?}: area: {m}", item.id))?)),
        None => None,
    };
    let (level_id, body, rationale, section) = if individual == Some(true) || kind == Some("spot") {
        (
            "individual",
            "lead-practitioners".to_string(),
            "Individual commissioning: spot purchase by lead practitioners, or by young people and families themselves"
                .to_string(),
            S33,
        )
    } else {
        let (need, from) = match (level, tier) {
            (Some(l), _) => (l, format!("level of need {l}")),
            (None, Some(t)) => {
                let l = match t {
                    "universal" => "1",
                    "targeted" => "2",
                    _ => "3",
                };
                (l, format!("level of need {l}, from tier {t}"))
            }
            (None, None) => {
                return Err(format!(
                    "item {:?}: give a level of need ({}) or a tier ({})",
                    item.id,
                    listed(&LEVELS),
                    listed(&baseline::TIERS)
                ));
            }
        };
        match (need, area) {
            ("1" | "2", Some((written, q))) => {
                let as_written = if same_name(written, q) || same_name(written, &slug(q)) {
                    String::new()
                } else {
                    format!(" (given as {written:?})")
                };
                (
                    "locality",
                    locality_team(q),
                    format!(
                        "Levels 1 and 2 are commissioned through locality provision ({from}): the {q} quadrant{as_written}"
                    ),
                    S32,
                )
            }
            ("1" | "2", None) => (
                "borough-wide",
                "commissioning-unit".to_string(),
                format!(
                    "No quadrant was given, so this level 1-2 provision ({from}) is commissioned borough-wide by the commissioning unit"
                ),
                S31,
            ),
            _ => (
                "borough-wide",
                "young-southwark".to_string(),
                format!(
                    "Higher needs and specialist provision ({from}) are commissioned borough-wide or cross-borough"
                ),
                S3,
            ),
        }
    };
    Ok(Classification {
        item_id: item.id.clone(),
        level: level_id.into(),
        body,
        rationale,
        source: Some(format!("{SOURCE}, {section}")),
    })
}

/// A yes/no the framework needs to be yes: absent or "no" is the finding `code`.
fn must_be_yes(f: &mut Fields, key: &str, code: &str, message: &str, source: &str) {
    match f.yes_no(key) {
        Some(true) => {}
        Some(false) => f.push(error(code, message.to_string(), Some(key), source)),
        None if !f.present(key) => f.push(error(code, format!("{message} (answer yes or no)"), Some(key), source)),
        None => {}
    }
}

/// Section 9.1: criteria for commissioning from the voluntary and community sector.
fn vcs_criteria(f: &mut Fields) {
    // "The majority (at least 80%) of beneficiaries of applications should be Southwark young
    // people aged from birth to 19 years (or 11 to 25 years for young people with special
    // needs)": one share, of beneficiaries who are Southwark young people in those ages.
    let share = f.share(BENEFICIARIES_KEY);
    if !f.present(BENEFICIARIES_KEY) {
        f.push(error(
            "missing-southwark-beneficiaries-percent",
            "State the share of beneficiaries who are Southwark young people aged 0-19 (or 11-25 with special needs)",
            Some(BENEFICIARIES_KEY),
            S91,
        ));
    }
    if let Some(p) = share
        && p < LOCAL_SHARE_PERCENT
    {
        f.push(error(
            "local-beneficiaries",
            format!(
                "At least 80% of beneficiaries must be Southwark young people aged 0-19 (or 11-25 with special needs); this is {p}%"
            ),
            Some(BENEFICIARIES_KEY),
            S91,
        ));
    }
    let ages = f.age_range("beneficiary_ages");
    let special_needs = f.yes_no("special_needs");
    if let Some((from, to)) = ages
        && from > 19
        && special_needs != Some(true)
    {
        f.push(error(
            "beneficiary-ages",
            format!(
                "A service for ages {from}-{to} has no beneficiaries aged 0-19: only young people with special needs (11 to 25) can count towards the 80%, and it does not say it serves them"
            ),
            Some("beneficiary_ages"),
            S91,
        ));
    }
    for (key, _, what) in VCS_YES_NO {
        let message = format!("A voluntary or community organisation must {what}");
        must_be_yes(f, key, &key.replace('_', "-"), &message, S91);
    }
}

fn provider_findings(e: &Entity, application: bool) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, S9);
    let sector = f.choice("sector", &SECTORS);
    if !application {
        f.require(
            "sector",
            "State the provider's sector: the criteria of section 9.1 apply to voluntary and community organisations",
        );
    }
    if application || sector == Some("voluntary_community") {
        vcs_criteria(&mut f);
    } else {
        // The criteria do not apply, but values given for them are still read by kind: a bad
        // one is a finding, never passed over.
        f.share(BENEFICIARIES_KEY);
        f.age_range("beneficiary_ages");
        f.yes_no("special_needs");
        for (key, _, _) in VCS_YES_NO {
            f.yes_no(key);
        }
    }
    f.into_findings()
}

fn contract_findings(e: &Entity) -> Vec<Finding> {
    // The baseline reports bad or missing dates and kinds; these readers only look.
    let mut quiet = Fields::new(&e.attributes, S10);
    let start = quiet.day("start");
    let end = quiet.day("end");
    let kind = quiet.choice("contract_kind", &baseline::CONTRACT_KINDS);
    let mut out = Vec::new();
    if let (Some(s), Some(en)) = (start, end)
        && en >= s
        && kind != Some("spot")
        && en.succ_opt().is_some_and(|after| after < add_months(s, PREFERRED_CONTRACT_MONTHS))
    {
        out.push(warning(
            "three-year-contracts",
            "Three-year contracts are preferred, where appropriate, over one-year service level agreements, for stability and capacity; this contract runs less than three years",
            Some("end"),
            S10,
        ));
    }
    out
}

/// A service, priority or need: its level of need and quadrant must be known ones.
fn placement_findings(e: &Entity) -> Vec<Finding> {
    let mut f = Fields::new(&e.attributes, S3);
    if let Some(v) = f.raw("level_of_need")
        && pick(v, &LEVEL_NAMES).is_none()
    {
        f.push(error("unknown-level-of-need", level_refusal(v), Some("level_of_need"), S3));
    }
    if let Some(v) = f.text("area")
        && let Err(m) = quadrant(v)
    {
        f.push(error("unknown-quadrant", m, Some("area"), S32));
    }
    f.yes_no("individual");
    f.choice("contract_kind", &baseline::CONTRACT_KINDS);
    f.into_findings()
}

fn own_findings(_today: NaiveDate, e: &Entity) -> Vec<Finding> {
    match e.kind.as_str() {
        "provider" => provider_findings(e, false),
        "vcs-application" => provider_findings(e, true),
        "contract" => contract_findings(e),
        "service" | "priority" | "need" => placement_findings(e),
        _ => Vec::new(),
    }
}

/// The contract value a strategic-partnering move gives, in pence: `contract_value` in pounds,
/// or `value_pence` as the host passes it; both, if given, must agree.
fn move_value(f: &mut Fields) -> Option<i64> {
    let pounds = f.money("contract_value");
    let pence = f.pence("value_pence");
    match (pounds, pence) {
        (Some(a), Some(b)) if a != b => {
            f.push(error(
                "contract-value-mismatch",
                format!("contract_value (£{}) and value_pence ({b}p) disagree", pounds_text(a)),
                Some("contract_value"),
                S8_PROCUREMENT,
            ));
            None
        }
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

fn pounds_text(pence: i64) -> String {
    let pounds = pence / 100;
    let digits = pounds.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if pence < 0 { "-" } else { "" };
    match pence.unsigned_abs() % 100 {
        0 => format!("{sign}{grouped}"),
        p => format!("{sign}{grouped}.{p:02}"),
    }
}

fn gate(m: &StageMove) -> Vec<Finding> {
    let ids: Vec<&str> = STAGES.iter().map(|s| s.0).collect();
    let mut out = ordered_move(&ids, m, S8);
    let mut f = Fields::new(&m.attributes, S8);
    match m.to_stage.as_str() {
        "formal-consultation" => must_be_yes(
            &mut f,
            "user_consultation",
            "user-consultation",
            "Redesigning the child's journey involves user consultation: record that it took place",
            "Section 8: redesigning the child's journey",
        ),
        "procurement" => {
            if f.text("specification_agreed_by").is_none() && !f.present("specification_agreed_by") {
                f.push(error(
                    "specification-agreed",
                    "The final specification is agreed by the appropriate project board or senior management team: say which",
                    Some("specification_agreed_by"),
                    "Section 8: decision period",
                ));
            }
            let route = match f.raw("procurement_route") {
                None => {
                    f.push(error(
                        "procurement-route",
                        format!("Choose a route: {}", listed(&ROUTES)),
                        Some("procurement_route"),
                        S8_PROCUREMENT,
                    ));
                    None
                }
                Some(r) => {
                    let id = pick(r, &ROUTES);
                    if id.is_none() {
                        f.push(error(
                            "procurement-route",
                            format!("{r:?} is not a route: {}", listed(&ROUTES)),
                            Some("procurement_route"),
                            S8_PROCUREMENT,
                        ));
                    }
                    id
                }
            };
            match route {
                Some("strategic-partnering") => {
                    let given = f.present("contract_value") || f.present("value_pence");
                    match move_value(&mut f) {
                        Some(v) if v < LARGE_CONTRACT_PENCE => f.push(error(
                            "strategic-partnering-large-only",
                            format!(
                                "Strategic partnering is only for large contracts (£{} or more); this one is £{}",
                                pounds_text(LARGE_CONTRACT_PENCE),
                                pounds_text(v)
                            ),
                            Some("procurement_route"),
                            S8_PROCUREMENT,
                        )),
                        Some(_) => {}
                        None if !given => f.push(error(
                            "strategic-partnering-value",
                            "Strategic partnering is only for large contracts: give the contract's value (contract_value, in pounds)",
                            Some("contract_value"),
                            S8_PROCUREMENT,
                        )),
                        None => {}
                    }
                }
                Some("decommission") if f.text("evidence").is_none() && !f.present("evidence") => f.push(warning(
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
    out.extend(f.into_findings());
    out
}

/// The last day of a month.
fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = add_months(first, 1);
    if next > first { next.pred_opt() } else { None }
}

/// Section 3.1: quality assurance in each quarter month (the framework's calendar) that the
/// subject runs in, due on that month's last day, or on the subject's last day when it ends
/// earlier in the month. A subject with no end is listed from its start to `horizon`.
fn qa_dates(start: NaiveDate, end: Option<NaiveDate>, horizon: NaiveDate) -> Vec<NaiveDate> {
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let last = end.unwrap_or(horizon);
    let mut out = Vec::new();
    for k in index(start)..=index(last) {
        let (Ok(year), Ok(month)) = (i32::try_from(k.div_euclid(12)), u32::try_from(k.rem_euclid(12) + 1)) else {
            continue;
        };
        if !QA_MONTHS.iter().any(|(m, _)| u32::from(*m) == month) {
            continue;
        }
        let Some(due) = month_end(year, month) else { continue };
        match end {
            Some(end) => out.push(due.min(end)),
            None if due <= horizon => out.push(due),
            None => {}
        }
    }
    out
}

/// Six months before a contract's end; a contract ending on a month's last day is decided on
/// the last day of the month six months earlier, so month ends do not drift.
fn six_months_before(end: NaiveDate) -> NaiveDate {
    let before = sub_months(end, 6);
    let end_is_month_end = end.succ_opt().is_some_and(|next| next.month() != end.month());
    if end_is_month_end { month_end(before.year(), before.month()).unwrap_or(before) } else { before }
}

fn schedule(subjects: &[Subject]) -> Result<Vec<ReviewDue>, String> {
    let mut out = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        let (start, end) = subject_span(i, s)?;
        // A subject with no end lists the quality assurance of its first year, counted from its
        // start, so the list is the same whatever today is; the platform asks again for the
        // next year with that year's start.
        let horizon = add_months(start, 12);
        for due in qa_dates(start, end, horizon) {
            out.push(review(s, "quarterly-qa", "Quarterly quality assurance", due, "commissioning-unit", S31));
        }
        if let Some(end) = end {
            out.push(review(
                s,
                "procurement-decision",
                "Re-commission, decommission or tender",
                six_months_before(end).max(start),
                "young-southwark",
                S8_PROCUREMENT,
            ));
        }
    }
    Ok(out)
}

fn hinted(mut d: AttributeDefinition, hint: &str) -> AttributeDefinition {
    d.hint = Some(hint.to_string());
    d
}

/// The fields the framework asks for, beyond the baseline's.
fn attribute_definitions() -> Vec<AttributeDefinition> {
    let mut out = baseline::fields();
    for (kind, application) in [("provider", false), ("vcs-application", true)] {
        out.push(hinted(
            choice_field(kind, "sector", "Sector", &SECTORS, !application, S9),
            "The criteria of section 9.1 apply to voluntary and community organisations",
        ));
        out.push(hinted(
            field(
                kind,
                BENEFICIARIES_KEY,
                "Beneficiaries who are Southwark young people aged 0-19 (or 11-25 with special needs)",
                AttributeKind::Share,
                application,
                S91,
            ),
            "Per cent of all beneficiaries; at least 80% for a voluntary or community organisation",
        ));
        out.push(hinted(
            field(kind, "beneficiary_ages", "Ages of beneficiaries", AttributeKind::AgeRange, false, S91),
            "e.g. 0-19; a service only for ages over 19 counts only young people with special needs",
        ));
        out.push(field(
            kind,
            "special_needs",
            "Serves young people with special needs (11 to 25)",
            AttributeKind::YesNo,
            false,
            S91,
        ));
        for (key, label, _) in VCS_YES_NO {
            out.push(hinted(
                field(kind, key, label, AttributeKind::YesNo, application, S91),
                "Must be yes for a voluntary or community organisation",
            ));
        }
    }
    for kind in ["service", "priority", "need"] {
        out.push(choice_field(kind, "level_of_need", "Level of need", &LEVELS, false, S3));
        let choices: Vec<(String, &str)> = QUADRANTS.iter().map(|q| (slug(q), *q)).collect();
        let pairs: Vec<(&str, &str)> = choices.iter().map(|(id, name)| (id.as_str(), *name)).collect();
        out.push(hinted(
            choice_field(kind, "area", "Quadrant", &pairs, false, S32),
            "Levels 1 and 2 are commissioned in the quadrant's locality team; a place in a quadrant's name (e.g. Peckham) names it; no quadrant means borough-wide",
        ));
    }
    out.push(hinted(
        field("service", "individual", "Individual commissioning", AttributeKind::YesNo, false, S33),
        "Spot purchase by lead practitioners, or by young people and families (direct payments, Youth Opportunity Fund)",
    ));
    out.push(hinted(
        choice_field("service", "contract_kind", "Contract kind", &baseline::CONTRACT_KINDS, false, S33),
        "A spot purchase is individual commissioning",
    ));
    out.push(field("contract", "start", "Start", AttributeKind::Date, true, S10));
    out.push(field("contract", "end", "End", AttributeKind::Date, false, S10));
    out.push(hinted(
        choice_field("contract", "contract_kind", "Contract kind", &baseline::CONTRACT_KINDS, false, S10),
        "Three-year contracts are preferred; spot purchases are exempt",
    ));
    out.push(hinted(
        field("stage-move", "user_consultation", "User consultation took place", AttributeKind::YesNo, false, S8),
        "Needed to move to formal consultation",
    ));
    out.push(hinted(
        field(
            "stage-move",
            "specification_agreed_by",
            "Final specification agreed by",
            AttributeKind::Text,
            false,
            "Section 8: decision period",
        ),
        "The project board or senior management team; needed to move to procurement",
    ));
    out.push(hinted(
        choice_field("stage-move", "procurement_route", "Procurement route", &ROUTES, false, S8_PROCUREMENT),
        "Needed to move to procurement",
    ));
    out.push(hinted(
        field("stage-move", "contract_value", "Contract value", AttributeKind::Money, false, S8_PROCUREMENT),
        "In pounds; strategic partnering is only for large contracts (£1,000,000 or more)",
    ));
    out.push(hinted(
        field("stage-move", "value_pence", "Contract value in pence", AttributeKind::Number, false, S8_PROCUREMENT),
        "As the platform passes it; give this or the contract value",
    ));
    out.push(hinted(
        field("stage-move", "evidence", "Evidence for decommissioning", AttributeKind::Text, false, S8_PROCUREMENT),
        "Where services are not meeting the needs of the population",
    ));
    out
}

/// The rules table: every rule the plugin applies.
fn rules() -> Vec<Rule> {
    let mut out = vec![
        rule(
            "levels-of-need",
            "Three levels of need: 1, 2, and 3 (level 3 and above). An item's own level is used, else its tier (universal 1, targeted 2, specialist 3); any other level or tier is refused naming the accepted ones",
            S3,
            true,
        ),
        rule(
            "locality-levels-1-2",
            "Levels 1 and 2 are commissioned through the locality team of the item's quadrant",
            "Sections 3 and 3.2",
            false,
        ),
        rule(
            "four-quadrants",
            "The four quadrants are Bermondsey and Rotherhithe; Borough and Bankside and Walworth; Peckham and Nunhead and Peckham Rye; Camberwell and Dulwich. A quadrant is named by its name, its id, or places it is named after (\"Peckham\", \"Bermondsey & Rotherhithe\"), case and punctuation aside; \"Borough\" alone (it also reads as the whole borough), places in two quadrants, or anything else is refused naming the four",
            S32,
            true,
        ),
        rule(
            "no-quadrant-borough-wide",
            "Level 1-2 provision with no quadrant given is commissioned borough-wide by the commissioning unit",
            S31,
            true,
        ),
        rule(
            "higher-needs-borough-wide",
            "Higher needs and specialist provision (level 3 and above) are commissioned borough-wide or cross-borough, under Young Southwark",
            "Sections 3 and 4",
            false,
        ),
        rule(
            "individual-spot-purchase",
            "An item marked individual, or a spot purchase, is individual commissioning by lead practitioners or by young people and families",
            S33,
            false,
        ),
        rule(
            "eleven-standards",
            "Eleven commissioning standards, from user focused to safeguarding and promoting the welfare of children",
            S5,
            false,
        ),
        rule(
            "standards-scale",
            "Each standard is rated 1 to 4; 3 and above is met; the overall band is reached by the mean of the standards' scores, only once every standard is rated",
            S5,
            true,
        ),
        rule(
            "safeguarding-caps",
            "The overall band is never better than the safeguarding standard's own band",
            "Section 5 (safeguarding) and section 2 (objectives)",
            true,
        ),
        rule(
            "redesign-stages",
            "A redesign moves through preparation, review, redesigning the child's journey, formal consultation, decision period and procurement, one stage at a time; it may go back",
            S8,
            false,
        ),
        rule(
            "user-consultation",
            "A project leaves redesigning the child's journey (to formal consultation) only when user consultation took place",
            "Section 8: redesigning the child's journey",
            false,
        ),
        rule(
            "specification-agreed",
            "A project moves to procurement only when the final specification is agreed by the project board or senior management team, named",
            "Section 8: decision period",
            false,
        ),
        rule(
            "procurement-route",
            "Procurement takes one of four routes: re-commission, decommission, tender or strategic partnering; any other is refused naming them",
            S8_PROCUREMENT,
            false,
        ),
        rule(
            "strategic-partnering-large",
            "Strategic partnering is only for large contracts: the contract's value must be given, and £1,000,000 or more counts as large",
            S8_PROCUREMENT,
            true,
        ),
        rule(
            "decommission-evidence",
            "Decommissioning records the evidence that the service is not meeting the needs of the population (a warning when missing)",
            "Sections 5 (evidence based) and 8",
            true,
        ),
        rule(
            "vcs-criteria-apply",
            "The criteria of section 9.1 apply to providers of the voluntary and community sector and to VCS applications; a provider states its sector",
            S9,
            false,
        ),
        rule(
            "vcs-local-beneficiaries",
            "At least 80% of beneficiaries are Southwark young people aged from birth to 19, or 11 to 25 for young people with special needs: one share, which must be given",
            S91,
            false,
        ),
        rule(
            "vcs-beneficiary-ages",
            "A service only for ages over 19 can count only young people with special needs towards the 80%, so it must say it serves them",
            S91,
            false,
        ),
        rule(
            "vcs-safe-organisation",
            "Up-to-date health and safety policies, and all the requirements of the Safe Organisation Checklist met",
            S91,
            false,
        ),
        rule(
            "vcs-enhanced-checks",
            "Robust child protection policies, and enhanced criminal records checks for all staff and volunteers in contact with children",
            S91,
            false,
        ),
        rule("vcs-management-information", "An appropriate management information system", S91, false),
        rule(
            "vcs-young-people-involved",
            "Young people are involved in decision-making on the delivery of the organisation's services",
            S91,
            false,
        ),
        rule(
            "three-year-contracts",
            "A contract (other than a spot purchase) running less than three years, start to end inclusive, is warned: three-year contracts are preferred where appropriate",
            S10,
            true,
        ),
        rule(
            "quarterly-qa",
            "The commissioning unit quality-assures each contract or service quarterly, in June, September, December and March (the framework's calendar): one review in each of those months the subject runs in, due on the month's last day or the subject's last day if it ends earlier that month; a subject with no end lists its first year of reviews, counted from its start. The schedule never depends on today",
            S31,
            true,
        ),
        rule(
            "procurement-decision",
            "Whether to re-commission, decommission or tender is decided six months before a contract ends (a month's last day stays a month's last day), by Young Southwark",
            S8_PROCUREMENT,
            true,
        ),
        rule(
            "needs-assessment-yearly",
            "The needs assessment is updated yearly, in April to June, at the review stage",
            S61,
            true,
        ),
        rule(
            "age-bands",
            "Counts are banded by age 0-10, 11-19 and 20-25 (special needs), and by area into the four quadrants, named as in four-quadrants",
            S91,
            true,
        ),
    ];
    let from_baseline = ["five-outcomes", "safeguarding-evidence", "contract-data"];
    out.extend(baseline::rules().into_iter().filter(|r| from_baseline.contains(&r.id.as_str())));
    out.push(rule(
        "typed-values",
        "Every value is read by its kind: shares are per cents from 0 to 100, money is in pounds (\"£1,234.56\", \"1,000,000\"), dates are real dates, yes/no is yes or no, choices are among the accepted values; a bad value is a finding naming the field, never a default",
        "All sections: the fields the framework asks for",
        true,
    ));
    out.push(rule(
        "known-values",
        "Tiers, contract kinds and age ranges (whole years 0-25, from before to) are ones the platform knows",
        baseline::SOURCE,
        true,
    ));
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
        let mut calendar: Vec<CalendarEntry> = QA_MONTHS
            .iter()
            .map(|(month, quarter)| CalendarEntry {
                name: format!("Quarterly quality assurance ({quarter})"),
                start_month: *month,
                end_month: *month,
                stage_ids: vec![],
            })
            .collect();
        calendar.push(CalendarEntry {
            name: "Needs assessment update".into(),
            start_month: 4,
            end_month: 6,
            stage_ids: vec!["review".into()],
        });
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
            age_bands: age_bands(),
            areas: areas(&QUADRANTS),
            bodies,
            standards_sets: vec![standards_set()],
            calendar,
            attribute_definitions: attribute_definitions(),
            rules: rules(),
            notes: vec![
                "The figure of levels of need is missing from the source; three levels are modelled, as the text describes (levels 1-2 in localities, higher needs borough-wide).".into(),
                "Strategic partnering is for large contracts only; the framework sets no figure, so £1,000,000 or more counts as large.".into(),
                "Age bands follow the VCS criteria: 0-19, and 11-25 for young people with special needs.".into(),
                "The standards have no scoring scale in the source; 1-4 with 3 and above as met is the platform's, and the safeguarding standard caps the overall band.".into(),
                "The first two VCS criteria (matching Southwark's priorities, best value) are matters of judgement for the commissioner and are not checked.".into(),
                "Quality assurance falls in the calendar's quarter months, June, September, December and March; the framework says only \"on a quarterly basis\".".into(),
            ],
        }
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        items.iter().enumerate().map(|(i, item)| classify_item(i, item)).collect()
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        // Section 3.1: services are reviewed and quality assured by the unit each quarter;
        // section 8: at the end, re-commission, decommission or tender.
        date("today", &today)?;
        schedule(&subjects)
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        baseline::validate_with(&today, &entities, own_findings)
    }

    fn stage_gate(_today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        moves.iter().map(gate).collect()
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        score_capped(&standards_set(), &evaluation, Some(SAFEGUARDING_STANDARD), |id, band| {
            match (id, band) {
            ("evidence-based", "not-met") => vec!["Services are decommissioned if effectiveness and impact cannot be demonstrated (section 5)".into()],
            ("safeguarding", "not-met") => vec!["All commissioned services have adequate safeguarding procedures: check each against the Safe Organisation Checklist (sections 5, 9.1)".into()],
            ("involve-service-users", "not-met") => vec!["Include lead professionals and young people's representatives in specification groups and tender panels (section 6.2)".into()],
            _ => Vec::new(),
        }
        })
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        let counts = match by {
            Dimension::Age => counts,
            Dimension::Area => counts
                .into_iter()
                .enumerate()
                .map(|(i, c)| match c.area.as_deref() {
                    Some(a) => {
                        let q = quadrant(a).map_err(|m| format!("counts[{i}]: {m}"))?;
                        Ok(Count { area: Some(q.to_string()), ..c })
                    }
                    None => Ok(c),
                })
                .collect::<Result<Vec<_>, String>>()?,
        };
        band_counts(by, &counts, &age_bands(), &areas(&QUADRANTS))
    }
}

fn age_bands() -> Vec<AgeBand> {
    vec![
        AgeBand { id: "0-10".into(), name: "Aged 0-10".into(), min_age: 0, max_age: Some(10) },
        AgeBand { id: "11-19".into(), name: "Aged 11-19".into(), min_age: 11, max_age: Some(19) },
        AgeBand { id: "20-25".into(), name: "Aged 20-25 (special needs)".into(), min_age: 20, max_age: Some(25) },
    ]
}

#[cfg(test)]
mod tests;
