//! The priorities' actions: a priority set, edited (naming the version edited) and archived.
//! Each is one unit of work: the framework's fields checked against its definitions, the need
//! it answers found in this trust and not archived, the plugin's validation (an error refuses
//! it), the row and the audit entry with what changed, all or none.

use std::collections::BTreeMap;

use platform_db::models::Priority;
use platform_db::repo::audit;
use platform_db::repo::changes::{FieldChange, audit_detail};
use platform_db::repo::commissioning as c;
use platform_db::repo::contracts::created;
use platform_db::repo::edits::{self, not_here};
use platform_db::{DbConnection, NeedId, PriorityId, TenantId};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::app::input as r;
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, FindingView, Framework};

/// A priority, as the API gives it, to set one or to edit one (its version named by If-Match).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityInput {
    /// 1 is the first priority.
    #[serde(deserialize_with = "crate::app::api::whole_i32")]
    pub rank: i32,
    /// One of the five outcomes.
    pub outcome: String,
    /// The need the priority answers: a need of this trust, not archived.
    #[serde(default)]
    pub need_id: Option<String>,
    pub title: String,
    /// Why it is a priority.
    #[serde(default)]
    pub rationale: Option<String>,
    /// The framework's own fields for priorities, by key (Durham's must-do or want-to-do,
    /// Sunderland's age band, Southwark's level of need).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// What a write of a priority did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrioritySaved {
    pub priority: Priority,
    /// What the trust's framework said (warnings and notes; an error would have refused it).
    pub findings: Vec<FindingView>,
    pub changes: Vec<FieldChange>,
}

/// The highest rank a priority may take.
pub const MAX_RANK: i32 = 1000;

/// The priority's fields as given and checked (the need is found within the unit of work).
struct Fields {
    rank: i32,
    outcome_code: String,
    need: Option<NeedId>,
    title: String,
    rationale: String,
    given: BTreeMap<String, String>,
}

fn fields(input: PriorityInput) -> Result<Fields, ApiError> {
    if !(1..=MAX_RANK).contains(&input.rank) {
        return Err(ApiError::bad_request(Some("rank"), format!("a rank from 1 to {MAX_RANK}")));
    }
    let need = match input.need_id.as_deref().map(str::trim) {
        None => None,
        Some(n) => Some(n.parse().map_err(|_| ApiError::bad_request(Some("need_id"), "no such need in this trust"))?),
    };
    Ok(Fields {
        rank: input.rank,
        outcome_code: r::outcome("outcome", &input.outcome)?,
        need,
        title: r::name("title", &input.title, 300)?,
        rationale: r::notes("rationale", input.rationale.as_deref(), 4000)?,
        given: input.attributes,
    })
}

/// Writes the given fields onto the row, checks them with the trust's framework and returns
/// its findings. A need named anew must be this trust's and not archived; one the priority
/// already answered stays even if it has since been archived.
fn apply(
    fw: &Framework,
    conn: &mut DbConnection,
    tenant: &TenantId,
    row: &mut Priority,
    f: Fields,
) -> Result<Vec<FindingView>, ApiError> {
    if let Some(need) = &f.need
        && row.need_id.as_ref() != Some(need)
    {
        let found =
            c::get_need(conn, tenant, need).map_err(|e| not_here(e, "need_id", "no such need in this trust"))?;
        r::not_archived(found.archived_at, "need_id", "need")?;
    }
    row.rank = f.rank;
    row.outcome_code = f.outcome_code;
    row.need_id = f.need;
    row.title = f.title;
    row.rationale = f.rationale;
    row.attributes = r::fields_of(fw, "priority", &f.given, &row.entity(), &[])?;
    fc::refuse_on_errors(&fw.validate_now(clock::today(), &row.entity())?)
}

pub async fn create(state: &AppState, access: &Access, input: PriorityInput) -> Result<PrioritySaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = Priority {
                id: PriorityId::new(),
                tenant_id: tenant.clone(),
                outcome_code: String::new(),
                need_id: None,
                title: String::new(),
                rationale: String::new(),
                rank: 1,
                attributes: "{}".into(),
                created_at: now,
                version: 1,
                archived_at: None,
            };
            let findings = apply(&fw, conn, &tenant, &mut row, given)?;
            let priority = c::insert_priority(conn, &tenant, row).map_err(r::taken("title", "priority"))?;
            let changes = created(&priority);
            let detail = audit_detail(&changes, Default::default());
            let entry = r::audit_entry(&access, "priority.created", "priority", priority.id.as_str(), detail, now);
            audit::record(conn, &entry)?;
            Ok(PrioritySaved { priority, findings, changes })
        })
        .await
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: PriorityId,
    version: i32,
    input: PriorityInput,
) -> Result<PrioritySaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = c::get_priority(conn, &tenant, &id)?;
            edits::check_version(row.version, version)?;
            let findings = apply(&fw, conn, &tenant, &mut row, given)?;
            let saved = edits::save_priority(conn, &tenant, row).map_err(r::taken("title", "priority"))?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "priority.edited", "priority", id.as_str(), detail, now))?;
            Ok(PrioritySaved { priority: saved.row, findings, changes: saved.changes })
        })
        .await
}

pub async fn archive(
    state: &AppState,
    access: &Access,
    id: PriorityId,
    version: i32,
) -> Result<PrioritySaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let saved = edits::archive_priority(conn, &tenant, &id, version, now)?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "priority.archived", "priority", id.as_str(), detail, now))?;
            Ok(PrioritySaved { priority: saved.row, findings: Vec::new(), changes: saved.changes })
        })
        .await
}

/// A priority as it now stands.
pub async fn current(state: &AppState, access: &Access, id: PriorityId) -> Result<Priority, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state.tenant_db(&tenant.clone(), move |conn| c::get_priority(conn, &tenant, &id)).await
}

/// The trust's priorities, by rank (archived ones too, marked).
pub async fn all(state: &AppState, access: &Access) -> Result<Vec<Priority>, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state
        .tenant_db(&tenant.clone(), move |conn| {
            Ok(c::list_priorities(conn, &tenant, platform_db::repo::Page::all())?.items)
        })
        .await
}
