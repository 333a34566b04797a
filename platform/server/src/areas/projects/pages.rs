//! The commissioning projects' pages: the board by the framework's stage groups, a project
//! with its stage history (who moved it, the gate's findings, the notes) and where it is
//! blocked, and the forms to start, edit and move one through the framework's gate (the same
//! actions as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ProjectId;
use platform_db::models::Project;
use serde_json::{Value, json};

use super::service::{self, MoveInput, ProjectEdit, ProjectInput, ProjectSaved};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;
use crate::framework_calls::{FindingView, Framework};

fn stage_name(fw: &Framework, id: &str) -> String {
    fw.description().stages.iter().find(|s| s.id == id).map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn stage_options(fw: &Framework) -> Vec<Opt> {
    fw.description().stages.iter().map(|s| Opt::new(s.id.clone(), s.name.clone())).collect()
}

pub(super) async fn board(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let board = service::board(&state, &access).await?;
    let base = format!("/t/{}/projects", access.tenant.slug);
    let sections: Vec<Value> = board
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let rows: Vec<Value> = g
                .stages
                .iter()
                .flat_map(|s| {
                    if s.projects.is_empty() {
                        vec![v::row(vec![
                            v::cell(&s.name, None),
                            v::cell("none at this stage", None),
                            v::cell("", None),
                        ])]
                    } else {
                        s.projects
                            .iter()
                            .map(|p| {
                                v::row(vec![
                                    v::cell(&s.name, None),
                                    v::cell(&p.title, Some(format!("{base}/{}", p.id))),
                                    v::cell(p.level.clone().unwrap_or_else(|| "-".into()), None),
                                ])
                            })
                            .collect()
                    }
                })
                .collect();
            let heading = if g.group.is_empty() { "Stages".to_string() } else { g.group.clone() };
            v::table_section(
                &format!("group-{i}"),
                &heading,
                &format!("Projects at the stages of {heading}"),
                &["Stage", "Project", "Level"],
                rows,
                "",
            )
        })
        .collect();
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("{base}/new"), "label": "Start a commissioning project"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Commissioning projects", "caption": access.tenant.name, "actions": actions, "sections": sections,
               "intro": ["Projects by the stages of the trust's framework, grouped as it groups them."]}),
    )?)
}

async fn new_fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let services = v::services_of(state, access).await?;
    let priorities = v::priorities_of(state, access).await?;
    let first = fw.description().stages.first().map(|s| s.name.clone()).unwrap_or_default();
    let mut fields = vec![
        Field::text("title", "Project"),
        Field::area("description", "What it is to commission").optional(),
        Field::select(
            "priority_id",
            "The priority it serves",
            priorities.into_iter().map(|(i, n)| Opt::new(i, n)).collect(),
        )
        .optional(),
        Field::select(
            "service_id",
            "The service it concerns",
            services.into_iter().map(|(i, n)| Opt::new(i, n)).collect(),
        )
        .optional(),
        Field::select("stage", "Stage to start at", stage_options(&fw))
            .optional()
            .hint(format!("Leave as none to start at the framework's first stage, {first}.")),
        Field::area("reason", "Why it starts past the first stage").optional().hint("Needed when it does."),
    ];
    fields.extend(forms::framework_fields(&fw.fields("project")));
    Ok(fields)
}

async fn new_form(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = new_fields(state, access).await?;
    let base = format!("/t/{}/projects", access.tenant.slug);
    let mut page = FormPage::new("Start a commissioning project", base.clone(), &fields, values);
    page.caption = Some("Commissioning projects".into());
    page.intro = vec!["The trust's framework places the project at its level and under the body that owns it.".into()];
    page.cancel = Some(base);
    page.submit = "Start project";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let query = Values::parse(req.query_string().as_bytes());
    let mut values = Values::default();
    values.set("service_id", query.get("service_id")).set("priority_id", query.get("priority_id"));
    Ok(new_form(&state, &access, &values, None).await?)
}

pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let fields = new_fields(&state, &access).await?;
    let result = match forms::read::<ProjectInput>(&fields, &values) {
        Ok(input) => service::create(&state, &access, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/projects/{}", access.tenant.slug, saved.project.id))),
        Err(e) => Ok(new_form(&state, &access, &values, Some(e)).await?),
    }
}

fn finding_items(findings: &[FindingView]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            json!({"text": f.message, "tag": f.severity,
                   "note": f.source.as_ref().map(|s| format!("The trust's framework: {s}"))})
        })
        .collect()
}

