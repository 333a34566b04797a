//! The plugin host: the one crate that owns wasmtime. One engine; components compiled once and
//! cached on disk; a fresh, limited store per call; typed errors for every way a call fails; and
//! the conformance suite a plugin version passes before it is accepted.

pub mod bindings;
pub mod conformance;
mod error;
mod host;

pub use bindings::{WitVersion, types};
pub use error::PluginError;
pub use host::{HostOptions, Plugin, PluginHost, component_sha256};

/// The newest WIT package version this host speaks; it also loads every older released one
/// (`WitVersion::ALL`).
pub const WIT_VERSION: &str = WitVersion::NEWEST.as_str();
