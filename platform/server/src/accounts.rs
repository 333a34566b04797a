//! Councils signing up, operators approving them, and people signing in: by their council's
//! identity provider (OIDC, authorisation code with PKCE) or by a one-time email link. Also the
//! tenant admin's pages (members and roles, identity provider, audit log) and API tokens.
//!
//! Email links are never used up by opening them (council mail systems open links to scan
//! them): the link shows a page with a button, and the button's POST signs in.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::conn::{DbConnection, Scope, scoped};
use platform_db::error::DbError;
use platform_db::models::{ApiToken, Role, Signup, SignupStatus, Tenant, TenantOidc, TokenPurpose, User};
use platform_db::repo::accounts::{self as repo, LinkRefusal, NewSignup};
use platform_db::repo::{Page, audit, commissioning, plugins as registry, users};
use platform_db::{ApiTokenId, MembershipId, ProviderId, SignupId, UserId};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::edge::{safe_next, see_other};
use crate::app::links::{CONFIRM_LINK_TTL, LOGIN_LINK_TTL, Outgoing, new_link, refusal_text};
use crate::app::pages::{
    CsrfForm, PageError, TokenForm, button_page, ensure_session, form_error, message, nav, page_access, with_cookie,
};
use crate::clock;
use crate::error::{ApiError, internal};
use crate::limits;
use crate::secrets;
use crate::sessions::{self, PendingOidc, SessionData};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(signup_page))
        .route("/signup", web::post().to(signup_form))
        .route("/api/v1/signups", web::post().to(signup_api))
        .route("/signup/confirm/{token}", web::get().to(confirm_page))
        .route("/signup/confirm", web::post().to(confirm_post))
        .route("/operator", web::get().to(operator_page))
        .route("/operator/login/{token}", web::get().to(operator_link_page))
        .route("/operator/login", web::post().to(operator_link_post))
        .route("/operator/signups/{id}/{decision}", web::post().to(operator_decide))
        .route("/logout", web::post().to(logout))
        .route("/t/{slug}/login", web::get().to(login_page))
        .route("/t/{slug}/login/email", web::post().to(login_email))
        .route("/t/{slug}/login/link/{token}", web::get().to(login_link_page))
        .route("/t/{slug}/login/link", web::post().to(login_link_post))
        .route("/t/{slug}/login/oidc", web::get().to(oidc_start))
        .route("/t/{slug}/oidc/callback", web::get().to(oidc_callback))
        .route("/t/{slug}/admin/users", web::get().to(users_page))
        .route("/t/{slug}/admin/users", web::post().to(invite_post))
        .route("/t/{slug}/admin/users/{id}/role", web::post().to(role_post))
        .route("/t/{slug}/admin/oidc", web::get().to(oidc_settings_page))
        .route("/t/{slug}/admin/oidc", web::post().to(oidc_settings_post))
        .route("/t/{slug}/admin/audit", web::get().to(audit_page))
        .route("/t/{slug}/tokens", web::get().to(tokens_page))
        .route("/t/{slug}/tokens", web::post().to(token_create))
        .route("/t/{slug}/tokens/{id}/revoke", web::post().to(token_revoke));
}

// ---------------------------------------------------------------------------------------------
// Sign-up

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignupForm {
    council_name: String,
    ons_code: String,
    region: String,
    admin_name: String,
    admin_email: String,
    framework: String,
    csrf: String,
}

/// Frameworks a council may choose: each plugin with an approved version.
pub(crate) async fn framework_choices(state: &AppState) -> Result<Vec<serde_json::Value>, ApiError> {
    let all = state.db(registry::list).await?;
    let mut seen: Vec<serde_json::Value> = Vec::new();
    for p in all.into_iter().filter(|p| p.approved) {
        if !seen.iter().any(|s| s["id"] == p.id.as_str()) {
            seen.push(json!({"id": p.id, "name": p.name}));
        }
    }
    Ok(seen)
}

async fn render_signup(
    state: &AppState,
    visitor: &Visitor,
    form: &SignupForm,
    error: Option<&ApiError>,
) -> Result<HttpResponse, ApiError> {
    let frameworks: Vec<serde_json::Value> = framework_choices(state)
        .await?
        .into_iter()
        .map(|mut f| {
            f["selected"] = json!(f["id"] == form.framework.as_str());
            f
        })
        .collect();
    let regions: Vec<serde_json::Value> = platform_db::models::ENGLISH_REGIONS
        .iter()
        .map(|r| json!({"name": r, "selected": *r == form.region}))
        .collect();
    let (message, field) = form_error(error);
    let html = state
        .templates
        .render(
            "signup",
            &json!({
                "title": "Sign up your council",
                "nav": null,
                "csrf": visitor.csrf(),
                "form": {
                    "council_name": form.council_name, "ons_code": form.ons_code, "admin_name": form.admin_name,
                    "admin_email": form.admin_email,
                },
                "frameworks": frameworks,
                "regions": regions,
                "error": message,
                "error_field": field,
            }),
        )
        .map_err(internal)?;
    let status = match error {
        Some(e) => actix_web::ResponseError::status_code(e),
        None => actix_web::http::StatusCode::OK,
    };
    Ok(HttpResponse::build(status).content_type(header::ContentType::html()).body(html))
}

async fn signup_page(state: web::Data<AppState>, mut visitor: Visitor) -> Result<HttpResponse, PageError> {
    let cookie = ensure_session(&state, &mut visitor).await?;
    Ok(with_cookie(render_signup(&state, &visitor, &SignupForm::default(), None).await?, cookie))
}

