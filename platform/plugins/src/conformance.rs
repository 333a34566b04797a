//! The conformance suite a plugin version must pass before the registry accepts it: it loads
//! (size, compile time, no imports, the exports of a world the host speaks), its description is
//! well formed, every function answers sample input, the same input gives the same output, and
//! review dates are sane. A 1.1.0 plugin's attribute definitions and rules table are checked
//! too, and its review dates must follow the subjects, not the day the schedule is asked for.

use chrono::NaiveDate;
use serde::Serialize;

use crate::bindings::WitVersion;
use crate::bindings::types::*;
use crate::error::PluginError;
use crate::host::{Plugin, PluginHost, iso};

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: Option<String>,
    pub version: Option<String>,
    pub sha256: Option<String>,
    /// The version of the contract the component implements.
    pub wit_version: Option<WitVersion>,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    /// A report for people: one line a check, then the verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let (Some(id), Some(version)) = (&self.id, &self.version) {
            out.push_str(&format!("plugin {id}@{version}"));
            if let Some(wit) = self.wit_version {
                out.push_str(&format!(" (commissioning:framework@{wit})"));
            }
            out.push('\n');
        }
        for c in &self.checks {
            let mark = if c.passed { "pass" } else { "FAIL" };
            out.push_str(&format!("  {mark}  {}", c.name));
            if !c.detail.is_empty() {
                out.push_str(&format!(": {}", c.detail));
            }
            out.push('\n');
        }
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        out.push_str(&if failed == 0 {
            format!("conformant: {} checks passed\n", self.checks.len())
        } else {
            format!("not conformant: {failed} of {} checks failed\n", self.checks.len())
        });
        out
    }

    fn record(&mut self, name: &str, result: Result<String, String>) -> bool {
        let passed = result.is_ok();
        let detail = result.unwrap_or_else(|e| e);
        self.checks.push(Check { name: name.into(), passed, detail });
        passed
    }
}

/// Runs the suite. The plugin is returned loaded when it passes.
pub fn run(host: &PluginHost, bytes: &[u8], today: NaiveDate) -> (Report, Option<Plugin>) {
    let mut report = Report { id: None, version: None, sha256: None, wit_version: None, checks: Vec::new() };
    let max = host.options().max_component_size;
    if !report.record(
        "size",
        if bytes.len() <= max {
            Ok(format!("{} bytes", bytes.len()))
        } else {
            Err(format!("{} bytes; the limit is {max}", bytes.len()))
        },
    ) {
        return (report, None);
    }
    let plugin = match host.load(bytes) {
        Ok(p) => p,
        Err(e) => {
            report.record("loads: compiles, imports nothing, exports the world, describes itself", Err(e.to_string()));
            return (report, None);
        }
    };
    report.record("loads: compiles, imports nothing, exports the world, describes itself", Ok(String::new()));
    report.id = Some(plugin.id().to_string());
    report.version = Some(plugin.version().to_string());
    report.sha256 = Some(plugin.sha256.clone());
    report.wit_version = Some(plugin.wit_version());
    let newest = plugin.wit_version() >= WitVersion::V1_1;

    let verdict =
        |problems: Vec<String>| if problems.is_empty() { Ok(String::new()) } else { Err(problems.join("; ")) };
    report.record("describe is well formed", verdict(description_problems(&plugin.framework)));
    // 1.0.0 has neither: its description comes up with both empty.
    if newest {
        report.record(
            "attribute definitions are well formed",
            verdict(attribute_definition_problems(&plugin.framework))
                .map(|_| format!("{} fields", plugin.framework.attribute_definitions.len())),
        );
        report.record(
            "the rules table gives each rule and its source",
            verdict(rules_problems(&plugin.framework)).map(|_| {
                let inferred = plugin.framework.rules.iter().filter(|r| r.inferred).count();
                format!("{} rules, {inferred} inferred", plugin.framework.rules.len())
            }),
        );
    }

    let samples = Samples::for_framework(&plugin.framework, today);
    let first = samples.call_all(host, &plugin);
    report.record("every function answers sample input", first.as_ref().map(|_| String::new()).map_err(|e| e.clone()));
    if let Ok(first) = &first {
        let again = samples.call_all(host, &plugin);
        let same_instance = samples.call_twice_in_one_instance(host, &plugin);
        report.record(
            "the same input gives the same output",
            match (again, same_instance) {
                (Ok(again), _) if &again != first => {
                    Err("a second call with the same input answered differently".into())
                }
                (_, Err(e)) => Err(e),
                (Err(e), _) => Err(e),
                _ => Ok(String::new()),
            },
        );
        report.record("review dates are sane", samples.review_dates_sane(host, &plugin));
        if newest {
            report.record("review dates follow the subjects, not today", samples.review_dates_fixed(host, &plugin));
        }
    }
    let ok = report.passed();
    (report, ok.then_some(plugin))
}

