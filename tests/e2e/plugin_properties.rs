//! Properties of the six built-in frameworks, checked on random input through the real host and
//! the built components (not natively): a review schedule is a pure function of the subject and
//! the calendar, whatever day it is asked on; random attribute maps never trap, and a value that
//! is not of its field's kind is always an error naming the field; classify and the stage gate
//! answer every random input without trapping. A fixed seed makes every run the same, and a
//! failure names the plugin and the input.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Months, NaiveDate, TimeDelta};
use fastrand::Rng;
use platform_plugins::types::*;
use platform_plugins::{HostOptions, Plugin, PluginError, PluginHost};

/// A fixed seed: a failure seen once is seen again on the next run.
const SEED: u64 = 20_261_203;
/// Subjects scheduled per plugin.
const SUBJECTS: usize = 400;
/// Entities validated per plugin.
const ENTITIES: usize = 400;
/// Items classified per plugin (one call each: an error answers for the whole list).
const ITEMS: usize = 300;
/// Stage moves gated per plugin.
const MOVES: usize = 400;
/// Inputs per call where the answer is per input.
const BATCH: usize = 16;

/// The two days a schedule is asked on, far apart.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 3, 15).unwrap()
}

fn second_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2029, 10, 2).unwrap()
}

const FRAMEWORK_IDS: [&str; 6] =
    ["durham", "central-bedfordshire", "sunderland", "kent", "southwark", "national-baseline"];

struct Loaded {
    host: PluginHost,
    plugins: Vec<Plugin>,
}

/// The six frameworks, compiled once for the three tests.
fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let plugins: Vec<Plugin> = plugin_artifacts::FRAMEWORKS
            .iter()
            .map(|a| host.load(a.bytes).unwrap_or_else(|e| panic!("{}: {e}", a.id)))
            .collect();
        let mut ids: Vec<&str> = plugins.iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        let mut expected = FRAMEWORK_IDS;
        expected.sort_unstable();
        assert_eq!(ids, expected, "the built-in frameworks");
        Loaded { host, plugins }
    })
}

/// One generator per plugin and property, so one plugin's cases do not depend on another's.
fn rng_for(plugin: &str, property: u64) -> Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in plugin.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    Rng::with_seed(SEED ^ h ^ property.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A call stopped by its deadline is tried again, twice: on a shared machine scheduling noise can
/// stop one try, but a call that is really too slow is stopped every time.
fn retrying<T>(mut call: impl FnMut() -> Result<T, PluginError>) -> Result<T, PluginError> {
    let mut tries = 1;
    loop {
        match call() {
            Err(PluginError::Timeout(_)) if tries < 3 => tries += 1,
            other => return other,
        }
    }
}

/// Failures grouped by what went wrong, each with a count and its first input.
#[derive(Default)]
struct Failures {
    groups: BTreeMap<String, (usize, String)>,
}

impl Failures {
    fn add(&mut self, what: String, input: impl FnOnce() -> String) {
        self.groups.entry(what).or_insert_with(|| (0, input())).0 += 1;
    }

    fn assert_none(self, property: &str) {
        let report: Vec<String> = self
            .groups
            .iter()
            .map(|(what, (n, input))| format!("- {what} [{n} case(s)]; first input: {input}"))
            .collect();
        assert!(report.is_empty(), "{property}: {} kind(s) of failure\n{}", report.len(), report.join("\n"));
    }
}

/// A value as a failure message shows it: long ones cut short, saying how long they were.
fn short(v: &str) -> String {
    let n = v.chars().count();
    if n <= 60 {
        return format!("{v:?}");
    }
    let tail: String = v.chars().skip(n - 16).collect();
    format!("<{n} chars: {:?}…{tail:?}>", v.chars().take(24).collect::<String>())
}

/// Findings as a failure message shows them: severity, code and field.
fn show_findings(findings: &[Finding]) -> String {
    let shown: Vec<String> = findings
        .iter()
        .map(|f| format!("{:?} {} on {}", f.severity, f.code, f.field.as_deref().unwrap_or("no field")))
        .collect();
    format!("[{}]", shown.join("; "))
}

fn show_attributes(attributes: &[Attribute]) -> String {
    let shown: Vec<String> = attributes.iter().map(|a| format!("{}: {}", short(&a.key), short(&a.value))).collect();
    format!("{{{}}}", shown.join(", "))
}

fn show_opt(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "none".to_string(), short)
}

fn attribute(key: &str, value: &str) -> Attribute {
    Attribute { key: key.into(), value: value.into() }
}

