//! Reminders through the real binary, on both backends, with mail delivered to a real SMTP server
//! (aiosmtpd) on PostgreSQL and to the outbox folder on SQLite: `platform reminders run-once
//! --today D` for every day of 120 days of the demo data's reviews and contracts. Every
//! reminder arrives once (a second run on the same day queues nothing, and no Message-ID is
//! delivered twice), says what is due in words, is marked as automatic, escalates overdue
//! reviews to the trust's admins, and nothing new falls due on a weekend or a bank holiday.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;
use platform_db::schema::mail_outbox;

use crate::accounts::Deployment;
use crate::support::{both_backends, messages, run_platform, today};

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

both_backends! {
    fn each_reminder_is_sent_once_over_120_days_of_ticks(db) {
        let d = Deployment::start(&db, true, &[]);
        let start = today();
        let mut queued_per_day = BTreeMap::new();
        let mut day = start;
        while day < start + Days::new(120) {
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

/// The fault-injecting SMTP server (`tests/e2e/smtp_faults.py`), stopped when dropped.
struct FaultySmtp {
    child: std::process::Child,
}

impl FaultySmtp {
    fn start(port: u16, maildir: &std::path::Path, fail_rate: f64, refuse: &[&str]) -> FaultySmtp {
        FaultySmtp::slow(port, maildir, fail_rate, refuse, 0)
    }

    /// A server that takes `delay_ms` to accept each message.
    fn slow(port: u16, maildir: &std::path::Path, fail_rate: f64, refuse: &[&str], delay_ms: u32) -> FaultySmtp {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/smtp_faults.py");
        let child = std::process::Command::new("python3")
            .arg(script)
            .args(["--port", &port.to_string(), "--maildir"])
            .arg(maildir)
            .args([
                "--fail-rate",
                &fail_rate.to_string(),
                "--seed",
                "7",
                "--delay-ms",
                &delay_ms.to_string(),
                "--refuse",
            ])
            .args(refuse)
            .spawn()
            .expect("aiosmtpd is needed (tests/setup.sh installs it)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the SMTP server did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        FaultySmtp { child }
    }
}

impl Drop for FaultySmtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The figures `reminders run-once` printed: (queued, sent, to try again, failed).
fn figures(stdout: &str) -> (usize, usize, usize, usize) {
    let number_before = |text: &str, marker: &str| -> usize {
        let at = text.find(marker).unwrap_or_else(|| panic!("no {marker:?} in {text}"));
        text[..at].rsplit(' ').find(|w| !w.is_empty()).unwrap().parse().unwrap()
    };
    (
        number_before(stdout, " reminders queued"),
        number_before(stdout, " sent,"),
        number_before(stdout, " to try again"),
        number_before(stdout, " failed"),
    )
}

both_backends! {
    fn reminders_arrive_once_through_an_smtp_server_that_is_down_then_flaky_and_refuses_one_address(db) {
        let dir = db.dir.path();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let env = [("DATABASE_URL", db.url.as_str()), ("SMTP_URL", smtp_url.as_str())];
        let seeded = run_platform(dir, &env, &["seed", "--demo"]);
        assert_eq!(seeded.code, Some(0), "{}", seeded.stderr);
        let day = today();
        let at = |minutes: i64| (day.and_hms_opt(6, 0, 0).unwrap() + chrono::Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M:%S").to_string();
        let run = |minutes: i64| {
            let r = run_platform(dir, &env, &["reminders", "run-once", "--at", &at(minutes)]);
            assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
            figures(&r.stdout)
        };

        // The server is down: everything is queued, nothing is lost, all of it waits to be tried again.
        let (queued, sent, again, failed) = run(0);
        assert!(queued > 50, "the demo data's reminders: {queued}");
        assert_eq!((sent, again, failed), (0, queued, 0));

        // It comes back an hour later, answering 451 to about a third of messages and 550 to one address.
        let maildir = dir.join("maildir");
        let refused = "commissioner@kent.example";
        let _smtp = FaultySmtp::start(port, &maildir, 0.3, &[refused]);
        let (mut total_sent, mut total_failed) = (0, 0);
        for step in 1..=12 {
            let (q, s, _, f) = run(60 + 75 * step);
            assert_eq!(q, 0, "a later tick on the same day queues nothing new");
            total_sent += s;
            total_failed += f;
        }
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        let to_refused: i64 = o::mail_outbox.filter(o::to_address.eq(refused)).count().get_result(&mut conn).unwrap();
        assert!(to_refused > 0);
        let pending: i64 = o::mail_outbox.filter(o::status.eq("pending")).count().get_result(&mut conn).unwrap();
        assert_eq!(pending, 0, "nothing is left waiting");
        assert_eq!(total_failed as i64, to_refused, "only the refused address failed");
        assert_eq!(total_sent + total_failed, queued);
        let reasons: Vec<Option<String>> =
            o::mail_outbox.filter(o::status.eq("failed")).select(o::last_error).load(&mut conn).unwrap();
        assert!(reasons.iter().all(|r| r.as_deref().is_some_and(|r| r.contains("550"))), "{reasons:?}");

        // Each message arrived once, by its Message-ID, whatever the retries.
        let delivered = messages(&maildir.join("new"));
        assert_eq!(delivered.len(), total_sent);
        let mut ids = BTreeMap::new();
        for m in &delivered {
            *ids.entry(header(m, "Message-ID").unwrap().to_string()).or_insert(0) += 1;
        }
        assert!(ids.values().all(|n| *n == 1), "a message arrived twice");
        assert!(delivered.iter().all(|m| !m.contains(&format!("To: {refused}"))));
    }
}

both_backends! {
    fn three_processes_ticking_and_dispatching_at_once_send_each_reminder_once(db) {
        let dir = db.dir.path();
        let seeded = run_platform(dir, &[("DATABASE_URL", db.url.as_str())], &["seed", "--demo"]);
        assert_eq!(seeded.code, Some(0), "{}", seeded.stderr);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = dir.join("maildir");
        let _smtp = FaultySmtp::start(port, &maildir, 0.0, &[]);
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let at = today().and_hms_opt(9, 0, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string();
        let children: Vec<_> = (0..3)
            .map(|_| {
                crate::support::platform_cmd(dir, &[("DATABASE_URL", db.url.as_str()), ("SMTP_URL", smtp_url.as_str())])
                    .args(["reminders", "run-once", "--at", &at])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut queued = 0;
        let mut sent = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
            let (q, s, again, failed) = figures(&stdout);
            assert_eq!((again, failed), (0, 0), "{stdout}");
            queued += q;
            sent += s;
        }
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        let rows: i64 = o::mail_outbox.filter(o::kind.is_not_null()).count().get_result(&mut conn).unwrap();
        assert_eq!(queued as i64, rows, "together the three queued each reminder once");
        assert_eq!(sent as i64, rows, "together the three sent each reminder once");
        let delivered = messages(&maildir.join("new"));
        assert_eq!(delivered.len() as i64, rows);
        let mut ids = BTreeMap::new();
        for m in &delivered {
            *ids.entry(header(m, "Message-ID").unwrap().to_string()).or_insert(0) += 1;
        }
        assert!(ids.values().all(|n| *n == 1), "a message arrived twice");
    }
}

both_backends! {
    fn a_member_who_turns_reminders_off_gets_none_but_admins_still_hear_of_overdue_reviews(db) {
        let d = Deployment::start(&db, true, &[]);
        // Durham's commissioner and its admin both turn reminders about reviews off.
        for who in ["commissioner", "admin"] {
            let b = crate::support::sign_in(&d.server.base, &d.mail, "durham", &format!("{who}@durham.example"));
            let csrf = b.csrf("/t/durham/reminders/mine");
            let bad = b.post("/t/durham/reminders/mine", &[("csrf", &csrf), ("reviews", "sometimes"), ("contracts", "each")]);
            assert_eq!(bad.status, 422, "{}", bad.body);
            assert!(bad.body.contains("href=\"#reviews-0\""), "{}", bad.body);
            let saved = b.post("/t/durham/reminders/mine", &[("csrf", &csrf), ("reviews", "off"), ("contracts", "each")]);
            assert_eq!(saved.status, 303, "{}", saved.body);
            let page = b.get(saved.location.as_deref().unwrap());
            assert!(page.body.contains("value=\"off\" checked") && page.body.contains("Your choices are saved."));
        }
        let run = d.cli(&["reminders", "run-once", "--today", &today().to_string()]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        let to = |address: &str| -> Vec<(Option<String>, Option<String>)> {
            o::mail_outbox.filter(o::to_address.eq(address)).filter(o::kind.is_not_null())
                .select((o::subject_kind, o::kind)).load(&mut db.conn()).unwrap()
        };
        let commissioner = to("commissioner@durham.example");
        assert!(commissioner.iter().all(|(s, _)| s.as_deref() == Some("contract")), "{commissioner:?}");
        assert!(!commissioner.is_empty(), "contract reminders still come");
        let admin = to("admin@durham.example");
        assert!(!admin.is_empty(), "the escalations of Durham's overdue reviews still reach its admin");
        assert!(admin.iter().all(|(_, k)| k.as_deref().is_some_and(|k| k.starts_with("review_overdue"))), "{admin:?}");
        // Another trust's members are untouched by Durham's choices.
        let kent: i64 = o::mail_outbox.filter(o::to_address.eq("commissioner@kent.example")).count().get_result(&mut conn).unwrap();
        assert!(kent > 0);
    }
}

both_backends! {
    fn a_reminder_carries_a_one_click_unsubscribe_that_turns_its_topic_off(db) {
        let d = Deployment::start(&db, true, &[]);
        let run = d.cli(&["reminders", "run-once", "--today", &today().to_string()]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let delivered = messages(&d.mail);
        let mine = delivered
            .iter()
            .find(|m| m.contains("To: commissioner@sunderland.example") && header(m, "List-Unsubscribe").is_some())
            .expect("a reminder to Sunderland's commissioner with a one-click unsubscribe");
        assert_eq!(header(mine, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        let url = header(mine, "List-Unsubscribe").unwrap().trim_start_matches('<').trim_end_matches('>').to_string();
        assert!(url.starts_with(&format!("{}/unsubscribe/", d.server.base)), "{url}");
        assert!(mine.contains(&url), "the message says it in words too");
        // An escalation to an admin cannot be turned off: it carries no link.
        let escalations: Vec<_> = delivered.iter().filter(|m| m.contains("escalated to you")).collect();
        assert!(!escalations.is_empty());
        assert!(escalations.iter().all(|m| header(m, "List-Unsubscribe").is_none()));

        let user: String = {
            use platform_db::schema::users::dsl as u;
            u::users.filter(u::email.eq("commissioner@sunderland.example")).select(u::id).first(&mut db.conn()).unwrap()
        };
        let off = || -> i64 {
            use platform_db::schema::reminder_preferences::dsl as p;
            p::reminder_preferences.filter(p::user_id.eq(&user)).filter(p::mode.eq("off")).count().get_result(&mut db.conn()).unwrap()
        };
        // Opening the link (as a mail scanner does) changes nothing; the one-click POST, with no
        // cookies and no sign-in, turns the topic off for that member only.
        let anonymous = crate::support::Browser::new(&d.server.base);
        assert_eq!(anonymous.get(&url).status, 200);
        assert_eq!(off(), 0);
        let posted = anonymous
            .client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .unwrap();
        assert_eq!(posted.status().as_u16(), 200);
        assert_eq!(off(), 1);
        let again = anonymous.client.post(&url).body("List-Unsubscribe=One-Click").send().unwrap();
        assert_eq!(again.status().as_u16(), 200, "using it twice is harmless");
        assert_eq!(off(), 1);
        assert_eq!(anonymous.post("/unsubscribe/not-a-link-of-ours", &[]).status, 404);
    }
}

/// What an independent parser (Python's `icalendar`) reads in a feed: (events, alarms, summaries).
fn parse_icalendar(body: &str) -> (usize, usize, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", "import icalendar, sys\ncal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\nevents = cal.walk('VEVENT')\nprint(len(events), sum(len(e.walk('VALARM')) for e in events))\nfor e in events: print(e.get('summary'))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with icalendar (tests/setup.sh installs it)");
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the feed does not parse: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let mut counts = lines.next().unwrap().split(' ').map(|n| n.parse::<usize>().unwrap());
    (counts.next().unwrap(), counts.next().unwrap(), lines.collect::<Vec<_>>().join("\n"))
}

both_backends! {
    fn a_members_calendar_feed_reads_as_icalendar_and_stops_when_replaced_or_revoked(db) {
        let d = Deployment::start(&db, true, &[]);
        let b = crate::support::sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
        let csrf = b.csrf("/t/durham/reminders/mine");
        let link = |b: &crate::support::Browser| -> String {
            let made = b.post("/t/durham/reminders/calendar", &[("csrf", &csrf)]);
            assert_eq!(made.status, 200, "{}", made.body);
            let start = made.body.find(&format!("{}/calendar/", d.server.base)).expect("the link is shown once");
            let end = made.body[start..].find(".ics").unwrap() + start + 4;
            made.body[start..end].to_string()
        };
        let first = link(&b);
        let feed = reqwest::blocking::get(&first).unwrap();
        assert_eq!(feed.status(), 200);
        assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let body = feed.text().unwrap();
        let (events, alarms, summaries) = parse_icalendar(&body);
        assert!(events > 0, "{body}");
        assert_eq!(alarms, events, "each event has its alarm");
        assert!(summaries.contains("Review due: ") && summaries.contains("Contract ends: "), "{summaries}");
        // A new link stops the old one; stopping it stops the new one; neither tells anything then.
        let second = link(&b);
        assert_eq!(reqwest::blocking::get(&first).unwrap().status(), 404);
        assert_eq!(reqwest::blocking::get(&second).unwrap().status(), 200);
        assert_eq!(b.post("/t/durham/reminders/calendar/revoke", &[("csrf", &csrf)]).status, 303);
        assert_eq!(reqwest::blocking::get(&second).unwrap().status(), 404);
        assert_eq!(reqwest::blocking::get(format!("{}/calendar/nothing.ics", d.server.base)).unwrap().status(), 404);
    }
}

/// The body that owns most of a demo trust's reviews due in the next 28 days, and the ids of
/// all the reviews it owns with no owner in person.
fn reviews_of_a_body(db: &crate::support::TestDb, slug: &str) -> (String, Vec<String>) {
    use platform_db::schema::{reviews::dsl as r, tenants::dsl as t};
    let mut conn = db.conn();
    let tenant: String = t::tenants.filter(t::slug.eq(slug)).select(t::id).first(&mut conn).unwrap();
    // Reviews due soon enough to be reminded today (by their 28-day reminder at the latest).
    let rows: Vec<(String, Option<String>)> = r::reviews
        .filter(r::tenant_id.eq(&tenant))
        .filter(r::owner_user_id.is_null())
        .filter(r::status.eq("scheduled"))
        .filter(r::due_on.between(today(), today() + Days::new(28)))
        .select((r::id, r::owner_body))
        .load(&mut conn)
        .unwrap();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, b) in &rows {
        if let Some(b) = b {
            *counts.entry(b.clone()).or_default() += 1;
        }
    }
    let body = counts.into_iter().max_by_key(|(_, n)| *n).expect("reviews owned by a body").0;
    let ids = r::reviews
        .filter(r::tenant_id.eq(&tenant))
        .filter(r::owner_user_id.is_null())
        .filter(r::owner_body.eq(&body))
        .select(r::id)
        .load(&mut conn)
        .unwrap();
    (body, ids)
}

both_backends! {
    fn a_member_who_serves_a_body_takes_its_reviews_in_one_daily_digest_at_the_trusts_hour(db) {
        let d = Deployment::start(&db, true, &[]);
        let (body, body_reviews) = reviews_of_a_body(&db, "durham");

        // Durham's admin sets the digest's hour; a time zone that is not one is named and kept.
        let admin = crate::support::sign_in(&d.server.base, &d.mail, "durham", "admin@durham.example");
        let csrf = admin.csrf("/t/durham/reminders/settings");
        let bad = admin.post("/t/durham/reminders/settings", &[("csrf", &csrf), ("lead_days", "28, 14, 7, 1"), ("digest_hour", "9"), ("time_zone", "Europe/Durham")]);
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("href=\"#time_zone\"") && bad.body.contains("value=\"Europe/Durham\""), "{}", bad.body);
        let set = admin.post("/t/durham/reminders/settings", &[("csrf", &csrf), ("lead_days", "28, 14, 7, 1"), ("digest_hour", "9"), ("time_zone", "Europe/London")]);
        assert_eq!(set.status, 303, "{}", set.body);

        // Durham's board member serves on that body and takes reviews as a digest, contracts not at all.
        let board = crate::support::sign_in(&d.server.base, &d.mail, "durham", "board@durham.example");
        let csrf = board.csrf("/t/durham/reminders/mine");
        let unknown = board.post("/t/durham/reminders/mine", &[("csrf", &csrf), ("reviews", "digest"), ("contracts", "off"), ("bodies", "no-such-body")]);
        assert_eq!(unknown.status, 422, "{}", unknown.body);
        let saved = board.post("/t/durham/reminders/mine", &[("csrf", &csrf), ("reviews", "digest"), ("contracts", "off"), ("bodies", &body)]);
        assert_eq!(saved.status, 303, "{}", saved.body);
        let page = board.get("/t/durham/reminders/mine");
        assert!(page.body.contains("value=\"digest\" checked") && page.body.contains(&format!("value=\"{body}\" checked")), "{}", page.body);

        // Before 09:00 in London (07:30 UTC is 07:30 or 08:30 there): the board member's
        // reminders are held, none sent alone; the body's reviews no longer go to the commissioners.
        let day = today();
        let at = |h: u32, m: u32| day.and_hms_opt(h, m, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string();
        let early = d.cli(&["reminders", "run-once", "--at", &at(7, 30)]);
        assert_eq!(early.code, Some(0), "{}{}", early.stdout, early.stderr);
        assert!(early.stdout.contains(" 0 digests queued"), "{}", early.stdout);
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        use platform_db::schema::reminder_digest_items::dsl as h;
        let held: Vec<(String, Option<String>)> = h::reminder_digest_items.select((h::subject_id, h::digest_key)).load(&mut conn).unwrap();
        assert!(!held.is_empty(), "{}", early.stdout);
        assert!(held.iter().all(|(s, k)| body_reviews.contains(s) && k.is_none()), "only the body's reviews, waiting: {held:?}");
        let alone: i64 = o::mail_outbox.filter(o::to_address.eq("board@durham.example")).count().get_result(&mut conn).unwrap();
        assert_eq!(alone, 0, "nothing sent to the board member one by one");
        let to_commissioner: Vec<Option<String>> = o::mail_outbox.filter(o::to_address.eq("commissioner@durham.example"))
            .filter(o::subject_kind.eq("review")).select(o::subject_id).load(&mut conn).unwrap();
        assert!(to_commissioner.iter().all(|s| !body_reviews.contains(s.as_ref().unwrap())), "the body's members have them now");

        // At 09:30 UTC (09:30 or 10:30 in London) the digest goes, once, carrying all of them.
        let digest_run = d.cli(&["reminders", "run-once", "--at", &at(9, 30)]);
        assert!(digest_run.stdout.contains(" 1 digests queued"), "{}", digest_run.stdout);
        let again = d.cli(&["reminders", "run-once", "--at", &at(10, 30)]);
        assert!(again.stdout.contains(" 0 digests queued"), "{}", again.stdout);
        let digests: Vec<(String, String)> = o::mail_outbox.filter(o::kind.eq("digest")).select((o::to_address, o::status)).load(&mut conn).unwrap();
        assert_eq!(digests, [("board@durham.example".to_string(), "sent".to_string())]);
        let waiting: i64 = h::reminder_digest_items.filter(h::digest_key.is_null()).count().get_result(&mut conn).unwrap();
        assert_eq!(waiting, 0, "every held reminder went in the digest");

        // What arrived: one email, automatic, with a one-click unsubscribe, every held reminder in
        // it under the body's name, in date order.
        let delivered: Vec<String> = messages(&d.mail).iter().map(|m| crate::support::decode_mail(m))
            .filter(|m| m.contains("To: board@durham.example") && m.contains("daily digest")).collect();
        assert_eq!(delivered.len(), 1);
        let digest = &delivered[0];
        assert_eq!(header(digest, "Auto-Submitted"), Some("auto-generated"));
        assert!(header(digest, "List-Unsubscribe").is_some());
        let subject = header(digest, "Subject").unwrap();
        assert!(subject.starts_with(&format!("{} reminders for ", held.len())), "{subject}");
        let text = digest.split("Content-Type: text/html").next().unwrap();
        assert_eq!(text.matches("Why you: you serve on").count(), held.len(), "{text}");
        let dates: Vec<NaiveDate> = {
            use platform_db::schema::reviews::dsl as r;
            let mut due: Vec<(String, NaiveDate)> = r::reviews.filter(r::id.eq_any(held.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>()))
                .select((r::title, r::due_on)).load(&mut conn).unwrap();
            due.sort_by_key(|(_, d)| *d);
            due.into_iter().map(|(_, d)| d).collect()
        };
        let words: Vec<String> = dates.iter().map(|d| d.format("%-d %B %Y").to_string()).collect();
        let mut at_in_text = 0;
        for w in &words {
            let found = text[at_in_text..].find(w.as_str()).map(|i| i + at_in_text);
            assert!(found.is_some(), "{w} after position {at_in_text} in date order: {text}");
            at_in_text = found.unwrap();
        }
    }
}

both_backends! {
    fn the_procurement_acts_notices_are_reminded_for_a_contract_marked_as_covered(db) {
        let d = Deployment::start(&db, true, &[]);
        let b = crate::support::sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
        let mut conn = db.conn();
        use platform_db::schema::{contracts::dsl as k, tenants::dsl as t};
        let tenant: String = t::tenants.filter(t::slug.eq("durham")).select(t::id).first(&mut conn).unwrap();
        let (id, end): (String, NaiveDate) = k::contracts.filter(k::tenant_id.eq(&tenant)).filter(k::status.eq("active"))
            .order(k::end_date.asc()).select((k::id, k::end_date)).first(&mut conn).unwrap();
        let path = format!("/t/durham/contracts/{id}/terms");
        let form = b.get(&path);
        assert_eq!(form.status, 200, "{}", form.body);
        let (csrf, version) = (form.field("csrf"), form.field("version"));
        let signed = today() - Days::new(10);
        let (sd, sm, sy) = (signed.format("%-d").to_string(), signed.format("%-m").to_string(), signed.format("%Y").to_string());
        let post = |months: &str, covered: &str, version: &str| {
            b.post(&path, &[("csrf", &csrf), ("version", version), ("notice_months", months), ("procurement_act", covered),
                ("procurement_regime", "light_touch"), ("signed_on-day", &sd), ("signed_on-month", &sm), ("signed_on-year", &sy)])
        };
        // Out of range: named, nothing saved.
        let bad = post("40", "yes", &version);
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("href=\"#notice_months\"") && bad.body.contains("from 0 to 36"), "{}", bad.body);
        let saved = post("3", "yes", &version);
        assert_eq!(saved.status, 303, "{}", saved.body);
        // The version moved on: the form opened before is stale.
        assert_eq!(post("4", "yes", &version).status, 409);
        let page = b.get(&format!("/t/durham/contracts/{id}"));
        assert!(page.body.contains("covered, light touch regime") && page.body.contains("3 months before"), "{}", page.body);
        {
            use platform_db::schema::audit_log::dsl as a;
            let detail: String = a::audit_log.filter(a::action.eq("contract.terms_set")).filter(a::entity_id.eq(&id))
                .select(a::detail).first(&mut conn).unwrap();
            assert!(detail.contains("procurement_act") && detail.contains("notice_months"), "audited with before and after: {detail}");
        }

        // The day's tick reminds the contract details notice: light touch, 120 days from signing.
        let run = d.cli(&["reminders", "run-once", "--today", &today().to_string()]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let details: Vec<(String, Option<NaiveDate>)> = o_rows(&mut conn, &id, "pa_contract_details");
        assert!(!details.is_empty() && details.iter().all(|(to, due)| to == "commissioner@durham.example" && *due == Some(signed + Days::new(119))), "{details:?}");
        let mail = messages(&d.mail).iter().map(|m| crate::support::decode_mail(m)).find(|m| m.contains("Contract details notice due by")).expect("the reminder arrived");
        assert!(mail.contains("section 53") && mail.contains("remains responsible"), "{mail}");

        // After its end, the termination notice (section 80) within 30 days.
        for n in 1..=5 {
            let run = d.cli(&["reminders", "run-once", "--today", &(end + Days::new(n)).to_string()]);
            assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        }
        let termination = o_rows(&mut conn, &id, "pa_termination");
        assert!(!termination.is_empty() && termination.iter().all(|(_, due)| *due == Some(end + Days::new(30))), "{termination:?}");

        // A contract not marked as covered has none.
        use platform_db::schema::mail_outbox::dsl as o;
        let others: i64 = o::mail_outbox.filter(o::kind.like("pa_contract_details%")).filter(o::subject_id.ne(&id)).count().get_result(&mut conn).unwrap();
        assert_eq!(others, 0);
    }
}

/// The reminders of a kind (by prefix) about a contract: (to, due date).
fn o_rows(conn: &mut platform_db::DbConnection, contract: &str, kind: &str) -> Vec<(String, Option<NaiveDate>)> {
    use platform_db::schema::mail_outbox::dsl as o;
    o::mail_outbox
        .filter(o::subject_id.eq(contract))
        .filter(o::kind.like(format!("{kind}%")))
        .select((o::to_address, o::due_on))
        .load(conn)
        .unwrap()
}

/// How many times each Message-ID arrived.
fn arrivals(maildir: &std::path::Path) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for m in messages(maildir) {
        *ids.entry(header(&m, "Message-ID").unwrap().to_string()).or_insert(0) += 1;
    }
    ids
}

both_backends! {
    fn a_dispatcher_killed_at_twenty_random_points_loses_no_reminder(db) {
        let dir = db.dir.path();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let env = [("DATABASE_URL", db.url.as_str()), ("SMTP_URL", smtp_url.as_str())];
        let seeded = run_platform(dir, &env, &["seed", "--demo"]);
        assert_eq!(seeded.code, Some(0), "{}", seeded.stderr);
        // Two months of ticks queue the reminders; nothing is sent yet.
        let start = today();
        for n in 0..60 {
            let r = run_platform(dir, &env, &["reminders", "run-once", "--only", "tick", "--today", &(start + Days::new(n)).to_string()]);
            assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
        }
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        let queued: Vec<String> = o::mail_outbox.filter(o::kind.is_not_null()).select(o::message_id).load(&mut conn).unwrap();
        assert!(queued.len() > 250, "{}", queued.len());

        // A slow SMTP server (150 ms a message); the dispatcher is killed with SIGKILL at 20 random
        // moments while it sends, and started again each time (after its leases have run out:
        // the clock given to it moves on 10 minutes a run).
        let maildir = dir.join("maildir");
        let _smtp = FaultySmtp::slow(port, &maildir, 0.0, &[], 150);
        let base = (start + Days::new(60)).and_hms_opt(12, 0, 0).unwrap();
        let mut seed: u64 = 0x5eed;
        let mut random = move |below: u64| { seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (seed >> 33) % below };
        let mut kills = 0;
        for run in 0..20 {
            let at = (base + chrono::Duration::minutes(10 * run)).format("%Y-%m-%dT%H:%M:%S").to_string();
            let before = messages(&maildir.join("new")).len();
            let mut child = crate::support::platform_cmd(dir, &env)
                .args(["reminders", "run-once", "--only", "dispatch", "--at", &at])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            // Wait for it to be sending (a message arrived), then a random moment more.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while messages(&maildir.join("new")).len() == before && child.try_wait().unwrap().is_none() {
                assert!(std::time::Instant::now() < deadline, "the dispatcher never sent");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            std::thread::sleep(std::time::Duration::from_millis(random(100)));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
            child.wait().unwrap();
        }
        // Started once more, after the last lease: it finishes.
        let at = (base + chrono::Duration::minutes(10 * 21)).format("%Y-%m-%dT%H:%M:%S").to_string();
        let last = run_platform(dir, &env, &["reminders", "run-once", "--only", "dispatch", "--at", &at]);
        assert_eq!(last.code, Some(0), "{}{}", last.stdout, last.stderr);

        let unsent: i64 = o::mail_outbox.filter(o::kind.is_not_null()).filter(o::status.ne("sent")).count().get_result(&mut conn).unwrap();
        assert_eq!(unsent, 0, "every reminder is marked sent");
        let ids = arrivals(&maildir.join("new"));
        let lost: Vec<&String> = queued.iter().filter(|id| !ids.contains_key(*id)).collect();
        assert!(lost.is_empty(), "reminders lost: {lost:?}");
        // A message the server accepted just before the kill, not yet marked sent, goes again:
        // at most the messages in flight, one per sender (8), per kill.
        let twice: usize = ids.values().filter(|n| **n > 1).map(|n| n - 1).sum();
        eprintln!("killed {kills} times while sending {} reminders: {twice} delivered twice (accepted by SMTP before the kill, not yet marked sent)", queued.len());
        assert!(kills >= 15, "the dispatcher was killed while sending: {kills}");
        assert!(twice <= kills * 8, "{twice} duplicates for {kills} kills");
    }
}

both_backends! {
    fn on_sigterm_the_server_stops_claiming_gives_back_what_it_did_not_try_and_exits(db) {
        let dir = db.dir.path();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let maildir = dir.join("maildir");
        let _smtp = FaultySmtp::slow(port, &maildir, 0.0, &[], 100);
        // The in-process tick and dispatcher run every second; the server ticks at once.
        let env = [("DATABASE_URL", db.url.as_str()), ("SMTP_URL", smtp_url.as_str()), ("PLATFORM_SEED_DEMO", "true"),
            ("PLATFORM_REMINDER_INTERVAL_SECONDS", "1")];
        let mut server = crate::support::Server::start(dir, &env);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while messages(&maildir.join("new")).len() < 3 {
            assert!(std::time::Instant::now() < deadline, "the in-process dispatcher never sent");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let status = server.terminate(std::time::Duration::from_secs(20)).expect("the server exits after SIGTERM");
        assert!(status.success(), "{status:?}");

        // Nothing is left claimed; what it sent is marked sent, and the rest waits for another replica.
        let mut conn = db.conn();
        use platform_db::schema::mail_outbox::dsl as o;
        let leased: Vec<(String, Option<String>, i32)> = o::mail_outbox.filter(o::lease_until.is_not_null())
            .select((o::status, o::kind, o::attempts)).load(&mut conn).unwrap();
        assert!(leased.is_empty(), "every claimed row was settled or given back: {leased:?}");
        let sent: i64 = o::mail_outbox.filter(o::kind.is_not_null()).filter(o::status.eq("sent")).count().get_result(&mut conn).unwrap();
        let pending: i64 = o::mail_outbox.filter(o::kind.is_not_null()).filter(o::status.eq("pending")).count().get_result(&mut conn).unwrap();
        assert!(pending > 0, "it stopped before the end ({sent} sent)");
        assert_eq!(messages(&maildir.join("new")).len() as i64, sent, "what arrived is what is marked sent");
        // Another process sends the rest at once (no lease to wait for), each once.
        let run = run_platform(dir, &env[..2], &["reminders", "run-once", "--only", "dispatch"]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let ids = arrivals(&maildir.join("new"));
        assert_eq!(ids.len() as i64, sent + pending);
        assert!(ids.values().all(|n| *n == 1), "a message arrived twice");
    }
}
