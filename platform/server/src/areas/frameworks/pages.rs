//! A trust's framework as a page: its stages by group, calendar, age bands, the fields it asks
//! for on each kind of record, and how many of its rules were inferred.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::service::framework_for;
use crate::app::AppState;
use crate::app::auth::{Action, Visitor};
use crate::app::pages::{PageError, nav, page_access, render};

pub(super) async fn framework_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    let tenant = access.tenant.clone();
    let plugin = framework_for(&state, &tenant).await?;
    let f = &plugin.framework;
    // Stages under their groups, in order of first appearance.
    let mut groups: Vec<(String, Vec<&platform_plugins::types::Stage>)> = Vec::new();
    for s in &f.stages {
        let g = s.group.clone().unwrap_or_default();
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(s),
            None => groups.push((g, vec![s])),
        }
    }
    let month = |m: u8| chrono::Month::try_from(m).map(|m| m.name().to_string()).unwrap_or_else(|_| m.to_string());
    let calendar: Vec<_> = f
        .calendar
        .iter()
        .map(|c| {
            let names: Vec<String> = c
                .stage_ids
                .iter()
                .filter_map(|id| f.stages.iter().find(|s| &s.id == id).map(|s| s.name.clone()))
                .collect();
            let months = if c.start_month == c.end_month {
                month(c.start_month)
            } else {
                format!("{} to {}", month(c.start_month), month(c.end_month))
            };
            json!({"name": c.name, "months": months, "stages": names.join("; ")})
        })
        .collect();
    let age_bands: Vec<_> = f
        .age_bands
        .iter()
        .map(|b| json!({"name": b.name, "ages": match b.max_age { Some(m) => format!("{} to {m}", b.min_age), None => format!("{} and over", b.min_age) }}))
        .collect();
    // Fields under the kind of record they are asked for on, in order of first appearance.
    let mut fields: Vec<(&str, Vec<serde_json::Value>)> = Vec::new();
    for d in &f.attribute_definitions {
        let field = json!({
            "label": d.label,
            "hint": d.hint,
            "kind": value_kind(d),
            "required": d.required,
            "source": d.source,
        });
        match fields.iter_mut().find(|(kind, _)| *kind == d.entity_kind) {
            Some((_, list)) => list.push(field),
            None => fields.push((&d.entity_kind, vec![field])),
        }
    }
    let html = render(
        &state,
        "framework",
        &json!({
            "title": format!("{}: {}", tenant.name, f.name),
            "tenant": tenant.name,
            "framework": f,
            "plugin": {"id": plugin.id(), "version": plugin.version(), "wit_version": plugin.wit_version().to_string()},
            "groups": groups.iter().map(|(g, s)| json!({"name": g, "stages": s})).collect::<Vec<_>>(),
            "calendar": calendar,
            "age_bands": age_bands,
            "inferred_rules": f.rules.iter().filter(|r| r.inferred).count(),
            "rule_count": f.rules.len(),
            "fields": fields
                .iter()
                .map(|(kind, list)| json!({"kind": record_kind(kind), "id": format!("fields-{kind}"), "fields": list}))
                .collect::<Vec<_>>(),
            "nav": nav(&access),
        }),
    )?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}

/// A kind of record as a heading: the data core's own names, plural.
fn record_kind(kind: &str) -> String {
    match kind {
        "need" => "Needs".into(),
        "priority" => "Priorities".into(),
        "provider" => "Providers".into(),
        "service" => "Services".into(),
        "project" => "Commissioning projects".into(),
        "contract" => "Contracts".into(),
        "stage-move" => "Moves between stages".into(),
        "commissioning-strategy" => "Commissioning strategies".into(),
        "score" => "Self-evaluation ratings".into(),
        "vcs-application" => "Applications from the voluntary and community sector".into(),
        other => {
            let words = other.replace(['-', '_'], " ");
            let mut chars = words.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// What a field holds, in words.
fn value_kind(d: &platform_plugins::types::AttributeDefinition) -> String {
    use platform_plugins::types::AttributeKind as K;
    match d.kind {
        K::Choice => {
            let labels: Vec<&str> = d.choices.iter().map(|c| c.label.as_str()).collect();
            format!("One of: {}", labels.join(", "))
        }
        K::Text => "Text".into(),
        K::Number => "A whole number".into(),
        K::Money => "Money, in pounds".into(),
        K::Share => "A share, in per cent".into(),
        K::Date => "A date".into(),
        K::YesNo => "Yes or no".into(),
        K::AgeRange => "An age range, in years".into(),
    }
}
