//! The services' pages: services with their provider, tier, level and body (placed by the
//! trust's framework), a service with its outcomes, budget, framework fields and history, and
//! its forms (the same actions as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ServiceId;
use platform_db::models::{Service, Tier};
use serde_json::{Value, json};

use super::service;
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::crud::{self, Editable};
use crate::app::forms::{Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// A service's own columns, which a framework may name to check but are not its fields.
const COLUMNS: &[&str] = &["name", "tier", "level", "area", "ages", "annual_budget_pence", "outcomes"];

/// A service, as its forms see it.
pub(super) struct Services;

impl Editable for Services {
    type Id = ServiceId;
    type Input = service::ServiceInput;
    type Row = (Service, Vec<String>);
    const PATH: &'static str = "services";
    const NOUN: &'static str = "service";
    const CAPTION: &'static str = "Services";

    async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
        let fw = Framework::of(&state.frameworks, &access.tenant)?;
        let providers = v::providers_of(state, access).await?;
        let tiers: Vec<&str> = Tier::ALL.iter().map(|t| t.as_str()).collect();
        let areas = v::area_options(&fw);
        let area = if areas.is_empty() {
            Field::text("area", "Area").optional()
        } else {
            Field::select("area", "Area", areas).optional().hint("Leave as none for the whole trust.")
        };
        let mut fields = vec![
            Field::select("provider_id", "Provider", providers.into_iter().map(|(id, n)| Opt::new(id, n)).collect()),
            Field::text("name", "Name"),
            Field::area("description", "Description").optional(),
            Field::radios("tier", "Tier", v::code_options(&tiers))
                .hint("Universal services are open to all; targeted ones to some; specialist ones to few."),
            area,
            Field::whole("age_from", "From age").hint("In whole years, 0 to 25."),
            Field::whole("age_to", "To age"),
            Field::checks("outcomes", "Outcomes it serves", v::outcome_options()),
            Field::money("annual_budget_pence", "Annual budget"),
        ];
        v::required_by(&fw, "service", &mut fields);
        fields.extend(v::own_fields(&fw, "service", COLUMNS));
        Ok(fields)
    }
    fn values((s, outcomes): &(Service, Vec<String>)) -> Values {
        let mut values = Values::default();
        values
            .set("provider_id", s.provider_id.to_string())
            .set("name", s.name.clone())
            .set("description", s.description.clone())
            .set("tier", s.tier.as_str())
            .set("area", s.area.clone().unwrap_or_default())
            .set("age_from", s.age_from.to_string())
            .set("age_to", s.age_to.to_string())
            .set_all("outcomes", outcomes.clone())
            .set_pence("annual_budget_pence", s.annual_budget_pence)
            .set_attributes(&s.attributes);
        values
    }
    fn id(row: &(Service, Vec<String>)) -> String {
        row.0.id.to_string()
    }
    fn title(row: &(Service, Vec<String>)) -> String {
        row.0.name.clone()
    }
    fn version(row: &(Service, Vec<String>)) -> i32 {
        row.0.version
    }
    async fn create(
        state: &AppState,
        access: &Access,
        input: service::ServiceInput,
    ) -> Result<(Service, Vec<String>), ApiError> {
        let saved = service::create(state, access, input).await?;
        Ok((saved.service, saved.outcomes))
    }
    async fn edit(
        state: &AppState,
        access: &Access,
        id: ServiceId,
        version: i32,
        input: service::ServiceInput,
    ) -> Result<(Service, Vec<String>), ApiError> {
        let saved = service::edit(state, access, id, version, input).await?;
        Ok((saved.service, saved.outcomes))
    }
    async fn archive(
        state: &AppState,
        access: &Access,
        id: ServiceId,
        version: i32,
    ) -> Result<(Service, Vec<String>), ApiError> {
        let saved = service::archive(state, access, id, version).await?;
        Ok((saved.service, saved.outcomes))
    }
    async fn current(state: &AppState, access: &Access, id: ServiceId) -> Result<(Service, Vec<String>), ApiError> {
        service::with_outcomes(state, access, id).await
    }
}

