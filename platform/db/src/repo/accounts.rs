//! Accounts: councils signing up and being approved, one-time email links, per-tenant OIDC
//! settings, API tokens, roles, and sessions kept in the database when there is no Redis.
//! Secrets arrive here already hashed or sealed; nothing in this module sees a raw token.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::{tenants, users, validate};
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::{ApiTokenId, MembershipId, ProviderId, SignupId, TenantId, UserId};
use crate::models::{
    ApiToken, EmailToken, Membership, Role, Signup, SignupStatus, Tenant, TenantOidc, TenantStatus, TokenPurpose, User,
};
use crate::schema::{
    api_tokens, email_tokens, memberships, providers, sessions, signups, tenant_oidc, users as users_t,
};

/// What a council sends to sign up. `framework` is an approved plugin id.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignup {
    pub council_name: String,
    pub ons_code: String,
    pub region: String,
    pub admin_name: String,
    pub admin_email: String,
    pub framework: String,
}

/// Checks a sign-up and records it, awaiting the admin's email confirmation. The framework is
/// pinned to the newest approved version of the plugin at this moment.
pub fn create_signup(conn: &mut DbConnection, new: &NewSignup, now: NaiveDateTime) -> DbResult<Signup> {
    validate::name("council_name", &new.council_name, 200)?;
    validate::ons_code(new.ons_code.trim())?;
    validate::region(&new.region)?;
    validate::name("admin_name", &new.admin_name, 200)?;
    let email = new.admin_email.trim().to_lowercase();
    validate::email("admin_email", &email)?;
    validate::slug_named("framework", new.framework.trim())?;
    let ons_code = new.ons_code.trim().to_string();
    conn.transaction(|conn| {
        let version = super::plugins::newest_approved(conn, new.framework.trim())?
            .ok_or_else(|| DbError::invalid("framework", "must be the id of an approved framework plugin"))?;
        if tenants::by_ons_code(conn, &ons_code)?.is_some() {
            return Err(DbError::Taken {
                field: "ons_code",
                message: format!("a council with ONS code {ons_code} is already on the platform"),
            });
        }
        let council = new.council_name.trim();
        let open_names: Vec<String> = signups::table
            .filter(signups::status.eq_any([SignupStatus::AwaitingEmail, SignupStatus::AwaitingApproval]))
            .select(signups::council_name)
            .load(conn)?;
        if tenants::name_taken(conn, council)?
            || open_names.iter().any(|n| n.trim().to_lowercase() == council.to_lowercase())
        {
            return Err(DbError::Taken {
                field: "council_name",
                message: format!("a trust called {council} is already on the platform or has signed up"),
            });
        }
        let open: i64 = signups::table
            .filter(signups::ons_code.eq(&ons_code))
            .filter(signups::status.ne(SignupStatus::Rejected))
            .count()
            .get_result(conn)?;
        if open > 0 {
            return Err(DbError::Taken {
                field: "ons_code",
                message: format!("a council with ONS code {ons_code} has already signed up"),
            });
        }
        let base = slug_for(&new.council_name);
        let mut slug = base.clone();
        let mut n = 2;
        while slug_taken(conn, &slug)? {
            slug = format!("{base}-{n}");
            n += 1;
        }
        let row = Signup {
            id: SignupId::new(),
            council_name: new.council_name.trim().to_string(),
            ons_code: ons_code.clone(),
            region: new.region.clone(),
            admin_name: new.admin_name.trim().to_string(),
            admin_email: email.clone(),
            plugin_id: new.framework.trim().to_string(),
            plugin_version: version,
            slug,
            status: SignupStatus::AwaitingEmail,
            tenant_id: None,
            created_at: now,
            email_confirmed_at: None,
            decided_at: None,
            decided_by: None,
        };
        diesel::insert_into(signups::table).values(&row).execute(conn).map_err(|e| match DbError::from(e) {
            // Two sign-ups racing for one council: the unique index decides.
            DbError::Conflict(_) => {
                DbError::invalid("ons_code", format!("a council with ONS code {ons_code} has already signed up"))
            }
            other => other,
        })?;
        Ok(row)
    })
}

fn slug_taken(conn: &mut DbConnection, slug: &str) -> DbResult<bool> {
    if tenants::by_slug(conn, slug)?.is_some() {
        return Ok(true);
    }
    let open: i64 = signups::table
        .filter(signups::slug.eq(slug))
        .filter(signups::status.eq_any([SignupStatus::AwaitingEmail, SignupStatus::AwaitingApproval]))
        .count()
        .get_result(conn)?;
    Ok(open > 0)
}

