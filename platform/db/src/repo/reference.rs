//! Reference data published about every English authority (DfE's LAIT, the ONS-to-DfE
//! geography): stored by an import that replaces a source's rows in one transaction, all or
//! nothing, and does nothing when the same release (by its files' sha256) is imported again.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::schema::{ref_areas, ref_geography, ref_measures, ref_neighbours, ref_releases, ref_values};

/// Rows written per statement: well under SQLite's and PostgreSQL's limits on parameters.
const BATCH: usize = 2000;

/// Writes rows in batches of several rows a statement, on the connection's own backend (a
/// multi-row insert is written differently by each).
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(BATCH) {
            match &mut *$conn {
                DbConnection::Postgres(pg) => diesel::insert_into($table).values(chunk).execute(pg)?,
                DbConnection::Sqlite(lite) => diesel::insert_into($table).values(chunk).execute(lite)?,
            };
        }
    };
}

/// What an import found in a release, kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_releases)]
pub struct Release {
    /// `lait` or `geography`.
    pub source: String,
    /// Of the files imported, together: the same files are the same release.
    pub sha256: String,
    pub imported_at: NaiveDateTime,
    /// The newest "last update" the release names, when it names one.
    pub released_on: Option<NaiveDate>,
    pub rows_read: i32,
    pub values_stored: i32,
    /// Values published as `-` (missing or suppressed), stored as none.
    pub values_missing: i32,
    pub rows_refused: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_measures)]
pub struct Measure {
    pub code: String,
    pub title: String,
    pub topic: String,
    /// `high` (higher is better), `low` or `none`.
    pub polarity: String,
    pub unit: String,
    /// Decimal places to show, when the dictionary says.
    pub dps: Option<i32>,
    pub year_type: String,
    /// False where the dictionary says the measure is not banded in quartiles.
    pub quartiles: bool,
    pub description: String,
    pub methodology: String,
    pub source: String,
    pub last_update: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_areas)]
pub struct Area {
    /// DfE's three-digit code (authorities, regions and England all have one).
    pub code: String,
    /// `authority`, `region` or `england`.
    pub kind: String,
    pub name: String,
    /// An authority's region (the code of its region's area).
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_values)]
pub struct Value {
    pub measure: String,
    pub area: String,
    /// The period as published (`2023-24 (OT)`), shown as it is.
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// `financial`, `academic`, `calendar` or `rolling` (three years).
    pub period_kind: String,
    /// `final`, `provisional`, `revised` or `outturn`.
    pub period_status: String,
    /// None where DfE published `-`.
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_neighbours)]
pub struct Neighbour {
    /// The edition of the groups (`2025-05`).
    pub edition: String,
    pub area: String,
    /// 1 is the nearest.
    pub rank: i32,
    pub neighbour: String,
    pub closeness: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = ref_geography)]
pub struct Place {
    pub ons_code: String,
    pub dfe_code: Option<String>,
    pub name: String,
    pub region_ons_code: Option<String>,
    pub status: String,
}

/// The release of a source last imported.
pub fn release(conn: &mut DbConnection, source: &str) -> DbResult<Option<Release>> {
    Ok(ref_releases::table.find(source).select(Release::as_select()).first(conn).optional()?)
}

fn record_release(conn: &mut DbConnection, release: &Release) -> DbResult<()> {
    diesel::delete(ref_releases::table.find(&release.source)).execute(conn)?;
    diesel::insert_into(ref_releases::table).values(release).execute(conn)?;
    Ok(())
}

/// Replaces the LAIT data with a release's, in one transaction. False (and nothing changed)
/// when the release imported last had the same files.
pub fn replace_lait(
    conn: &mut DbConnection,
    release: &Release,
    measures: &[Measure],
    areas: &[Area],
    values: &[Value],
    neighbours: &[Neighbour],
) -> DbResult<bool> {
    conn.transaction(|conn| {
        if self::release(conn, "lait")?.is_some_and(|r| r.sha256 == release.sha256) {
            return Ok(false);
        }
        diesel::delete(ref_neighbours::table).execute(conn)?;
        diesel::delete(ref_values::table).execute(conn)?;
        diesel::delete(ref_measures::table).execute(conn)?;
        diesel::delete(ref_areas::table).execute(conn)?;
        insert_all!(conn, ref_measures::table, measures);
        insert_all!(conn, ref_areas::table, areas);
        insert_all!(conn, ref_values::table, values);
        insert_all!(conn, ref_neighbours::table, neighbours);
        record_release(conn, release)?;
        Ok(true)
    })
}