/// Records the sign-up and mails the confirmation link in one transaction: if the mail cannot
/// be sent, nothing is kept.
async fn do_signup(state: &AppState, new: NewSignup, ip: &str) -> Result<Signup, ApiError> {
    state.limiter.hit(limits::SIGNUP_PER_IP, ip).await?;
    let out = Outgoing::from_state(state);
    let ip = ip.to_string();
    state
        .platform_db(move |conn| {
            let signup = repo::create_signup(conn, &new, clock::now())?;
            let token = new_link(
                conn,
                TokenPurpose::ConfirmSignup,
                &signup.admin_email,
                None,
                Some(&signup.id),
                CONFIRM_LINK_TTL,
            )?;
            audit::record(
                conn,
                &auth::entry(
                    None,
                    None,
                    "signup_received",
                    ("signup", Some(signup.id.to_string())),
                    json!({"council": signup.council_name, "ons_code": signup.ons_code}),
                    &ip,
                ),
            )?;
            out.send(
                &signup.admin_email,
                "confirm_signup",
                &format!("signup:{}", signup.id),
                &json!({
                    "tenant": signup.council_name, "name": signup.admin_name,
                    "link": format!("{}/signup/confirm/{token}", out.base), "hours": CONFIRM_LINK_TTL.num_hours(),
                }),
            )?;
            Ok(signup)
        })
        .await
}

