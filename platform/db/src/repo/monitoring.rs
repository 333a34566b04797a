//! How a contract's KPIs stand: each KPI's periods from the contract's start up to a day, each
//! with its return against the target and polarity, late and missing returns flagged. A read
//! shared by the monitoring pages and the reviews that show the KPI picture.

use chrono::NaiveDate;
use serde::Serialize;

use crate::TenantId;
use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::models::{Contract, Kpi, MonitoringReturn, Polarity};
use crate::periods;
use crate::repo::commissioning as c;

/// How one period of a KPI stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodView {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// on_target, off_target, reported (a neutral KPI), missing (ended more than the grace days ago with no return),
    /// awaited (ended, still within the grace days) or running.
    pub status: String,
    pub value: Option<f64>,
    /// Submitted after the grace days.
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiView {
    pub kpi: Kpi,
    pub periods: Vec<PeriodView>,
    pub off_target: usize,
    pub missing: usize,
}

/// Whether a value meets the KPI's target; a neutral KPI has no direction to meet.
fn on_target(kpi: &Kpi, value: f64) -> Option<bool> {
    match kpi.polarity {
        Polarity::HigherIsBetter => Some(value >= kpi.target),
        Polarity::LowerIsBetter => Some(value <= kpi.target),
        Polarity::Neutral => None,
    }
}

/// One KPI's periods up to today, each with its return and how it stands.
pub fn picture(kpi: &Kpi, contract: &Contract, returns: &[MonitoringReturn], today: NaiveDate) -> KpiView {
    let mut out = Vec::new();
    for (start, end) in periods::periods(contract.start_date, contract.end_date, kpi.frequency) {
        if start > today {
            break;
        }
        let found = returns.iter().find(|r| r.period_start == start);
        let (status, value, late) = match found {
            Some(r) => {
                let late = periods::due_by(end, r.submitted_at.date());
                let status = match on_target(kpi, r.value) {
                    Some(true) => "on_target",
                    Some(false) => "off_target",
                    None => "reported",
                };
                (status, Some(r.value), late)
            }
            None if end >= today => ("running", None, false),
            None if periods::due_by(end, today) => ("missing", None, false),
            None => ("awaited", None, false),
        };
        out.push(PeriodView { start, end, status: status.into(), value, late });
    }
    let off_target = out.iter().filter(|p| p.status == "off_target").count();
    let missing = out.iter().filter(|p| p.status == "missing").count();
    KpiView { kpi: kpi.clone(), periods: out, off_target, missing }
}

/// Every KPI of a contract as it stands on `today`.
pub fn contract_kpis(
    conn: &mut DbConnection,
    tenant: &TenantId,
    contract: &Contract,
    today: NaiveDate,
) -> DbResult<Vec<KpiView>> {
    let mut out = Vec::new();
    for kpi in c::kpis(conn, tenant, &contract.id)? {
        let returns = c::monitoring_returns_for(conn, tenant, &kpi.id)?;
        out.push(picture(&kpi, contract, &returns, today));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{ContractKind, ContractStatus, Frequency, KpiUnit};
    use crate::{ContractId, MonitoringReturnId};

    fn kpi(polarity: Polarity) -> Kpi {
        Kpi {
            id: crate::KpiId::new(),
            tenant_id: crate::TenantId::new(),
            contract_id: ContractId::new(),
            code: "k".into(),
            title: "Waiting days".into(),
            unit: KpiUnit::Days,
            target: 10.0,
            polarity,
            frequency: Frequency::Quarterly,
        }
    }

    #[test]
    fn periods_are_on_or_off_target_by_polarity_and_missing_after_the_grace_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let contract = Contract {
            id: ContractId::new(),
            tenant_id: crate::TenantId::new(),
            reference: "R".into(),
            title: "T".into(),
            service_id: crate::ServiceId::new(),
            provider_id: crate::ProviderId::new(),
            kind: ContractKind::Block,
            status: ContractStatus::Active,
            value_pence: 1,
            start_date: d("2026-01-01"),
            end_date: d("2027-12-31"),
            created_at: d("2026-01-01").and_hms_opt(0, 0, 0).unwrap(),
            attributes: "{}".into(),
            version: 1,
        };
        let k = kpi(Polarity::LowerIsBetter);
        let ret = |start: &str, value: f64, on: &str| MonitoringReturn {
            id: MonitoringReturnId::new(),
            tenant_id: contract.tenant_id.clone(),
            kpi_id: k.id.clone(),
            period_start: d(start),
            period_end: d(start),
            value,
            note: String::new(),
            submitted_by_user_id: None,
            submitted_at: d(on).and_hms_opt(9, 0, 0).unwrap(),
        };
        let returns = [ret("2026-01-01", 8.0, "2026-04-10"), ret("2026-04-01", 12.0, "2026-09-01")];
        let view = picture(&k, &contract, &returns, d("2026-10-20"));
        let got: Vec<(&str, bool)> = view.periods.iter().map(|p| (p.status.as_str(), p.late)).collect();
        // Q1 on target (lower is better), Q2 off and late, Q3 ended 20 days ago: awaited; Q4 running.
        assert_eq!(got, [("on_target", false), ("off_target", true), ("awaited", false), ("running", false)]);
        let view = picture(&k, &contract, &returns, d("2026-11-05"));
        assert_eq!(view.periods[2].status, "missing");
        assert_eq!((view.off_target, view.missing), (1, 1));
        assert_eq!(on_target(&kpi(Polarity::HigherIsBetter), 10.0), Some(true));
        assert_eq!(on_target(&kpi(Polarity::HigherIsBetter), 9.9), Some(false));
        assert_eq!(on_target(&kpi(Polarity::Neutral), 9.9), None);
    }
}
