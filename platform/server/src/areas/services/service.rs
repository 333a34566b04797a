//! The services' actions: a service added, edited (naming the version edited) and archived.
//! Each is one unit of work: its provider found in this trust and not archived, the
//! framework's fields checked against its definitions, the plugin's validation (an error
//! refuses it) and its classification (the level and the body stored on the service, the
//! rationale and its source in the answer), the row with its outcomes, and the audit entry
//! with what changed, all or none.

use std::collections::BTreeMap;

use platform_db::models::{Service, Tier};
use platform_db::repo::audit;
use platform_db::repo::changes::{FieldChange, audit_detail};
use platform_db::repo::commissioning as c;
use platform_db::repo::contracts::created;
use platform_db::repo::edits::{self, not_here};
use platform_db::{DbConnection, ProviderId, ServiceId, TenantId};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::app::input as r;
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, FindingView, Framework};

/// A service, as the API gives it, to add one or to edit one (its version named by If-Match).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// The provider that runs it: a provider of this trust, not archived.
    pub provider_id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// universal, targeted or specialist.
    pub tier: String,
    /// One of the areas of the trust's framework, where it lists areas; none is trust-wide.
    #[serde(default)]
    pub area: Option<String>,
    /// The ages served, in whole years 0 to 25.
    #[serde(deserialize_with = "crate::app::api::whole_i32")]
    pub age_from: i32,
    #[serde(deserialize_with = "crate::app::api::whole_i32")]
    pub age_to: i32,
    /// The outcomes it serves: at least one of the five.
    pub outcomes: Vec<String>,
    /// Its yearly budget in pence.
    #[serde(deserialize_with = "crate::app::api::whole")]
    pub annual_budget_pence: i64,
    /// The framework's own fields for services, by key (a level asked for, a continuum of
    /// collaboration, a level of need).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Where the trust's framework placed the service, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Placement {
    pub level: String,
    /// The framework's body that commissions it (one of the framework's `bodies`).
    pub body: String,
    pub rationale: String,
    /// Where in the trust's framework document the rule comes from.
    pub source: Option<String>,
}

/// What a write of a service did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceSaved {
    pub service: Service,
    /// The outcome codes it serves.
    pub outcomes: Vec<String>,
    /// The framework's classification (none for an archiving).
    pub classification: Option<Placement>,
    /// What the trust's framework said (warnings and notes; an error would have refused it).
    pub findings: Vec<FindingView>,
    pub changes: Vec<FieldChange>,
}

struct Fields {
    provider: ProviderId,
    name: String,
    description: String,
    tier: Tier,
    area: Option<String>,
    ages: (i32, i32),
    outcomes: Vec<String>,
    annual_budget_pence: i64,
    given: BTreeMap<String, String>,
}

fn fields(fw: &Framework, input: ServiceInput) -> Result<Fields, ApiError> {
    let provider = input
        .provider_id
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(Some("provider_id"), "no such provider in this trust"))?;
    if input.outcomes.is_empty() {
        return Err(ApiError::bad_request(Some("outcomes"), "a service serves at least one of the five outcomes"));
    }
    let mut outcomes = Vec::new();
    for (i, o) in input.outcomes.iter().enumerate() {
        let code = r::outcome(&format!("outcomes[{i}]"), o)?;
        if !outcomes.contains(&code) {
            outcomes.push(code);
        }
    }
    Ok(Fields {
        provider,
        name: r::name("name", &input.name, 200)?,
        description: r::notes("description", input.description.as_deref(), 4000)?,
        tier: r::choice("tier", &input.tier)?,
        area: r::area(fw, "area", input.area.as_deref())?,
        ages: r::ages(input.age_from, input.age_to)?,
        outcomes,
        annual_budget_pence: r::pence("annual_budget_pence", input.annual_budget_pence)?,
        given: input.attributes,
    })
}

/// Writes the given fields onto the row, asks the trust's framework to validate and place it,
/// and stores the placement's level and body. A provider named anew (always, for a `fresh`
/// service) must be this trust's and not archived. The level asked for (the framework's `level` field) is what the framework
/// reads; the level it answers is what is stored.
fn apply(
    fw: &Framework,
    conn: &mut DbConnection,
    tenant: &TenantId,
    row: &mut Service,
    f: Fields,
    fresh: bool,
) -> Result<(Vec<FindingView>, Placement), ApiError> {
    if fresh || row.provider_id != f.provider {
        let provider = c::get_provider(conn, tenant, &f.provider)
            .map_err(|e| not_here(e, "provider_id", "no such provider in this trust"))?;
        r::not_archived(provider.archived_at, "provider_id", "provider")?;
    }
    row.provider_id = f.provider;
    row.name = f.name;
    row.description = f.description;
    row.tier = f.tier;
    row.area = f.area;
    (row.age_from, row.age_to) = f.ages;
    row.annual_budget_pence = f.annual_budget_pence;
    row.level = None;
    row.attributes = r::fields_of(fw, "service", &f.given, &row.entity(&f.outcomes), &["level"])?;
    let asked = platform_db::framework::framework_fields(&row.attributes).get("level").cloned();
    let probe = Service { level: asked, ..row.clone() };
    let findings = fc::refuse_on_errors(&fw.validate_now(clock::today(), &probe.entity(&f.outcomes))?)?;
    let placed = fw.classify_now(fc::service_item(&probe, &f.outcomes)).map_err(refused_by_classify)?;
    row.level = Some(placed.level.clone());
    row.body = Some(placed.body.clone());
    Ok((
        findings,
        Placement { level: placed.level, body: placed.body, rationale: placed.rationale, source: placed.source },
    ))
}