// ---------------------------------------------------------------------------------------------
// Fields and values

/// A field of one kind of record: the framework's own definition, or one of the platform's data
/// core that every framework checks (through the national baseline's data checks).
#[derive(Clone, Debug)]
struct Field {
    key: String,
    kind: AttributeKind,
    choices: Vec<(String, String)>,
}

const TIERS: [(&str, &str); 3] = [("universal", "Universal"), ("targeted", "Targeted"), ("specialist", "Specialist")];
const CONTRACT_KINDS: [(&str, &str); 5] = [
    ("block", "Block"),
    ("spot", "Spot purchase"),
    ("sla", "Service level agreement"),
    ("grant", "Grant"),
    ("partnership", "Partnership"),
];
const OUTCOMES: [(&str, &str); 5] = [
    ("be_healthy", "Be healthy"),
    ("stay_safe", "Stay safe"),
    ("enjoy_and_achieve", "Enjoy and achieve"),
    ("positive_contribution", "Make a positive contribution"),
    ("economic_wellbeing", "Achieve economic well-being"),
];

/// The data core's fields: a contract's dates, value and kind; a service's or need's tier and
/// ages; a priority's or need's outcome.
fn core_fields(entity_kind: &str) -> Vec<Field> {
    let plain = |key: &str, kind| Field { key: key.into(), kind, choices: Vec::new() };
    let choice = |key: &str, choices: &[(&str, &str)]| Field {
        key: key.into(),
        kind: AttributeKind::Choice,
        choices: choices.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect(),
    };
    let mut out = Vec::new();
    if entity_kind == "contract" {
        out.push(plain("start", AttributeKind::Date));
        out.push(plain("end", AttributeKind::Date));
        out.push(plain("value_pence", AttributeKind::Number));
        out.push(choice("contract_kind", &CONTRACT_KINDS));
    }
    if matches!(entity_kind, "service" | "need") {
        out.push(choice("tier", &TIERS));
        out.push(plain("ages", AttributeKind::AgeRange));
    }
    if matches!(entity_kind, "priority" | "need") {
        out.push(choice("outcome", &OUTCOMES));
    }
    out
}

/// The fields the framework defines for a kind of record.
fn defined_fields(f: &Description, entity_kind: &str) -> Vec<Field> {
    f.attribute_definitions
        .iter()
        .filter(|d| d.entity_kind == entity_kind)
        .map(|d| Field {
            key: d.key.clone(),
            kind: d.kind,
            choices: d.choices.iter().map(|c| (c.value.clone(), c.label.clone())).collect(),
        })
        .collect()
}

/// The framework's fields for a kind of record, and the data core's it does not define itself.
fn fields_of(f: &Description, entity_kind: &str) -> Vec<Field> {
    let mut out = defined_fields(f, entity_kind);
    for c in core_fields(entity_kind) {
        if !out.iter().any(|d| d.key == c.key) {
            out.push(c);
        }
    }
    out
}

/// The kinds of entity validated: each kind the framework defines fields for, and the data
/// core's. A stage move's fields go to the stage gate, and a score's evidence is a field of the
/// score, so neither is an entity `validate` is given.
fn entity_kinds(f: &Description) -> Vec<String> {
    let mut kinds: BTreeSet<String> =
        ["contract", "provider", "service", "priority", "need"].iter().map(|k| k.to_string()).collect();
    kinds.extend(
        f.attribute_definitions
            .iter()
            .map(|d| d.entity_kind.clone())
            .filter(|k| !matches!(k.as_str(), "stage-move" | "score")),
    );
    kinds.into_iter().collect()
}

/// Bad and odd values, and a few good ones.
const POOL: [&str; 27] = [
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "99999999999999999999",
    "",
    "   ",
    "\u{0}",
    "line\nbreak",
    "\u{202E}x",
    "ＡＢＣ",
    "yes",
    "no",
    "YES",
    "maybe",
    "150",
    "-5",
    "2026-13-01",
    "2026-02-30",
    "0-30",
    "19-0",
    "£1,00",
    "2026-02-28",
    "0-19",
    "80",
    "£1,234.56",
    "12",
];

/// Keys no framework defines.
const UNKNOWN_KEYS: [&str; 6] = ["zz_unknown", "AREA", "", "level ", "nonsense-key", "\u{202E}key"];

