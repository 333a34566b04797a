//! What the cycle's pages share beyond the form kit: a form page (shown first, or again with
//! what was typed and what is wrong), a record or list page of sections, a record's history from
//! the audit log (who did what, field by field), and the small pieces of those pages (a table
//! cell, a row of a summary list, a date or an amount as people read them).

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use chrono::NaiveDate;
use platform_db::repo::{audit, users};
use serde_json::{Value, json};

use super::AppState;
use super::auth::Access;
use super::forms::{self, Field, Values};
use super::pages::{nav, render};
use crate::error::ApiError;

/// A form page: its fields, what they hold, and the error of the last try, if any.
pub struct FormPage<'a> {
    pub title: String,
    pub caption: Option<String>,
    pub intro: Vec<String>,
    pub action: String,
    pub fields: &'a [Field],
    pub values: &'a Values,
    pub version: Option<i32>,
    pub submit: &'a str,
    pub cancel: Option<String>,
    pub error: Option<ApiError>,
    /// Sections shown above the form (what a review is of, the KPI picture).
    pub context: Vec<Value>,
    /// A check box the person ticks to go on despite warnings.
    pub acknowledge: Option<String>,
}

impl<'a> FormPage<'a> {
    pub fn new(title: impl Into<String>, action: impl Into<String>, fields: &'a [Field], values: &'a Values) -> Self {
        FormPage {
            title: title.into(),
            caption: None,
            intro: Vec::new(),
            action: action.into(),
            fields,
            values,
            version: None,
            submit: "Save",
            cancel: None,
            error: None,
            context: Vec::new(),
            acknowledge: None,
        }
    }
}

/// A form page, answered with the status of the error it shows (200 when there is none).
pub fn form_page(state: &AppState, access: &Access, page: FormPage<'_>) -> Result<HttpResponse, ApiError> {
    let error = page.error.map(ApiError::content);
    // A stale form shows the record as it stands now; say so above everything.
    let (fields, summary) = forms::view(page.fields, page.values, error.as_ref());
    let title = if error.is_some() { format!("Error: {}", page.title) } else { page.title.clone() };
    let html = render(
        state,
        "form",
        &json!({
            "title": page.title, "page_title": title, "caption": page.caption, "intro": page.intro,
            "action": page.action, "fields": fields, "summary": summary, "version": page.version,
            "submit": page.submit, "cancel": page.cancel, "csrf": access.csrf(), "nav": nav(access),
            "context": if page.context.is_empty() { Value::Null } else {
                let mut sections = Value::Array(page.context);
                complete_sections(&mut sections);
                sections
            },
            "acknowledge": page.acknowledge,
        }),
    )?;
    let status = error.as_ref().map_or(StatusCode::OK, actix_web::ResponseError::status_code);
    Ok(HttpResponse::build(status).content_type(ContentType::html()).body(html))
}

/// A record or list page: `data` holds its title, sections, actions and history; the
/// navigation and the form token are added.
pub fn record_page(state: &AppState, access: &Access, mut data: Value) -> Result<HttpResponse, ApiError> {
    complete(&mut data);
    if let Value::Object(map) = &mut data {
        map.insert("nav".into(), nav(access));
        map.insert("csrf".into(), json!(access.csrf()));
    }
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(render(state, "record", &data)?))
}

/// Fills in every key the record templates read (they render in strict mode, so a key left
/// out is an error, not a blank).
fn complete(data: &mut Value) {
    lists(data, &["notice_findings", "intro", "actions", "sections", "history"]);
    fn each(v: &mut Value, names: &[&str]) {
        if let Value::Array(items) = v {
            for item in items {
                keys(item, names);
            }
        }
    }
    keys(
        data,
        &[
            "notice",
            "notice_findings",
            "caption",
            "status",
            "intro",
            "actions",
            "filters",
            "sections",
            "paging",
            "history",
        ],
    );
    each(&mut data["actions"], &["href", "label", "form", "version"]);
    if data["filters"].is_object() {
        keys(&mut data["filters"], &["legend", "submit"]);
        lists(&mut data["filters"], &["hidden"]);
    }
    complete_sections(&mut data["sections"]);
    keys(&mut data["paging"], &["shown", "prev", "next"]);
}