/// The open sign-up (awaiting approval) that will get this slug.
pub fn signup_by_slug(conn: &mut DbConnection, slug: &str) -> DbResult<Signup> {
    Ok(signups::table
        .filter(signups::slug.eq(slug))
        .filter(signups::status.eq_any([SignupStatus::AwaitingEmail, SignupStatus::AwaitingApproval]))
        .select(Signup::as_select())
        .first(conn)?)
}

pub fn signup(conn: &mut DbConnection, id: &SignupId) -> DbResult<Signup> {
    Ok(signups::table.find(id).select(Signup::as_select()).first(conn)?)
}

/// Sign-ups in the given states, oldest first.
pub fn signups_in(conn: &mut DbConnection, states: &[SignupStatus]) -> DbResult<Vec<Signup>> {
    Ok(signups::table
        .filter(signups::status.eq_any(states.to_vec()))
        .order((signups::created_at.asc(), signups::id.asc()))
        .select(Signup::as_select())
        .load(conn)?)
}

/// The admin clicked the confirmation link: the sign-up now waits for an operator.
pub fn confirm_signup_email(conn: &mut DbConnection, id: &SignupId, now: NaiveDateTime) -> DbResult<Signup> {
    let changed = diesel::update(signups::table.find(id).filter(signups::status.eq(SignupStatus::AwaitingEmail)))
        .set((signups::status.eq(SignupStatus::AwaitingApproval), signups::email_confirmed_at.eq(now)))
        .execute(conn)?;
    let row = signup(conn, id)?;
    if changed == 0 && row.status != SignupStatus::AwaitingApproval {
        return Err(DbError::Conflict(format!("this sign-up is already {}", row.status.as_str().replace('_', " "))));
    }
    Ok(row)
}

/// A slug from the council's name: "Borough of Example Council" → "example".
pub fn slug_for(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                *w,
                "council" | "borough" | "county" | "city" | "of" | "the" | "metropolitan" | "district" | "london"
            )
        })
        .map(str::to_string)
        .collect();
    let mut slug = words.join("-");
    if slug.is_empty() {
        slug = "council".into();
    }
    slug.truncate(50);
    slug.trim_end_matches('-').to_string()
}

/// An operator approves a confirmed sign-up: the tenant is created active with its framework
/// pinned, and the admin becomes its first tenant admin. All or nothing.
pub fn approve_signup(
    conn: &mut DbConnection,
    id: &SignupId,
    operator: Option<&UserId>,
    now: NaiveDateTime,
) -> DbResult<(Tenant, User, Signup)> {
    conn.transaction(|conn| {
        let row = signup(conn, id)?;
        if row.status != SignupStatus::AwaitingApproval {
            return Err(DbError::Conflict(match row.status {
                SignupStatus::AwaitingEmail => "the admin has not confirmed their email address yet".into(),
                other => format!("this sign-up is already {}", other.as_str().replace('_', " ")),
            }));
        }
        if tenants::by_slug(conn, &row.slug)?.is_some() {
            return Err(DbError::Conflict(format!("the slug {} is taken by another trust", row.slug)));
        }
        if tenants::name_taken(conn, &row.council_name)? {
            return Err(DbError::Conflict(format!("a trust called {} is already on the platform", row.council_name)));
        }
        let slug = row.slug.clone();
        let tenant = tenants::create(
            conn,
            TenantId::new(),
            &tenants::NewTenant {
                slug,
                name: row.council_name.clone(),
                ons_code: row.ons_code.clone(),
                region: row.region.clone(),
                status: TenantStatus::Active,
                plugin_id: Some(row.plugin_id.clone()),
                plugin_version: Some(row.plugin_version.clone()),
            },
            now,
        )?;
        let user = users::find_or_create(conn, &row.admin_email, &row.admin_name, now)?;
        users::add_membership(conn, &tenant.id, &user.id, Role::TenantAdmin, None, now)?;
        diesel::update(signups::table.find(id))
            .set((
                signups::status.eq(SignupStatus::Approved),
                signups::tenant_id.eq(&tenant.id),
                signups::decided_at.eq(now),
                signups::decided_by.eq(operator),
            ))
            .execute(conn)?;
        let row = signup(conn, id)?;
        Ok((tenant, user, row))
    })
}

