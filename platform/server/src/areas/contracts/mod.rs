//! The contracts register: contracts let under the trust's framework, their events (variation,
//! extension, termination) and the reviews their framework schedules.

pub mod api;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/contracts", web::get().to(list_contracts))
        .route("/api/v1/tenants/{slug}/contracts", web::post().to(create_contract))
        .route("/api/v1/tenants/{slug}/contracts/{id}", web::put().to(edit_contract))
        .route("/api/v1/tenants/{slug}/contracts/{id}/events", web::post().to(record_event))
        .route("/api/v1/tenants/{slug}/contracts/{id}/record", web::get().to(contract_record));
}
