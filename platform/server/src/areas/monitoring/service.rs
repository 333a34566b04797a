//! Monitoring returns, the provider portal: a provider's staff submit a return per KPI and
//! period for their own contracts (the period one of the KPI's, from the contract's start; the
//! value of the KPI's unit), and commissioners see each KPI against its target and polarity,
//! with late and missing returns flagged.

use chrono::{NaiveDate, NaiveDateTime};
use platform_db::models::*;
use platform_db::periods;
pub use platform_db::repo::monitoring::KpiView;
use platform_db::repo::monitoring::picture;
use platform_db::repo::{audit, commissioning as c};
use platform_db::{ContractId, MonitoringReturnId};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action, Actor};
use crate::app::input::date;
use crate::clock;
use crate::error::ApiError;

/// A return, as the provider's form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// The KPI's code on this contract.
    pub kpi_code: String,
    /// The first day of one of the KPI's periods (YYYY-MM-DD).
    pub period_start: String,
    pub value: f64,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiPicture {
    pub contract: Contract,
    pub today: NaiveDate,
    pub grace_days: u64,
    pub kpis: Vec<KpiView>,
}

fn visible(actor: &Actor, contract: &Contract) -> Result<(), ApiError> {
    match &actor.provider {
        Some(p) if *p != contract.provider_id => Err(ApiError::NotFound("not found".into())),
        _ => Ok(()),
    }
}

pub async fn kpis(state: &AppState, access: &Access, id: ContractId) -> Result<KpiPicture, ApiError> {
    access.require(Action::Read)?;
    let actor = access.actor();
    let today = clock::today();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            let contract = c::get_contract(conn, &actor.tenant, &id)?;
            visible(&actor, &contract)?;
            let mut kpis = Vec::new();
            for kpi in c::kpis(conn, &actor.tenant, &id)? {
                let returns = c::monitoring_returns_for(conn, &actor.tenant, &kpi.id)?;
                kpis.push(picture(&kpi, &contract, &returns, today));
            }
            Ok(KpiPicture { contract, today, grace_days: periods::GRACE_DAYS, kpis })
        })
        .await
}

/// A value of the KPI's unit, never negative: a share of 0-100, a whole count or number of
/// days, a score.
fn value_of(kpi: &Kpi, value: f64) -> Result<f64, ApiError> {
    let bad = |m: &str| Err(ApiError::bad_request(Some("value"), format!("{}: {m}", kpi.title)));
    if !value.is_finite() || !(0.0..=1e9).contains(&value) {
        return bad("give a number from 0 to a billion");
    }
    match kpi.unit {
        KpiUnit::Percent if !(0.0..=100.0).contains(&value) => bad("a percentage from 0 to 100"),
        KpiUnit::Count | KpiUnit::Days if value.fract() != 0.0 => bad("a whole number"),
        _ => Ok(value),
    }
}

pub async fn submit(
    state: &AppState,
    access: &Access,
    id: ContractId,
    input: ReturnInput,
) -> Result<KpiView, ApiError> {
    access.require(Action::SubmitReturns)?;
    let actor = access.actor();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            submit_in(conn, &actor, id, input, clock::today(), clock::now())
        })
        .await
}

pub fn submit_in(
    conn: &mut platform_db::DbConnection,
    actor: &Actor,
    id: ContractId,
    input: ReturnInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<KpiView, ApiError> {
    let contract = c::get_contract(conn, &actor.tenant, &id)?;
    visible(actor, &contract)?;
    let all = c::kpis(conn, &actor.tenant, &id)?;
    let Some(kpi) = all.iter().find(|k| k.code == input.kpi_code.trim()) else {
        let codes: Vec<&str> = all.iter().map(|k| k.code.as_str()).collect();
        return Err(ApiError::bad_request(
            Some("kpi_code"),
            format!(
                "not a KPI of this contract; its KPIs are: {}",
                if codes.is_empty() { "none".into() } else { codes.join(", ") }
            ),
        ));
    };
    let day = date("period_start", &input.period_start)?;
    let Some((start, end)) = periods::period_starting(contract.start_date, contract.end_date, kpi.frequency, day)
    else {
        let starts: Vec<String> = periods::periods(contract.start_date, contract.end_date, kpi.frequency)
            .into_iter()
            .filter(|(s, _)| *s <= today)
            .rev()
            .take(4)
            .map(|(s, _)| s.to_string())
            .collect();
        return Err(ApiError::bad_request(
            Some("period_start"),
            format!(
                "{day} does not start one of this KPI's {} periods; the latest start on {}",
                kpi.frequency,
                starts.join(", ")
            ),
        ));
    };
    if start > today {
        return Err(ApiError::bad_request(Some("period_start"), "a return is for a period that has begun"));
    }
    let value = value_of(kpi, input.value)?;
    let row = MonitoringReturn {
        id: MonitoringReturnId::new(),
        tenant_id: actor.tenant.clone(),
        kpi_id: kpi.id.clone(),
        period_start: start,
        period_end: end,
        value,
        note: input.note.trim().to_string(),
        submitted_by_user_id: Some(actor.user.clone()),
        submitted_at: now,
    };
    platform_db::repo::validate::notes("note", &row.note, 4000)?;
    c::insert_monitoring_return(conn, &actor.tenant, row).map_err(|e| match e {
        platform_db::DbError::Conflict(_) => ApiError::Taken {
            field: "period_start".into(),
            message: format!("the return for {start} to {end} is in already"),
        },
        other => other.into(),
    })?;
    audit::record(
        conn,
        &actor.audit(
            "monitoring_return.submitted",
            "contract",
            &id,
            serde_json::json!({"kpi": kpi.code, "period_start": start, "value": value}).to_string(),
            now,
        ),
    )?;
    let returns = c::monitoring_returns_for(conn, &actor.tenant, &kpi.id)?;
    Ok(picture(kpi, &contract, &returns, today))
}