async fn signup_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    let new = NewSignup {
        council_name: form.council_name.clone(),
        ons_code: form.ons_code.trim().to_uppercase(),
        region: form.region.clone(),
        admin_name: form.admin_name.clone(),
        admin_email: form.admin_email.clone(),
        framework: form.framework.clone(),
    };
    match do_signup(&state, new, &visitor.ip).await {
        Ok(signup) => Ok(message(
            &state,
            200,
            "Check your email",
            &[format!(
                "We have sent a link to {} to confirm the address. Once it is confirmed, a platform operator will review the sign-up of {}.",
                signup.admin_email, signup.council_name
            )],
        )?),
        Err(e @ (ApiError::BadRequest { .. } | ApiError::Conflict(_) | ApiError::Taken { .. })) => {
            Ok(render_signup(&state, &visitor, &form, Some(&e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A sign-up received: the admin must now confirm their address.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SignupReceived {
    pub id: SignupId,
    pub status: SignupStatus,
    /// The slug the trust will have once approved.
    pub slug: String,
    pub framework: FrameworkVersion,
    pub message: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FrameworkVersion {
    pub id: String,
    pub version: String,
}

/// A council signs up; a confirmation link goes to the admin's address.
#[utoipa::path(post, path = "/api/v1/signups", tag = "sign-up", request_body = NewSignup,
    responses((status = 201, description = "recorded; a confirmation link has been sent", body = SignupReceived),
              (status = 400, description = "bad input: the field is named", body = crate::error::ErrorBody),
              (status = 429, description = "too many sign-ups from this address", body = crate::error::ErrorBody)))]
pub(crate) async fn signup_api(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Json<NewSignup>,
) -> Result<HttpResponse, ApiError> {
    let signup = do_signup(&state, body.into_inner(), &visitor.ip).await?;
    Ok(HttpResponse::Created().json(SignupReceived {
        id: signup.id,
        status: signup.status,
        slug: signup.slug,
        framework: FrameworkVersion { id: signup.plugin_id, version: signup.plugin_version },
        message: format!("a confirmation link has been sent to {}", signup.admin_email),
    }))
}

async fn confirm_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let hash = secrets::hash(&token);
    let found =
        state.db(move |c| repo::peek_email_token(c, &hash, TokenPurpose::ConfirmSignup, None, clock::now())).await?;
    match found {
        Err(r) => Ok(message(
            &state,
            410,
            "Link not valid",
            &[refusal_text(r).into(), "Sign up again to get a new link.".into()],
        )?),
        Ok(t) => {
            let cookie = ensure_session(&state, &mut visitor).await?;
            let page = button_page(
                &state,
                "Confirm your email address",
                &format!("Confirm that {} is your address to continue the sign-up.", t.email),
                "/signup/confirm",
                &token,
                visitor.csrf(),
                "Confirm email address",
            )?;
            Ok(with_cookie(page, cookie))
        }
    }
}

async fn confirm_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    let hash = secrets::hash(&form.token);
    let ip = visitor.ip.clone();
    let result = state
        .platform_db(move |conn| {
            let used = repo::consume_email_token(conn, &hash, TokenPurpose::ConfirmSignup, None, clock::now())?;
            let token = match used {
                Ok(t) => t,
                Err(r) => return Ok(Err(r)),
            };
            let id = token.signup_id.ok_or(DbError::NotFound)?;
            let signup = repo::confirm_signup_email(conn, &id, clock::now())?;
            audit::record(
                conn,
                &auth::entry(None, None, "signup_confirmed", ("signup", Some(id.to_string())), json!({}), &ip),
            )?;
            Ok(Ok(signup))
        })
        .await?;
    match result {
        Err(r) => Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?),
        Ok(signup) => Ok(message(
            &state,
            200,
            "Email address confirmed",
            &[format!(
                "Thank you. A platform operator will now review the sign-up of {}. When it is approved, {} will receive a link to sign in.",
                signup.council_name, signup.admin_email
            )],
        )?),
    }
}

// ---------------------------------------------------------------------------------------------
// Operators

/// Approves a confirmed sign-up: the tenant becomes active with its slug and framework, the
/// admin is its first tenant admin and receives a sign-in link. One transaction, mail included.
pub fn approve(
    conn: &mut DbConnection,
    out: &Outgoing,
    signup: &SignupId,
    operator: Option<&UserId>,
    ip: &str,
) -> Result<(Tenant, User), DbError> {
    scoped(conn, Scope::Platform, |conn| {
        let (tenant, user, row) = repo::approve_signup(conn, signup, operator, clock::now())?;
        audit::record(
            conn,
            &auth::entry(
                None,
                operator,
                "tenant_approved",
                ("tenant", Some(tenant.id.to_string())),
                json!({"slug": tenant.slug, "signup": row.id, "framework": format!("{}@{}", row.plugin_id, row.plugin_version)}),
                ip,
            ),
        )?;
        audit::record(
            conn,
            &auth::entry(
                Some(&tenant.id),
                operator,
                "tenant_approved",
                ("tenant", Some(tenant.id.to_string())),
                json!({"slug": tenant.slug, "admin": user.email}),
                ip,
            ),
        )?;
        let token = new_link(conn, TokenPurpose::Login, &user.email, Some(&tenant.id), None, LOGIN_LINK_TTL)?;
        out.send(
            &user.email,
            "approved",
            &format!("approved:{}", tenant.id),
            &json!({
                "tenant": tenant.name, "name": user.display_name,
                "link": format!("{}/t/{}/login/link/{token}", out.base, tenant.slug),
                "login": format!("{}/t/{}/login", out.base, tenant.slug),
                "minutes": LOGIN_LINK_TTL.num_minutes(),
            }),
        )?;
        Ok((tenant, user))
    })
}

/// Creates (or promotes) an operator and returns a one-time sign-in link for them.
pub fn operator_link(conn: &mut DbConnection, base: &str, email: &str) -> Result<String, DbError> {
    scoped(conn, Scope::Platform, |conn| {
        let user = repo::make_operator(conn, email, clock::now())?;
        let token = new_link(conn, TokenPurpose::OperatorLogin, &user.email, None, None, LOGIN_LINK_TTL)?;
        audit::record(
            conn,
            &auth::entry(
                None,
                None,
                "operator_created",
                ("user", Some(user.id.to_string())),
                json!({"email": user.email}),
                "cli",
            ),
        )?;
        Ok(format!("{base}/operator/login/{token}"))
    })
}

/// The signed-in operator, re-checked against the database; anyone else gets "not found".
async fn operator(state: &AppState, visitor: &Visitor) -> Result<User, ApiError> {
    let not_found = || ApiError::NotFound("no such page".into());
    if !visitor.is_operator() {
        return Err(not_found());
    }
    let id = visitor.user_id().cloned().ok_or_else(not_found)?;
    let user = state.db(move |c| repo::user(c, &id)).await?;
    if user.is_operator { Ok(user) } else { Err(not_found()) }
}

async fn operator_page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    let (pending, tenants) = state
        .platform_db(|c| {
            Ok((
                repo::signups_in(c, &[SignupStatus::AwaitingApproval, SignupStatus::AwaitingEmail])?,
                platform_db::repo::tenants::list_all(c)?,
            ))
        })
        .await?;
    let pending: Vec<_> = pending
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "council_name": s.council_name, "ons_code": s.ons_code, "region": s.region,
                "admin": format!("{} <{}>", s.admin_name, s.admin_email), "slug": s.slug,
                "framework": format!("{}@{}", s.plugin_id, s.plugin_version),
                "ready": s.status == SignupStatus::AwaitingApproval,
                "status": s.status.as_str().replace('_', " "),
            })
        })
        .collect();
    Ok(state.page(
        "operator",
        &json!({"title": "Operator", "nav": null, "operator": me.email, "csrf": visitor.csrf(),
                "signups": pending, "tenants": tenants, "has_signups": !pending.is_empty()}),
    )?)
}

async fn operator_link_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let hash = secrets::hash(&token);
    let found =
        state.db(move |c| repo::peek_email_token(c, &hash, TokenPurpose::OperatorLogin, None, clock::now())).await?;
    if let Err(r) = found {
        return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
    }
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = button_page(
        &state,
        "Sign in as a platform operator",
        "Continue to sign in to the operator pages.",
        "/operator/login",
        &token,
        visitor.csrf(),
        "Sign in",
    )?;
    Ok(with_cookie(page, cookie))
}

async fn operator_link_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let hash = secrets::hash(&form.token);
    let used = state
        .db(move |c| {
            let used = repo::consume_email_token(c, &hash, TokenPurpose::OperatorLogin, None, clock::now())?;
            Ok(match used {
                Ok(t) => users::by_email(c, &t.email)?.filter(|u| u.is_operator).ok_or(LinkRefusal::Unknown),
                Err(r) => Err(r),
            })
        })
        .await?;
    let user = match used {
        Ok(u) => u,
        Err(r) => {
            auth::record(
                &state,
                auth::entry(
                    None,
                    None,
                    "login_failed",
                    ("operator", None),
                    json!({"method": "operator_link", "reason": refusal_text(r)}),
                    &visitor.ip,
                ),
            )
            .await?;
            return Ok(message(&state, 410, "Link not valid", &[refusal_text(r).into()])?);
        }
    };
    let data = SessionData { user_id: Some(user.id.clone()), operator: true, tenant_id: None, ..SessionData::fresh()? };
    let session = state.sessions.rotate(visitor.session.as_ref(), data, state.session_idle).await?;
    auth::record(
        &state,
        auth::entry(
            None,
            Some(&user.id),
            "login_succeeded",
            ("operator", Some(user.id.to_string())),
            json!({"method": "operator_link"}),
            &visitor.ip,
        ),
    )
    .await?;
    Ok(with_cookie(see_other("/operator"), Some(sessions::cookie(&session.id, state.secure_cookies))))
}

