//! Commissioning projects through the trust's framework's stages and gates, and the board.

pub mod api;
mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/projects", web::get().to(list_projects))
        .route("/api/v1/tenants/{slug}/projects", web::post().to(create_project))
        .route("/api/v1/tenants/{slug}/projects/board", web::get().to(project_board))
        .route("/api/v1/tenants/{slug}/projects/{id}", web::get().to(get_project))
        .route("/api/v1/tenants/{slug}/projects/{id}", web::put().to(edit_project))
        .route("/api/v1/tenants/{slug}/projects/{id}/moves", web::post().to(move_project))
        .route("/t/{slug}/projects", web::get().to(pages::board))
        .route("/t/{slug}/projects", web::post().to(pages::create))
        .route("/t/{slug}/projects/new", web::get().to(pages::new_page))
        .route("/t/{slug}/projects/{id}", web::get().to(pages::show))
        .route("/t/{slug}/projects/{id}/edit", web::get().to(pages::edit_page))
        .route("/t/{slug}/projects/{id}/edit", web::post().to(pages::edit))
        .route("/t/{slug}/projects/{id}/move", web::get().to(pages::move_page))
        .route("/t/{slug}/projects/{id}/moves", web::post().to(pages::move_project));
}
