//! Reviews: what is due and overdue by the body that owns it, and completing a review with its
//! outcome and what follows from it.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/reviews/due", web::get().to(due_reviews))
        .route("/api/v1/tenants/{slug}/reviews/{id}/complete", web::post().to(complete_review))
        .route("/t/{slug}/reviews", web::get().to(pages::due))
        .route("/t/{slug}/reviews/{id}", web::get().to(pages::show))
        .route("/t/{slug}/reviews/{id}/complete", web::get().to(pages::complete_page))
        .route("/t/{slug}/reviews/{id}/complete", web::post().to(pages::complete));
}
