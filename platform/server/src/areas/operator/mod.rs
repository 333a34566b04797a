//! Platform operators: signing in by the one-time link the command line prints, and approving
//! or rejecting councils' confirmed sign-ups.

pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/operator", web::get().to(pages::operator_page))
        .route("/operator/login/{token}", web::get().to(pages::operator_link_page))
        .route("/operator/login", web::post().to(pages::operator_link_post))
        .route("/operator/signups/{id}/{decision}", web::post().to(pages::operator_decide));
}
