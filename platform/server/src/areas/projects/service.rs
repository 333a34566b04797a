//! Commissioning projects through the trust's framework's stages. A project starts at the
//! framework's first stage (or a later one, with the reason why), is placed at a level and under
//! a body by the framework, and moves stage by stage through the framework's gate: an error
//! finding stops the move and says where in the trust's document the rule comes from; warnings
//! go ahead only with a note that acknowledges them; every move is kept with who made it.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use platform_db::models::*;
use platform_db::repo::changes::audit_detail;
use platform_db::repo::commissioning::{self as c, StageChange};
use platform_db::repo::contracts as k;
use platform_db::repo::edits::{self, not_here};
use platform_db::repo::{Page, audit};
use platform_db::{PriorityId, ProjectId, ServiceId};
use platform_plugins::types::{Attribute, Severity, StageMove as GateMove};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action, Actor};
use crate::app::input::fields_json;
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, FindingView, Framework};

/// A new project, as the form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority_id: Option<String>,
    #[serde(default)]
    pub service_id: Option<String>,
    /// A stage of the framework to start at; the first when not given.
    #[serde(default)]
    pub stage: Option<String>,
    /// Why the project starts past the first stage (required then).
    #[serde(default)]
    pub reason: String,
    /// The framework's own fields for projects, by key.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// An edit of a project's description; its stage moves only through the gate.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectEdit {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// A move to another stage.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// A stage of the trust's framework.
    pub to_stage: String,
    /// Needed when the gate warns: what was considered, and why the project goes on.
    #[serde(default)]
    pub note: String,
    /// The framework's fields for a stage move, by key (e.g. Durham's level of commissioning).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectSaved {
    pub project: Project,
    /// Where the framework placed it and why.
    pub placement: Option<Placement>,
    pub findings: Vec<FindingView>,
    pub history: Vec<StageMove>,
    /// The last move the framework's gate refused since the project last moved, if any: where
    /// it was blocked, and why.
    pub blocked: Option<Blocked>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Blocked {
    pub to_stage: String,
    #[schema(value_type = String)]
    pub at: NaiveDateTime,
    pub findings: Vec<FindingView>,
}

/// Keeps a move the gate refused, in a unit of work of its own (the move itself wrote
/// nothing), so the project shows where it is blocked and why.
pub fn record_refusal(
    conn: &mut platform_db::DbConnection,
    actor: &Actor,
    id: &ProjectId,
    to_stage: &str,
    findings: &[FindingView],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let detail = serde_json::json!({"to": to_stage, "findings": findings}).to_string();
    audit::record(conn, &actor.audit("project.move_refused", "project", id.as_str(), detail, now))?;
    Ok(())
}

/// The gate's last refusal since the project's last move.
fn blocked(
    conn: &mut platform_db::DbConnection,
    tenant: &platform_db::TenantId,
    id: &ProjectId,
    history: &[StageMove],
) -> Result<Option<Blocked>, ApiError> {
    let last_move = history.last().map(|h| h.moved_at);
    let refusals = audit::for_entity(conn, tenant, "project", id.as_str(), &["project.move_refused"], 1)?;
    Ok(refusals.into_iter().find(|e| last_move.is_none_or(|m| e.at >= m)).and_then(|e| {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).ok()?;
        Some(Blocked {
            to_stage: detail["to"].as_str()?.to_string(),
            at: e.at,
            findings: serde_json::from_value(detail["findings"].clone()).ok()?,
        })
    }))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Placement {
    pub level: String,
    pub body: String,
    pub rationale: String,
    pub source: Option<String>,
}

/// The tier of the service a project is about, if it names one.
fn service_tier(
    conn: &mut platform_db::DbConnection,
    tenant: &platform_db::TenantId,
    row: &Project,
) -> Result<Option<Tier>, ApiError> {
    Ok(match &row.service_id {
        Some(s) => Some(c::get_service(conn, tenant, s)?.tier),
        None => None,
    })
}

fn stage_ids(fw: &Framework) -> Vec<String> {
    fw.description().stages.iter().map(|s| s.id.clone()).collect()
}