/// The plugin's refusal of what it was asked to classify is a refusal of the content, naming
/// the field it names (`items[0].area: …`).
fn refused_by_classify(e: ApiError) -> ApiError {
    match e {
        ApiError::Plugin(platform_plugins::PluginError::InvalidInput(message)) => {
            let field = message
                .strip_prefix("items[0].")
                .and_then(|rest| rest.split_once(':'))
                .map(|(f, _)| f.trim().to_string())
                .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            ApiError::Invalid { field, message: format!("the trust's framework cannot place this service: {message}") }
        }
        other => other,
    }
}

pub async fn create(state: &AppState, access: &Access, input: ServiceInput) -> Result<ServiceSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(&fw, input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let outcomes = given.outcomes.clone();
            let mut row = Service {
                id: ServiceId::new(),
                tenant_id: tenant.clone(),
                provider_id: given.provider.clone(),
                name: String::new(),
                description: String::new(),
                tier: given.tier,
                level: None,
                area: None,
                age_from: 0,
                age_to: 0,
                annual_budget_pence: 0,
                created_at: now,
                attributes: "{}".into(),
                version: 1,
                archived_at: None,
                body: None,
            };
            let (findings, placed) = apply(&fw, conn, &tenant, &mut row, given, true)?;
            let codes: Vec<&str> = outcomes.iter().map(String::as_str).collect();
            let service = c::insert_service(conn, &tenant, row, &codes).map_err(r::taken("name", "service"))?;
            let outcomes = c::service_outcome_codes(conn, &tenant, &service.id)?;
            let mut changes = created(&service);
            changes.push(FieldChange {
                field: "outcomes".into(),
                before: serde_json::Value::Null,
                after: serde_json::json!(outcomes),
            });
            let detail = audit_detail(&changes, rationale(&placed));
            let entry = r::audit_entry(&access, "service.created", "service", service.id.as_str(), detail, now);
            audit::record(conn, &entry)?;
            Ok(ServiceSaved { service, outcomes, classification: Some(placed), findings, changes })
        })
        .await
}

/// The classification's reasons, kept with the audit entry.
fn rationale(placed: &Placement) -> serde_json::Map<String, serde_json::Value> {
    [
        ("rationale".to_string(), placed.rationale.clone().into()),
        ("source".to_string(), placed.source.clone().map_or(serde_json::Value::Null, Into::into)),
    ]
    .into_iter()
    .collect()
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: ServiceId,
    version: i32,
    input: ServiceInput,
) -> Result<ServiceSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let given = fields(&fw, input)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let mut row = c::get_service(conn, &tenant, &id)?;
            edits::check_version(row.version, version)?;
            let outcomes = given.outcomes.clone();
            let (findings, placed) = apply(&fw, conn, &tenant, &mut row, given, false)?;
            let codes: Vec<&str> = outcomes.iter().map(String::as_str).collect();
            let saved = edits::save_service(conn, &tenant, row, &codes).map_err(r::taken("name", "service"))?;
            let detail = audit_detail(&saved.changes, rationale(&placed));
            audit::record(conn, &r::audit_entry(&access, "service.edited", "service", id.as_str(), detail, now))?;
            let outcomes = c::service_outcome_codes(conn, &tenant, &id)?;
            Ok(ServiceSaved {
                service: saved.row,
                outcomes,
                classification: Some(placed),
                findings,
                changes: saved.changes,
            })
        })
        .await
}

pub async fn archive(state: &AppState, access: &Access, id: ServiceId, version: i32) -> Result<ServiceSaved, ApiError> {
    access.require(Action::Commission)?;
    let now = clock::now();
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let saved = edits::archive_service(conn, &tenant, &id, version, now)?;
            let detail = audit_detail(&saved.changes, Default::default());
            audit::record(conn, &r::audit_entry(&access, "service.archived", "service", id.as_str(), detail, now))?;
            let outcomes = c::service_outcome_codes(conn, &tenant, &id)?;
            Ok(ServiceSaved {
                service: saved.row,
                outcomes,
                classification: None,
                findings: Vec::new(),
                changes: saved.changes,
            })
        })
        .await
}

/// A service as it now stands.
pub async fn current(state: &AppState, access: &Access, id: ServiceId) -> Result<Service, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    state.tenant_db(&tenant.clone(), move |conn| c::get_service(conn, &tenant, &id)).await
}

/// A service with the outcomes it serves, as it now stands.
pub async fn with_outcomes(
    state: &AppState,
    access: &Access,
    id: ServiceId,
) -> Result<(Service, Vec<String>), ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    state
        .tenant_db(&tenant.clone(), move |conn| {
            let s = c::get_service(conn, &tenant, &id)?;
            if own.as_ref().is_some_and(|o| o != &s.provider_id) {
                return Err(platform_db::DbError::NotFound);
            }
            let outcomes = c::service_outcome_codes(conn, &tenant, &id)?;
            Ok((s, outcomes))
        })
        .await
}

/// The trust's services with their outcomes (a provider member's own only).
pub async fn all(state: &AppState, access: &Access) -> Result<Vec<(Service, Vec<String>)>, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    state
        .tenant_db(&tenant.clone(), move |conn| {
            let all = c::services_with_outcomes(conn, &tenant)?;
            Ok(all.into_iter().filter(|(s, _)| own.as_ref().is_none_or(|o| o == &s.provider_id)).collect())
        })
        .await
}