pub fn reject_signup(
    conn: &mut DbConnection,
    id: &SignupId,
    operator: Option<&UserId>,
    now: NaiveDateTime,
) -> DbResult<Signup> {
    let changed = diesel::update(
        signups::table
            .find(id)
            .filter(signups::status.eq_any([SignupStatus::AwaitingEmail, SignupStatus::AwaitingApproval])),
    )
    .set((signups::status.eq(SignupStatus::Rejected), signups::decided_at.eq(now), signups::decided_by.eq(operator)))
    .execute(conn)?;
    let row = signup(conn, id)?;
    if changed == 0 {
        return Err(DbError::Conflict(format!("this sign-up is already {}", row.status.as_str().replace('_', " "))));
    }
    Ok(row)
}

/// Records a one-time link (its hash) valid until `expires_at`.
pub fn create_email_token(conn: &mut DbConnection, token: &EmailToken) -> DbResult<()> {
    diesel::insert_into(email_tokens::table).values(token).execute(conn)?;
    Ok(())
}

/// Why a one-time link was not accepted. The page shows the same words for each, bar expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Unknown,
    Used,
    Expired,
}

/// Uses a link up: at most one caller ever gets `Ok` for a given link (the update is
/// conditional on it being unused and unexpired).
pub fn consume_email_token(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: TokenPurpose,
    tenant: Option<&TenantId>,
    now: NaiveDateTime,
) -> DbResult<Result<EmailToken, LinkRefusal>> {
    conn.transaction(|conn| {
        let found: Option<EmailToken> = email_tokens::table
            .find(token_hash)
            .filter(email_tokens::purpose.eq(purpose))
            .select(EmailToken::as_select())
            .first(conn)
            .optional()?;
        let Some(token) = found else { return Ok(Err(LinkRefusal::Unknown)) };
        if token.tenant_id.as_ref() != tenant {
            return Ok(Err(LinkRefusal::Unknown));
        }
        if token.used_at.is_some() {
            return Ok(Err(LinkRefusal::Used));
        }
        if token.expires_at <= now {
            return Ok(Err(LinkRefusal::Expired));
        }
        let changed = diesel::update(
            email_tokens::table
                .find(token_hash)
                .filter(email_tokens::used_at.is_null())
                .filter(email_tokens::expires_at.gt(now)),
        )
        .set(email_tokens::used_at.eq(now))
        .execute(conn)?;
        if changed == 0 {
            return Ok(Err(LinkRefusal::Used));
        }
        Ok(Ok(EmailToken { used_at: Some(now), ..token }))
    })
}

/// Whether a link is still usable, without using it (the page before the button).
pub fn peek_email_token(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: TokenPurpose,
    tenant: Option<&TenantId>,
    now: NaiveDateTime,
) -> DbResult<Result<EmailToken, LinkRefusal>> {
    let found: Option<EmailToken> = email_tokens::table
        .find(token_hash)
        .filter(email_tokens::purpose.eq(purpose))
        .select(EmailToken::as_select())
        .first(conn)
        .optional()?;
    Ok(match found {
        None => Err(LinkRefusal::Unknown),
        Some(t) if t.tenant_id.as_ref() != tenant => Err(LinkRefusal::Unknown),
        Some(t) if t.used_at.is_some() => Err(LinkRefusal::Used),
        Some(t) if t.expires_at <= now => Err(LinkRefusal::Expired),
        Some(t) => Ok(t),
    })
}

/// Validates an issuer URL, client id and domains; the sealed secret is the caller's.
pub fn check_oidc(issuer: &str, client_id: &str, domains: &str) -> DbResult<String> {
    let url = url::Url::parse(issuer.trim()).map_err(|_| {
        DbError::invalid(
            "issuer",
            "must be the identity provider's issuer URL, such as https://login.microsoftonline.com/…/v2.0",
        )
    })?;
    // Only the shape here. Whether plain http may be used and which addresses are refused is
    // the server's outbound guard's call: it knows the hosts the operator allows, and it resolves
    // the name (`check_oidc_settings` in the server runs both).
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Err(DbError::invalid("issuer", "must be an https:// address"));
    }
    validate::text("client_id", client_id, 200)?;
    let mut clean = Vec::new();
    for d in domains.split([',', ' ', '\n']).map(|d| d.trim().trim_start_matches('@').to_lowercase()) {
        if d.is_empty() {
            continue;
        }
        let ok = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && d.len() <= 253
            && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !ok {
            return Err(DbError::invalid("allowed_domains", format!("{d:?} is not a domain such as kent.gov.uk")));
        }
        if !clean.contains(&d) {
            clean.push(d);
        }
    }
    Ok(clean.join(","))
}

