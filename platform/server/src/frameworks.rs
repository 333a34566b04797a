//! Tenants' frameworks: the built-in plugins registered (after the conformance suite) on first
//! start, the founding trusts pinned to theirs, and every pinned version loaded from the
//! registry. A pinned version that cannot load is remembered, reported by `/readyz`, and makes
//! that tenant's framework calls fail with a typed error, never anyone else's.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;
use platform_db::conn::DbConnection;
use platform_db::models::{AuditEntry, Tenant};
use platform_db::repo::{audit, plugins as registry, tenants};
use platform_db::{AuditId, DbError};
use platform_plugins::conformance;
use platform_plugins::{Plugin, PluginError, PluginHost, component_sha256};

pub struct Frameworks {
    pub host: Arc<PluginHost>,
    loaded: RwLock<BTreeMap<(String, String), Arc<Plugin>>>,
    failed: RwLock<BTreeMap<(String, String), String>>,
}

impl std::fmt::Debug for Frameworks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frameworks").finish_non_exhaustive()
    }
}

/// The founding trusts and the built-in framework each is pinned to on first start.
const FOUNDING: [&str; 5] = ["durham", "central-bedfordshire", "sunderland", "kent", "southwark"];

impl Frameworks {
    pub fn new(host: Arc<PluginHost>) -> Frameworks {
        Frameworks { host, loaded: RwLock::default(), failed: RwLock::default() }
    }

    /// Registers each built-in framework version the registry lacks, after it passes the
    /// conformance suite. A registered version is never replaced.
    pub fn register_builtins(
        &self,
        conn: &mut DbConnection,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> anyhow::Result<Vec<String>> {
        let registered = registry::list(conn)?;
        let mut added = Vec::new();
        for artifact in plugin_artifacts::FRAMEWORKS {
            // Bytes already in the registry passed the suite when they were registered.
            if registered.iter().any(|r| r.sha256 == component_sha256(artifact.bytes)) {
                continue;
            }
            let (report, plugin) = conformance::run(&self.host, artifact.bytes, today);
            let Some(plugin) = plugin else {
                anyhow::bail!(
                    "built-in plugin {} is not conformant: {}",
                    artifact.id,
                    report.render().replace('\n', "; ")
                );
            };
            if registered.iter().any(|r| r.id == plugin.id() && r.version == plugin.version()) {
                tracing::warn!(
                    plugin = %format!("{}@{}", plugin.id(), plugin.version()),
                    "the built-in component differs from the registered one; the registered one is used (a change needs a new version)"
                );
            } else {
                store(conn, artifact.bytes, &plugin, AddedBy::BuiltIn, now)?;
                added.push(format!("{}@{}", plugin.id(), plugin.version()));
            }
        }
        Ok(added)
    }

    /// Pins each founding trust without a framework to its own built-in one.
    pub fn pin_founding_trusts(&self, conn: &mut DbConnection, now: NaiveDateTime) -> anyhow::Result<()> {
        for slug in FOUNDING {
            let Some(tenant) = tenants::by_slug(conn, slug)? else { continue };
            if tenant.plugin_id.is_some() {
                continue;
            }
            if let Some(version) = registry::newest_approved(conn, slug)? {
                pin(conn, &tenant, slug, &version, None, now)?;
            }
        }
        Ok(())
    }

    /// Loads every pinned version from the registry; failures are remembered, not fatal.
    pub fn load_pinned(&self, conn: &mut DbConnection) -> anyhow::Result<()> {
        for (id, version) in registry::pinned(conn)? {
            let key = (id.clone(), version.clone());
            if self.loaded.read().is_ok_and(|l| l.contains_key(&key)) {
                continue;
            }
            let result = match registry::get(conn, &id, &version)? {
                None => Err(PluginError::NotFound(format!("{id}@{version} is pinned but not registered"))),
                Some(row) => self.host.load(&row.component).and_then(|p| {
                    if p.id() == id && p.version() == version {
                        Ok(p)
                    } else {
                        Err(PluginError::Incompatible(format!(
                            "the stored component describes itself as {}@{}",
                            p.id(),
                            p.version()
                        )))
                    }
                }),
            };
            match result {
                Ok(p) => {
                    if let Ok(mut l) = self.loaded.write() {
                        l.insert(key.clone(), Arc::new(p));
                    }
                    if let Ok(mut f) = self.failed.write() {
                        f.remove(&key);
                    }
                }
                Err(e) => {
                    tracing::error!(plugin = %format!("{id}@{version}"), error = %e, "a pinned plugin cannot load");
                    if let Ok(mut f) = self.failed.write() {
                        f.insert(key, e.to_string());
                    }
                }
            }
        }
        Ok(())
    }

    /// The tenant's framework, or the typed reason there is none.
    pub fn for_tenant(&self, tenant: &Tenant) -> Result<Arc<Plugin>, PluginError> {
        let (Some(id), Some(version)) = (&tenant.plugin_id, &tenant.plugin_version) else {
            return Err(PluginError::NotFound(format!("{} has no framework pinned", tenant.slug)));
        };
        let key = (id.clone(), version.clone());
        if let Some(p) = self.loaded.read().ok().and_then(|l| l.get(&key).cloned()) {
            return Ok(p);
        }
        let reason = self.failed.read().ok().and_then(|f| f.get(&key).cloned());
        Err(PluginError::Incompatible(reason.unwrap_or_else(|| format!("{id}@{version} is not loaded"))))
    }

    /// Pinned versions that could not load, for readiness.
    pub fn failures(&self) -> Vec<String> {
        self.failed.read().map(|f| f.iter().map(|((i, v), e)| format!("{i}@{v}: {e}")).collect()).unwrap_or_default()
    }
}

/// Who registers a plugin version, and whether it is approved at once.
#[derive(Debug, Clone, Copy)]
pub enum AddedBy<'a> {
    /// Shipped with this release, already approved.
    BuiltIn,
    /// An operator added it; it waits for an operator's approval before councils see it.
    Operator(&'a str),
}

/// Stores a conformant plugin in the registry, recording who added it.
pub fn store(
    conn: &mut DbConnection,
    bytes: &[u8],
    plugin: &Plugin,
    by: AddedBy<'_>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let (added_by, approved) = match by {
        AddedBy::BuiltIn => ("built-in", true),
        AddedBy::Operator(who) => (who, false),
    };
    conn.transaction(|conn| {
        registry::insert(
            conn,
            &registry::PluginRow {
                id: plugin.id().to_string(),
                version: plugin.version().to_string(),
                // The contract the component implements, which may be older than the host's newest.
                wit_version: plugin.wit_version().to_string(),
                name: plugin.framework.name.clone(),
                sha256: plugin.sha256.clone(),
                size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                component: bytes.to_vec(),
                approved_at: now,
                approved_by: approved.then(|| added_by.to_string()),
                added_by: Some(added_by.to_string()),
                approved,
            },
        )?;
        audit::record(
            conn,
            &AuditEntry {
                id: AuditId::new(),
                tenant_id: None,
                actor_user_id: None,
                action: "plugin.registered".into(),
                entity_kind: "plugin".into(),
                entity_id: Some(format!("{}@{}", plugin.id(), plugin.version())),
                detail: serde_json::json!({"sha256": plugin.sha256, "by": added_by, "approved": approved}).to_string(),
                ip: None,
                at: now,
            },
        )
    })
}

