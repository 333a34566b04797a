//! `commissioning:framework@1.1.0`, the newest version: its types are the host's own.

wasmtime::component::bindgen!({
    path: "../../plugins/wit/v1.1.0",
    world: "framework",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use commissioning::framework::types;