async fn operator_decide(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let me = operator(&state, &visitor).await?;
    visitor.check_csrf(&form.csrf)?;
    let (id, decision) = path.into_inner();
    let id: SignupId = id.parse().map_err(|_| ApiError::NotFound("no such sign-up".into()))?;
    let ip = visitor.ip.clone();
    match decision.as_str() {
        "approve" => {
            let out = Outgoing::from_state(&state);
            let me_id = me.id.clone();
            state.db(move |c| approve(c, &out, &id, Some(&me_id), &ip)).await?;
        }
        "reject" => {
            let me_id = me.id.clone();
            state
                .platform_db(move |c| {
                    let s = repo::reject_signup(c, &id, Some(&me_id), clock::now())?;
                    audit::record(
                        c,
                        &auth::entry(
                            None,
                            Some(&me_id),
                            "signup_rejected",
                            ("signup", Some(s.id.to_string())),
                            json!({"council": s.council_name}),
                            &ip,
                        ),
                    )
                })
                .await?;
        }
        _ => return Err(ApiError::NotFound("no such decision".into()).into()),
    }
    Ok(see_other("/operator"))
}

// ---------------------------------------------------------------------------------------------
// Signing in to a trust

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: String,
}

async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let tenant = auth::active_tenant(&state, &slug).await?;
    if auth::tenant_access(&state, &req, &visitor, &slug, false).await.is_ok() {
        return Ok(see_other(&safe_next(&slug, &query.next)));
    }
    let tid = tenant.id.clone();
    let oidc = state.tenant_db(&tenant.id, move |c| repo::oidc_settings(c, &tid)).await?;
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = state.page(
        "login",
        &json!({
            "title": format!("Sign in to {}", tenant.name), "nav": null, "slug": tenant.slug, "tenant": tenant.name,
            "oidc": oidc.is_some(), "csrf": visitor.csrf(), "minutes": LOGIN_LINK_TTL.num_minutes(),
        }),
    )?;
    Ok(with_cookie(page, cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailForm {
    email: String,
    csrf: String,
}

async fn login_email(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let email = form.email.trim().to_lowercase();
    platform_db::repo::validate::email("email", &email)?;
    state.limiter.hit(limits::LINK_PER_IP, &visitor.ip).await?;
    // Counted per address and client together: someone else asking for links to a member's
    // address cannot lock that member out of signing in from their own browser.
    state.limiter.hit(limits::LINK_PER_ADDRESS, &format!("{email}|{}", visitor.ip)).await?;
    let out = Outgoing::from_state(&state);
    let t = tenant.clone();
    let sent_to = email.clone();
    state
        .tenant_db(&tenant.id, move |conn| {
            let Some(user) = users::by_email(conn, &email)? else { return Ok(()) };
            if users::membership(conn, &t.id, &user.id)?.is_none() {
                return Ok(());
            }
            let token = new_link(conn, TokenPurpose::Login, &user.email, Some(&t.id), None, LOGIN_LINK_TTL)?;
            out.send(
                &user.email,
                "login_link",
                &format!("login:{}", secrets::hash(&token)),
                &json!({
                    "tenant": t.name, "name": user.display_name,
                    "link": format!("{}/t/{}/login/link/{token}", out.base, t.slug), "minutes": LOGIN_LINK_TTL.num_minutes(),
                }),
            )
        })
        .await?;
    // The same answer whether or not the address belongs to a member.
    Ok(message(
        &state,
        200,
        "Check your email",
        &[
            format!("If {sent_to} belongs to a member of {}, a sign-in link is on its way.", tenant.name),
            format!("The link works once and for {} minutes.", LOGIN_LINK_TTL.num_minutes()),
        ],
    )?)
}

async fn login_link_page(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, token) = path.into_inner();
    let tenant = auth::active_tenant(&state, &slug).await?;
    let hash = secrets::hash(&token);
    let tid = tenant.id.clone();
    let found = state
        .tenant_db(&tenant.id, move |c| repo::peek_email_token(c, &hash, TokenPurpose::Login, Some(&tid), clock::now()))
        .await?;
    if let Err(r) = found {
        return Ok(message(
            &state,
            410,
            "Link not valid",
            &[refusal_text(r).into(), format!("Ask for a new one on the sign-in page of {}.", tenant.name)],
        )?);
    }
    let cookie = ensure_session(&state, &mut visitor).await?;
    let page = button_page(
        &state,
        &format!("Sign in to {}", tenant.name),
        "Continue to sign in.",
        &format!("/t/{slug}/login/link"),
        &token,
        visitor.csrf(),
        "Sign in",
    )?;
    Ok(with_cookie(page, cookie))
}

/// The member signs in: a new session id, bound to this tenant.
async fn sign_in(
    state: &AppState,
    visitor: &Visitor,
    tenant: &Tenant,
    user: &User,
    method: &str,
    next: &str,
) -> Result<HttpResponse, ApiError> {
    let data = SessionData {
        user_id: Some(user.id.clone()),
        operator: false,
        tenant_id: Some(tenant.id.clone()),
        ..SessionData::fresh()?
    };
    let session = state.sessions.rotate(visitor.session.as_ref(), data, state.session_idle).await?;
    let (tid, uid) = (tenant.id.clone(), user.id.clone());
    state.tenant_db(&tenant.id, move |c| users::joined(c, &tid, &uid)).await?;
    auth::record(
        state,
        auth::entry(
            Some(&tenant.id),
            Some(&user.id),
            "login_succeeded",
            ("user", Some(user.id.to_string())),
            json!({"method": method, "email": user.email}),
            &visitor.ip,
        ),
    )
    .await?;
    Ok(with_cookie(
        see_other(&safe_next(&tenant.slug, next)),
        Some(sessions::cookie(&session.id, state.secure_cookies)),
    ))
}

async fn login_failed(state: &AppState, tenant: &Tenant, ip: &str, method: &str, reason: &str) -> Result<(), ApiError> {
    tracing::info!(tenant = %tenant.slug, method, reason, "login refused");
    auth::record(
        state,
        auth::entry(
            Some(&tenant.id),
            None,
            "login_failed",
            ("user", None),
            json!({"method": method, "reason": reason}),
            ip,
        ),
    )
    .await
}

async fn login_link_post(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let hash = secrets::hash(&form.token);
    let tid = tenant.id.clone();
    let result = state
        .tenant_db(&tenant.id, move |c| {
            let token = match repo::consume_email_token(c, &hash, TokenPurpose::Login, Some(&tid), clock::now())? {
                Ok(t) => t,
                Err(r) => return Ok(Err(refusal_text(r))),
            };
            let Some(user) = users::by_email(c, &token.email)? else { return Ok(Err("not a member")) };
            if users::membership(c, &tid, &user.id)?.is_none() {
                return Ok(Err("not a member"));
            }
            Ok(Ok(user))
        })
        .await?;
    match result {
        Ok(user) => Ok(sign_in(&state, &visitor, &tenant, &user, "email_link", "").await?),
        Err(reason) => {
            login_failed(&state, &tenant, &visitor.ip, "email_link", reason).await?;
            Ok(message(
                &state,
                410,
                "Link not valid",
                &[reason_text(reason), format!("Ask for a new one on the sign-in page of {}.", tenant.name)],
            )?)
        }
    }
}

fn reason_text(reason: &str) -> String {
    if reason == "not a member" { "This link is not valid.".into() } else { reason.to_string() }
}

/// The OIDC client of a tenant, from its settings (discovery at the issuer each time, so key
/// rotation at the provider needs nothing here).
async fn oidc_client(
    state: &AppState,
    tenant: &Tenant,
    ip: &str,
) -> Result<
    (
        openidconnect::core::CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        TenantOidc,
    ),
    ApiError,
> {
    use openidconnect::core::{CoreClient, CoreProviderMetadata};
    use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
    let tid = tenant.id.clone();
    let settings = state.tenant_db(&tenant.id, move |c| repo::oidc_settings(c, &tid)).await?.ok_or_else(|| {
        ApiError::NotFound(format!("{} has not set up sign-in with its identity provider", tenant.name))
    })?;
    let sealer =
        state.sealer.as_ref().ok_or_else(|| ApiError::Unavailable("PLATFORM_SECRET_KEY is not configured".into()))?;
    let secret = sealer.open(&settings.client_secret_sealed, tenant.id.as_str()).map_err(internal)?;
    let discovered = match IssuerUrl::new(settings.issuer.clone()) {
        Ok(issuer) => CoreProviderMetadata::discover_async(issuer, &state.http)
            .await
            .map_err(|e| format!("discovery at {}: {}", settings.issuer, crate::outbound::describe(&e))),
        Err(e) => Err(format!("the issuer {:?} is not a URL: {e}", settings.issuer)),
    };
    let metadata = match discovered {
        Ok(m) => m,
        Err(detail) => return Err(idp_unreachable(state, tenant, ip, &detail).await),
    };
    let redirect = RedirectUrl::new(state.link(&format!("/t/{}/oidc/callback", tenant.slug))).map_err(internal)?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    Ok((client, settings))
}

/// Whatever kept the identity provider from being used (an address the guard refused, a closed
/// port, something there that is no identity provider), the visitor, who may be anyone, gets one
/// answer: telling them apart would let anyone map the platform's network through a trust's
/// settings. The detail goes to the server log and the trust's audit log, for its admin.
async fn idp_unreachable(state: &AppState, tenant: &Tenant, ip: &str, detail: &str) -> ApiError {
    let reason = format!("the identity provider could not be reached: {detail}");
    if let Err(e) = login_failed(state, tenant, ip, "oidc", &reason).await {
        tracing::warn!(tenant = %tenant.slug, %reason, error = %e, "could not record a failed sign-in");
    }
    ApiError::Unavailable(format!(
        "The identity provider of {} could not be reached. Try again later, or sign in with an email link.",
        tenant.name
    ))
}

async fn oidc_start(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    use openidconnect::core::CoreAuthenticationFlow;
    use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, Scope as OidcScope};
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let (client, _) = oidc_client(&state, &tenant, &visitor.ip).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(OidcScope::new("email".into()))
        .add_scope(OidcScope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let cookie = ensure_session(&state, &mut visitor).await?;
    let Some(mut session) = visitor.session.clone() else { return Err(ApiError::Internal("no session".into()).into()) };
    session.data.oidc = Some(PendingOidc {
        tenant: tenant.slug.clone(),
        state: csrf_state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    });
    state.sessions.save(&mut session, state.session_idle).await?;
    Ok(with_cookie(crate::app::edge::see_other_url(&url), cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CallbackQuery {
    code: String,
    state: String,
    error: String,
    error_description: String,
}

async fn oidc_callback(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, PageError> {
    use openidconnect::{AuthorizationCode, Nonce, PkceCodeVerifier, TokenResponse};
    state.limiter.hit(limits::LOGIN_PER_IP, &visitor.ip).await?;
    let tenant = auth::active_tenant(&state, &slug).await?;
    let refuse = |reason: String| {
        let state = state.clone();
        let tenant = tenant.clone();
        let ip = visitor.ip.clone();
        async move {
            login_failed(&state, &tenant, &ip, "oidc", &reason).await?;
            Ok::<HttpResponse, PageError>(message(
                &state,
                400,
                "Sign-in failed",
                &[reason, format!("Go back to the sign-in page of {} and try again.", tenant.name)],
            )?)
        }
    };
    // The pending login is used up whatever happens next: a callback works once.
    let Some(mut session) = visitor.session.clone() else {
        return refuse("there is no sign-in under way in this browser".into()).await;
    };
    let Some(pending) = session.data.oidc.take() else {
        return refuse("there is no sign-in under way in this browser".into()).await;
    };
    state.sessions.save(&mut session, state.session_idle).await?;
    if pending.tenant != tenant.slug || !secrets::same(&pending.state, &query.state) {
        return refuse("the sign-in response does not match the request (state)".into()).await;
    }
    if !query.error.is_empty() {
        return refuse(format!("the identity provider refused: {} {}", query.error, query.error_description)).await;
    }
    if query.code.is_empty() {
        return refuse("the identity provider sent no code".into()).await;
    }
    let (client, settings) = oidc_client(&state, &tenant, &visitor.ip).await?;
    let request = match client.exchange_code(AuthorizationCode::new(query.code.clone())) {
        Ok(r) => r,
        Err(e) => return refuse(format!("the identity provider has no token endpoint: {e}")).await,
    };
    let token = match request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&state.http)
        .await
    {
        Ok(t) => t,
        Err(openidconnect::RequestTokenError::Request(e)) => {
            let detail = format!("token request: {}", crate::outbound::describe(&e));
            return Err(idp_unreachable(&state, &tenant, &visitor.ip, &detail).await.into());
        }
        Err(e) => return refuse(format!("the code was not accepted: {e}")).await,
    };
    let Some(id_token) = token.id_token() else {
        return refuse("the identity provider sent no ID token".into()).await;
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(c) => c,
        Err(e) => return refuse(format!("the ID token was not accepted: {e}")).await,
    };
    let Some(email) = claims.email().map(|e| e.as_str().trim().to_lowercase()) else {
        return refuse("the ID token carries no email address".into()).await;
    };
    if claims.email_verified() == Some(false) {
        return refuse("the identity provider has not verified this email address".into()).await;
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
    let domains = settings.domains();
    let tid = tenant.id.clone();
    let ip = visitor.ip.clone();
    let admitted = state
        .tenant_db(&tenant.id, move |c| {
            let user = users::by_email(c, &email)?;
            if let Some(u) = &user
                && users::membership(c, &tid, &u.id)?.is_some()
            {
                return Ok(Some(u.clone()));
            }
            let domain = email.rsplit('@').next().unwrap_or("").to_string();
            if !domains.contains(&domain) {
                return Ok(None);
            }
            // From an allowed domain: admitted as a viewer; an admin can change the role.
            let user = users::find_or_create(c, &email, &name, clock::now())?;
            let m = users::add_membership(c, &tid, &user.id, Role::Viewer, None, clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tid),
                    Some(&user.id),
                    "member_joined",
                    ("membership", Some(m.id.to_string())),
                    json!({"email": user.email, "role": "viewer", "by": "allowed_domain"}),
                    &ip,
                ),
            )?;
            Ok(Some(user))
        })
        .await?;
    match admitted {
        Some(user) => Ok(sign_in(&state, &visitor, &tenant, &user, "oidc", "").await?),
        None => refuse(format!("this account is not a member of {} and its domain is not allowed", tenant.name)).await,
    }
}

async fn logout(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    if let Some(s) = &visitor.session {
        state.sessions.delete(&s.id).await?;
        if let (Some(user), Some(tenant)) = (&s.data.user_id, &s.data.tenant_id) {
            auth::record(
                &state,
                auth::entry(
                    Some(tenant),
                    Some(user),
                    "logout",
                    ("user", Some(user.to_string())),
                    json!({}),
                    &visitor.ip,
                ),
            )
            .await?;
        }
    }
    Ok(with_cookie(see_other("/"), Some(sessions::removal(state.secure_cookies))))
}

// ---------------------------------------------------------------------------------------------
// Tenant administration

fn roles_for(selected: Role) -> Vec<serde_json::Value> {
    Role::ALL
        .iter()
        .map(|r| json!({"value": r.as_str(), "name": r.as_str().replace('_', " "), "selected": *r == selected}))
        .collect()
}

async fn users_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageMembers)?;
    let tid = access.tenant.id.clone();
    let (members, providers) = state
        .tenant_db(&access.tenant.id, move |c| {
            Ok((users::members(c, &tid)?, commissioning::list_providers(c, &tid, Page::all())?.items))
        })
        .await?;
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
struct InviteForm {
    email: String,
    name: String,
    role: String,
    provider_id: String,
    csrf: String,
}

fn parse_role(text: &str) -> Result<Role, ApiError> {
    text.parse::<Role>().map_err(|m| ApiError::bad_request(Some("role"), m))
}

fn parse_provider(text: &str) -> Result<Option<ProviderId>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse::<ProviderId>()
        .map(Some)
        .map_err(|_| ApiError::bad_request(Some("provider_id"), "no such provider in this trust"))
}

async fn invite_post(
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
    let provider = if role == Role::Provider { parse_provider(&form.provider_id)? } else { None };
    let out = Outgoing::from_state(&state);
    let tenant = access.tenant.clone();
    let actor = access.user.clone();
    let form = form.into_inner();
    let ip = visitor.ip.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let (m, user) =
                repo::invite(c, &tenant.id, &form.email, &form.name, role, provider.as_ref(), clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tenant.id),
                    Some(&actor.id),
                    "member_invited",
                    ("membership", Some(m.id.to_string())),
                    json!({"email": user.email, "role": role, "provider_id": m.provider_id}),
                    &ip,
                ),
            )?;
            let token = new_link(c, TokenPurpose::Login, &user.email, Some(&tenant.id), None, LOGIN_LINK_TTL)?;
            out.send(
                &user.email,
                "invitation",
                &format!("invite:{}", m.id),
                &json!({
                    "tenant": tenant.name, "name": user.display_name, "inviter": actor.display_name,
                    "role": role.as_str().replace('_', " "),
                    "link": format!("{}/t/{}/login/link/{token}", out.base, tenant.slug),
                    "login": format!("{}/t/{}/login", out.base, tenant.slug), "minutes": LOGIN_LINK_TTL.num_minutes(),
                }),
            )
        })
        .await?;
    Ok(see_other(&format!("/t/{slug}/admin/users")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    role: String,
    provider_id: String,
    csrf: String,
}

async fn role_post(
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
    let provider = if role == Role::Provider { parse_provider(&form.provider_id)? } else { None };
    let tid = access.tenant.id.clone();
    let actor = access.user.id.clone();
    let ip = visitor.ip.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let (before, after) = repo::set_role(c, &tid, &id, role, provider.as_ref())?;
            audit::record(
                c,
                &auth::entry(Some(&tid), Some(&actor), "role_changed", ("membership", Some(id.to_string())), json!({"user": before.user_id, "from": before.role, "to": after.role, "provider_id": after.provider_id}), &ip),
            )
        })
        .await?;
    Ok(see_other(&format!("/t/{slug}/admin/users")))
}

