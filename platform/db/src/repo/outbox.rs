//! The mail outbox: a message is written here in the same transaction as whatever caused it,
//! and its idempotency key makes a second copy impossible.

use diesel::prelude::*;

use super::validate;
use crate::conn::DbConnection;
use crate::error::DbResult;
use crate::models::{OutboxMessage, OutboxStatus};
use crate::schema::mail_outbox;

/// Queues a message. Returns false, writing nothing, when its key was queued before.
pub fn enqueue(conn: &mut DbConnection, message: &OutboxMessage) -> DbResult<bool> {
    validate::email("to_address", &message.to_address)?;
    validate::text("subject", &message.subject, 300)?;
    // One statement: the unique key decides (a check first and an insert after cost two trips,
    // and PostgreSQL's generic plan for the check, made while the outbox was empty, scanned it).
    let written = match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(mail_outbox::table)
            .values(message)
            .on_conflict(mail_outbox::idempotency_key)
            .do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_into(mail_outbox::table)
            .values(message)
            .on_conflict(mail_outbox::idempotency_key)
            .do_nothing()
            .execute(lite)?,
    };
    Ok(written == 1)
}

pub fn pending(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<OutboxMessage>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq(OutboxStatus::Pending))
        .order((mail_outbox::next_attempt_at.asc(), mail_outbox::id.asc()))
        .limit(limit.clamp(1, 1000))
        .select(OutboxMessage::as_select())
        .load(conn)?)
}
