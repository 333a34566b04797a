//! Commissioning projects through the trust's framework's stages and gates, and the board.

pub mod api;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.route("/api/v1/tenants/{slug}/projects", web::get().to(list_projects))
        .route("/api/v1/tenants/{slug}/projects", web::post().to(create_project))
        .route("/api/v1/tenants/{slug}/projects/board", web::get().to(project_board))
        .route("/api/v1/tenants/{slug}/projects/{id}", web::get().to(get_project))
        .route("/api/v1/tenants/{slug}/projects/{id}", web::put().to(edit_project))
        .route("/api/v1/tenants/{slug}/projects/{id}/moves", web::post().to(move_project));
}
