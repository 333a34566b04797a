//! The shared layer every area of the product stands on: the state a handler reaches, the
//! tenant and role guard, the helpers of pages and of the JSON API, the one-time email links,
//! and the edge every request passes. Nothing here knows an area; areas know only this and the
//! infrastructure beside it.

pub mod api;
pub mod auth;
pub mod crud;
pub mod edge;
pub mod forms;
pub mod input;
pub mod links;
pub mod pages;
pub mod views;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use handlebars::Handlebars;
use platform_db::conn::Pool;

use crate::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "templates/"]
#[include = "*.hbs"]
struct Templates;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub frameworks: std::sync::Arc<crate::frameworks::Frameworks>,
    pub templates: std::sync::Arc<Handlebars<'static>>,
    pub redis: Option<redis::aio::ConnectionManager>,
    pub sessions: crate::sessions::Store,
    pub limiter: std::sync::Arc<crate::limits::Limiter>,
    /// Seals OIDC client secrets; None when no key is configured (PostgreSQL without
    /// PLATFORM_SECRET_KEY), and then OIDC settings cannot be saved.
    pub sealer: Option<crate::secrets::Sealer>,
    pub mailer: std::sync::Arc<crate::mail::Mailer>,
    /// Where people reach the platform; email links and OIDC redirects start with it.
    pub public_url: url::Url,
    pub secure_cookies: bool,
    pub session_idle: std::time::Duration,
    pub trust_proxy: bool,
    /// For the identity providers: refuses local addresses, follows no redirects.
    pub http: crate::outbound::Client,
}

impl AppState {
    /// Runs database work on the blocking pool with a connection of the request pool.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut platform_db::DbConnection) -> platform_db::error::DbResult<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        Ok(web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await??)
    }

    /// One transaction within one tenant (row-level security holds it there on PostgreSQL).
    pub async fn tenant_db<T: Send + 'static>(
        &self,
        tenant: &platform_db::TenantId,
        work: impl FnOnce(&mut platform_db::DbConnection) -> platform_db::error::DbResult<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let tenant = tenant.clone();
        self.db(move |conn| platform_db::conn::scoped(conn, platform_db::conn::Scope::Tenant(&tenant), work)).await
    }

    /// One transaction within one tenant whose work answers in the API's own terms (a framework's
    /// refusal, a stale version): any error rolls all of it back.
    pub async fn tenant_work<T: Send + 'static>(
        &self,
        tenant: &platform_db::TenantId,
        work: impl FnOnce(&mut platform_db::DbConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (pool, tenant) = (self.pool.clone(), tenant.clone());
        web::block(move || {
            let mut conn = pool.get()?;
            platform_db::conn::scoped_with(&mut conn, platform_db::conn::Scope::Tenant(&tenant), work)
        })
        .await?
    }

    /// One transaction of operator work across tenants.
    pub async fn platform_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut platform_db::DbConnection) -> platform_db::error::DbResult<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.db(move |conn| platform_db::conn::scoped(conn, platform_db::conn::Scope::Platform, work)).await
    }

    /// An absolute link for an email.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }

    pub fn page(&self, template: &str, data: &serde_json::Value) -> Result<HttpResponse, ApiError> {
        Ok(HttpResponse::Ok().content_type(ContentType::html()).body(pages::render(self, template, data)?))
    }
}

handlebars::handlebars_helper!(quote: |text: str| quoted(text));

/// A name as mail shows it: in quotation marks, on one line, whatever it holds. Names are
/// checked to be single-line when they are saved; this keeps any that predate the check (or
/// come from an identity provider) from opening a paragraph of their own in a message.
pub fn quoted(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let words: Vec<&str> = one_line.split_whitespace().collect();
    let joined: String = words.join(" ").chars().take(200).collect();
    format!("\u{201C}{joined}\u{201D}")
}

pub fn templates() -> anyhow::Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_helper("quote", Box::new(quote));
    hb.register_embed_templates_with_extension::<Templates>(".hbs").map_err(|e| anyhow::anyhow!("templates: {e}"))?;
    Ok(hb)
}
