//! Which reminders fall due on a day: pure, with the day given (never read from a clock), so a
//! tick can be run for any day and tested over months in a moment.
//!
//! For a review that is still open: a reminder at each of the trust's lead times before its due
//! date (28, 14, 7 and 1 days by default), one on the due date, then an escalation 1 and 7
//! working days after it. A day that falls at a weekend or on a bank holiday is reminded on the
//! working day before. Only the latest reminder of each stage that has come is sent (a tick
//! that did not run for a week sends the 7-day reminder, not also the 14-day one), and each is
//! written under a unique key, so nothing is sent twice. For a contract still running: the day
//! its notice period begins (its end less the notice the commissioner set, 6 months unless
//! they said otherwise) and its end date.

use chrono::{Days, Months, NaiveDate};

use crate::working_days;

/// A reminder that falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `review_due_28`, `review_due_today`, `review_overdue_1`, `contract_notice`, ….
    pub kind: String,
    /// The day it is for (reminded on the working day before when that day is not one).
    pub send_on: NaiveDate,
    /// Overdue: the trust's admins are told too, and nobody can turn it off.
    pub escalation: bool,
}

/// The lead times of a trust: whole days before a due date, from 1 to 365, largest first.
pub fn lead_days(text: &str) -> Result<Vec<u32>, String> {
    let mut days = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<u32>() {
            Ok(n) if (1..=365).contains(&n) => days.push(n),
            _ => return Err(format!("{part:?} is not a whole number of days from 1 to 365")),
        }
    }
    if days.is_empty() {
        return Err("give at least one lead time, such as 28, 14, 7, 1".into());
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    Ok(days)
}

/// The reminders of an open review due on `due_on` to send on `today`: at most one of the lead
/// stage, the due date, and the overdue stage each.
pub fn review(due_on: NaiveDate, lead: &[u32], today: NaiveDate) -> Vec<Due> {
    let mut out = Vec::new();
    if today <= due_on {
        // The latest lead time whose day has come (and is before the due date).
        let came = lead
            .iter()
            .map(|n| (n, working_days::on_or_before(due_on - Days::new(u64::from(*n)))))
            .filter(|(_, on)| *on <= today)
            .min_by_key(|(n, _)| **n);
        let due_day = working_days::on_or_before(due_on);
        if today >= due_day {
            out.push(Due { kind: "review_due_today".into(), send_on: due_day, escalation: false });
        } else if let Some((n, on)) = came {
            out.push(Due { kind: format!("review_due_{n}"), send_on: on, escalation: false });
        }
    } else {
        let first = working_days::after(due_on, 1);
        let second = working_days::after(due_on, 7);
        if today >= second {
            out.push(Due { kind: "review_overdue_7".into(), send_on: second, escalation: true });
        } else if today >= first {
            out.push(Due { kind: "review_overdue_1".into(), send_on: first, escalation: true });
        }
    }
    out
}

/// The reminders of a running contract ending on `end` with `notice_months` of notice, to send
/// on `today`: the start of its notice period, then its end date (each while it is the latest).
pub fn contract(end: NaiveDate, notice_months: u32, today: NaiveDate) -> Vec<Due> {
    let notice = end.checked_sub_months(Months::new(notice_months)).unwrap_or(end);
    let notice_day = working_days::on_or_before(notice);
    let end_day = working_days::on_or_before(end);
    if today > end {
        Vec::new()
    } else if today >= end_day {
        vec![Due { kind: "contract_end".into(), send_on: end_day, escalation: false }]
    } else if today >= notice_day && notice_months > 0 {
        vec![Due { kind: "contract_notice".into(), send_on: notice_day, escalation: false }]
    } else {
        Vec::new()
    }
}

