//! The areas of the product, one folder (or file) each. An area holds its routes (`configure`),
//! its actions (`service.rs`: one function per action, called by its page and its API alike)
//! and its handlers (`pages.rs`, `api.rs`). Areas import only `crate::app` and the
//! infrastructure beside it, never each other; `crate::routes` is the one place that knows
//! them all.

pub mod audit;
pub mod comparison;
pub mod contracts;
pub mod dashboard;
pub mod data_core;
pub mod decisions;
pub mod frameworks;
pub mod health;
pub mod home;
pub mod members;
pub mod monitoring;
pub mod needs;
pub mod operator;
pub mod priorities;
pub mod projects;
pub mod providers;
pub mod reminders;
pub mod reviews;
pub mod self_evaluations;
pub mod service_map;
pub mod services;
pub mod signin;
pub mod signup;
pub mod tokens;
