//! The plugins of `plugins/`, compiled by this crate's build script into WebAssembly
//! components and embedded here, so the platform binary carries its built-in frameworks.

/// One built component.
#[derive(Debug, Clone, Copy)]
pub struct Artifact {
    /// The plugin crate's name, which is also the framework id for the built-in frameworks.
    pub id: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));

/// A built-in framework by id.
pub fn framework(id: &str) -> Option<Artifact> {
    FRAMEWORKS.iter().find(|a| a.id == id).copied()
}
