//! The reminders' tick and dispatcher. The tick finds, for each active trust, the reminders that
//! fall due on the day it is given (see [`super::plan`]) and writes each to the mail outbox in
//! one transaction, under a unique key (trust, subject, kind, due date, recipient) and with a
//! Message-ID made once from that key: running it again, on this replica or another, writes
//! nothing new. On PostgreSQL only one tick runs at a time (a transaction-scoped advisory lock;
//! the unique key stays the last line of defence). The dispatcher claims rows with a lease,
//! sends them, and settles each: sent; tried again later with exponential backoff and jitter
//! after a failure that may pass; or failed, with the server's answer, when it will not pass or
//! the row's deadline (a day by default) has come. Nothing is retried for ever or dropped unsaid.

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::RunQueryDsl;
use handlebars::Handlebars;
use platform_db::DbError;
use platform_db::conn::{DbConnection, Scope};
use platform_db::models::{OutboxMessage, Role, Tenant, TenantStatus};
use platform_db::repo::reminders::{self as repo, Recipient};
use platform_db::repo::{outbox, tenants};
use serde_json::json;

use super::plan::{self, Due};
use crate::mail::{self, MailError, Mailer, Rendered, Sent};

/// The domain of the platform's Message-IDs.
const MESSAGE_DOMAIN: &str = "commissioning.platform";
/// The advisory lock that lets one tick run at a time on PostgreSQL.
const TICK_LOCK: i64 = 0x7265_6d69_6e64; // "remind"
/// How long a dispatcher holds a claimed row before another may take it.
pub const LEASE_SECONDS: i64 = 300;

/// What a tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// False when another tick held the lock and this one did nothing.
    pub ran: bool,
    pub tenants: usize,
    pub queued: usize,
    /// Reminders already in the outbox under their key: not written again.
    pub already: usize,
    /// Recipients whose address the outbox refused (said in the log, never silently dropped).
    pub refused: usize,
}

/// How a tick is configured.
pub struct TickSettings<'a> {
    pub templates: &'a Handlebars<'static>,
    /// Where people reach the platform; the reminders' links start with it.
    pub public_url: &'a str,
    /// How long a reminder may take to be delivered before it is failed.
    pub give_up_after: chrono::Duration,
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// Runs one tick for `today` (the trusts' own date), writing at `now`.
pub fn tick(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<TickReport, DbError> {
    platform_db::conn::scoped(conn, Scope::Platform, |conn| {
        // One tick at a time: SQLite's write lock, PostgreSQL's advisory lock.
        repo::write_first(conn)?;
        if let DbConnection::Postgres(pg) = conn {
            let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .bind::<diesel::sql_types::BigInt, _>(TICK_LOCK)
                .get_result(pg)?;
            if !lock.locked {
                return Ok(TickReport::default());
            }
        }
        let mut report = TickReport { ran: true, ..TickReport::default() };
        for tenant in tenants::list_all(conn)?.into_iter().filter(|t| t.status == TenantStatus::Active) {
            report.tenants += 1;
            tick_tenant(conn, settings, &tenant, today, now, &mut report)?;
        }
        Ok(report)
    })
}

/// One reminder to one person.
struct Reminder<'a> {
    tenant: &'a Tenant,
    subject_kind: &'static str,
    subject_id: String,
    what: String,
    reference: Option<String>,
    due_on: NaiveDate,
    path: String,
    due: Due,
}

fn tick_tenant(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    tenant: &Tenant,
    today: NaiveDate,
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    let lead = plan::lead_days(&repo::lead_days(conn, &tenant.id)?).unwrap_or_else(|_| vec![28, 14, 7, 1]);
    let furthest = u64::from(lead.first().copied().unwrap_or(28)) + 7;
    let from = today - Days::new(plan::OVERDUE_WINDOW_DAYS);
    let commissioners = repo::members_with(conn, &tenant.id, &[Role::Commissioner])?;
    let admins = repo::members_with(conn, &tenant.id, &[Role::TenantAdmin])?;
    let no_reviews = repo::opted_out(conn, &tenant.id, "reviews")?;
    let no_contracts = repo::opted_out(conn, &tenant.id, "contracts")?;
    let slug = &tenant.slug;

    for review in repo::open_reviews_between(conn, &tenant.id, from, today + Days::new(furthest))? {
        for due in plan::review(review.due_on, &lead, today) {
            let owner = match &review.owner_user_id {
                Some(u) => repo::member(conn, &tenant.id, u)?,
                None => None,
            };
            // (who, why, whether they may turn it off)
            let mut to: Vec<(Recipient, &'static str, bool)> = match owner {
                Some(o) => vec![(o, "you own this review.", true)],
                None => commissioners
                    .iter()
                    .map(|c| (c.clone(), "you are a commissioner of the trust and the review has no owner.", true))
                    .collect(),
            };
            // Those who turned review reminders off get none, but for an escalation to the admins.
            to.retain(|(r, _, _)| !no_reviews.contains(&r.user));
            if due.escalation {
                for a in &admins {
                    if !to.iter().any(|(r, _, _)| r.user == a.user) {
                        to.push((
                            a.clone(),
                            "you are an admin of the trust: overdue reviews are escalated to you.",
                            false,
                        ));
                    }
                }
            }
            let reminder = Reminder {
                tenant,
                subject_kind: "review",
                subject_id: review.id.to_string(),
                what: review.title.clone(),
                reference: None,
                due_on: review.due_on,
                path: format!("/t/{slug}/reviews/{}", review.id),
                due: due.clone(),
            };
            for (recipient, why, optional) in to {
                queue(conn, settings, &reminder, (&recipient, why, optional), now, report)?;
            }
        }
    }

    // Contracts: a notice period is at most 36 months.
    for (contract, notice) in
        repo::running_contracts_ending_between(conn, &tenant.id, today, today + chrono::Months::new(37))?
    {
        for due in plan::contract(contract.end_date, u32::try_from(notice).unwrap_or(6), today) {
            let reminder = Reminder {
                tenant,
                subject_kind: "contract",
                subject_id: contract.id.to_string(),
                what: contract.title.clone(),
                reference: Some(contract.reference.clone()),
                due_on: contract.end_date,
                path: format!("/t/{slug}/contracts/{}", contract.id),
                due,
            };
            for c in commissioners.iter().filter(|c| !no_contracts.contains(&c.user)) {
                queue(conn, settings, &reminder, (c, "you are a commissioner of the trust.", true), now, report)?;
            }
        }
    }
    Ok(())
}