fn random_date(rng: &mut Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(to_year, 12, 31).unwrap();
    first + TimeDelta::days(rng.i64(0..=(last - first).num_days()))
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A whole number with thousands separators: 1234567 as "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value that is valid for the field's kind, written in one of the ways people write it.
fn valid_value(rng: &mut Rng, field: &Field) -> String {
    match field.kind {
        AttributeKind::Choice => {
            let Some((value, label)) = rng.choice(&field.choices) else { return "x".into() };
            let written = if rng.bool() { value } else { label };
            match rng.u32(0..4) {
                0 => written.to_uppercase(),
                1 => written.to_lowercase(),
                2 => written.replace(' ', "_"),
                _ => written.clone(),
            }
        }
        AttributeKind::Text => rng
            .choice(["Council, NHS trust", "Minutes of the board, 3 March", "Quarterly returns", "Health; Education"])
            .unwrap()
            .into(),
        AttributeKind::Number => {
            let n = rng.u64(0..1_000_000);
            if rng.bool() { grouped(n) } else { n.to_string() }
        }
        AttributeKind::Money => {
            let pence = rng.u64(0..5_000_000_000);
            match rng.u32(0..3) {
                0 => format!("{}.{:02}", pence / 100, pence % 100),
                1 => format!("£{}.{:02}", grouped(pence / 100), pence % 100),
                _ => grouped(pence / 100),
            }
        }
        AttributeKind::Share => {
            let whole = rng.u32(0..=100);
            match rng.u32(0..3) {
                0 if whole < 100 => format!("{whole}.5"),
                1 => format!("{whole}%"),
                _ => whole.to_string(),
            }
        }
        AttributeKind::Date => iso(random_date(rng, 2015, 2030)),
        AttributeKind::YesNo => rng.choice(["yes", "no", "Yes", "No", "YES", "NO"]).unwrap().into(),
        AttributeKind::AgeRange => {
            let from = rng.u8(0..=25);
            let to = rng.u8(from..=25);
            if rng.bool() { format!("{from}-{to}") } else { format!("{from} to {to}") }
        }
    }
}

/// A value from the pool, or a very long one: plain, or a valid value repeated to 10,000 chars.
fn odd_value(rng: &mut Rng, field: Option<&Field>) -> String {
    match rng.usize(0..POOL.len() + 2) {
        n if n < POOL.len() => POOL[n].into(),
        n if n == POOL.len() => "A".repeat(10_000),
        _ => {
            let unit = match field {
                Some(f) => valid_value(rng, f),
                None => "Peckham and Nunhead".into(),
            };
            let unit = if unit.trim().is_empty() { "x".to_string() } else { unit };
            let mut long = String::new();
            while long.chars().count() < 10_000 {
                long.push_str(&unit);
                long.push(' ');
            }
            long.chars().take(10_000).collect()
        }
    }
}

/// A random attribute map: some of the given fields, some unknown keys, each key once.
fn random_attributes(rng: &mut Rng, fields: &[Field]) -> Vec<Attribute> {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    rng.shuffle(&mut order);
    let mut out: Vec<Attribute> = Vec::new();
    for &i in order.iter().take(rng.usize(0..=fields.len().min(6))) {
        let f = &fields[i];
        let value = if rng.u32(0..100) < 55 { odd_value(rng, Some(f)) } else { valid_value(rng, f) };
        out.push(attribute(&f.key, &value));
    }
    for _ in 0..rng.usize(0..=2) {
        let key = rng.choice(UNKNOWN_KEYS).unwrap();
        if !out.iter().any(|a| a.key == key) && !fields.iter().any(|f| f.key == key) {
            let value = odd_value(rng, None);
            out.push(attribute(key, &value));
        }
    }
    rng.shuffle(&mut out);
    out
}

/// Names folded as people write them: case and punctuation aside, "&" read as "and". Looser
/// than the frameworks' matching (which keeps a separator between two numbers), so a value this
/// finds among the choices is never refused as bad here.
fn folded(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '+' {
            out.push(c);
        } else if c == '&' {
            out.push_str("and");
        }
    }
    out
}

/// Digits with thousands separators only in groups of three, or none.
fn grouped_digits(d: &str) -> bool {
    if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return false;
    }
    let groups: Vec<&str> = d.split(',').collect();
    groups.len() == 1 || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3))
}

fn unsigned(t: &str) -> &str {
    t.strip_prefix('-').map_or(t, str::trim_start)
}