/// Replaces the geography with a release's, in one transaction; false when unchanged.
pub fn replace_geography(conn: &mut DbConnection, release: &Release, places: &[Place]) -> DbResult<bool> {
    conn.transaction(|conn| {
        if self::release(conn, "geography")?.is_some_and(|r| r.sha256 == release.sha256) {
            return Ok(false);
        }
        diesel::delete(ref_geography::table).execute(conn)?;
        insert_all!(conn, ref_geography::table, places);
        record_release(conn, release)?;
        Ok(true)
    })
}

/// The DfE code of a council by its ONS code, once the geography is imported.
pub fn dfe_code_of(conn: &mut DbConnection, ons_code: &str) -> DbResult<Option<String>> {
    Ok(ref_geography::table
        .find(ons_code)
        .select(ref_geography::dfe_code)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// A measure's published values for every area, oldest period first.
pub fn values_of(conn: &mut DbConnection, measure: &str) -> DbResult<Vec<Value>> {
    Ok(ref_values::table
        .filter(ref_values::measure.eq(measure))
        .order((ref_values::period_end.asc(), ref_values::period.asc(), ref_values::area.asc()))
        .select(Value::as_select())
        .load(conn)?)
}

/// A measure from the dictionary.
pub fn measure(conn: &mut DbConnection, code: &str) -> DbResult<Option<Measure>> {
    Ok(ref_measures::table.find(code).select(Measure::as_select()).first(conn).optional()?)
}

/// Every area.
pub fn areas(conn: &mut DbConnection) -> DbResult<Vec<Area>> {
    Ok(ref_areas::table.order(ref_areas::code.asc()).select(Area::as_select()).load(conn)?)
}

/// An authority's statistical neighbours in an edition, nearest first.
pub fn neighbours_of(conn: &mut DbConnection, edition: &str, area: &str) -> DbResult<Vec<Neighbour>> {
    Ok(ref_neighbours::table
        .filter(ref_neighbours::edition.eq(edition))
        .filter(ref_neighbours::area.eq(area))
        .order(ref_neighbours::rank.asc())
        .select(Neighbour::as_select())
        .load(conn)?)
}

/// Every measure, by topic and title.
pub fn measures(conn: &mut DbConnection) -> DbResult<Vec<Measure>> {
    Ok(ref_measures::table
        .order((ref_measures::topic.asc(), ref_measures::title.asc()))
        .select(Measure::as_select())
        .load(conn)?)
}

/// Every published value of one area, all measures, oldest period first.
pub fn values_in(conn: &mut DbConnection, area: &str) -> DbResult<Vec<Value>> {
    Ok(ref_values::table
        .filter(ref_values::area.eq(area))
        .order((ref_values::measure.asc(), ref_values::period_end.asc(), ref_values::period.asc()))
        .select(Value::as_select())
        .load(conn)?)
}

/// Every area's value of each measure in one period of it: `periods` holds, for each period
/// label, the measures wanted in it (the scorecard asks for each measure's latest period).
pub fn values_at(conn: &mut DbConnection, periods: &[(String, Vec<String>)]) -> DbResult<Vec<Value>> {
    let mut out = Vec::new();
    // A few labels a statement keeps each statement's expression shallow.
    for chunk in periods.chunks(16) {
        let mut query = ref_values::table.select(Value::as_select()).into_boxed();
        for (label, measures) in chunk {
            query = query.or_filter(ref_values::period.eq(label).and(ref_values::measure.eq_any(measures)));
        }
        out.extend(query.load(conn)?);
    }
    Ok(out)
}
