//! A trust's own comparison groups (say, the trusts of its region on this platform): a name and
//! the DfE authorities in it, compared against as the statistical neighbours are. Commissioners
//! and admins keep them; every member compares with them. Changes are versioned and audited.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::repo::audit;
use platform_db::repo::comparison_groups::{self as repo, Group};
use platform_db::repo::reference as r;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::app::api::{etag, json_body, version_of};
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::clock;
use crate::error::{ApiError, ErrorBody};

/// A group as the API gives it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    /// DfE's three-digit codes of its authorities, in the order chosen.
    pub members: Vec<String>,
    pub version: i32,
}

impl GroupView {
    fn of(g: &Group) -> GroupView {
        GroupView { id: g.id.clone(), name: g.name.clone(), members: g.codes(), version: g.version }
    }
}

/// A group to create, or a group's new name and members.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: String,
    /// DfE's three-digit authority codes.
    pub members: Vec<String>,
}

pub async fn list(state: &AppState, access: &Access) -> Result<Vec<Group>, ApiError> {
    access.require(Action::Read)?;
    let tid = access.tenant.id.clone();
    state.tenant_db(&access.tenant.id, move |c| repo::list(c, &tid)).await
}

/// Checks the input against DfE's authorities and saves it: a new group (`id` none) or a
/// change to one at `version`.
async fn save(
    state: &AppState,
    access: &Access,
    id: Option<String>,
    version: Option<i32>,
    input: GroupInput,
) -> Result<Group, ApiError> {
    access.require(Action::Commission)?;
    let actor = access.actor();
    let now = clock::now();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&access.tenant.id, move |c| {
            let authorities: Vec<String> =
                r::areas(c)?.into_iter().filter(|a| a.kind == "authority").map(|a| a.code).collect();
            let members: Vec<String> = input.members.iter().map(|m| m.trim().to_string()).collect();
            let name = input.name.trim().to_string();
            repo::check(&name, &members, &|code| authorities.iter().any(|a| a == code))?;
            let (group, before) = match id {
                None => {
                    let g = Group {
                        id: uuid::Uuid::now_v7().to_string(),
                        tenant_id: tenant.clone(),
                        name,
                        members: members.join(","),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    };
                    repo::insert(c, &g)?;
                    (g, None)
                }
                Some(id) => {
                    let old = repo::get(c, &tenant, &id)?
                        .ok_or_else(|| ApiError::NotFound("the trust has no such comparison group".to_string()))?;
                    let version = version.ok_or(ApiError::PreconditionRequired)?;
                    let changed = Group { name, members: members.join(","), updated_at: now, ..old.clone() };
                    (repo::update(c, &changed, version)?, Some(old))
                }
            };
            let detail = json!({
                "name": {"before": before.as_ref().map(|b| &b.name), "after": group.name},
                "members": {"before": before.as_ref().map(Group::codes), "after": group.codes()},
            })
            .to_string();
            let what = if before.is_some() { "comparison_group.changed" } else { "comparison_group.created" };
            audit::record(c, &actor.audit(what, "comparison_group", &group.id, detail, now))?;
            Ok(group)
        })
        .await
}

async fn remove(state: &AppState, access: &Access, id: String) -> Result<(), ApiError> {
    access.require(Action::Commission)?;
    let actor = access.actor();
    let now = clock::now();
    let tenant = access.tenant.id.clone();
    state
        .tenant_work(&access.tenant.id, move |c| {
            let old = repo::get(c, &tenant, &id)?
                .ok_or_else(|| ApiError::NotFound("the trust has no such comparison group".to_string()))?;
            repo::delete(c, &tenant, &id)?;
            let detail = json!({"name": old.name, "members": old.codes()}).to_string();
            audit::record(c, &actor.audit("comparison_group.deleted", "comparison_group", &id, detail, now))?;
            Ok(())
        })
        .await
}

/// The trust's comparison groups.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/groups", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug")),
    responses((status = 200, description = "the groups, by name", body = Vec<GroupView>)))]
pub(crate) async fn list_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let groups = list(&state, &access).await?;
    Ok(HttpResponse::Ok().json(groups.iter().map(GroupView::of).collect::<Vec<_>>()))
}