pub fn oidc_settings(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Option<TenantOidc>> {
    Ok(tenant_oidc::table.find(tenant).select(TenantOidc::as_select()).first(conn).optional()?)
}

/// Saves a tenant's OIDC settings (replacing earlier ones).
pub fn set_oidc_settings(conn: &mut DbConnection, row: &TenantOidc) -> DbResult<()> {
    conn.transaction(|conn| {
        let exists = oidc_settings(conn, &row.tenant_id)?.is_some();
        if exists {
            diesel::update(tenant_oidc::table.find(&row.tenant_id)).set(row).execute(conn)?;
        } else {
            diesel::insert_into(tenant_oidc::table).values(row).execute(conn)?;
        }
        Ok(())
    })
}

pub fn create_api_token(conn: &mut DbConnection, row: &ApiToken) -> DbResult<()> {
    validate::name("name", &row.name, 100)?;
    diesel::insert_into(api_tokens::table).values(row).execute(conn)?;
    Ok(())
}

/// How stale a token's "last used" may grow before a use records it again: a token used by a
/// busy program is not written on every request (the tokens page shows the minute).
pub const TOKEN_USE_RESOLUTION_SECONDS: i64 = 60;

/// The live (unrevoked) token of this tenant with this hash, and marks it used (at most once
/// a [`TOKEN_USE_RESOLUTION_SECONDS`], so that reading with a token is not a write each time).
pub fn use_api_token(
    conn: &mut DbConnection,
    tenant: &TenantId,
    token_hash: &str,
    now: NaiveDateTime,
) -> DbResult<Option<ApiToken>> {
    let found: Option<ApiToken> = api_tokens::table
        .filter(api_tokens::tenant_id.eq(tenant))
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?;
    let fresh = |t: &ApiToken| {
        t.last_used_at.is_some_and(|at| (now - at).num_seconds() < TOKEN_USE_RESOLUTION_SECONDS && at <= now)
    };
    if let Some(t) = found.as_ref().filter(|t| !fresh(t)) {
        diesel::update(api_tokens::table.filter(api_tokens::tenant_id.eq(tenant)).filter(api_tokens::id.eq(&t.id)))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)?;
    }
    Ok(found)
}

