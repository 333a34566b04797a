//! The members page and its forms.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::MembershipId;
use platform_db::models::Role;
use serde::Deserialize;
use serde_json::json;

use super::service::{self, Invitation, parse_provider, parse_role};
use crate::app::AppState;
use crate::app::auth::{Action, Visitor};
use crate::app::edge::see_other;
use crate::app::pages::{PageError, nav, page_access};
use crate::error::ApiError;

fn roles_for(selected: Role) -> Vec<serde_json::Value> {
    Role::ALL
        .iter()
        .map(|r| json!({"value": r.as_str(), "name": r.as_str().replace('_', " "), "selected": *r == selected}))
        .collect()
}

pub(super) async fn users_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageMembers)?;
    let (members, providers) = service::members(&state, &access).await?;
    let providers_json: Vec<_> = providers.iter().map(|p| json!({"id": p.id, "name": p.name})).collect();
    let members: Vec<_> = members
        .iter()
        .map(|(m, u)| {
            let provider =
                m.provider_id.as_ref().and_then(|p| providers.iter().find(|x| &x.id == p)).map(|p| p.name.clone());
            json!({
                "id": m.id, "name": m.display_name, "email": u.email, "role": m.role.as_str().replace('_', " "),
                "provider": provider, "roles": roles_for(m.role),
            })
        })
        .collect();
    Ok(state.page(
        "users",
        &json!({
            "title": format!("Members of {}", access.tenant.name), "nav": nav(&access), "slug": access.tenant.slug,
            "members": members, "providers": providers_json, "roles": roles_for(Role::Viewer), "csrf": access.csrf(),
        }),
    )?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InviteForm {
    email: String,
    name: String,
    role: String,
    provider_id: String,
    csrf: String,
}

pub(super) async fn invite_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageMembers)?;
    access.check_csrf(&form.csrf)?;
    let role = parse_role(&form.role)?;
    let provider = parse_provider(role, &form.provider_id)?;
    let form = form.into_inner();
    let invitation = Invitation { email: form.email, name: form.name, role, provider };
    service::invite(&state, &access, invitation, &visitor.ip).await?;
    Ok(see_other(&format!("/t/{slug}/admin/users")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RoleForm {
    role: String,
    provider_id: String,
    csrf: String,
}

pub(super) async fn role_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageMembers)?;
    access.check_csrf(&form.csrf)?;
    let id: MembershipId = id.parse().map_err(|_| ApiError::NotFound("no such member".into()))?;
    let role = parse_role(&form.role)?;
    let provider = parse_provider(role, &form.provider_id)?;
    service::set_role(&state, &access, id, role, provider, &visitor.ip).await?;
    Ok(see_other(&format!("/t/{slug}/admin/users")))
}
