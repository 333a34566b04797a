//! HTTP: health and readiness, the public tenant directory, and the pages.

use actix_web::http::header::{self, ContentType};
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{HttpRequest, HttpResponse, web};
use handlebars::Handlebars;
use platform_db::conn::{Pool, migration_status};
use platform_db::repo::tenants;
use serde::Serialize;
use serde_json::json;

use crate::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "templates/"]
#[include = "*.hbs"]
struct Templates;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub frameworks: std::sync::Arc<crate::frameworks::Frameworks>,
    pub templates: std::sync::Arc<Handlebars<'static>>,
    pub redis: Option<redis::aio::ConnectionManager>,
}

pub fn templates() -> anyhow::Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_embed_templates_with_extension::<Templates>(".hbs").map_err(|e| anyhow::anyhow!("templates: {e}"))?;
    Ok(hb)
}

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
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/api/v1/tenants", web::get().to(tenant_directory))
    .route("/api/v1/tenants/{slug}/framework", web::get().to(framework_json))
    .route("/t/{slug}/framework", web::get().to(framework_page))
    .route("/assets/{file}", web::get().to(asset))
    .route("/", web::get().to(home))
    .default_service(web::to(not_found));
}

/// Headers every response carries.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ))
}

pub fn logger() -> Logger {
    Logger::new("%r %s %Dms").exclude("/healthz")
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready when the database answers and its migrations match this binary (and Redis answers, if
/// configured). Not ready is a 503 with the failing checks named.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
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

/// One entry of the public directory of trusts.
#[derive(Debug, Serialize)]
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

async fn tenant_directory(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(json!({ "tenants": directory(&state).await? })))
}

fn render(state: &AppState, template: &str, data: &serde_json::Value) -> Result<String, ApiError> {
    state.templates.render(template, data).map_err(|e| ApiError::Internal(format!("rendering {template}: {e}")))
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

/// An active tenant by slug; anything else is "not found", whatever the reason.
async fn active_tenant(state: &AppState, slug: String) -> Result<platform_db::models::Tenant, ApiError> {
    let pool = state.pool.clone();
    let found = web::block(move || {
        let mut conn = pool.get()?;
        tenants::by_slug(&mut conn, &slug)
    })
    .await??;
    found
        .filter(|t| t.status == platform_db::models::TenantStatus::Active)
        .ok_or_else(|| ApiError::NotFound("no such trust".into()))
}

async fn framework_of(
    state: &AppState,
    slug: String,
) -> Result<(platform_db::models::Tenant, std::sync::Arc<platform_plugins::Plugin>), ApiError> {
    let tenant = active_tenant(state, slug).await?;
    let plugin = state.frameworks.for_tenant(&tenant)?;
    Ok((tenant, plugin))
}

/// The tenant's framework description. Not secret: any visitor may read it.
async fn framework_json(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (tenant, plugin) = framework_of(&state, slug.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({
        "tenant": tenant.slug,
        "plugin": {"id": plugin.id(), "version": plugin.version(), "sha256": plugin.sha256},
        "framework": plugin.framework,
    })))
}

async fn framework_page(state: web::Data<AppState>, slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (tenant, plugin) = framework_of(&state, slug.into_inner()).await?;
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
    let html = render(
        &state,
        "framework",
        &json!({
            "title": format!("{}: {}", tenant.name, f.name),
            "tenant": tenant.name,
            "framework": f,
            "plugin": {"id": plugin.id(), "version": plugin.version()},
            "groups": groups.iter().map(|(g, s)| json!({"name": g, "stages": s})).collect::<Vec<_>>(),
            "calendar": calendar,
            "age_bands": age_bands,
        }),
    )?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}
