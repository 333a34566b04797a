//! The reminders' tick and dispatcher. The tick finds, for each active trust, the reminders that
//! fall due on the day it is given (see [`super::plan`]) and writes each to the mail outbox in
//! one transaction, under a unique key (trust, subject, kind, due date, recipient) and with a
//! Message-ID made once from that key: running it again, on this replica or another, writes
//! nothing new. On PostgreSQL only one tick runs at a time (a transaction-scoped advisory lock;
//! the unique key stays the last line of defence). The dispatcher claims rows with a lease,
//! sends them, and settles each: sent; tried again later with exponential backoff and jitter
//! after a failure that may pass; or failed, with the server's answer, when it will not pass or
//! the row's deadline (a day by default) has come. Nothing is retried for ever or dropped unsaid.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::RunQueryDsl;
use handlebars::Handlebars;
use platform_db::conn::{DbConnection, Scope};
use platform_db::models::{OutboxMessage, Role, Tenant, TenantStatus};
use platform_db::repo::reminders::{self as repo, Recipient};
use platform_db::repo::{outbox, tenants};
use platform_db::{DbError, UserId};
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
    /// Reminders held for members' daily digests.
    pub held: usize,
    /// Daily digests queued.
    pub digests: usize,
}

/// How a tick is configured.
pub struct TickSettings<'a> {
    pub templates: &'a Handlebars<'static>,
    /// Where people reach the platform; the reminders' links start with it.
    pub public_url: &'a str,
    /// How long a reminder may take to be delivered before it is failed.
    pub give_up_after: chrono::Duration,
    /// The name of a body of a trust's framework (a board, a partnership), when it is known.
    pub body_name: &'a dyn Fn(&Tenant, &str) -> Option<String>,
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// Runs one tick at `now` (UTC): each trust's reminders for its own date in its time zone, and
/// its members' daily digests once its digest hour has come there.
pub fn tick(conn: &mut DbConnection, settings: &TickSettings<'_>, now: NaiveDateTime) -> Result<TickReport, DbError> {
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
            tick_tenant(conn, settings, &tenant, now, &mut report)?;
        }
        Ok(report)
    })
}

/// A trust's local date and hour at `now` (UTC), in its time zone (London when it names none
/// the platform knows).
pub fn local_now(time_zone: &str, now: NaiveDateTime) -> (NaiveDate, u32) {
    use chrono::{TimeZone, Timelike};
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Europe::London);
    let local = tz.from_utc_datetime(&now);
    (local.date_naive(), local.hour())
}

/// One reminder, before it is addressed.
struct Reminder<'a> {
    tenant: &'a Tenant,
    subject_kind: &'static str,
    subject_id: String,
    what: String,
    reference: Option<String>,
    /// The heading a digest lists it under: the body that owns it, or what it is.
    body: String,
    path: String,
    due: Due,
}

/// Who gets a reminder: the member, why, whether they may turn it off.
struct Addressee<'a> {
    to: &'a Recipient,
    why: String,
    optional: bool,
}

/// What a trust's members chose for a topic: each reminder (the default), a digest, or none.
struct Modes(HashMap<UserId, String>);

impl Modes {
    fn read(conn: &mut DbConnection, tenant: &Tenant, topic: &str) -> Result<Modes, DbError> {
        Ok(Modes(repo::modes(conn, &tenant.id, topic)?.into_iter().collect()))
    }

    /// How `user` gets a reminder: `each`, `digest` or None (turned off). A reminder that
    /// cannot be turned off comes one by one to those who turned the topic off.
    fn of(&self, user: &UserId, optional: bool) -> Option<&str> {
        match self.0.get(user).map(String::as_str) {
            Some("digest") => Some("digest"),
            Some("off") if optional => None,
            _ => Some("each"),
        }
    }
}