fn ages(s: &Service) -> String {
    format!("{} to {}", s.age_from, s.age_to)
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let query = Values::parse(req.query_string().as_bytes());
    let provider = query.get("provider_id");
    let all = service::all(&state, &access).await?;
    let providers = v::providers_of(&state, &access).await?;
    let provider_name = |id: &str| providers.iter().find(|(p, _)| p == id).map_or("", |(_, n)| n.as_str()).to_string();
    let base = format!("/t/{}/services", access.tenant.slug);
    let rows: Vec<Value> = all
        .iter()
        .filter(|(s, _)| provider.is_empty() || s.provider_id.as_str() == provider)
        .map(|(s, _)| {
            v::row(vec![
                json!({"text": s.name, "href": format!("{base}/{}", s.id), "tag": s.archived_at.map(|_| "archived")}),
                v::cell(
                    provider_name(s.provider_id.as_str()),
                    Some(format!("/t/{}/providers/{}", access.tenant.slug, s.provider_id)),
                ),
                v::cell(v::label(s.tier.as_str()), None),
                v::cell(s.level.clone().unwrap_or_else(|| "-".into()), None),
                v::cell(s.body.as_deref().map_or_else(|| "-".into(), |b| v::body_name(&fw, b)), None),
                v::cell(s.area.clone().unwrap_or_else(|| "whole trust".into()), None),
                v::cell(ages(s), None),
                v::cell(v::money(s.annual_budget_pence), None),
            ])
        })
        .collect();
    let mut actions = Vec::new();
    if Action::Commission.allowed(access.role()) {
        actions.push(json!({"href": format!("{base}/new"), "label": "Add a service"}));
    }
    actions.push(json!({"href": format!("/t/{}/service-map", access.tenant.slug), "label": "The service map"}));
    let title =
        if provider.is_empty() { "Services".to_string() } else { format!("Services of {}", provider_name(provider)) };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": title, "caption": access.tenant.name, "actions": actions,
               "sections": [v::table_section("services", "", "The trust's services",
                   &["Service", "Provider", "Tier", "Level", "Commissioned by", "Area", "Ages", "Annual budget"], rows, "No service recorded yet.")]}),
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
    let (s, outcomes) = service::with_outcomes(&state, &access, v::path_id(&id)?).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let slug = &access.tenant.slug;
    let mut summary = vec![
        v::item_link("Provider", "the provider", format!("/t/{slug}/providers/{}", s.provider_id)),
        v::item("Tier", v::label(s.tier.as_str())),
        json!({"key": "Level", "value": s.level.clone().unwrap_or_else(|| "not placed".into()),
               "note": "Placed by the trust's framework when the service was saved."}),
        v::item("Commissioned by", s.body.as_deref().map_or_else(|| "not placed".into(), |b| v::body_name(&fw, b))),
        v::item("Area", s.area.clone().unwrap_or_else(|| "whole trust".into())),
        v::item("Ages", ages(&s)),
        v::item("Outcomes it serves", outcomes.iter().map(|o| v::outcome_name(o)).collect::<Vec<_>>().join("; ")),
        v::item("Annual budget", v::money(s.annual_budget_pence)),
        v::item("Description", if s.description.is_empty() { "none".into() } else { s.description.clone() }),
    ];
    summary.extend(v::attribute_rows(&fw, "service", &s.attributes));
    let links = json!([
        {"href": format!("/t/{slug}/service-map"), "label": "Where it sits on the service map"},
        {"href": format!("/t/{slug}/projects/new?service_id={}", s.id), "label": "Start a commissioning project for it"},
    ]);
    let row = (s, outcomes);
    let actions = crud::actions::<Services>(&access, &row, row.0.archived_at.is_some());
    let history = v::history(&state, &access, "service", row.0.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": row.0.name, "caption": "Service", "status": row.0.archived_at.map(|_| "archived"),
               "notice": v::notice(&req), "actions": actions,
               "sections": [{"id": "service", "summary": summary, "links": links}], "history": history}),
    )?)
}