/// What a reminder says it is, in words.
fn headline(due: &Due, due_on: NaiveDate) -> (String, String) {
    let day = due_on.format("%A %-d %B %Y").to_string();
    let kind = due.kind.as_str();
    if let Some(n) = kind.strip_prefix("review_due_").and_then(|n| n.parse::<u32>().ok()) {
        let days = if n == 1 { "tomorrow".to_string() } else { format!("in {n} days") };
        return (format!("Review due {days}"), format!("It is due on {day}."));
    }
    match kind {
        "review_due_today" => ("Review due today".into(), format!("It is due on {day}.")),
        "review_overdue_1" => ("Review overdue".into(), format!("It was due on {day} and is not completed.")),
        "review_overdue_7" => {
            ("Review overdue by 7 working days".into(), format!("It was due on {day} and is still not completed."))
        }
        "contract_notice" => (
            "Contract notice period begins".into(),
            format!("The contract ends on {day}: now is the time to decide whether to re-commission it."),
        ),
        "contract_end" => ("Contract ends".into(), format!("The contract ends on {day}.")),
        other => (other.replace('_', " "), format!("The date is {day}.")),
    }
}

fn queue(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    r: &Reminder<'_>,
    (to, why, optional): (&Recipient, &str, bool),
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    let key =
        format!("reminder:{}:{}:{}:{}:{}:{}", r.tenant.id, r.subject_kind, r.subject_id, r.due.kind, r.due_on, to.user);
    let (headline, detail) = headline(&r.due, r.due_on);
    let base = settings.public_url.trim_end_matches('/');
    // An escalation to an admin cannot be turned off; anything else carries its own link.
    let topic = if r.subject_kind == "review" { "reviews" } else { "contracts" };
    let token =
        if !optional { None } else { Some(crate::secrets::random_token().map_err(|e| DbError::Other(e.to_string()))?) };
    let unsubscribe = token.as_ref().map(|t| format!("{base}/unsubscribe/{t}"));
    let data = json!({
        "tenant": r.tenant.name, "name": to.name, "headline": headline, "what": r.what, "reference": r.reference,
        "detail": detail, "why": why,
        "link": format!("{base}{}", r.path),
        "unsubscribe": unsubscribe,
        "topic": topic,
        "choices": format!("{base}/t/{}/reminders/mine", r.tenant.slug),
    });
    let rendered = Mailer::render(settings.templates, "reminder", &data).map_err(|e| DbError::Other(e.to_string()))?;
    let mut message = OutboxMessage::plain(
        Some(r.tenant.id.clone()),
        key.clone(),
        mail::message_id(&key, MESSAGE_DOMAIN),
        to.email.clone(),
        (rendered.subject, rendered.text, rendered.html),
        now,
    );
    message.kind = Some(r.due.kind.clone());
    message.subject_kind = Some(r.subject_kind.to_string());
    message.subject_id = Some(r.subject_id.clone());
    message.due_on = Some(r.due_on);
    message.recipient_user_id = Some(to.user.clone());
    message.give_up_at = Some(now + settings.give_up_after);
    message.unsubscribe_url.clone_from(&unsubscribe);
    match outbox::enqueue(conn, &message) {
        Ok(true) => {
            report.queued += 1;
            if let Some(t) = &token {
                repo::add_unsubscribe(conn, &crate::secrets::hash(t), &r.tenant.id, &to.user, topic, now)?;
            }
        }
        Ok(false) => report.already += 1,
        Err(DbError::Invalid { field, message: why }) => {
            report.refused += 1;
            tracing::warn!(tenant = %r.tenant.slug, user = %to.user, %field, %why, "a reminder's recipient was refused");
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// What a dispatch pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// The wait before try `attempt` + 1: a minute, doubling to at most an hour, give or take a fifth.
pub fn backoff(attempt: i32, jitter: f64) -> chrono::Duration {
    let base = 60.0 * 2f64.powi(attempt.clamp(0, 6));
    let seconds = base.min(3600.0) * (1.0 + 0.2 * jitter.clamp(-1.0, 1.0));
    chrono::Duration::seconds(seconds.round() as i64)
}

fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// A reminder's headers: automatic (RFC 3834), and its one-click unsubscribe (RFC 8058).
fn headers_of(row: &OutboxMessage) -> Vec<(&'static str, String)> {
    let mut headers = vec![("Auto-Submitted", "auto-generated".to_string())];
    if let Some(url) = &row.unsubscribe_url {
        headers.push(("List-Unsubscribe", format!("<{url}>")));
        headers.push(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_string()));
    }
    headers
}

/// Sends what is due at `now`, claiming a batch at a time, until nothing is left or `stop()`.
pub fn dispatch(
    pool: &platform_db::conn::Pool,
    mailer: &Mailer,
    worker: &str,
    now: impl Fn() -> NaiveDateTime,
    stop: impl Fn() -> bool,
) -> Result<DispatchReport, DbError> {
    let mut report = DispatchReport::default();
    loop {
        if stop() {
            return Ok(report);
        }
        let at = now();
        let batch = {
            let mut conn = pool.get()?;
            platform_db::conn::scoped(&mut conn, Scope::Platform, |conn| {
                repo::claim(conn, at, at + chrono::Duration::seconds(LEASE_SECONDS), worker, 20)
            })?
        };
        if batch.is_empty() {
            return Ok(report);
        }
        let mut rows = batch.into_iter();
        for row in rows.by_ref() {
            if stop() {
                break;
            }
            let result = mailer.send_with(
                &row.to_address,
                &row.message_id,
                &Rendered { subject: row.subject.clone(), text: row.body_text.clone(), html: row.body_html.clone() },
                &headers_of(&row),
            );
            let at = now();
            let mut conn = pool.get()?;
            platform_db::conn::scoped(&mut conn, Scope::Platform, |conn| match &result {
                Ok(Sent::Smtp | Sent::Outbox(_)) => {
                    report.sent += 1;
                    repo::sent(conn, &row.id, worker, at)
                }
                Err(e @ (MailError::SmtpPermanent(_) | MailError::BadRecipient(_))) => {
                    report.failed += 1;
                    repo::not_sent(conn, &row.id, worker, None, &e.to_string())
                }
                Err(e) => {
                    let next = at + backoff(row.attempts, jitter());
                    let deadline = row.give_up_at.unwrap_or(row.created_at + chrono::Duration::hours(24));
                    if next > deadline {
                        report.failed += 1;
                        let why = format!("gave up after {} tries; the last: {e}", row.attempts + 1);
                        repo::not_sent(conn, &row.id, worker, None, &why)
                    } else {
                        report.retrying += 1;
                        repo::not_sent(conn, &row.id, worker, Some(next), &e.to_string())
                    }
                }
            })?;
        }
        // Rows claimed but not tried (a stop): given back at once, not after the lease.
        let left: Vec<_> = rows.collect();
        if !left.is_empty() {
            let mut conn = pool.get()?;
            platform_db::conn::scoped(&mut conn, Scope::Platform, |conn| {
                for row in &left {
                    repo::release(conn, &row.id, worker)?;
                }
                Ok(())
            })?;
            return Ok(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_to_an_hour_give_or_take_a_fifth() {
        assert_eq!(backoff(0, 0.0), chrono::Duration::seconds(60));
        assert_eq!(backoff(1, 0.0), chrono::Duration::seconds(120));
        assert_eq!(backoff(5, 0.0), chrono::Duration::seconds(1920));
        assert_eq!(backoff(6, 0.0), chrono::Duration::seconds(3600));
        assert_eq!(backoff(40, 0.0), chrono::Duration::seconds(3600));
        assert_eq!(backoff(0, 1.0), chrono::Duration::seconds(72));
        assert_eq!(backoff(0, -1.0), chrono::Duration::seconds(48));
        for _ in 0..100 {
            let j = jitter();
            assert!((-1.0..=1.0).contains(&j));
        }
    }

    #[test]
    fn each_reminder_says_what_is_due_in_words() {
        let d: NaiveDate = "2026-06-17".parse().unwrap();
        let due = |kind: &str| Due { kind: kind.into(), send_on: d, escalation: false };
        assert_eq!(headline(&due("review_due_14"), d).0, "Review due in 14 days");
        assert_eq!(headline(&due("review_due_1"), d).0, "Review due tomorrow");
        assert_eq!(headline(&due("review_due_today"), d).1, "It is due on Wednesday 17 June 2026.");
        assert!(headline(&due("contract_notice"), d).1.contains("re-commission"));
    }
}
