//! The contracts register's pages: the register with its filters (the dashboard's numbers link
//! here), a contract with its KPIs, events, reviews and history, and the forms to let one, edit
//! its description and record a variation, extension or termination (the same actions as the
//! API).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ContractId;
use platform_db::models::{Contract, ContractKind, ContractStatus, Frequency, KpiUnit, PartnerKind};
use serde_json::{Value, json};

use super::service::{self, ContractEdit, ContractFilter, ContractInput, EventInput};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// How many KPI and contribution rows the form to let a contract offers.
const ROWS: usize = 3;

fn codes<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> Vec<Opt> {
    let codes: Vec<&str> = all.iter().map(|x| text(*x)).collect();
    v::code_options(&codes)
}

fn kpi_fields() -> Vec<Field> {
    vec![
        Field::text("code", "KPI code"),
        Field::text("title", "KPI"),
        Field::select("unit", "Unit", codes(KpiUnit::ALL, KpiUnit::as_str)),
        Field::decimal("target", "Target"),
        Field::select(
            "polarity",
            "Better is",
            vec![Opt::new("higher_is_better", "Higher"), Opt::new("lower_is_better", "Lower")],
        ),
        Field::select("frequency", "Reported", codes(Frequency::ALL, Frequency::as_str)),
    ]
}

fn contribution_fields() -> Vec<Field> {
    vec![
        Field::text("partner", "Partner"),
        Field::select("partner_kind", "Kind of partner", codes(PartnerKind::ALL, PartnerKind::as_str)),
        Field::money("amount_pence", "Contribution"),
    ]
}

fn description_fields(fw: &Framework) -> Vec<Field> {
    vec![
        Field::text("reference", "Reference").hint("The trust's own reference, unique in the trust."),
        Field::text("title", "Title"),
        Field::select("kind", "Kind of contract", codes(ContractKind::ALL, ContractKind::as_str)),
    ]
    .into_iter()
    .chain(forms::framework_fields(&fw.fields("contract")))
    .collect()
}

async fn new_fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let services = v::services_of(state, access).await?;
    let mut fields = vec![
        Field::select("service_id", "Service", services.into_iter().map(|(id, n)| Opt::new(id, n)).collect())
            .hint("The contract's provider is the service's provider."),
    ];
    fields.extend(description_fields(&fw));
    fields.extend([
        Field::radios("status", "Status", vec![Opt::new("active", "Active"), Opt::new("draft", "Draft")]),
        Field::date("start_date", "Start date"),
        Field::date("end_date", "End date"),
        Field::money("value_pence", "Whole contract value"),
    ]);
    for i in 0..ROWS {
        fields.extend(forms::row_fields("kpis", i, &kpi_fields()));
    }
    for i in 0..ROWS {
        fields.extend(forms::row_fields("contributions", i, &contribution_fields()));
    }
    Ok(fields)
}

fn read_new(fields: &[Field], values: &Values) -> Result<ContractInput, ApiError> {
    let mut body = forms::body_of(fields, values)?;
    forms::rows(&mut body, "kpis", &kpi_fields())?;
    forms::rows(&mut body, "contributions", &contribution_fields())?;
    serde_json::from_value(body).map_err(|e| ApiError::bad_request(None, format!("the form could not be read: {e}")))
}

async fn new_form(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = new_fields(state, access).await?;
    let base = format!("/t/{}/contracts", access.tenant.slug);
    let mut page = FormPage::new("Let a contract", base.clone(), &fields, values);
    page.caption = Some("Contracts register".into());
    page.intro = vec![
        "The trust's framework checks the contract and plans its reviews when it is saved.".into(),
        format!("Up to {ROWS} KPIs and {ROWS} pooled-budget contributions; leave rows you do not need blank."),
    ];
    page.cancel = Some(base);
    page.submit = "Let contract";
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
    access.require(Action::Commission)?;
    let mut values = Values::default();
    values.set("status", "active");
    Ok(new_form(&state, &access, &values, None).await?)
}

pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let fields = new_fields(&state, &access).await?;
    let result = match read_new(&fields, &values) {
        Ok(input) => service::create(&state, &access, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/contracts/{}", access.tenant.slug, saved.contract.id))),
        Err(e) => Ok(new_form(&state, &access, &values, Some(e)).await?),
    }
}

fn filter_fields(providers: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::select(
            "provider_id",
            "Provider",
            providers.iter().map(|(id, n)| Opt::new(id.clone(), n.clone())).collect(),
        )
        .optional(),
        Field::select("kind", "Kind", codes(ContractKind::ALL, ContractKind::as_str)).optional(),
        Field::select("status", "Status", codes(ContractStatus::ALL, ContractStatus::as_str)).optional(),
        Field::whole("ending_within_days", "Active and ending within this many days").optional(),
        Field::money("min_value", "Value at least").optional(),
        Field::money("max_value", "Value at most").optional(),
    ]
}

