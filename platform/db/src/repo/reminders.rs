//! What the reminders' tick reads (a trust's open reviews and running contracts near their
//! dates, its lead times, the members to tell) and how the dispatcher claims, sends and settles
//! outbox rows. A claim is a lease: PostgreSQL picks the rows with `FOR UPDATE SKIP LOCKED`, so
//! two dispatchers never wait on each other; on both backends the lease is then taken by a
//! conditional update, so a row is claimed by one dispatcher only.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::models::{Contract, ContractStatus, OutboxMessage, OutboxStatus, Review, ReviewStatus, Role};
use crate::schema::{
    body_members, calendar_feeds, contracts, mail_outbox, memberships, reminder_digest_items, reminder_preferences,
    reminder_settings, reviews, unsubscribe_tokens, users,
};
use crate::{OutboxId, TenantId, UserId};

/// A trust's reminder settings: lead times, and when its daily digests go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Days before a review falls due, as the admin wrote them (`28,14,7,1`).
    pub lead_days: String,
    /// The hour of the day (0-23) digests go out, in `time_zone`.
    pub digest_hour: i32,
    /// An IANA time zone name (`Europe/London`).
    pub time_zone: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { lead_days: "28,14,7,1".into(), digest_hour: 8, time_zone: "Europe/London".into() }
    }
}

