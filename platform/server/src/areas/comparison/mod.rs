//! Regional comparison on DfE's published data (LAIT, imported by `platform reference import`):
//! a measure of the trust against its ten statistical neighbours, its region and England over
//! the years, with its rank among all authorities, its quartile band and its direction of
//! travel; the neighbours with their closeness and values. The trust is found in the statistics
//! by its ONS code (the geography import joins it to DfE's three-digit code).

mod charts;
mod downloads;
pub(crate) mod groups;
mod scorecard;
pub(crate) mod sharing;
mod stats;

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use chrono::NaiveDate;
use platform_db::repo::reference as r;
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::{ApiError, ErrorBody};
use downloads::{Cell, FileFormat, Table, file_name, respond};
use scorecard::SORTS;
pub use scorecard::{BANDS, DIRECTIONS, SORT_KEYS, ScoreQuery, Scorecard};
use stats::Polarity;

/// The edition of DfE's statistical neighbours the comparison uses.
pub const NEIGHBOURS: &str = "2025-05";
/// The `group` that means the statistical neighbours (as no group does).
const NEIGHBOURS_CHOICE: &str = "neighbours";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants/{slug}/comparison", web::get().to(measure_api))
        .route("/api/v1/tenants/{slug}/comparison/scorecard", web::get().to(scorecard_api))
        .route("/api/v1/tenants/{slug}/comparison/groups", web::get().to(groups::list_api))
        .route("/api/v1/tenants/{slug}/comparison/groups", web::post().to(groups::create_api))
        .route("/api/v1/tenants/{slug}/comparison/groups/{id}", web::get().to(groups::get_api))
        .route("/api/v1/tenants/{slug}/comparison/groups/{id}", web::put().to(groups::edit_api))
        .route("/api/v1/tenants/{slug}/comparison/groups/{id}", web::delete().to(groups::delete_api))
        .route("/api/v1/tenants/{slug}/comparison/sharing", web::get().to(sharing::states_api))
        .route("/api/v1/tenants/{slug}/comparison/sharing/{id}", web::get().to(sharing::state_api))
        .route("/api/v1/tenants/{slug}/comparison/sharing/{id}", web::put().to(sharing::set_api))
        .route("/api/v1/tenants/{slug}/comparison/sharing/{id}/figures", web::get().to(sharing::figures_api))
        .route("/t/{slug}/comparison/sharing", web::get().to(sharing::page))
        .route("/t/{slug}/comparison/sharing/{id}/{action}", web::post().to(sharing::set_form))
        .route("/t/{slug}/comparison/shared/{id}", web::get().to(sharing::figures_page))
        .route("/t/{slug}/comparison", web::get().to(page))
        .route("/t/{slug}/comparison/scorecard", web::get().to(scorecard_page))
        .route("/t/{slug}/comparison/groups", web::get().to(groups::page))
        .route("/t/{slug}/comparison/groups", web::post().to(groups::create_form))
        .route("/t/{slug}/comparison/groups/new", web::get().to(groups::new_page))
        .route("/t/{slug}/comparison/groups/{id}", web::get().to(groups::edit_page))
        .route("/t/{slug}/comparison/groups/{id}", web::post().to(groups::edit_form))
        .route("/t/{slug}/comparison/groups/{id}/delete", web::post().to(groups::delete_form));
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
    /// What the trust is compared against: its statistical neighbours or one of its groups.
    pub against: Against,
    pub periods: Vec<PeriodRow>,
    pub latest: Option<Standing>,
    pub neighbours: Vec<NeighbourRow>,
}

/// What the trust is compared against.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Against {
    /// `neighbours` (DfE's statistical neighbours) or `group` (one the trust defined).
    pub kind: String,
    /// The group's id, for a group.
    pub group: Option<String>,
    /// How the page names it: "statistical neighbours" or the group's name.
    pub name: String,
}

impl Against {
    /// How text names the comparators: "statistical neighbours" or "the group …".
    pub fn of(&self) -> String {
        match &self.group {
            Some(_) => format!("the group {}", self.name),
            None => self.name.clone(),
        }
    }

