//! Regional comparison on DfE's published data (LAIT, imported by `platform reference import`):
//! a measure of the trust against its ten statistical neighbours, its region and England over
//! the years, with its rank among all authorities, its quartile band and its direction of
//! travel; the neighbours with their closeness and values. The trust is found in the statistics
//! by its ONS code (the geography import joins it to DfE's three-digit code).

mod stats;

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use platform_db::repo::reference as r;
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::{ApiError, ErrorBody};
use stats::Polarity;

/// The edition of DfE's statistical neighbours the comparison uses.
pub const NEIGHBOURS: &str = "2025-05";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants/{slug}/comparison", web::get().to(measure_api))
        .route("/t/{slug}/comparison", web::get().to(page));
}

/// A measure as DfE's dictionary describes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasureInfo {
    pub code: String,
    pub title: String,
    pub topic: String,
    /// `high` (higher is better), `low` or `none`.
    pub polarity: String,
    pub unit: String,
    /// Decimal places to show, when DfE says.
    pub dps: Option<i32>,
    pub description: String,
    pub methodology: String,
    pub source: String,
    /// False where DfE does not band the measure in quartiles.
    pub quartiles: bool,
}

impl MeasureInfo {
    fn of(m: r::Measure) -> MeasureInfo {
        MeasureInfo {
            code: m.code,
            title: m.title,
            topic: m.topic,
            polarity: m.polarity,
            unit: m.unit,
            dps: m.dps,
            description: m.description,
            methodology: m.methodology,
            source: m.source,
            quartiles: m.quartiles,
        }
    }
}

/// One period of a measure: the trust, its neighbours' mean, its region and England.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodRow {
    /// As DfE writes it (`2023-24 (OT)`).
    pub period: String,
    #[schema(value_type = String)]
    pub start: NaiveDate,
    #[schema(value_type = String)]
    pub end: NaiveDate,
    pub trust: Option<f64>,
    /// The mean of the neighbours' values that are present.
    pub neighbours_mean: Option<f64>,
    /// How many of the ten neighbours had a value.
    pub neighbours_with_values: usize,
    pub region: Option<f64>,
    pub england: Option<f64>,
}

/// Where the trust stands in the latest period it has a value for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub period: String,
    pub value: f64,
    /// Among all authorities with a value, 1 the best by the measure's polarity (the largest
    /// where it has none); ties take the lowest rank.
    pub rank: usize,
    pub of: usize,
    /// A (the best quarter) to D; none where the measure has no polarity or no quartiles.
    pub band: Option<char>,
    /// improving or worsening (by polarity), increasing or decreasing (without), no change.
    pub direction: Option<String>,
}

/// One of the trust's statistical neighbours.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NeighbourRow {
    pub rank: i32,
    pub code: String,
    pub name: String,
    pub closeness: String,
    /// In the latest period the trust has a value for.
    pub value: Option<f64>,
}

/// A measure of the trust against its neighbours, region and England.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub measure: MeasureInfo,
    /// DfE's code and name of the trust's authority.
    pub area_code: String,
    pub area_name: String,
    pub region_name: Option<String>,
    /// The edition of the statistical neighbours.
    pub neighbours_edition: String,
    pub periods: Vec<PeriodRow>,
    pub latest: Option<Standing>,
    pub neighbours: Vec<NeighbourRow>,
}

/// The trust's authority in DfE's statistics, by its ONS code.
fn area_of(conn: &mut platform_db::DbConnection, access: &Access) -> Result<r::Area, ApiError> {
    let code = r::dfe_code_of(conn, &access.tenant.ons_code)?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "{} (ONS code {}) is not found in DfE's statistics: the geography is not imported, or the code has no DfE code",
            access.tenant.name, access.tenant.ons_code
        ))
    })?;
    r::areas(conn)?.into_iter().find(|a| a.code == code).ok_or_else(|| {
        ApiError::NotFound(format!("DfE's statistics have no values for authority {code}: LAIT is not imported"))
    })
}

/// A measure of the trust, compared.
pub async fn compare(state: &AppState, access: &Access, code: String) -> Result<Comparison, ApiError> {
    access.require(Action::Read)?;
    let access = access.clone();
    state
        .tenant_work(&access.tenant.id.clone(), move |conn| {
            let area = area_of(conn, &access)?;
            let measure = r::measure(conn, &code)?.ok_or_else(|| ApiError::NotFound(format!("no measure {code:?}")))?;
            let areas: HashMap<String, r::Area> = r::areas(conn)?.into_iter().map(|a| (a.code.clone(), a)).collect();
            let neighbours = r::neighbours_of(conn, NEIGHBOURS, &area.code)?;
            let values = r::values_of(conn, &code)?;
            Ok(build(MeasureInfo::of(measure), &area, &areas, &neighbours, &values))
        })
        .await
}

