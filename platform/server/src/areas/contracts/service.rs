//! The contracts register: a contract let, its description edited, its value and dates changed
//! only by a variation, an extension or a termination with a reason. Each action is one unit of
//! work: the framework's fields checked, the plugin's validation (an error refuses the write),
//! the plugin's review schedule planned into reviews, the rows and the audit entry, all or none.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use platform_db::DbConnection;
use platform_db::models::*;
use platform_db::repo::changes::{FieldChange, audit_detail};
use platform_db::repo::commissioning::{self as c, NewContract};
use platform_db::repo::contracts::{self as k, ContractChange, EventRequest, Replanned};
use platform_db::repo::edits::{self, not_here};
use platform_db::repo::reminders::{self as r, ContractTerms};
use platform_db::repo::{Page, Paged, audit};
use platform_db::{ContractId, ServiceId, TenantId};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::app::input::{MAX_PENCE, choice, date, fields_json, pence};
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::{self as fc, FindingView, Framework};

/// A new contract, as the form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    /// The trust's own reference, unique in the trust.
    pub reference: String,
    pub title: String,
    /// The service the contract buys; its provider is the contract's provider.
    pub service_id: String,
    /// block, spot, sla, grant or partnership.
    pub kind: String,
    /// draft or active (default active).
    #[serde(default)]
    pub status: Option<String>,
    /// YYYY-MM-DD.
    pub start_date: String,
    /// YYYY-MM-DD, not before the start.
    pub end_date: String,
    /// The whole contract's value in pence.
    #[serde(deserialize_with = "crate::app::api::whole")]
    pub value_pence: i64,
    /// The framework's own fields for contracts, by key.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub kpis: Vec<KpiInput>,
    /// Pooled-budget contributions by partner.
    #[serde(default)]
    pub contributions: Vec<ContributionInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiInput {
    pub code: String,
    pub title: String,
    /// count, percent, days or score.
    pub unit: String,
    pub target: f64,
    /// higher_is_better or lower_is_better.
    pub polarity: String,
    /// monthly, quarterly or annual.
    pub frequency: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributionInput {
    pub partner: String,
    /// council, health, police, schools, voluntary or other.
    pub partner_kind: String,
    #[serde(deserialize_with = "crate::app::api::whole")]
    pub amount_pence: i64,
}

/// An edit of a contract's description. Value, end date and status change by events.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractEdit {
    pub reference: String,
    pub title: String,
    pub kind: String,
    /// A draft's start date may move; an active contract's may not.
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// A variation, an extension or a termination.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// variation, extension or termination.
    pub kind: String,
    /// YYYY-MM-DD: when it takes effect (for a termination, the contract's last day).
    pub effective_on: String,
    pub reason: String,
    /// A variation's new value in pence.
    #[serde(default, deserialize_with = "crate::app::api::whole_opt")]
    pub value_pence: Option<i64>,
    /// A variation's or an extension's new end date, YYYY-MM-DD.
    #[serde(default)]
    pub end_date: Option<String>,
}

/// What a write of a contract did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractSaved {
    pub contract: Contract,
    /// What the trust's framework said (warnings and notes; an error would have refused it).
    pub findings: Vec<FindingView>,
    /// Reviews the framework's schedule added.
    pub reviews_added: Vec<Review>,
    /// Scheduled reviews the new dates no longer ask for.
    pub reviews_cancelled: Vec<Review>,
    pub changes: Vec<FieldChange>,
    /// The event recorded, for a variation, an extension or a termination.
    pub event: Option<ContractEvent>,
}

fn service_id(text: &str) -> Result<ServiceId, ApiError> {
    text.trim().parse().map_err(|_| ApiError::bad_request(Some("service_id"), "no such service in this trust"))
}