/// Creates a comparison group: a name (unique in the trust) and DfE authority codes.
#[utoipa::path(post, path = "/api/v1/tenants/{slug}/comparison/groups", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug")),
    request_body = GroupInput,
    responses(
        (status = 201, description = "created", body = GroupView),
        (status = 409, description = "the trust has a group of this name", body = ErrorBody),
        (status = 422, description = "a member is not a DfE authority, or the name is missing", body = ErrorBody)))]
pub(crate) async fn create_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: GroupInput = json_body(&body)?;
    let g = save(&state, &access, None, None, input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Created().insert_header(etag(g.version)).json(GroupView::of(&g)))
}

/// One comparison group of the trust.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/groups/{id}", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the group")),
    responses((status = 200, description = "the group", body = GroupView), (status = 404, description = "no such group", body = ErrorBody)))]
pub(crate) async fn get_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let g = list(&state, &access)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| ApiError::NotFound("the trust has no such comparison group".to_string()))?;
    Ok(HttpResponse::Ok().insert_header(etag(g.version)).json(GroupView::of(&g)))
}

/// Changes a comparison group's name and members (If-Match: the group's ETag when it was read).
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/comparison/groups/{id}", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the group"),
           ("If-Match" = Option<String>, Header, description = "the group's ETag when it was read")),
    request_body = GroupInput,
    responses(
        (status = 200, description = "saved", body = GroupView),
        (status = 409, description = "changed by someone else since that version", body = ErrorBody),
        (status = 422, description = "a member is not a DfE authority", body = ErrorBody),
        (status = 428, description = "no version given", body = ErrorBody)))]
pub(crate) async fn edit_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: GroupInput = json_body(&body)?;
    let version = version_of(&req, None)?;
    let g = save(&state, &access, Some(id), Some(version), input).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Ok().insert_header(etag(g.version)).json(GroupView::of(&g)))
}

