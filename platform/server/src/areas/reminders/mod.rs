//! Reminders before reviews and contract ends fall due: planned by working days (`plan`), written
//! to the mail outbox once each by a scheduler tick and sent by a dispatcher (`service`), and
//! shown to the trust with what failed and why (`pages`).

mod calendar;
mod pages;
pub mod plan;
pub mod service;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{slug}/reminders", web::get().to(pages::list))
        .route("/calendar/{token}", web::get().to(pages::calendar_feed))
        .route("/t/{slug}/reminders/calendar", web::post().to(pages::calendar_link))
        .route("/t/{slug}/reminders/calendar/revoke", web::post().to(pages::calendar_revoke))
        .route("/unsubscribe/{token}", web::get().to(pages::unsubscribe_page))
        .route("/unsubscribe/{token}", web::post().to(pages::unsubscribe))
        .route("/t/{slug}/reminders/mine", web::get().to(pages::mine_page))
        .route("/t/{slug}/reminders/mine", web::post().to(pages::mine))
        .route("/t/{slug}/reminders/settings", web::get().to(pages::settings_page))
        .route("/t/{slug}/reminders/settings", web::post().to(pages::settings))
        .route("/t/{slug}/reminders/{id}/retry", web::post().to(pages::retry));
}