/// The framework's validation of a contract and its review schedule, asked within the unit of
/// work: an error finding, a timeout or a trap refuses the write.
fn judged(
    fw: &Framework,
    conn: &mut DbConnection,
    tenant: &TenantId,
    contract: &Contract,
    today: NaiveDate,
) -> Result<(Vec<FindingView>, Vec<k::PlannedReview>), ApiError> {
    let findings = fw.validate_now(today, &contract.entity())?;
    let findings = fc::refuse_on_errors(&findings)?;
    let tier = c::get_service(conn, tenant, &contract.service_id)?.tier;
    let schedule = fw.review_schedule_now(today, fc::contract_subject(contract, Some(tier)))?;
    Ok((findings, fc::planned(&schedule)?))
}

pub async fn create(state: &AppState, access: &Access, input: ContractInput) -> Result<ContractSaved, ApiError> {
    access.require(Action::Commission)?;
    let (today, now) = (clock::today(), clock::now());
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let kind: ContractKind = choice("kind", &input.kind)?;
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") | Some("active") => ContractStatus::Active,
        Some("draft") => ContractStatus::Draft,
        Some(other) => {
            return Err(ApiError::bad_request(Some("status"), format!("{other:?}: a new contract is draft or active")));
        }
    };
    let (start_date, end_date) = (date("start_date", &input.start_date)?, date("end_date", &input.end_date)?);
    let attributes = fields_json(&fw, "contract", &input.attributes)?;
    let service = service_id(&input.service_id)?;
    pence("value_pence", input.value_pence)?;
    let mut kpis = Vec::new();
    for (i, x) in input.kpis.iter().enumerate() {
        let at = |f: &str| format!("kpis[{i}].{f}");
        kpis.push(Kpi {
            id: platform_db::KpiId::new(),
            tenant_id: access.tenant.id.clone(),
            contract_id: ContractId::new(),
            code: x.code.trim().to_string(),
            title: x.title.trim().to_string(),
            unit: choice(&at("unit"), &x.unit)?,
            target: match x.target {
                t if t.is_finite() && t.abs() <= 1e12 => t,
                _ => return Err(ApiError::bad_request(Some(&at("target")), "a number within a trillion either way")),
            },
            polarity: choice(&at("polarity"), &x.polarity)?,
            frequency: choice(&at("frequency"), &x.frequency)?,
        });
    }
    let mut contributions = Vec::new();
    for (i, x) in input.contributions.iter().enumerate() {
        contributions.push(Contribution {
            id: platform_db::ContributionId::new(),
            tenant_id: access.tenant.id.clone(),
            contract_id: ContractId::new(),
            partner: x.partner.trim().to_string(),
            partner_kind: choice(&format!("contributions[{i}].partner_kind"), &x.partner_kind)?,
            amount_pence: pence(&format!("contributions[{i}].amount_pence"), x.amount_pence)?,
        });
    }
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let svc = c::get_service(conn, &tenant, &service)
                .map_err(|e| not_here(e, "service_id", "no such service in this trust"))?;
            crate::app::input::not_archived(svc.archived_at, "service_id", "service")?;
            let contract = Contract {
                id: ContractId::new(),
                tenant_id: tenant.clone(),
                reference: input.reference.trim().to_string(),
                title: input.title.trim().to_string(),
                service_id: svc.id.clone(),
                provider_id: svc.provider_id.clone(),
                kind,
                status,
                value_pence: input.value_pence,
                start_date,
                end_date,
                created_at: now,
                attributes,
                version: 1,
            };
            let (findings, planned) = judged(&fw, conn, &tenant, &contract, today)?;
            let contract = c::insert_contract(conn, &tenant, NewContract { contract, contributions, kpis }).map_err(
                |e| match e {
                    platform_db::DbError::Conflict(_) => ApiError::Taken {
                        field: "reference".into(),
                        message: "another contract of this trust has this reference".into(),
                    },
                    other => other.into(),
                },
            )?;
            let plan = k::plan_reviews(conn, &tenant, &contract.id, &planned, None, now)?;
            let changes = k::created(&contract);
            let detail =
                audit_detail(&changes, [("reviews_added".to_string(), plan.added.len().into())].into_iter().collect());
            audit::record(
                conn,
                &access.actor().audit("contract.created", "contract", contract.id.as_str(), detail, now),
            )?;
            Ok(saved(contract, findings, plan, changes, None))
        })
        .await
}

