//! The five founding trusts and their demo data: shaped like each trust's document, the same on
//! both backends, and never duplicated by a second run.

use std::collections::BTreeSet;

use chrono::{Datelike, Months};
use platform_db::models::*;
use platform_db::repo::commissioning as c;
use platform_db::repo::{Page, indicators, tenants};
use platform_db::seed::{TRUSTS, seed};
use platform_db::{Backend, DbConnection, TenantId};

use crate::support::{TestDb, both_backends, now, today};

fn tenant(conn: &mut DbConnection, slug: &str) -> TenantId {
    tenants::by_slug(conn, slug).unwrap().unwrap().id
}

fn all<T>(p: platform_db::repo::Paged<T>) -> Vec<T> {
    p.items
}

both_backends! {
    fn the_five_trusts_are_seeded_with_their_real_codes(db) {
        let mut conn = db.migrated();
        let report = seed(&mut conn, false, today(), now()).unwrap();
        assert_eq!(report.tenants_created.len(), 5);
        let got: Vec<(String, String, String)> = tenants::directory(&mut conn).unwrap().into_iter().map(|t| (t.slug, t.ons_code, t.region)).collect();
        let expected = [
            ("central-bedfordshire", "E06000056", "East of England"),
            ("durham", "E06000047", "North East"),
            ("kent", "E10000016", "South East"),
            ("sunderland", "E08000024", "North East"),
            ("southwark", "E09000028", "London"),
        ];
        for (slug, ons, region) in expected {
            assert!(got.contains(&(slug.into(), ons.into(), region.into())), "{slug} missing or wrong in {got:?}");
        }
    }

    fn demo_data_meets_the_floor_for_every_trust(db) {
        let mut conn = db.migrated();
        seed(&mut conn, true, today(), now()).unwrap();
        let horizon = today().checked_add_months(Months::new(18)).unwrap();
        for trust in &TRUSTS {
            let t = tenant(&mut conn, trust.slug);
            let providers = all(c::list_providers(&mut conn, &t, Page::all()).unwrap());
            let sectors: BTreeSet<Sector> = providers.iter().map(|p| p.sector).collect();
            assert_eq!(sectors.len(), 3, "{}: providers from every sector", trust.slug);

            let services = all(c::list_services(&mut conn, &t, Page::all()).unwrap());
            assert!(services.len() >= 30, "{}: {} services", trust.slug, services.len());
            let tiers: BTreeSet<Tier> = services.iter().map(|s| s.tier).collect();
            assert_eq!(tiers.len(), 3, "{}: services in every tier", trust.slug);
            for s in &services {
                if let Some(area) = &s.area {
                    assert!(trust.areas.contains(&area.as_str()), "{}: {area} is not one of its areas", trust.slug);
                }
                assert!(!c::service_outcome_codes(&mut conn, &t, &s.id).unwrap().is_empty());
            }

            let contracts = all(c::list_contracts(&mut conn, &t, Page::all()).unwrap());
            assert_eq!(contracts.len(), 40, "{}", trust.slug);
            assert!(contracts.iter().all(|k| k.end_date > today() && k.end_date <= horizon), "{}: contract ends outside the next 18 months", trust.slug);
            // Spread, not bunched: every six-month third of the horizon has some.
            for third in 0..3u32 {
                let from = today().checked_add_months(Months::new(6 * third)).unwrap();
                let to = today().checked_add_months(Months::new(6 * (third + 1))).unwrap();
                assert!(contracts.iter().any(|k| k.end_date > from && k.end_date <= to), "{}: nothing ends in months {}-{}", trust.slug, 6 * third, 6 * (third + 1));
            }
            let reviews = all(c::list_reviews(&mut conn, &t, Page::all()).unwrap());
            assert_eq!(reviews.len(), 40);
            assert!(reviews.iter().all(|r| r.due_on < r.due_on.checked_add_months(Months::new(18)).unwrap()));

            let catalogue = indicators::catalogue(&mut conn).unwrap();
            assert!(catalogue.len() >= 20);
            let mut with_five_years = 0;
            for ind in &catalogue {
                let years: BTreeSet<i32> = indicators::series(&mut conn, &t, &ind.code, "").unwrap().iter().map(|v| v.period_start.year()).collect();
                if years.len() == 5 { with_five_years += 1; }
            }
            assert!(with_five_years >= 20, "{}: only {with_five_years} indicators have five years", trust.slug);
            // Area breakdowns use the trust's own areas; age breakdowns are single years of age.
            let latest = indicators::series(&mut conn, &t, "children_in_need", "").unwrap().last().unwrap().period_start;
            let breakdown = indicators::period_values(&mut conn, &t, "children_in_need", latest).unwrap();
            let areas: BTreeSet<&str> = breakdown.iter().filter_map(|v| v.area.as_deref()).collect();
            assert_eq!(areas, trust.areas.iter().copied().collect::<BTreeSet<_>>(), "{}", trust.slug);
            let ages: Vec<i32> = breakdown.iter().filter_map(|v| v.age_from).collect();
            assert_eq!(ages.len(), 18, "{}: single years of age 0-17", trust.slug);
            assert!(breakdown.iter().all(|v| v.age_from == v.age_to));
        }
    }

    fn documents_shape_each_trusts_data(db) {
        let mut conn = db.migrated();
        seed(&mut conn, true, today(), now()).unwrap();
        let titles = |conn: &mut DbConnection, slug: &str| -> Vec<String> {
            let t = tenant(conn, slug);
            let mut v: Vec<String> = all(c::list_needs(conn, &t, Page::all()).unwrap()).into_iter().map(|n| n.title).collect();
            v.extend(all(c::list_priorities(conn, &t, Page::all()).unwrap()).into_iter().map(|p| p.title));
            v
        };
        // Kent's review names teenage pregnancy and substance misuse as priority areas.
        let kent = titles(&mut conn, "kent");
        assert!(kent.iter().any(|t| t.contains("eenage pregnancy")) && kent.iter().any(|t| t.contains("ubstance misuse")), "{kent:?}");
        // Sunderland's case example is bullying; its priorities carry its age bands.
        let sunderland = tenant(&mut conn, "sunderland");
        let priorities = all(c::list_priorities(&mut conn, &sunderland, Page::all()).unwrap());
        assert!(priorities.iter().any(|p| p.title.contains("bullying")));
        for p in &priorities {
            let attrs: serde_json::Value = serde_json::from_str(&p.attributes).unwrap();
            assert!(["0-7", "8-12", "13+"].contains(&attrs["age_band"].as_str().unwrap()), "{attrs}");
        }
        // Durham's priorities are must-do or want-to-do.
        let durham = tenant(&mut conn, "durham");
        let kinds: BTreeSet<String> = all(c::list_priorities(&mut conn, &durham, Page::all()).unwrap()).iter()
            .map(|p| serde_json::from_str::<serde_json::Value>(&p.attributes).unwrap()["priority_type"].as_str().unwrap().to_string()).collect();
        assert_eq!(kinds, BTreeSet::from(["must_do".to_string(), "want_to_do".to_string()]));
        // Southwark commissions in its four locality quadrants and prefers three-year contracts.
        let southwark = TRUSTS.iter().find(|t| t.slug == "southwark").unwrap();
        assert_eq!(southwark.areas.len(), 4);
        let sw = tenant(&mut conn, "southwark");
        let three_year = all(c::list_contracts(&mut conn, &sw, Page::all()).unwrap()).iter()
            .filter(|k| k.kind != ContractKind::Spot && k.start_date.checked_add_months(Months::new(36)).unwrap().pred_opt().unwrap() == k.end_date).count();
        assert!(three_year >= 30, "only {three_year} three-year contracts");
        // Sunderland's six areas.
        let sunderland_areas = TRUSTS.iter().find(|t| t.slug == "sunderland").unwrap().areas;
        assert_eq!(sunderland_areas, ["North", "South", "East", "West", "Washington", "Coalfields"]);
    }

    fn seeding_twice_adds_nothing(db) {
        let mut conn = db.migrated();
        let first = seed(&mut conn, true, today(), now()).unwrap();
        assert_eq!(first.demo_data_added.len(), 5);
        let t = tenant(&mut conn, "durham");
        let before = (c::summary(&mut conn, &t, today()).unwrap(), indicators::count_values(&mut conn, &t).unwrap());
        // Even a later day's run adds nothing.
        let second = seed(&mut conn, true, today() + chrono::Days::new(30), now()).unwrap();
        assert!(second.tenants_created.is_empty() && second.demo_data_added.is_empty());
        assert_eq!(second.already_present.len(), 5);
        let after = (c::summary(&mut conn, &t, today()).unwrap(), indicators::count_values(&mut conn, &t).unwrap());
        assert_eq!(before, after);
        assert_eq!(tenants::list_all(&mut conn).unwrap().len(), 5);
    }
}

#[test]
fn the_demo_data_is_the_same_on_both_backends() {
    let snapshot = |backend| {
        let db = TestDb::new(backend);
        let mut conn = db.migrated();
        seed(&mut conn, true, today(), now()).unwrap();
        let t = tenant(&mut conn, "sunderland");
        let contracts = serde_json::to_string(&all(c::list_contracts(&mut conn, &t, Page::all()).unwrap())).unwrap();
        let values = serde_json::to_string(
            &indicators::series(&mut conn, &t, "under18_conceptions", "area=Washington").unwrap(),
        )
        .unwrap();
        (contracts, values)
    };
    assert_eq!(snapshot(Backend::Sqlite), snapshot(Backend::Postgres));
}
