//! A trust's framework as JSON: the plugin it is pinned to and the plugin's description.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::service::framework_for;
use crate::app::AppState;
use crate::app::auth::{Action, Visitor};
use crate::error::ApiError;

/// A trust's framework: the plugin it is pinned to and the plugin's own description of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FrameworkInfo {
    pub tenant: String,
    pub plugin: PluginRef,
    /// The framework as the plugin describes it: stages, levels, age bands, areas, bodies,
    /// standards, calendar, the fields it asks for on each kind of record and its rules table,
    /// each rule marked `inferred` where the framework's authors assumed what the trust's
    /// document does not say. A plugin of contract 1.0.0 has neither fields nor rules.
    #[schema(value_type = FrameworkDescription)]
    pub framework: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PluginRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
    /// The version of the plugin contract (`commissioning:framework`) the plugin implements.
    #[schema(example = "1.1.0")]
    pub wit_version: String,
}

/// The JSON form of a framework's description (the WIT record `description`). Only documents
/// the answer, which is the plugin's own description serialised.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub(crate) struct FrameworkDescription {
    id: String,
    name: String,
    version: String,
    /// The document the framework models.
    source: String,
    #[schema(value_type = Vec<Object>)]
    stages: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    levels: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    levels_of_need: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    age_bands: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    areas: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    bodies: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    standards_sets: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    calendar: Vec<serde_json::Value>,
    /// What was inferred where the document is silent or a figure is missing.
    notes: Vec<String>,
    /// The fields the framework asks for on each kind of record, beyond the common data core.
    attribute_definitions: Vec<AttributeDefinition>,
    /// Every rule the framework applies, where it comes from, and whether it was inferred.
    rules: Vec<FrameworkRule>,
}

/// A field a framework asks for on one kind of record.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub(crate) struct AttributeDefinition {
    /// "need", "priority", "provider", "service", "project", "contract", "stage-move", ….
    entity_kind: String,
    key: String,
    label: String,
    hint: Option<String>,
    kind: AttributeKind,
    /// The accepted values, for a `Choice`.
    choices: Vec<AttributeChoice>,
    required: bool,
    /// Where in the trust's framework document the field comes from.
    source: Option<String>,
}

/// What kind of value a field holds.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub(crate) enum AttributeKind {
    Choice,
    Text,
    Number,
    Money,
    Share,
    Date,
    YesNo,
    AgeRange,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub(crate) struct AttributeChoice {
    value: String,
    label: String,
}

/// One rule of a framework's rules table.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub(crate) struct FrameworkRule {
    id: String,
    rule: String,
    /// Where in the trust's document the rule comes from.
    source: String,
    /// The document does not state it: the framework's authors inferred it where the document
    /// is silent, and the platform applies it on the trust's behalf.
    inferred: bool,
}

/// The tenant's framework description, for its members.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/framework", tag = "frameworks",
    params(("slug" = String, Path, description = "the trust's slug")),
    responses((status = 200, description = "the trust's framework", body = FrameworkInfo)))]
pub(crate) async fn framework_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = crate::app::auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    access.require(Action::Read)?;
    let tenant = access.tenant;
    let plugin = framework_for(&state, &tenant).await?;
    Ok(HttpResponse::Ok().json(FrameworkInfo {
        tenant: tenant.slug,
        plugin: PluginRef {
            id: plugin.id().into(),
            version: plugin.version().into(),
            sha256: plugin.sha256.clone(),
            wit_version: plugin.wit_version().to_string(),
        },
        framework: json!(plugin.framework),
    }))
}