    /// As the trust's: "its statistical neighbours" or "the group …".
    pub fn its(&self) -> String {
        match &self.group {
            Some(_) => self.of(),
            None => format!("its {}", self.name),
        }
    }
}

/// The authorities the trust is compared against: its statistical neighbours, or the members
/// of one of its groups (as neighbours ranked in the order chosen).
fn comparators(
    conn: &mut platform_db::DbConnection,
    access: &Access,
    area: &r::Area,
    group: Option<&str>,
) -> Result<(Against, Vec<r::Neighbour>), ApiError> {
    match group.filter(|g| !g.is_empty() && *g != NEIGHBOURS_CHOICE) {
        None => Ok((
            Against { kind: "neighbours".into(), group: None, name: "statistical neighbours".into() },
            r::neighbours_of(conn, NEIGHBOURS, &area.code)?,
        )),
        Some(id) => {
            let g = platform_db::repo::comparison_groups::get(conn, &access.tenant.id, id)?
                .ok_or_else(|| ApiError::NotFound("the trust has no such comparison group".to_string()))?;
            let members = g
                .codes()
                .into_iter()
                .enumerate()
                .map(|(i, code)| r::Neighbour {
                    edition: "group".into(),
                    area: area.code.clone(),
                    rank: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    neighbour: code,
                    closeness: "chosen".into(),
                })
                .collect();
            Ok((Against { kind: "group".into(), group: Some(g.id), name: g.name }, members))
        }
    }
}

/// A `group` given in a query: a group's id (letters, digits, `-`, `_`) or `neighbours`.
pub(crate) fn check_group(group: Option<&str>) -> Result<(), ApiError> {
    match group {
        Some(g)
            if g.is_empty()
                || g.len() > 100
                || !g.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Err(ApiError::bad_request(Some("group"), "not a group's id: letters, digits, - and _, at most 100"))
        }
        _ => Ok(()),
    }
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

/// A measure of the trust, compared against its neighbours or one of its groups.
pub async fn compare(
    state: &AppState,
    access: &Access,
    code: String,
    group: Option<String>,
) -> Result<Comparison, ApiError> {
    access.require(Action::Read)?;
    let access = access.clone();
    state
        .tenant_work(&access.tenant.id.clone(), move |conn| {
            let area = area_of(conn, &access)?;
            let measure = r::measure(conn, &code)?.ok_or_else(|| ApiError::NotFound(format!("no measure {code:?}")))?;
            let areas: HashMap<String, r::Area> = r::areas(conn)?.into_iter().map(|a| (a.code.clone(), a)).collect();
            let (against, neighbours) = comparators(conn, &access, &area, group.as_deref())?;
            let values = r::values_of(conn, &code)?;
            Ok(build(MeasureInfo::of(measure), &area, &areas, against, &neighbours, &values))
        })
        .await
}

/// A period by its end and its label.
type PeriodKey = (NaiveDate, String);
/// A period's values by area code.
type ByArea<'a> = HashMap<&'a str, Option<f64>>;

/// Where `me` stands among all authorities in one period (`by`), its value the one before.
fn standing(
    by: &ByArea<'_>,
    areas: &HashMap<String, r::Area>,
    me: &str,
    label: &str,
    before: Option<f64>,
    polarity: Polarity,
    quartiles: bool,
) -> Option<Standing> {
    let value = by.get(me).copied().flatten()?;
    let all: Vec<f64> = by
        .iter()
        .filter(|(code, _)| areas.get(**code).is_some_and(|a| a.kind == "authority"))
        .filter_map(|(_, v)| *v)
        .collect();
    let rank = stats::rank(value, &all, polarity);
    Some(Standing {
        period: label.to_string(),
        value,
        rank,
        of: all.len(),
        band: stats::band(rank, all.len(), polarity, quartiles),
        direction: stats::direction(before, Some(value), polarity).map(str::to_string),
    })
}

