//! The contracts register: contracts let under the trust's framework, their events (variation,
//! extension, termination) and the reviews their framework schedules.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/contracts", web::get().to(list_contracts))
        .route("/api/v1/tenants/{slug}/contracts", web::post().to(create_contract))
        .route("/api/v1/tenants/{slug}/contracts/{id}", web::put().to(edit_contract))
        .route("/api/v1/tenants/{slug}/contracts/{id}/events", web::post().to(record_event))
        .route("/api/v1/tenants/{slug}/contracts/{id}/record", web::get().to(contract_record))
        .route("/api/v1/tenants/{slug}/contracts/{id}/terms", web::put().to(set_terms))
        .route("/t/{slug}/contracts", web::get().to(pages::list))
        .route("/t/{slug}/contracts", web::post().to(pages::create))
        .route("/t/{slug}/contracts/new", web::get().to(pages::new_page))
        .route("/t/{slug}/contracts/{id}", web::get().to(pages::show))
        .route("/t/{slug}/contracts/{id}/edit", web::get().to(pages::edit_page))
        .route("/t/{slug}/contracts/{id}/edit", web::post().to(pages::edit))
        .route("/t/{slug}/contracts/{id}/events/new", web::get().to(pages::event_page))
        .route("/t/{slug}/contracts/{id}/terms", web::get().to(pages::terms_page))
        .route("/t/{slug}/contracts/{id}/terms", web::post().to(pages::terms))
        .route("/t/{slug}/contracts/{id}/events", web::post().to(pages::event));
}
