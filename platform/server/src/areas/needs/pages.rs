//! The needs assessment's pages: the needs by outcome, a need with its evidence and history,
//! and the forms to record, edit and archive one (the same actions as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::NeedId;
use platform_db::models::Need;
use serde_json::{Value, json};

use super::{evidence, service};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::crud::{self, Editable};
use crate::app::forms::{Field, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// A need, as its forms see it.
pub(super) struct Needs;

impl Editable for Needs {
    type Id = NeedId;
    type Input = service::NeedInput;
    type Row = Need;
    const PATH: &'static str = "needs";
    const NOUN: &'static str = "need";
    const CAPTION: &'static str = "Needs assessment";

    async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
        Ok(fields(&Framework::of(&state.frameworks, &access.tenant)?))
    }
    fn values(row: &Need) -> Values {
        values_of(row)
    }
    fn id(row: &Need) -> String {
        row.id.to_string()
    }
    fn title(row: &Need) -> String {
        row.title.clone()
    }
    fn version(row: &Need) -> i32 {
        row.version
    }
    async fn create(state: &AppState, access: &Access, input: service::NeedInput) -> Result<Need, ApiError> {
        Ok(service::create(state, access, input).await?.need)
    }
    async fn edit(
        state: &AppState,
        access: &Access,
        id: NeedId,
        version: i32,
        input: service::NeedInput,
    ) -> Result<Need, ApiError> {
        Ok(service::edit(state, access, id, version, input).await?.need)
    }
    async fn archive(state: &AppState, access: &Access, id: NeedId, version: i32) -> Result<Need, ApiError> {
        Ok(service::archive(state, access, id, version).await?.need)
    }
    async fn current(state: &AppState, access: &Access, id: NeedId) -> Result<Need, ApiError> {
        service::current(state, access, id).await
    }
    /// A need recorded from a measure of the regional comparison starts with the measure as its
    /// title, evidence and source.
    fn starting(req: &HttpRequest) -> Values {
        let query = Values::parse(req.query_string().as_bytes());
        let mut values = Values::default();
        for key in ["title", "evidence", "source", "outcome"] {
            values.set(key, query.get(key));
        }
        values
    }
}

fn fields(fw: &Framework) -> Vec<Field> {
    let areas = v::area_options(fw);
    let area = if areas.is_empty() {
        Field::text("area", "Area").optional()
    } else {
        Field::select("area", "Area", areas).optional().hint("One of the areas of the trust's framework.")
    };
    vec![
        Field::select("outcome", "Outcome", v::outcome_options()),
        Field::text("title", "Need"),
        Field::area("description", "Description").optional(),
        Field::text("group", "Group of children and young people").optional().hint("For example, young carers."),
        Field::whole("age_from", "From age").optional().hint("In whole years, 0 to 25."),
        Field::whole("age_to", "To age").optional(),
        area,
        Field::area("evidence", "Evidence")
            .optional()
            .hint("What shows the need: figures, inspections, what children and families said."),
        Field::text("source", "Source")
            .optional()
            .hint("Where the need was identified, for example the joint strategic needs assessment."),
        Field::date("identified_on", "Date identified").optional().hint("Leave blank for today."),
    ]
}

fn values_of(n: &Need) -> Values {
    let mut values = Values::default();
    values
        .set("outcome", n.outcome_code.clone())
        .set("title", n.title.clone())
        .set("description", n.description.clone())
        .set("group", n.group_name.clone().unwrap_or_default())
        .set("age_from", n.age_from.map(|a| a.to_string()).unwrap_or_default())
        .set("age_to", n.age_to.map(|a| a.to_string()).unwrap_or_default())
        .set("area", n.area.clone().unwrap_or_default())
        .set("evidence", n.evidence.clone())
        .set("source", n.source.clone())
        .set_date("identified_on", Some(n.identified_on));
    values
}

