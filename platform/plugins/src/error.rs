//! Every way a plugin call can fail, as a type the caller can act on.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum PluginError {
    /// The call ran past its deadline and was stopped.
    #[error("the plugin ran past its deadline ({0} ms of processor time) and was stopped")]
    Timeout(u64),
    /// The plugin tried to use more memory (or table space) than it may.
    #[error("the plugin tried to use more than its {0} bytes of memory")]
    MemoryLimit(u64),
    /// The plugin trapped: a panic, an unreachable instruction, a stack overflow.
    #[error("the plugin failed: {0}")]
    Trap(String),
    /// The plugin returned something the host will not accept.
    #[error("the plugin returned a bad result: {0}")]
    BadOutput(String),
    /// The plugin refused its input (its own validation, returned as an error).
    #[error("the plugin refused the input: {0}")]
    InvalidInput(String),
    /// The component does not fit the host: not a component, wrong exports, forbidden imports.
    #[error("the plugin is not compatible: {0}")]
    Incompatible(String),
    /// Every slot for plugin calls was busy for longer than the queue allows.
    #[error("too many plugin calls at once; try again")]
    Overloaded,
    /// No such plugin (or version) is registered or loaded.
    #[error("no such plugin: {0}")]
    NotFound(String),
}

impl PluginError {
    /// A stable machine code for the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            PluginError::Timeout(_) => "plugin_timeout",
            PluginError::MemoryLimit(_) => "plugin_memory_limit",
            PluginError::Trap(_) => "plugin_trap",
            PluginError::BadOutput(_) => "plugin_bad_output",
            PluginError::InvalidInput(_) => "plugin_invalid_input",
            PluginError::Incompatible(_) => "plugin_incompatible",
            PluginError::Overloaded => "plugin_overloaded",
            PluginError::NotFound(_) => "plugin_not_found",
        }
    }
}
