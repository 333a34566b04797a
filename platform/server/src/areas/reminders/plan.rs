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
    /// The day it is sent (the working day on or before the day it is for).
    pub send_on: NaiveDate,
    /// The date that is due: the review's due date, the contract's end, the notice's deadline.
    pub due_on: NaiveDate,
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
            out.push(Due { kind: "review_due_today".into(), send_on: due_day, due_on, escalation: false });
        } else if let Some((n, on)) = came {
            out.push(Due { kind: format!("review_due_{n}"), send_on: on, due_on, escalation: false });
        }
    } else {
        let first = working_days::after(due_on, 1);
        let second = working_days::after(due_on, 7);
        if today >= second {
            out.push(Due { kind: "review_overdue_7".into(), send_on: second, due_on, escalation: true });
        } else if today >= first {
            out.push(Due { kind: "review_overdue_1".into(), send_on: first, due_on, escalation: true });
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
        vec![Due { kind: "contract_end".into(), send_on: end_day, due_on: end, escalation: false }]
    } else if today >= notice_day && notice_months > 0 {
        vec![Due { kind: "contract_notice".into(), send_on: notice_day, due_on: end, escalation: false }]
    } else {
        Vec::new()
    }
}

/// The Procurement Act 2023 notices the platform reminds, with the section that asks for each.
pub const ACT_NOTICES: [(&str, &str, &str); 4] = [
    ("pa_contract_details", "contract details notice", "section 53"),
    ("pa_performance", "KPI assessment and contract performance notice", "sections 52 and 71"),
    ("pa_termination", "contract termination notice", "section 80"),
    ("pa_payments", "payments compliance notice", "section 69"),
];

/// A contract above this value (£5 million, in pence) that is not light touch has its KPIs
/// assessed and a contract performance notice published at least every 12 months.
pub const PERFORMANCE_THRESHOLD_PENCE: i64 = 500_000_000;

/// How a contract stands under the Procurement Act 2023.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActContract {
    pub light_touch: bool,
    pub value_pence: i64,
    /// The day the contract was entered into.
    pub signed_on: NaiveDate,
    pub start: NaiveDate,
    /// Its last day (the termination's effective day, when terminated).
    pub end: NaiveDate,
}

impl ActContract {
    /// A contract's standing under the Act from what the platform stores: its regime and the day
    /// it was entered into (its start date when not given).
    pub fn of(contract: &platform_db::models::Contract, regime: &str, signed_on: Option<NaiveDate>) -> ActContract {
        ActContract {
            light_touch: regime == "light_touch",
            value_pence: contract.value_pence,
            signed_on: signed_on.unwrap_or(contract.start_date),
            start: contract.start_date,
            end: contract.end_date,
        }
    }
}

/// The stages of one statutory deadline: when its window opens (the first working day from
/// then), a week before it, and on its last day (the working day on or before it).
/// The latest stage that has come is sent, and nothing after the deadline.
fn deadline(kind: &str, opens: NaiveDate, deadline: NaiveDate, today: NaiveDate) -> Option<Due> {
    let last = working_days::on_or_before(deadline);
    // A window cannot be reminded before it opens: a weekend's opening on the next working day.
    let open_day = working_days::after(opens - Days::new(1), 1).min(last);
    if today < open_day || today > deadline {
        return None;
    }
    let week = working_days::on_or_before(deadline - Days::new(7));
    let due =
        |stage: &str, send_on| Due { kind: format!("{kind}_{stage}"), send_on, due_on: deadline, escalation: false };
    if today >= last {
        Some(due("due", last))
    } else if today >= week && week > open_day {
        Some(due("7", week))
    } else {
        Some(due("open", open_day))
    }
}

