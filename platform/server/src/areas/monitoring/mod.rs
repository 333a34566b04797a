//! Monitoring returns: the provider portal, and each KPI against its target.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/contracts/{id}/kpis", web::get().to(contract_kpis))
        .route("/api/v1/tenants/{slug}/contracts/{id}/returns", web::post().to(submit_return))
        .route("/t/{slug}/contracts/{id}/returns/new", web::get().to(pages::new_page))
        .route("/t/{slug}/contracts/{id}/returns", web::post().to(pages::submit));
}
