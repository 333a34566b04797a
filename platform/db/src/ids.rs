//! Newtype ids, so a tenant id can never be passed where a contract id belongs. Ids are UUIDs
//! (version 7, time-ordered for index locality) kept as lowercase text in both backends.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = Text)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A fresh id for a new row.
            pub fn new() -> Self {
                Self(Uuid::now_v7().to_string())
            }

            /// A stable id derived from a name, for seeded rows that must not duplicate on re-run.
            pub fn derived(name: &str) -> Self {
                Self(Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes()).to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        // In the API's OpenAPI document an id is a UUID in text.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Uuid::try_parse(s)
                    .map(|u| Self(u.hyphenated().to_string()))
                    .map_err(|_| InvalidId(s.chars().take(64).collect()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $name
        where
            String: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                String::from_sql(bytes).map(Self)
            }
        }
    )*};
}

id_type!(
    TenantId,
    UserId,
    MembershipId,
    ProviderId,
    ServiceId,
    NeedId,
    PriorityId,
    IndicatorValueId,
    ProjectId,
    StageMoveId,
    ContractId,
    ContractEventId,
    ContributionId,
    KpiId,
    MonitoringReturnId,
    ReviewId,
    SelfEvaluationId,
    ScoreId,
    DecisionId,
    AuditId,
    OutboxId,
    SignupId,
    ApiTokenId,
);

/// A string that is not a UUID was given where an id belongs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: {0:?}")]
pub struct InvalidId(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_uuids_and_normalise_case() {
        let id: ContractId = "0190F0A8-1B2C-7D3E-8F40-123456789ABC".parse().unwrap();
        assert_eq!(id.as_str(), "0190f0a8-1b2c-7d3e-8f40-123456789abc");
        assert!("42".parse::<ContractId>().is_err());
        assert!("../etc/passwd".parse::<TenantId>().is_err());
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(TenantId::derived("durham"), TenantId::derived("durham"));
        assert_ne!(TenantId::derived("durham"), TenantId::derived("kent"));
    }

    #[test]
    fn ids_round_trip_through_json_as_strings() {
        let id = ServiceId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        let back: ServiceId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<ServiceId>("\"nope\"").is_err());
    }
}
