//! The reviews' pages: what is due and overdue, by owning body and by owner (the dashboard's
//! numbers link here), a review with its contract's KPI picture, and the form that completes it
//! with its outcome (the same action as the API; re-commissioning opens a project, decommissioning
//! records a decision and the contract's exit).

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::ReviewId;
use platform_db::models::{Review, ReviewOutcome, ReviewStatus};
use serde_json::{Value, json};

use super::service::{self, Completion, DueFilter};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// How many reviews each list shows at a time.
const PAGE: usize = 50;

fn filter_fields(fw: &Framework) -> Vec<Field> {
    vec![
        Field::whole("within_days", "Due within this many days")
            .optional()
            .hint("90 unless you say; 0 shows only the overdue."),
        Field::select("body", "Owned by", v::body_options(fw)).optional(),
    ]
}

fn review_rows(reviews: &[Review], fw: &Framework, members: &[(String, String)], slug: &str) -> Vec<Value> {
    reviews
        .iter()
        .map(|r| {
            v::row(vec![
                v::cell(&r.title, Some(format!("/t/{slug}/reviews/{}", r.id))),
                v::cell(v::day(r.due_on), None),
                v::cell(r.owner_user_id.as_ref().map_or_else(|| "-".into(), |u| v::name_in(members, u.as_str())), None),
                v::cell(r.owner_body.as_deref().map_or_else(|| "-".into(), |b| v::body_name(fw, b)), None),
            ])
        })
        .collect()
}

pub(super) async fn due(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let query = Values::parse(req.query_string().as_bytes());
    let fields = filter_fields(&fw);
    let result = match forms::body_of(&fields, &query) {
        Ok(body) => {
            let text = |k: &str| body.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
            service::due(&state, &access, DueFilter { within_days: text("within_days"), body: text("body") }).await
        }
        Err(e) => Err(e),
    };
    let slug = access.tenant.slug.clone();
    let members = v::member_names(&state, &access).await?;
    let (sections, paging, error) = match result {
        Ok(d) => {
            let counts: Vec<Value> =
                d.by_body
                    .iter()
                    .map(|b| {
                        let name = b.name.clone().unwrap_or_else(|| {
                            if b.body.is_empty() { "No owning body".into() } else { b.body.clone() }
                        });
                        let href = (!b.body.is_empty()).then(|| format!("/t/{slug}/reviews?body={}", b.body));
                        v::row(vec![v::cell(name, href), v::cell(b.overdue, None), v::cell(b.due, None)])
                    })
                    .collect();
            let mut by_owner: Vec<(String, usize, usize)> = Vec::new();
            for r in d.overdue.iter().chain(&d.due) {
                let who =
                    r.owner_user_id.as_ref().map_or_else(|| "No owner".into(), |u| v::name_in(&members, u.as_str()));
                let i = by_owner.iter().position(|(w, _, _)| *w == who).unwrap_or_else(|| {
                    by_owner.push((who, 0, 0));
                    by_owner.len() - 1
                });
                if r.due_on < d.today { by_owner[i].1 += 1 } else { by_owner[i].2 += 1 }
            }
            let owners: Vec<Value> = by_owner
                .into_iter()
                .map(|(w, o, n)| v::row(vec![v::cell(w, None), v::cell(o, None), v::cell(n, None)]))
                .collect();
            let head = ["Review", "Due", "Owner", "Owned by"];
            // The lists are long in a large trust: a page of each at a time.
            let offset = usize::try_from(query.get("offset").parse::<i64>().unwrap_or(0).max(0)).unwrap_or(0);
            let longest = d.overdue.len().max(d.due.len());
            let window = |list: &[Review]| -> Vec<Review> { list.iter().skip(offset).take(PAGE).cloned().collect() };
            let paging = v::paging(
                &format!("/t/{slug}/reviews"),
                &query,
                i64::try_from(longest).unwrap_or(i64::MAX),
                i64::try_from(PAGE).unwrap_or(50),
                i64::try_from(offset).unwrap_or(0),
            );
            let shown = format!(
                "{} overdue and {} due in all; each list shows {PAGE} at a time.",
                d.overdue.len(),
                d.due.len()
            );
            (
                vec![
                    v::table_section(
                        "by-body",
                        "By owning body",
                        "Open reviews by the body that owns them",
                        &["Body", "Overdue", "Due"],
                        counts,
                        "Nothing due.",
                    ),
                    v::table_section(
                        "by-owner",
                        "By owner",
                        "Open reviews by owner",
                        &["Owner", "Overdue", "Due"],
                        owners,
                        "Nothing due.",
                    ),
                    json!({"id": "counts", "intro": [shown]}),
                    v::table_section(
                        "overdue",
                        "Overdue",
                        "Reviews past their due date",
                        &head,
                        review_rows(&window(&d.overdue), &fw, &members, &slug),
                        "None overdue on this page.",
                    ),
                    v::table_section(
                        "due",
                        "Due",
                        "Reviews due in the window",
                        &head,
                        review_rows(&window(&d.due), &fw, &members, &slug),
                        "None due on this page.",
                    ),
                ],
                paging,
                None,
            )
        }
        Err(e) => (Vec::new(), Value::Null, Some(e.content())),
    };
    let (filter_view, summary) = forms::view(&fields, &query, error.as_ref());
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Reviews due", "caption": access.tenant.name,
               "filters": {"action": format!("/t/{slug}/reviews"), "fields": filter_view, "summary": summary},
               "sections": sections, "paging": paging}),
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
    let (r, kpis) = service::with_kpis(&state, &access, v::path_id(&id)?).await?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let members = v::member_names(&state, &access).await?;
    let slug = &access.tenant.slug;
    let mut summary = vec![
        v::item("Due", v::day(r.due_on)),
        v::item("Kind", v::label(&r.kind)),
        v::item("Owner", r.owner_user_id.as_ref().map_or_else(|| "none".into(), |u| v::name_in(&members, u.as_str()))),
        v::item("Owned by", r.owner_body.as_deref().map_or_else(|| "none".into(), |b| v::body_name(&fw, b))),
    ];
    if let Some(k) = &r.contract_id {
        summary.push(v::item_link("Contract", "the contract", format!("/t/{slug}/contracts/{k}")));
    }
    if let Some(s) = &r.service_id {
        summary.push(v::item_link("Service", "the service", format!("/t/{slug}/services/{s}")));
    }
    if let Some(o) = r.outcome {
        summary.push(v::item("Outcome", v::label(o.as_str())));
        summary.push(v::item("Completed", v::day_opt(r.completed_on)));
        summary.push(v::item("Notes", if r.notes.is_empty() { "none".into() } else { r.notes.clone() }));
        summary.push(v::item("Evidence", if r.evidence.is_empty() { "none".into() } else { r.evidence.clone() }));
    }
    if let Some(p) = &r.follow_up_project_id {
        summary.push(v::item_link("Re-commissioning project", "the project", format!("/t/{slug}/projects/{p}")));
    }
    let mut sections = vec![json!({"id": "review", "summary": summary})];
    if !kpis.is_empty() {
        sections.push(json!({"id": "kpis", "heading": "The contract's KPIs"}));
        sections.extend(v::kpi_sections(&kpis));
    }
    let open = matches!(r.status, ReviewStatus::Scheduled | ReviewStatus::InProgress);
    let actions = if open && Action::Decide.allowed(access.role()) {
        json!([{"href": format!("/t/{slug}/reviews/{}/complete", r.id), "label": "Complete review"}])
    } else {
        json!([])
    };
    let history = v::history(&state, &access, "review", r.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": r.title, "caption": "Review", "status": v::label(r.status.as_str()), "notice": v::notice(&req),
               "actions": actions, "sections": sections, "history": history}),
    )?)
}