/// What is wrong with a description, if anything.
pub fn description_problems(f: &Description) -> Vec<String> {
    let mut p = Vec::new();
    let slug_ok = !f.id.is_empty()
        && f.id
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if !slug_ok {
        p.push(format!("id {:?} must be lowercase letters and digits separated by hyphens", f.id));
    }
    if semver::Version::parse(&f.version).is_err() {
        p.push(format!("version {:?} is not a semantic version", f.version));
    }
    if f.name.trim().is_empty() || f.source.trim().is_empty() {
        p.push("name and source must not be empty".into());
    }
    if f.stages.is_empty() {
        p.push("there are no stages".into());
    }
    if f.bodies.is_empty() {
        p.push("there are no governance bodies".into());
    }
    if f.levels.is_empty() {
        p.push("there are no commissioning levels".into());
    }
    unique(&mut p, "stage", f.stages.iter().map(|s| s.id.as_str()));
    unique(&mut p, "level", f.levels.iter().map(|s| s.id.as_str()));
    unique(&mut p, "level of need", f.levels_of_need.iter().map(|s| s.id.as_str()));
    unique(&mut p, "area", f.areas.iter().map(|s| s.id.as_str()));
    unique(&mut p, "body", f.bodies.iter().map(|s| s.id.as_str()));
    unique(&mut p, "standards set", f.standards_sets.iter().map(|s| s.id.as_str()));
    unique(&mut p, "age band", f.age_bands.iter().map(|s| s.id.as_str()));
    for s in &f.stages {
        if s.name.trim().is_empty() {
            p.push(format!("stage {:?} has no name", s.id));
        }
    }
    let mut last_max: Option<u8> = None;
    for (i, b) in f.age_bands.iter().enumerate() {
        if b.max_age.is_some_and(|m| m < b.min_age) {
            p.push(format!("age band {:?} ends before it starts", b.id));
        }
        if let Some(prev) = last_max
            && b.min_age <= prev
        {
            p.push(format!("age band {:?} overlaps the one before it", b.id));
        }
        if b.max_age.is_none() && i + 1 != f.age_bands.len() {
            p.push(format!("open age band {:?} must be the last", b.id));
        }
        last_max = b.max_age;
    }
    for set in &f.standards_sets {
        if set.standards.is_empty() {
            p.push(format!("standards set {:?} has no standards", set.id));
        }
        unique(&mut p, &format!("standard in {}", set.id), set.standards.iter().map(|s| s.id.as_str()));
        if set.min_score > set.max_score {
            p.push(format!("standards set {:?}: min score above max score", set.id));
        }
        for score in set.min_score..=set.max_score {
            let n = set.bands.iter().filter(|b| b.min_score <= score && score <= b.max_score).count();
            if n != 1 {
                p.push(format!("standards set {:?}: score {score} is in {n} bands, not one", set.id));
            }
        }
    }
    for c in &f.calendar {
        if !(1..=12).contains(&c.start_month) || !(1..=12).contains(&c.end_month) {
            p.push(format!("calendar entry {:?}: months are 1 to 12", c.name));
        }
        for s in &c.stage_ids {
            if !f.stages.iter().any(|st| &st.id == s) {
                p.push(format!("calendar entry {:?} names unknown stage {s:?}", c.name));
            }
        }
    }
    p
}

