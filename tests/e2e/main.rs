//! End-to-end tests against real PostgreSQL and Redis and the real `platform` binary. One
//! binary for all of them; each test has its own database and, where it needs one, its own server.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod accounts;
mod cli;
mod contracts;
mod cycle;
mod cycle_pages;
mod cycle_records;
mod cycle_repo;
mod demo_frameworks;
mod fuzz;
mod hardening;
mod http;
mod isolation;
mod mail;
mod migrations;
mod oidc;
mod plugin_properties;
mod plugins;
mod reference;
mod reminders;
mod repo;
mod schema_check;
mod seed;
mod sharing;