/// Why a value is not valid for its field's kind, or `None` when it is (or when it is blank,
/// which is an absent value, not a bad one). Text is one line of any words: not judged here.
fn bad_value(field: &Field, value: &str) -> Option<&'static str> {
    let t = value.trim();
    if t.is_empty() {
        return None;
    }
    let ok = match field.kind {
        AttributeKind::Text => true,
        AttributeKind::Choice => {
            let v = folded(t);
            !v.is_empty() && field.choices.iter().any(|(value, label)| v == folded(value) || v == folded(label))
        }
        AttributeKind::Number => {
            let d = unsigned(t);
            grouped_digits(d) && d.replace(',', "").parse::<i64>().is_ok()
        }
        AttributeKind::Money => {
            let d = unsigned(t);
            let d = d.strip_prefix('£').unwrap_or(d);
            let (whole, fraction) = match d.split_once('.') {
                Some((w, f)) => (w, Some(f)),
                None => (d, None),
            };
            grouped_digits(whole)
                && fraction.is_none_or(|f| (1..=2).contains(&f.len()) && f.chars().all(|c| c.is_ascii_digit()))
                && whole.replace(',', "").parse::<i64>().ok().and_then(|p| p.checked_mul(100)).is_some()
        }
        AttributeKind::Share => {
            let s = t.strip_suffix('%').unwrap_or(t).trim();
            s.parse::<f64>().is_ok_and(|p| p.is_finite() && (0.0..=100.0).contains(&p))
        }
        AttributeKind::Date => NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok(),
        AttributeKind::YesNo => {
            matches!(t.to_ascii_lowercase().as_str(), "yes" | "y" | "true" | "1" | "no" | "n" | "false" | "0")
        }
        AttributeKind::AgeRange => {
            let age = |s: &str| s.trim().parse::<u8>().ok().filter(|n| *n <= 25);
            match t.split_once(" to ").or_else(|| t.split_once('-')) {
                Some((a, b)) => matches!((age(a), age(b)), (Some(from), Some(to)) if from <= to),
                None => false,
            }
        }
    };
    if ok {
        return None;
    }
    Some(match field.kind {
        AttributeKind::Choice => "not one of its choices",
        AttributeKind::Number => "not a whole number",
        AttributeKind::Money => "not a sum of money",
        AttributeKind::Share => "not a share from 0 to 100",
        AttributeKind::Date => "not a real date",
        AttributeKind::YesNo => "neither yes nor no",
        AttributeKind::AgeRange => "not an age range within 0-25, from before to",
        AttributeKind::Text => "not text",
    })
}

fn is_error_on(findings: &[Finding], key: &str) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error && f.field.as_deref() == Some(key))
}

// ---------------------------------------------------------------------------------------------
// 1. Schedules

/// Keys a subject carries in its own fields (or, for the area, as the one attribute every
/// framework reads it from), not as a random defined field.
const SUBJECT_CORE_KEYS: [&str; 6] = ["start", "end", "value_pence", "contract_kind", "tier", "area"];

fn random_subject(rng: &mut Rng, n: usize, f: &Description) -> Subject {
    let contract = rng.bool();
    let kind = if contract { "contract" } else { "service" };
    let start = random_date(rng, 2015, 2030);
    let end = match rng.u32(0..8) {
        0 | 1 => None,
        2..=4 => Some(start + TimeDelta::days(rng.i64(30..=7 * 365 + 2))),
        _ => {
            // Whole months later, or a day short of them (the end inclusive).
            let n = rng.u32(1..=84);
            let months = start.checked_add_months(Months::new(n)).unwrap();
            Some(if n > 1 && rng.bool() { months.pred_opt().unwrap() } else { months })
        }
    };
    let mut attributes = Vec::new();
    for d in defined_fields(f, kind) {
        if !SUBJECT_CORE_KEYS.contains(&d.key.as_str()) && rng.bool() {
            let value = valid_value(rng, &d);
            attributes.push(attribute(&d.key, &value));
        }
    }
    if !f.areas.is_empty() && rng.u32(0..3) > 0 {
        let area = rng.choice(&f.areas).unwrap();
        attributes.push(attribute("area", &area.name));
    }
    rng.shuffle(&mut attributes);
    Subject {
        id: format!("subject-{n}"),
        kind: kind.into(),
        title: rng.choice(["Family support", "Short breaks", "Youth offending", "Parenting"]).unwrap().into(),
        contract_kind: contract.then(|| rng.choice(CONTRACT_KINDS).unwrap().0.to_string()),
        tier: if rng.u32(0..4) == 0 { None } else { Some(rng.choice(TIERS).unwrap().0.to_string()) },
        start: iso(start),
        end: end.map(iso),
        value_pence: rng.i64(0..=5_000_000_000),
        attributes,
    }
}