/// What is wrong with the fields a description asks for on each kind of record, if anything.
pub fn attribute_definition_problems(f: &Description) -> Vec<String> {
    let mut p = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, d) in f.attribute_definitions.iter().enumerate() {
        let name = if d.key.trim().is_empty() { format!("field {i}") } else { format!("field {:?}", d.key) };
        if d.entity_kind.trim().is_empty() {
            p.push(format!("{name} names no kind of record"));
        }
        if d.key.trim().is_empty() {
            p.push(format!("{name} has an empty key"));
        } else if !seen.insert((d.entity_kind.as_str(), d.key.as_str())) {
            p.push(format!("{name} is defined twice for {:?}", d.entity_kind));
        }
        if d.label.trim().is_empty() {
            p.push(format!("{name} of {:?} has no label", d.entity_kind));
        }
        match d.kind {
            AttributeKind::Choice if d.choices.is_empty() => {
                p.push(format!("{name} of {:?} is a choice with no choices", d.entity_kind));
            }
            AttributeKind::Choice => {
                if d.choices.iter().any(|c| c.value.trim().is_empty() || c.label.trim().is_empty()) {
                    p.push(format!("{name} of {:?} has a choice with no value or no label", d.entity_kind));
                }
                unique(&mut p, &format!("choice of {}", d.key), d.choices.iter().map(|c| c.value.as_str()));
            }
            kind if !d.choices.is_empty() => {
                p.push(format!("{name} of {:?} lists choices but is not a choice ({kind:?})", d.entity_kind));
            }
            _ => {}
        }
    }
    p
}

/// What is wrong with the rules table, if anything: it lists every rule the framework applies,
/// each with where it comes from.
pub fn rules_problems(f: &Description) -> Vec<String> {
    if f.rules.is_empty() {
        return vec!["the rules table is empty".into()];
    }
    let mut p = Vec::new();
    unique(&mut p, "rule", f.rules.iter().map(|r| r.id.as_str()));
    for r in &f.rules {
        if r.rule.trim().is_empty() {
            p.push(format!("rule {:?} does not say what it is", r.id));
        }
        if r.source.trim().is_empty() {
            p.push(format!("rule {:?} has no source", r.id));
        }
    }
    p
}

/// Two days far apart to ask for a schedule on: `today` and the same day nineteen months
/// later (a different month, quarter and year). A schedule is a function of its subjects and the
/// framework's calendar, so it answers the same on both; one that counts from today, or lists
/// only what is still to come, does not.
pub fn schedule_days(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today, today.checked_add_months(chrono::Months::new(19)).unwrap_or(today))
}

/// Whether two schedules of the same subjects, asked for on two days, give the same reviews on
/// the same dates; if not, the first review that moved.
pub fn moved_reviews(
    (first_day, first): (NaiveDate, &[ReviewDue]),
    (second_day, second): (NaiveDate, &[ReviewDue]),
) -> Result<(), String> {
    type Dates = std::collections::BTreeMap<(String, String), Vec<String>>;
    let dates = |reviews: &[ReviewDue]| {
        let mut out = Dates::new();
        for r in reviews {
            out.entry((r.subject_id.clone(), r.kind.clone())).or_default().push(r.due.clone());
        }
        out.values_mut().for_each(|d| d.sort());
        out
    };
    let (a, b) = (dates(first), dates(second));
    let shown = |d: Option<&Vec<String>>| d.filter(|d| !d.is_empty()).map_or("none".to_string(), |d| d.join(", "));
    match a.keys().chain(b.keys()).find(|k| a.get(*k) != b.get(*k)) {
        None => Ok(()),
        Some(key @ (subject, kind)) => Err(format!(
            "the {kind:?} review of {subject:?} is due {} asked on {} and {} asked on {}: review dates must follow \
             the subjects, not the day the schedule is asked for",
            shown(a.get(key)),
            iso(first_day),
            shown(b.get(key)),
            iso(second_day)
        )),
    }
}

fn unique<'a>(problems: &mut Vec<String>, what: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            problems.push(format!("a {what} has an empty id"));
        } else if !seen.insert(id) {
            problems.push(format!("{what} id {id:?} is used twice"));
        }
    }
}