fn saved(
    contract: Contract,
    findings: Vec<FindingView>,
    plan: Replanned,
    changes: Vec<FieldChange>,
    event: Option<ContractEvent>,
) -> ContractSaved {
    ContractSaved { contract, findings, reviews_added: plan.added, reviews_cancelled: plan.cancelled, changes, event }
}

pub async fn edit(
    state: &AppState,
    access: &Access,
    id: ContractId,
    version: i32,
    input: ContractEdit,
) -> Result<ContractSaved, ApiError> {
    access.require(Action::Commission)?;
    let (today, now) = (clock::today(), clock::now());
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let kind: ContractKind = choice("kind", &input.kind)?;
    let start = input.start_date.as_deref().map(|d| date("start_date", d)).transpose()?;
    let attributes = fields_json(&fw, "contract", &input.attributes)?;
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let stored = c::get_contract(conn, &tenant, &id)?;
            edits::check_version(stored.version, version)?;
            let mut row = stored.clone();
            row.reference = input.reference.trim().to_string();
            row.title = input.title.trim().to_string();
            row.kind = kind;
            row.attributes = attributes;
            if let Some(s) = start {
                row.start_date = s;
            }
            let (findings, planned) = judged(&fw, conn, &tenant, &row, today)?;
            let saved_row = edits::save_contract(conn, &tenant, row)?;
            let plan = k::plan_reviews(conn, &tenant, &id, &planned, Some(today), now)?;
            let detail = audit_detail(&saved_row.changes, serde_json::Map::new());
            audit::record(conn, &access.actor().audit("contract.edited", "contract", id.as_str(), detail, now))?;
            Ok(saved(saved_row.row, findings, plan, saved_row.changes, None))
        })
        .await
}

pub async fn record_event(
    state: &AppState,
    access: &Access,
    id: ContractId,
    version: i32,
    input: EventInput,
) -> Result<ContractSaved, ApiError> {
    access.require(Action::Commission)?;
    let (today, now) = (clock::today(), clock::now());
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let effective_on = date("effective_on", &input.effective_on)?;
    let end_date = input.end_date.as_deref().map(|d| date("end_date", d)).transpose()?;
    input.value_pence.map(|v| pence("value_pence", v)).transpose()?;
    let change = match input.kind.trim() {
        "variation" => ContractChange::Variation { value_pence: input.value_pence, end_date },
        "extension" => ContractChange::Extension {
            end_date: end_date
                .ok_or_else(|| ApiError::bad_request(Some("end_date"), "an extension gives the new end date"))?,
        },
        "termination" => ContractChange::Termination,
        other => {
            return Err(ApiError::bad_request(
                Some("kind"),
                format!("{other:?} is not one of: variation, extension, termination"),
            ));
        }
    };
    if !matches!(change, ContractChange::Variation { .. }) && input.value_pence.is_some() {
        return Err(ApiError::bad_request(Some("value_pence"), "only a variation changes the value"));
    }
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let request = EventRequest {
                contract: id.clone(),
                version,
                change,
                effective_on,
                reason: input.reason,
                by: Some(access.user.id.clone()),
                now,
            };
            let (saved_row, event) = k::record_event(conn, &tenant, request)?;
            let (findings, planned) = judged(&fw, conn, &tenant, &saved_row.row, today)?;
            // A terminated contract keeps only the reviews due by its last day.
            let planned: Vec<_> = planned
                .into_iter()
                .filter(|p| p.due_on <= saved_row.row.end_date || saved_row.row.status != ContractStatus::Terminated)
                .collect();
            let plan = k::plan_reviews(conn, &tenant, &id, &planned, Some(today), now)?;
            let detail = audit_detail(
                &saved_row.changes,
                [
                    ("reason".to_string(), event.reason.clone().into()),
                    ("effective_on".to_string(), event.effective_on.to_string().into()),
                ]
                .into_iter()
                .collect(),
            );
            audit::record(
                conn,
                &access.actor().audit(&format!("contract.{}", event.kind), "contract", id.as_str(), detail, now),
            )?;
            Ok(saved(saved_row.row, findings, plan, saved_row.changes, Some(event)))
        })
        .await
}

