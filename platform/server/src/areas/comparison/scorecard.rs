//! The scorecard: every measure of DfE's data (or one topic's) with the trust's latest value,
//! its rank among all authorities, its quartile band and its direction of travel, beside its
//! neighbours' (or a group's) mean and England, so a commissioner sees where to look. Read in
//! two trips: the trust's own values (to find each measure's latest period with a value and the
//! one before), then every area's values in those periods.

use std::collections::HashMap;

use platform_db::repo::reference as r;
use serde::{Deserialize, Serialize};

use super::stats::{self, Polarity};
use super::{Against, ByArea, area_of, comparators, standing};
use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::error::ApiError;

/// One measure of the scorecard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoreRow {
    pub code: String,
    pub title: String,
    pub topic: String,
    pub polarity: String,
    pub unit: String,
    pub dps: Option<i32>,
    /// The latest period the trust has a value for, as DfE writes it.
    pub period: String,
    pub value: f64,
    pub rank: usize,
    pub of: usize,
    pub band: Option<char>,
    pub direction: Option<String>,
    /// The mean of the comparators' values present in that period.
    pub comparators_mean: Option<f64>,
    pub comparators_with_values: usize,
    pub england: Option<f64>,
}

/// The scorecard of the trust.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scorecard {
    pub area_code: String,
    pub area_name: String,
    pub against: Against,
    /// How many comparators there are (ten neighbours, or the group's members).
    pub comparators: usize,
    /// The measures shown, after the filters, in the order asked for.
    pub rows: Vec<ScoreRow>,
    /// Measures (within the topic asked for) with no value for the trust.
    pub without_value: usize,
    /// Measures with a value, before the band and direction filters.
    pub with_value: usize,
}

/// Which measures, in which order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// One topic of DfE's dictionary (all when not given).
    pub topic: Option<String>,
    /// A, B, C or D (A the best quarter), or `none` for measures not banded.
    pub band: Option<String>,
    /// improving, worsening, increasing, decreasing or `no change`.
    pub direction: Option<String>,
    /// `topic` (the default), `band` (D first), `rank` (the lowest placed first) or `title`.
    pub sort: Option<String>,
    /// One of the trust's comparison groups (its statistical neighbours when not given, or
    /// `neighbours`).
    pub group: Option<String>,
}

/// The bands and directions a filter may ask for.
pub const BANDS: [&str; 5] = ["A", "B", "C", "D", "none"];
pub const DIRECTIONS: [&str; 5] = ["improving", "worsening", "increasing", "decreasing", "no change"];
pub const SORT_KEYS: [&str; 4] = ["topic", "band", "rank", "title"];
pub const SORTS: [(&str, &str); 4] =
    [("topic", "Topic"), ("band", "Band, D first"), ("rank", "Rank, lowest placed first"), ("title", "Measure")];

impl ScoreQuery {
    fn check(&self) -> Result<(), ApiError> {
        super::check_group(self.group.as_deref())?;
        let blank = |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(b) = blank(&self.band).filter(|b| !BANDS.contains(&b.as_str())) {
            return Err(ApiError::bad_request(Some("band"), format!("{b:?} is not a band: A, B, C, D or none")));
        }
        if let Some(d) = blank(&self.direction).filter(|d| !DIRECTIONS.contains(&d.as_str())) {
            return Err(ApiError::bad_request(
                Some("direction"),
                format!("{d:?} is not a direction: {}", DIRECTIONS.join(", ")),
            ));
        }
        if let Some(s) = blank(&self.sort).filter(|s| !SORTS.iter().any(|(k, _)| k == s)) {
            return Err(ApiError::bad_request(
                Some("sort"),
                format!("{s:?} is not an order: topic, band, rank or title"),
            ));
        }
        Ok(())
    }
}

/// The trust's scorecard.
pub async fn scorecard(state: &AppState, access: &Access, query: ScoreQuery) -> Result<Scorecard, ApiError> {
    access.require(Action::Read)?;
    query.check()?;
    let access = access.clone();
    state
        .tenant_work(&access.tenant.id.clone(), move |conn| {
            let area = area_of(conn, &access)?;
            let (against, comparators) = comparators(conn, &access, &area, query.group.as_deref())?;
            let areas: HashMap<String, r::Area> = r::areas(conn)?.into_iter().map(|a| (a.code.clone(), a)).collect();
            let topic = query.topic.as_deref().filter(|t| !t.is_empty());
            let measures: Vec<r::Measure> =
                r::measures(conn)?.into_iter().filter(|m| topic.is_none_or(|t| m.topic == t)).collect();
            if let Some(t) = topic.filter(|_| measures.is_empty()) {
                return Err(ApiError::bad_request(Some("topic"), format!("DfE's dictionary has no topic {t:?}")));
            }
            let mine = r::values_in(conn, &area.code)?;
            let latest = latest_two(&mine);
            let mut wanted: HashMap<&str, Vec<String>> = HashMap::new();
            for m in &measures {
                if let Some((label, _)) = latest.get(m.code.as_str()) {
                    wanted.entry(label.as_str()).or_default().push(m.code.clone());
                }
            }
            let mut wanted: Vec<(String, Vec<String>)> =
                wanted.into_iter().map(|(label, codes)| (label.to_string(), codes)).collect();
            wanted.sort();
            let at = r::values_at(conn, &wanted)?;
            let rows = rows(&measures, &area, &areas, &comparators, &latest, &at);
            Ok(finish(&area, against, comparators.len(), &measures, rows, &query))
        })
        .await
}

