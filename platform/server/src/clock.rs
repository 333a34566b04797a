//! The edge where the wall clock is read. Everything else takes `today` or `now` as an argument.

use chrono::{NaiveDate, NaiveDateTime};

#[allow(clippy::disallowed_methods)]
pub fn now() -> NaiveDateTime {
    // Whole seconds: both backends store and return exactly this.
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond_zero()
}

pub fn today() -> NaiveDate {
    now().date()
}

trait ZeroNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl ZeroNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}
