//! The public directory of trusts, for the home page and the API alike.

use platform_db::repo::tenants;
use serde::Serialize;

use crate::app::AppState;
use crate::error::ApiError;

/// One entry of the public directory of trusts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectoryEntry {
    pub slug: String,
    pub name: String,
    pub ons_code: String,
    pub region: String,
}

/// The active trusts, as the directory lists them.
pub async fn directory(state: &AppState) -> Result<Vec<DirectoryEntry>, ApiError> {
    let pool = state.pool.clone();
    let rows = actix_web::web::block(move || {
        let mut conn = pool.get()?;
        tenants::directory(&mut conn)
    })
    .await??;
    Ok(rows
        .into_iter()
        .map(|t| DirectoryEntry { slug: t.slug, name: t.name, ons_code: t.ons_code, region: t.region })
        .collect())
}
