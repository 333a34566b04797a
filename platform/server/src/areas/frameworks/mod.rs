//! A trust's framework, as the plugin it is pinned to describes it: a page for its members and
//! the same as JSON.

pub mod api;
pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants/{slug}/framework", web::get().to(api::framework_json))
        .route("/t/{slug}/framework", web::get().to(pages::framework_page));
}