/// The register's filter as the API takes it, read from the page's query.
fn filter_of(fields: &[Field], query: &Values) -> Result<ContractFilter, ApiError> {
    let body = forms::body_of(fields, query)?;
    let text = |k: &str| body.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    Ok(ContractFilter {
        provider_id: text("provider_id"),
        kind: text("kind"),
        status: text("status"),
        ending_within_days: text("ending_within_days"),
        min_value_pence: text("min_value"),
        max_value_pence: text("max_value"),
        limit: Some("50".into()),
        offset: query.all("offset").first().cloned(),
    })
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let query = Values::parse(req.query_string().as_bytes());
    let (providers, services) = v::providers_and_services(&state, &access).await?;
    let fields = filter_fields(&providers);
    let base = format!("/t/{}/contracts", access.tenant.slug);
    let result = match filter_of(&fields, &query) {
        Ok(filter) => service::list(&state, &access, filter).await,
        Err(e) => Err(e),
    };
    let (rows, paging, error) = match result {
        Ok(page) => {
            let rows: Vec<Value> = page
                .items
                .iter()
                .map(|k| {
                    v::row(vec![
                        v::cell(&k.reference, Some(format!("{base}/{}", k.id))),
                        v::cell(&k.title, None),
                        v::cell(v::name_in(&providers, k.provider_id.as_str()), None),
                        v::cell(v::name_in(&services, k.service_id.as_str()), None),
                        v::cell(v::label(k.kind.as_str()), None),
                        v::cell(v::label(k.status.as_str()), None),
                        v::cell(v::money(k.value_pence), None),
                        v::cell(v::day(k.end_date), None),
                    ])
                })
                .collect();
            (rows, v::paging(&base, &query, page.total, page.limit, page.offset), None)
        }
        Err(e) => (Vec::new(), Value::Null, Some(e.content())),
    };
    let (filter_view, summary) = forms::view(&fields, &query, error.as_ref());
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("{base}/new"), "label": "Let a contract"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Contracts register", "caption": access.tenant.name, "actions": actions,
               "filters": {"action": base, "fields": filter_view, "summary": summary},
               "sections": [v::table_section("contracts", "", "Contracts, soonest ending first",
                   &["Reference", "Title", "Provider", "Service", "Kind", "Status", "Value", "Ends"], rows,
                   "No contract matches these filters.")],
               "paging": paging}),
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
    let id: ContractId = v::path_id(&id)?;
    let record = service::record(&state, &access, id.clone()).await?;
    let kpis = service::kpis(&state, &access, id).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let k = &record.contract;
    let slug = &access.tenant.slug;
    let base = format!("/t/{slug}/contracts/{}", k.id);
    let commissioner = access.provider_scope().is_none();
    let mut summary = vec![
        if commissioner {
            v::item_link("Provider", "the provider", format!("/t/{slug}/providers/{}", k.provider_id))
        } else {
            v::item("Provider", "your organisation")
        },
        if commissioner {
            v::item_link("Service", "the service", format!("/t/{slug}/services/{}", k.service_id))
        } else {
            v::item("Service", "the service contracted")
        },
        v::item("Kind", v::label(k.kind.as_str())),
        v::item("Value", v::money(k.value_pence)),
        v::item("Starts", v::day(k.start_date)),
        v::item("Ends", v::day(k.end_date)),
    ];
    summary.extend(v::attribute_rows(&fw, "contract", &k.attributes));
    let mut sections = vec![json!({"id": "contract", "summary": summary})];
    sections.push(json!({"id": "kpis", "heading": "KPIs and monitoring returns",
    "intro": if kpis.is_empty() { json!(["This contract has no KPIs."]) } else { json!([]) },
    "links": if kpis.is_empty() { json!([]) } else {
        json!([{"href": format!("{base}/returns/new"), "label": "Submit a monitoring return"}])
    }}));
    sections.extend(v::kpi_sections(&kpis));
    let events: Vec<Value> = record
        .events
        .iter()
        .map(|e| {
            v::row(vec![
                v::cell(v::label(e.kind.as_str()), None),
                v::cell(v::day(e.effective_on), None),
                v::cell(&e.reason, None),
            ])
        })
        .collect();
    sections.push(v::table_section(
        "events",
        "Variations, extensions and terminations",
        "Events of the contract",
        &["Event", "Takes effect", "Reason"],
        events,
        "None recorded.",
    ));
    let reviews: Vec<Value> = record
        .reviews
        .iter()
        .map(|r| {
            v::row(vec![
                v::cell(&r.title, Some(format!("/t/{slug}/reviews/{}", r.id))),
                v::cell(v::day(r.due_on), None),
                v::cell(v::label(r.status.as_str()), None),
                v::cell(r.outcome.map_or_else(|| "-".into(), |o| v::label(o.as_str())), None),
            ])
        })
        .collect();
    sections.push(v::table_section(
        "reviews",
        "Reviews",
        "Reviews planned by the trust's framework",
        &["Review", "Due", "Status", "Outcome"],
        reviews,
        "No review planned.",
    ));
    if commissioner {
        let t = &record.terms;
        let mut items = vec![v::item(
            "Reminder before it ends",
            if t.notice_months == 0 {
                "none".to_string()
            } else {
                format!("{} months before, and on the day", t.notice_months)
            },
        )];
        items.push(v::item(
            "Procurement Act 2023",
            if t.procurement_act {
                format!(
                    "covered, {} regime; its notices are reminded",
                    if t.procurement_regime == "light_touch" { "light touch" } else { "standard" }
                )
            } else {
                "not marked as covered".to_string()
            },
        ));
        if t.procurement_act {
            items.push(v::item(
                "Entered into",
                t.signed_on.clone().unwrap_or_else(|| format!("{} (its start)", v::day(k.start_date))),
            ));
        }
        let mut section = json!({"id": "terms", "heading": "Reminders and the Procurement Act 2023", "summary": items});
        if Action::Commission.allowed(access.role()) {
            section["links"] =
                json!([{"href": format!("{base}/terms"), "label": "Change the reminders and Procurement Act terms"}]);
        }
        sections.push(section);
    }
    let mut actions = Vec::new();
    let open = matches!(k.status, ContractStatus::Draft | ContractStatus::Active);
    if Action::Commission.allowed(access.role()) && open {
        actions.push(json!({"href": format!("{base}/edit"), "label": "Edit contract"}));
        actions.push(
            json!({"href": format!("{base}/events/new"), "label": "Record a variation, extension or termination"}),
        );
    }
    let history = v::history(&state, &access, "contract", k.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": format!("{} {}", k.reference, k.title), "caption": "Contract",
               "status": v::label(k.status.as_str()), "notice": v::notice(&req), "actions": actions,
               "sections": sections, "history": if commissioner { json!(history) } else { json!([]) }}),
    )?)
}