/// The Procurement Act 2023 deadlines of a covered contract, each as (notice, the day its
/// reminders begin, the deadline):
/// - the contract details notice within 30 days of the day it was entered into, that day being
///   the first (120 days for a light touch contract) (section 53);
/// - for a contract over £5 million that is not light touch, its KPIs assessed at least every
///   12 months (on each anniversary of its start while it runs, reminded 4 weeks before) and a
///   contract performance notice published within 30 days of the assessment (sections 52, 71);
/// - the contract termination notice within 30 days of its end, by expiry or termination
///   (section 80).
pub fn act_deadlines(c: &ActContract) -> Vec<(&'static str, NaiveDate, NaiveDate)> {
    let window = if c.light_touch { 120 } else { 30 };
    let mut out = vec![("pa_contract_details", c.signed_on, c.signed_on + Days::new(window - 1))];
    if !c.light_touch && c.value_pence > PERFORMANCE_THRESHOLD_PENCE {
        let mut year = 1;
        while let Some(anniversary) = c.start.checked_add_months(Months::new(12 * year)) {
            if anniversary > c.end {
                break;
            }
            out.push(("pa_performance", anniversary - Days::new(28), anniversary + Days::new(30)));
            year += 1;
        }
    }
    out.push(("pa_termination", c.end + Days::new(1), c.end + Days::new(30)));
    out
}

/// The Procurement Act 2023 reminders of a covered contract on `today` (see [`act_deadlines`]).
pub fn act_contract(c: &ActContract, today: NaiveDate) -> Vec<Due> {
    act_deadlines(c).into_iter().filter_map(|(code, opens, due)| deadline(code, opens, due, today)).collect()
}

