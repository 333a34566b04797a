//! The operator's pages: the sign-ups waiting, the tenants, and the sign-in link's page.

use actix_web::{HttpResponse, web};
use platform_db::SignupId;
use platform_db::models::SignupStatus;
use serde_json::json;

use super::service::{self, operator};
use crate::app::AppState;
use crate::app::auth::{self, Visitor};
use crate::app::edge::see_other;
use crate::app::links::{Outgoing, refusal_text};
use crate::app::pages::{CsrfForm, PageError, TokenForm, button_page, ensure_session, message, with_cookie};
use crate::error::ApiError;
use crate::limits;
use crate::sessions::{self, SessionData};

pub(super) async fn operator_page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    let (pending, tenants) = service::overview(&state).await?;
    let releases = state
        .platform_db(|c| {
            use platform_db::repo::reference::release;
            Ok([release(c, "lait")?, release(c, "geography")?])
        })
        .await?;
    let releases: Vec<_> = releases
        .iter()
        .flatten()
        .map(|r| {
            json!({"source": r.source, "imported_at": r.imported_at.format("%-d %B %Y %H:%M").to_string(),
                   "released_on": r.released_on.map(|d| d.format("%-d %B %Y").to_string()),
                   "rows_read": r.rows_read, "values_stored": r.values_stored, "rows_refused": r.rows_refused})
        })
        .collect();
    let pending: Vec<_> = pending
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "council_name": s.council_name, "ons_code": s.ons_code, "region": s.region,
                "admin": format!("{} <{}>", s.admin_name, s.admin_email), "slug": s.slug,
                "framework": format!("{}@{}", s.plugin_id, s.plugin_version),
                "ready": s.status == SignupStatus::AwaitingApproval,
                "status": s.status.as_str().replace('_', " "),
            })
        })
        .collect();
    Ok(state.page(
        "operator",
        &json!({"title": "Operator", "nav": null, "operator": me.email, "csrf": visitor.csrf(),
                "signups": pending, "tenants": tenants, "has_signups": !pending.is_empty(),
                "releases": releases}),
    )?)
}

pub(super) async fn operator_link_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    if let Err(r) = service::link_is_valid(&state, &token).await? {
        return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
    }
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = button_page(
        &state,
        "Sign in as a platform operator",
        "Continue to sign in to the operator pages.",
        "/operator/login",
        &token,
        visitor.csrf(),
        "Sign in",
    )?;
    Ok(with_cookie(page, cookie))
}

pub(super) async fn operator_link_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let user = match service::use_link(&state, &form.token).await? {
        Ok(u) => u,
        Err(r) => {
            auth::record(
                &state,
                auth::entry(
                    None,
                    None,
                    "login_failed",
                    ("operator", None),
                    json!({"method": "operator_link", "reason": refusal_text(r)}),
                    &visitor.ip,
                ),
            )
            .await?;
            return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
        }
    };
    let data = SessionData { user_id: Some(user.id.clone()), operator: true, tenant_id: None, ..SessionData::fresh()? };
    let session = state.sessions.rotate(visitor.session.as_ref(), data, state.session_idle).await?;
    auth::record(
        &state,
        auth::entry(
            None,
            Some(&user.id),
            "login_succeeded",
            ("operator", Some(user.id.to_string())),
            json!({"method": "operator_link"}),
            &visitor.ip,
        ),
    )
    .await?;
    Ok(with_cookie(see_other("/operator"), Some(sessions::cookie(&session.id, state.secure_cookies))))
}

pub(super) async fn operator_decide(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    visitor.check_csrf(&form.csrf)?;
    let (id, decision) = path.into_inner();
    let id: SignupId = id.parse().map_err(|_| ApiError::NotFound("no such sign-up".into()))?;
    let ip = visitor.ip.clone();
    let me_id = me.id.clone();
    match decision.as_str() {
        "approve" => {
            let out = Outgoing::from_state(&state);
            state.db(move |c| service::approve(c, &out, &id, Some(&me_id), &ip)).await?;
        }
        "reject" => state.db(move |c| service::reject(c, &id, &me_id, &ip)).await?,
        _ => return Err(ApiError::NotFound("no such decision".into()).into()),
    }
    Ok(see_other("/operator"))
}