fn edit_values(k: &Contract) -> Values {
    let mut values = Values::default();
    values
        .set("reference", k.reference.clone())
        .set("title", k.title.clone())
        .set("kind", k.kind.as_str())
        .set_date("start_date", Some(k.start_date))
        .set_attributes(&k.attributes);
    values
}

fn edit_fields(fw: &Framework, k: &Contract) -> Vec<Field> {
    let mut fields = description_fields(fw);
    if k.status == ContractStatus::Draft {
        fields.push(Field::date("start_date", "Start date").optional());
    }
    fields
}

async fn edit_form(
    state: &AppState,
    access: &Access,
    k: &Contract,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let fields = edit_fields(&fw, k);
    let base = format!("/t/{}/contracts/{}", access.tenant.slug, k.id);
    let mut page = FormPage::new(format!("Edit {}", k.reference), format!("{base}/edit"), &fields, values);
    page.caption = Some("Contract".into());
    page.intro = vec!["The value, the end date and the status change only by a variation, an extension or a termination, recorded with its reason.".into()];
    page.version = Some(k.version);
    page.cancel = Some(base);
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn edit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let k = service::record(&state, &access, v::path_id(&id)?).await?.contract;
    Ok(edit_form(&state, &access, &k, &edit_values(&k), None).await?)
}

pub(super) async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: ContractId = v::path_id(&id)?;
    let k = service::record(&state, &access, id.clone()).await?.contract;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let result = match forms::read_versioned::<ContractEdit>(&edit_fields(&fw, &k), &values) {
        Ok((input, version)) => service::edit(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/contracts/{}", access.tenant.slug, saved.contract.id))),
        Err(e) => {
            let k = service::record(&state, &access, id).await?.contract;
            let shown = if matches!(e, ApiError::Stale { .. }) { edit_values(&k) } else { values };
            Ok(edit_form(&state, &access, &k, &shown, Some(e)).await?)
        }
    }
}

fn terms_fields() -> Vec<Field> {
    vec![
        Field::whole("notice_months", "Months before the end to remind commissioners")
            .hint("Time to decide whether to re-commission: 0 to 36 months (0 for no such reminder). A reminder also goes on the end date."),
        Field::radios(
            "procurement_act",
            "Is the contract covered by the Procurement Act 2023?",
            vec![Opt::new("yes", "Yes: remind us of the notices the Act asks for"), Opt::new("no", "No")],
        ),
        Field::radios(
            "procurement_regime",
            "Regime",
            vec![
                Opt::new("light_touch", "Light touch (most children's social care services)"),
                Opt::new("standard", "Standard"),
            ],
        ),
        Field::date("signed_on", "Day the contract was entered into")
            .optional()
            .hint("Its start date when left blank. The contract details notice is due within 30 days of it (120 for light touch)."),
    ]
}

