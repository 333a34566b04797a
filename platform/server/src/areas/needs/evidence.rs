//! Beside a need, the evidence: the trust's indicators for the need's outcome, each with its
//! five-year trend for the whole population and its latest values by the framework's own age
//! bands and areas. Rates are banded from their counts (numerators and denominators summed
//! into the framework's bands by the plugin's `band`, then divided), never by adding rates.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use platform_db::NeedId;
use platform_db::models::{Indicator, IndicatorValue, Need, Polarity};
use platform_db::repo::{commissioning as c, indicators};
use platform_plugins::types::{Count, Dimension};
use serde::Serialize;

use crate::app::AppState;
use crate::app::auth::{self, Access, Action, Visitor};
use crate::error::ApiError;
use crate::framework_calls::Framework;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NeedEvidence {
    pub need: Need,
    pub indicators: Vec<IndicatorEvidence>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorEvidence {
    pub indicator: Indicator,
    /// The whole population's values, the last five periods, oldest first.
    pub trend: Vec<Point>,
    /// From the first to the last value of the trend: "better", "worse" or "no change", by the
    /// indicator's polarity (empty where it has none, or there is no trend).
    pub direction: String,
    /// The latest period's rate in each of the framework's age bands, where counts were given.
    pub by_age_band: Vec<Banded>,
    /// The latest period's rate in each of the framework's areas, where counts were given.
    pub by_area: Vec<Banded>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub period_start: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Banded {
    pub band: String,
    pub numerator: f64,
    pub denominator: f64,
    /// The numerator per the indicator's unit of the denominator (per 1,000 where the
    /// indicator's values are per 1,000).
    pub rate: f64,
}

fn direction(ind: &Indicator, trend: &[Point]) -> String {
    let (Some(first), Some(last)) = (trend.first(), trend.last()) else { return String::new() };
    let delta = last.value - first.value;
    let better = match ind.polarity {
        Polarity::HigherIsBetter => delta > 0.0,
        Polarity::LowerIsBetter => delta < 0.0,
        Polarity::Neutral => return String::new(),
    };
    if delta.abs() < 1e-9 {
        "no change".into()
    } else if better {
        "better".into()
    } else {
        "worse".into()
    }
}

/// The rate per band: counts and denominators banded separately by the framework, then divided,
/// scaled as the whole population's value is to its counts.
fn banded(fw: &Framework, by: Dimension, rows: &[&IndicatorValue], scale: f64) -> Result<Vec<Banded>, ApiError> {
    let count = |r: &&IndicatorValue, f: fn(&IndicatorValue) -> Option<i64>| -> Option<Count> {
        let v = f(r)? as f64;
        Some(match by {
            Dimension::Age => Count { age: r.age_from.and_then(|a| u8::try_from(a).ok()), area: None, value: v },
            Dimension::Area => Count { age: None, area: r.area.clone(), value: v },
        })
    };
    let nums: Vec<Count> = rows.iter().filter_map(|r| count(r, |x| x.numerator)).collect();
    let dens: Vec<Count> = rows.iter().filter_map(|r| count(r, |x| x.denominator)).collect();
    if nums.is_empty() || nums.len() != dens.len() {
        return Ok(Vec::new());
    }
    let n = fw.band_now(by, nums)?;
    let d = fw.band_now(by, dens)?;
    Ok(n.into_iter()
        .filter_map(|b| {
            let den = d.iter().find(|x| x.band_id == b.band_id)?.value;
            (den > 0.0).then(|| Banded {
                rate: b.value / den * scale,
                numerator: b.value,
                denominator: den,
                band: b.band_id,
            })
        })
        .collect())
}

pub async fn evidence(state: &AppState, access: &Access, id: NeedId) -> Result<NeedEvidence, ApiError> {
    access.require(Action::Read)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&tenant.clone(), move |conn| {
            let need = c::get_need(conn, &tenant, &id)?;
            let mut out = Vec::new();
            for ind in indicators::catalogue(conn)?.into_iter().filter(|i| i.outcome_code == need.outcome_code) {
                let whole = indicators::series(conn, &tenant, &ind.code, "")?;
                let trend: Vec<Point> = whole[whole.len().saturating_sub(5)..]
                    .iter()
                    .map(|v| Point { period_start: v.period_start, value: v.value })
                    .collect();
                let (mut by_age_band, mut by_area) = (Vec::new(), Vec::new());
                if let Some(latest) = whole.last() {
                    // The whole population's value over its counts: the unit the bands are shown in.
                    let scale = match (latest.numerator, latest.denominator) {
                        (Some(n), Some(d)) if n > 0 && d > 0 => latest.value / (n as f64 / d as f64),
                        _ => 1.0,
                    };
                    let rows = indicators::period_values(conn, &tenant, &ind.code, latest.period_start)?;
                    let ages: Vec<&IndicatorValue> = rows
                        .iter()
                        .filter(|r| r.age_from.is_some() && r.age_from == r.age_to && r.area.is_none())
                        .collect();
                    let areas: Vec<&IndicatorValue> =
                        rows.iter().filter(|r| r.area.is_some() && r.age_from.is_none()).collect();
                    by_age_band = banded(&fw, Dimension::Age, &ages, scale)?;
                    by_area = banded(&fw, Dimension::Area, &areas, scale)?;
                }
                out.push(IndicatorEvidence {
                    direction: direction(&ind, &trend),
                    indicator: ind,
                    trend,
                    by_age_band,
                    by_area,
                });
            }
            Ok(NeedEvidence { need, indicators: out })
        })
        .await
}

/// The evidence beside a need: its outcome's indicators, their trend, and their latest values
/// by the framework's age bands and areas.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/needs/{id}/evidence", tag = "needs",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the need's id")),
    responses((status = 200, description = "the need and the indicators beside it", body = NeedEvidence)))]
pub(crate) async fn need_evidence(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id: NeedId = id.parse().map_err(|_| ApiError::NotFound("not found".into()))?;
    Ok(HttpResponse::Ok().json(evidence(&state, &access, id).await?))
}