fn tick_tenant(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    tenant: &Tenant,
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    let trust = repo::settings(conn, &tenant.id)?;
    let (today, hour) = local_now(&trust.time_zone, now);
    let lead = plan::lead_days(&trust.lead_days).unwrap_or_else(|_| vec![28, 14, 7, 1]);
    let furthest = u64::from(lead.first().copied().unwrap_or(28)) + 7;
    let from = today - Days::new(plan::OVERDUE_WINDOW_DAYS);
    let everyone: HashMap<UserId, Recipient> =
        repo::members_with(conn, &tenant.id, Role::ALL)?.into_iter().map(|r| (r.user.clone(), r)).collect();
    let commissioners = repo::members_with(conn, &tenant.id, &[Role::Commissioner])?;
    let admins = repo::members_with(conn, &tenant.id, &[Role::TenantAdmin])?;
    let mut serving: HashMap<String, Vec<Recipient>> = HashMap::new();
    for (body, member) in repo::body_members(conn, &tenant.id)? {
        serving.entry(body).or_default().push(member);
    }
    let mut taken = repo::taken_keys(conn, &tenant.id, from - Days::new(1))?;
    let reviews_mode = Modes::read(conn, tenant, "reviews")?;
    let contracts_mode = Modes::read(conn, tenant, "contracts")?;
    let slug = &tenant.slug;
    let body_name = |code: &str| (settings.body_name)(tenant, code).unwrap_or_else(|| code.replace('_', " "));

    for review in repo::open_reviews_between(conn, &tenant.id, from, today + Days::new(furthest))? {
        for due in plan::review(review.due_on, &lead, today) {
            let owner = review.owner_user_id.as_ref().and_then(|u| everyone.get(u));
            let body = review.owner_body.as_deref().map(&body_name);
            let mut to: Vec<Addressee<'_>> = match (owner, review.owner_body.as_deref().and_then(|b| serving.get(b))) {
                (Some(o), _) => vec![Addressee { to: o, why: "you own this review.".into(), optional: true }],
                (None, Some(members)) => members
                    .iter()
                    .map(|m| Addressee {
                        to: m,
                        why: format!(
                            "you serve on {}, which owns this review, and it has no owner in person.",
                            body.clone().unwrap_or_default()
                        ),
                        optional: true,
                    })
                    .collect(),
                (None, None) => commissioners
                    .iter()
                    .map(|c| Addressee {
                        to: c,
                        why: "you are a commissioner of the trust and the review has no owner.".into(),
                        optional: true,
                    })
                    .collect(),
            };
            if due.escalation {
                for a in &admins {
                    if !to.iter().any(|t| t.to.user == a.user) {
                        to.push(Addressee {
                            to: a,
                            why: "you are an admin of the trust: overdue reviews are escalated to you.".into(),
                            optional: false,
                        });
                    }
                }
            }
            let reminder = Reminder {
                tenant,
                subject_kind: "review",
                subject_id: review.id.to_string(),
                what: review.title.clone(),
                reference: None,
                body: body.unwrap_or_else(|| "Reviews with no owning body".into()),
                path: format!("/t/{slug}/reviews/{}", review.id),
                due: due.clone(),
            };
            for a in to {
                deliver(conn, settings, &reminder, &a, &reviews_mode, (now, &mut taken), report)?;
            }
        }
    }

    // Contracts: a notice period is at most 36 months.
    let to_commissioners = |why: &str| -> Vec<Addressee<'_>> {
        commissioners.iter().map(|c| Addressee { to: c, why: why.to_string(), optional: true }).collect()
    };
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
                body: "Contracts".into(),
                path: format!("/t/{slug}/contracts/{}", contract.id),
                due,
            };
            for a in to_commissioners("you are a commissioner of the trust.") {
                deliver(conn, settings, &reminder, &a, &contracts_mode, (now, &mut taken), report)?;
            }
        }
    }

    // The Procurement Act 2023's deadlines, for the contracts the trust marked as covered.
    let why_act = "you are a commissioner of the trust and the contract is covered by the Procurement Act 2023.";
    for (contract, regime, signed_on) in repo::procurement_contracts(conn, &tenant.id, today, 31)? {
        let terms = plan::ActContract::of(&contract, &regime, signed_on);
        for due in plan::act_contract(&terms, today) {
            let reminder = Reminder {
                tenant,
                subject_kind: "contract",
                subject_id: contract.id.to_string(),
                what: contract.title.clone(),
                reference: Some(contract.reference.clone()),
                body: "Procurement Act 2023".into(),
                path: format!("/t/{slug}/contracts/{}", contract.id),
                due,
            };
            for a in to_commissioners(why_act) {
                deliver(conn, settings, &reminder, &a, &contracts_mode, (now, &mut taken), report)?;
            }
        }
    }
    if let Some((first, last, due)) = plan::act_payments(today)
        && repo::covered_contracts_running(conn, &tenant.id, first, last)?
    {
        let reminder = Reminder {
            tenant,
            subject_kind: "trust",
            subject_id: format!("payments-{last}"),
            what: format!("payments compliance for {} to {}", first.format("%-d %B %Y"), last.format("%-d %B %Y")),
            reference: None,
            body: "Procurement Act 2023".into(),
            path: format!("/t/{slug}/contracts"),
            due,
        };
        let why = "you are a commissioner of the trust, which had contracts covered by the Procurement Act 2023 in the period.";
        for a in to_commissioners(why) {
            deliver(conn, settings, &reminder, &a, &contracts_mode, (now, &mut taken), report)?;
        }
    }

    if i64::from(hour) >= i64::from(trust.digest_hour) {
        send_digests(conn, settings, tenant, &everyone, today, now, report)?;
    }
    Ok(())
}

