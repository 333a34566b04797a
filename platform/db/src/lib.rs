//! The common data core shared by every trust: the diesel schema, one connection type over
//! PostgreSQL and SQLite, embedded migrations, typed ids and tenant-first repositories.

pub mod conn;
pub mod error;
pub mod framework;
pub mod ids;
pub mod models;
pub mod periods;
pub mod repo;
pub mod schema;
pub mod seed;

pub use conn::{Backend, DbConnection, Pool, PoolOptions};
pub use error::DbError;
pub use ids::*;
