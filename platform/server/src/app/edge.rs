//! The edge of the web server: what every request passes before a handler sees it, and what
//! every response carries. Control characters in a path or query are refused here, a panic
//! anywhere in a handler becomes a logged 500 with a correlation id, and redirects are built
//! only from checked local paths, so no text of a visitor's reaches a header unchecked.

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{HttpResponse, ResponseError};
use futures_util::FutureExt;

use super::pages::PageError;
use crate::error::ApiError;

/// An error answered at the edge: JSON for the API, a page for people.
fn answer(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let response =
        if req.path().starts_with("/api/") { error.error_response() } else { PageError::from(error).error_response() };
    req.into_response(response)
}

/// A C0 or C1 control character (NUL, CR, LF among them) in text that was percent-decoded.
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Where a request's path or query carries a control character once decoded: `path`, or the
/// name of the query parameter (itself made printable).
pub fn control_character_in(path: &str, query: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    if has_control(&decoded) {
        return Some("path".into());
    }
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if has_control(&key) || has_control(&value) {
            let name: String = key.chars().filter(|c| !c.is_control()).take(40).collect();
            return Some(if name.is_empty() { "query".into() } else { name });
        }
    }
    None
}

/// Refuses, with a 400 naming where, any request whose path or query holds a control character:
/// no such text ever reaches a handler, a database or a header.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let found = control_character_in(req.uri().path(), req.uri().query().unwrap_or(""));
    if let Some(field) = found {
        let error = ApiError::bad_request(Some(&field), "must not contain control characters");
        return Ok(answer(req, error));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// A panic in a handler is a bug: it becomes a 500 whose body carries a correlation id that the
/// log line carries too, and the worker goes on serving. (Database work that panics has already
/// been rolled back by the unit of work, and its connection discarded.)
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request cannot be kept aside here (a handler's extractors need it alone), so a panic
    // comes back as an error, which the server turns into the response.
    let api = req.path().starts_with("/api/");
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(response) => Ok(response?.map_into_boxed_body()),
        Err(panic) => {
            let detail = format!("a handler panicked: {}", platform_db::conn::panic_message(panic.as_ref()));
            let error = ApiError::Internal(detail);
            Err(if api { error.into() } else { PageError::from(error).into() })
        }
    }
}

/// Headers every response carries. Nothing is cached unless its handler says so (the static
/// assets do): signed-in pages, the API and the page that shows a new API token once must never
/// be kept by a browser or a proxy. HSTS when the platform is reached over https.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::CACHE_CONTROL, "no-store"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ));
    if https {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))
    } else {
        headers
    }
}

/// Characters a local path may carry into a `Location` header as they are; anything else is
/// percent-encoded, so a redirect can never break a header or leave the site.
const PATH_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'?')
    .remove(b'=')
    .remove(b'&')
    .remove(b'%');

/// A 303 to a path on this site. A path that does not start with a single `/` goes home.
pub fn see_other(path: &str) -> HttpResponse {
    let local = if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') { path } else { "/" };
    let encoded = percent_encoding::utf8_percent_encode(local, PATH_SAFE).to_string();
    HttpResponse::SeeOther().insert_header((header::LOCATION, encoded)).finish()
}

/// A 303 to an absolute URL (an identity provider's authorisation endpoint), as the URL parser
/// serialised it: always a valid header value.
pub fn see_other_url(url: &url::Url) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, url.as_str())).finish()
}

/// After sign-in, only a path within the trust's own pages is followed: segments of letters,
/// digits, `-`, `_` and `.`, no `.` or `..` segment, nothing encoded (an encoded slash or dot
/// is how a path escapes). Anything else goes to the trust's home.
pub fn safe_next(slug: &str, next: &str) -> String {
    let home = format!("/t/{slug}/");
    let Some(rest) = next.strip_prefix(&home) else { return home };
    let ok = rest.split('/').enumerate().all(|(i, segment)| {
        let last = i == rest.split('/').count() - 1;
        (segment.is_empty() && last)
            || (!segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    });
    if ok { next.to_string() } else { home }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_after_decoding() {
        assert_eq!(control_character_in("/t/kent%00/contracts", ""), Some("path".into()));
        assert_eq!(control_character_in("/t/x%0d%0a", ""), Some("path".into()));
        assert_eq!(control_character_in("/t/durham/login", "next=/t/durham/%0d%0a"), Some("next".into()));
        assert_eq!(control_character_in("/t/durham/login", "a=%C2%85"), Some("a".into()), "C1 NEL");
        assert_eq!(control_character_in("/t/durham/", "next=/t/durham/x&limit=5"), None);
        assert_eq!(control_character_in("/t/caf%C3%A9/", ""), None, "printable non-ASCII is for the handler");
    }

    #[test]
    fn after_sign_in_only_a_path_within_the_trust_is_followed() {
        assert_eq!(safe_next("kent", "/t/kent/admin/users"), "/t/kent/admin/users");
        assert_eq!(safe_next("kent", "/t/kent/"), "/t/kent/");
        for bad in [
            "https://evil.example/",
            "//evil.example/t/kent/",
            "/t/durham/",
            "/t/kent//evil",
            "",
            "/t/kent\\..\\x",
            "/t/kent/..%2F..%2Fevil",
            "/t/kent/../../evil",
            "/t/kent/%0d%0a",
            "/t/kent/a\r\nSet-Cookie: x=1",
            "/t/kent/./x",
        ] {
            assert_eq!(safe_next("kent", bad), "/t/kent/", "{bad}");
        }
    }

    #[test]
    fn redirects_never_carry_raw_text_into_the_header() {
        let r = see_other("/t/x\r\n/");
        let location = r.headers().get(header::LOCATION).unwrap().to_str().unwrap();
        assert_eq!(location, "/t/x%0D%0A/");
        let r = see_other("//evil.example/");
        assert_eq!(r.headers().get(header::LOCATION).unwrap(), "/");
        let r = see_other("https://evil.example/");
        assert_eq!(r.headers().get(header::LOCATION).unwrap(), "/");
    }
}
