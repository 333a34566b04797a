//! Platform operators: signing in by the one-time link the command line prints, and approving
//! or rejecting councils' confirmed sign-ups.

pub mod pages;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/operator", web::get().to(pages::operator_page))
        .route("/operator/login/{token}", web::get().to(pages::operator_link_page))
        .route("/operator/login", web::post().to(pages::operator_link_post))
        .route("/operator/signups/{id}/{decision}", web::post().to(pages::operator_decide))
        .service(
            web::resource("/operator/reference")
                .app_data(
                    actix_multipart::form::MultipartFormConfig::default()
                        .total_limit(70 * 1024 * 1024)
                        .memory_limit(4 * 1024 * 1024)
                        .error_handler(|e, _| {
                            crate::error::ApiError::bad_request(None, format!("the upload could not be read: {e}"))
                                .into()
                        }),
                )
                .route(web::post().to(pages::operator_reference)),
        );
}
