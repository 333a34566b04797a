//! The decision log's pages: the log, newest first, and the form that records a decision
//! of one of the framework's bodies (the same action as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{DecisionInput, record};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;
use crate::framework_calls::Framework;
use platform_db::repo::{Page, commissioning as c};

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(
            ApiError::Forbidden("the decision log is the trust's; providers see their own contracts".into()).into()
        );
    }
    let query = Values::parse(req.query_string().as_bytes());
    let offset = query.get("offset").parse::<i64>().unwrap_or(0).max(0);
    let tenant = access.tenant.id.clone();
    let page =
        state.tenant_db(&tenant.clone(), move |conn| c::list_decisions(conn, &tenant, Page::new(50, offset))).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let members = v::member_names(&state, &access).await?;
    let slug = &access.tenant.slug;
    let rows: Vec<Value> = page
        .items
        .iter()
        .map(|d| {
            let on = match (&d.project_id, &d.contract_id, &d.review_id) {
                (Some(p), _, _) => v::cell("a project", Some(format!("/t/{slug}/projects/{p}"))),
                (_, _, Some(r)) => v::cell("a review", Some(format!("/t/{slug}/reviews/{r}"))),
                (_, Some(k), _) => v::cell("a contract", Some(format!("/t/{slug}/contracts/{k}"))),
                _ => v::cell("-", None),
            };
            v::row(vec![
                v::cell(v::day(d.decided_on), None),
                v::cell(v::body_name(&fw, &d.body), None),
                json!({"text": d.title, "note": d.decision}),
                on,
                v::cell(
                    d.decided_by_user_id.as_ref().map_or_else(|| "-".into(), |u| v::name_in(&members, u.as_str())),
                    None,
                ),
            ])
        })
        .collect();
    let actions = if Action::Decide.allowed(access.role()) {
        json!([{"href": format!("/t/{slug}/decisions/new"), "label": "Record a decision"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Decisions", "caption": access.tenant.name, "actions": actions, "notice": v::notice(&req),
               "intro": ["What the trust's bodies decided, newest first. A decision is never changed or removed."],
               "sections": [v::table_section("decisions", "", "The decision log", &["Decided", "Body", "Decision", "On", "Recorded by"], rows, "No decision recorded yet.")],
               "paging": v::paging(&format!("/t/{slug}/decisions"), &query, page.total, page.limit, page.offset)}),
    )?)
}

async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let (projects, contracts) = v::projects_and_contracts(state, access).await?;
    let opts = |pairs: Vec<(String, String)>| pairs.into_iter().map(|(i, n)| Opt::new(i, n)).collect();
    Ok(vec![
        Field::date("decided_on", "Date decided"),
        Field::select("body", "Body that decided", v::body_options(&fw)),
        Field::text("title", "Decision"),
        Field::area("decision", "What was decided"),
        Field::select("project_id", "On a project", opts(projects)).optional(),
        Field::select("contract_id", "On a contract", opts(contracts)).optional(),
    ])
}

async fn form(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields(state, access).await?;
    let base = format!("/t/{}/decisions", access.tenant.slug);
    let mut page = FormPage::new("Record a decision", base.clone(), &fields, values);
    page.caption = Some("Decisions".into());
    page.intro = vec!["A decision cannot be changed once recorded: check it before you save.".into()];
    page.cancel = Some(base);
    page.submit = "Record decision";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Decide)?;
    let query = Values::parse(req.query_string().as_bytes());
    let mut values = Values::default();
    values.set("project_id", query.get("project_id")).set("contract_id", query.get("contract_id"));
    Ok(form(&state, &access, &values, None).await?)
}

pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Decide)?;
    let fields = fields(&state, &access).await?;
    let result = match forms::read::<DecisionInput>(&fields, &values) {
        Ok(input) => record(&state, &access, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(v::saved(&format!("/t/{}/decisions", access.tenant.slug))),
        Err(e) => Ok(form(&state, &access, &values, Some(e)).await?),
    }
}