/// An operator approves an added version, with an audit entry, in one transaction.
pub fn approve(conn: &mut DbConnection, id: &str, version: &str, by: &str, now: NaiveDateTime) -> Result<(), DbError> {
    conn.transaction(|conn| {
        registry::approve(conn, id, version, by, now)?;
        audit::record(
            conn,
            &AuditEntry {
                id: AuditId::new(),
                tenant_id: None,
                actor_user_id: None,
                action: "plugin.approved".into(),
                entity_kind: "plugin".into(),
                entity_id: Some(format!("{id}@{version}")),
                detail: serde_json::json!({"by": by}).to_string(),
                ip: None,
                at: now,
            },
        )
    })
}

/// Pins a tenant to a registered version, with an audit entry, in one transaction.
pub fn pin(
    conn: &mut DbConnection,
    tenant: &Tenant,
    id: &str,
    version: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    conn.transaction(|conn| {
        registry::pin(conn, &tenant.id, id, version)?;
        audit::record(
            conn,
            &AuditEntry {
                id: AuditId::new(),
                tenant_id: Some(tenant.id.clone()),
                actor_user_id: None,
                action: "plugin.version_changed".into(),
                entity_kind: "tenant".into(),
                entity_id: Some(tenant.id.to_string()),
                detail: serde_json::json!({
                    "from": tenant.plugin_id.as_ref().map(|i| format!("{i}@{}", tenant.plugin_version.clone().unwrap_or_default())),
                    "to": format!("{id}@{version}"),
                    "by": by,
                })
                .to_string(),
                ip: None,
                at: now,
            },
        )
    })
}