pub(super) async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let ProjectSaved { project: p, history, blocked, .. } = service::record(&state, &access, v::path_id(&id)?).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let slug = &access.tenant.slug;
    let base = format!("/t/{slug}/projects/{}", p.id);
    let mut summary = vec![
        v::item("Stage", stage_name(&fw, &p.stage)),
        v::item("Level", p.level.clone().unwrap_or_else(|| "not placed".into())),
        v::item("Owned by", p.body.as_deref().map_or_else(|| "not placed".into(), |b| v::body_name(&fw, b))),
        v::item("Started", v::day(p.started_on)),
        v::item(
            "What it is to commission",
            if p.description.is_empty() { "not given".into() } else { p.description.clone() },
        ),
    ];
    if let Some(pr) = &p.priority_id {
        summary.push(v::item_link("The priority it serves", "the priority", format!("/t/{slug}/priorities/{pr}")));
    }
    if let Some(s) = &p.service_id {
        summary.push(v::item_link("The service it concerns", "the service", format!("/t/{slug}/services/{s}")));
    }
    if let Some(k) = &p.contract_id {
        summary.push(v::item_link("Re-commissions", "the contract", format!("/t/{slug}/contracts/{k}")));
    }
    summary.extend(v::attribute_rows(&fw, "project", &p.attributes));
    let mut sections = vec![json!({"id": "project", "summary": summary})];
    if let Some(b) = &blocked {
        sections.push(json!({"id": "blocked", "heading": format!("Blocked: the move to {} was refused", stage_name(&fw, &b.to_stage)),
            "intro": [format!("On {}, the trust's framework refused the move:", b.at.format("%-d %B %Y"))],
            "items": finding_items(&b.findings)}));
    }
    let members = v::member_names(&state, &access).await?;
    let moves: Vec<Value> = history
        .iter()
        .rev()
        .map(|m| {
            let findings: Vec<FindingView> = serde_json::from_str(&m.findings).unwrap_or_default();
            let said: Vec<String> = findings.iter().map(|f| format!("{}: {}", f.severity, f.message)).collect();
            v::row(vec![
                v::cell(
                    format!(
                        "{} to {}",
                        m.from_stage.as_deref().map_or_else(|| "start".into(), |s| stage_name(&fw, s)),
                        stage_name(&fw, &m.to_stage)
                    ),
                    None,
                ),
                v::cell(m.moved_at.format("%-d %B %Y %H:%M"), None),
                v::cell(
                    m.moved_by_user_id.as_ref().map_or_else(|| "-".into(), |u| v::name_in(&members, u.as_str())),
                    None,
                ),
                v::cell(if m.note.is_empty() { "-".to_string() } else { m.note.clone() }, None),
                v::cell(if said.is_empty() { "none".into() } else { said.join("; ") }, None),
            ])
        })
        .collect();
    sections.push(v::table_section(
        "moves",
        "Stage history",
        "Every move of the project",
        &["Move", "When", "By", "Note", "What the framework said"],
        moves,
        "No move yet.",
    ));
    let mut actions = Vec::new();
    if Action::Commission.allowed(access.role()) {
        actions.push(json!({"href": format!("{base}/move"), "label": "Move to another stage"}));
        actions.push(json!({"href": format!("{base}/edit"), "label": "Edit project"}));
    }
    let audit = v::history(&state, &access, "project", p.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": p.title, "caption": "Commissioning project", "status": stage_name(&fw, &p.stage),
               "notice": v::notice(&req), "actions": actions, "sections": sections, "history": audit}),
    )?)
}

fn move_fields(fw: &Framework) -> Vec<Field> {
    let mut fields = vec![
        Field::select("to_stage", "Move to", stage_options(fw)),
        Field::area("note", "Note")
            .optional()
            .hint("Needed when the framework warns: what was considered, and why the project goes on."),
    ];
    fields.extend(forms::framework_fields(&fw.fields("stage-move")));
    fields
}

async fn move_form(
    state: &AppState,
    access: &Access,
    p: &Project,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let fields = move_fields(&fw);
    let base = format!("/t/{}/projects/{}", access.tenant.slug, p.id);
    let mut page = FormPage::new("Move the project", format!("{base}/moves"), &fields, values);
    page.caption = Some(p.title.clone());
    page.intro = vec![format!(
        "It is at {}. The trust's framework checks every move at its gate: an error stops it, a warning needs a note.",
        stage_name(&fw, &p.stage)
    )];
    page.version = Some(p.version);
    page.cancel = Some(base);
    page.submit = "Move project";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn move_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let p = service::record(&state, &access, v::path_id(&id)?).await?.project;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let stages = &fw.description().stages;
    let next = stages.iter().position(|s| s.id == p.stage).and_then(|i| stages.get(i + 1));
    let mut values = Values::default();
    values.set("to_stage", next.map(|s| s.id.clone()).unwrap_or_default());
    Ok(move_form(&state, &access, &p, &values, None).await?)
}

pub(super) async fn move_project(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: ProjectId = v::path_id(&id)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let result = match forms::read_versioned::<MoveInput>(&move_fields(&fw), &values) {
        Ok((input, version)) => service::move_stage(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/projects/{}", access.tenant.slug, saved.project.id))),
        Err(e) => {
            let p = service::record(&state, &access, id).await?.project;
            Ok(move_form(&state, &access, &p, &values, Some(e)).await?)
        }
    }
}

fn edit_fields(fw: &Framework) -> Vec<Field> {
    let mut fields =
        vec![Field::text("title", "Project"), Field::area("description", "What it is to commission").optional()];
    fields.extend(forms::framework_fields(&fw.fields("project")));
    fields
}

fn edit_values(p: &Project) -> Values {
    let mut values = Values::default();
    values.set("title", p.title.clone()).set("description", p.description.clone()).set_attributes(&p.attributes);
    values
}

async fn edit_form(
    state: &AppState,
    access: &Access,
    p: &Project,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let fields = edit_fields(&fw);
    let base = format!("/t/{}/projects/{}", access.tenant.slug, p.id);
    let mut page = FormPage::new(format!("Edit {}", p.title), format!("{base}/edit"), &fields, values);
    page.caption = Some("Commissioning project".into());
    page.version = Some(p.version);
    page.cancel = Some(base);
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn edit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let p = service::record(&state, &access, v::path_id(&id)?).await?.project;
    Ok(edit_form(&state, &access, &p, &edit_values(&p), None).await?)
}

pub(super) async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: ProjectId = v::path_id(&id)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let result = match forms::read_versioned::<ProjectEdit>(&edit_fields(&fw), &values) {
        Ok((input, version)) => service::edit(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/projects/{}", access.tenant.slug, saved.project.id))),
        Err(e) => {
            let p = service::record(&state, &access, id).await?.project;
            let shown = if matches!(e, ApiError::Stale { .. }) { edit_values(&p) } else { values };
            Ok(edit_form(&state, &access, &p, &shown, Some(e)).await?)
        }
    }
}