async fn oidc_settings_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageSettings)?;
    let tid = access.tenant.id.clone();
    let current = state.tenant_db(&access.tenant.id, move |c| repo::oidc_settings(c, &tid)).await?;
    render_oidc(&state, &access, current.as_ref(), None, None).map_err(Into::into)
}

fn render_oidc(
    state: &AppState,
    access: &Access,
    current: Option<&TenantOidc>,
    form: Option<&OidcForm>,
    error: Option<&ApiError>,
) -> Result<HttpResponse, ApiError> {
    let (message, field) = form_error(error);
    let values = match (form, current) {
        (Some(f), _) => json!({"issuer": f.issuer, "client_id": f.client_id, "allowed_domains": f.allowed_domains}),
        (None, Some(c)) => {
            json!({"issuer": c.issuer, "client_id": c.client_id, "allowed_domains": c.domains().join(", ")})
        }
        (None, None) => json!({"issuer": "", "client_id": "", "allowed_domains": ""}),
    };
    let html = state
        .templates
        .render(
            "oidc",
            &json!({
                "title": "Sign-in with your identity provider", "nav": nav(access), "slug": access.tenant.slug,
                "values": values, "configured": current.is_some(), "csrf": access.csrf(),
                "redirect_uri": state.link(&format!("/t/{}/oidc/callback", access.tenant.slug)),
                "key_missing": state.sealer.is_none(), "error": message, "error_field": field,
                "saved": form.is_some() && error.is_none(),
            }),
        )
        .map_err(internal)?;
    let status = error.map_or(actix_web::http::StatusCode::OK, actix_web::ResponseError::status_code);
    Ok(HttpResponse::build(status).content_type(header::ContentType::html()).body(html))
}

