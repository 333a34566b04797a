//! The providers' pages: providers by sector, a provider with its safeguarding evidence, its
//! framework fields, services and history, and its forms (the same actions as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ProviderId;
use platform_db::models::{Provider, Sector};
use serde_json::{Value, json};

use super::service;
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::crud::{self, Editable};
use crate::app::forms::{Field, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// A provider's own columns, which a framework may name to check but are not its fields.
const COLUMNS: &[&str] = &["name", "sector", "registration_number", "safeguarding_evidence", "safeguarding_checked_on"];

/// A provider, as its forms see it.
pub(super) struct Providers;

impl Editable for Providers {
    type Id = ProviderId;
    type Input = service::ProviderInput;
    type Row = Provider;
    const PATH: &'static str = "providers";
    const NOUN: &'static str = "provider";
    const CAPTION: &'static str = "Providers";

    async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
        let fw = Framework::of(&state.frameworks, &access.tenant)?;
        let sectors: Vec<&str> = Sector::ALL.iter().map(|s| s.as_str()).collect();
        let mut fields = vec![
            Field::text("name", "Name"),
            Field::radios("sector", "Sector", v::code_options(&sectors)),
            Field::text("registration_number", "Charity or company number").optional(),
            Field::area("safeguarding_evidence", "Safeguarding evidence")
                .optional()
                .hint("What shows the provider keeps children safe: policies, checks, training, inspections."),
            Field::date("safeguarding_checked_on", "Safeguarding evidence last checked").optional(),
        ];
        v::required_by(&fw, "provider", &mut fields);
        fields.extend(v::own_fields(&fw, "provider", COLUMNS));
        Ok(fields)
    }
    fn values(p: &Provider) -> Values {
        let mut values = Values::default();
        values
            .set("name", p.name.clone())
            .set("sector", p.sector.as_str())
            .set("registration_number", p.registration_number.clone().unwrap_or_default())
            .set("safeguarding_evidence", p.safeguarding_evidence.clone().unwrap_or_default())
            .set_date("safeguarding_checked_on", p.safeguarding_checked_on)
            .set_attributes(&p.attributes);
        values
    }
    fn id(row: &Provider) -> String {
        row.id.to_string()
    }
    fn title(row: &Provider) -> String {
        row.name.clone()
    }
    fn version(row: &Provider) -> i32 {
        row.version
    }
    async fn create(state: &AppState, access: &Access, input: service::ProviderInput) -> Result<Provider, ApiError> {
        Ok(service::create(state, access, input).await?.provider)
    }
    async fn edit(
        state: &AppState,
        access: &Access,
        id: ProviderId,
        version: i32,
        input: service::ProviderInput,
    ) -> Result<Provider, ApiError> {
        Ok(service::edit(state, access, id, version, input).await?.provider)
    }
    async fn archive(state: &AppState, access: &Access, id: ProviderId, version: i32) -> Result<Provider, ApiError> {
        Ok(service::archive(state, access, id, version).await?.provider)
    }
    async fn current(state: &AppState, access: &Access, id: ProviderId) -> Result<Provider, ApiError> {
        service::current(state, access, id).await
    }
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let all = service::all(&state, &access).await?;
    let base = format!("/t/{}/providers", access.tenant.slug);
    let sections: Vec<Value> = Sector::ALL
        .iter()
        .map(|sector| {
            let rows = all
                .iter()
                .filter(|p| p.sector == *sector)
                .map(|p| {
                    v::row(vec![
                        json!({"text": p.name, "href": format!("{base}/{}", p.id), "tag": p.archived_at.map(|_| "archived")}),
                        v::cell(p.registration_number.clone().unwrap_or_else(|| "-".into()), None),
                        match p.safeguarding_checked_on {
                            Some(d) => v::cell(v::day(d), None),
                            None => v::tagged("not checked", Some("no evidence date"), true),
                        },
                    ])
                })
                .collect();
            let name = v::label(sector.as_str());
            v::table_section(
                sector.as_str(),
                &name,
                &format!("{name} providers"),
                &["Provider", "Registration", "Safeguarding checked"],
                rows,
                "No provider of this sector.",
            )
        })
        .collect();
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("{base}/new"), "label": "Add a provider"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Providers", "caption": access.tenant.name, "actions": actions, "sections": sections}),
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
    let p = service::current(&state, &access, v::path_id(&id)?).await?;
    if access.provider_scope().is_some_and(|own| own != &p.id) {
        return Err(ApiError::NotFound("page not found".into()).into());
    }
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let slug = &access.tenant.slug;
    let mut summary = vec![
        v::item("Sector", v::label(p.sector.as_str())),
        v::item("Charity or company number", p.registration_number.clone().unwrap_or_else(|| "not given".into())),
        v::item("Safeguarding evidence", p.safeguarding_evidence.clone().unwrap_or_else(|| "none recorded".into())),
        v::item("Safeguarding evidence last checked", v::day_opt(p.safeguarding_checked_on)),
    ];
    summary.extend(v::attribute_rows(&fw, "provider", &p.attributes));
    let links = json!([
        {"href": format!("/t/{slug}/contracts?provider_id={}", p.id), "label": "This provider's contracts"},
        {"href": format!("/t/{slug}/services?provider_id={}", p.id), "label": "This provider's services"},
    ]);
    let actions = crud::actions::<Providers>(&access, &p, p.archived_at.is_some());
    let history = v::history(&state, &access, "provider", p.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": p.name, "caption": "Provider", "status": p.archived_at.map(|_| "archived"),
               "notice": v::notice(&req), "actions": actions,
               "sections": [{"id": "provider", "summary": summary, "links": links}], "history": history}),
    )?)
}
