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
    calendar_feeds, contracts, mail_outbox, memberships, reminder_preferences, reminder_settings, reviews,
    unsubscribe_tokens, users,
};
use crate::{OutboxId, TenantId, UserId};

/// The lead times a trust set, or the default.
pub fn lead_days(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<String> {
    Ok(reminder_settings::table
        .find(tenant)
        .select(reminder_settings::lead_days)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| "28,14,7,1".to_string()))
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

/// The members of a trust who turned a topic off.
pub fn opted_out(conn: &mut DbConnection, tenant: &TenantId, topic: &str) -> DbResult<Vec<UserId>> {
    Ok(reminder_preferences::table
        .filter(reminder_preferences::tenant_id.eq(tenant))
        .filter(reminder_preferences::topic.eq(topic))
        .filter(reminder_preferences::mode.eq("off"))
        .select(reminder_preferences::user_id)
        .load(conn)?)
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
        set_preference(conn, tenant, user, topic, "off", now)?;
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