/// A period by its end and its label.
type PeriodKey = (NaiveDate, String);
/// A period's values by area code.
type ByArea<'a> = HashMap<&'a str, Option<f64>>;

/// The comparison from the stored rows (pure: the arithmetic is in [`stats`]).
fn build(
    measure: MeasureInfo,
    area: &r::Area,
    areas: &HashMap<String, r::Area>,
    neighbours: &[r::Neighbour],
    values: &[r::Value],
) -> Comparison {
    let polarity = Polarity::of(&measure.polarity);
    // period label → (start, end, area → value)
    let mut periods: BTreeMap<PeriodKey, (NaiveDate, ByArea<'_>)> = BTreeMap::new();
    for v in values {
        periods
            .entry((v.period_end, v.period.clone()))
            .or_insert_with(|| (v.period_start, HashMap::new()))
            .1
            .insert(v.area.as_str(), v.value);
    }
    let get = |by: &HashMap<&str, Option<f64>>, code: &str| by.get(code).copied().flatten();
    let rows: Vec<PeriodRow> = periods
        .iter()
        .map(|((end, label), (start, by))| {
            let theirs: Vec<Option<f64>> = neighbours.iter().map(|n| get(by, &n.neighbour)).collect();
            PeriodRow {
                period: label.clone(),
                start: *start,
                end: *end,
                trust: get(by, &area.code),
                neighbours_mean: stats::mean(&theirs),
                neighbours_with_values: theirs.iter().flatten().count(),
                region: area.region.as_deref().and_then(|rg| get(by, rg)),
                england: get(by, "970"),
            }
        })
        .collect();
    let with_value: Vec<(&PeriodKey, &ByArea<'_>)> =
        periods.iter().filter(|(_, (_, by))| get(by, &area.code).is_some()).map(|(k, (_, by))| (k, by)).collect();
    let latest = with_value.last().map(|((_, label), by)| {
        let value = get(by, &area.code).unwrap_or_default();
        let all: Vec<f64> = by
            .iter()
            .filter(|(code, _)| areas.get(**code).is_some_and(|a| a.kind == "authority"))
            .filter_map(|(_, v)| *v)
            .collect();
        let rank = stats::rank(value, &all, polarity);
        let before =
            with_value.len().checked_sub(2).and_then(|i| with_value.get(i)).and_then(|(_, by)| get(by, &area.code));
        Standing {
            period: label.clone(),
            value,
            rank,
            of: all.len(),
            band: stats::band(rank, all.len(), polarity, measure.quartiles),
            direction: stats::direction(before, Some(value), polarity).map(str::to_string),
        }
    });
    let latest_by = with_value.last().map(|(_, by)| *by);
    Comparison {
        area_code: area.code.clone(),
        area_name: area.name.clone(),
        region_name: area.region.as_ref().and_then(|c| areas.get(c)).map(|a| a.name.clone()),
        neighbours_edition: NEIGHBOURS.into(),
        neighbours: neighbours
            .iter()
            .map(|n| NeighbourRow {
                rank: n.rank,
                code: n.neighbour.clone(),
                name: areas.get(&n.neighbour).map_or_else(|| n.neighbour.clone(), |a| a.name.clone()),
                closeness: n.closeness.clone(),
                value: latest_by.and_then(|by| get(by, &n.neighbour)),
            })
            .collect(),
        periods: rows,
        latest,
        measure,
    }
}

/// DfE's measures, by topic.
pub async fn measures(state: &AppState, access: &Access) -> Result<Vec<MeasureInfo>, ApiError> {
    access.require(Action::Read)?;
    let list = state.tenant_db(&access.tenant.id, r::measures).await?;
    Ok(list.into_iter().map(MeasureInfo::of).collect())
}

/// Without `measure`: DfE's measures the trust can be compared on, by topic and title. With
/// `measure`: that measure of the trust against its ten statistical neighbours' mean, its region
/// and England over the years; its rank, band and direction in the latest year; its neighbours'
/// values.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), MeasureQuery),
    responses(
        (status = 200, description = "the measures (no `measure` given) or the comparison", body = Answer),
        (status = 404, description = "no such measure, or the reference data is not imported", body = ErrorBody)))]
