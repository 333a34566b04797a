//! The tenant admin's page of members: inviting people and changing roles.

pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/admin/users", web::get().to(pages::users_page))
        .route("/t/{slug}/admin/users", web::post().to(pages::invite_post))
        .route("/t/{slug}/admin/users/{id}/role", web::post().to(pages::role_post));
}