/// How far back a tick looks for reviews whose escalations may still be due (7 working days
/// after the due date is at most about 15 calendar days over Christmas).
pub const OVERDUE_WINDOW_DAYS: u64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Every reminder a review gets, with a tick on each day from `from` to `to`, each key once.
    fn over(due: &str, from: &str, to: &str) -> Vec<(String, NaiveDate)> {
        let lead = lead_days("28,14,7,1").unwrap();
        let mut seen: Vec<(String, NaiveDate)> = Vec::new();
        let mut day = d(from);
        while day <= d(to) {
            for r in review(d(due), &lead, day) {
                if !seen.iter().any(|(k, _)| *k == r.kind) {
                    seen.push((r.kind, day));
                }
            }
            day = day + Days::new(1);
        }
        seen
    }

    #[test]
    fn a_review_is_reminded_at_each_lead_time_on_the_day_and_then_escalated() {
        // Due Wednesday 17 June 2026: 28 days before is Wednesday 20 May, 14 days before is
        // Wednesday 3 June, 7 days before Wednesday 10 June, 1 day before Tuesday 16 June; the
        // escalations 1 and 7 working days after are 18 and 26 June.
        let got = over("2026-06-17", "2026-05-01", "2026-07-31");
        let want: Vec<(String, NaiveDate)> = [
            ("review_due_28", "2026-05-20"),
            ("review_due_14", "2026-06-03"),
            ("review_due_7", "2026-06-10"),
            ("review_due_1", "2026-06-16"),
            ("review_due_today", "2026-06-17"),
            ("review_overdue_1", "2026-06-18"),
            ("review_overdue_7", "2026-06-26"),
        ]
        .iter()
        .map(|(k, on)| (k.to_string(), d(on)))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn days_off_move_reminders_to_the_working_day_before() {
        // Due Monday 28 December 2026, a bank holiday (the substitute for Boxing Day): the
        // due-date reminder goes on Thursday 24 December; the 1-day one (Sunday 27) also on the
        // 24th, where the due-date one supersedes it; 7 days before is Monday 21 December.
        let got = over("2026-12-28", "2026-12-01", "2027-01-31");
        let on = |k: &str| got.iter().find(|(kind, _)| kind == k).map(|(_, d)| *d);
        assert_eq!(on("review_due_7"), Some(d("2026-12-21")));
        assert_eq!(on("review_due_today"), Some(d("2026-12-24")));
        assert_eq!(on("review_due_1"), None, "superseded by the due-date reminder on the same day");
        // 1 working day after the 28th is the 29th; 7 working days after is 7 January 2027.
        assert_eq!(on("review_overdue_1"), Some(d("2026-12-29")));
        assert_eq!(on("review_overdue_7"), Some(d("2027-01-07")));
    }

    #[test]
    fn a_tick_that_missed_days_sends_only_the_latest_reminder_of_each_stage() {
        let lead = lead_days("28,14,7,1").unwrap();
        // Nothing ran for three weeks before 11 June 2026; the review is due on the 17th.
        let due = review(d("2026-06-17"), &lead, d("2026-06-11"));
        assert_eq!(due.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(), ["review_due_7"]);
        // Long overdue: the 7-day escalation only, once.
        let late = review(d("2026-06-17"), &lead, d("2026-07-30"));
        assert_eq!(late.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(), ["review_overdue_7"]);
    }

    #[test]
    fn a_contract_is_reminded_when_its_notice_begins_and_when_it_ends() {
        // Ends Wednesday 31 March 2027 with 6 months' notice: from Wednesday 30 September 2026.
        assert!(contract(d("2027-03-31"), 6, d("2026-09-29")).is_empty());
        assert_eq!(contract(d("2027-03-31"), 6, d("2026-09-30"))[0].kind, "contract_notice");
        assert_eq!(contract(d("2027-03-31"), 6, d("2027-03-31"))[0].kind, "contract_end");
        assert!(contract(d("2027-03-31"), 6, d("2027-04-01")).is_empty());
        assert!(contract(d("2027-03-31"), 0, d("2027-01-01")).is_empty(), "no notice asked for");
    }

    #[test]
    fn lead_times_are_read_as_a_trust_admin_writes_them() {
        assert_eq!(lead_days(" 7, 28,14 ,1,7").unwrap(), [28, 14, 7, 1]);
        assert!(lead_days("").is_err());
        assert!(lead_days("0").is_err());
        assert!(lead_days("28, two").unwrap_err().contains("\"two\""));
    }
}
