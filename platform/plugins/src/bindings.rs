//! Host bindings of `commissioning:framework@1.0.0`. The generated types derive serde, which is
//! the JSON form of the WIT types used by the CLI and the API (field names in snake_case).

wasmtime::component::bindgen!({
    path: "../../plugins/wit/v1.0.0",
    world: "framework",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use commissioning::framework::types;
