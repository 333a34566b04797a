//! The platform's home page: the trusts on it.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::service::directory;
use crate::app::AppState;
use crate::app::pages::render;
use crate::error::ApiError;

pub(super) async fn home(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let tenants = directory(&state).await?;
    let html = render(
        &state,
        "home",
        &json!({"title": "Children's services commissioning", "tenants": tenants, "count": tenants.len()}),
    )?;
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(html))
}
