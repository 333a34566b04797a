//! The providers' actions: a provider added, edited (naming the version edited) and archived.
//! Each is one unit of work: the framework's fields checked against its definitions, the
//! plugin's validation (its warnings come back in the answer, an error refuses the write), the
//! row and the audit entry with what changed, all or none.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use platform_db::ProviderId;
use platform_db::models::{Provider, Sector};
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

/// A provider, as the API gives it, to add one or to edit one (its version named by If-Match).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    pub name: String,
    /// statutory, voluntary_community or independent_private.
    pub sector: String,
    /// Its charity or company number.
    #[serde(default)]
    pub registration_number: Option<String>,
    /// What shows it keeps children safe (every framework asks for it).
    #[serde(default)]
    pub safeguarding_evidence: Option<String>,
    /// When that evidence was last checked, YYYY-MM-DD.
    #[serde(default)]
    pub safeguarding_checked_on: Option<String>,
    /// The framework's own fields for providers, by key (Southwark's criteria for the voluntary
    /// and community sector among them).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// What a write of a provider did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderSaved {
    pub provider: Provider,
    /// What the trust's framework said (warnings and notes; an error would have refused it).
    pub findings: Vec<FindingView>,
    pub changes: Vec<FieldChange>,
}

struct Fields {
    name: String,
    sector: Sector,
    registration_number: Option<String>,
    safeguarding_evidence: Option<String>,
    safeguarding_checked_on: Option<NaiveDate>,
    given: BTreeMap<String, String>,
}

fn fields(input: ProviderInput) -> Result<Fields, ApiError> {
    let evidence = r::notes("safeguarding_evidence", input.safeguarding_evidence.as_deref(), 4000)?;
    Ok(Fields {
        name: r::name("name", &input.name, 200)?,
        sector: r::choice("sector", &input.sector)?,
        registration_number: r::optional_line("registration_number", input.registration_number.as_deref(), 40)?,
        safeguarding_evidence: Some(evidence).filter(|e| !e.is_empty()),
        safeguarding_checked_on: input
            .safeguarding_checked_on
            .as_deref()
            .map(|d| r::date("safeguarding_checked_on", d))
            .transpose()?,
        given: input.attributes,
    })
}

/// Writes the given fields onto the row and asks the trust's framework about it.
fn apply(fw: &Framework, row: &mut Provider, f: Fields) -> Result<Vec<FindingView>, ApiError> {
    row.name = f.name;
    row.sector = f.sector;
    row.registration_number = f.registration_number;
    row.safeguarding_evidence = f.safeguarding_evidence;
    row.safeguarding_checked_on = f.safeguarding_checked_on;
    row.attributes = r::fields_of(fw, "provider", &f.given, &row.entity(), &[])?;
    fc::refuse_on_errors(&fw.validate_now(clock::today(), &row.entity())?)
}

pub async fn create(state: &AppState, access: &Access, input: ProviderInput) -> Result<ProviderSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = Provider {
                id: ProviderId::new(),
                tenant_id: tenant.clone(),
                name: String::new(),
                sector: given.sector,
                registration_number: None,
                safeguarding_evidence: None,
                safeguarding_checked_on: None,
                created_at: now,
                attributes: "{}".into(),
                version: 1,
                archived_at: None,
            };
            let findings = apply(&fw, &mut row, given)?;
            let provider = c::insert_provider(conn, &tenant, row).map_err(r::taken("name", "provider"))?;
            let changes = created(&provider);
            let detail = audit_detail(&changes, Default::default());
            let entry = r::audit_entry(&access, "provider.created", "provider", provider.id.as_str(), detail, now);
            audit::record(conn, &entry)?;
            Ok(ProviderSaved { provider, findings, changes })
        })
        .await
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: ProviderId,
    version: i32,
    input: ProviderInput,
) -> Result<ProviderSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = c::get_provider(conn, &tenant, &id)?;
            edits::check_version(row.version, version)?;
            let findings = apply(&fw, &mut row, given)?;
            let saved = edits::save_provider(conn, &tenant, row).map_err(r::taken("name", "provider"))?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "provider.edited", "provider", id.as_str(), detail, now))?;
            Ok(ProviderSaved { provider: saved.row, findings, changes: saved.changes })
        })
        .await
}

pub async fn archive(
    state: &AppState,
    access: &Access,
    id: ProviderId,
    version: i32,
) -> Result<ProviderSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let saved = edits::archive_provider(conn, &tenant, &id, version, now)?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "provider.archived", "provider", id.as_str(), detail, now))?;
            Ok(ProviderSaved { provider: saved.row, findings: Vec::new(), changes: saved.changes })
        })
        .await
}

/// A provider as it now stands.
pub async fn current(state: &AppState, access: &Access, id: ProviderId) -> Result<Provider, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state.tenant_db(&tenant.clone(), move |conn| c::get_provider(conn, &tenant, &id)).await
}

/// The trust's providers, by name (archived ones too, marked); a provider member sees only
/// their own.
pub async fn all(state: &AppState, access: &Access) -> Result<Vec<Provider>, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    state
        .tenant_db(&tenant.clone(), move |conn| {
            let all = c::list_providers(conn, &tenant, platform_db::repo::Page::all())?.items;
            Ok(all.into_iter().filter(|p| own.as_ref().is_none_or(|o| o == &p.id)).collect())
        })
        .await
}