fn complete_sections(sections: &mut Value) {
    let Value::Array(sections) = sections else { return };
    for s in sections {
        keys(s, &["id", "heading", "table", "empty", "chart"]);
        lists(s, &["intro", "summary", "items", "links"]);
        if let Value::Array(rows) = &mut s["summary"] {
            rows.iter_mut().for_each(|r| keys(r, &["key", "value", "href", "tag", "note"]));
        }
        if let Value::Array(rows) = &mut s["items"] {
            rows.iter_mut().for_each(|r| keys(r, &["text", "href", "tag", "note"]));
        }
        if s["table"].is_object() {
            keys(&mut s["table"], &["caption", "head", "rows"]);
            if let Value::Array(rows) = &mut s["table"]["rows"] {
                for r in rows {
                    if let Value::Array(cells) = &mut r["cells"] {
                        cells
                            .iter_mut()
                            .for_each(|c| keys(c, &["text", "href", "tag", "bad", "note", "links", "button"]));
                    }
                }
            }
        }
    }
}

/// Keys the templates read, null where absent.
fn keys(v: &mut Value, names: &[&str]) {
    if let Value::Object(map) = v {
        for n in names {
            map.entry(n.to_string()).or_insert(Value::Null);
        }
    }
}

/// Lists the templates walk with `each`, which refuses a missing or null one: empty instead.
fn lists(v: &mut Value, names: &[&str]) {
    if let Value::Object(map) = v {
        for n in names {
            let slot = map.entry(n.to_string()).or_insert(Value::Null);
            if slot.is_null() {
                *slot = Value::Array(Vec::new());
            }
        }
    }
}

/// A table cell: text, with a link when `href` is given.
pub fn cell(text: impl ToString, href: Option<String>) -> Value {
    json!({"text": text.to_string(), "href": href})
}

/// A table cell with a tag beside its text (`bad` draws it red, and says so in words).
pub fn tagged(text: impl ToString, tag: Option<&str>, bad: bool) -> Value {
    json!({"text": text.to_string(), "tag": tag, "bad": bad})
}

pub fn row(cells: Vec<Value>) -> Value {
    json!({"cells": cells})
}

/// A section holding one table.
pub fn table_section(id: &str, heading: &str, caption: &str, head: &[&str], rows: Vec<Value>, empty: &str) -> Value {
    json!({"id": id, "heading": heading, "table": {"caption": caption, "head": head, "rows": rows}, "empty": empty})
}

/// A row of a summary list.
pub fn item(key: &str, value: impl ToString) -> Value {
    json!({"key": key, "value": value.to_string()})
}

pub fn item_link(key: &str, value: impl ToString, href: String) -> Value {
    json!({"key": key, "value": value.to_string(), "href": href})
}

/// A date as people read it: 1 April 2026.
pub fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub fn day_opt(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "not given".to_string(), day)
}

pub fn money(pence: i64) -> String {
    platform_db::models::format_pence(pence)
}

/// The record's history: every audit entry about it, newest first, with who did it (as the
/// trust knows them) and what changed, field by field.
pub async fn history(state: &AppState, access: &Access, kind: &str, id: &str) -> Result<Vec<Value>, ApiError> {
    let tid = access.tenant.id.clone();
    let (kind, id) = (kind.to_string(), id.to_string());
    let (entries, members) = state
        .tenant_db(&access.tenant.id, move |c| {
            Ok((audit::history_of(c, &tid, &kind, &id, 200)?, users::members(c, &tid)?))
        })
        .await?;
    let names: BTreeMap<_, _> = members.into_iter().map(|(m, _)| (m.user_id, m.display_name)).collect();
    Ok(entries
        .iter()
        .map(|e| {
            let who = e
                .actor_user_id
                .as_ref()
                .and_then(|u| names.get(u).cloned())
                .unwrap_or_else(|| "someone no longer a member".into());
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
            let changes: Vec<Value> = detail["changes"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            json!({"field": c["field"].as_str().unwrap_or("").replace('_', " "),
                                        "before": shown(&c["before"]), "after": shown(&c["after"])})
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut notes = Vec::new();
            for key in ["reason", "note", "notes", "outcome"] {
                if let Some(text) = detail[key].as_str().filter(|t| !t.is_empty()) {
                    notes.push(format!("{}: {text}", key.replace('_', " ")));
                }
            }
            json!({
                "at": e.at.format("%-d %B %Y %H:%M").to_string(),
                "who": who,
                "what": e.action.replace(['.', '_'], " "),
                "changes": changes,
                "notes": notes,
            })
        })
        .collect())
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) if s.is_empty() => "(blank)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The name of one of the five outcomes, by its code.
pub fn outcome_name(code: &str) -> String {
    platform_db::repo::indicators::OUTCOMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, n)| (*n).to_string())
}

