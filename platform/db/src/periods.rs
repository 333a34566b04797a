//! A contract KPI's reporting periods: from the contract's start, one month, three months or a
//! year at a time (each counted from the start, so month ends do not drift), the last cut at the
//! contract's end. A monitoring return is for one of these periods; a period that ended more
//! than the grace days ago with no return is missing.

use chrono::{Days, Months, NaiveDate};

use crate::models::Frequency;

/// Days after a period's end within which its return is on time.
pub const GRACE_DAYS: u64 = 30;

fn months(f: Frequency) -> u32 {
    match f {
        Frequency::Monthly => 1,
        Frequency::Quarterly => 3,
        Frequency::Annual => 12,
    }
}

/// Every period of a contract from `start` to `end` (inclusive), in order.
pub fn periods(start: NaiveDate, end: NaiveDate, frequency: Frequency) -> Vec<(NaiveDate, NaiveDate)> {
    let step = months(frequency);
    let mut out = Vec::new();
    for k in 0u32.. {
        let Some(from) = start.checked_add_months(Months::new(step * k)) else { break };
        if from > end || out.len() > 1200 {
            break;
        }
        let next = start.checked_add_months(Months::new(step * (k + 1))).unwrap_or(end);
        let to = (next - Days::new(1)).min(end);
        out.push((from, to));
    }
    out
}

/// The period that starts on `day`, if one does.
pub fn period_starting(
    start: NaiveDate,
    end: NaiveDate,
    frequency: Frequency,
    day: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    periods(start, end, frequency).into_iter().find(|(from, _)| *from == day)
}

/// Whether a period's return is due by now (its end plus the grace days has passed).
pub fn due_by(period_end: NaiveDate, today: NaiveDate) -> bool {
    period_end + Days::new(GRACE_DAYS) < today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_count_from_the_start_and_month_ends_do_not_drift() {
        let q = periods(d("2026-01-31"), d("2026-12-31"), Frequency::Quarterly);
        assert_eq!(
            q,
            [
                (d("2026-01-31"), d("2026-04-29")),
                (d("2026-04-30"), d("2026-07-30")),
                (d("2026-07-31"), d("2026-10-30")),
                (d("2026-10-31"), d("2026-12-31")),
            ]
        );
        let m = periods(d("2026-01-31"), d("2026-04-30"), Frequency::Monthly);
        assert_eq!(
            m.iter().map(|p| p.0).collect::<Vec<_>>(),
            [d("2026-01-31"), d("2026-02-28"), d("2026-03-31"), d("2026-04-30")]
        );
    }

    #[test]
    fn a_return_fits_only_a_period_that_starts_on_its_day() {
        let (s, e) = (d("2026-04-01"), d("2029-03-31"));
        assert_eq!(period_starting(s, e, Frequency::Annual, d("2027-04-01")), Some((d("2027-04-01"), d("2028-03-31"))));
        assert_eq!(period_starting(s, e, Frequency::Annual, d("2027-05-01")), None);
        assert_eq!(period_starting(s, e, Frequency::Quarterly, d("2030-04-01")), None);
        assert!(due_by(d("2026-06-30"), d("2026-08-01")) && !due_by(d("2026-06-30"), d("2026-07-30")));
    }
}