fn terms_values(t: &service::Terms) -> Values {
    let mut values = Values::default();
    values
        .set("notice_months", t.notice_months.to_string())
        .set("procurement_act", if t.procurement_act { "yes" } else { "no" })
        .set("procurement_regime", t.procurement_regime.clone())
        .set_date("signed_on", t.signed_on.as_deref().and_then(|d| d.parse().ok()));
    values
}

fn terms_form(
    state: &AppState,
    access: &Access,
    k: &Contract,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = terms_fields();
    let base = format!("/t/{}/contracts/{}", access.tenant.slug, k.id);
    let mut page = FormPage::new(
        format!("Reminders and the Procurement Act for {}", k.reference),
        format!("{base}/terms"),
        &fields,
        values,
    );
    page.caption = Some("Contract".into());
    page.intro = vec!["For a contract covered by the Procurement Act 2023, commissioners are reminded of its contract details notice, its KPI assessments and contract performance notices (over £5 million, not light touch), its termination notice, and the trust's payments compliance notices. The trust remains responsible for publishing them.".into()];
    page.version = Some(k.version);
    page.cancel = Some(base);
    page.error = error;
    v::form_page(state, access, page)
}

/// The terms as the form gives them: the answers read into the API's body.
fn read_terms(values: &Values) -> Result<(service::Terms, i32), ApiError> {
    let mut body = forms::body_of(&terms_fields(), values)?;
    body["procurement_act"] = Value::Bool(match body["procurement_act"].as_str() {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(ApiError::bad_request(Some("procurement_act"), "Choose whether the Act covers the contract")),
    });
    let terms = serde_json::from_value(body).map_err(|e| ApiError::bad_request(None, e.to_string()))?;
    Ok((terms, values.version()?))
}

pub(super) async fn terms_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let record = service::record(&state, &access, v::path_id(&id)?).await?;
    Ok(terms_form(&state, &access, &record.contract, &terms_values(&record.terms), None)?)
}

pub(super) async fn terms(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: ContractId = v::path_id(&id)?;
    let result = match read_terms(&values) {
        Ok((input, version)) => service::set_terms(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/contracts/{}", access.tenant.slug, saved.contract.id))),
        Err(e) => {
            let record = service::record(&state, &access, id).await?;
            let shown = if matches!(e, ApiError::Stale { .. }) { terms_values(&record.terms) } else { values };
            Ok(terms_form(&state, &access, &record.contract, &shown, Some(e))?)
        }
    }
}

fn event_fields() -> Vec<Field> {
    vec![
        Field::radios(
            "kind",
            "What changes",
            vec![
                Opt::new("variation", "A variation: the value or the end date changes"),
                Opt::new("extension", "An extension: the contract runs to a later end date"),
                Opt::new("termination", "A termination: the contract ends early"),
            ],
        ),
        Field::date("effective_on", "When it takes effect").hint("For a termination, the contract's last day."),
        Field::area("reason", "Reason"),
        Field::money("value_pence", "New whole contract value").optional().hint("For a variation of the value."),
        Field::date("end_date", "New end date").optional().hint("For a variation of the end date, or an extension."),
    ]
}

async fn event_form(
    state: &AppState,
    access: &Access,
    k: &Contract,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = event_fields();
    let base = format!("/t/{}/contracts/{}", access.tenant.slug, k.id);
    let mut page = FormPage::new("Record a change to the contract", format!("{base}/events"), &fields, values);
    page.caption = Some(format!("{} {}", k.reference, k.title));
    page.intro = vec![format!(
        "It now runs from {} to {}, worth {}. Reviews are planned again from the new dates; those done or under way are kept.",
        v::day(k.start_date),
        v::day(k.end_date),
        v::money(k.value_pence)
    )];
    page.version = Some(k.version);
    page.cancel = Some(base);
    page.submit = "Record change";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn event_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let k = service::record(&state, &access, v::path_id(&id)?).await?.contract;
    Ok(event_form(&state, &access, &k, &Values::default(), None).await?)
}

pub(super) async fn event(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: ContractId = v::path_id(&id)?;
    let result = match forms::read_versioned::<EventInput>(&event_fields(), &values) {
        Ok((input, version)) => service::record_event(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(v::saved(&format!("/t/{}/contracts/{}", access.tenant.slug, saved.contract.id))),
        Err(e) => {
            let k = service::record(&state, &access, id).await?.contract;
            Ok(event_form(&state, &access, &k, &values, Some(e)).await?)
        }
    }
}
