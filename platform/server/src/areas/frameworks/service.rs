//! A trust's framework, for its page and the API alike.

use std::sync::Arc;

use platform_db::models::Tenant;
use platform_plugins::Plugin;

use crate::app::AppState;
use crate::error::ApiError;

/// The tenant's framework, loading it first if the tenant was pinned since start-up (a council
/// approved by another replica or by the command line).
pub async fn framework_for(state: &AppState, tenant: &Tenant) -> Result<Arc<Plugin>, ApiError> {
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