/// The five outcomes as choices.
pub fn outcome_options() -> Vec<forms::Opt> {
    platform_db::repo::indicators::OUTCOMES.iter().map(|(c, n)| forms::Opt::new(*c, *n)).collect()
}

/// The trust's framework's areas as choices (by name, as records store them).
pub fn area_options(fw: &crate::framework_calls::Framework) -> Vec<forms::Opt> {
    fw.description().areas.iter().map(|a| forms::Opt::new(a.name.clone(), a.name.clone())).collect()
}

/// The trust's framework's bodies as choices (by id).
pub fn body_options(fw: &crate::framework_calls::Framework) -> Vec<forms::Opt> {
    fw.description().bodies.iter().map(|b| forms::Opt::new(b.id.clone(), b.name.clone())).collect()
}

/// The name of one of the framework's bodies, by its id.
pub fn body_name(fw: &crate::framework_calls::Framework, id: &str) -> String {
    fw.description().bodies.iter().find(|b| b.id == id).map_or_else(|| id.to_string(), |b| b.name.clone())
}

/// A posted form of a tenant's page: the member's access and what they submitted, its form
/// token checked.
pub async fn submitted(
    state: &AppState,
    req: &actix_web::HttpRequest,
    visitor: &super::auth::Visitor,
    slug: &str,
    body: &[u8],
) -> Result<(Access, Values), super::pages::PageError> {
    let access = super::pages::page_access(state, req, visitor, slug).await?;
    let values = Values::parse(body);
    access.check_csrf(values.csrf())?;
    Ok((access, values))
}

/// Where a record's page is, with a note that it was saved.
pub fn saved(path: &str) -> HttpResponse {
    let join = if path.contains('?') { '&' } else { '?' };
    super::edge::see_other(&format!("{path}{join}saved=1"))
}

/// The notice a record's page shows after a save.
pub fn notice(req: &actix_web::HttpRequest) -> Option<&'static str> {
    req.query_string().split('&').any(|p| p == "saved=1").then_some("Saved")
}

/// An id from a page's path: anything unreadable is "not found".
pub fn path_id<T: std::str::FromStr>(text: &str) -> Result<T, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("page not found".into()))
}

/// The framework's fields of a stored record as rows of a summary list, by the framework's
/// labels (a choice by its label).
pub fn attribute_rows(fw: &crate::framework_calls::Framework, kind: &str, stored: &str) -> Vec<Value> {
    let given: BTreeMap<String, String> = serde_json::from_str::<BTreeMap<String, Value>>(stored)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    fw.fields(kind)
        .iter()
        .filter_map(|d| {
            let value = given.get(&d.key)?;
            let shown = d.choices.iter().find(|c| &c.value == value).map_or_else(|| value.clone(), |c| c.label.clone());
            Some(json!({"key": d.label, "value": shown, "note": d.source.as_ref().map(|s| format!("The trust's framework: {s}"))}))
        })
        .collect()
}

