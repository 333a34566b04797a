//! The provider portal's form: a monitoring return for one of a contract's KPIs, for one of
//! its periods still without a return (the same action as the API). Commissioners see the KPI
//! picture on the contract's page.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ContractId;

use super::service::{self, KpiPicture, ReturnInput};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;

fn fields(picture: &KpiPicture) -> Vec<Field> {
    let mut open = Vec::new();
    for k in &picture.kpis {
        for p in k.periods.iter().filter(|p| p.value.is_none()) {
            open.push(Opt::new(
                format!("{}@{}", k.kpi.code, p.start),
                format!(
                    "{}: {} to {}{}",
                    k.kpi.title,
                    v::day(p.start),
                    v::day(p.end),
                    if p.status == "missing" { " (missing)" } else { "" }
                ),
            ));
        }
    }
    vec![
        Field::select("return_for", "KPI and period", open).hint("Periods that have begun and have no return yet."),
        Field::decimal("value", "Value")
            .hint("In the KPI's unit: a percentage from 0 to 100, a whole count or number of days, or a score."),
        Field::area("note", "Note").optional(),
    ]
}

fn read(fields: &[Field], values: &Values) -> Result<ReturnInput, ApiError> {
    let body = forms::body_of(fields, values)?;
    let chosen = body["return_for"].as_str().unwrap_or_default();
    let (code, start) =
        chosen.split_once('@').ok_or_else(|| ApiError::bad_request(Some("return_for"), "Choose a KPI and period"))?;
    Ok(ReturnInput {
        kpi_code: code.to_string(),
        period_start: start.to_string(),
        value: body["value"].as_f64().unwrap_or_default(),
        note: body["note"].as_str().unwrap_or_default().to_string(),
    })
}

async fn form(
    state: &AppState,
    access: &Access,
    id: ContractId,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let picture = service::kpis(state, access, id).await?;
    let fields = fields(&picture);
    let k = &picture.contract;
    let base = format!("/t/{}/contracts/{}", access.tenant.slug, k.id);
    let mut page = FormPage::new("Submit a monitoring return", format!("{base}/returns"), &fields, values);
    page.caption = Some(format!("{} {}", k.reference, k.title));
    page.intro = vec![format!(
        "A return is due within {} days of its period's end; later ones are marked late.",
        picture.grace_days
    )];
    page.cancel = Some(base);
    page.submit = "Submit return";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::SubmitReturns)?;
    Ok(form(&state, &access, v::path_id(&id)?, &Values::default(), None).await?)
}

pub(super) async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::SubmitReturns)?;
    let id: ContractId = v::path_id(&id)?;
    let picture = service::kpis(&state, &access, id.clone()).await?;
    let result = match read(&fields(&picture), &values) {
        Ok(input) => service::submit(&state, &access, id.clone(), input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(v::saved(&format!("/t/{}/contracts/{id}", access.tenant.slug))),
        Err(e) => {
            // The service names the KPI's and period's own fields; the form has one for both.
            let e = match e {
                ApiError::BadRequest { field: Some(f), message } if f == "kpi_code" || f == "period_start" => {
                    ApiError::bad_request(Some("return_for"), message)
                }
                ApiError::Taken { message, .. } => ApiError::bad_request(Some("return_for"), message),
                other => other,
            };
            Ok(form(&state, &access, id, &values, Some(e)).await?)
        }
    }
}