fn completion_fields() -> Vec<Field> {
    vec![
        Field::radios(
            "outcome",
            "Outcome",
            vec![
                Opt::new(ReviewOutcome::Continue.as_str(), "Continue: the service goes on as it is"),
                Opt::new(ReviewOutcome::Improve.as_str(), "Improve: it goes on with an improvement plan"),
                Opt::new(
                    ReviewOutcome::Recommission.as_str(),
                    "Re-commission: open a project at the framework's first stage",
                ),
                Opt::new(
                    ReviewOutcome::Decommission.as_str(),
                    "Decommission: record the decision and the contract's exit",
                ),
            ],
        ),
        Field::date("completed_on", "Date completed").optional().hint("Leave blank for today."),
        Field::area("notes", "Notes").optional(),
        Field::area("evidence", "Evidence considered")
            .optional()
            .hint("For example, the KPI returns below, visits, feedback."),
        Field::date("exit_date", "Exit date").optional().hint("For a decommissioning: the contract's last day."),
    ]
}

async fn completion_form(
    state: &AppState,
    access: &Access,
    id: ReviewId,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let (r, kpis) = service::with_kpis(state, access, id).await?;
    let fields = completion_fields();
    let base = format!("/t/{}/reviews/{}", access.tenant.slug, r.id);
    let mut page = FormPage::new("Complete the review", format!("{base}/complete"), &fields, values);
    page.caption = Some(r.title.clone());
    page.intro =
        vec![format!("Due {}. Completing it plans the next review by the trust's framework.", v::day(r.due_on))];
    page.version = Some(r.version);
    page.cancel = Some(base);
    page.submit = "Complete review";
    page.error = error;
    if !kpis.is_empty() {
        page.context.push(json!({"id": "kpis", "heading": "The contract's KPIs"}));
        page.context.extend(v::kpi_sections(&kpis));
    }
    v::form_page(state, access, page)
}

pub(super) async fn complete_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Decide)?;
    Ok(completion_form(&state, &access, v::path_id(&id)?, &Values::default(), None).await?)
}

pub(super) async fn complete(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Decide)?;
    let id: ReviewId = v::path_id(&id)?;
    let result = match forms::read_versioned::<Completion>(&completion_fields(), &values) {
        Ok((input, version)) => service::complete(&state, &access, id.clone(), version, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => Ok(v::saved(&format!("/t/{}/reviews/{}", access.tenant.slug, done.review.id))),
        Err(e) => Ok(completion_form(&state, &access, id, &values, Some(e)).await?),
    }
}