/// The trust's needs still in use, as (id, title) for a choice.
pub async fn needs_of(state: &AppState, access: &Access) -> Result<Vec<(String, String)>, ApiError> {
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            Ok(platform_db::repo::commissioning::list_needs(c, &tid, platform_db::repo::Page::all())?
                .items
                .into_iter()
                .filter(|n| n.archived_at.is_none())
                .map(|n| (n.id.to_string(), n.title))
                .collect())
        })
        .await
}

/// A stored code as people read it: `voluntary_community` as "Voluntary community".
pub fn label(code: &str) -> String {
    if code == "sla" {
        return "SLA".into();
    }
    let text = code.replace('_', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |f| f.to_uppercase().chain(chars).collect())
}

/// Codes as choices, each by its label.
pub fn code_options(codes: &[&str]) -> Vec<forms::Opt> {
    codes.iter().map(|c| forms::Opt::new(*c, label(c))).collect()
}

/// The framework's fields of a kind of record that are not the record's own columns (a
/// framework may name a column, such as a provider's sector, to check it).
pub fn own_fields(fw: &crate::framework_calls::Framework, kind: &str, columns: &[&str]) -> Vec<Field> {
    let defs: Vec<_> = fw.fields(kind).into_iter().filter(|d| !columns.contains(&d.key.as_str())).collect();
    forms::framework_fields(&defs)
}

/// The record's own columns the framework requires: required on the form too, with where the
/// rule comes from.
pub fn required_by(fw: &crate::framework_calls::Framework, kind: &str, fields: &mut [Field]) {
    for def in fw.fields(kind).iter().filter(|d| d.required) {
        if let Some(f) = fields.iter_mut().find(|f| f.name == def.key) {
            f.required = true;
            if let Some(source) = &def.source {
                let hint = f.hint.take().unwrap_or_default();
                f.hint = Some(format!("{hint} Required by the trust's framework: {source}.").trim().to_string());
            }
        }
    }
}

/// A contract's KPIs as sections: each KPI's periods with the return, against its target and
/// polarity, off-target and missing returns said in words as well as marked.
pub fn kpi_sections(kpis: &[platform_db::repo::monitoring::KpiView]) -> Vec<Value> {
    kpis.iter()
        .map(|k| {
            let rows: Vec<Value> = k
                .periods
                .iter()
                .map(|p| {
                    let (status, bad) = match p.status.as_str() {
                        "on_target" => ("on target", false),
                        "off_target" => ("off target", true),
                        "reported" => ("reported", false),
                        "missing" => ("missing", true),
                        "awaited" => ("awaited", false),
                        _ => ("running", false),
                    };
                    let status = if p.late { format!("{status}, late") } else { status.to_string() };
                    row(vec![
                        cell(format!("{} to {}", day(p.start), day(p.end)), None),
                        cell(p.value.map_or_else(|| "-".into(), |x| format!("{x}")), None),
                        tagged("", Some(&status), bad || p.late),
                    ])
                })
                .collect();
            let k0 = &k.kpi;
            let mut section = table_section(
                &format!("kpi-{}", k0.code),
                &format!("{} ({})", k0.title, k0.code),
                &format!("Returns for {}", k0.title),
                &["Period", "Value", "Standing"],
                rows,
                "No period has begun yet.",
            );
            section["intro"] = json!([format!(
                "Target {} {} ({}), reported {}. {} off target, {} missing.",
                k0.target,
                label(k0.unit.as_str()).to_lowercase(),
                label(k0.polarity.as_str()).to_lowercase(),
                k0.frequency.as_str(),
                k.off_target,
                k.missing
            )]);
            section
        })
        .collect()
}

/// The name of the record with `id` among (id, name) pairs.
pub fn name_in(pairs: &[(String, String)], id: &str) -> String {
    pairs.iter().find(|(i, _)| i == id).map_or_else(|| "(archived)".into(), |(_, n)| n.clone())
}

