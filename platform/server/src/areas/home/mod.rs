//! The platform's front door: the home page and the public directory of trusts.

pub mod api;
pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/tenants", web::get().to(api::tenant_directory)).route("/", web::get().to(pages::home));
}