/// The checks on identity-provider settings, for every way they are saved: the fields' shape,
/// then the issuer's address as the outbound guard judges it. Returns the clean domain list.
async fn check_oidc_settings(
    state: &AppState,
    issuer: &str,
    client_id: &str,
    domains: &str,
) -> Result<String, ApiError> {
    let domains = repo::check_oidc(issuer, client_id, domains)?;
    state.http.check_issuer(issuer).await.map_err(|r| ApiError::bad_request(Some("issuer"), r.advice()))?;
    Ok(domains)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OidcForm {
    issuer: String,
    client_id: String,
    client_secret: String,
    allowed_domains: String,
    csrf: String,
}

async fn oidc_settings_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<OidcForm>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageSettings)?;
    access.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let tid = access.tenant.id.clone();
    let current = state.tenant_db(&access.tenant.id, move |c| repo::oidc_settings(c, &tid)).await?;
    let checked = check_oidc_settings(&state, &form.issuer, &form.client_id, &form.allowed_domains).await;
    let result: Result<TenantOidc, ApiError> = (|| {
        let domains = checked?;
        let sealer = state.sealer.as_ref().ok_or_else(|| {
            ApiError::Unavailable(
                "the platform has no PLATFORM_SECRET_KEY configured, so it cannot keep a client secret".into(),
            )
        })?;
        let sealed = match (form.client_secret.trim(), &current) {
            ("", Some(c)) => c.client_secret_sealed.clone(),
            ("", None) => return Err(ApiError::bad_request(Some("client_secret"), "enter the client secret")),
            (s, _) if s.len() > 500 => {
                return Err(ApiError::bad_request(Some("client_secret"), "must be at most 500 characters"));
            }
            (s, _) => sealer.seal(s, access.tenant.id.as_str()).map_err(internal)?,
        };
        Ok(TenantOidc {
            tenant_id: access.tenant.id.clone(),
            issuer: form.issuer.trim().to_string(),
            client_id: form.client_id.trim().to_string(),
            client_secret_sealed: sealed,
            allowed_domains: domains,
            updated_at: clock::now(),
            updated_by: Some(access.user.id.clone()),
        })
    })();
    let row = match result {
        Ok(r) => r,
        Err(e) => return Ok(render_oidc(&state, &access, current.as_ref(), Some(&form), Some(&e))?),
    };
    let ip = visitor.ip.clone();
    let saved = row.clone();
    let actor = access.user.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::set_oidc_settings(c, &saved)?;
            audit::record(
                c,
                &auth::entry(Some(&saved.tenant_id), Some(&actor), "oidc_settings_changed", ("tenant", Some(saved.tenant_id.to_string())), json!({"issuer": saved.issuer, "client_id": saved.client_id, "allowed_domains": saved.allowed_domains}), &ip),
            )
        })
        .await?;
    Ok(render_oidc(&state, &access, Some(&row), Some(&form), None)?)
}

