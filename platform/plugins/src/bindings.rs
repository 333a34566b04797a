//! Host bindings of `commissioning:framework@1.0.0`. The generated types derive serde, which is
//! the JSON form of the WIT types used by the CLI and the API (field names in snake_case).

wasmtime::component::bindgen!({
    path: "../../plugins/wit/v1.0.0",
    world: "framework",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use commissioning::framework::types;

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// commissioning:framework@1.0.0 is released: its WIT never changes. A change of contract
    /// is a new folder (plugins/wit/vX.Y.Z) with a host module of its own, beside this one.
    #[test]
    fn the_released_wit_is_frozen() {
        let wit = include_bytes!("../../../plugins/wit/v1.0.0/framework.wit");
        let digest: String = Sha256::digest(wit).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            digest, "294ef60d811a43b3291a8695c7edd71ea3793d2f54a9440f4d4fb1a020dc7313",
            "plugins/wit/v1.0.0 is frozen: add a new version instead of editing it"
        );
    }
}