/// The subject as the entity `validate` is given: its own fields as attributes, then the rest.
fn subject_entity(s: &Subject) -> Entity {
    let mut attributes = vec![attribute("start", &s.start), attribute("value_pence", &s.value_pence.to_string())];
    if let Some(end) = &s.end {
        attributes.push(attribute("end", end));
    }
    if let Some(k) = &s.contract_kind {
        attributes.push(attribute("contract_kind", k));
    }
    if let Some(t) = &s.tier {
        attributes.push(attribute("tier", t));
    }
    attributes.extend(s.attributes.iter().cloned());
    Entity { id: s.id.clone(), kind: s.kind.clone(), attributes }
}

fn show_subject(s: &Subject) -> String {
    format!(
        "{} {:?} (contract kind {}, tier {}) from {} to {}, {} pence, attributes {}",
        s.kind,
        s.id,
        show_opt(&s.contract_kind),
        show_opt(&s.tier),
        s.start,
        s.end.as_deref().unwrap_or("no end"),
        s.value_pence,
        show_attributes(&s.attributes)
    )
}

/// The review's kind or title says it falls after the subject's end.
fn says_after_end(r: &ReviewDue) -> bool {
    let kind = r.kind.to_lowercase();
    let title = r.title.to_lowercase();
    kind.contains("after-end") || ["after its end", "after the end", "after end"].iter().any(|w| title.contains(w))
}

type Key = (String, String, String, String);

fn keyed(reviews: &[ReviewDue]) -> Vec<Key> {
    let mut out: Vec<Key> =
        reviews.iter().map(|r| (r.subject_id.clone(), r.kind.clone(), r.due.clone(), r.audience.clone())).collect();
    out.sort();
    out
}

#[derive(Default)]
struct ScheduleCounts {
    subjects: usize,
    valid: usize,
    refused_invalid: usize,
    reviews: usize,
    /// The first subject refused as invalid, to show what a refusal looks like.
    first_refusal: Option<String>,
}

/// Checks one day's reviews of the subjects: each on a date in its subject's life (or said to
/// be after it), for one of the framework's bodies or the provider.
fn check_reviews(
    id: &str,
    f: &Description,
    day: NaiveDate,
    subjects: &[Subject],
    reviews: &[ReviewDue],
    failures: &mut Failures,
) {
    for r in reviews {
        let Some(s) = subjects.iter().find(|s| s.id == r.subject_id) else { continue };
        if r.audience != "provider" && !f.bodies.iter().any(|b| b.id == r.audience) {
            failures
                .add(format!("{id}: review-schedule: a review for {:?}, not one of its bodies", r.audience), || {
                    format!("on {day}: {} gave {r:?}", show_subject(s))
                });
        }
        let due = NaiveDate::parse_from_str(&r.due, "%Y-%m-%d").unwrap();
        let start = NaiveDate::parse_from_str(&s.start, "%Y-%m-%d").unwrap();
        let end = s.end.as_deref().map(|e| NaiveDate::parse_from_str(e, "%Y-%m-%d").unwrap());
        if due < start {
            failures.add(format!("{id}: review-schedule: a {:?} review due before its subject starts", r.kind), || {
                format!("on {day}: {} gave {r:?}", show_subject(s))
            });
        }
        if end.is_some_and(|end| due > end) && !says_after_end(r) {
            failures.add(
                format!("{id}: review-schedule: a {:?} review due after its subject ends, not said to be", r.kind),
                || format!("on {day}: {} gave {r:?}", show_subject(s)),
            );
        }
    }
}

/// Asks for one subject's reviews on both days, alone, and says what failed.
fn check_subject_alone(
    host: &PluginHost,
    p: &Plugin,
    s: &Subject,
    valid: bool,
    counts: &mut ScheduleCounts,
    failures: &mut Failures,
) {
    let id = p.id();
    let f = &p.framework;
    let one = vec![s.clone()];
    let a = retrying(|| host.review_schedule(p, first_day(), one.clone()));
    let b = retrying(|| host.review_schedule(p, second_day(), one.clone()));
    match (&a, &b) {
        (Ok(a), Ok(b)) => {
            check_reviews(id, f, first_day(), &one, a, failures);
            check_reviews(id, f, second_day(), &one, b, failures);
            if keyed(a) != keyed(b) {
                failures.add(format!("{id}: review-schedule: the reviews depend on the day asked"), || {
                    format!(
                        "{}: on {} {:?}; on {} {:?}",
                        show_subject(s),
                        first_day(),
                        keyed(a),
                        second_day(),
                        keyed(b)
                    )
                });
            }
            counts.reviews += a.len();
        }
        (Err(PluginError::InvalidInput(x)), Err(PluginError::InvalidInput(y))) if x == y => {
            if valid {
                failures.add(format!("{id}: review-schedule: a subject its own validate accepts is refused"), || {
                    format!("{}: refused with {x:?}", show_subject(s))
                });
            } else {
                counts.refused_invalid += 1;
                counts.first_refusal.get_or_insert_with(|| format!("{} refused with {x:?}", show_subject(s)));
            }
        }
        _ => failures
            .add(format!("{id}: review-schedule: the answer depends on the day asked, or is not an answer"), || {
                format!("{}: on {}: {a:?}; on {}: {b:?}", show_subject(s), first_day(), second_day())
            }),
    }
}

