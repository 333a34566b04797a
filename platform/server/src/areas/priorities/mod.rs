//! The trust's priorities: ranked, each under one of the five outcomes and perhaps a need, with
//! the fields the trust's framework asks of a priority; edited by version and archived.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/priorities", web::post().to(create_priority))
        .route("/api/v1/tenants/{slug}/priorities/{id}", web::put().to(edit_priority))
        .route("/api/v1/tenants/{slug}/priorities/{id}/archive", web::post().to(archive_priority))
        .route("/t/{slug}/priorities", web::get().to(pages::list))
        .configure(crate::app::crud::routes::<pages::Priorities>)
        .route("/t/{slug}/priorities/{id}", web::get().to(pages::show));
}
