//! Monitoring returns: the provider portal, and each KPI against its target.

pub mod api;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/contracts/{id}/kpis", web::get().to(contract_kpis))
        .route("/api/v1/tenants/{slug}/contracts/{id}/returns", web::post().to(submit_return));
}
