//! Tenant-first repository functions: every function that touches tenant rows takes the tenant
//! id first and filters on it, so a forgotten filter is a visible omission in review.

pub mod accounts;
pub mod audit;
pub mod changes;
pub mod commissioning;
pub mod comparison_groups;
pub mod contracts;
pub mod edits;
pub mod indicators;
pub mod monitoring;
pub mod outbox;
pub mod plugins;
pub mod reference;
pub mod reminders;
pub mod sharing;
pub mod tenants;
pub mod users;
pub mod validate;

use serde::Serialize;

/// One page of a list: `limit` rows from `offset`. Limits are clamped to 1..=200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const MAX_LIMIT: i64 = 200;

    pub fn new(limit: i64, offset: i64) -> Page {
        Page { limit: limit.clamp(1, Page::MAX_LIMIT), offset: offset.max(0) }
    }

    pub fn all() -> Page {
        Page { limit: i64::MAX, offset: 0 }
    }
}

impl Default for Page {
    fn default() -> Page {
        Page::new(50, 0)
    }
}

/// A page of rows with the total they were taken from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}