/// The payments compliance notice (section 69) for each six-month period to 31 March and to 30
/// September, within 30 days after it: the period whose deadline has reminders on `today`, with
/// the period's first and last days.
pub fn act_payments(today: NaiveDate) -> Option<(NaiveDate, NaiveDate, Due)> {
    use chrono::Datelike;
    let year = today.year();
    // The periods that ended most recently (the latest first).
    let ends = [
        NaiveDate::from_ymd_opt(year, 9, 30),
        NaiveDate::from_ymd_opt(year, 3, 31),
        NaiveDate::from_ymd_opt(year - 1, 9, 30),
    ];
    let end = ends.into_iter().flatten().find(|e| *e < today)?;
    let first = if end.month() == 3 {
        NaiveDate::from_ymd_opt(end.year() - 1, 10, 1)?
    } else {
        NaiveDate::from_ymd_opt(end.year(), 4, 1)?
    };
    let due = deadline("pa_payments", end + Days::new(1), end + Days::new(30), today)?;
    Some((first, end, due))
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

    fn act(light_touch: bool, value_pounds: i64, signed: &str, start: &str, end: &str) -> ActContract {
        ActContract { light_touch, value_pence: value_pounds * 100, signed_on: d(signed), start: d(start), end: d(end) }
    }

    /// Every Procurement Act reminder of a contract with a tick each day, each kind once.
    fn act_over(c: &ActContract, from: &str, to: &str) -> Vec<(String, NaiveDate, NaiveDate)> {
        let mut seen: Vec<(String, NaiveDate, NaiveDate)> = Vec::new();
        let mut day = d(from);
        while day <= d(to) {
            for r in act_contract(c, day) {
                if !seen.iter().any(|(k, _, due)| *k == r.kind && *due == r.due_on) {
                    seen.push((r.kind, r.send_on, r.due_on));
                }
            }
            day = day + Days::new(1);
        }
        seen
    }

    #[test]
    fn the_contract_details_notice_is_due_within_30_days_of_signing_or_120_for_light_touch() {
        // Section 53: 30 days beginning with the day the contract is entered into. Signed on
        // Monday 1 June 2026: the 30th day is Tuesday 30 June.
        let standard = act(false, 100_000, "2026-06-01", "2026-07-01", "2027-06-30");
        let got = act_over(&standard, "2026-05-01", "2026-08-31");
        let details: Vec<_> = got.iter().filter(|(k, _, _)| k.starts_with("pa_contract_details")).collect();
        assert_eq!(
            details.iter().map(|(k, on, due)| (k.as_str(), *on, *due)).collect::<Vec<_>>(),
            [
                ("pa_contract_details_open", d("2026-06-01"), d("2026-06-30")),
                ("pa_contract_details_7", d("2026-06-23"), d("2026-06-30")),
                ("pa_contract_details_due", d("2026-06-30"), d("2026-06-30")),
            ]
        );
        // Light touch (most children's social care): 120 days, the 120th being 28 September.
        let light = act(true, 100_000, "2026-06-01", "2026-07-01", "2027-06-30");
        let due = act_over(&light, "2026-05-01", "2026-12-31");
        assert!(due.iter().any(|(k, _, on)| k == "pa_contract_details_due" && *on == d("2026-09-28")));
        // A deadline on a Saturday (signed Friday 3 July 2026: day 30 is Saturday 1 August) is
        // reminded on Friday 31 July.
        let weekend = act(false, 100_000, "2026-07-03", "2026-07-03", "2027-07-02");
        let got = act_over(&weekend, "2026-07-01", "2026-08-31");
        assert!(got.contains(&("pa_contract_details_due".into(), d("2026-07-31"), d("2026-08-01"))));
    }

    #[test]
    fn contracts_over_five_million_not_light_touch_are_assessed_every_twelve_months() {
        // Sections 52 and 71: a £6m standard contract from 1 April 2026 to 31 March 2029 is
        // assessed on 1 April 2027 and 1 April 2028, each notice 30 days after.
        let big = act(false, 6_000_000, "2026-03-20", "2026-04-01", "2029-03-31");
        let got = act_over(&big, "2026-04-01", "2029-06-30");
        let dues: Vec<NaiveDate> =
            got.iter().filter(|(k, _, _)| k == "pa_performance_due").map(|(_, _, due)| *due).collect();
        assert_eq!(dues, [d("2027-05-01"), d("2028-05-01")]);
        assert!(got.iter().any(|(k, on, _)| k == "pa_performance_open" && *on == d("2027-03-04")));
        // £5m exactly, or light touch at any value: none.
        for c in [
            act(false, 5_000_000, "2026-03-20", "2026-04-01", "2029-03-31"),
            act(true, 9_000_000, "2026-03-20", "2026-04-01", "2029-03-31"),
        ] {
            assert!(act_over(&c, "2026-04-01", "2029-06-30").iter().all(|(k, _, _)| !k.starts_with("pa_performance")));
        }
    }

    #[test]
    fn a_termination_notice_is_due_within_30_days_after_the_contract_ends() {
        // Section 80: ends Wednesday 31 March 2027; the notice by Friday 30 April 2027.
        let c = act(true, 100_000, "2026-03-01", "2026-04-01", "2027-03-31");
        let got = act_over(&c, "2027-03-01", "2027-06-30");
        let term: Vec<_> = got.iter().filter(|(k, _, _)| k.starts_with("pa_termination")).collect();
        assert_eq!(term.first().map(|(k, on, _)| (k.as_str(), *on)), Some(("pa_termination_open", d("2027-04-01"))));
        assert_eq!(
            term.last().map(|(k, on, due)| (k.as_str(), *on, *due)),
            Some(("pa_termination_due", d("2027-04-30"), d("2027-04-30")))
        );
        assert!(act_contract(&c, d("2027-05-01")).is_empty(), "nothing after the deadline");
    }

    #[test]
    fn the_payments_compliance_notice_follows_each_half_year_to_march_and_september() {
        // Section 69: the period 1 October 2026 to 31 March 2027, its notice by 30 April 2027.
        let (first, last, due) = act_payments(d("2027-04-01")).unwrap();
        assert_eq!((first, last), (d("2026-10-01"), d("2027-03-31")));
        assert_eq!((due.kind.as_str(), due.due_on), ("pa_payments_open", d("2027-04-30")));
        // 1 April to 30 September 2027, by 30 October 2027 (a Saturday: reminded on Friday 29th).
        let (first, _, due) = act_payments(d("2027-10-29")).unwrap();
        assert_eq!(first, d("2027-04-01"));
        assert_eq!((due.kind.as_str(), due.send_on, due.due_on), ("pa_payments_due", d("2027-10-29"), d("2027-10-30")));
        assert!(act_payments(d("2027-06-15")).is_none(), "no deadline near in June");
        // January looks back to the September before.
        assert!(act_payments(d("2027-01-10")).is_none());
        assert_eq!(act_payments(d("2026-10-20")).unwrap().1, d("2026-09-30"));
    }

    #[test]
    fn lead_times_are_read_as_a_trust_admin_writes_them() {
        assert_eq!(lead_days(" 7, 28,14 ,1,7").unwrap(), [28, 14, 7, 1]);
        assert!(lead_days("").is_err());
        assert!(lead_days("0").is_err());
        assert!(lead_days("28, two").unwrap_err().contains("\"two\""));
    }
}
