//! The one place that knows every area: it registers each area's routes, the answers of the
//! whole site (assets, the OpenAPI document, "not found"), and how bad input to any handler is
//! refused. Areas never import each other; a test below keeps it so.

use actix_web::http::header::{self, ContentType};
use actix_web::middleware::Logger;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::app::pages::{PageError, render};
use crate::areas;
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
    .configure(areas::health::configure)
    .configure(areas::home::configure)
    .route("/api/v1/openapi.json", web::get().to(crate::openapi::document))
    .configure(areas::frameworks::configure)
    .configure(areas::signup::configure)
    .configure(areas::operator::configure)
    .configure(areas::signin::configure)
    .configure(areas::members::configure)
    .configure(areas::audit::configure)
    .configure(areas::tokens::configure)
    .configure(areas::dashboard::configure)
    .configure(areas::contracts::configure)
    .configure(areas::reviews::configure)
    .configure(areas::monitoring::configure)
    .configure(areas::self_evaluations::configure)
    .configure(areas::service_map::configure)
    .configure(areas::projects::configure)
    .configure(areas::decisions::configure)
    .configure(areas::needs::configure)
    .configure(areas::priorities::configure)
    .configure(areas::providers::configure)
    .configure(areas::reminders::configure)
    .configure(areas::comparison::configure)
    .configure(areas::services::configure)
    .configure(areas::data_core::configure)
    .route("/assets/{file}", web::get().to(asset))
    .default_service(web::to(not_found));
}

pub fn logger() -> Logger {
    Logger::new("%r %s %Dms").exclude("/healthz")
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
        return HttpResponse::MethodNotAllowed().insert_header((header::ALLOW, allow.clone())).json(
            crate::error::ErrorBody {
                error: "method_not_allowed".into(),
                message: format!("this address takes {allow}"),
                field: None,
                current: None,
                findings: None,
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

/// The source files of the routing: this file and every file of every area, with their paths
/// under `src/` (read from the source tree, so a new area is covered without being listed).
#[cfg(test)]
pub(crate) fn route_sources() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = vec![("routes.rs".to_string(), std::fs::read_to_string(src.join("routes.rs")).unwrap())];
    walk(&src.join("areas"), &src, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a file of the areas (its path under `src/areas/`) imports of another area: the area
    /// it belongs to is the first part of its path. `crate::areas::X` must name its own area;
    /// `super::super` always leaves it; and in a one-file area or an area's `mod.rs`, where
    /// `super` is the areas themselves, so does `super::X`.
    fn foreign_imports(path: &str, source: &str) -> Vec<String> {
        let own = path.split('/').next().unwrap_or("").trim_end_matches(".rs");
        let ident = |rest: &str| -> String {
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>()
        };
        let mut found = Vec::new();
        for (at, _) in source.match_indices("crate::areas") {
            let rest = &source[at + "crate::areas".len()..];
            let named = rest.strip_prefix("::").map(ident).unwrap_or_default();
            if named != own {
                found.push(format!("crate::areas{}", &rest[..rest.find(['\n', ';']).unwrap_or(rest.len())]));
            }
        }
        if source.contains("super::super") {
            found.push("super::super".into());
        }
        let area_root = !path.contains('/') || path.ends_with("/mod.rs");
        if area_root {
            for (at, _) in source.match_indices("super::") {
                let named = ident(&source[at + "super::".len()..]);
                if !named.is_empty() {
                    found.push(format!("super::{named}"));
                }
            }
        }
        found
    }

    #[test]
    fn no_area_imports_another() {
        let areas: Vec<_> =
            route_sources().into_iter().filter_map(|(p, s)| Some((p.strip_prefix("areas/")?.to_string(), s))).collect();
        assert!(areas.len() >= 20, "the scan found too few area files: {}", areas.len());
        let mut crossings = Vec::new();
        for (path, source) in &areas {
            if path == "mod.rs" {
                continue;
            }
            for import in foreign_imports(path, source) {
                crossings.push(format!("areas/{path}: {import}"));
            }
        }
        assert!(
            crossings.is_empty(),
            "areas import each other (move what they share to crate::app):\n{}",
            crossings.join("\n")
        );
    }

    #[test]
    fn the_scan_would_catch_an_area_importing_another() {
        assert_eq!(foreign_imports("signup/pages.rs", "use crate::areas::signup::service;"), Vec::<String>::new());
        assert_eq!(
            foreign_imports("signup/pages.rs", "use super::service;\nuse crate::app::AppState;"),
            Vec::<String>::new()
        );
        assert_eq!(
            foreign_imports("signup/pages.rs", "use crate::areas::signin::service;"),
            ["crate::areas::signin::service"]
        );
        assert_eq!(
            foreign_imports("signup/pages.rs", "use crate::areas::{signin, signup};"),
            ["crate::areas::{signin, signup}"]
        );
        assert_eq!(foreign_imports("signup/pages.rs", "use super::super::members::service;"), ["super::super"]);
        assert_eq!(foreign_imports("signup/mod.rs", "pub mod api;\nuse super::members;"), ["super::members"]);
        assert_eq!(foreign_imports("audit.rs", "use super::tokens::service;"), ["super::tokens"]);
        assert_eq!(foreign_imports("audit.rs", "mod tests {\n    use super::*;\n}"), Vec::<String>::new());
    }
}
