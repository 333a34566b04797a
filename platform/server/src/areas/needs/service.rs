//! The needs assessment's actions: a need recorded, edited (naming the version edited) and
//! archived. Each is one unit of work: the trust's framework validates the need (an error
//! refuses it), the row is written and the audit entry with what changed, all or none.

use chrono::NaiveDate;
use platform_db::NeedId;
use platform_db::models::Need;
use platform_db::repo::changes::{FieldChange, audit_detail};
use platform_db::repo::commissioning as c;
use platform_db::repo::contracts::created;
use platform_db::repo::{audit, edits};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::app::input as r;
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, FindingView, Framework};

/// A need, as the API gives it, to record one or to edit one (its version named by If-Match).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedInput {
    /// One of the five outcomes: be_healthy, stay_safe, enjoy_and_achieve,
    /// positive_contribution, economic_wellbeing.
    pub outcome: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The group of children and young people with the need.
    #[serde(default)]
    pub group: Option<String>,
    /// The ages with the need, in whole years 0 to 25: both or neither.
    #[serde(default, deserialize_with = "crate::app::api::whole_i32_opt")]
    pub age_from: Option<i32>,
    #[serde(default, deserialize_with = "crate::app::api::whole_i32_opt")]
    pub age_to: Option<i32>,
    /// One of the areas of the trust's framework, where it lists areas.
    #[serde(default)]
    pub area: Option<String>,
    /// What shows the need.
    #[serde(default)]
    pub evidence: Option<String>,
    /// Where the need was identified (a needs assessment, an inspection).
    #[serde(default)]
    pub source: Option<String>,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub identified_on: Option<String>,
}

/// What a write of a need did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NeedSaved {
    pub need: Need,
    /// What the trust's framework said (warnings and notes; an error would have refused it).
    pub findings: Vec<FindingView>,
    pub changes: Vec<FieldChange>,
}

/// The need's fields as given, checked: everything of the row but its identity and bookkeeping.
struct Fields {
    outcome_code: String,
    title: String,
    description: String,
    group_name: Option<String>,
    ages: Option<(i32, i32)>,
    area: Option<String>,
    evidence: String,
    source: String,
    identified_on: NaiveDate,
}

fn fields(fw: &Framework, input: &NeedInput) -> Result<Fields, ApiError> {
    let ages = match (input.age_from, input.age_to) {
        (None, None) => None,
        (Some(from), Some(to)) => Some(r::ages(from, to)?),
        (Some(_), None) => {
            return Err(ApiError::bad_request(Some("age_to"), "give both ages of the range, or neither"));
        }
        (None, Some(_)) => {
            return Err(ApiError::bad_request(Some("age_from"), "give both ages of the range, or neither"));
        }
    };
    Ok(Fields {
        outcome_code: r::outcome("outcome", &input.outcome)?,
        title: r::name("title", &input.title, 300)?,
        description: r::notes("description", input.description.as_deref(), 4000)?,
        group_name: r::optional_line("group", input.group.as_deref(), 200)?,
        ages,
        area: r::area(fw, "area", input.area.as_deref())?,
        evidence: r::notes("evidence", input.evidence.as_deref(), 4000)?,
        source: r::optional_line("source", input.source.as_deref(), 300)?.unwrap_or_default(),
        identified_on: match input.identified_on.as_deref() {
            None => clock::today(),
            Some(d) => r::date("identified_on", d)?,
        },
    })
}

fn apply(row: &mut Need, f: Fields) {
    row.outcome_code = f.outcome_code;
    row.title = f.title;
    row.description = f.description;
    row.group_name = f.group_name;
    (row.age_from, row.age_to) = (f.ages.map(|a| a.0), f.ages.map(|a| a.1));
    row.area = f.area;
    row.evidence = f.evidence;
    row.source = f.source;
    row.identified_on = f.identified_on;
}

/// The trust's framework's validation of a need, asked within the unit of work.
fn judged(fw: &Framework, need: &Need) -> Result<Vec<FindingView>, ApiError> {
    fc::refuse_on_errors(&fw.validate_now(clock::today(), &need.entity())?)
}

pub async fn create(state: &AppState, access: &Access, input: NeedInput) -> Result<NeedSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(&fw, &input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut need = Need {
                id: NeedId::new(),
                tenant_id: tenant.clone(),
                outcome_code: String::new(),
                title: String::new(),
                description: String::new(),
                group_name: None,
                age_from: None,
                age_to: None,
                area: None,
                evidence: String::new(),
                source: String::new(),
                identified_on: given.identified_on,
                created_at: now,
                version: 1,
                archived_at: None,
            };
            apply(&mut need, given);
            let findings = judged(&fw, &need)?;
            let need = c::insert_need(conn, &tenant, need).map_err(r::taken("title", "need"))?;
            let changes = created(&need);
            let detail = audit_detail(&changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "need.created", "need", need.id.as_str(), detail, now))?;
            Ok(NeedSaved { need, findings, changes })
        })
        .await
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: NeedId,
    version: i32,
    input: NeedInput,
) -> Result<NeedSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(&fw, &input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let stored = c::get_need(conn, &tenant, &id)?;
            edits::check_version(stored.version, version)?;
            let mut row = stored;
            apply(&mut row, given);
            let findings = judged(&fw, &row)?;
            let saved = edits::save_need(conn, &tenant, row).map_err(r::taken("title", "need"))?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "need.edited", "need", id.as_str(), detail, now))?;
            Ok(NeedSaved { need: saved.row, findings, changes: saved.changes })
        })
        .await
}

pub async fn archive(state: &AppState, access: &Access, id: NeedId, version: i32) -> Result<NeedSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let saved = edits::archive_need(conn, &tenant, &id, version, now)?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "need.archived", "need", id.as_str(), detail, now))?;
            Ok(NeedSaved { need: saved.row, findings: Vec::new(), changes: saved.changes })
        })
        .await
}

/// A need as it now stands.
pub async fn current(state: &AppState, access: &Access, id: NeedId) -> Result<Need, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state.tenant_db(&tenant.clone(), move |conn| c::get_need(conn, &tenant, &id)).await
}

/// The trust's needs, by outcome then title (archived ones too, marked).
pub async fn all(state: &AppState, access: &Access) -> Result<Vec<Need>, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state
        .tenant_db(&tenant.clone(), move |conn| Ok(c::list_needs(conn, &tenant, platform_db::repo::Page::all())?.items))
        .await
}
