//! The demo data speaks each trust's framework: every seeded provider, service, contract,
//! priority and need passes its trust's plugin with no error finding; every service is
//! classified to one of the plugin's own levels and bodies; every review is owned by one of the
//! plugin's bodies; every framework field the seed stores is one the plugin defines.

use std::collections::BTreeSet;

use platform_db::framework::EntityView;
use platform_db::repo::commissioning as c;
use platform_db::repo::{Page, tenants};
use platform_db::seed::{TRUSTS, seed};
use platform_plugins::types::{Attribute, Entity, Item, Severity};
use platform_plugins::{HostOptions, PluginHost};

use crate::support::{both_backends, now, today};

fn entity(v: &EntityView) -> Entity {
    Entity {
        id: v.id.clone(),
        kind: v.kind.into(),
        attributes: v.attributes.iter().map(|(k, v)| Attribute { key: k.clone(), value: v.clone() }).collect(),
    }
}

both_backends! {
    fn every_seeded_record_passes_its_trusts_framework(db) {
        let mut conn = db.migrated();
        seed(&mut conn, true, today(), now()).unwrap();
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let mut problems = Vec::new();
        let mut checked = 0;
        for trust in &TRUSTS {
            let artifact = plugin_artifacts::framework(trust.slug).unwrap();
            let plugin = host.load(artifact.bytes).unwrap();
            let framework = &plugin.framework;
            let tenant = tenants::by_slug(&mut conn, trust.slug).unwrap().unwrap().id;

            let mut views: Vec<EntityView> = Vec::new();
            views.extend(c::list_providers(&mut conn, &tenant, Page::all()).unwrap().items.iter().map(|p| p.entity()));
            let services = c::list_services(&mut conn, &tenant, Page::all()).unwrap().items;
            for s in &services {
                let outcomes = c::service_outcome_codes(&mut conn, &tenant, &s.id).unwrap();
                views.push(s.entity(&outcomes));
            }
            views.extend(c::list_contracts(&mut conn, &tenant, Page::all()).unwrap().items.iter().map(|x| x.entity()));
            views.extend(c::list_priorities(&mut conn, &tenant, Page::all()).unwrap().items.iter().map(|x| x.entity()));
            views.extend(c::list_needs(&mut conn, &tenant, Page::all()).unwrap().items.iter().map(|x| x.entity()));

            // Every framework field stored is one the plugin defines for that kind of record.
            let core: BTreeSet<&str> = ["name", "sector", "registration_number", "safeguarding_evidence",
                "safeguarding_checked_on", "tier", "level", "area", "ages", "annual_budget_pence", "outcomes",
                "reference", "title", "contract_kind", "status", "value_pence", "start", "end", "outcome", "rank",
                "group", "evidence", "source", "stage"].into_iter().collect();
            for v in &views {
                for (key, _) in &v.attributes {
                    let defined = framework.attribute_definitions.iter().any(|d| d.entity_kind == v.kind && d.key == *key);
                    if !core.contains(key.as_str()) && !defined {
                        problems.push(format!("{}: {} {} stores {key:?}, which the framework does not define", trust.slug, v.kind, v.id));
                    }
                }
            }

            let findings = host.validate(&plugin, today(), views.iter().map(entity).collect()).unwrap();
            for (v, found) in views.iter().zip(&findings) {
                checked += 1;
                for f in found.iter().filter(|f| f.severity == Severity::Error) {
                    problems.push(format!("{}: {} {} {:?}: {} ({:?})", trust.slug, v.kind, v.id, f.field, f.message, f.code));
                }
            }

            let bodies: BTreeSet<&str> = framework.bodies.iter().map(|b| b.id.as_str()).collect();
            let levels: BTreeSet<&str> = framework.levels.iter().chain(&framework.levels_of_need).map(|l| l.id.as_str()).collect();
            let items: Vec<Item> = services
                .iter()
                .map(|s| {
                    let outcomes = c::service_outcome_codes(&mut conn, &tenant, &s.id).unwrap();
                    let e = entity(&s.entity(&outcomes));
                    Item {
                        id: s.id.to_string(),
                        kind: "service".into(),
                        tier: Some(s.tier.as_str().into()),
                        level_of_need: None,
                        area: s.area.clone(),
                        attributes: e.attributes,
                    }
                })
                .collect();
            match host.classify(&plugin, items) {
                Err(e) => problems.push(format!("{}: classifying its services: {e}", trust.slug)),
                Ok(classes) => {
                    for k in classes {
                        if !bodies.contains(k.body.as_str()) || !levels.contains(k.level.as_str()) {
                            problems.push(format!("{}: service {} placed at {:?} under {:?}, not the framework's own", trust.slug, k.item_id, k.level, k.body));
                        }
                    }
                }
            }
            for r in c::list_reviews(&mut conn, &tenant, Page::all()).unwrap().items {
                if let Some(body) = &r.owner_body
                    && !bodies.contains(body.as_str())
                {
                    problems.push(format!("{}: review {} is owned by {body:?}, not one of {bodies:?}", trust.slug, r.id));
                }
            }
        }
        assert!(problems.is_empty(), "{} problems in the demo data:\n{}", problems.len(), problems.join("\n"));
        assert!(checked >= 5 * 80, "only {checked} records checked");
    }
}
