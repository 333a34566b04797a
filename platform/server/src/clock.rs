//! The edge where the wall clock is read. Everything else takes `today` or `now` as an argument.

use chrono::{NaiveDate, NaiveDateTime, Timelike};

/// Now, in UTC, to the whole second: both backends store and return exactly this.
#[allow(clippy::disallowed_methods)]
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(0).unwrap_or(now)
}

pub fn today() -> NaiveDate {
    now().date()
}