/// The files an operator may upload for each source, as DfE and ONS name them.
const LAIT_FILES: [&str; 5] =
    ["bds_long.csv.gz", "bds_long.csv", "lait_data_dictionary.csv", "sn_may_2025.xlsx", "sn_april_2021.xlsx"];
const GEOGRAPHY_FILES: [&str; 2] = ["las.csv", "regions.csv"];

/// An upload of reference data: the source and its files as published.
#[derive(Debug, actix_multipart::form::MultipartForm)]
pub(super) struct ReferenceUpload {
    csrf: actix_multipart::form::text::Text<String>,
    source: actix_multipart::form::text::Text<String>,
    #[multipart(limit = "60MB")]
    files: Vec<actix_multipart::form::tempfile::TempFile>,
}

/// Imports reference data from the files uploaded on the operator's page, as
/// `platform reference import` does from a folder: all or nothing, with the import's report.
pub(super) async fn operator_reference(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: actix_multipart::form::MultipartForm<ReferenceUpload>,
) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    let upload = form.into_inner();
    visitor.check_csrf(&upload.csrf)?;
    let source = upload.source.into_inner();
    let allowed: &[&str] = match source.as_str() {
        "lait" => &LAIT_FILES,
        "geography" => &GEOGRAPHY_FILES,
        _ => return Ok(reference_answer(&state, 422, "Choose what the files are: LAIT or the geography")?),
    };
    if upload.files.iter().all(|f| f.size == 0) {
        return Ok(reference_answer(&state, 422, "Choose the files to upload")?);
    }
    let dir = tempfile::tempdir().map_err(|e| ApiError::Internal(format!("a folder for the upload: {e}")))?;
    for f in &upload.files {
        // The name as the browser sent it, without any folder: only the files the import reads.
        let name = f.file_name.as_deref().unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
        if !allowed.contains(&name) {
            return Ok(reference_answer(
                &state,
                422,
                &format!("{name:?} is not a file of this source: upload {}", allowed.join(", ")),
            )?);
        }
        std::fs::copy(f.file.path(), dir.path().join(name))
            .map_err(|e| ApiError::Internal(format!("keeping the upload: {e}")))?;
    }
    let pool = state.pool.clone();
    let now = crate::clock::now();
    let path = dir.path().to_path_buf();
    let is_lait = source == "lait";
    let result = web::block(move || -> anyhow::Result<crate::reference::Report> {
        let mut conn = pool.get()?;
        platform_db::conn::scoped_with(&mut conn, platform_db::conn::Scope::Platform, |c| {
            if is_lait {
                crate::reference::import_lait(c, &path, now)
            } else {
                crate::reference::import_geography(c, &path, now)
            }
        })
    })
    .await
    .map_err(|e| ApiError::Internal(format!("the import did not finish: {e}")))?;
    drop(dir);
    let entry = |detail: serde_json::Value| {
        auth::entry(None, Some(&me.id), "reference_imported", ("reference", Some(source.clone())), detail, &visitor.ip)
    };
    match result {
        Ok(report) => {
            auth::record(&state, entry(json!({"report": report.render(20)}))).await?;
            Ok(reference_answer(&state, 200, &report.render(20))?)
        }
        Err(e) => Ok(reference_answer(&state, 422, &format!("Nothing was imported: {e:#}"))?),
    }
}

fn reference_answer(state: &AppState, status: u16, text: &str) -> Result<HttpResponse, ApiError> {
    let title = if status == 200 { "Reference data imported" } else { "Reference data not imported" };
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    message(state, status, title, &lines)
}
