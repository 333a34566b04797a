//! HTTP: health and readiness, the public tenant directory, and the pages.

use actix_web::http::header::{self, ContentType};
use actix_web::middleware::Logger;
use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::conn::migration_status;
use platform_db::repo::tenants;
use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{Action, Visitor};
use crate::app::pages::{PageError, nav, page_access, render};
use crate::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default().limit(1 << 20).error_handler(|err, _| {
            ApiError::bad_request(None, format!("the JSON body could not be read: {err}")).into()
        }),
    )
    .app_data(web::QueryConfig::default().error_handler(|err, _| {
        ApiError::bad_request(None, format!("the query string could not be read: {err}")).into()
    }))
    .app_data(
        web::PathConfig::default()
            .error_handler(|err, _| ApiError::bad_request(None, format!("the path could not be read: {err}")).into()),
    )
    .app_data(web::FormConfig::default().limit(64 * 1024).error_handler(|err, _| {
        PageError::from(ApiError::bad_request(None, format!("the form could not be read: {err}"))).into()
    }))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/api/v1/tenants", web::get().to(tenant_directory))
    .route("/api/v1/openapi.json", web::get().to(crate::openapi::document))
    .route("/api/v1/tenants/{slug}/framework", web::get().to(framework_json))
    .route("/t/{slug}/framework", web::get().to(framework_page))
    .configure(crate::accounts::configure)
    .configure(crate::api::configure)
    .route("/assets/{file}", web::get().to(asset))
    .route("/", web::get().to(home))
    .default_service(web::to(not_found));
}

pub fn logger() -> Logger {
    Logger::new("%r %s %Dms").exclude("/healthz")
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "the process is up", body = Health)))]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Ready when the database answers and its migrations match this binary (and Redis answers, if
/// configured). Not ready is a 503 with the failing checks named.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready: every check is \"ok\"", body = Readiness),
              (status = 503, description = "not ready: the failing checks are named", body = NotReady)))]
pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let db = web::block(move || -> Result<(), String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let status = migration_status(&mut conn).map_err(|e| e.to_string())?;
        if !status.pending.is_empty() {
            return Err(format!("migrations not applied: {}", status.pending.join(", ")));
        }
        if !status.unknown.is_empty() {
            return Err(format!("database has migrations this release does not know: {}", status.unknown.join(", ")));
        }
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    let mut record = |name: &str, result: Result<(), String>| {
        let value = match result {
            Ok(()) => json!("ok"),
            Err(e) => {
                ready = false;
                json!(e)
            }
        };
        checks.insert(name.to_string(), value);
    };
    record("database", db);
    let failures = state.frameworks.failures();
    record("plugins", if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) });
    if let Some(redis) = &state.redis {
        record("redis", crate::cache::ping(redis).await);
    }
    if ready {
        HttpResponse::Ok().json(json!({"status": "ready", "checks": checks}))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({
            "error": "not_ready",
            "message": "a dependency is not ready",
            "checks": checks,
        }))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub status: String,
    /// Each check by name: "ok", or why it failed.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub checks: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotReady {
    pub error: String,
    pub message: String,
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub checks: serde_json::Value,
}

/// The public directory of trusts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub tenants: Vec<DirectoryEntry>,
}

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

/// One entry of the public directory of trusts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectoryEntry {
    pub slug: String,
    pub name: String,
    pub ons_code: String,
    pub region: String,
}

async fn directory(state: &AppState) -> Result<Vec<DirectoryEntry>, ApiError> {
    let pool = state.pool.clone();
    let rows = web::block(move || {
        let mut conn = pool.get()?;
        tenants::directory(&mut conn)
    })
    .await??;
    Ok(rows
        .into_iter()
        .map(|t| DirectoryEntry { slug: t.slug, name: t.name, ons_code: t.ons_code, region: t.region })
        .collect())
}

/// The public directory of the active trusts.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "directory",
    responses((status = 200, description = "every active trust", body = Directory)))]
pub(crate) async fn tenant_directory(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Directory { tenants: directory(&state).await? }))
}

async fn home(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let tenants = directory(&state).await?;
    let html = render(
        &state,
        "home",
        &json!({"title": "Children's services commissioning", "tenants": tenants, "count": tenants.len()}),
    )?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}

async fn asset(path: web::Path<String>) -> HttpResponse {
    match Assets::get(&path) {
        Some(file) => {
            let mime = if path.ends_with(".css") { "text/css; charset=utf-8" } else { "application/octet-stream" };
            HttpResponse::Ok()
                .content_type(mime)
                .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
                .body(file.data.into_owned())
        }
        None => ApiError::NotFound("no such asset".into()).error_response_owned(),
    }
}

/// JSON for the API, a page for people.
async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    // A documented path asked with a method it does not take: 405, with the ones it does.
    if let Some(methods) = crate::openapi::documented_methods(req.path()) {
        let allow = methods.join(", ");
        return HttpResponse::MethodNotAllowed().insert_header((actix_web::http::header::ALLOW, allow.clone())).json(
            crate::error::ErrorBody {
                error: "method_not_allowed".into(),
                message: format!("{} takes {allow}", req.path()),
                field: None,
                correlation_id: None,
            },
        );
    }
    if req.path().starts_with("/api/") {
        return ApiError::NotFound(format!("no such resource: {}", req.path())).error_response_owned();
    }
    match render(&state, "not_found", &json!({"title": "Page not found"})) {
        Ok(html) => HttpResponse::NotFound().content_type(ContentType::html()).body(html),
        Err(e) => e.error_response_owned(),
    }
}

