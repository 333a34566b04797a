//! The needs assessment: a need recorded against one of the five outcomes, checked by the
//! trust's framework, edited by version and archived (kept for what points at it).

pub mod api;
pub mod evidence;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/needs", web::post().to(create_need))
        .route("/api/v1/tenants/{slug}/needs/{id}", web::put().to(edit_need))
        .route("/api/v1/tenants/{slug}/needs/{id}/archive", web::post().to(archive_need))
        .route("/api/v1/tenants/{slug}/needs/{id}/evidence", web::get().to(evidence::need_evidence))
        .route("/t/{slug}/needs", web::get().to(pages::list))
        .configure(crate::app::crud::routes::<pages::Needs>)
        .route("/t/{slug}/needs/{id}", web::get().to(pages::show));
}
