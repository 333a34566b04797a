//! What the cycle's services ask of a trust's framework plugin: the records they save shown as
//! the plugin sees them, its findings turned into answers (an error refuses the write and says
//! where in the trust's document the rule comes from), the framework's own fields checked
//! against its definitions before the plugin has the last word, and its review schedule turned
//! into the reviews the data layer plans.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use platform_db::framework::EntityView;
use platform_db::models::{Contract, Service, Tenant, Tier};
use platform_db::repo::contracts::PlannedReview;
use platform_plugins::types::{
    Attribute, AttributeDefinition, AttributeKind, Classification, Description, Entity, Finding, Item, ReviewDue,
    Severity, StageMove, Subject,
};
use platform_plugins::{Plugin, PluginHost};
use serde::Serialize;

use crate::error::ApiError;

/// A tenant's framework, ready to be asked.
#[derive(Clone)]
pub struct Framework {
    pub plugin: Arc<Plugin>,
    host: Arc<PluginHost>,
}

impl Framework {
    pub fn of(frameworks: &crate::frameworks::Frameworks, tenant: &Tenant) -> Result<Framework, ApiError> {
        Ok(Framework { plugin: frameworks.for_tenant(tenant)?, host: Arc::clone(&frameworks.host) })
    }

    pub fn description(&self) -> &Description {
        &self.plugin.framework
    }

    /// Where the framework places a record, asked from within a unit of work.
    pub fn classify_now(&self, item: Item) -> Result<Classification, ApiError> {
        self.host
            .classify(&self.plugin, vec![item])?
            .pop()
            .ok_or_else(|| ApiError::Internal("classify answered nothing for one item".into()))
    }

    /// Validation asked from within a unit of work (already on a blocking thread).
    pub fn validate_now(&self, today: NaiveDate, view: &EntityView) -> Result<Vec<Finding>, ApiError> {
        Ok(self.host.validate(&self.plugin, today, vec![entity(view)])?.pop().unwrap_or_default())
    }

    /// The review schedule asked from within a unit of work.
    pub fn review_schedule_now(&self, today: NaiveDate, subject: Subject) -> Result<Vec<ReviewDue>, ApiError> {
        Ok(self.host.review_schedule(&self.plugin, today, vec![subject])?)
    }

    /// The stage gate asked from within a unit of work.
    pub fn stage_gate_now(&self, today: NaiveDate, step: StageMove) -> Result<Vec<Finding>, ApiError> {
        Ok(self.host.stage_gate(&self.plugin, today, vec![step])?.pop().unwrap_or_default())
    }

    /// Counts summed into the framework's age bands or areas, from within a unit of work.
    pub fn band_now(
        &self,
        by: platform_plugins::types::Dimension,
        counts: Vec<platform_plugins::types::Count>,
    ) -> Result<Vec<platform_plugins::types::Banded>, ApiError> {
        Ok(self.host.band(&self.plugin, by, counts)?)
    }

    /// A self-evaluation scored by the framework, from within a unit of work.
    pub fn score_now(
        &self,
        evaluation: platform_plugins::types::SelfEvaluation,
    ) -> Result<platform_plugins::types::EvaluationSummary, ApiError> {
        Ok(self.host.score_self_evaluation(&self.plugin, evaluation)?)
    }

    /// The framework's fields for one kind of record.
    pub fn fields(&self, entity_kind: &str) -> Vec<&AttributeDefinition> {
        self.description().attribute_definitions.iter().filter(|d| d.entity_kind == entity_kind).collect()
    }
}

pub fn entity(v: &EntityView) -> Entity {
    Entity { id: v.id.clone(), kind: v.kind.into(), attributes: attributes(&v.attributes) }
}

fn attributes(pairs: &[(String, String)]) -> Vec<Attribute> {
    pairs.iter().map(|(k, v)| Attribute { key: k.clone(), value: v.clone() }).collect()
}

/// A contract as a subject of reviews; its service's tier where the framework schedules by it.
pub fn contract_subject(contract: &Contract, tier: Option<Tier>) -> Subject {
    let view = contract.entity();
    Subject {
        id: contract.id.to_string(),
        kind: "contract".into(),
        title: contract.title.clone(),
        contract_kind: Some(contract.kind.as_str().into()),
        tier: tier.map(|t| t.as_str().into()),
        start: contract.start_date.to_string(),
        end: Some(contract.end_date.to_string()),
        value_pence: contract.value_pence,
        attributes: attributes(&view.attributes),
    }
}