pub(crate) async fn measure_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<MeasureQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(match query.into_inner().measure {
        Some(code) => Answer::Comparison(Box::new(compare(&state, &access, code).await?)),
        None => Answer::Measures(measures(&state, &access).await?),
    }))
}

/// Which measure to compare on.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// The measure's short code in DfE's dictionary (`Measure_short`, e.g. InfMort); without
    /// it, the list of measures.
    pub measure: Option<String>,
}

/// The list of measures, or one measure compared.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Answer {
    Measures(Vec<MeasureInfo>),
    Comparison(Box<Comparison>),
}

/// A number as DfE shows the measure: its decimal places, `-` for none.
fn shown(value: Option<f64>, dps: Option<i32>) -> String {
    match value {
        None => "-".into(),
        Some(v) => format!("{:.*}", usize::try_from(dps.unwrap_or(1)).unwrap_or(1).min(6), v),
    }
}

/// The query that opens a measure's page (DfE's codes hold `%`, `&` and spaces).
fn query_of(code: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new()).append_pair("measure", code).finish()
}

/// The measures by topic, or (with `?measure=CODE`) one measure compared.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    match query.get("measure") {
        Some(code) => measure_page(&state, &access, code.clone()).await,
        None => index_page(&state, &access).await,
    }
}

async fn index_page(state: &AppState, access: &Access) -> Result<HttpResponse, PageError> {
    let list = measures(state, access).await?;
    let slug = &access.tenant.slug;
    let mut topics: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for m in &list {
        topics.entry(m.topic.clone()).or_default().push(v::row(vec![
            v::cell(&m.title, Some(format!("/t/{slug}/comparison?{}", query_of(&m.code)))),
            v::cell(&m.unit, None),
            v::cell(
                match m.polarity.as_str() {
                    "high" => "higher is better",
                    "low" => "lower is better",
                    _ => "neither",
                },
                None,
            ),
        ]));
    }
    let sections: Vec<serde_json::Value> = topics
        .into_iter()
        .enumerate()
        .map(|(i, (topic, rows))| {
            v::table_section(
                &format!("topic-{i}"),
                &topic,
                &format!("{topic}: measures"),
                &["Measure", "Unit", "Better"],
                rows,
                "None.",
            )
        })
        .collect();
    let intro = if list.is_empty() {
        vec!["DfE's data is not imported on this platform yet (an operator runs platform reference import lait)."]
    } else {
        vec![
            "The trust against its ten statistical neighbours, its region and England on DfE's published data (the Local Authority Interactive Tool). Choose a measure.",
        ]
    };
    Ok(v::record_page(
        state,
        access,
        json!({"title": "Compare with other authorities", "caption": access.tenant.name, "intro": intro, "sections": sections}),
    )?)
}