fn parse_ref<T: std::str::FromStr>(field: &'static str, text: &Option<String>) -> Result<Option<T>, ApiError> {
    text.as_deref()
        .map(|t| {
            t.trim().parse::<T>().map_err(|_| ApiError::bad_request(Some(field), "not one of this trust's records"))
        })
        .transpose()
}

pub async fn create(state: &AppState, access: &Access, input: ProjectInput) -> Result<ProjectSaved, ApiError> {
    access.require(Action::Commission)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            create_in(conn, &fw, &actor, input, clock::today(), clock::now())
        })
        .await
}

/// Starts a project, within a unit of work.
pub fn create_in(
    conn: &mut platform_db::DbConnection,
    fw: &Framework,
    actor: &Actor,
    input: ProjectInput,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> Result<ProjectSaved, ApiError> {
    let stages = stage_ids(fw);
    let Some(first) = stages.first().cloned() else {
        return Err(ApiError::bad_request(Some("stage"), "the trust's framework has no stages"));
    };
    let stage = match input.stage.as_deref().map(str::trim) {
        None | Some("") => first.clone(),
        Some(s) if stages.iter().any(|x| x == s) => s.to_string(),
        Some(s) => {
            return Err(ApiError::bad_request(
                Some("stage"),
                format!("{s:?} is not one of the framework's stages: {}", stages.join(", ")),
            ));
        }
    };
    let reason = input.reason.trim().to_string();
    if stage != first && reason.is_empty() {
        return Err(ApiError::bad_request(
            Some("reason"),
            format!("say why the project starts past the first stage ({first})"),
        ));
    }
    let attributes = fields_json(fw, "project", &input.attributes)?;
    let priority: Option<PriorityId> = parse_ref("priority_id", &input.priority_id)?;
    let service: Option<ServiceId> = parse_ref("service_id", &input.service_id)?;
    let tenant = actor.tenant.clone();
    {
        {
            if let Some(p) = &priority {
                let row = c::get_priority(conn, &tenant, p)
                    .map_err(|e| not_here(e, "priority_id", "not one of this trust's priorities"))?;
                if row.archived_at.is_some() {
                    return Err(ApiError::bad_request(Some("priority_id"), "that priority is archived"));
                }
            }
            if let Some(s) = &service {
                c::get_service(conn, &tenant, s)
                    .map_err(|e| not_here(e, "service_id", "not one of this trust's services"))?;
            }
            let row = Project {
                id: ProjectId::new(),
                tenant_id: tenant.clone(),
                title: input.title.trim().to_string(),
                description: input.description.trim().to_string(),
                level: None,
                stage,
                priority_id: priority,
                service_id: service,
                owner_user_id: Some(actor.user.clone()),
                started_on: today,
                created_at: now,
                attributes,
                version: 1,
                body: None,
                contract_id: None,
            };
            let findings = fc::refuse_on_errors(&fw.validate_now(today, &row.entity())?)?;
            let placed = fw.classify_now(fc::project_item(&row, service_tier(conn, &tenant, &row)?))?;
            let row = Project { level: Some(placed.level.clone()), body: Some(placed.body.clone()), ..row };
            let row = c::insert_project_noted(conn, &tenant, row, &reason).map_err(|e| match e {
                platform_db::DbError::Conflict(_) => ApiError::Taken {
                    field: "title".into(),
                    message: "another project of this trust has this title".into(),
                },
                other => other.into(),
            })?;
            audit::record(
                conn,
                &actor.audit(
                    "project.created",
                    "project",
                    row.id.as_str(),
                    audit_detail(&k::created(&row), Default::default()),
                    now,
                ),
            )?;
            let history = c::stage_history(conn, &tenant, &row.id)?;
            let placement = Placement {
                level: placed.level,
                body: placed.body,
                rationale: placed.rationale,
                source: placed.source,
            };
            Ok(ProjectSaved { project: row, placement: Some(placement), findings, history, blocked: None })
        }
    }
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: ProjectId,
    version: i32,
    input: ProjectEdit,
) -> Result<ProjectSaved, ApiError> {
    access.require(Action::Commission)?;
    let (today, now) = (clock::today(), clock::now());
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let attributes = fields_json(&fw, "project", &input.attributes)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = c::get_project(conn, &tenant, &id)?;
            edits::check_version(row.version, version)?;
            row.title = input.title.trim().to_string();
            row.description = input.description.trim().to_string();
            row.attributes = attributes;
            let findings = fc::refuse_on_errors(&fw.validate_now(today, &row.entity())?)?;
            let placed = fw.classify_now(fc::project_item(&row, service_tier(conn, &tenant, &row)?))?;
            row.level = Some(placed.level.clone());
            row.body = Some(placed.body.clone());
            let saved = edits::save_project(conn, &tenant, row)?;
            audit::record(
                conn,
                &access.actor().audit(
                    "project.edited",
                    "project",
                    id.as_str(),
                    audit_detail(&saved.changes, Default::default()),
                    now,
                ),
            )?;
            let history = c::stage_history(conn, &tenant, &id)?;
            let placement = Placement {
                level: placed.level,
                body: placed.body,
                rationale: placed.rationale,
                source: placed.source,
            };
            Ok(ProjectSaved { project: saved.row, placement: Some(placement), findings, history, blocked: None })
        })
        .await
}

