//! The trust's services: what a provider runs, for whom and where, placed by the trust's
//! framework at a level and under the body that commissions it; edited by version and archived.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/services", web::post().to(create_service))
        .route("/api/v1/tenants/{slug}/services/{id}", web::put().to(edit_service))
        .route("/api/v1/tenants/{slug}/services/{id}/archive", web::post().to(archive_service))
        .route("/t/{slug}/services", web::get().to(pages::list))
        .configure(crate::app::crud::routes::<pages::Services>)
        .route("/t/{slug}/services/{id}", web::get().to(pages::show));
}