/// Sample inputs built from the plugin's own description.
struct Samples {
    today: NaiveDate,
    items: Vec<Item>,
    subjects: Vec<Subject>,
    entities: Vec<Entity>,
    moves: Vec<StageMove>,
    evaluations: Vec<SelfEvaluation>,
    ages: Vec<Count>,
    areas: Vec<Count>,
}

fn a(key: &str, value: &str) -> Attribute {
    Attribute { key: key.into(), value: value.into() }
}

impl Samples {
    fn for_framework(f: &Description, today: NaiveDate) -> Samples {
        let area = f.areas.first().map(|a| a.name.clone());
        let items = ["universal", "targeted", "specialist"]
            .iter()
            .enumerate()
            .map(|(i, tier)| Item {
                id: format!("item-{i}"),
                kind: "service".into(),
                tier: Some((*tier).into()),
                level_of_need: f.levels_of_need.get(i).map(|l| l.id.clone()),
                area: area.clone(),
                attributes: vec![],
            })
            .collect();
        let year = chrono::Datelike::year(&today);
        let subjects = vec![
            Subject {
                id: "contract-1".into(),
                kind: "contract".into(),
                title: "Family support".into(),
                contract_kind: Some("block".into()),
                tier: Some("targeted".into()),
                start: format!("{}-04-01", year - 1),
                end: Some(format!("{}-03-31", year + 2)),
                value_pence: 30_000_000,
                attributes: vec![],
            },
            Subject {
                id: "service-1".into(),
                kind: "service".into(),
                title: "Youth service".into(),
                contract_kind: None,
                tier: Some("universal".into()),
                start: format!("{}-09-01", year - 2),
                end: None,
                value_pence: 0,
                attributes: vec![],
            },
        ];
        let entities = vec![
            Entity {
                id: "provider-1".into(),
                kind: "provider".into(),
                attributes: vec![a("name", "Family Action"), a("sector", "voluntary_community")],
            },
            Entity {
                id: "contract-1".into(),
                kind: "contract".into(),
                attributes: vec![
                    a("start", &format!("{}-04-01", year)),
                    a("end", &format!("{}-03-31", year + 3)),
                    a("value_pence", "100000"),
                ],
            },
        ];
        let moves = match (f.stages.first(), f.stages.get(1)) {
            (Some(first), Some(second)) => vec![
                StageMove { project_id: "p1".into(), from_stage: None, to_stage: first.id.clone(), attributes: vec![] },
                StageMove {
                    project_id: "p1".into(),
                    from_stage: Some(first.id.clone()),
                    to_stage: second.id.clone(),
                    attributes: vec![],
                },
            ],
            _ => vec![],
        };
        let evaluations = f
            .standards_sets
            .iter()
            .map(|set| SelfEvaluation {
                standards_set_id: set.id.clone(),
                scores: set
                    .standards
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Score {
                        standard_id: s.id.clone(),
                        score: set.min_score + (i as u8 % (set.max_score - set.min_score + 1).max(1)),
                        evidence: "Sample evidence".into(),
                        rater: None,
                    })
                    .collect(),
            })
            .collect();
        let ages = (0u8..=25)
            .filter(|age| f.age_bands.iter().any(|b| *age >= b.min_age && b.max_age.is_none_or(|m| *age <= m)))
            .map(|age| Count { age: Some(age), area: None, value: f64::from(age) + 1.0 })
            .collect();
        let areas = f.areas.iter().map(|ar| Count { age: None, area: Some(ar.name.clone()), value: 10.0 }).collect();
        Samples { today, items, subjects, entities, moves, evaluations, ages, areas }
    }

    /// Every function once; the JSON of all the answers.
    fn call_all(&self, host: &PluginHost, plugin: &Plugin) -> Result<String, String> {
        let named = |what: &str, e: PluginError| format!("{what}: {e}");
        let mut out = vec![
            serde_json::to_value(host.describe(plugin).map_err(|e| named("describe", e))?),
            serde_json::to_value(host.classify(plugin, self.items.clone()).map_err(|e| named("classify", e))?),
            serde_json::to_value(
                host.review_schedule(plugin, self.today, self.subjects.clone())
                    .map_err(|e| named("review-schedule", e))?,
            ),
            serde_json::to_value(
                host.validate(plugin, self.today, self.entities.clone()).map_err(|e| named("validate", e))?,
            ),
            serde_json::to_value(
                host.stage_gate(plugin, self.today, self.moves.clone()).map_err(|e| named("stage-gate", e))?,
            ),
        ];
        for ev in &self.evaluations {
            out.push(serde_json::to_value(
                host.score_self_evaluation(plugin, ev.clone()).map_err(|e| named("score-self-evaluation", e))?,
            ));
        }
        if !self.ages.is_empty() {
            out.push(serde_json::to_value(
                host.band(plugin, Dimension::Age, self.ages.clone()).map_err(|e| named("band by age", e))?,
            ));
        }
        if !self.areas.is_empty() {
            out.push(serde_json::to_value(
                host.band(plugin, Dimension::Area, self.areas.clone()).map_err(|e| named("band by area", e))?,
            ));
        }
        let values: Result<Vec<_>, _> = out.into_iter().collect();
        values.map(|v| serde_json::Value::Array(v).to_string()).map_err(|e| e.to_string())
    }

    /// A plugin must not carry state from one call to the next.
    fn call_twice_in_one_instance(&self, host: &PluginHost, plugin: &Plugin) -> Result<(), String> {
        let mut inst = host.instantiate(plugin).map_err(|e| e.to_string())?;
        let today = iso(self.today);
        let mut answer = || -> Result<String, String> {
            let c = inst.world.call_classify(&mut inst.store, &self.items).map_err(|e| e.to_string())?;
            let r =
                inst.world.call_review_schedule(&mut inst.store, &today, &self.subjects).map_err(|e| e.to_string())?;
            let v = inst.world.call_validate(&mut inst.store, &today, &self.entities).map_err(|e| e.to_string())?;
            Ok(serde_json::json!([c, r, v]).to_string())
        };
        let first = answer()?;
        let second = answer()?;
        if first == second {
            Ok(())
        } else {
            Err("calling twice in one instance answered differently: the plugin keeps state".into())
        }
    }

    fn review_dates_sane(&self, host: &PluginHost, plugin: &Plugin) -> Result<String, String> {
        let reviews = host.review_schedule(plugin, self.today, self.subjects.clone()).map_err(|e| e.to_string())?;
        if !reviews.iter().any(|r| r.subject_id == "contract-1") {
            return Err("a three-year contract was given no review".into());
        }
        for r in &reviews {
            let due =
                NaiveDate::parse_from_str(&r.due, "%Y-%m-%d").map_err(|_| format!("{:?} is not a date", r.due))?;
            let subject = self.subjects.iter().find(|s| s.id == r.subject_id).ok_or("unknown subject")?;
            let start = NaiveDate::parse_from_str(&subject.start, "%Y-%m-%d").map_err(|e| e.to_string())?;
            let latest = match &subject.end {
                Some(end) => NaiveDate::parse_from_str(end, "%Y-%m-%d").map_err(|e| e.to_string())?,
                None => self.today,
            }
            .checked_add_months(chrono::Months::new(24))
            .ok_or("date overflow")?;
            let earliest = start.checked_sub_months(chrono::Months::new(12)).ok_or("date overflow")?;
            if due < earliest || due > latest {
                return Err(format!("{} is due {}, outside {}..{}", r.title, r.due, iso(earliest), iso(latest)));
            }
        }
        Ok(format!("{} reviews", reviews.len()))
    }

    fn review_dates_fixed(&self, host: &PluginHost, plugin: &Plugin) -> Result<String, String> {
        let (first, second) = schedule_days(self.today);
        let ask = |day| host.review_schedule(plugin, day, self.subjects.clone()).map_err(|e| e.to_string());
        let (a, b) = (ask(first)?, ask(second)?);
        moved_reviews((first, &a), (second, &b))?;
        Ok(format!("the same {} reviews asked on {} and {}", a.len(), iso(first), iso(second)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HostOptions;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn every_built_in_framework_is_conformant() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        for artifact in plugin_artifacts::FRAMEWORKS {
            let (report, plugin) = run(&host, artifact.bytes, today());
            assert!(report.passed(), "{}:\n{}", artifact.id, report.render());
            assert_eq!(plugin.unwrap().id(), artifact.id);
        }
    }

    #[test]
    fn broken_plugins_fail_with_the_reason_named() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let bytes = |id: &str| plugin_artifacts::TEST_PROGRAMS.iter().find(|a| a.id == id).unwrap().bytes;
        let failing = |id: &str| {
            let (report, plugin) = run(&host, bytes(id), today());
            assert!(!report.passed() && plugin.is_none(), "{id} passed:\n{}", report.render());
            report.checks.into_iter().find(|c| !c.passed).unwrap()
        };
        let c = failing("bad-describe");
        assert_eq!(c.name, "describe is well formed");
        assert!(
            c.detail.contains("stage id \"look-at-outcomes\" is used twice")
                && c.detail.contains("ends before it starts"),
            "{}",
            c.detail
        );
        let c = failing("stateful");
        assert!(c.detail.contains("keeps state"), "{}", c.detail);
        let c = failing("moving-schedule");
        assert_eq!(c.name, "review dates follow the subjects, not today");
        assert!(c.detail.contains("asked on 2026-11-24") && c.detail.contains("asked on 2028-06-24"), "{}", c.detail);
        let c = failing("bad-dates");
        assert!(c.detail.contains("2027-02-30"), "{}", c.detail);
        let c = failing("imports-clock");
        assert!(c.detail.contains("wasi:clocks"), "{}", c.detail);
        let c = failing("spin");
        assert!(c.detail.contains("deadline"), "{}", c.detail);
        let c = failing("trap");
        assert!(c.detail.contains("panicked"), "{}", c.detail);
        // Not a component at all.
        let (report, _) = run(&host, b"\0asm not really", today());
        assert!(!report.passed());
        assert!(report.render().contains("not a valid component"), "{}", report.render());
    }

    #[test]
    fn a_plugin_of_the_first_contract_is_conformant_without_the_newer_checks() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let bytes = plugin_artifacts::TEST_PROGRAMS.iter().find(|a| a.id == "legacy-v1-0").unwrap().bytes;
        let (report, plugin) = run(&host, bytes, today());
        assert!(report.passed(), "{}", report.render());
        assert_eq!(report.wit_version, Some(WitVersion::V1_0));
        assert!(report.render().starts_with("plugin legacy-v1-0@1.0.0 (commissioning:framework@1.0.0)\n"));
        let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
        assert!(!names.iter().any(|n| n.contains("attribute definitions") || n.contains("rules")), "{names:?}");
        assert_eq!(plugin.unwrap().wit_version(), WitVersion::V1_0);
        // A built-in framework speaks the newest contract and gets every check.
        let (report, _) = run(&host, plugin_artifacts::framework("durham").unwrap().bytes, today());
        assert_eq!(report.wit_version, Some(WitVersion::V1_1));
        for check in [
            "attribute definitions are well formed",
            "the rules table gives each rule and its source",
            "review dates follow the subjects, not today",
        ] {
            assert!(report.checks.iter().any(|c| c.name == check && c.passed), "{check}:\n{}", report.render());
        }
    }

    /// The built-in frameworks' reviews follow their subjects whatever month the suite runs in.
    #[test]
    fn built_in_review_dates_follow_the_subjects_in_every_month() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        for artifact in plugin_artifacts::FRAMEWORKS {
            let plugin = host.load(artifact.bytes).unwrap();
            for month in 1..=12 {
                let today = NaiveDate::from_ymd_opt(2026, month, 24).unwrap();
                let samples = Samples::for_framework(&plugin.framework, today);
                if let Err(e) = samples.review_dates_fixed(&host, &plugin) {
                    panic!("{} in month {month}: {e}", artifact.id);
                }
            }
        }
    }

    fn review(subject: &str, kind: &str, due: &str) -> ReviewDue {
        ReviewDue {
            subject_id: subject.into(),
            kind: kind.into(),
            title: "Review".into(),
            due: due.into(),
            audience: "board".into(),
            source: None,
        }
    }

    #[test]
    fn a_review_that_moves_with_today_is_named() {
        let (first, second) = schedule_days(today());
        assert_eq!((iso(first), iso(second)), ("2026-11-24".to_string(), "2028-06-24".to_string()));
        let fixed = [review("c", "annual", "2027-04-01"), review("c", "end", "2028-09-30")];
        // The order reviews come in does not matter; their dates do.
        let reordered = [fixed[1].clone(), fixed[0].clone()];
        assert_eq!(moved_reviews((first, &fixed), (second, &reordered)), Ok(()));
        let moved = [review("c", "annual", "2027-04-02"), review("c", "end", "2028-09-30")];
        let e = moved_reviews((first, &fixed), (second, &moved)).unwrap_err();
        assert!(e.starts_with("the \"annual\" review of \"c\" is due 2027-04-01 asked on 2026-11-24 and 2027-04-02 asked on 2028-06-24"), "{e}");
        let e = moved_reviews((first, &fixed), (second, &fixed[..1])).unwrap_err();
        assert!(e.contains("due 2028-09-30 asked on 2026-11-24 and none asked on 2028-06-24"), "{e}");
    }

    /// The smallest description the checks of fields and rules can be tried on.
    fn described() -> Description {
        Description {
            id: "x".into(),
            name: "X".into(),
            version: "1.0.0".into(),
            source: "A plan".into(),
            stages: vec![],
            levels: vec![],
            levels_of_need: vec![],
            age_bands: vec![],
            areas: vec![],
            bodies: vec![],
            standards_sets: vec![],
            calendar: vec![],
            notes: vec![],
            attribute_definitions: vec![],
            rules: vec![Rule { id: "r".into(), rule: "A rule".into(), source: "Section 1".into(), inferred: true }],
        }
    }

    fn field(kind: AttributeKind, key: &str, choices: &[&str]) -> AttributeDefinition {
        AttributeDefinition {
            entity_kind: "provider".into(),
            key: key.into(),
            label: "A field".into(),
            hint: None,
            kind,
            choices: choices.iter().map(|c| Choice { value: (*c).into(), label: c.to_uppercase() }).collect(),
            required: false,
            source: None,
        }
    }

    #[test]
    fn fields_and_rules_are_checked() {
        let mut f = described();
        f.attribute_definitions = vec![
            field(AttributeKind::Choice, "sector", &["public", "voluntary"]),
            field(AttributeKind::Text, "name", &[]),
            AttributeDefinition { entity_kind: "service".into(), ..field(AttributeKind::Text, "name", &[]) },
        ];
        assert_eq!(attribute_definition_problems(&f), Vec::<String>::new());
        assert_eq!(rules_problems(&f), Vec::<String>::new());

        f.attribute_definitions = vec![
            field(AttributeKind::Choice, "sector", &[]),
            field(AttributeKind::Money, "value", &["1"]),
            field(AttributeKind::Text, "value", &[]),
            AttributeDefinition { label: " ".into(), ..field(AttributeKind::Date, "", &[]) },
        ];
        let p = attribute_definition_problems(&f).join("; ");
        for expected in [
            "field \"sector\" of \"provider\" is a choice with no choices",
            "field \"value\" of \"provider\" lists choices but is not a choice",
            "field \"value\" is defined twice for \"provider\"",
            "field 3 has an empty key",
            "field 3 of \"provider\" has no label",
        ] {
            assert!(p.contains(expected), "{expected:?} not in {p}");
        }

        f.rules.push(Rule { id: "r".into(), rule: String::new(), source: " ".into(), inferred: false });
        let p = rules_problems(&f).join("; ");
        assert!(
            p.contains("rule id \"r\" is used twice") && p.contains("has no source") && p.contains("does not say"),
            "{p}"
        );
        f.rules.clear();
        assert_eq!(rules_problems(&f), vec!["the rules table is empty".to_string()]);
    }
}
