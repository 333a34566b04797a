//! The public directory of trusts as JSON.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::service::{DirectoryEntry, directory};
use crate::app::AppState;
use crate::error::ApiError;

/// The public directory of trusts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub tenants: Vec<DirectoryEntry>,
}

/// The public directory of the active trusts.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "directory",
    responses((status = 200, description = "every active trust", body = Directory)))]
pub(crate) async fn tenant_directory(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Directory { tenants: directory(&state).await? }))
}