/// Previous and next links of a paged list, keeping its query.
pub fn paging(path: &str, query: &Values, total: i64, limit: i64, offset: i64) -> Value {
    let link = |offset: i64| -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, vs) in query.pairs() {
            if k != "offset" {
                for v in vs {
                    q.append_pair(k, v);
                }
            }
        }
        q.append_pair("offset", &offset.to_string());
        format!("{path}?{}", q.finish())
    };
    let shown = if total == 0 {
        "None found.".to_string()
    } else {
        format!("Showing {} to {} of {total}.", offset + 1, (offset + limit).min(total))
    };
    json!({
        "shown": shown,
        "prev": (offset > 0).then(|| link((offset - limit).max(0))),
        "next": (offset + limit < total).then(|| link(offset + limit)),
    })
}

/// The trust's priorities still in use, as (id, title) for a choice, by rank.
pub async fn priorities_of(state: &AppState, access: &Access) -> Result<Vec<(String, String)>, ApiError> {
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let mut all: Vec<_> =
                platform_db::repo::commissioning::list_priorities(c, &tid, platform_db::repo::Page::all())?
                    .items
                    .into_iter()
                    .filter(|p| p.archived_at.is_none())
                    .collect();
            all.sort_by_key(|p| p.rank);
            Ok(all.into_iter().map(|p| (p.id.to_string(), format!("{}. {}", p.rank, p.title))).collect())
        })
        .await
}

/// The trust's members as (user id, the name the trust knows them by).
pub async fn member_names(state: &AppState, access: &Access) -> Result<Vec<(String, String)>, ApiError> {
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            Ok(users::members(c, &tid)?.into_iter().map(|(m, _)| (m.user_id.to_string(), m.display_name)).collect())
        })
        .await
}

/// The trust's projects as (id, title), and its open contracts as (id, reference and title),
/// for the choices of what a decision is on.
pub async fn projects_and_contracts(
    state: &AppState,
    access: &Access,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), ApiError> {
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            use platform_db::repo::{Page, commissioning as cm};
            let projects = cm::list_projects(c, &tid, Page::all())?
                .items
                .into_iter()
                .map(|p| (p.id.to_string(), p.title))
                .collect();
            let contracts = cm::list_contracts(c, &tid, Page::all())?
                .items
                .into_iter()
                .map(|k| (k.id.to_string(), format!("{} {}", k.reference, k.title)))
                .collect();
            Ok((projects, contracts))
        })
        .await
}

/// The trust's providers still in use, as (id, name).
fn live_providers(
    c: &mut platform_db::DbConnection,
    tenant: &platform_db::TenantId,
) -> platform_db::error::DbResult<Vec<(String, String)>> {
    Ok(platform_db::repo::commissioning::list_providers(c, tenant, platform_db::repo::Page::all())?
        .items
        .into_iter()
        .filter(|p| p.archived_at.is_none())
        .map(|p| (p.id.to_string(), p.name))
        .collect())
}

/// The trust's services still in use, as (id, name).
fn live_services(
    c: &mut platform_db::DbConnection,
    tenant: &platform_db::TenantId,
) -> platform_db::error::DbResult<Vec<(String, String)>> {
    Ok(platform_db::repo::commissioning::list_services(c, tenant, platform_db::repo::Page::all())?
        .items
        .into_iter()
        .filter(|s| s.archived_at.is_none())
        .map(|s| (s.id.to_string(), s.name))
        .collect())
}

/// The trust's providers still in use, as (id, name) for a choice.
pub async fn providers_of(state: &AppState, access: &Access) -> Result<Vec<(String, String)>, ApiError> {
    let tid = access.tenant.id.clone();
    state.tenant_db(&access.tenant.id, move |c| live_providers(c, &tid)).await
}

/// The trust's services still in use, as (id, name) for a choice.
pub async fn services_of(state: &AppState, access: &Access) -> Result<Vec<(String, String)>, ApiError> {
    let tid = access.tenant.id.clone();
    state.tenant_db(&access.tenant.id, move |c| live_services(c, &tid)).await
}

/// The trust's providers and services still in use, in one trip.
pub async fn providers_and_services(
    state: &AppState,
    access: &Access,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), ApiError> {
    let tid = access.tenant.id.clone();
    state.tenant_db(&access.tenant.id, move |c| Ok((live_providers(c, &tid)?, live_services(c, &tid)?))).await
}
