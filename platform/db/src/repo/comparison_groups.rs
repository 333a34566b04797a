//! A trust's own comparison groups: DfE authority codes it compares itself against, as it does
//! against its statistical neighbours.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::validate;
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::TenantId;
use crate::schema::comparison_groups;

/// At most this many authorities in a group (there are about 150 in England).
pub const MOST_MEMBERS: usize = 160;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = comparison_groups)]
pub struct Group {
    pub id: String,
    pub tenant_id: TenantId,
    pub name: String,
    /// DfE's three-digit codes, comma-separated.
    pub members: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Group {
    /// The members' DfE codes, in the order chosen.
    pub fn codes(&self) -> Vec<String> {
        self.members.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect()
    }
}

/// Checks a group's name and members: the members must be known authorities (`known`).
pub fn check(name: &str, members: &[String], known: &dyn Fn(&str) -> bool) -> DbResult<()> {
    validate::name("name", name, 120)?;
    if members.is_empty() {
        return Err(DbError::invalid("members", "choose at least one authority"));
    }
    if members.len() > MOST_MEMBERS {
        return Err(DbError::invalid("members", format!("choose at most {MOST_MEMBERS} authorities")));
    }
    if let Some(bad) = members.iter().find(|m| !known(m)) {
        return Err(DbError::invalid("members", format!("{bad:?} is not a DfE authority code")));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = members.iter().find(|m| !seen.insert(m.as_str())) {
        return Err(DbError::invalid("members", format!("{twice} is chosen twice")));
    }
    Ok(())
}

pub fn list(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<Group>> {
    Ok(comparison_groups::table
        .filter(comparison_groups::tenant_id.eq(tenant))
        .order(comparison_groups::name.asc())
        .select(Group::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, tenant: &TenantId, id: &str) -> DbResult<Option<Group>> {
    Ok(comparison_groups::table
        .filter(comparison_groups::tenant_id.eq(tenant))
        .filter(comparison_groups::id.eq(id))
        .select(Group::as_select())
        .first(conn)
        .optional()?)
}

fn name_taken(conn: &mut DbConnection, tenant: &TenantId, name: &str, other_than: &str) -> DbResult<bool> {
    let n: i64 = comparison_groups::table
        .filter(comparison_groups::tenant_id.eq(tenant))
        .filter(comparison_groups::name.eq(name))
        .filter(comparison_groups::id.ne(other_than))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert(conn: &mut DbConnection, group: &Group) -> DbResult<()> {
    if name_taken(conn, &group.tenant_id, &group.name, &group.id)? {
        return Err(DbError::Taken { field: "name", message: "the trust already has a group of this name".into() });
    }
    diesel::insert_into(comparison_groups::table).values(group).execute(conn)?;
    Ok(())
}

/// Saves a changed group if it is still at `version`; the saved group, or `Stale`.
pub fn update(conn: &mut DbConnection, group: &Group, version: i32) -> DbResult<Group> {
    if name_taken(conn, &group.tenant_id, &group.name, &group.id)? {
        return Err(DbError::Taken { field: "name", message: "the trust already has a group of this name".into() });
    }
    let mut next = group.clone();
    next.version = version + 1;
    let n = diesel::update(
        comparison_groups::table
            .filter(comparison_groups::tenant_id.eq(&group.tenant_id))
            .filter(comparison_groups::id.eq(&group.id))
            .filter(comparison_groups::version.eq(version)),
    )
    .set(&next)
    .execute(conn)?;
    if n == 0 {
        return match get(conn, &group.tenant_id, &group.id)? {
            Some(now) => Err(DbError::Stale { current: now.version }),
            None => Err(DbError::NotFound),
        };
    }
    Ok(next)
}

pub fn delete(conn: &mut DbConnection, tenant: &TenantId, id: &str) -> DbResult<bool> {
    Ok(diesel::delete(
        comparison_groups::table.filter(comparison_groups::tenant_id.eq(tenant)).filter(comparison_groups::id.eq(id)),
    )
    .execute(conn)?
        > 0)
}