async fn measure_page(state: &AppState, access: &Access, code: String) -> Result<HttpResponse, PageError> {
    let c = compare(state, access, code).await?;
    let dps = c.measure.dps;
    let region = c.region_name.clone().unwrap_or_else(|| "Region".into());
    let mut summary = vec![v::item("Unit", &c.measure.unit)];
    summary.push(v::item(
        "Better",
        match c.measure.polarity.as_str() {
            "high" => "higher",
            "low" => "lower",
            _ => "neither higher nor lower",
        },
    ));
    if let Some(s) = &c.latest {
        summary.push(v::item("Latest", format!("{} in {}", shown(Some(s.value), dps), s.period)));
        summary.push(v::item("Rank", format!("{} of {} authorities", s.rank, s.of)));
        summary.push(v::item(
            "Quartile band",
            s.band.map_or_else(|| "not banded".to_string(), |b| format!("{b} (A is the best quarter)")),
        ));
        summary.push(v::item("Direction of travel", s.direction.clone().unwrap_or_else(|| "no earlier value".into())));
    }
    let rows = c
        .periods
        .iter()
        .rev()
        .map(|p| {
            v::row(vec![
                v::cell(&p.period, None),
                v::cell(shown(p.trust, dps), None),
                v::cell(format!("{} ({} of 10)", shown(p.neighbours_mean, dps), p.neighbours_with_values), None),
                v::cell(shown(p.region, dps), None),
                v::cell(shown(p.england, dps), None),
            ])
        })
        .collect();
    let neighbours = c
        .neighbours
        .iter()
        .map(|n| {
            v::row(vec![
                v::cell(n.rank, None),
                v::cell(&n.name, None),
                v::cell(&n.closeness, None),
                v::cell(shown(n.value, dps), None),
            ])
        })
        .collect();
    let trust_head = c.area_name.clone();
    let sections = vec![
        json!({"id": "summary", "summary": summary}),
        v::table_section(
            "over-time",
            "Over the years",
            &format!("{} against its neighbours, {region} and England", c.area_name),
            &["Period", &trust_head, "Neighbours' mean", &region, "England"],
            rows,
            "No values published.",
        ),
        v::table_section(
            "neighbours",
            "Statistical neighbours",
            &format!("{}'s ten statistical neighbours (DfE, May 2025), in the latest period", c.area_name),
            &["Nearest", "Authority", "Closeness", "Value"],
            neighbours,
            "No neighbours recorded.",
        ),
        json!({"id": "about", "heading": "About this measure", "intro": [c.measure.description.clone(), c.measure.methodology.clone(), format!("Source: {}", c.measure.source)]}),
    ];
    Ok(v::record_page(
        state,
        access,
        json!({"title": c.measure.title, "caption": format!("Compare: {}", c.measure.topic), "sections": sections}),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(area: &str, period: &str, end: &str, v: Option<f64>) -> r::Value {
        r::Value {
            measure: "M".into(),
            area: area.into(),
            period: period.into(),
            period_start: end.parse().unwrap(),
            period_end: end.parse().unwrap(),
            period_kind: "calendar".into(),
            period_status: "final".into(),
            value: v,
        }
    }

    fn info(polarity: &str) -> MeasureInfo {
        MeasureInfo {
            code: "M".into(),
            title: "M".into(),
            topic: "T".into(),
            polarity: polarity.into(),
            unit: "%".into(),
            dps: Some(1),
            description: String::new(),
            methodology: String::new(),
            source: String::new(),
            quartiles: true,
        }
    }

    #[test]
    fn a_comparison_reads_neighbours_region_england_rank_band_and_direction() {
        let area = |code: &str, kind: &str, region: Option<&str>| r::Area {
            code: code.into(),
            kind: kind.into(),
            name: format!("Area {code}"),
            region: region.map(str::to_string),
        };
        let areas: HashMap<String, r::Area> = [
            area("100", "authority", Some("980")),
            area("101", "authority", Some("980")),
            area("102", "authority", Some("980")),
            area("103", "authority", Some("980")),
            area("980", "region", None),
            area("970", "england", None),
        ]
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
        let neighbours: Vec<r::Neighbour> = ["101", "102"]
            .iter()
            .enumerate()
            .map(|(i, n)| r::Neighbour {
                edition: NEIGHBOURS.into(),
                area: "100".into(),
                rank: i as i32 + 1,
                neighbour: (*n).into(),
                closeness: "Close".into(),
            })
            .collect();
        let values = vec![
            value("100", "2022", "2022-12-31", Some(10.0)),
            value("101", "2022", "2022-12-31", Some(8.0)),
            value("102", "2022", "2022-12-31", None),
            value("100", "2023", "2023-12-31", Some(12.0)),
            value("101", "2023", "2023-12-31", Some(14.0)),
            value("102", "2023", "2023-12-31", Some(12.0)),
            value("103", "2023", "2023-12-31", Some(1.0)),
            value("980", "2023", "2023-12-31", Some(11.0)),
            value("970", "2023", "2023-12-31", Some(99.0)),
            value("100", "2024", "2024-12-31", None),
        ];
        let c = build(info("high"), &areas["100"], &areas, &neighbours, &values);
        assert_eq!(c.periods.len(), 3);
        // 2022: one neighbour had a value; its mean leaves the missing one out.
        assert_eq!((c.periods[0].neighbours_mean, c.periods[0].neighbours_with_values), (Some(8.0), 1));
        assert_eq!(
            (c.periods[1].neighbours_mean, c.periods[1].region, c.periods[1].england),
            (Some(13.0), Some(11.0), Some(99.0))
        );
        // The latest period with the trust's value is 2023 (2024's is missing): among the four
        // authorities (regions and England not ranked) 12 ties with 102 for second; higher is better.
        let s = c.latest.unwrap();
        assert_eq!((s.period.as_str(), s.rank, s.of), ("2023", 2, 4));
        assert_eq!(s.band, Some('B'));
        assert_eq!(s.direction.as_deref(), Some("improving"));
        assert_eq!(c.neighbours[0].value, Some(14.0));
        // Lower is better: the same 12 is third of four.
        let low = build(info("low"), &areas["100"], &areas, &neighbours, &values).latest.unwrap();
        assert_eq!((low.rank, low.band, low.direction.as_deref()), (2, Some('B'), Some("worsening")));
    }
}
