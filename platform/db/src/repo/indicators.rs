//! The five outcomes, the shared indicator catalogue and each tenant's indicator values. Values
//! are stored at the finest breakdown given (single year of age, area, sex, group); frameworks
//! band them later.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::TenantId;
use crate::models::{Indicator, IndicatorValue, Outcome, breakdown_key};
use crate::schema::{indicator_values, indicators, outcomes};

/// The five Every Child Matters outcomes, shared by every trust.
pub const OUTCOMES: [(&str, &str); 5] = [
    ("be_healthy", "Be healthy"),
    ("stay_safe", "Stay safe"),
    ("enjoy_and_achieve", "Enjoy and achieve"),
    ("positive_contribution", "Make a positive contribution"),
    ("economic_wellbeing", "Achieve economic well-being"),
];

/// Writes the five outcomes if they are missing; running it again changes nothing.
pub fn ensure_outcomes(conn: &mut DbConnection) -> DbResult<()> {
    for (i, (code, title)) in OUTCOMES.iter().enumerate() {
        let exists: i64 = outcomes::table.filter(outcomes::code.eq(code)).count().get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(outcomes::table)
                .values(&Outcome {
                    code: (*code).to_string(),
                    title: (*title).to_string(),
                    position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                })
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn list_outcomes(conn: &mut DbConnection) -> DbResult<Vec<Outcome>> {
    Ok(outcomes::table.order(outcomes::position.asc()).select(Outcome::as_select()).load(conn)?)
}

/// Adds a catalogue entry if its code is new; an existing code is left as it is.
pub fn ensure_indicator(conn: &mut DbConnection, indicator: &Indicator) -> DbResult<()> {
    validate::text("code", &indicator.code, 60)?;
    validate::name("title", &indicator.title, 300)?;
    let exists: i64 = indicators::table.filter(indicators::code.eq(&indicator.code)).count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(indicators::table).values(indicator).execute(conn)?;
    }
    Ok(())
}

pub fn catalogue(conn: &mut DbConnection) -> DbResult<Vec<Indicator>> {
    Ok(indicators::table.order(indicators::code.asc()).select(Indicator::as_select()).load(conn)?)
}

/// Checks one value before it is stored: numbers finite, counts consistent, breakdown key canonical.
pub fn check_value(v: &IndicatorValue) -> DbResult<()> {
    if !v.value.is_finite() {
        return Err(DbError::invalid("value", "must be a number"));
    }
    if v.period_end < v.period_start {
        return Err(DbError::invalid("period_end", "must not be before the period start"));
    }
    match (v.numerator, v.denominator) {
        (Some(n), Some(d)) if n < 0 || d <= 0 || n > d => {
            return Err(DbError::invalid("numerator", "must be between 0 and the denominator, which must be positive"));
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(DbError::invalid("denominator", "give both numerator and denominator, or neither"));
        }
        _ => {}
    }
    let age = match (v.age_from, v.age_to) {
        (Some(from), Some(to)) => {
            validate::age_range("age", from, to)?;
            Some((from, to))
        }
        (None, None) => None,
        _ => {
            return Err(DbError::invalid("age", "give both ends of an age range, or neither"));
        }
    };
    let key = breakdown_key(age, v.sex, v.area.as_deref(), v.group_name.as_deref());
    if key != v.breakdown_key {
        return Err(DbError::invalid("breakdown_key", format!("must be {key:?} for this breakdown")));
    }
    Ok(())
}

/// Stores a batch of values for one tenant in one transaction: all of them or none.
pub fn insert_values(conn: &mut DbConnection, tenant: &TenantId, values: Vec<IndicatorValue>) -> DbResult<usize> {
    for (i, v) in values.iter().enumerate() {
        check_value(v).map_err(|e| match e {
            DbError::Invalid { field, message } => {
                DbError::Invalid { field, message: format!("row {}: {message}", i + 1) }
            }
            other => other,
        })?;
    }
    conn.transaction(|conn| {
        let mut n = 0;
        for mut v in values {
            v.tenant_id = tenant.clone();
            n += diesel::insert_into(indicator_values::table).values(&v).execute(conn)?;
        }
        Ok(n)
    })
}

/// One indicator's series for a tenant and one breakdown ("" for the whole population).
pub fn series(
    conn: &mut DbConnection,
    tenant: &TenantId,
    indicator: &str,
    breakdown: &str,
) -> DbResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::tenant_id.eq(tenant))
        .filter(indicator_values::indicator_code.eq(indicator))
        .filter(indicator_values::breakdown_key.eq(breakdown))
        .order(indicator_values::period_start.asc())
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// Every value of one period for a tenant and indicator, all breakdowns.
pub fn period_values(
    conn: &mut DbConnection,
    tenant: &TenantId,
    indicator: &str,
    period_start: NaiveDate,
) -> DbResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::tenant_id.eq(tenant))
        .filter(indicator_values::indicator_code.eq(indicator))
        .filter(indicator_values::period_start.eq(period_start))
        .order(indicator_values::breakdown_key.asc())
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

pub fn count_values(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<i64> {
    Ok(indicator_values::table.filter(indicator_values::tenant_id.eq(tenant)).count().get_result(conn)?)
}

/// Every value of one indicator for a tenant, all periods and breakdowns.
pub fn values_of(conn: &mut DbConnection, tenant: &TenantId, indicator: &str) -> DbResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::tenant_id.eq(tenant))
        .filter(indicator_values::indicator_code.eq(indicator))
        .order((indicator_values::period_start.asc(), indicator_values::breakdown_key.asc()))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}