/// The filters of the contracts register.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    /// A provider of this trust.
    pub provider_id: Option<String>,
    /// block, spot, sla, grant or partnership.
    pub kind: Option<String>,
    /// draft, active, ended or terminated.
    pub status: Option<String>,
    /// Active contracts ending within this many days from today (0 to 3650).
    pub ending_within_days: Option<String>,
    /// At least this value, in pence.
    pub min_value_pence: Option<String>,
    /// At most this value, in pence.
    pub max_value_pence: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// A contract with what hangs off it, for its page and `GET …/contracts/{id}/history`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractRecord {
    pub contract: Contract,
    pub events: Vec<ContractEvent>,
    pub reviews: Vec<Review>,
    /// When commissioners are told before it ends, and how the Procurement Act 2023 covers it.
    pub terms: Terms,
}

/// A contract's reminder and Procurement Act 2023 terms.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Months before the end that commissioners are reminded (time to re-commission), 0 to 36;
    /// 0 for no such reminder. 6 unless set.
    #[serde(deserialize_with = "crate::app::api::whole")]
    pub notice_months: i64,
    /// Whether the Procurement Act 2023 covers the contract: its notices are then reminded.
    pub procurement_act: bool,
    /// `standard` or `light_touch` (most children's social care services).
    pub procurement_regime: String,
    /// YYYY-MM-DD: the day the contract was entered into (its start date when not given).
    #[serde(default)]
    pub signed_on: Option<String>,
}

impl Terms {
    fn of(t: &ContractTerms) -> Terms {
        Terms {
            notice_months: i64::from(t.notice_months),
            procurement_act: t.procurement_act,
            procurement_regime: t.procurement_regime.clone(),
            signed_on: t.signed_on.map(|d| d.to_string()),
        }
    }

    /// The terms checked, each fault naming its field.
    fn checked(&self) -> Result<ContractTerms, ApiError> {
        let notice_months = i32::try_from(self.notice_months)
            .ok()
            .filter(|m| (0..=36).contains(m))
            .ok_or_else(|| ApiError::bad_request(Some("notice_months"), "Months of notice must be from 0 to 36"))?;
        if !["standard", "light_touch"].contains(&self.procurement_regime.as_str()) {
            return Err(ApiError::bad_request(Some("procurement_regime"), "Choose the standard regime or light touch"));
        }
        let signed_on =
            self.signed_on.as_deref().filter(|d| !d.trim().is_empty()).map(|d| date("signed_on", d)).transpose()?;
        Ok(ContractTerms {
            notice_months,
            procurement_act: self.procurement_act,
            procurement_regime: self.procurement_regime.clone(),
            signed_on,
        })
    }
}

/// What setting a contract's terms did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermsSaved {
    pub contract: Contract,
    pub terms: Terms,
    pub changes: Vec<FieldChange>,
}

/// Sets when commissioners are told before a contract ends and how the Procurement Act 2023
/// covers it; audited with each field's before and after.
pub async fn set_terms(
    state: &AppState,
    access: &Access,
    id: ContractId,
    version: i32,
    input: Terms,
) -> Result<TermsSaved, ApiError> {
    access.require(Action::Commission)?;
    let terms = input.checked()?;
    let now = clock::now();
    let access = access.clone();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let stored = c::get_contract(conn, &tenant, &id)?;
            edits::check_version(stored.version, version)?;
            let before = Terms::of(&r::contract_terms(conn, &tenant, &id)?);
            if !r::set_contract_terms(conn, &tenant, &id, version, &terms)? {
                return Err(platform_db::DbError::Stale { current: stored.version }.into());
            }
            let after = Terms::of(&terms);
            let (b, a) =
                (serde_json::to_value(&before).unwrap_or_default(), serde_json::to_value(&after).unwrap_or_default());
            let changes: Vec<FieldChange> = ["notice_months", "procurement_act", "procurement_regime", "signed_on"]
                .iter()
                .filter(|f| b[**f] != a[**f])
                .map(|f| FieldChange { field: (*f).to_string(), before: b[*f].clone(), after: a[*f].clone() })
                .collect();
            let detail = audit_detail(&changes, serde_json::Map::new());
            audit::record(conn, &access.actor().audit("contract.terms_set", "contract", id.as_str(), detail, now))?;
            let contract = c::get_contract(conn, &tenant, &id)?;
            Ok(TermsSaved { contract, terms: after, changes })
        })
        .await
}

