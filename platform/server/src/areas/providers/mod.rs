//! The trust's providers: who they are, their sector and safeguarding evidence, and the fields
//! the trust's framework asks of a provider (Southwark's criteria for the voluntary and
//! community sector among them); edited by version and archived.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/providers", web::post().to(create_provider))
        .route("/api/v1/tenants/{slug}/providers/{id}", web::put().to(edit_provider))
        .route("/api/v1/tenants/{slug}/providers/{id}/archive", web::post().to(archive_provider))
        .route("/t/{slug}/providers", web::get().to(pages::list))
        .configure(crate::app::crud::routes::<pages::Providers>)
        .route("/t/{slug}/providers/{id}", web::get().to(pages::show));
}