/// What a reminder says it is, in words.
fn headline(due: &Due) -> (String, String) {
    let day = due.due_on.format("%A %-d %B %Y").to_string();
    let kind = due.kind.as_str();
    if let Some(n) = kind.strip_prefix("review_due_").and_then(|n| n.parse::<u32>().ok()) {
        let days = if n == 1 { "tomorrow".to_string() } else { format!("in {n} days") };
        return (format!("Review due {days}"), format!("It is due on {day}."));
    }
    for (code, notice, section) in plan::ACT_NOTICES {
        let Some(stage) = kind.strip_prefix(code).and_then(|s| s.strip_prefix('_')) else { continue };
        let mut name = notice.to_string();
        name[..1].make_ascii_uppercase();
        let when = match stage {
            "due" => "due today".to_string(),
            "7" => "due in 7 days".to_string(),
            _ => format!("due by {}", due.due_on.format("%-d %B %Y")),
        };
        let what = match code {
            "pa_performance" => format!(
                "Assess the contract's performance against its key performance indicators and publish a contract performance notice by {day}"
            ),
            _ => format!("Publish the {notice} by {day}"),
        };
        return (
            format!("{name} {when}"),
            format!(
                "{what} (Procurement Act 2023, {section}). The trust remains responsible for publishing its notices; this is a reminder."
            ),
        );
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

/// The unique key of a reminder to a member: the same for an email and for a digest's line.
fn key_of(r: &Reminder<'_>, to: &Recipient) -> String {
    format!("reminder:{}:{}:{}:{}:{}:{}", r.tenant.id, r.subject_kind, r.subject_id, r.due.kind, r.due.due_on, to.user)
}

/// Sends a reminder to one member as they chose: on its own, held for their digest, or not.
fn deliver(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    r: &Reminder<'_>,
    a: &Addressee<'_>,
    modes: &Modes,
    (now, taken): (NaiveDateTime, &mut HashSet<String>),
    report: &mut TickReport,
) -> Result<(), DbError> {
    let mode = modes.of(&a.to.user, a.optional);
    if mode.is_none() {
        return Ok(());
    }
    let key = key_of(r, a.to);
    if taken.contains(&key) {
        report.already += 1;
        return Ok(());
    }
    taken.insert(key.clone());
    match mode {
        None => Ok(()),
        Some("digest") => {
            let (headline, detail) = headline(&r.due);
            let base = settings.public_url.trim_end_matches('/');
            let item = repo::DigestItem {
                key,
                tenant_id: r.tenant.id.clone(),
                user_id: a.to.user.clone(),
                due_on: r.due.due_on,
                body: r.body.clone(),
                kind: r.due.kind.clone(),
                subject_kind: r.subject_kind.to_string(),
                subject_id: r.subject_id.clone(),
                content: json!({"headline": headline, "what": r.what, "reference": r.reference, "detail": detail,
                    "link": format!("{base}{}", r.path), "why": a.why})
                .to_string(),
                created_at: now,
                digest_key: None,
            };
            if repo::hold(conn, &item)? {
                report.held += 1;
            } else {
                report.already += 1;
            }
            Ok(())
        }
        Some(_) => queue(conn, settings, r, a, key, now, report),
    }
}

fn queue(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    r: &Reminder<'_>,
    a: &Addressee<'_>,
    key: String,
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    let to = a.to;
    let (headline, detail) = headline(&r.due);
    let base = settings.public_url.trim_end_matches('/');
    // An escalation to an admin cannot be turned off; anything else carries its own link.
    let topic = if r.subject_kind == "review" { "reviews" } else { "contracts" };
    let token = if a.optional {
        Some(crate::secrets::random_token().map_err(|e| DbError::Other(e.to_string()))?)
    } else {
        None
    };
    let unsubscribe = token.as_ref().map(|t| format!("{base}/unsubscribe/{t}"));
    let data = json!({
        "tenant": r.tenant.name, "name": to.name, "headline": headline, "what": r.what, "reference": r.reference,
        "detail": detail, "why": a.why, "body": r.body,
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
    message.due_on = Some(r.due.due_on);
    message.recipient_user_id = Some(to.user.clone());
    message.give_up_at = Some(now + settings.give_up_after);
    message.unsubscribe_url.clone_from(&unsubscribe);
    enqueue(conn, &message, r.tenant, &to.user, token.as_deref().map(|t| (t, topic)), now, report)
}

/// Writes a message to the outbox under its key, and its unsubscribe link's hash with it.
fn enqueue(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    tenant: &Tenant,
    user: &UserId,
    token: Option<(&str, &str)>,
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    match outbox::enqueue(conn, message) {
        Ok(true) => {
            report.queued += 1;
            if let Some((t, topic)) = token {
                repo::add_unsubscribe(conn, &crate::secrets::hash(t), &tenant.id, user, topic, now)?;
            }
        }
        Ok(false) => report.already += 1,
        Err(DbError::Invalid { field, message: why }) => {
            report.refused += 1;
            tracing::warn!(tenant = %tenant.slug, %user, %field, %why, "a reminder's recipient was refused");
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Each member's daily digest for `today`: everything held for them, in date order, grouped by
/// body, in one email under the key (trust, member, day), the items marked as carried in the
/// same transaction. What is held after a day's digest went waits for the next day's.
fn send_digests(
    conn: &mut DbConnection,
    settings: &TickSettings<'_>,
    tenant: &Tenant,
    everyone: &HashMap<UserId, Recipient>,
    today: NaiveDate,
    now: NaiveDateTime,
    report: &mut TickReport,
) -> Result<(), DbError> {
    let waiting = repo::waiting(conn, &tenant.id)?;
    let mut by_user: Vec<(UserId, Vec<repo::DigestItem>)> = Vec::new();
    for item in waiting {
        match by_user.last_mut() {
            Some((u, items)) if *u == item.user_id => items.push(item),
            _ => by_user.push((item.user_id.clone(), vec![item])),
        }
    }
    let base = settings.public_url.trim_end_matches('/');
    for (user, items) in by_user {
        let key = format!("digest:{}:{user}:{today}", tenant.id);
        if repo::key_taken(conn, &key)? {
            continue; // today's digest went: these wait for tomorrow's
        }
        let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
        let Some(to) = everyone.get(&user) else {
            // No longer a member: nothing to send them; said, and not held for ever.
            tracing::info!(tenant = %tenant.slug, %user, held = keys.len(), "a former member's held reminders were let go");
            repo::carried(conn, &keys, &format!("{key}:not-a-member"))?;
            continue;
        };
        // Groups by body, each in date order, the groups in the order of their first date.
        let mut groups: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
        for item in &items {
            let mut line: serde_json::Value = serde_json::from_str(&item.content).unwrap_or_else(|_| json!({}));
            line["due_on"] = json!(item.due_on.format("%A %-d %B %Y").to_string());
            match groups.iter_mut().find(|(b, _)| *b == item.body) {
                Some((_, lines)) => lines.push(line),
                None => groups.push((item.body.clone(), vec![line])),
            }
        }
        let token = crate::secrets::random_token().map_err(|e| DbError::Other(e.to_string()))?;
        let unsubscribe = format!("{base}/unsubscribe/{token}");
        let data = json!({
            "tenant": tenant.name, "name": to.name, "count": items.len(),
            "day": today.format("%A %-d %B %Y").to_string(),
            "groups": groups.iter().map(|(b, lines)| json!({"body": b, "items": lines})).collect::<Vec<_>>(),
            "unsubscribe": unsubscribe,
            "choices": format!("{base}/t/{}/reminders/mine", tenant.slug),
        });
        let rendered =
            Mailer::render(settings.templates, "digest", &data).map_err(|e| DbError::Other(e.to_string()))?;
        let mut message = OutboxMessage::plain(
            Some(tenant.id.clone()),
            key.clone(),
            mail::message_id(&key, MESSAGE_DOMAIN),
            to.email.clone(),
            (rendered.subject, rendered.text, rendered.html),
            now,
        );
        message.kind = Some("digest".into());
        message.subject_kind = Some("digest".into());
        message.subject_id = Some(today.to_string());
        message.due_on = Some(today);
        message.recipient_user_id = Some(user.clone());
        message.give_up_at = Some(now + settings.give_up_after);
        message.unsubscribe_url = Some(unsubscribe);
        let before = report.queued;
        enqueue(conn, &message, tenant, &user, Some((&token, "digest")), now, report)?;
        if report.queued > before {
            report.queued -= 1;
            report.digests += 1;
            repo::carried(conn, &keys, &key)?;
        }
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

/// How many messages a dispatcher sends at once (each on its own SMTP connection and
/// database connection): a mail server answers each message in a few round trips, so one at a
/// time leaves the dispatcher waiting.
pub const SENDERS: usize = 8;
/// Rows claimed at a time.
const CLAIM: i64 = 40;

/// Sends what is due at `now`, claiming a batch at a time, until nothing is left or `stop()`.
/// Each message is settled as soon as its server answers, so a process killed while sending
/// leaves at most the messages in flight (one per sender) to be sent again.
pub fn dispatch(
    pool: &platform_db::conn::Pool,
    mailer: &Mailer,
    worker: &str,
    now: impl Fn() -> NaiveDateTime + Sync,
    stop: impl Fn() -> bool + Sync,
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
                repo::claim(conn, at, at + chrono::Duration::seconds(LEASE_SECONDS), worker, CLAIM)
            })?
        };
        if batch.is_empty() {
            return Ok(report);
        }
        // The batch dealt round the senders.
        let mut shares: Vec<Vec<OutboxMessage>> = (0..SENDERS).map(|_| Vec::new()).collect();
        for (i, row) in batch.into_iter().enumerate() {
            shares[i % SENDERS].push(row);
        }
        let outcomes: Vec<Result<(DispatchReport, Vec<OutboxMessage>), DbError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .into_iter()
                .filter(|rows| !rows.is_empty())
                .map(|rows| scope.spawn(|| send_share(pool, mailer, worker, rows, &now, &stop)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(DbError::Other("a sender stopped unexpectedly".into()))))
                .collect()
        });
        let mut left = Vec::new();
        for outcome in outcomes {
            let (done, not_tried) = outcome?;
            report.sent += done.sent;
            report.retrying += done.retrying;
            report.failed += done.failed;
            left.extend(not_tried);
        }
        // Rows claimed but not tried (a stop): given back at once, not after the lease.
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

/// One sender's share of a batch: each message sent and settled in turn; what a stop left
/// untried is handed back.
fn send_share(
    pool: &platform_db::conn::Pool,
    mailer: &Mailer,
    worker: &str,
    rows: Vec<OutboxMessage>,
    now: &(impl Fn() -> NaiveDateTime + Sync),
    stop: &(impl Fn() -> bool + Sync),
) -> Result<(DispatchReport, Vec<OutboxMessage>), DbError> {
    let mut report = DispatchReport::default();
    let mut left = Vec::new();
    // One connection for the share, taken before sending: a connection asked for per message
    // by eight senders at once left the pool opening connections nobody waited for, and a
    // process exiting meanwhile (the end of `run-once`) could crash in the database client.
    let mut conn = pool.get()?;
    for row in rows {
        if !left.is_empty() || stop() {
            left.push(row);
            continue;
        }
        let result = mailer.send_with(
            &row.to_address,
            &row.message_id,
            &Rendered { subject: row.subject.clone(), text: row.body_text.clone(), html: row.body_html.clone() },
            &headers_of(&row),
        );
        let at = now();
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
    Ok((report, left))
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
        let due = |kind: &str| Due { kind: kind.into(), send_on: d, due_on: d, escalation: false };
        assert_eq!(headline(&due("review_due_14")).0, "Review due in 14 days");
        assert_eq!(headline(&due("review_due_1")).0, "Review due tomorrow");
        assert_eq!(headline(&due("review_due_today")).1, "It is due on Wednesday 17 June 2026.");
        assert!(headline(&due("contract_notice")).1.contains("re-commission"));
        // The Procurement Act's notices say what is due, by when, and the section.
        let (title, detail) = headline(&due("pa_contract_details_open"));
        assert_eq!(title, "Contract details notice due by 17 June 2026");
        assert!(detail.contains("by Wednesday 17 June 2026 (Procurement Act 2023, section 53)"), "{detail}");
        assert!(detail.contains("remains responsible"));
        assert_eq!(headline(&due("pa_termination_due")).0, "Contract termination notice due today");
        assert!(headline(&due("pa_performance_7")).1.contains("sections 52 and 71"));
        assert!(headline(&due("pa_payments_7")).1.contains("section 69"));
    }

    #[test]
    fn a_trusts_day_and_hour_are_its_own_time_zones() {
        let at = |s: &str| s.parse::<NaiveDateTime>().unwrap();
        // London in summer is an hour ahead of UTC: 23:30 UTC on 30 June is 00:30 on 1 July.
        assert_eq!(local_now("Europe/London", at("2026-06-30T23:30:00")), ("2026-07-01".parse().unwrap(), 0));
        // In winter London is UTC.
        assert_eq!(local_now("Europe/London", at("2026-12-07T07:59:00")), ("2026-12-07".parse().unwrap(), 7));
        // A name the platform does not know is read as London.
        assert_eq!(local_now("Mars/Olympus", at("2026-06-30T08:00:00")).1, 9);
    }
}
