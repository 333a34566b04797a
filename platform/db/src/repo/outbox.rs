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
    conn.transaction(|conn| {
        let exists: i64 = mail_outbox::table
            .filter(mail_outbox::idempotency_key.eq(&message.idempotency_key))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Ok(false);
        }
        diesel::insert_into(mail_outbox::table).values(message).execute(conn)?;
        Ok(true)
    })
}

pub fn pending(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<OutboxMessage>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq(OutboxStatus::Pending))
        .order((mail_outbox::next_attempt_at.asc(), mail_outbox::id.asc()))
        .limit(limit.clamp(1, 1000))
        .select(OutboxMessage::as_select())
        .load(conn)?)
}
