//! The priorities' pages: the ranked list, a priority with its framework fields and history,
//! and its forms (set from a need, or standing alone), the same actions as the API.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::PriorityId;
use platform_db::models::Priority;
use serde_json::{Value, json};

use super::service;
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::crud::{self, Editable};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// A priority, as its forms see it.
pub(super) struct Priorities;

impl Editable for Priorities {
    type Id = PriorityId;
    type Input = service::PriorityInput;
    type Row = Priority;
    const PATH: &'static str = "priorities";
    const NOUN: &'static str = "priority";
    const CAPTION: &'static str = "Priorities";

    async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
        let fw = Framework::of(&state.frameworks, &access.tenant)?;
        let needs = crate::app::views::needs_of(state, access).await?;
        let mut fields = vec![
            Field::whole("rank", "Rank").hint("1 is the first priority."),
            Field::text("title", "Priority"),
            Field::select("outcome", "Outcome", v::outcome_options()),
            Field::select(
                "need_id",
                "The need it answers",
                needs.into_iter().map(|(id, title)| Opt::new(id, title)).collect(),
            )
            .optional()
            .hint("Leave as none for a priority standing alone."),
            Field::area("rationale", "Why it is a priority").optional(),
        ];
        fields.extend(forms::framework_fields(&fw.fields("priority")));
        Ok(fields)
    }
    fn values(p: &Priority) -> Values {
        let mut values = Values::default();
        values
            .set("rank", p.rank.to_string())
            .set("title", p.title.clone())
            .set("outcome", p.outcome_code.clone())
            .set("need_id", p.need_id.as_ref().map(ToString::to_string).unwrap_or_default())
            .set("rationale", p.rationale.clone())
            .set_attributes(&p.attributes);
        values
    }
    fn id(row: &Priority) -> String {
        row.id.to_string()
    }
    fn title(row: &Priority) -> String {
        row.title.clone()
    }
    fn version(row: &Priority) -> i32 {
        row.version
    }
    async fn create(state: &AppState, access: &Access, input: service::PriorityInput) -> Result<Priority, ApiError> {
        Ok(service::create(state, access, input).await?.priority)
    }
    async fn edit(
        state: &AppState,
        access: &Access,
        id: PriorityId,
        version: i32,
        input: service::PriorityInput,
    ) -> Result<Priority, ApiError> {
        Ok(service::edit(state, access, id, version, input).await?.priority)
    }
    async fn archive(state: &AppState, access: &Access, id: PriorityId, version: i32) -> Result<Priority, ApiError> {
        Ok(service::archive(state, access, id, version).await?.priority)
    }
    async fn current(state: &AppState, access: &Access, id: PriorityId) -> Result<Priority, ApiError> {
        service::current(state, access, id).await
    }
    /// A priority set from a need's page starts with the need and its outcome.
    fn starting(req: &HttpRequest) -> Values {
        let query = Values::parse(req.query_string().as_bytes());
        let mut values = Values::default();
        values.set("need_id", query.get("need_id")).set("outcome", query.get("outcome"));
        values
    }
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let mut all = service::all(&state, &access).await?;
    all.sort_by_key(|p| (p.archived_at.is_some(), p.rank));
    let base = format!("/t/{}/priorities", access.tenant.slug);
    let rows: Vec<Value> = all
        .iter()
        .map(|p| {
            v::row(vec![
                v::cell(p.rank, None),
                json!({"text": p.title, "href": format!("{base}/{}", p.id), "tag": p.archived_at.map(|_| "archived")}),
                v::cell(v::outcome_name(&p.outcome_code), None),
                v::cell(if p.need_id.is_some() { "from a need" } else { "standing alone" }, None),
            ])
        })
        .collect();
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("{base}/new"), "label": "Set a priority"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Priorities", "caption": access.tenant.name, "actions": actions,
               "sections": [v::table_section("priorities", "", "The trust's priorities, by rank", &["Rank", "Priority", "Outcome", "Basis"], rows, "No priority set yet.")]}),
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
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let mut summary = vec![
        v::item("Rank", p.rank),
        v::item("Outcome", v::outcome_name(&p.outcome_code)),
        match &p.need_id {
            Some(n) => v::item_link("The need it answers", "the need", format!("/t/{}/needs/{n}", access.tenant.slug)),
            None => v::item("The need it answers", "none: it stands alone"),
        },
        v::item("Why it is a priority", if p.rationale.is_empty() { "not given".into() } else { p.rationale.clone() }),
    ];
    summary.extend(v::attribute_rows(&fw, "priority", &p.attributes));
    let actions = crud::actions::<Priorities>(&access, &p, p.archived_at.is_some());
    let history = v::history(&state, &access, "priority", p.id.as_str()).await?;
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": p.title, "caption": "Priority", "status": p.archived_at.map(|_| "archived"),
               "notice": v::notice(&req), "actions": actions,
               "sections": [{"id": "priority", "summary": summary}], "history": history}),
    )?)
}
