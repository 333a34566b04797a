//! Reminders before reviews and contract ends fall due: planned by working days (`plan`), written
//! to the mail outbox once each by a scheduler tick and sent by a dispatcher (`service`).

pub mod plan;
pub mod service;
