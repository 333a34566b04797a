//! Reminders through the real binary, on both backends, with mail delivered to a real SMTP server
//! (aiosmtpd) on PostgreSQL and to the outbox folder on SQLite: `platform reminders run-once
//! --today D` for every day of two months of the demo data's reviews and contracts. Every
//! reminder arrives once (a second run on the same day queues nothing, and no Message-ID is
//! delivered twice), says what is due in words, is marked as automatic, escalates overdue
//! reviews to the trust's admins, and nothing new falls due on a weekend or a bank holiday.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;
use platform_db::schema::mail_outbox;

use crate::accounts::Deployment;
use crate::support::{both_backends, messages, today};

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

both_backends! {
    fn each_reminder_is_sent_once_over_two_months_of_ticks(db) {
        let d = Deployment::start(&db, true, &[]);
        let start = today();
        let mut queued_per_day = BTreeMap::new();
        let mut day = start;
        while day < start + Days::new(60) {
            let run = d.cli(&["reminders", "run-once", "--today", &day.to_string()]);
            assert_eq!(run.code, Some(0), "{day}: {}{}", run.stdout, run.stderr);
            let queued: usize = run.stdout.split("trusts, ").nth(1).and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{}", run.stdout));
            assert!(run.stdout.contains(" 0 failed"), "{day}: {}", run.stdout);
            queued_per_day.insert(day, queued);
            // The same day again (another replica, a restart): nothing new.
            if day.day().is_multiple_of(10) {
                let again = d.cli(&["reminders", "run-once", "--today", &day.to_string()]);
                assert!(again.stdout.contains(": 5 trusts, 0 reminders queued"), "{day}: {}", again.stdout);
            }
            day = day + Days::new(1);
        }
        let total: usize = queued_per_day.values().sum();
        assert!(total > 100, "the demo data's reviews and contracts fall due: {queued_per_day:?}");

        // Delivered once each, by Message-ID; automatic; saying what is due in words.
        let delivered = messages(&d.mail);
        let reminders: Vec<&String> = delivered.iter().filter(|m| header(m, "Auto-Submitted") == Some("auto-generated")).collect();
        assert_eq!(reminders.len(), total, "every queued reminder was delivered");
        let mut ids = BTreeMap::new();
        for m in &reminders {
            *ids.entry(header(m, "Message-ID").unwrap().to_string()).or_insert(0) += 1;
        }
        let twice: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "delivered twice: {twice:?}");
        assert!(reminders.iter().any(|m| m.contains("Review due in 28 days")), "a 28-day reminder");
        assert!(reminders.iter().any(|m| m.contains("Review due tomorrow")), "a 1-day reminder");
        assert!(reminders.iter().any(|m| m.contains("Review overdue")), "an escalation");
        // Overdue reviews are escalated to the trust's admins, who are told why.
        assert!(reminders.iter().any(|m| m.contains("To: admin@durham.example") && m.contains("escalated to you")));

        // After the first day, nothing new falls due on a day that is not a working day: what
        // those days would have reminded was reminded on the working day before.
        let mut conn = db.conn();
        let created: Vec<NaiveDateTime> =
            mail_outbox::table.filter(mail_outbox::kind.is_not_null()).select(mail_outbox::created_at).load(&mut conn).unwrap();
        assert_eq!(created.len(), total);
        let holidays = ["2026-12-25", "2026-12-28", "2027-01-01"].map(|s| s.parse::<NaiveDate>().unwrap());
        for at in created {
            let day = at.date();
            if day == start {
                continue; // the first tick catches up with what fell due before it, whatever the day
            }
            assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "queued on a weekend: {day}");
            assert!(!holidays.contains(&day), "queued on a bank holiday: {day}");
        }
    }
}