/// Each measure's latest period with a value for the trust, and the value before it.
fn latest_two(mine: &[r::Value]) -> HashMap<&str, (String, Option<f64>)> {
    // (latest label, latest value, the value before it)
    let mut seen: HashMap<&str, (&str, f64, Option<f64>)> = HashMap::new();
    // `mine` is in (measure, period end, label) order: each value present moves the latest on.
    for v in mine {
        let Some(value) = v.value else { continue };
        let before = seen.get(v.measure.as_str()).map(|(_, latest, _)| *latest);
        seen.insert(v.measure.as_str(), (v.period.as_str(), value, before));
    }
    seen.into_iter().map(|(m, (label, _, before))| (m, (label.to_string(), before))).collect()
}

/// The scorecard's rows, before filtering.
fn rows(
    measures: &[r::Measure],
    area: &r::Area,
    areas: &HashMap<String, r::Area>,
    comparators: &[r::Neighbour],
    latest: &HashMap<&str, (String, Option<f64>)>,
    at: &[r::Value],
) -> Vec<ScoreRow> {
    let mut by_measure: HashMap<&str, ByArea<'_>> = HashMap::new();
    for v in at {
        if latest.get(v.measure.as_str()).is_some_and(|(label, _)| *label == v.period) {
            by_measure.entry(v.measure.as_str()).or_default().insert(v.area.as_str(), v.value);
        }
    }
    measures
        .iter()
        .filter_map(|m| {
            let (label, before) = latest.get(m.code.as_str())?;
            let by = by_measure.get(m.code.as_str())?;
            let polarity = Polarity::of(&m.polarity);
            let s = standing(by, areas, &area.code, label, *before, polarity, m.quartiles)?;
            let theirs: Vec<Option<f64>> =
                comparators.iter().map(|c| by.get(c.neighbour.as_str()).copied().flatten()).collect();
            Some(ScoreRow {
                code: m.code.clone(),
                title: m.title.clone(),
                topic: m.topic.clone(),
                polarity: m.polarity.clone(),
                unit: m.unit.clone(),
                dps: m.dps,
                period: s.period,
                value: s.value,
                rank: s.rank,
                of: s.of,
                band: s.band,
                direction: s.direction,
                comparators_mean: stats::mean(&theirs),
                comparators_with_values: theirs.iter().flatten().count(),
                england: by.get("970").copied().flatten(),
            })
        })
        .collect()
}

/// Filters and orders the rows.
fn finish(
    area: &r::Area,
    against: Against,
    comparators: usize,
    measures: &[r::Measure],
    rows: Vec<ScoreRow>,
    query: &ScoreQuery,
) -> Scorecard {
    let with_value = rows.len();
    let given = |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    let band = given(&query.band);
    let direction = given(&query.direction);
    let mut rows: Vec<ScoreRow> = rows
        .into_iter()
        .filter(|r| match band.as_deref() {
            None => true,
            Some("none") => r.band.is_none(),
            Some(b) => r.band.map(String::from).as_deref() == Some(b),
        })
        .filter(|r| direction.as_deref().is_none_or(|d| r.direction.as_deref() == Some(d)))
        .collect();
    let by_title = |a: &ScoreRow, b: &ScoreRow| a.title.cmp(&b.title).then_with(|| a.code.cmp(&b.code));
    match given(&query.sort).as_deref() {
        // D first; measures not banded last.
        Some("band") => rows.sort_by(|a, b| {
            let key = |r: &ScoreRow| r.band.map_or(0, |c| c as u32 + 1);
            key(b).cmp(&key(a)).then_with(|| by_title(a, b))
        }),
        // The lowest placed first: by how far down the ranking, as a share of it.
        Some("rank") => rows.sort_by(|a, b| {
            let share = |r: &ScoreRow| r.rank as f64 / r.of.max(1) as f64;
            share(b).total_cmp(&share(a)).then_with(|| by_title(a, b))
        }),
        Some("title") => rows.sort_by(by_title),
        _ => rows.sort_by(|a, b| a.topic.cmp(&b.topic).then_with(|| by_title(a, b))),
    }
    Scorecard {
        area_code: area.code.clone(),
        area_name: area.name.clone(),
        against,
        comparators,
        without_value: measures.len() - with_value,
        with_value,
        rows,
    }
}
