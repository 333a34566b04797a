//! People and their memberships of tenants.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::{MembershipId, ProviderId, TenantId, UserId};
use crate::models::{Membership, Role, User};
use crate::schema::{memberships, users};

/// Finds a user by email (case-insensitively) or creates one.
pub fn find_or_create(conn: &mut DbConnection, email: &str, display_name: &str, now: NaiveDateTime) -> DbResult<User> {
    let email = email.trim().to_lowercase();
    validate::email("email", &email)?;
    validate::name("display_name", display_name, 200)?;
    conn.transaction(|conn| {
        if let Some(user) = by_email(conn, &email)? {
            return Ok(user);
        }
        let user = User {
            id: UserId::derived(&format!("user:{email}")),
            email,
            display_name: display_name.trim().to_string(),
            is_operator: false,
            created_at: now,
        };
        diesel::insert_into(users::table).values(&user).execute(conn)?;
        Ok(user)
    })
}

pub fn by_email(conn: &mut DbConnection, email: &str) -> DbResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Gives a user a role in a tenant. A provider role must name the tenant's provider it is bound to.
pub fn add_membership(
    conn: &mut DbConnection,
    tenant: &TenantId,
    user: &UserId,
    role: Role,
    provider: Option<&ProviderId>,
    now: NaiveDateTime,
) -> DbResult<Membership> {
    if (role == Role::Provider) != provider.is_some() {
        return Err(DbError::invalid(
            "provider_id",
            "a provider membership names exactly one provider; other roles name none",
        ));
    }
    let display_name: String = users::table.find(user).select(users::display_name).first(conn)?;
    let row = Membership {
        id: MembershipId::new(),
        tenant_id: tenant.clone(),
        user_id: user.clone(),
        role,
        provider_id: provider.cloned(),
        created_at: now,
        display_name,
    };
    diesel::insert_into(memberships::table).values(&row).execute(conn)?;
    Ok(row)
}

pub fn membership(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<Option<Membership>> {
    Ok(memberships::table
        .filter(memberships::tenant_id.eq(tenant))
        .filter(memberships::user_id.eq(user))
        .select(Membership::as_select())
        .first(conn)
        .optional()?)
}

/// The name a trust shows for one of its members (see [`Membership::display_name`]).
pub fn set_member_name(conn: &mut DbConnection, tenant: &TenantId, user: &UserId, name: &str) -> DbResult<()> {
    validate::name("name", name, 200)?;
    diesel::update(memberships::table.filter(memberships::tenant_id.eq(tenant)).filter(memberships::user_id.eq(user)))
        .set(memberships::display_name.eq(name.trim()))
        .execute(conn)?;
    Ok(())
}

/// The person signed in to this trust: from now on it knows them by their own name.
pub fn joined(conn: &mut DbConnection, tenant: &TenantId, user: &UserId) -> DbResult<()> {
    let own: String = users::table.find(user).select(users::display_name).first(conn)?;
    set_member_name(conn, tenant, user, &own)
}

/// The members of one tenant with their user rows, by the name the trust knows them by.
pub fn members(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<(Membership, User)>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::tenant_id.eq(tenant))
        .order(memberships::display_name.asc())
        .select((Membership::as_select(), User::as_select()))
        .load(conn)?)
}
