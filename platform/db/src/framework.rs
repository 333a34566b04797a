//! What a trust's framework plugin is shown of a record: its kind, its id and its fields as
//! text, the data core's columns and the framework's own fields (`attributes`) together. One
//! mapping, so that saving a record, seeding the demo data and checking it all show a plugin
//! the same thing.

use std::collections::BTreeMap;

use crate::models::{Contract, Need, Priority, Project, Provider, Service};

/// A record as a plugin sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityView {
    /// "provider", "service", "contract", "priority", "need" or "project".
    pub kind: &'static str,
    pub id: String,
    /// Field name to text, core columns first; a framework field never hides a core column.
    pub attributes: Vec<(String, String)>,
}

/// A record's framework fields from their stored JSON object (text values only; anything
/// else was refused when the record was saved).
pub fn framework_fields(json: &str) -> BTreeMap<String, String> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => {
            map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
        }
        _ => BTreeMap::new(),
    }
}

fn view(kind: &'static str, id: &str, core: Vec<(&str, Option<String>)>, json: &str) -> EntityView {
    let mut attributes: Vec<(String, String)> =
        core.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect();
    for (k, v) in framework_fields(json) {
        if !attributes.iter().any(|(core, _)| *core == k) {
            attributes.push((k, v));
        }
    }
    EntityView { kind, id: id.to_string(), attributes }
}

fn ages(from: i32, to: i32) -> String {
    format!("{from}-{to}")
}

impl Provider {
    pub fn entity(&self) -> EntityView {
        view(
            "provider",
            self.id.as_str(),
            vec![
                ("name", Some(self.name.clone())),
                ("sector", Some(self.sector.as_str().to_string())),
                ("registration_number", self.registration_number.clone()),
                ("safeguarding_evidence", self.safeguarding_evidence.clone()),
                ("safeguarding_checked_on", self.safeguarding_checked_on.map(|d| d.to_string())),
            ],
            &self.attributes,
        )
    }
}

impl Service {
    /// `outcomes`: the outcome codes the service serves, comma-separated for the plugin.
    pub fn entity(&self, outcomes: &[String]) -> EntityView {
        view(
            "service",
            self.id.as_str(),
            vec![
                ("name", Some(self.name.clone())),
                ("tier", Some(self.tier.as_str().to_string())),
                ("level", self.level.clone()),
                ("area", self.area.clone()),
                ("ages", Some(ages(self.age_from, self.age_to))),
                ("annual_budget_pence", Some(self.annual_budget_pence.to_string())),
                ("outcomes", Some(outcomes.join(","))),
            ],
            &self.attributes,
        )
    }
}

impl Contract {
    pub fn entity(&self) -> EntityView {
        view(
            "contract",
            self.id.as_str(),
            vec![
                ("reference", Some(self.reference.clone())),
                ("title", Some(self.title.clone())),
                ("contract_kind", Some(self.kind.as_str().to_string())),
                ("status", Some(self.status.as_str().to_string())),
                ("value_pence", Some(self.value_pence.to_string())),
                ("start", Some(self.start_date.to_string())),
                ("end", Some(self.end_date.to_string())),
            ],
            &self.attributes,
        )
    }
}

impl Priority {
    pub fn entity(&self) -> EntityView {
        view(
            "priority",
            self.id.as_str(),
            vec![
                ("title", Some(self.title.clone())),
                ("outcome", Some(self.outcome_code.clone())),
                ("rank", Some(self.rank.to_string())),
            ],
            &self.attributes,
        )
    }
}

impl Need {
    pub fn entity(&self) -> EntityView {
        let range = match (self.age_from, self.age_to) {
            (Some(from), Some(to)) => Some(ages(from, to)),
            _ => None,
        };
        view(
            "need",
            self.id.as_str(),
            vec![
                ("title", Some(self.title.clone())),
                ("outcome", Some(self.outcome_code.clone())),
                ("group", self.group_name.clone()),
                ("ages", range),
                ("area", self.area.clone()),
                ("evidence", Some(self.evidence.clone()).filter(|e| !e.is_empty())),
                ("source", Some(self.source.clone()).filter(|s| !s.is_empty())),
            ],
            "{}",
        )
    }
}

impl Project {
    pub fn entity(&self) -> EntityView {
        view(
            "project",
            self.id.as_str(),
            vec![
                ("title", Some(self.title.clone())),
                ("level", self.level.clone()),
                ("stage", Some(self.stage.clone())),
            ],
            &self.attributes,
        )
    }
}