/// The comparison from the stored rows (pure: the arithmetic is in [`stats`]).
fn build(
    measure: MeasureInfo,
    area: &r::Area,
    areas: &HashMap<String, r::Area>,
    against: Against,
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
    let latest = with_value.last().and_then(|((_, label), by)| {
        let before =
            with_value.len().checked_sub(2).and_then(|i| with_value.get(i)).and_then(|(_, by)| get(by, &area.code));
        standing(by, areas, &area.code, label, before, polarity, measure.quartiles)
    });
    let latest_by = with_value.last().map(|(_, by)| *by);
    Comparison {
        area_code: area.code.clone(),
        area_name: area.name.clone(),
        region_name: area.region.as_ref().and_then(|c| areas.get(c)).map(|a| a.name.clone()),
        neighbours_edition: NEIGHBOURS.into(),
        against,
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
    let query = query.into_inner();
    check_group(query.group.as_deref())?;
    Ok(HttpResponse::Ok().json(match query.measure {
        Some(code) => Answer::Comparison(Box::new(compare(&state, &access, code, query.group).await?)),
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
    /// One of the trust's comparison groups to compare against (its statistical neighbours when
    /// not given, or `neighbours`).
    pub group: Option<String>,
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
        Some(v) => charts::format_number(v, downloads::places(dps)),
    }
}

/// The measures by topic, or (with `?measure=CODE`) one measure compared; `format=csv` or
/// `xlsx` gives the tables behind the view as a file.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let query = Values::parse(req.query_string().as_bytes());
    let format = FileFormat::of(Some(query.get("format")))?;
    let group = Some(query.get("group").to_string()).filter(|g| !g.is_empty());
    match query.get("measure") {
        "" => index_page(&state, &access).await,
        code => {
            let c = compare(&state, &access, code.to_string(), group).await?;
            match format {
                None => measure_page(&state, &access, &c).await,
                Some(f) => Ok(measure_file(&access, &c, f, query.get("table"))?),
            }
        }
    }
}

/// The choice of what to compare against: the neighbours or one of the trust's groups.
async fn against_field(state: &AppState, access: &Access) -> Result<Field, ApiError> {
    let mut options = vec![Opt::new(NEIGHBOURS_CHOICE, "Statistical neighbours (DfE, May 2025)")];
    for g in groups::list(state, access).await? {
        options.push(Opt::new(&g.id, format!("Group: {}", g.name)));
    }
    Ok(Field::select("group", "Compare against", options))
}

async fn index_page(state: &AppState, access: &Access) -> Result<HttpResponse, PageError> {
    let list = measures(state, access).await?;
    let slug = &access.tenant.slug;
    let mut topics: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for m in &list {
        topics.entry(m.topic.clone()).or_default().push(v::row(vec![
            v::cell(&m.title, Some(format!("/t/{slug}/comparison?{}", query_of(&[("measure", &m.code)])))),
            v::cell(&m.unit, None),
            v::cell(better(&m.polarity), None),
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
        vec![
            "DfE's data is not imported on this platform yet (an operator imports it on the operator's page, or runs platform reference import lait).",
        ]
    } else {
        vec![
            "The trust against its ten statistical neighbours, its region and England on DfE's published data (the Local Authority Interactive Tool). Choose a measure, or see the scorecard of every measure.",
        ]
    };
    let actions = json!([
        {"label": "Scorecard of every measure", "href": format!("/t/{slug}/comparison/scorecard")},
        {"label": "Comparison groups", "href": format!("/t/{slug}/comparison/groups")},
        {"label": "Local figures shared between trusts", "href": format!("/t/{slug}/comparison/sharing")},
    ]);
    Ok(v::record_page(
        state,
        access,
        json!({"title": "Compare with other authorities", "caption": access.tenant.name, "intro": intro,
               "actions": actions, "sections": sections}),
    )?)
}

/// How the page says which way is better.
fn better(polarity: &str) -> &'static str {
    match polarity {
        "high" => "higher is better",
        "low" => "lower is better",
        _ => "neither",
    }
}

/// The tables of a measure's view: over the years, and the comparators in the latest period.
fn measure_tables(c: &Comparison) -> Vec<Table> {
    let dps = c.measure.dps;
    let region = c.region_name.clone().unwrap_or_else(|| "Region".into());
    let mean_head = format!("Mean of {}", c.against.of());
    let over_time = Table {
        name: "Over the years".into(),
        head: vec![
            "Period".into(),
            c.area_name.clone(),
            mean_head,
            format!("Comparators with a value (of {})", c.neighbours.len()),
            region,
            "England".into(),
        ],
        rows: c
            .periods
            .iter()
            .rev()
            .map(|p| {
                vec![
                    Cell::text(&p.period),
                    Cell::figure(p.trust, dps),
                    Cell::figure(p.neighbours_mean, dps),
                    Cell::Number(p.neighbours_with_values as f64, 0),
                    Cell::figure(p.region, dps),
                    Cell::figure(p.england, dps),
                ]
            })
            .collect(),
    };
    let latest = c.latest.as_ref().map_or_else(|| "the latest period".to_string(), |s| s.period.clone());
    let comparators = Table {
        name: "Comparators".into(),
        head: vec!["Order".into(), "Authority".into(), "Closeness".into(), format!("Value in {latest}")],
        rows: c
            .neighbours
            .iter()
            .map(|n| {
                vec![
                    Cell::Number(f64::from(n.rank), 0),
                    Cell::text(&n.name),
                    Cell::text(&n.closeness),
                    Cell::figure(n.value, dps),
                ]
            })
            .collect(),
    };
    vec![over_time, comparators]
}

/// A measure's tables as a file: CSV (`table` = `over-time`, the default, or `comparators`)
/// or XLSX (both, and what the measure is).
fn measure_file(access: &Access, c: &Comparison, format: FileFormat, table: &str) -> Result<HttpResponse, ApiError> {
    let tables = measure_tables(c);
    let slug = access.tenant.slug.as_str();
    match format {
        FileFormat::Csv => {
            let (i, part) = match table {
                "" | "over-time" => (0, "over-time"),
                "comparators" => (1, "comparators"),
                other => {
                    return Err(ApiError::bad_request(
                        Some("table"),
                        format!("{other:?} is not a table of this view: over-time or comparators"),
                    ));
                }
            };
            let t = tables.get(i).ok_or_else(|| ApiError::Internal("a measure has two tables".into()))?;
            Ok(respond(format, &file_name(&[slug, &c.measure.code, part], "csv"), downloads::csv(t)?))
        }
        FileFormat::Xlsx => {
            let notes = vec![
                c.measure.title.clone(),
                format!("{} ({}) against {}, its region and England.", c.area_name, c.area_code, c.against.its()),
                format!("Unit: {}. Better: {}.", c.measure.unit, better(&c.measure.polarity)),
                c.measure.description.clone(),
                c.measure.methodology.clone(),
                format!("Source: {}", c.measure.source),
                "A figure DfE did not publish is shown as -.".into(),
            ];
            Ok(respond(format, &file_name(&[slug, &c.measure.code], "xlsx"), downloads::xlsx(&notes, &tables)?))
        }
    }
}

/// A table of a view as the page's table section.
fn table_view(id: &str, heading: &str, caption: &str, t: &Table, first_links: &[Option<String>]) -> serde_json::Value {
    let head: Vec<&str> = t.head.iter().map(String::as_str).collect();
    let rows = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            v::row(
                row.iter()
                    .enumerate()
                    .map(|(j, cell)| {
                        let text = match cell {
                            Cell::Text(t) | Cell::Symbol(t) => t.clone(),
                            Cell::Number(n, dps) => charts::format_number(*n, *dps),
                        };
                        v::cell(text, if j == 0 { first_links.get(i).cloned().flatten() } else { None })
                    })
                    .collect(),
            )
        })
        .collect();
    v::table_section(id, heading, caption, &head, rows, "No values published.")
}

/// The query of a link: each pair written safely (DfE's codes hold `%`, `&` and spaces).
fn query_of(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, val) in pairs.iter().filter(|(_, val)| !val.is_empty()) {
        q.append_pair(k, val);
    }
    q.finish()
}

/// Links to the files of a view (`pairs` is the view's own query).
fn download_links(path: &str, pairs: &[(&str, &str)], csv_tables: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let mut links = Vec::new();
    for (table, label) in csv_tables {
        let mut q = pairs.to_vec();
        q.push(("format", "csv"));
        q.push(("table", table));
        links.push(json!({"label": format!("Download {label} (CSV)"), "href": format!("{path}?{}", query_of(&q))}));
    }
    let mut q = pairs.to_vec();
    q.push(("format", "xlsx"));
    links.push(json!({"label": "Download every table (XLSX)", "href": format!("{path}?{}", query_of(&q))}));
    links
}

async fn measure_page(state: &AppState, access: &Access, c: &Comparison) -> Result<HttpResponse, PageError> {
    let dps = c.measure.dps;
    let slug = &access.tenant.slug;
    let group = c.against.group.clone().unwrap_or_default();
    let mut summary = vec![v::item("Unit", &c.measure.unit)];
    summary.push(v::item("Better", better(&c.measure.polarity)));
    if let Some(s) = &c.latest {
        summary.push(v::item("Latest", format!("{} in {}", shown(Some(s.value), dps), s.period)));
        summary.push(v::item("Rank", format!("{} of {} authorities (1 is the best)", s.rank, s.of)));
        summary.push(v::item(
            "Quartile band",
            s.band.map_or_else(|| "not banded".to_string(), |b| format!("{b} (A is the best quarter)")),
        ));
        summary.push(v::item("Direction of travel", s.direction.clone().unwrap_or_else(|| "no earlier value".into())));
    }
    summary.push(v::item("Compared against", c.against.of()));
    let tables = measure_tables(c);
    let mut values = Values::default();
    let chosen = if group.is_empty() { NEIGHBOURS_CHOICE.to_string() } else { group.clone() };
    values.set("measure", c.measure.code.clone()).set("group", chosen);
    let fields = vec![against_field(state, access).await?];
    let (filter_view, filter_summary) = forms::view(&fields, &values, None);
    let path = format!("/t/{slug}/comparison");
    let pairs = [("measure", c.measure.code.as_str()), ("group", group.as_str())];
    let mut sections = vec![json!({"id": "summary", "summary": summary})];
    let (line, bars) = measure_charts(c);
    sections.push(json!({"id": "trend-chart", "heading": line_title(c), "chart": {"svg": line.svg, "description": line.description},
        "intro": ["The table below the chart holds the same figures."]}));
    if let Some(t) = tables.first() {
        sections.push(table_view(
            "over-time",
            "Over the years",
            &format!("{} against the mean of {}, its region and England", c.area_name, c.against.its()),
            t,
            &[],
        ));
    }
    sections.push(json!({"id": "comparators-chart", "heading": bars_title(c), "chart": {"svg": bars.svg, "description": bars.description}}));
    if let Some(t) = tables.get(1) {
        let heading = if c.against.kind == "group" { c.against.name.clone() } else { "Statistical neighbours".into() };
        sections.push(table_view(
            "comparators",
            &heading,
            &format!("{}: {} in the latest period", c.area_name, c.against.of()),
            t,
            &[],
        ));
    }
    sections.push(json!({"id": "downloads", "heading": "Download",
        "links": download_links(&path, &pairs, &[("over-time", "over the years"), ("comparators", "the comparators")])}));
    sections.push(json!({"id": "about", "heading": "About this measure", "intro": [c.measure.description.clone(), c.measure.methodology.clone(), format!("Source: {}", c.measure.source)]}));
    let mut actions =
        vec![json!({"label": "Back to the scorecard", "href": format!("/t/{slug}/comparison/scorecard")})];
    if Action::Commission.allowed(access.role()) {
        actions.push(json!({"label": "Record a need from this measure", "href": need_link(slug, c)}));
    }
    Ok(v::record_page(
        state,
        access,
        json!({"title": c.measure.title, "caption": format!("Compare: {}", c.measure.topic), "actions": actions,
               "filters": {"action": path, "fields": filter_view, "summary": filter_summary, "legend": "Compare against",
                           "submit": "Compare", "hidden": [{"name": "measure", "value": c.measure.code}]},
               "sections": sections}),
    )?)
}

/// The message of the chart over time: where the trust stands against its comparators.
fn line_title(c: &Comparison) -> String {
    let Some(s) = &c.latest else {
        return format!("{} has no published value for this measure", c.area_name);
    };
    let dps = c.measure.dps;
    let mean = c.periods.iter().find(|p| p.period == s.period).and_then(|p| p.neighbours_mean);
    let against = match mean {
        Some(m) if (m - s.value).abs() < 1e-9 => format!(", the same as the mean of {}", c.against.its()),
        Some(m) => format!(
            ", {} the mean of {} ({})",
            if s.value > m { "above" } else { "below" },
            c.against.its(),
            shown(Some(m), dps)
        ),
        None => String::new(),
    };
    let trend = s.direction.as_deref().map(|d| format!(" and {d}")).unwrap_or_default();
    format!("{} was {} in {}{against}{trend}", c.area_name, shown(Some(s.value), dps), s.period)
}

/// The message of the comparators' chart.
fn bars_title(c: &Comparison) -> String {
    let Some(s) = &c.latest else {
        return format!("{} against {}", c.area_name, c.against.its());
    };
    let values: Vec<f64> = c.neighbours.iter().filter_map(|n| n.value).collect();
    let (count, how) = match Polarity::of(&c.measure.polarity) {
        Polarity::High => (values.iter().filter(|v| **v > s.value).count(), "did better than"),
        Polarity::Low => (values.iter().filter(|v| **v < s.value).count(), "did better than"),
        Polarity::None => (values.iter().filter(|v| **v > s.value).count(), "had a higher value than"),
    };
    format!("{count} of {} of {} with a value {how} {} in {}", values.len(), c.against.its(), c.area_name, s.period)
}

/// The charts of a measure: its values over time against its comparators' mean, its region and
/// England; and the comparators' values in the latest period, the trust among them.
fn measure_charts(c: &Comparison) -> (charts::Chart, charts::Chart) {
    let dps = downloads::places(c.measure.dps);
    let periods: Vec<String> = c.periods.iter().map(|p| p.period.clone()).collect();
    let series = vec![
        charts::Series { name: c.area_name.clone(), values: c.periods.iter().map(|p| p.trust).collect() },
        charts::Series {
            name: format!("Mean of {}", c.against.of()),
            values: c.periods.iter().map(|p| p.neighbours_mean).collect(),
        },
        charts::Series {
            name: c.region_name.clone().unwrap_or_else(|| "Region".into()),
            values: c.periods.iter().map(|p| p.region).collect(),
        },
        charts::Series { name: "England".into(), values: c.periods.iter().map(|p| p.england).collect() },
    ];
    let title = line_title(c);
    let line = charts::line_chart(&charts::LineChart {
        id: "trend",
        title: &title,
        measure: &c.measure.title,
        x_label: "Period",
        y_label: &c.measure.unit,
        periods: &periods,
        series: &series,
        dps,
    });
    let mut bars: Vec<charts::Bar> =
        c.neighbours.iter().map(|n| charts::Bar { name: n.name.clone(), value: n.value, highlight: false }).collect();
    bars.push(charts::Bar { name: c.area_name.clone(), value: c.latest.as_ref().map(|s| s.value), highlight: true });
    // Largest first, those without a value last.
    bars.sort_by(|a, b| match (a.value, b.value) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    let mean =
        c.latest.as_ref().and_then(|s| c.periods.iter().find(|p| p.period == s.period)).and_then(|p| p.neighbours_mean);
    let mean_label = format!("Mean of {}", c.against.of());
    let title = bars_title(c);
    let value_label = match &c.latest {
        Some(s) => format!("{} in {}", c.measure.unit, s.period),
        None => c.measure.unit.clone(),
    };
    let bar = charts::bar_chart(&charts::BarChart {
        id: "comparators",
        title: &title,
        measure: &c.measure.title,
        value_label: &value_label,
        bars: &bars,
        reference: mean.map(|m| (mean_label.as_str(), m)),
        dps,
    });
    (line, bar)
}

/// The link that opens the needs assessment's form with the measure as the need's evidence.
fn need_link(slug: &str, c: &Comparison) -> String {
    let evidence = match &c.latest {
        Some(s) => evidence_text(&c.measure.title, &c.measure.unit, c.measure.dps, s),
        None => format!("{}: no value for the trust.", c.measure.title),
    };
    evidence_link(slug, &c.measure.title, &evidence, &c.measure.source)
}

/// A measure's standing in words, as a need's evidence.
fn evidence_text(title: &str, unit: &str, dps: Option<i32>, s: &Standing) -> String {
    format!(
        "{title}: {} in {} ({unit}), rank {} of {} authorities{}{}.",
        shown(Some(s.value), dps),
        s.period,
        s.rank,
        s.of,
        s.band.map(|b| format!(", quartile band {b}")).unwrap_or_default(),
        s.direction.as_deref().map(|d| format!(", {d}")).unwrap_or_default(),
    )
}

fn evidence_link(slug: &str, title: &str, evidence: &str, source: &str) -> String {
    let source = format!("DfE Local Authority Interactive Tool: {source}");
    format!("/t/{slug}/needs/new?{}", query_of(&[("title", title), ("evidence", evidence), ("source", &source)]))
}

/// Every measure with the trust's latest value, rank, band and direction, filtered and sorted.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/scorecard", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ScoreQuery),
    responses(
        (status = 200, description = "the scorecard", body = Scorecard),
        (status = 400, description = "a filter that is not one of its choices, naming it", body = ErrorBody),
        (status = 404, description = "no such group, or the reference data is not imported", body = ErrorBody)))]