async fn audit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ViewAudit)?;
    let tid = access.tenant.id.clone();
    let entries = state.tenant_db(&access.tenant.id, move |c| audit::for_tenant(c, &tid, 200)).await?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| json!({"at": e.at.format("%Y-%m-%d %H:%M:%S").to_string(), "action": e.action.replace('_', " "), "entity": e.entity_kind, "detail": e.detail, "ip": e.ip}))
        .collect();
    Ok(state.page(
        "audit",
        &json!({"title": format!("Audit log of {}", access.tenant.name), "nav": nav(&access), "entries": rows}),
    )?)
}

// ---------------------------------------------------------------------------------------------
// API tokens

fn token_rows(tokens: &[ApiToken], slug: &str) -> Vec<serde_json::Value> {
    tokens
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "created": t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                "last_used": t.last_used_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
                "revoked": t.revoked_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
                "revoke": format!("/t/{slug}/tokens/{}/revoke", t.id),
            })
        })
        .collect()
}

async fn render_tokens(state: &AppState, access: &Access, new_token: Option<String>) -> Result<HttpResponse, ApiError> {
    let tid = access.tenant.id.clone();
    let uid = access.user.id.clone();
    let tokens = state.tenant_db(&access.tenant.id, move |c| repo::api_tokens_of(c, &tid, &uid)).await?;
    state.page(
        "tokens",
        &json!({
            "title": "API tokens", "nav": nav(access), "slug": access.tenant.slug, "csrf": access.csrf(),
            "tokens": token_rows(&tokens, &access.tenant.slug), "new_token": new_token,
            "api": state.link(&format!("/api/v1/tenants/{}/contracts", access.tenant.slug)),
        }),
    )
}