pub async fn record(state: &AppState, access: &Access, id: ContractId) -> Result<ContractRecord, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let scope = access.provider_scope().cloned();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let contract = c::get_contract(conn, &tenant, &id)?;
            if scope.as_ref().is_some_and(|p| *p != contract.provider_id) {
                return Err(ApiError::NotFound("not found".into()));
            }
            let events = k::events(conn, &tenant, &id)?;
            let reviews = k::reviews_of(conn, &tenant, &id)?;
            let terms = Terms::of(&r::contract_terms(conn, &tenant, &id)?);
            Ok(ContractRecord { contract, events, reviews, terms })
        })
        .await
}

pub fn page_of(filter: &ContractFilter) -> Result<Page, ApiError> {
    crate::app::api::ListQuery { limit: filter.limit.clone(), offset: filter.offset.clone(), provider_id: None }.page()
}

pub async fn list(state: &AppState, access: &Access, filter: ContractFilter) -> Result<Paged<Contract>, ApiError> {
    access.require(Action::Read)?;
    let page = page_of(&filter)?;
    let number = |field: &'static str, v: &Option<String>, max: i64| -> Result<Option<i64>, ApiError> {
        match v.as_deref().map(str::trim) {
            None => Ok(None),
            Some(t) => match t.parse::<i64>() {
                Ok(n) if (0..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::bad_request(Some(field), format!("a whole number from 0 to {max}"))),
            },
        }
    };
    let query = k::ContractQuery {
        provider: match (access.provider_scope(), filter.provider_id.as_deref().map(str::trim)) {
            (_, Some("")) => {
                return Err(ApiError::bad_request(Some("provider_id"), "give a provider's id, or leave it out"));
            }
            (Some(own), Some(named)) if named != own.as_str() => {
                return Err(ApiError::NotFound("no such provider".into()));
            }
            (Some(own), _) => Some(own.clone()),
            (None, None) => None,
            (None, Some(named)) => Some(named.parse().map_err(|_| ApiError::NotFound("no such provider".into()))?),
        },
        kind: filter.kind.as_deref().map(|s| choice("kind", s)).transpose()?,
        status: filter.status.as_deref().map(|s| choice("status", s)).transpose()?,
        ending_by: number("ending_within_days", &filter.ending_within_days, 3650)?
            .map(|d| clock::today() + chrono::Days::new(d.unsigned_abs())),
        today: clock::today(),
        min_value_pence: number("min_value_pence", &filter.min_value_pence, MAX_PENCE)?,
        max_value_pence: number("max_value_pence", &filter.max_value_pence, MAX_PENCE)?,
    };
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            if let Some(p) = &query.provider {
                // Another trust's provider is "not found", as any unknown one.
                c::get_provider(conn, &tenant, p)?;
            }
            Ok(k::list_contracts(conn, &tenant, &query, page)?)
        })
        .await
}

/// A contract's KPIs as they stand today (a provider member: their own contracts only).
pub async fn kpis(
    state: &AppState,
    access: &Access,
    id: ContractId,
) -> Result<Vec<platform_db::repo::monitoring::KpiView>, ApiError> {
    access.require(Action::Read)?;
    let tenant = access.tenant.id.clone();
    let own = access.provider_scope().cloned();
    let today = clock::today();
    state
        .tenant_db(&tenant.clone(), move |conn| {
            let contract = platform_db::repo::commissioning::get_contract(conn, &tenant, &id)?;
            if own.as_ref().is_some_and(|o| o != &contract.provider_id) {
                return Err(platform_db::DbError::NotFound);
            }
            platform_db::repo::monitoring::contract_kpis(conn, &tenant, &contract, today)
        })
        .await
}