#[test]
fn schedules_are_pure_functions_of_the_subject_and_the_calendar() {
    let Loaded { host, plugins } = loaded();
    let mut failures = Failures::default();
    for p in plugins {
        let id = p.id();
        let f = &p.framework;
        let mut rng = rng_for(id, 1);
        let mut counts = ScheduleCounts::default();
        let subjects: Vec<Subject> = (0..SUBJECTS).map(|n| random_subject(&mut rng, n, f)).collect();
        for batch in subjects.chunks(BATCH) {
            // A subject is valid when the framework's own validate finds no error in it.
            let entities: Vec<Entity> = batch.iter().map(subject_entity).collect();
            let valid: Vec<bool> = match retrying(|| host.validate(p, first_day(), entities.clone())) {
                Ok(findings) => findings.iter().map(|fs| fs.iter().all(|x| x.severity != Severity::Error)).collect(),
                Err(e) => {
                    failures.add(format!("{id}: validate: no answer for subjects ({})", e.code()), || {
                        format!("{}: {e}", entities.iter().map(show_entity).collect::<Vec<_>>().join("; "))
                    });
                    vec![true; batch.len()]
                }
            };
            counts.subjects += batch.len();
            counts.valid += valid.iter().filter(|v| **v).count();
            let a = retrying(|| host.review_schedule(p, first_day(), batch.to_vec()));
            let b = retrying(|| host.review_schedule(p, second_day(), batch.to_vec()));
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    check_reviews(id, f, first_day(), batch, &a, &mut failures);
                    check_reviews(id, f, second_day(), batch, &b, &mut failures);
                    counts.reviews += a.len();
                    if keyed(&a) != keyed(&b) {
                        // Found subject by subject, to name the one that moves.
                        for (s, v) in batch.iter().zip(&valid) {
                            check_subject_alone(host, p, s, *v, &mut ScheduleCounts::default(), &mut failures);
                        }
                    }
                }
                // A refusal answers for the whole list: ask subject by subject.
                _ => {
                    for (s, v) in batch.iter().zip(&valid) {
                        let mut alone = ScheduleCounts::default();
                        check_subject_alone(host, p, s, *v, &mut alone, &mut failures);
                        counts.refused_invalid += alone.refused_invalid;
                        if counts.first_refusal.is_none() {
                            counts.first_refusal = alone.first_refusal;
                        }
                    }
                }
            }
        }
        println!(
            "plugin properties: {id}: review-schedule: {} subjects asked on {} and {} ({} valid by its own validate, {} refused as invalid), {} reviews checked",
            counts.subjects,
            first_day(),
            second_day(),
            counts.valid,
            counts.refused_invalid,
            counts.reviews
        );
        if let Some(refusal) = &counts.first_refusal {
            println!("plugin properties: {id}: review-schedule: e.g. {refusal}");
        }
    }
    failures.assert_none("review schedules");
}

// ---------------------------------------------------------------------------------------------
// 2. Attribute maps

fn show_entity(e: &Entity) -> String {
    format!("{} {:?} with {}", e.kind, e.id, show_attributes(&e.attributes))
}

#[derive(Default)]
struct ValidateCounts {
    /// Attribute maps validated.
    maps: usize,
    /// Values of defined fields that are not of their kind, each of which must be an error.
    bad_values: usize,
}