/// Deletes a comparison group.
#[utoipa::path(delete, path = "/api/v1/tenants/{slug}/comparison/groups/{id}", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the group")),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such group", body = ErrorBody)))]
pub(crate) async fn delete_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    remove(&state, &access, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The form's fields: a name and a box for each authority, by region, the trusts on this
/// platform marked.
async fn fields(state: &AppState, access: &Access) -> Result<Vec<Field>, ApiError> {
    let (areas, on_platform) = state
        .tenant_db(&access.tenant.id, |c| {
            let areas = r::areas(c)?;
            let ons: Vec<String> = platform_db::repo::tenants::directory(c)?.into_iter().map(|t| t.ons_code).collect();
            let mut on = Vec::new();
            for code in ons {
                if let Some(d) = r::dfe_code_of(c, &code)? {
                    on.push(d);
                }
            }
            Ok((areas, on))
        })
        .await?;
    let region_name =
        |code: &Option<String>| areas.iter().find(|a| Some(&a.code) == code.as_ref()).map_or("", |a| a.name.as_str());
    let mut authorities: Vec<&r::Area> = areas.iter().filter(|a| a.kind == "authority").collect();
    authorities.sort_by(|a, b| region_name(&a.region).cmp(region_name(&b.region)).then_with(|| a.name.cmp(&b.name)));
    let options = authorities
        .iter()
        .map(|a| {
            let mark = if on_platform.contains(&a.code) { ", on this platform" } else { "" };
            Opt::new(&a.code, format!("{} ({}{mark})", a.name, region_name(&a.region)))
        })
        .collect();
    Ok(vec![
        Field::text("name", "Name of the group").hint("For example, North East trusts on the platform."),
        Field::checks("members", "Authorities in the group", options)
            .hint("By region. Those marked “on this platform” are trusts here."),
    ])
}

fn form(
    state: &AppState,
    access: &Access,
    fields: &[Field],
    values: &Values,
    action: String,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let base = format!("/t/{}/comparison/groups", access.tenant.slug);
    let title = if action == base { "Create a comparison group" } else { "Change a comparison group" };
    let mut page = FormPage::new(title, action, fields, values);
    page.version = values.get("version").parse().ok();
    page.caption = Some("Compare".into());
    page.cancel = Some(base);
    page.submit = "Save";
    page.error = error;
    v::form_page(state, access, page)
}

/// The groups, and (for commissioners) the form that creates one.
pub(super) async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let groups = list(&state, &access).await?;
    let slug = &access.tenant.slug;
    let keeps = Action::Commission.allowed(access.role());
    let rows: Vec<Value> = groups
        .iter()
        .map(|g| {
            let name = if keeps {
                v::cell(&g.name, Some(format!("/t/{slug}/comparison/groups/{}", g.id)))
            } else {
                v::cell(&g.name, None)
            };
            let mut cells = vec![
                name,
                v::cell(g.codes().len(), None),
                v::cell("Scorecard against it", Some(format!("/t/{slug}/comparison/scorecard?group={}", g.id))),
            ];
            if keeps {
                cells.push(json!({"text": "", "button": {
                    "action": format!("/t/{slug}/comparison/groups/{}/delete", g.id),
                    "label": format!("Delete {}", g.name)}}));
            }
            v::row(cells)
        })
        .collect();
    let head: &[&str] =
        if keeps { &["Group", "Authorities", "Compare", "Delete"] } else { &["Group", "Authorities", "Compare"] };
    let mut actions = Vec::new();
    if keeps {
        actions.push(json!({"label": "Create a group", "href": format!("/t/{slug}/comparison/groups/new")}));
    }
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Comparison groups", "caption": "Compare", "actions": actions, "notice": v::notice(&req),
               "intro": ["A group of authorities the trust chooses to compare itself against, as against its statistical neighbours: on a measure's page and the scorecard, choose the group."],
               "sections": [v::table_section("groups", "", "The trust's comparison groups", head, rows, "The trust has no groups yet.")]}),
    )?)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let fields = fields(&state, &access).await?;
    let action = format!("/t/{}/comparison/groups", access.tenant.slug);
    Ok(form(&state, &access, &fields, &Values::default(), action, None)?)
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
    let tid = access.tenant.id.clone();
    let gid = id.clone();
    let g = state
        .tenant_db(&access.tenant.id, move |c| repo::get(c, &tid, &gid))
        .await?
        .ok_or_else(|| ApiError::NotFound("the trust has no such comparison group".to_string()))?;
    let fields = fields(&state, &access).await?;
    let mut values = Values::default();
    values.set("name", g.name.clone()).set("version", g.version.to_string());
    values.set_all("members", g.codes());
    let action = format!("/t/{}/comparison/groups/{id}", access.tenant.slug);
    Ok(form(&state, &access, &fields, &values, action, None)?)
}

/// Deletes a group from its page's button.
pub(super) async fn delete_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, _) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    remove(&state, &access, id).await?;
    Ok(v::saved(&format!("/t/{slug}/comparison/groups")))
}

/// Reads the form into the API's input.
fn read(fields: &[Field], values: &Values) -> Result<GroupInput, ApiError> {
    forms::body_of(fields, values)?;
    Ok(GroupInput { name: values.get("name").to_string(), members: values.all("members").to_vec() })
}

pub(super) async fn create_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let fields = fields(&state, &access).await?;
    let action = format!("/t/{}/comparison/groups", access.tenant.slug);
    let saved = match read(&fields, &values) {
        Ok(input) => save(&state, &access, None, None, input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(v::saved(&action)),
        Err(e) => Ok(form(&state, &access, &fields, &values, action, Some(e.content()))?),
    }
}

pub(super) async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let fields = fields(&state, &access).await?;
    let action = format!("/t/{slug}/comparison/groups/{id}");
    let saved = match read(&fields, &values) {
        Ok(input) => {
            let version = values.get("version").parse::<i32>().map_err(|_| ApiError::PreconditionRequired);
            match version {
                Ok(version) => save(&state, &access, Some(id), Some(version), input).await,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(v::saved(&format!("/t/{slug}/comparison/groups"))),
        Err(e) => Ok(form(&state, &access, &fields, &values, action, Some(e.content()))?),
    }
}
