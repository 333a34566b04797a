//! Working days in England and Wales: Monday to Friday, except bank holidays (computed by the
//! `bankholidays` crate, which knows the one-off days such as 19 September 2022 and 8 May 2023,
//! and the substitute days when a holiday falls at a weekend).

use chrono::{Datelike, Days, NaiveDate, Weekday};

pub fn is_bank_holiday(d: NaiveDate) -> bool {
    bankholidays::uk::is_bankholiday(&d)
}

pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_bank_holiday(d)
}

/// The day itself if it is a working day, else the working day before it.
pub fn on_or_before(mut d: NaiveDate) -> NaiveDate {
    while !is_working_day(d) {
        d = d - Days::new(1);
    }
    d
}

/// `n` working days after `d` (counting only working days; `d` itself is not counted).
pub fn after(mut d: NaiveDate, n: u32) -> NaiveDate {
    let mut left = n;
    while left > 0 {
        d = d + Days::new(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The bank holidays in England and Wales as GOV.UK publishes them for 2025, 2026 and 2027.
    const PUBLISHED: &[&str] = &[
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
    ];

    #[test]
    fn the_published_bank_holidays_of_2025_to_2027_and_no_other_day() {
        let mut day = d("2025-01-01");
        while day <= d("2027-12-31") {
            let published = PUBLISHED.contains(&day.to_string().as_str());
            assert_eq!(is_bank_holiday(day), published, "{day}");
            day = day + Days::new(1);
        }
    }

    #[test]
    fn the_one_off_and_moved_days_of_recent_years() {
        // The Queen's funeral, the coronation, the platinum jubilee (with the spring holiday
        // moved to 2 June), and VE Day's 75th anniversary (the early May holiday moved to 8 May).
        for day in ["2022-09-19", "2023-05-08", "2022-06-02", "2022-06-03", "2020-05-08"] {
            assert!(is_bank_holiday(d(day)), "{day}");
        }
        for day in ["2022-05-30", "2020-05-04"] {
            assert!(!is_bank_holiday(d(day)), "{day}");
        }
    }

    #[test]
    fn due_dates_move_to_the_working_day_before_and_working_days_skip_holidays() {
        // Christmas 2026 is a Friday and Boxing Day a Saturday: the substitute Monday is off.
        assert_eq!(on_or_before(d("2026-12-28")), d("2026-12-24"));
        assert_eq!(on_or_before(d("2026-12-27")), d("2026-12-24"));
        assert_eq!(on_or_before(d("2026-12-23")), d("2026-12-23"));
        // 1 working day after Christmas Eve 2026 is 29 December; 7 after is 6 January 2027.
        assert_eq!(after(d("2026-12-24"), 1), d("2026-12-29"));
        assert_eq!(after(d("2026-12-24"), 7), d("2027-01-07"));
        // Over Easter 2027 (Good Friday 26 March, Easter Monday 29 March).
        assert_eq!(after(d("2027-03-25"), 1), d("2027-03-30"));
        assert_eq!(after(d("2027-03-25"), 0), d("2027-03-25"));
    }
}
