//! The one error type of the data layer, sorted into what a caller can act on.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row does not exist for this tenant (or at all: callers cannot tell the difference).
    #[error("not found")]
    NotFound,
    /// A unique key already holds this value.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The value of `field` is already held by another record (a council's name or ONS code):
    /// the request was well formed, but the platform's state refuses it.
    #[error("{field}: {message}")]
    Taken { field: &'static str, message: String },
    /// The edit was made to an older version of the record than the one stored: someone else
    /// changed it since. Nothing was written; the caller shows the current record.
    #[error("the record has changed since it was read: it is now at version {current}")]
    Stale { current: i32 },
    /// The database refused the row (a check or foreign-key constraint).
    #[error("rejected by the database: {0}")]
    Rejected(String),
    /// The value given to a repository function was not acceptable before it reached the database.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The database could not be reached or the pool had no connection to give.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Applying or reading migrations failed.
    #[error("migrations: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Other(String),
    /// The unit of work panicked; its transaction was rolled back. Always a bug.
    #[error("a unit of work panicked and was rolled back: {0}")]
    Panicked(String),
}

impl DbError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DbError::Invalid { field, message: message.into() }
    }
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let msg = info.message().to_string();
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::Conflict(msg),
                    DatabaseErrorKind::ForeignKeyViolation
                    | DatabaseErrorKind::CheckViolation
                    | DatabaseErrorKind::NotNullViolation => DbError::Rejected(msg),
                    DatabaseErrorKind::ClosedConnection => DbError::Unavailable(msg),
                    // SQLite reports check and trigger failures without a specific kind.
                    // PostgreSQL cannot store NUL in text: refused input, not a fault. The input
                    // rules refuse it first; this is the backstop.
                    _ if msg.contains("invalid byte sequence") => {
                        DbError::Rejected("text must not contain NUL characters".into())
                    }
                    _ if msg.contains("CHECK constraint failed")
                        || msg.contains("append-only")
                        || msg.contains("FOREIGN KEY constraint failed") =>
                    {
                        DbError::Rejected(msg)
                    }
                    _ => DbError::Other(msg),
                }
            }
            other => DbError::Other(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

pub type DbResult<T> = Result<T, DbError>;
