//! Commissioning projects in the JSON API: started, edited, moved through the framework's gate
//! (If-Match), one with its history, and the board by the framework's stage groups.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ProjectId;

use super::service::{self, Board, MoveInput, ProjectEdit, ProjectInput, ProjectSaved};
use crate::app::AppState;
use crate::app::api::{ListParams, ListQuery, etag, json_body, version_of};
use crate::app::auth::{self, Access, Visitor};
use crate::error::{ApiError, ErrorBody};

fn project_id(text: &str) -> Result<ProjectId, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound("not found".into()))
}

/// The trust's commissioning projects, by title.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/projects", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug"), ListParams),
    responses((status = 200, description = "a page of the trust's projects", body = platform_db::repo::Paged<platform_db::models::Project>)))]
pub(crate) async fn list_projects(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    if query.provider_id.is_some() {
        return Err(ApiError::bad_request(Some("provider_id"), "projects cannot be filtered by provider"));
    }
    Ok(HttpResponse::Ok().json(service::list(&state, &access, query.page()?).await?))
}

/// Starts a project at the framework's first stage (or a later one, with a reason), placed at
/// a level and under a body by the framework.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/projects", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = ProjectInput,
    responses(
        (status = 201, description = "the project, where the framework placed it, and its first stage", body = ProjectSaved),
        (status = 409, description = "another project of the trust has this title", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody)))]
pub(crate) async fn create_project(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: ProjectInput = json_body(&body)?;
    let saved = service::create(&state, &access, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created().insert_header(etag(saved.project.version)).json(saved))
}

/// One project with its stage history.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/projects/{id}", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the project's id")),
    responses((status = 200, description = "the project and every move it made", body = ProjectSaved)))]
pub(crate) async fn get_project(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let record = service::record(&state, &access, project_id(&id)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(record.project.version)).json(record))
}

/// Edits a project's title, description and framework fields (If-Match).
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/projects/{id}", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the project's id"),
           ("If-Match" = Option<String>, Header, description = "the project's ETag when it was read")),
    request_body = ProjectEdit,
    responses(
        (status = 200, description = "the project as saved", body = ProjectSaved),
        (status = 409, description = "changed since it was read; the current project is in `current`", body = ErrorBody),
        (status = 422, description = "refused for what it says, naming the field", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_project(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = project_id(&id)?;
    let input: ProjectEdit = json_body(&body)?;
    let version = version_of(&req, None)?;
    let saved =
        with_current(&state, &access, &id, service::edit(&state, &access, id.clone(), version, input).await).await?;
    Ok(HttpResponse::Ok().insert_header(etag(saved.project.version)).json(saved))
}

/// Moves a project to another stage through the framework's gate: an error finding stops it
/// (422, with where the rule comes from); warnings need a note that acknowledges them.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/projects/{id}/moves", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug"),
           ("id" = String, Path, description = "the project's id"),
           ("If-Match" = Option<String>, Header, description = "the project's ETag when it was read")),
    request_body = MoveInput,
    responses(
        (status = 201, description = "the project at its new stage, the gate's findings and the history", body = ProjectSaved),
        (status = 409, description = "changed since it was read; the current project is in `current`", body = ErrorBody),
        (status = 422, description = "the gate refused it, or warned and no note acknowledged it; every finding with its source", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn move_project(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let id = project_id(&id)?;
    let input: MoveInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let saved =
        with_current(&state, &access, &id, service::move_stage(&state, &access, id.clone(), version, input).await)
            .await?;
    Ok(HttpResponse::Created().insert_header(etag(saved.project.version)).json(saved))
}

/// The board: the framework's stage groups, each stage with its projects.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/projects/board", tag = "projects",
    params(("slug" = String, Path, description = "the trust's slug")),
    responses((status = 200, description = "projects by the framework's stage groups", body = Board)))]
pub(crate) async fn project_board(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(service::board(&state, &access).await?))
}

/// A stale write's answer carries the project as it now stands.
async fn with_current<T>(
    state: &AppState,
    access: &Access,
    id: &ProjectId,
    result: Result<T, ApiError>,
) -> Result<T, ApiError> {
    crate::app::input::with_current(result, || async move {
        Ok(serde_json::json!(service::record(state, access, id.clone()).await?.project))
    })
    .await
}