/// A service to be placed at a level and under a body.
pub fn service_item(service: &Service, outcomes: &[String]) -> Item {
    let view = service.entity(outcomes);
    let level_of_need = platform_db::framework::framework_fields(&service.attributes).get("level_of_need").cloned();
    Item {
        id: service.id.to_string(),
        kind: "service".into(),
        tier: Some(service.tier.as_str().into()),
        level_of_need,
        area: service.area.clone(),
        attributes: attributes(&view.attributes),
    }
}

/// A project to be placed at a level and under a body; `tier`: the tier of the service it is
/// about, where there is one.
pub fn project_item(project: &platform_db::models::Project, tier: Option<Tier>) -> Item {
    let view = project.entity();
    Item {
        id: project.id.to_string(),
        kind: "project".into(),
        tier: tier.map(|t| t.as_str().into()),
        level_of_need: platform_db::framework::framework_fields(&project.attributes).get("level_of_need").cloned(),
        area: platform_db::framework::framework_fields(&project.attributes).get("area").cloned(),
        attributes: attributes(&view.attributes),
    }
}

/// The reviews a schedule asks for, as the data layer plans them.
pub fn planned(reviews: &[ReviewDue]) -> Result<Vec<PlannedReview>, ApiError> {
    reviews
        .iter()
        .map(|r| {
            let due_on = NaiveDate::parse_from_str(&r.due, "%Y-%m-%d")
                .map_err(|_| ApiError::Internal(format!("the framework gave a review date {:?}", r.due)))?;
            Ok(PlannedReview {
                kind: r.kind.clone(),
                title: r.title.clone(),
                due_on,
                owner_body: Some(r.audience.clone()),
            })
        })
        .collect()
}

/// A finding as answers and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FindingView {
    /// "error", "warning" or "info".
    pub severity: String,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// Where in the trust's framework document the rule comes from.
    pub source: Option<String>,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> FindingView {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        FindingView {
            severity: severity.into(),
            code: f.code.clone(),
            message: f.message.clone(),
            field: f.field.clone(),
            source: f.source.clone(),
        }
    }
}

pub fn views(findings: &[Finding]) -> Vec<FindingView> {
    findings.iter().map(FindingView::from).collect()
}

/// Findings with an error refuse the write: 422 with every finding, the first error's message
/// and field, and where its rule comes from.
pub fn refuse_on_errors(findings: &[Finding]) -> Result<Vec<FindingView>, ApiError> {
    let all = views(findings);
    match all.iter().find(|f| f.severity == "error") {
        None => Ok(all),
        Some(first) => {
            let mut message = first.message.clone();
            if let Some(source) = &first.source {
                message = format!("{message} (the trust's framework: {source})");
            }
            Err(ApiError::Refused { field: first.field.clone(), message, findings: all })
        }
    }
}