/// Validates the entities; a call that fails is tried entity by entity to name the input.
fn validate_batch(
    host: &PluginHost,
    p: &Plugin,
    day: NaiveDate,
    entities: &[Entity],
    fields: &BTreeMap<String, Vec<Field>>,
    failures: &mut Failures,
    counts: &mut ValidateCounts,
) {
    let id = p.id();
    match retrying(|| host.validate(p, day, entities.to_vec())) {
        Ok(all) => {
            for (e, findings) in entities.iter().zip(&all) {
                counts.maps += 1;
                for a in &e.attributes {
                    let Some(field) = fields[&e.kind].iter().find(|d| d.key == a.key) else { continue };
                    let Some(why) = bad_value(field, &a.value) else { continue };
                    counts.bad_values += 1;
                    if !is_error_on(findings, &a.key) {
                        failures.add(
                            format!(
                                "{id}: validate: a {} whose {} is {why} ({:?}) has no error naming the field",
                                e.kind, a.key, field.kind
                            ),
                            || {
                                format!(
                                    "{} (value {}) on {day}; findings {}",
                                    show_entity(e),
                                    short(&a.value),
                                    show_findings(findings)
                                )
                            },
                        );
                    }
                }
            }
        }
        Err(_) if entities.len() > 1 => {
            for e in entities {
                validate_batch(host, p, day, std::slice::from_ref(e), fields, failures, counts);
            }
        }
        Err(err) => {
            counts.maps += 1;
            failures.add(format!("{id}: validate: no answer ({})", err.code()), || {
                format!("{} on {day}: {err}", show_entity(&entities[0]))
            });
        }
    }
}

fn random_item(rng: &mut Rng, n: usize, f: &Description) -> Item {
    let kind: String = match rng.u32(0..10) {
        0..=3 => "service".into(),
        4 | 5 => "priority".into(),
        6..=8 => "project".into(),
        _ => odd_value(rng, None),
    };
    let tier = match rng.u32(0..10) {
        0..=2 => None,
        3..=6 => Some(valid_value(rng, &core_fields("service")[0])),
        _ => Some(odd_value(rng, None)),
    };
    let area = match rng.u32(0..8) {
        0..=2 => None,
        3..=5 if !f.areas.is_empty() => {
            let a = rng.choice(&f.areas).unwrap();
            Some(if rng.bool() { a.name.clone() } else { a.id.clone() })
        }
        _ => Some(odd_value(rng, None)),
    };
    let level_of_need = match rng.u32(0..8) {
        0..=3 => None,
        4 | 5 if !f.levels_of_need.is_empty() => {
            let l = rng.choice(&f.levels_of_need).unwrap();
            Some(if rng.bool() { l.name.clone() } else { l.id.clone() })
        }
        _ => Some(odd_value(rng, None)),
    };
    let fields = fields_of(f, if matches!(kind.as_str(), "priority" | "project") { &kind } else { "service" });
    Item { id: format!("item-{n}"), kind, tier, level_of_need, area, attributes: random_attributes(rng, &fields) }
}

fn show_item(i: &Item) -> String {
    format!(
        "{} {:?} (tier {}, level of need {}, area {}) with {}",
        short(&i.kind),
        i.id,
        show_opt(&i.tier),
        show_opt(&i.level_of_need),
        show_opt(&i.area),
        show_attributes(&i.attributes)
    )
}

#[test]
fn random_attribute_maps_never_trap_and_never_pass_a_bad_value_silently() {
    let Loaded { host, plugins } = loaded();
    let mut failures = Failures::default();
    for p in plugins {
        let id = p.id();
        let f = &p.framework;
        let mut rng = rng_for(id, 2);
        let kinds = entity_kinds(f);
        let fields: BTreeMap<String, Vec<Field>> = kinds.iter().map(|k| (k.clone(), fields_of(f, k))).collect();
        let entities: Vec<Entity> = (0..ENTITIES)
            .map(|n| {
                let kind = kinds[n % kinds.len()].clone();
                let attributes = random_attributes(&mut rng, &fields[&kind]);
                Entity { id: format!("entity-{n}"), kind, attributes }
            })
            .collect();
        let mut counts = ValidateCounts::default();
        for batch in entities.chunks(BATCH) {
            let day = random_date(&mut rng, 2015, 2030);
            validate_batch(host, p, day, batch, &fields, &mut failures, &mut counts);
        }

        let levels: BTreeSet<&str> = f.levels.iter().chain(&f.levels_of_need).map(|l| l.id.as_str()).collect();
        let (mut placed, mut refused) = (0, 0);
        for n in 0..ITEMS {
            let item = random_item(&mut rng, n, f);
            match retrying(|| host.classify(p, vec![item.clone()])) {
                Ok(c) => {
                    placed += 1;
                    let c = &c[0];
                    if !f.bodies.iter().any(|b| b.id == c.body) || !levels.contains(c.level.as_str()) {
                        failures.add(format!("{id}: classify: a level or body it does not describe"), || {
                            format!("{} placed at level {:?} under {:?}", show_item(&item), c.level, c.body)
                        });
                    }
                }
                Err(PluginError::InvalidInput(m)) if !m.trim().is_empty() => refused += 1,
                Err(e) => failures.add(format!("{id}: classify: no clear answer ({})", e.code()), || {
                    format!("{}: {e}", show_item(&item))
                }),
            }
        }
        println!(
            "plugin properties: {id}: validate: {} random attribute maps over {} kinds of record ({}), {} bad values of defined fields; classify: {ITEMS} random items ({placed} placed, {refused} refused with a reason)",
            counts.maps,
            kinds.len(),
            kinds.join(", "),
            counts.bad_values
        );
    }
    failures.assert_none("random attribute maps");
}

