//! Signing in to a trust: by a one-time email link, or by the trust's identity provider (OIDC,
//! authorisation code with PKCE), and signing out. Also the tenant admin's page for the
//! identity provider's settings.
//!
//! Email links are never used up by opening them (council mail systems open links to scan
//! them): the link shows a page with a button, and the button's POST signs in.

pub mod oidc;
pub mod pages;
pub mod service;
pub mod settings;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/logout", web::post().to(pages::logout))
        .route("/t/{slug}/login", web::get().to(pages::login_page))
        .route("/t/{slug}/login/email", web::post().to(pages::login_email))
        .route("/t/{slug}/login/link/{token}", web::get().to(pages::login_link_page))
        .route("/t/{slug}/login/link", web::post().to(pages::login_link_post))
        .route("/t/{slug}/login/oidc", web::get().to(oidc::oidc_start))
        .route("/t/{slug}/oidc/callback", web::get().to(oidc::oidc_callback))
        .route("/t/{slug}/admin/oidc", web::get().to(settings::oidc_settings_page))
        .route("/t/{slug}/admin/oidc", web::post().to(settings::oidc_settings_post));
}