fn ages(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "all ages".into(),
    }
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let needs = service::all(&state, &access).await?;
    let base = format!("/t/{}/needs", access.tenant.slug);
    let mut sections = Vec::new();
    for (code, name) in platform_db::repo::indicators::OUTCOMES {
        let rows: Vec<Value> = needs
            .iter()
            .filter(|n| n.outcome_code == code)
            .map(|n| {
                v::row(vec![
                    json!({"text": n.title, "href": format!("{base}/{}", n.id),
                           "tag": n.archived_at.map(|_| "archived")}),
                    v::cell(n.group_name.clone().unwrap_or_else(|| "-".into()), None),
                    v::cell(ages(n.age_from, n.age_to), None),
                    v::cell(n.area.clone().unwrap_or_else(|| "whole trust".into()), None),
                    v::cell(v::day(n.identified_on), None),
                ])
            })
            .collect();
        sections.push(v::table_section(
            code,
            name,
            &format!("Needs under {name}"),
            &["Need", "Group", "Ages", "Area", "Identified"],
            rows,
            "No need recorded under this outcome.",
        ));
    }
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("{base}/new"), "label": "Record a need"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Needs assessment", "caption": access.tenant.name, "actions": actions, "sections": sections,
               "intro": ["The needs of children and young people the trust has identified, by the five outcomes."]}),
    )?)
}

pub(super) async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let id: NeedId = v::path_id(&id)?;
    let found = evidence::evidence(&state, &access, id.clone()).await?;
    let n = &found.need;
    let summary = json!([
        v::item("Outcome", v::outcome_name(&n.outcome_code)),
        v::item("Group", n.group_name.clone().unwrap_or_else(|| "not given".into())),
        v::item("Ages", ages(n.age_from, n.age_to)),
        v::item("Area", n.area.clone().unwrap_or_else(|| "whole trust".into())),
        v::item("Identified", v::day(n.identified_on)),
        v::item("Source", if n.source.is_empty() { "not given".into() } else { n.source.clone() }),
        v::item("Description", if n.description.is_empty() { "none".into() } else { n.description.clone() }),
        v::item("Evidence", if n.evidence.is_empty() { "none".into() } else { n.evidence.clone() }),
    ]);
    let mut sections = vec![json!({"id": "need", "summary": summary})];
    for ind in &found.indicators {
        let i = &ind.indicator;
        let mut rows: Vec<Value> = ind
            .trend
            .iter()
            .map(|p| v::row(vec![v::cell(v::day(p.period_start), None), v::cell(format!("{:.1}", p.value), None)]))
            .collect();
        for b in ind.by_age_band.iter().chain(&ind.by_area) {
            rows.push(v::row(vec![
                v::cell(format!("Latest, {}", b.band), None),
                v::cell(format!("{:.1} ({} of {})", b.rate, b.numerator, b.denominator), None),
            ]));
        }
        let mut section = v::table_section(
            &i.code,
            &i.title,
            &format!("{} over time and by the framework's bands", i.title),
            &["Period", &format!("Value ({})", i.unit)],
            rows,
            "No values recorded yet.",
        );
        if !ind.direction.is_empty() {
            section["intro"] = json!([format!("Over the last five periods: {}.", ind.direction)]);
        }
        sections.push(section);
    }
    if found.indicators.is_empty() {
        sections.push(json!({"id": "evidence", "heading": "Indicators", "intro": ["The trust holds no indicator for this outcome yet."]}));
    }
    let mut actions = crud::actions::<Needs>(&access, n, n.archived_at.is_some());
    if !actions.is_empty() {
        actions.push(json!({"label": "Set a priority for this need",
            "href": format!("/t/{}/priorities/new?need_id={}&outcome={}", access.tenant.slug, n.id, n.outcome_code)}));
    }
    let history = v::history(&state, &access, "need", n.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": n.title, "caption": "Need", "status": n.archived_at.map(|_| "archived"),
               "notice": v::notice(&req), "actions": actions, "sections": sections, "history": history}),
    )?)
}