// ---------------------------------------------------------------------------------------------
// 3. Stage gate

fn random_move(rng: &mut Rng, n: usize, f: &Description, fields: &[Field]) -> StageMove {
    let ids: Vec<&str> = f.stages.iter().map(|s| s.id.as_str()).collect();
    let unknown = |rng: &mut Rng| -> String {
        match rng.u32(0..6) {
            0 => "nowhere".into(),
            1 => ids[rng.usize(0..ids.len())].to_uppercase(),
            2 => format!("{} ", ids[rng.usize(0..ids.len())]),
            3 => "stage-99".into(),
            _ => odd_value(rng, None),
        }
    };
    let from_stage = match rng.u32(0..10) {
        0 | 1 => None,
        2..=7 => Some(ids[rng.usize(0..ids.len())].to_string()),
        _ => Some(unknown(rng)),
    };
    let to_stage = if rng.u32(0..10) < 7 { ids[rng.usize(0..ids.len())].to_string() } else { unknown(rng) };
    StageMove { project_id: format!("project-{n}"), from_stage, to_stage, attributes: random_attributes(rng, fields) }
}

fn show_move(m: &StageMove) -> String {
    format!(
        "{:?} from {} to {} with {}",
        m.project_id,
        show_opt(&m.from_stage),
        short(&m.to_stage),
        show_attributes(&m.attributes)
    )
}

fn gate_batch(
    host: &PluginHost,
    p: &Plugin,
    day: NaiveDate,
    moves: &[StageMove],
    failures: &mut Failures,
    checked: &mut usize,
) {
    let id = p.id();
    let known = |s: &str| p.framework.stages.iter().any(|st| st.id == s);
    match retrying(|| host.stage_gate(p, day, moves.to_vec())) {
        Ok(all) => {
            for (m, findings) in moves.iter().zip(&all) {
                *checked += 1;
                let stopped = findings.iter().any(|x| x.severity == Severity::Error);
                if !known(&m.to_stage) && !stopped {
                    failures.add(format!("{id}: stage-gate: a move to an unknown stage has no error"), || {
                        format!("{} on {day}; findings {}", show_move(m), show_findings(findings))
                    });
                }
                if m.from_stage.as_deref().is_some_and(|s| !known(s)) && !stopped {
                    failures.add(format!("{id}: stage-gate: a move from an unknown stage has no error"), || {
                        format!("{} on {day}; findings {}", show_move(m), show_findings(findings))
                    });
                }
            }
        }
        Err(_) if moves.len() > 1 => {
            for m in moves {
                gate_batch(host, p, day, std::slice::from_ref(m), failures, checked);
            }
        }
        Err(err) => {
            *checked += 1;
            failures.add(format!("{id}: stage-gate: no answer ({})", err.code()), || {
                format!("{} on {day}: {err}", show_move(&moves[0]))
            });
        }
    }
}

#[test]
fn random_stage_moves_never_trap_and_an_unknown_stage_is_an_error() {
    let Loaded { host, plugins } = loaded();
    let mut failures = Failures::default();
    for p in plugins {
        let id = p.id();
        let f = &p.framework;
        assert!(!f.stages.is_empty(), "{id} describes no stages");
        let mut rng = rng_for(id, 3);
        let fields = defined_fields(f, "stage-move");
        let moves: Vec<StageMove> = (0..MOVES).map(|n| random_move(&mut rng, n, f, &fields)).collect();
        let mut checked = 0;
        for batch in moves.chunks(BATCH) {
            let day = random_date(&mut rng, 2015, 2030);
            gate_batch(host, p, day, batch, &mut failures, &mut checked);
        }
        let unknown = moves.iter().filter(|m| !f.stages.iter().any(|s| s.id == m.to_stage)).count();
        println!("plugin properties: {id}: stage-gate: {checked} random moves ({unknown} to an unknown stage)");
    }
    failures.assert_none("stage moves");
}