trait OwnedResponse {
    fn error_response_owned(self) -> HttpResponse;
}

impl OwnedResponse for ApiError {
    fn error_response_owned(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

/// The tenant's framework, loading it first if the tenant was pinned since start-up (a council
/// approved by another replica or by the command line).
async fn framework_for(
    state: &AppState,
    tenant: &platform_db::models::Tenant,
) -> Result<std::sync::Arc<platform_plugins::Plugin>, ApiError> {
    match state.frameworks.for_tenant(tenant) {
        Ok(p) => Ok(p),
        Err(_) => {
            let frameworks = state.frameworks.clone();
            state
                .db(move |conn| frameworks.load_pinned(conn).map_err(|e| platform_db::DbError::Other(e.to_string())))
                .await?;
            Ok(state.frameworks.for_tenant(tenant)?)
        }
    }
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

async fn framework_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    let tenant = access.tenant.clone();
    let plugin = framework_for(&state, &tenant).await?;
    let f = &plugin.framework;
    // Stages under their groups, in order of first appearance.
    let mut groups: Vec<(String, Vec<&platform_plugins::types::Stage>)> = Vec::new();
    for s in &f.stages {
        let g = s.group.clone().unwrap_or_default();
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(s),
            None => groups.push((g, vec![s])),
        }
    }
    let month = |m: u8| chrono::Month::try_from(m).map(|m| m.name().to_string()).unwrap_or_else(|_| m.to_string());
    let calendar: Vec<_> = f
        .calendar
        .iter()
        .map(|c| {
            let names: Vec<String> = c
                .stage_ids
                .iter()
                .filter_map(|id| f.stages.iter().find(|s| &s.id == id).map(|s| s.name.clone()))
                .collect();
            let months = if c.start_month == c.end_month {
                month(c.start_month)
            } else {
                format!("{} to {}", month(c.start_month), month(c.end_month))
            };
            json!({"name": c.name, "months": months, "stages": names.join("; ")})
        })
        .collect();
    let age_bands: Vec<_> = f
        .age_bands
        .iter()
        .map(|b| json!({"name": b.name, "ages": match b.max_age { Some(m) => format!("{} to {m}", b.min_age), None => format!("{} and over", b.min_age) }}))
        .collect();
    // Fields under the kind of record they are asked for on, in order of first appearance.
    let mut fields: Vec<(&str, Vec<serde_json::Value>)> = Vec::new();
    for d in &f.attribute_definitions {
        let field = json!({
            "label": d.label,
            "hint": d.hint,
            "kind": value_kind(d),
            "required": d.required,
            "source": d.source,
        });
        match fields.iter_mut().find(|(kind, _)| *kind == d.entity_kind) {
            Some((_, list)) => list.push(field),
            None => fields.push((&d.entity_kind, vec![field])),
        }
    }
    let html = render(
        &state,
        "framework",
        &json!({
            "title": format!("{}: {}", tenant.name, f.name),
            "tenant": tenant.name,
            "framework": f,
            "plugin": {"id": plugin.id(), "version": plugin.version(), "wit_version": plugin.wit_version().to_string()},
            "groups": groups.iter().map(|(g, s)| json!({"name": g, "stages": s})).collect::<Vec<_>>(),
            "calendar": calendar,
            "age_bands": age_bands,
            "inferred_rules": f.rules.iter().filter(|r| r.inferred).count(),
            "rule_count": f.rules.len(),
            "fields": fields
                .iter()
                .map(|(kind, list)| json!({"kind": record_kind(kind), "id": format!("fields-{kind}"), "fields": list}))
                .collect::<Vec<_>>(),
            "nav": nav(&access),
        }),
    )?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}

/// A kind of record as a heading: the data core's own names, plural.
fn record_kind(kind: &str) -> String {
    match kind {
        "need" => "Needs".into(),
        "priority" => "Priorities".into(),
        "provider" => "Providers".into(),
        "service" => "Services".into(),
        "project" => "Commissioning projects".into(),
        "contract" => "Contracts".into(),
        "stage-move" => "Moves between stages".into(),
        "commissioning-strategy" => "Commissioning strategies".into(),
        "score" => "Self-evaluation ratings".into(),
        "vcs-application" => "Applications from the voluntary and community sector".into(),
        other => {
            let words = other.replace(['-', '_'], " ");
            let mut chars = words.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// What a field holds, in words.
fn value_kind(d: &platform_plugins::types::AttributeDefinition) -> String {
    use platform_plugins::types::AttributeKind as K;
    match d.kind {
        K::Choice => {
            let labels: Vec<&str> = d.choices.iter().map(|c| c.label.as_str()).collect();
            format!("One of: {}", labels.join(", "))
        }
        K::Text => "Text".into(),
        K::Number => "A whole number".into(),
        K::Money => "Money, in pounds".into(),
        K::Share => "A share, in per cent".into(),
        K::Date => "A date".into(),
        K::YesNo => "Yes or no".into(),
        K::AgeRange => "An age range, in years".into(),
    }
}