/// Moves a project through the framework's gate.
pub async fn move_stage(
    state: &AppState,
    access: &Access,
    id: ProjectId,
    version: i32,
    input: MoveInput,
) -> Result<ProjectSaved, ApiError> {
    access.require(Action::Commission)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    let to_stage = input.to_stage.trim().to_string();
    let (who, which) = (actor.clone(), id.clone());
    let result = state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            move_in(conn, &fw, &actor, id, Some(version), input, clock::today(), clock::now())
        })
        .await;
    if let Err(ApiError::Refused { findings, .. }) = &result
        && findings.iter().any(|f| f.severity == "error")
    {
        {
            let findings = findings.clone();
            state
                .tenant_work(&who.tenant.clone(), move |conn| {
                    record_refusal(conn, &who, &which, &to_stage, &findings, clock::now())
                })
                .await?;
        }
    }
    result
}

/// Moves a project through the gate, within a unit of work. `version`: the version the move
/// was made to (None for the platform's own moves, such as the demo data's).
#[allow(clippy::too_many_arguments)]
pub fn move_in(
    conn: &mut platform_db::DbConnection,
    fw: &Framework,
    actor: &Actor,
    id: ProjectId,
    version: Option<i32>,
    input: MoveInput,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> Result<ProjectSaved, ApiError> {
    let stages = stage_ids(fw);
    let to = input.to_stage.trim().to_string();
    if !stages.contains(&to) {
        return Err(ApiError::bad_request(
            Some("to_stage"),
            format!("{to:?} is not one of the framework's stages: {}", stages.join(", ")),
        ));
    }
    let note = input.note.trim().to_string();
    let tenant = actor.tenant.clone();
    {
        {
            let project = c::get_project(conn, &tenant, &id)?;
            if let Some(v) = version {
                edits::check_version(project.version, v)?;
            }
            if project.stage == to {
                return Err(ApiError::bad_request(Some("to_stage"), format!("the project is at {to} already")));
            }
            // What the gate is shown: the project as it stands, then the move's own fields,
            // checked against the framework's definitions (a required one the project already
            // holds need not be given again).
            let view = project.entity();
            let defs = fw.fields("stage-move");
            let mut given = input.attributes.clone();
            for d in &defs {
                if !given.contains_key(&d.key)
                    && let Some((_, v)) = view.attributes.iter().find(|(k, _)| *k == d.key)
                {
                    given.insert(d.key.clone(), v.clone());
                }
            }
            let fields = fc::check_fields(&defs, &given)?;
            let mut attributes: Vec<Attribute> =
                view.attributes.iter().map(|(k, v)| Attribute { key: k.clone(), value: v.clone() }).collect();
            for (k, v) in &fields {
                attributes.retain(|a| a.key != *k);
                attributes.push(Attribute { key: k.clone(), value: v.clone() });
            }
            let findings = fw.stage_gate_now(
                today,
                GateMove {
                    project_id: project.id.to_string(),
                    from_stage: Some(project.stage.clone()),
                    to_stage: to.clone(),
                    attributes,
                },
            )?;
            let views = fc::refuse_on_errors(&findings)?;
            let warned = findings.iter().any(|f| f.severity == Severity::Warning);
            if warned && note.is_empty() {
                return Err(ApiError::Refused {
                    field: Some("note".into()),
                    message: "the framework warns about this move: acknowledge each warning in a note to go ahead"
                        .into(),
                    findings: views,
                });
            }
            let findings_json = serde_json::to_string(&views).map_err(|e| ApiError::Internal(e.to_string()))?;
            let moved = c::move_project(
                conn,
                &tenant,
                &id,
                StageChange {
                    to_stage: &to,
                    findings_json: &findings_json,
                    note: &note,
                    by: Some(&actor.user),
                    version,
                    now,
                },
            )?;
            let detail = serde_json::json!({"from": moved.from_stage, "to": moved.to_stage, "note": note,
                "fields": fields, "findings": views})
            .to_string();
            audit::record(conn, &actor.audit("project.moved", "project", id.as_str(), detail, now))?;
            let project = c::get_project(conn, &tenant, &id)?;
            let history = c::stage_history(conn, &tenant, &id)?;
            Ok(ProjectSaved { project, placement: None, findings: views, history, blocked: None })
        }
    }
}

/// A page of the trust's projects.
pub async fn list(
    state: &AppState,
    access: &Access,
    page: Page,
) -> Result<platform_db::repo::Paged<Project>, ApiError> {
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(ApiError::Forbidden(
            "commissioning projects are the trust's; providers see their own contracts".into(),
        ));
    }
    let tenant = access.tenant.id.clone();
    state.tenant_db(&tenant.clone(), move |conn| c::list_projects(conn, &tenant, page)).await
}

