//! The forms every editable record of the cycle has, written once: record one, edit one (the
//! form carries the version it was opened at; a stale save shows the record as it now stands,
//! saving nothing) and archive one. An area describes its record by [`Editable`]: its fields,
//! how a stored row fills them, and its service's actions, which the API calls too.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::{Access, Action, Visitor};
use super::forms::{self, Field, Values};
use super::pages::{PageError, page_access};
use super::views::{self as v, FormPage};
use crate::error::ApiError;

/// A record of the cycle as its forms see it.
pub trait Editable: 'static {
    type Id: std::str::FromStr + Clone;
    type Input: DeserializeOwned;
    type Row;
    /// The path under `/t/{slug}/` (`needs`).
    const PATH: &'static str;
    /// The record's name in a sentence (`need`).
    const NOUN: &'static str;
    /// The caption over its forms (`Needs assessment`).
    const CAPTION: &'static str;
    /// Who may record and edit it.
    const ACTION: Action = Action::Commission;

    /// The form's fields (choices may come from the trust's records and its framework).
    async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError>;
    fn values(row: &Self::Row) -> Values;
    fn id(row: &Self::Row) -> String;
    fn title(row: &Self::Row) -> String;
    fn version(row: &Self::Row) -> i32;

    async fn create(state: &AppState, access: &Access, input: Self::Input) -> Result<Self::Row, ApiError>;
    async fn edit(
        state: &AppState,
        access: &Access,
        id: Self::Id,
        version: i32,
        input: Self::Input,
    ) -> Result<Self::Row, ApiError>;
    async fn archive(state: &AppState, access: &Access, id: Self::Id, version: i32) -> Result<Self::Row, ApiError>;
    async fn current(state: &AppState, access: &Access, id: Self::Id) -> Result<Self::Row, ApiError>;

    /// Values a new record's form starts with (from the query: a priority from a need).
    fn starting(_req: &HttpRequest) -> Values {
        Values::default()
    }
}

fn base<R: Editable>(access: &Access) -> String {
    format!("/t/{}/{}", access.tenant.slug, R::PATH)
}

async fn new_form<R: Editable>(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = R::fields(state, access).await?;
    let base = base::<R>(access);
    let title = format!("Record a {}", R::NOUN);
    let mut page = FormPage::new(title, base.clone(), &fields, values);
    page.caption = Some(R::CAPTION.into());
    page.cancel = Some(base);
    page.submit = "Save";
    page.error = error;
    v::form_page(state, access, page)
}

pub async fn new_page<R: Editable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(R::ACTION)?;
    Ok(new_form::<R>(&state, &access, &R::starting(&req), None).await?)
}

pub async fn create<R: Editable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(R::ACTION)?;
    let fields = R::fields(&state, &access).await?;
    let result = match forms::read(&fields, &values) {
        Ok(input) => R::create(&state, &access, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(row) => Ok(v::saved(&format!("{}/{}", base::<R>(&access), R::id(&row)))),
        Err(e) => Ok(new_form::<R>(&state, &access, &values, Some(e)).await?),
    }
}

async fn edit_form<R: Editable>(
    state: &AppState,
    access: &Access,
    row: &R::Row,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = R::fields(state, access).await?;
    let record = format!("{}/{}", base::<R>(access), R::id(row));
    let mut page = FormPage::new(format!("Edit {}", R::title(row)), format!("{record}/edit"), &fields, values);
    page.caption = Some(R::CAPTION.into());
    page.version = Some(R::version(row));
    page.cancel = Some(record);
    page.error = error;
    v::form_page(state, access, page)
}

pub async fn edit_page<R: Editable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(R::ACTION)?;
    let row = R::current(&state, &access, v::path_id(&id)?).await?;
    Ok(edit_form::<R>(&state, &access, &row, &R::values(&row), None).await?)
}

pub async fn edit<R: Editable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(R::ACTION)?;
    let id: R::Id = v::path_id(&id)?;
    let fields = R::fields(&state, &access).await?;
    let result = match forms::read_versioned(&fields, &values) {
        Ok((input, version)) => R::edit(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(row) => Ok(v::saved(&format!("{}/{}", base::<R>(&access), R::id(&row)))),
        Err(e) => {
            let row = R::current(&state, &access, id).await?;
            // A stale form is shown again as the record now stands, at its new version, so
            // nobody saves over a colleague's change unseen.
            let shown = if matches!(e, ApiError::Stale { .. }) { R::values(&row) } else { values };
            Ok(edit_form::<R>(&state, &access, &row, &shown, Some(e)).await?)
        }
    }
}

pub async fn archive<R: Editable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    let row = R::archive(&state, &access, v::path_id(&id)?, values.version()?).await?;
    Ok(v::saved(&format!("{}/{}", base::<R>(&access), R::id(&row))))
}

/// Registers the record's forms: `/new`, the create, `/{id}/edit` and `/{id}/archive`.
pub fn routes<R: Editable>(cfg: &mut web::ServiceConfig) {
    let path = format!("/t/{{slug}}/{}", R::PATH);
    cfg.route(&path, web::post().to(create::<R>))
        .route(&format!("{path}/new"), web::get().to(new_page::<R>))
        .route(&format!("{path}/{{id}}/edit"), web::get().to(edit_page::<R>))
        .route(&format!("{path}/{{id}}/edit"), web::post().to(edit::<R>))
        .route(&format!("{path}/{{id}}/archive"), web::post().to(archive::<R>));
}

/// The record's actions for its page: edit and archive, for those who may.
pub fn actions<R: Editable>(access: &Access, row: &R::Row, archived: bool) -> Vec<serde_json::Value> {
    if !R::ACTION.allowed(access.role()) || archived {
        return Vec::new();
    }
    let record = format!("{}/{}", base::<R>(access), R::id(row));
    vec![
        serde_json::json!({"href": format!("{record}/edit"), "label": format!("Edit {}", R::NOUN)}),
        serde_json::json!({"href": format!("{record}/archive"), "label": format!("Archive {}", R::NOUN),
                           "form": true, "version": R::version(row)}),
    ]
}
