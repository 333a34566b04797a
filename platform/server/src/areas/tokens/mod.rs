//! A member's own API tokens: the page that lists them, making one, revoking one.

pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/tokens", web::get().to(pages::tokens_page))
        .route("/t/{slug}/tokens", web::post().to(pages::token_create))
        .route("/t/{slug}/tokens/{id}/revoke", web::post().to(pages::token_revoke));
}
