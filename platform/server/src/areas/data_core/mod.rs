//! The data core's read API: the trust's providers, services, contracts, reviews, needs,
//! priorities and indicators, a page of a list or one record.

pub mod api;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/providers", web::get().to(list_providers))
        .route("/api/v1/tenants/{slug}/services", web::get().to(list_services))
        .route("/api/v1/tenants/{slug}/reviews", web::get().to(list_reviews))
        .route("/api/v1/tenants/{slug}/needs", web::get().to(list_needs))
        .route("/api/v1/tenants/{slug}/priorities", web::get().to(list_priorities))
        .route("/api/v1/tenants/{slug}/indicators", web::get().to(list_indicators))
        .route("/api/v1/tenants/{slug}/providers/{id}", web::get().to(get_provider))
        .route("/api/v1/tenants/{slug}/services/{id}", web::get().to(get_service))
        .route("/api/v1/tenants/{slug}/contracts/{id}", web::get().to(get_contract))
        .route("/api/v1/tenants/{slug}/reviews/{id}", web::get().to(get_review))
        .route("/api/v1/tenants/{slug}/needs/{id}", web::get().to(get_need))
        .route("/api/v1/tenants/{slug}/priorities/{id}", web::get().to(get_priority))
        .route("/api/v1/tenants/{slug}/indicators/{id}", web::get().to(get_indicator));
}