async fn tokens_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    Ok(render_tokens(&state, &access, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenNameForm {
    name: String,
    csrf: String,
}

async fn token_create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    form: web::Form<TokenNameForm>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    access.check_csrf(&form.csrf)?;
    let secret = format!("cpt_{}", secrets::random_token().map_err(internal)?);
    let row = ApiToken {
        id: ApiTokenId::new(),
        tenant_id: access.tenant.id.clone(),
        user_id: access.user.id.clone(),
        name: form.name.trim().to_string(),
        token_hash: secrets::hash(&secret),
        created_at: clock::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let ip = visitor.ip.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::create_api_token(c, &row)?;
            audit::record(
                c,
                &auth::entry(
                    Some(&row.tenant_id),
                    Some(&row.user_id),
                    "api_token_created",
                    ("api_token", Some(row.id.to_string())),
                    json!({"name": row.name}),
                    &ip,
                ),
            )
        })
        .await?;
    Ok(render_tokens(&state, &access, Some(secret)).await?)
}

async fn token_revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::OwnTokens)?;
    access.check_csrf(&form.csrf)?;
    let id: ApiTokenId = id.parse().map_err(|_| ApiError::NotFound("no such token".into()))?;
    let tid = access.tenant.id.clone();
    let uid = access.user.id.clone();
    let ip = visitor.ip.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let t = repo::revoke_api_token(c, &tid, &uid, &id, clock::now())?;
            audit::record(
                c,
                &auth::entry(
                    Some(&tid),
                    Some(&uid),
                    "api_token_revoked",
                    ("api_token", Some(t.id.to_string())),
                    json!({"name": t.name}),
                    &ip,
                ),
            )
        })
        .await?;
    Ok(see_other(&format!("/t/{slug}/tokens")))
}