/// A trust's reminder settings, or the defaults.
pub fn settings(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Settings> {
    let row: Option<(String, i32, String)> = reminder_settings::table
        .find(tenant)
        .select((reminder_settings::lead_days, reminder_settings::digest_hour, reminder_settings::time_zone))
        .first(conn)
        .optional()?;
    Ok(row.map_or_else(Settings::default, |(lead_days, digest_hour, time_zone)| Settings {
        lead_days,
        digest_hour,
        time_zone,
    }))
}

/// Sets a trust's reminder settings (checked by the caller).
pub fn set_settings(conn: &mut DbConnection, tenant: &TenantId, s: &Settings, now: NaiveDateTime) -> DbResult<()> {
    set_lead_days(conn, tenant, &s.lead_days, now)?;
    diesel::update(reminder_settings::table.find(tenant))
        .set((reminder_settings::digest_hour.eq(s.digest_hour), reminder_settings::time_zone.eq(&s.time_zone)))
        .execute(conn)?;
    Ok(())
}

/// Sets a trust's lead times (checked by the caller).
pub fn set_lead_days(conn: &mut DbConnection, tenant: &TenantId, lead: &str, now: NaiveDateTime) -> DbResult<()> {
    let updated = diesel::update(reminder_settings::table.find(tenant))
        .set((reminder_settings::lead_days.eq(lead), reminder_settings::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(reminder_settings::table)
            .values((
                reminder_settings::tenant_id.eq(tenant),
                reminder_settings::lead_days.eq(lead),
                reminder_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Open reviews (scheduled or in progress) due from `from` to `to`: the index on
/// (tenant, status, due date) answers it, so a tick's cost follows what is near, not the total.
pub fn open_reviews_between(
    conn: &mut DbConnection,
    tenant: &TenantId,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Review>> {
    Ok(reviews::table
        .filter(reviews::tenant_id.eq(tenant))
        .filter(reviews::status.eq_any([ReviewStatus::Scheduled, ReviewStatus::InProgress]))
        .filter(reviews::due_on.between(from, to))
        .order((reviews::due_on.asc(), reviews::id.asc()))
        .select(Review::as_select())
        .load(conn)?)
}

/// Active contracts ending from `from` to `to`, with the months of notice set on each.
pub fn running_contracts_ending_between(
    conn: &mut DbConnection,
    tenant: &TenantId,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(Contract, i32)>> {
    Ok(contracts::table
        .filter(contracts::tenant_id.eq(tenant))
        .filter(contracts::status.eq(ContractStatus::Active))
        .filter(contracts::end_date.between(from, to))
        .order((contracts::end_date.asc(), contracts::id.asc()))
        .select((Contract::as_select(), contracts::notice_months))
        .load(conn)?)
}

/// Covered contracts that may have a Procurement Act deadline near `today`: running, or ended
/// (by expiry or termination) within the last `ended_within` days. With each: its months of
/// notice, whether the Act covers it, its regime and the day it was entered into.
pub fn procurement_contracts(
    conn: &mut DbConnection,
    tenant: &TenantId,
    today: NaiveDate,
    ended_within: u64,
) -> DbResult<Vec<(Contract, String, Option<NaiveDate>)>> {
    let since = today - chrono::Days::new(ended_within);
    Ok(contracts::table
        .filter(contracts::tenant_id.eq(tenant))
        .filter(contracts::procurement_act.eq(true))
        .filter(contracts::status.ne(ContractStatus::Draft))
        .filter(contracts::end_date.ge(since))
        .order((contracts::end_date.asc(), contracts::id.asc()))
        .select((Contract::as_select(), contracts::procurement_regime, contracts::signed_on))
        .load(conn)?)
}

/// A contract's reminder and Procurement Act terms.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContractTerms {
    /// Months before the end that commissioners are told (0 to 36).
    pub notice_months: i32,
    /// Whether the Procurement Act 2023 covers the contract.
    pub procurement_act: bool,
    /// `standard` or `light_touch`.
    pub procurement_regime: String,
    /// The day it was entered into (its start date when none is given).
    pub signed_on: Option<NaiveDate>,
}

/// A contract's terms.
pub fn contract_terms(conn: &mut DbConnection, tenant: &TenantId, id: &crate::ContractId) -> DbResult<ContractTerms> {
    let (notice_months, procurement_act, procurement_regime, signed_on) = contracts::table
        .find(id)
        .filter(contracts::tenant_id.eq(tenant))
        .select((
            contracts::notice_months,
            contracts::procurement_act,
            contracts::procurement_regime,
            contracts::signed_on,
        ))
        .first(conn)?;
    Ok(ContractTerms { notice_months, procurement_act, procurement_regime, signed_on })
}

/// Sets a contract's terms if it is still at `version` (raising it); false when it is not.
pub fn set_contract_terms(
    conn: &mut DbConnection,
    tenant: &TenantId,
    id: &crate::ContractId,
    version: i32,
    terms: &ContractTerms,
) -> DbResult<bool> {
    let n = diesel::update(
        contracts::table.find(id).filter(contracts::tenant_id.eq(tenant)).filter(contracts::version.eq(version)),
    )
    .set((
        contracts::notice_months.eq(terms.notice_months),
        contracts::procurement_act.eq(terms.procurement_act),
        contracts::procurement_regime.eq(&terms.procurement_regime),
        contracts::signed_on.eq(terms.signed_on),
        contracts::version.eq(contracts::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether the trust had a contract covered by the Act running at some time from `from` to `to`
/// (it then owes a payments compliance notice for the period).
pub fn covered_contracts_running(
    conn: &mut DbConnection,
    tenant: &TenantId,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<bool> {
    let n: i64 = contracts::table
        .filter(contracts::tenant_id.eq(tenant))
        .filter(contracts::procurement_act.eq(true))
        .filter(contracts::status.ne(ContractStatus::Draft))
        .filter(contracts::start_date.le(to))
        .filter(contracts::end_date.ge(from))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A member to tell: their user, address and the name the trust knows them by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user: UserId,
    pub email: String,
    pub name: String,
}

/// The members of a trust with any of `roles`, by name.
pub fn members_with(conn: &mut DbConnection, tenant: &TenantId, roles: &[Role]) -> DbResult<Vec<Recipient>> {
    let rows: Vec<(UserId, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::tenant_id.eq(tenant))
        .filter(memberships::role.eq_any(roles))
        .order((memberships::display_name.asc(), users::id.asc()))
        .select((users::id, users::email, memberships::display_name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user, email, name)| Recipient { user, email, name }).collect())
}

/// One member of a trust, if they still are one.
pub fn member(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<Option<Recipient>> {
    let row: Option<(UserId, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::tenant_id.eq(tenant))
        .filter(memberships::user_id.eq(user))
        .select((users::id, users::email, memberships::display_name))
        .first(conn)
        .optional()?;
    Ok(row.map(|(user, email, name)| Recipient { user, email, name }))
}

/// Within a transaction on SQLite, takes the database's write lock before reading: a deferred
/// transaction that reads and then writes cannot wait for another writer (SQLite answers
/// "busy" at once), one that writes first waits its turn. On PostgreSQL, nothing.
pub fn write_first(conn: &mut DbConnection) -> DbResult<()> {
    if let DbConnection::Sqlite(lite) = conn {
        diesel::sql_query("UPDATE reminder_settings SET version = version WHERE 0 = 1").execute(lite)?;
    }
    Ok(())
}

/// Claims up to `limit` rows due to be sent at `now` for `worker` until `until`.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    worker: &str,
    limit: i64,
) -> DbResult<Vec<OutboxMessage>> {
    let due = mail_outbox::status
        .eq(OutboxStatus::Pending)
        .and(mail_outbox::next_attempt_at.le(now))
        .and(mail_outbox::lease_until.is_null().or(mail_outbox::lease_until.lt(now)));
    conn.transaction(|conn| {
        write_first(conn)?;
        let candidates: Vec<OutboxId> = match &mut *conn {
            DbConnection::Postgres(pg) => mail_outbox::table
                .filter(due)
                .order((mail_outbox::next_attempt_at.asc(), mail_outbox::id.asc()))
                .limit(limit)
                .select(mail_outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            other @ DbConnection::Sqlite(_) => mail_outbox::table
                .filter(due)
                .order((mail_outbox::next_attempt_at.asc(), mail_outbox::id.asc()))
                .limit(limit)
                .select(mail_outbox::id)
                .load(other)?,
        };
        let mut claimed = Vec::new();
        for id in candidates {
            let taken = diesel::update(mail_outbox::table.find(&id).filter(due))
                .set((mail_outbox::lease_until.eq(until), mail_outbox::claimed_by.eq(worker)))
                .execute(conn)?;
            if taken == 1 {
                claimed.push(mail_outbox::table.find(&id).select(OutboxMessage::as_select()).first(conn)?);
            }
        }
        Ok(claimed)
    })
}

/// The row was accepted by the mail server (or written to the outbox folder).
pub fn sent(conn: &mut DbConnection, id: &OutboxId, worker: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(mail_outbox::table.find(id).filter(mail_outbox::claimed_by.eq(worker)))
        .set((
            mail_outbox::status.eq(OutboxStatus::Sent),
            mail_outbox::sent_at.eq(now),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::lease_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// A try failed: tried again at `next`, or failed for good (`next` None) with the reason.
pub fn not_sent(
    conn: &mut DbConnection,
    id: &OutboxId,
    worker: &str,
    next: Option<NaiveDateTime>,
    error: &str,
) -> DbResult<()> {
    let error: String = error.chars().take(2000).collect();
    let row = mail_outbox::table.find(id).filter(mail_outbox::claimed_by.eq(worker));
    match next {
        Some(at) => diesel::update(row)
            .set((
                mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                mail_outbox::next_attempt_at.eq(at),
                mail_outbox::lease_until.eq(None::<NaiveDateTime>),
                mail_outbox::last_error.eq(error),
            ))
            .execute(conn)?,
        None => diesel::update(row)
            .set((
                mail_outbox::status.eq(OutboxStatus::Failed),
                mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                mail_outbox::lease_until.eq(None::<NaiveDateTime>),
                mail_outbox::last_error.eq(error),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Gives a claimed row back (a dispatcher stopping before it tried it).
pub fn release(conn: &mut DbConnection, id: &OutboxId, worker: &str) -> DbResult<()> {
    diesel::update(mail_outbox::table.find(id).filter(mail_outbox::claimed_by.eq(worker)))
        .set(mail_outbox::lease_until.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// A trust's reminders, newest first: what was sent, what is queued, what failed.
pub fn of_tenant(conn: &mut DbConnection, tenant: &TenantId, limit: i64) -> DbResult<Vec<OutboxMessage>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::tenant_id.eq(tenant))
        .filter(mail_outbox::kind.is_not_null())
        .order((mail_outbox::created_at.desc(), mail_outbox::id.desc()))
        .limit(limit.clamp(1, 1000))
        .select(OutboxMessage::as_select())
        .load(conn)?)
}

/// A failed reminder of a trust queued again now (after its address was put right).
pub fn retry(conn: &mut DbConnection, tenant: &TenantId, id: &OutboxId, now: NaiveDateTime) -> DbResult<bool> {
    let n = diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::tenant_id.eq(tenant))
            .filter(mail_outbox::status.eq(OutboxStatus::Failed)),
    )
    .set((
        mail_outbox::status.eq(OutboxStatus::Pending),
        mail_outbox::next_attempt_at.eq(now),
        mail_outbox::give_up_at.eq(now + chrono::Duration::hours(24)),
        mail_outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The topics of reminders a member may choose about.
pub const TOPICS: [&str; 2] = ["reviews", "contracts"];

/// A member's choice for each topic they chose about ("each" or "off"); the rest are "each".
pub fn preferences(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<Vec<(String, String)>> {
    Ok(reminder_preferences::table
        .filter(reminder_preferences::tenant_id.eq(tenant))
        .filter(reminder_preferences::user_id.eq(user))
        .select((reminder_preferences::topic, reminder_preferences::mode))
        .load(conn)?)
}

/// Sets a member's choice for a topic (both checked by the caller).
pub fn set_preference(
    conn: &mut DbConnection,
    tenant: &TenantId,
    user: &UserId,
    topic: &str,
    mode: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    let row = reminder_preferences::table
        .filter(reminder_preferences::tenant_id.eq(tenant))
        .filter(reminder_preferences::user_id.eq(user))
        .filter(reminder_preferences::topic.eq(topic));
    let updated = diesel::update(row)
        .set((reminder_preferences::mode.eq(mode), reminder_preferences::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(reminder_preferences::table)
            .values((
                reminder_preferences::tenant_id.eq(tenant),
                reminder_preferences::user_id.eq(user),
                reminder_preferences::topic.eq(topic),
                reminder_preferences::mode.eq(mode),
                reminder_preferences::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The members of a trust who chose other than "each" for a topic, with their choice
/// (`digest` or `off`).
pub fn modes(conn: &mut DbConnection, tenant: &TenantId, topic: &str) -> DbResult<Vec<(UserId, String)>> {
    Ok(reminder_preferences::table
        .filter(reminder_preferences::tenant_id.eq(tenant))
        .filter(reminder_preferences::topic.eq(topic))
        .filter(reminder_preferences::mode.ne("each"))
        .select((reminder_preferences::user_id, reminder_preferences::mode))
        .load(conn)?)
}

/// The bodies a member serves on in a trust.
pub fn bodies_of(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<Vec<String>> {
    Ok(body_members::table
        .filter(body_members::tenant_id.eq(tenant))
        .filter(body_members::user_id.eq(user))
        .order(body_members::body.asc())
        .select(body_members::body)
        .load(conn)?)
}

/// Sets the bodies a member serves on in a trust (checked by the caller).
pub fn set_bodies(
    conn: &mut DbConnection,
    tenant: &TenantId,
    user: &UserId,
    bodies: &[String],
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::delete(
        body_members::table.filter(body_members::tenant_id.eq(tenant)).filter(body_members::user_id.eq(user)),
    )
    .execute(conn)?;
    for body in bodies {
        diesel::insert_into(body_members::table)
            .values((
                body_members::tenant_id.eq(tenant),
                body_members::body.eq(body),
                body_members::user_id.eq(user),
                body_members::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The members of a trust who serve on each body, by body.
pub fn body_members(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<(String, Recipient)>> {
    let rows: Vec<(String, UserId, String, String)> =
        body_members::table
            .inner_join(memberships::table.on(
                memberships::tenant_id.eq(body_members::tenant_id).and(memberships::user_id.eq(body_members::user_id)),
            ))
            .inner_join(users::table.on(users::id.eq(body_members::user_id)))
            .filter(body_members::tenant_id.eq(tenant))
            .order((body_members::body.asc(), memberships::display_name.asc()))
            .select((body_members::body, users::id, users::email, memberships::display_name))
            .load(conn)?;
    Ok(rows.into_iter().map(|(body, user, email, name)| (body, Recipient { user, email, name })).collect())
}

/// Whether a reminder's key is already taken: queued as an email, or held for a digest.
pub fn key_taken(conn: &mut DbConnection, key: &str) -> DbResult<bool> {
    let queued: i64 = mail_outbox::table.filter(mail_outbox::idempotency_key.eq(key)).count().get_result(conn)?;
    if queued > 0 {
        return Ok(true);
    }
    let held: i64 = reminder_digest_items::table.find(key).count().get_result(conn)?;
    Ok(held > 0)
}

/// The keys of a trust's reminders already queued or held for a digest, for dates from `since`:
/// read once a tick, so that what is already done costs no query per reminder.
pub fn taken_keys(
    conn: &mut DbConnection,
    tenant: &TenantId,
    since: NaiveDate,
) -> DbResult<std::collections::HashSet<String>> {
    let mut keys: std::collections::HashSet<String> = mail_outbox::table
        .filter(mail_outbox::tenant_id.eq(tenant))
        .filter(mail_outbox::due_on.ge(since))
        .select(mail_outbox::idempotency_key)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    keys.extend(
        reminder_digest_items::table
            .filter(reminder_digest_items::tenant_id.eq(tenant))
            .filter(reminder_digest_items::due_on.ge(since))
            .select(reminder_digest_items::key)
            .load::<String>(conn)?,
    );
    Ok(keys)
}

/// A reminder held for a member's next daily digest.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reminder_digest_items)]
pub struct DigestItem {
    pub key: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub due_on: NaiveDate,
    /// The heading it is listed under (the body that owns it).
    pub body: String,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: String,
    /// What the digest says of it, as JSON.
    pub content: String,
    pub created_at: NaiveDateTime,
    pub digest_key: Option<String>,
}

/// Holds a reminder for a digest; false when its key is already taken.
pub fn hold(conn: &mut DbConnection, item: &DigestItem) -> DbResult<bool> {
    if key_taken(conn, &item.key)? {
        return Ok(false);
    }
    diesel::insert_into(reminder_digest_items::table).values(item).execute(conn)?;
    Ok(true)
}

/// The reminders held for digests in a trust not yet sent, by member, in date order.
pub fn waiting(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<DigestItem>> {
    Ok(reminder_digest_items::table
        .filter(reminder_digest_items::tenant_id.eq(tenant))
        .filter(reminder_digest_items::digest_key.is_null())
        .order((
            reminder_digest_items::user_id.asc(),
            reminder_digest_items::due_on.asc(),
            reminder_digest_items::body.asc(),
            reminder_digest_items::key.asc(),
        ))
        .select(DigestItem::as_select())
        .load(conn)?)
}

/// Marks held reminders as carried by the digest under `digest_key`.
pub fn carried(conn: &mut DbConnection, keys: &[String], digest_key: &str) -> DbResult<()> {
    for chunk in keys.chunks(500) {
        diesel::update(reminder_digest_items::table.filter(reminder_digest_items::key.eq_any(chunk)))
            .set(reminder_digest_items::digest_key.eq(digest_key))
            .execute(conn)?;
    }
    Ok(())
}

/// Keeps an unsubscribe link's hash with the member and topic it turns off.
pub fn add_unsubscribe(
    conn: &mut DbConnection,
    token_hash: &str,
    tenant: &TenantId,
    user: &UserId,
    topic: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(unsubscribe_tokens::table)
        .values((
            unsubscribe_tokens::token_hash.eq(token_hash),
            unsubscribe_tokens::tenant_id.eq(tenant),
            unsubscribe_tokens::user_id.eq(user),
            unsubscribe_tokens::topic.eq(topic),
            unsubscribe_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses an unsubscribe link (by its hash): the member's topic is turned off. Returns the trust,
/// the member and the topic, or None for a link that is not one of the platform's. Using it
/// again changes nothing more.
pub fn unsubscribe(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> DbResult<Option<(TenantId, UserId, String)>> {
    let found: Option<(TenantId, UserId, String)> = unsubscribe_tokens::table
        .find(token_hash)
        .select((unsubscribe_tokens::tenant_id, unsubscribe_tokens::user_id, unsubscribe_tokens::topic))
        .first(conn)
        .optional()?;
    if let Some((tenant, user, topic)) = &found {
        if topic == "digest" {
            // A digest's link turns off what the member takes as a digest.
            for (t, mode) in preferences(conn, tenant, user)? {
                if mode == "digest" {
                    set_preference(conn, tenant, user, &t, "off", now)?;
                }
            }
        } else {
            set_preference(conn, tenant, user, topic, "off", now)?;
        }
        diesel::update(unsubscribe_tokens::table.find(token_hash).filter(unsubscribe_tokens::used_at.is_null()))
            .set(unsubscribe_tokens::used_at.eq(now))
            .execute(conn)?;
    }
    Ok(found)
}

/// A member's new calendar link (its hash): any earlier one of theirs in the trust stops working.
pub fn new_feed(
    conn: &mut DbConnection,
    tenant: &TenantId,
    user: &UserId,
    hash: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    revoke_feeds(conn, tenant, user, now)?;
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::token_hash.eq(hash),
            calendar_feeds::tenant_id.eq(tenant),
            calendar_feeds::user_id.eq(user),
            calendar_feeds::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends a member's calendar links in a trust; how many were live.
pub fn revoke_feeds(conn: &mut DbConnection, tenant: &TenantId, user: &UserId, now: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::update(
        calendar_feeds::table
            .filter(calendar_feeds::tenant_id.eq(tenant))
            .filter(calendar_feeds::user_id.eq(user))
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(now))
    .execute(conn)?)
}

/// Whether a member has a live calendar link in a trust.
pub fn has_feed(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<bool> {
    let n: i64 = calendar_feeds::table
        .filter(calendar_feeds::tenant_id.eq(tenant))
        .filter(calendar_feeds::user_id.eq(user))
        .filter(calendar_feeds::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The trust and member of a live calendar link, by its hash.
pub fn feed(conn: &mut DbConnection, hash: &str) -> DbResult<Option<(TenantId, UserId)>> {
    Ok(calendar_feeds::table
        .find(hash)
        .filter(calendar_feeds::revoked_at.is_null())
        .select((calendar_feeds::tenant_id, calendar_feeds::user_id))
        .first(conn)
        .optional()?)
}