/// Checks the framework's fields of one record against their definitions: every key is one
/// the framework defines for that kind of record, required ones are given, and each value is of
/// its kind. Choices come back in the framework's own spelling. Errors name `attributes.KEY`.
pub fn check_fields(
    defs: &[&AttributeDefinition],
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    for (key, value) in given {
        let field = format!("attributes.{key}");
        let Some(def) = defs.iter().find(|d| d.key == *key) else {
            let known: Vec<&str> = defs.iter().map(|d| d.key.as_str()).collect();
            let message = if known.is_empty() {
                "the trust's framework asks for no fields on this kind of record".to_string()
            } else {
                format!("not a field of the trust's framework here; it asks for: {}", known.join(", "))
            };
            return Err(ApiError::bad_request(Some(&field), message));
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        platform_db::repo::validate::name("attributes", value, 4000)
            .map_err(|_| ApiError::bad_request(Some(&field), "one line of text, without control characters"))?;
        let canonical = value_of_kind(def, value).map_err(|m| ApiError::bad_request(Some(&field), m))?;
        out.insert(key.clone(), canonical);
    }
    for def in defs.iter().filter(|d| d.required) {
        if !out.contains_key(&def.key) {
            return Err(ApiError::bad_request(
                Some(&format!("attributes.{}", def.key)),
                format!("{} is required by the trust's framework", def.label),
            ));
        }
    }
    Ok(out)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn value_of_kind(def: &AttributeDefinition, value: &str) -> Result<String, String> {
    match def.kind {
        AttributeKind::Choice => def
            .choices
            .iter()
            .find(|c| squash(&c.value) == squash(value) || squash(&c.label) == squash(value))
            .map(|c| c.value.clone())
            .ok_or_else(|| {
                let names: Vec<&str> = def.choices.iter().map(|c| c.value.as_str()).collect();
                format!("{value:?} is not one of: {}", names.join(", "))
            }),
        AttributeKind::Text => Ok(value.to_string()),
        AttributeKind::Number => {
            value.parse::<i64>().map(|n| n.to_string()).map_err(|_| format!("{value:?} is not a whole number"))
        }
        AttributeKind::Money => platform_db::models::parse_pounds(value)
            .map(|p| format!("{}.{:02}", p / 100, p % 100))
            .ok_or_else(|| format!("{value:?} is not an amount in pounds, such as 1,250.00")),
        AttributeKind::Share => match value.trim_end_matches('%').trim().parse::<f64>() {
            Ok(n) if n.is_finite() && (0.0..=100.0).contains(&n) => Ok(n.to_string()),
            _ => Err(format!("{value:?} is not a share from 0 to 100")),
        },
        AttributeKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|d| d.to_string())
            .map_err(|_| format!("{value:?} is not a date written YYYY-MM-DD")),
        AttributeKind::YesNo => match squash(value).as_str() {
            "yes" | "y" | "true" => Ok("yes".into()),
            "no" | "n" | "false" => Ok("no".into()),
            _ => Err(format!("{value:?} is not yes or no")),
        },
        AttributeKind::AgeRange => {
            let parsed = value
                .split_once('-')
                .and_then(|(a, b)| Some((a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?)));
            match parsed {
                Some((a, b)) if (0..=25).contains(&a) && (a..=25).contains(&b) => Ok(format!("{a}-{b}")),
                _ => Err(format!("{value:?} is not an age range such as 5-11, within 0-25")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform_plugins::types::Choice;

    fn def(key: &str, kind: AttributeKind, required: bool, choices: &[&str]) -> AttributeDefinition {
        AttributeDefinition {
            entity_kind: "priority".into(),
            key: key.into(),
            label: key.replace('_', " "),
            hint: None,
            kind,
            choices: choices.iter().map(|c| Choice { value: (*c).into(), label: c.replace('-', " ") }).collect(),
            required,
            source: None,
        }
    }

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn choices_come_back_in_the_frameworks_spelling_and_unknown_ones_name_the_accepted() {
        let d = def("must_do", AttributeKind::Choice, true, &["must-do", "want-to-do"]);
        let ok = check_fields(&[&d], &given(&[("must_do", "Must Do")])).unwrap();
        assert_eq!(ok["must_do"], "must-do");
        let err = check_fields(&[&d], &given(&[("must_do", "should")])).unwrap_err();
        assert_eq!(err.field(), Some("attributes.must_do"));
        assert!(err.to_string().contains("must-do, want-to-do"), "{err}");
    }

    #[test]
    fn required_fields_unknown_keys_and_kinds_are_refused_naming_the_field() {
        let band = def("age_band", AttributeKind::AgeRange, true, &[]);
        let share = def("share", AttributeKind::Share, false, &[]);
        let defs = [&band, &share];
        assert_eq!(check_fields(&defs, &given(&[])).unwrap_err().field(), Some("attributes.age_band"));
        assert_eq!(
            check_fields(&defs, &given(&[("age_band", "  ")])).unwrap_err().field(),
            Some("attributes.age_band")
        );
        assert_eq!(check_fields(&defs, &given(&[("colour", "red")])).unwrap_err().field(), Some("attributes.colour"));
        assert_eq!(
            check_fields(&defs, &given(&[("age_band", "11-9")])).unwrap_err().field(),
            Some("attributes.age_band")
        );
        for bad in ["150", "NaN", "inf", "-1"] {
            let e = check_fields(&defs, &given(&[("age_band", "0-4"), ("share", bad)])).unwrap_err();
            assert_eq!(e.field(), Some("attributes.share"), "{bad}");
        }
        let ok = check_fields(&defs, &given(&[("age_band", "0 - 4"), ("share", "80%")])).unwrap();
        assert_eq!((ok["age_band"].as_str(), ok["share"].as_str()), ("0-4", "80"));
    }

    #[test]
    fn an_error_finding_refuses_with_its_source_and_warnings_pass() {
        let finding = |severity, code: &str| Finding {
            severity,
            code: code.into(),
            message: format!("{code} message"),
            field: Some("level".into()),
            source: Some("Section 3".into()),
        };
        let warned = refuse_on_errors(&[finding(Severity::Warning, "w")]).unwrap();
        assert_eq!(warned.len(), 1);
        let refused = refuse_on_errors(&[finding(Severity::Warning, "w"), finding(Severity::Error, "e")]).unwrap_err();
        assert_eq!(refused.field(), Some("level"));
        assert!(refused.to_string().contains("e message (the trust's framework: Section 3)"), "{refused}");
        assert!(matches!(refused, ApiError::Refused { ref findings, .. } if findings.len() == 2));
    }
}
