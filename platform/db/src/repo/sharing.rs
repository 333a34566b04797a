//! A trust's local indicator values shared with the other trusts that share the same indicator:
//! the indicators it shares, and the cells it publishes of them after disclosure control. Only
//! `shared_cells` leaves a trust; opting out deletes its cells in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::ids::TenantId;
use crate::schema::{indicator_shares, shared_cells, tenants};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = shared_cells)]
pub struct SharedCell {
    pub tenant_id: TenantId,
    pub indicator_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// `total` or `age`.
    pub dimension: String,
    /// The common band (`0-4`), empty for the total.
    pub cell: String,
    /// The count as shown (a number, `c`, `z`, `x`).
    pub count_shown: String,
    /// The rate as shown (a number, `c`, `z`, `x`, `low`).
    pub rate_shown: String,
    pub count_value: Option<i64>,
    pub rate_value: Option<f64>,
    pub published_at: NaiveDateTime,
}

/// The indicators a trust shares.
pub fn shared_by(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<String>> {
    Ok(indicator_shares::table
        .filter(indicator_shares::tenant_id.eq(tenant))
        .order(indicator_shares::indicator_code.asc())
        .select(indicator_shares::indicator_code)
        .load(conn)?)
}

/// Shares an indicator: records the opt-in and replaces the trust's published cells of it, in
/// the caller's transaction.
pub fn share(
    conn: &mut DbConnection,
    tenant: &TenantId,
    indicator: &str,
    by: &crate::ids::UserId,
    cells: &[SharedCell],
    now: NaiveDateTime,
) -> DbResult<()> {
    let already: i64 = indicator_shares::table
        .filter(indicator_shares::tenant_id.eq(tenant))
        .filter(indicator_shares::indicator_code.eq(indicator))
        .count()
        .get_result(conn)?;
    if already == 0 {
        diesel::insert_into(indicator_shares::table)
            .values((
                indicator_shares::tenant_id.eq(tenant),
                indicator_shares::indicator_code.eq(indicator),
                indicator_shares::shared_by.eq(by),
                indicator_shares::shared_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::delete(
        shared_cells::table
            .filter(shared_cells::tenant_id.eq(tenant))
            .filter(shared_cells::indicator_code.eq(indicator)),
    )
    .execute(conn)?;
    for chunk in cells.chunks(500) {
        match &mut *conn {
            DbConnection::Postgres(pg) => diesel::insert_into(shared_cells::table).values(chunk).execute(pg)?,
            DbConnection::Sqlite(lite) => diesel::insert_into(shared_cells::table).values(chunk).execute(lite)?,
        };
    }
    Ok(())
}

/// Withdraws an indicator: the opt-in and every cell published of it. True when it was shared.
pub fn withdraw(conn: &mut DbConnection, tenant: &TenantId, indicator: &str) -> DbResult<bool> {
    diesel::delete(
        shared_cells::table
            .filter(shared_cells::tenant_id.eq(tenant))
            .filter(shared_cells::indicator_code.eq(indicator)),
    )
    .execute(conn)?;
    let n = diesel::delete(
        indicator_shares::table
            .filter(indicator_shares::tenant_id.eq(tenant))
            .filter(indicator_shares::indicator_code.eq(indicator)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Every published cell of an indicator, with the name of the trust that published it: what a
/// trust that shares the indicator sees (the caller checks that it does; on PostgreSQL row-level
/// security holds it to that too).
pub fn cells_of(conn: &mut DbConnection, indicator: &str) -> DbResult<Vec<(String, SharedCell)>> {
    Ok(shared_cells::table
        .inner_join(tenants::table.on(tenants::id.eq(shared_cells::tenant_id)))
        .filter(shared_cells::indicator_code.eq(indicator))
        .order((
            tenants::name.asc(),
            shared_cells::period_start.asc(),
            shared_cells::dimension.desc(),
            shared_cells::cell.asc(),
        ))
        .select((tenants::name, SharedCell::as_select()))
        .load(conn)?)
}

/// The trusts that have published cells of an indicator (seen only by a trust that shares it).
pub fn sharers(conn: &mut DbConnection, indicator: &str) -> DbResult<Vec<TenantId>> {
    Ok(shared_cells::table
        .filter(shared_cells::indicator_code.eq(indicator))
        .select(shared_cells::tenant_id)
        .distinct()
        .load(conn)?)
}
