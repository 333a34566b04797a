//! Self-evaluation against the trust's framework's standards, and the trust's evaluations side
//! by side.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/self-evaluations", web::post().to(record_self_evaluation))
        .route("/api/v1/tenants/{slug}/self-evaluations/side-by-side", web::get().to(side_by_side))
        .route("/t/{slug}/self-evaluations", web::get().to(pages::side_by_side))
        .route("/t/{slug}/self-evaluations", web::post().to(pages::create))
        .route("/t/{slug}/self-evaluations/new", web::get().to(pages::new_page));
}
