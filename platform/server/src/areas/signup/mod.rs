//! A council signs up: the form or the API records the sign-up and mails a confirmation link;
//! the admin confirms their address, and the sign-up waits for an operator's approval.

pub mod api;
pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(pages::signup_page))
        .route("/signup", web::post().to(pages::signup_form))
        .route("/api/v1/signups", web::post().to(api::signup_api))
        .route("/signup/confirm/{token}", web::get().to(pages::confirm_page))
        .route("/signup/confirm", web::post().to(pages::confirm_post));
}
