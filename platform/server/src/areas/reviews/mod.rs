//! Reviews: what is due and overdue by the body that owns it, and completing a review with its
//! outcome and what follows from it.

pub mod api;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/reviews/due", web::get().to(due_reviews))
        .route("/api/v1/tenants/{slug}/reviews/{id}/complete", web::post().to(complete_review));
}
