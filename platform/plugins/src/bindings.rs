//! Host bindings of every released version of `commissioning:framework`, one module each over
//! its frozen WIT, and the dispatch between them. A component is matched against the newest
//! world first; an older component's inputs and outputs are converted to and from the newest
//! types, which are the host's own (`types`). Their serde form is the JSON the CLI and the API
//! use (field names in snake_case).

mod v1_0;
mod v1_1;

use std::fmt;

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::host::Ctx;

pub use v1_1::types;

/// A version of the contract the host speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WitVersion {
    V1_0,
    V1_1,
}

impl WitVersion {
    /// Every version the host speaks, newest first: the order a component is matched in.
    pub const ALL: [WitVersion; 2] = [WitVersion::V1_1, WitVersion::V1_0];
    /// The newest version, whose types are the host's.
    pub const NEWEST: WitVersion = WitVersion::V1_1;

    pub const fn as_str(self) -> &'static str {
        match self {
            WitVersion::V1_0 => "1.0.0",
            WitVersion::V1_1 => "1.1.0",
        }
    }

    /// The world's type-only interface, the one import a plugin of this version may have.
    pub(crate) fn types_interface(self) -> String {
        format!("commissioning:framework/types@{self}")
    }
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for WitVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A component linked against the world it implements, ready to instantiate.
pub(crate) enum Pre {
    V1_1(v1_1::FrameworkPre<Ctx>),
    V1_0(v1_0::FrameworkPre<Ctx>),
}

impl Pre {
    /// Matches the component's exports against each version's world, newest first.
    pub(crate) fn new(pre: InstancePre<Ctx>) -> Result<Pre, String> {
        let newest = match v1_1::FrameworkPre::new(pre.clone()) {
            Ok(p) => return Ok(Pre::V1_1(p)),
            Err(e) => e,
        };
        match v1_0::FrameworkPre::new(pre) {
            Ok(p) => Ok(Pre::V1_0(p)),
            Err(oldest) => Err(format!(
                "its exports match no version of commissioning:framework the host speaks: \
                 {}: {newest:#}; {}: {oldest:#}",
                WitVersion::V1_1,
                WitVersion::V1_0
            )),
        }
    }

    pub(crate) fn version(&self) -> WitVersion {
        match self {
            Pre::V1_1(_) => WitVersion::V1_1,
            Pre::V1_0(_) => WitVersion::V1_0,
        }
    }

    pub(crate) fn instantiate(&self, store: &mut Store<Ctx>) -> wasmtime::Result<World> {
        Ok(match self {
            Pre::V1_1(p) => World::V1_1(p.instantiate(store)?),
            Pre::V1_0(p) => World::V1_0(p.instantiate(store)?),
        })
    }
}

/// An instance of a plugin, whatever its version, called in the newest types.
pub enum World {
    V1_1(v1_1::Framework),
    V1_0(v1_0::Framework),
}

impl World {
    pub fn call_describe(&self, store: &mut Store<Ctx>) -> wasmtime::Result<types::Description> {
        match self {
            World::V1_1(w) => w.call_describe(store),
            World::V1_0(w) => v1_0::describe(w, store),
        }
    }

    pub fn call_classify(
        &self,
        store: &mut Store<Ctx>,
        items: &[types::Item],
    ) -> wasmtime::Result<Result<Vec<types::Classification>, String>> {
        match self {
            World::V1_1(w) => w.call_classify(store, items),
            World::V1_0(w) => v1_0::classify(w, store, items),
        }
    }

    pub fn call_review_schedule(
        &self,
        store: &mut Store<Ctx>,
        today: &str,
        subjects: &[types::Subject],
    ) -> wasmtime::Result<Result<Vec<types::ReviewDue>, String>> {
        match self {
            World::V1_1(w) => w.call_review_schedule(store, &today.to_owned(), subjects),
            World::V1_0(w) => v1_0::review_schedule(w, store, today, subjects),
        }
    }

    pub fn call_validate(
        &self,
        store: &mut Store<Ctx>,
        today: &str,
        entities: &[types::Entity],
    ) -> wasmtime::Result<Vec<Vec<types::Finding>>> {
        match self {
            World::V1_1(w) => w.call_validate(store, &today.to_owned(), entities),
            World::V1_0(w) => v1_0::validate(w, store, today, entities),
        }
    }

    pub fn call_stage_gate(
        &self,
        store: &mut Store<Ctx>,
        today: &str,
        moves: &[types::StageMove],
    ) -> wasmtime::Result<Vec<Vec<types::Finding>>> {
        match self {
            World::V1_1(w) => w.call_stage_gate(store, &today.to_owned(), moves),
            World::V1_0(w) => v1_0::stage_gate(w, store, today, moves),
        }
    }

    /// Scores a self-evaluation. `framework` is the plugin's own description: an older plugin's
    /// summary is completed from it (whether every standard of the set was rated).
    pub fn call_score_self_evaluation(
        &self,
        store: &mut Store<Ctx>,
        evaluation: &types::SelfEvaluation,
        framework: &types::Description,
    ) -> wasmtime::Result<Result<types::EvaluationSummary, String>> {
        match self {
            World::V1_1(w) => w.call_score_self_evaluation(store, evaluation),
            World::V1_0(w) => v1_0::score_self_evaluation(w, store, evaluation, framework),
        }
    }

    pub fn call_band(
        &self,
        store: &mut Store<Ctx>,
        by: types::Dimension,
        counts: &[types::Count],
    ) -> wasmtime::Result<Result<Vec<types::Banded>, String>> {
        match self {
            World::V1_1(w) => w.call_band(store, by, counts),
            World::V1_0(w) => v1_0::band(w, store, by, counts),
        }
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    fn sha256(wit: &[u8]) -> String {
        Sha256::digest(wit).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A released version's WIT never changes. A change of contract is a new folder
    /// (plugins/wit/vX.Y.Z) with a host module of its own, beside these.
    #[test]
    fn the_released_wit_is_frozen() {
        assert_eq!(
            sha256(include_bytes!("../../../plugins/wit/v1.0.0/framework.wit")),
            "294ef60d811a43b3291a8695c7edd71ea3793d2f54a9440f4d4fb1a020dc7313",
            "plugins/wit/v1.0.0 is frozen: add a new version instead of editing it"
        );
        assert_eq!(
            sha256(include_bytes!("../../../plugins/wit/v1.1.0/framework.wit")),
            "f9d6056ddb4c1dbc7378cd22d0fafad6a2e471b08beaf6c3fee1da9d86705d01",
            "plugins/wit/v1.1.0 is frozen: add a new version instead of editing it"
        );
    }
}