pub(crate) async fn scorecard_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<ScoreQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(scorecard::scorecard(&state, &access, query.into_inner()).await?))
}

/// The scorecard's table.
fn scorecard_table(card: &Scorecard) -> Table {
    Table {
        name: "Scorecard".into(),
        head: vec![
            "Measure".into(),
            "Topic".into(),
            "Period".into(),
            card.area_name.clone(),
            format!("Mean of {}", card.against.of()),
            "England".into(),
            "Rank".into(),
            "Of".into(),
            "Band".into(),
            "Direction".into(),
            "Unit".into(),
        ],
        rows: card
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(&r.title),
                    Cell::text(&r.topic),
                    Cell::text(&r.period),
                    Cell::figure(Some(r.value), r.dps),
                    Cell::figure(r.comparators_mean, r.dps),
                    Cell::figure(r.england, r.dps),
                    Cell::Number(r.rank as f64, 0),
                    Cell::Number(r.of as f64, 0),
                    Cell::Symbol(r.band.map_or_else(|| "-".into(), String::from)),
                    Cell::Symbol(r.direction.clone().unwrap_or_else(|| "-".into())),
                    Cell::text(&r.unit),
                ]
            })
            .collect(),
    }
}

async fn scorecard_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let mut values = Values::parse(req.query_string().as_bytes());
    if values.get("group").is_empty() {
        values.set("group", NEIGHBOURS_CHOICE);
    }
    let format = FileFormat::of(Some(values.get("format")))?;
    let topics: Vec<String> = {
        let mut t: Vec<String> = measures(&state, &access).await?.into_iter().map(|m| m.topic).collect();
        t.dedup();
        t
    };
    let fields = vec![
        Field::select("topic", "Topic", topics.iter().map(|t| Opt::new(t, t)).collect()).optional(),
        Field::select(
            "band",
            "Quartile band",
            BANDS.iter().map(|b| Opt::new(*b, if *b == "none" { "Not banded" } else { b })).collect(),
        )
        .optional()
        .hint("A is the best quarter of authorities, D the worst."),
        Field::select("direction", "Direction of travel", DIRECTIONS.iter().map(|d| Opt::new(*d, *d)).collect())
            .optional(),
        Field::select("sort", "Order", SORTS.iter().map(|(k, l)| Opt::new(*k, *l)).collect()).optional(),
        against_field(&state, &access).await?,
    ];
    let given = |k: &str| Some(values.get(k).to_string()).filter(|s| !s.is_empty());
    let query = ScoreQuery {
        topic: given("topic"),
        band: given("band"),
        direction: given("direction"),
        sort: given("sort"),
        group: given("group"),
    };
    let slug = access.tenant.slug.clone();
    let path = format!("/t/{slug}/comparison/scorecard");
    let result = match forms::body_of(&fields, &values) {
        Ok(_) => scorecard::scorecard(&state, &access, query.clone()).await,
        Err(e) => Err(e),
    };
    let (sections, error) = match result {
        Ok(card) => {
            let table = scorecard_table(&card);
            if let Some(f) = format {
                let bytes = match f {
                    FileFormat::Csv => downloads::csv(&table)?,
                    FileFormat::Xlsx => downloads::xlsx(
                        &[
                            format!("{} ({}): scorecard of DfE's measures", card.area_name, card.area_code),
                            format!("Compared against: {}", card.against.of()),
                            "Rank 1 is the best; band A is the best quarter of authorities; - where DfE published no value or the measure is not banded.".into(),
                        ],
                        std::slice::from_ref(&table),
                    )?,
                };
                let ext = if f == FileFormat::Csv { "csv" } else { "xlsx" };
                return Ok(respond(f, &file_name(&[&slug, "scorecard"], ext), bytes));
            }
            let group = query.group.clone().unwrap_or_default();
            let links: Vec<Option<String>> = card
                .rows
                .iter()
                .map(|r| Some(format!("/t/{slug}/comparison?{}", query_of(&[("measure", &r.code), ("group", &group)]))))
                .collect();
            let mut section = table_view(
                "scorecard",
                "",
                &format!("{}: the latest value of each measure, its rank, band and direction", card.area_name),
                &table,
                &links,
            );
            if Action::Commission.allowed(access.role())
                && let Some(rows) = section["table"]["rows"].as_array_mut()
            {
                for (row, r) in rows.iter_mut().zip(&card.rows) {
                    let standing = Standing {
                        period: r.period.clone(),
                        value: r.value,
                        rank: r.rank,
                        of: r.of,
                        band: r.band,
                        direction: r.direction.clone(),
                    };
                    let evidence = evidence_text(&r.title, &r.unit, r.dps, &standing);
                    if let Some(cells) = row["cells"].as_array_mut() {
                        cells.push(v::cell(
                            format!("Record a need: {}", r.title),
                            Some(evidence_link(&slug, &r.title, &evidence, "")),
                        ));
                    }
                }
                if let Some(head) = section["table"]["head"].as_array_mut() {
                    head.push(json!("Needs assessment"));
                }
            }
            let count = format!(
                "{} of the {} measures with a value for {} are shown; {} measures have no value for it.",
                card.rows.len(),
                card.with_value,
                card.area_name,
                card.without_value
            );
            let pairs: Vec<(&str, &str)> =
                ["topic", "band", "direction", "sort", "group"].iter().map(|k| (*k, values.get(k))).collect();
            (
                vec![
                    json!({"id": "count", "intro": [count]}),
                    section,
                    json!({"id": "downloads", "heading": "Download", "links": download_links(&path, &pairs, &[("scorecard", "this table")])}),
                ],
                None,
            )
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    let (filter_view, summary) = forms::view(&fields, &values, error.as_ref());
    let status = error.as_ref().map(|e| e.status_code());
    let mut page = v::record_page(
        &state,
        &access,
        json!({"title": "Scorecard", "caption": format!("Compare: {}", access.tenant.name),
               "intro": ["Every measure of DfE's published data with the trust's latest value, its rank among all authorities (1 is the best), its quartile band (A is the best quarter) and its direction of travel. Filter, for example, band D and worsening to see where to look."],
               "filters": {"action": path, "fields": filter_view, "summary": summary},
               "sections": sections}),
    )?;
    // A filter refused: the page says what is wrong, answered as the API would.
    if let Some(s) = status {
        *page.status_mut() = s;
    }
    Ok(page)
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

    fn neighbours_against() -> Against {
        Against { kind: "neighbours".into(), group: None, name: "statistical neighbours".into() }
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
        let c = build(info("high"), &areas["100"], &areas, neighbours_against(), &neighbours, &values);
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
        let low = build(info("low"), &areas["100"], &areas, neighbours_against(), &neighbours, &values).latest.unwrap();
        assert_eq!((low.rank, low.band, low.direction.as_deref()), (2, Some('B'), Some("worsening")));
    }
}