/// Whether a token (by hash) is live in any tenant. Platform scope: used only to tell "a token
/// of another trust" (not found) from "no such token" (sign in).
pub fn api_token_is_live(conn: &mut DbConnection, token_hash: &str) -> DbResult<bool> {
    let n: i64 = api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One user's tokens in one tenant, newest first.
pub fn api_tokens_of(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<Vec<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::tenant_id.eq(tenant))
        .filter(api_tokens::user_id.eq(user))
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Revokes one of the user's own tokens in this tenant. NotFound for anyone else's.
pub fn revoke_api_token(
    conn: &mut DbConnection,
    tenant: &TenantId,
    user: &UserId,
    id: &ApiTokenId,
    now: NaiveDateTime,
) -> DbResult<ApiToken> {
    let changed = diesel::update(
        api_tokens::table
            .filter(api_tokens::tenant_id.eq(tenant))
            .filter(api_tokens::user_id.eq(user))
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(api_tokens::table
        .filter(api_tokens::tenant_id.eq(tenant))
        .filter(api_tokens::id.eq(id))
        .select(ApiToken::as_select())
        .first(conn)?)
}

/// One membership of this tenant by id, with its user. NotFound for another tenant's.
pub fn member(conn: &mut DbConnection, tenant: &TenantId, id: &MembershipId) -> DbResult<(Membership, User)> {
    Ok(memberships::table
        .inner_join(users_t::table)
        .filter(memberships::tenant_id.eq(tenant))
        .filter(memberships::id.eq(id))
        .select((Membership::as_select(), User::as_select()))
        .first(conn)?)
}

/// Checks that a provider id names one of this tenant's providers.
fn check_provider(
    conn: &mut DbConnection,
    tenant: &TenantId,
    role: Role,
    provider: Option<&ProviderId>,
) -> DbResult<()> {
    if (role == Role::Provider) != provider.is_some() {
        return Err(DbError::invalid(
            "provider_id",
            "the provider role is bound to exactly one provider; other roles name none",
        ));
    }
    if let Some(p) = provider {
        let found: i64 = providers::table
            .filter(providers::tenant_id.eq(tenant))
            .filter(providers::id.eq(p))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(DbError::invalid("provider_id", "no such provider in this trust"));
        }
    }
    Ok(())
}

/// Invites someone to a tenant with a role: the user is created if new. Refused if they are
/// already a member.
pub fn invite(
    conn: &mut DbConnection,
    tenant: &TenantId,
    email: &str,
    display_name: &str,
    role: Role,
    provider: Option<&ProviderId>,
    now: NaiveDateTime,
) -> DbResult<(Membership, User)> {
    conn.transaction(|conn| {
        check_provider(conn, tenant, role, provider)?;
        let email = email.trim().to_lowercase();
        validate::email("email", &email)?;
        let name = if display_name.trim().is_empty() {
            email.split('@').next().unwrap_or(&email).to_string()
        } else {
            validate::name("name", display_name, 200)?;
            display_name.trim().to_string()
        };
        let user = users::find_or_create(conn, &email, &name, now)?;
        if users::membership(conn, tenant, &user.id)?.is_some() {
            return Err(DbError::invalid("email", format!("{} is already a member of this trust", user.email)));
        }
        // The trust knows the person by the name it typed until they sign in to it; the name
        // an account carries from another trust is never shown here.
        users::add_membership(conn, tenant, &user.id, role, provider, now)?;
        users::set_member_name(conn, tenant, &user.id, &name)?;
        let m = users::membership(conn, tenant, &user.id)?.ok_or(DbError::NotFound)?;
        Ok((m, User { display_name: name, ..user }))
    })
}

/// Changes a member's role (and, for the provider role, the provider it is bound to). A trust
/// keeps at least one tenant admin.
pub fn set_role(
    conn: &mut DbConnection,
    tenant: &TenantId,
    id: &MembershipId,
    role: Role,
    provider: Option<&ProviderId>,
) -> DbResult<(Membership, Membership)> {
    conn.transaction(|conn| {
        let (before, _) = member(conn, tenant, id)?;
        check_provider(conn, tenant, role, provider)?;
        if before.role == Role::TenantAdmin && role != Role::TenantAdmin {
            let admins: i64 = memberships::table
                .filter(memberships::tenant_id.eq(tenant))
                .filter(memberships::role.eq(Role::TenantAdmin))
                .count()
                .get_result(conn)?;
            if admins <= 1 {
                return Err(DbError::invalid("role", "a trust needs at least one tenant admin"));
            }
        }
        diesel::update(memberships::table.filter(memberships::tenant_id.eq(tenant)).filter(memberships::id.eq(id)))
            .set((memberships::role.eq(role), memberships::provider_id.eq(provider)))
            .execute(conn)?;
        let (after, _) = member(conn, tenant, id)?;
        Ok((before, after))
    })
}

/// Makes a user a platform operator (created if new).
pub fn make_operator(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> DbResult<User> {
    conn.transaction(|conn| {
        let name = email.split('@').next().unwrap_or(email).to_string();
        let user = users::find_or_create(conn, email, &name, now)?;
        diesel::update(users_t::table.find(&user.id)).set(users_t::is_operator.eq(true)).execute(conn)?;
        Ok(User { is_operator: true, ..user })
    })
}

pub fn user(conn: &mut DbConnection, id: &UserId) -> DbResult<User> {
    Ok(users_t::table.find(id).select(User::as_select()).first(conn)?)
}

/// A stored session (database store): its JSON, if it has not expired.
pub fn session_get(conn: &mut DbConnection, id_hash: &str, now: NaiveDateTime) -> DbResult<Option<String>> {
    Ok(sessions::table
        .find(id_hash)
        .filter(sessions::expires_at.gt(now))
        .select(sessions::data)
        .first(conn)
        .optional()?)
}

pub fn session_put(
    conn: &mut DbConnection,
    id_hash: &str,
    user: Option<&UserId>,
    data: &str,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    conn.transaction(|conn| {
        let changed = diesel::update(sessions::table.find(id_hash))
            .set((sessions::user_id.eq(user), sessions::data.eq(data), sessions::expires_at.eq(expires_at)))
            .execute(conn)?;
        if changed == 0 {
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id_hash.eq(id_hash),
                    sessions::user_id.eq(user),
                    sessions::data.eq(data),
                    sessions::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn session_delete(conn: &mut DbConnection, id_hash: &str) -> DbResult<()> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub fn session_purge(conn: &mut DbConnection, now: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?)
}