/// A project with its stage history.
pub async fn record(state: &AppState, access: &Access, id: ProjectId) -> Result<ProjectSaved, ApiError> {
    access.require(Action::Read)?;
    // A provider's staff see their own contracts, not the trust's projects: as with another
    // provider's contract, a project is "not found" for them.
    if access.provider_scope().is_some() {
        return Err(ApiError::NotFound("not found".into()));
    }
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let project = c::get_project(conn, &tenant, &id)?;
            let history = c::stage_history(conn, &tenant, &id)?;
            let blocked = blocked(conn, &tenant, &id, &history)?;
            Ok(ProjectSaved { project, placement: None, findings: Vec::new(), history, blocked })
        })
        .await
}

/// The board: the framework's stages in its groups (ASSESS, PLAN, DO, REVIEW, or the trust's
/// own), each with the projects at that stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub groups: Vec<BoardGroup>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardGroup {
    /// The framework's name for the group ("" where its stages have none).
    pub group: String,
    pub stages: Vec<BoardStage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardStage {
    pub id: String,
    pub name: String,
    pub projects: Vec<Project>,
}

pub async fn board(state: &AppState, access: &Access) -> Result<Board, ApiError> {
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(ApiError::Forbidden(
            "commissioning projects are the trust's; providers see their own contracts".into(),
        ));
    }
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let tenant = access.tenant.id.clone();
    let projects =
        state.tenant_db(&tenant.clone(), move |conn| Ok(c::list_projects(conn, &tenant, Page::all())?.items)).await?;
    let mut groups: Vec<BoardGroup> = Vec::new();
    for stage in &fw.description().stages {
        let group = stage.group.clone().unwrap_or_default();
        let at: Vec<Project> = projects.iter().filter(|p| p.stage == stage.id).cloned().collect();
        let entry = BoardStage { id: stage.id.clone(), name: stage.name.clone(), projects: at };
        match groups.last_mut() {
            Some(g) if g.group == group => g.stages.push(entry),
            _ => groups.push(BoardGroup { group, stages: vec![entry] }),
        }
    }
    // A project at a stage the framework no longer has is shown, not lost.
    let known: Vec<&str> = fw.description().stages.iter().map(|s| s.id.as_str()).collect();
    let strays: Vec<Project> = projects.into_iter().filter(|p| !known.contains(&p.stage.as_str())).collect();
    if !strays.is_empty() {
        groups.push(BoardGroup {
            group: "Not a stage of the current framework".into(),
            stages: vec![BoardStage { id: String::new(), name: "Other".into(), projects: strays }],
        });
    }
    Ok(Board { groups })
}
