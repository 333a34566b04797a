//! The service map: the trust's services by outcome, tier and area, with the gaps (a need or
//! a priority whose outcome, ages and area no service covers) and the overlaps (services of the
//! same outcome and tier in the same area whose ages overlap), each naming the records behind it.

use std::collections::BTreeMap;

use platform_db::models::{Need, Priority, Service};
use platform_db::repo::{Page, commissioning as c};
use serde::Serialize;

use crate::app::AppState;
use crate::app::auth::{Access, Action};
use crate::error::ApiError;

/// "" stands for a service with no area: it serves the whole of the trust's area.
const WHOLE_AREA: &str = "";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceMap {
    /// outcome -> tier -> area ("" for the whole area) -> services.
    pub map: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<Placed>>>>,
    pub gaps: Vec<Gap>,
    pub overlaps: Vec<Overlap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Placed {
    pub id: String,
    pub name: String,
    pub ages: String,
    /// The API address of the record.
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// "need" or "priority".
    pub kind: String,
    pub id: String,
    pub title: String,
    pub outcome: String,
    pub ages: Option<String>,
    pub area: Option<String>,
    pub href: String,
    /// Services of the outcome that come nearest, and what each misses (ages or area).
    pub nearest: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overlap {
    pub outcome: String,
    pub tier: String,
    pub area: String,
    /// The ages both serve.
    pub ages: String,
    pub services: [Placed; 2],
}

fn placed(slug: &str, s: &Service) -> Placed {
    Placed {
        id: s.id.to_string(),
        name: s.name.clone(),
        ages: format!("{}-{}", s.age_from, s.age_to),
        href: format!("/api/v1/tenants/{slug}/services/{}", s.id),
    }
}

/// What a need asks to be covered: an outcome, maybe ages, maybe an area.
struct Want<'a> {
    outcome: &'a str,
    ages: Option<(i32, i32)>,
    area: Option<&'a str>,
}

/// Why a service does not cover a want, or None if it does.
fn misses(want: &Want<'_>, s: &Service, outcomes: &[String]) -> Option<&'static str> {
    if !outcomes.iter().any(|o| o == want.outcome) {
        return Some("outcome");
    }
    if let Some((from, to)) = want.ages
        && (s.age_to < from || s.age_from > to)
    {
        return Some("ages");
    }
    match (want.area, s.area.as_deref()) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => Some("area"),
        _ => None,
    }
}

fn gap(
    slug: &str,
    kind: &str,
    id: String,
    title: &str,
    want: &Want<'_>,
    services: &[(Service, Vec<String>)],
) -> Option<Gap> {
    if services.iter().any(|(s, o)| misses(want, s, o).is_none()) {
        return None;
    }
    let nearest = services
        .iter()
        .filter_map(|(s, o)| match misses(want, s, o) {
            Some("outcome") | None => None,
            Some(what) => Some(format!(
                "{} ({} {}-{}, {}): not the {what}",
                s.name,
                s.tier,
                s.age_from,
                s.age_to,
                s.area.as_deref().unwrap_or("whole area")
            )),
        })
        .take(3)
        .collect();
    Some(Gap {
        kind: kind.into(),
        href: format!("/api/v1/tenants/{slug}/{}/{id}", if kind == "need" { "needs" } else { "priorities" }),
        id,
        title: title.into(),
        outcome: want.outcome.into(),
        ages: want.ages.map(|(a, b)| format!("{a}-{b}")),
        area: want.area.map(str::to_string),
        nearest,
    })
}

/// The map of live (not archived) services, and the gaps and overlaps among them.
pub fn build(slug: &str, services: &[(Service, Vec<String>)], needs: &[Need], priorities: &[Priority]) -> ServiceMap {
    let live: Vec<(Service, Vec<String>)> = services.iter().filter(|(s, _)| s.archived_at.is_none()).cloned().collect();
    let mut map: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<Placed>>>> = BTreeMap::new();
    for (s, outcomes) in &live {
        for o in outcomes {
            map.entry(o.clone())
                .or_default()
                .entry(s.tier.to_string())
                .or_default()
                .entry(s.area.clone().unwrap_or_else(|| WHOLE_AREA.into()))
                .or_default()
                .push(placed(slug, s));
        }
    }
    let mut gaps = Vec::new();
    for n in needs.iter().filter(|n| n.archived_at.is_none()) {
        let ages = n.age_from.zip(n.age_to);
        let want = Want { outcome: &n.outcome_code, ages, area: n.area.as_deref() };
        gaps.extend(gap(slug, "need", n.id.to_string(), &n.title, &want, &live));
    }
    for p in priorities.iter().filter(|p| p.archived_at.is_none()) {
        // A priority from a need asks what its need asks; one standing alone, its outcome.
        let need = p.need_id.as_ref().and_then(|id| needs.iter().find(|n| n.id == *id));
        let want = Want {
            outcome: &p.outcome_code,
            ages: need.and_then(|n| n.age_from.zip(n.age_to)),
            area: need.and_then(|n| n.area.as_deref()),
        };
        gaps.extend(gap(slug, "priority", p.id.to_string(), &p.title, &want, &live));
    }
    let mut overlaps = Vec::new();
    for (i, (a, ao)) in live.iter().enumerate() {
        for (b, bo) in &live[i + 1..] {
            if a.tier != b.tier
                || !a
                    .area
                    .as_deref()
                    .unwrap_or(WHOLE_AREA)
                    .eq_ignore_ascii_case(b.area.as_deref().unwrap_or(WHOLE_AREA))
            {
                continue;
            }
            let (from, to) = (a.age_from.max(b.age_from), a.age_to.min(b.age_to));
            if from > to {
                continue;
            }
            for o in ao.iter().filter(|o| bo.contains(o)) {
                overlaps.push(Overlap {
                    outcome: o.clone(),
                    tier: a.tier.to_string(),
                    area: a.area.clone().unwrap_or_default(),
                    ages: format!("{from}-{to}"),
                    services: [placed(slug, a), placed(slug, b)],
                });
            }
        }
    }
    ServiceMap { map, gaps, overlaps }
}

pub async fn service_map(state: &AppState, access: &Access) -> Result<ServiceMap, ApiError> {
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(ApiError::Forbidden("the service map is the trust's; providers see their own services".into()));
    }
    let tenant = access.tenant.id.clone();
    let slug = access.tenant.slug.clone();
    let (services, needs, priorities) = state
        .tenant_db(&tenant.clone(), move |conn| {
            Ok((
                c::services_with_outcomes(conn, &tenant)?,
                c::list_needs(conn, &tenant, Page::all())?.items,
                c::list_priorities(conn, &tenant, Page::all())?.items,
            ))
        })
        .await?;
    Ok(build(&slug, &services, &needs, &priorities))
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform_db::models::Tier;
    use platform_db::{NeedId, ProviderId, ServiceId, TenantId};

    fn service(name: &str, tier: Tier, area: Option<&str>, ages: (i32, i32)) -> Service {
        Service {
            id: ServiceId::new(),
            tenant_id: TenantId::new(),
            provider_id: ProviderId::new(),
            name: name.into(),
            description: String::new(),
            tier,
            level: None,
            area: area.map(str::to_string),
            age_from: ages.0,
            age_to: ages.1,
            annual_budget_pence: 0,
            created_at: chrono::NaiveDateTime::default(),
            attributes: "{}".into(),
            version: 1,
            archived_at: None,
            body: None,
        }
    }

    fn need(outcome: &str, ages: Option<(i32, i32)>, area: Option<&str>) -> Need {
        Need {
            id: NeedId::new(),
            tenant_id: TenantId::new(),
            outcome_code: outcome.into(),
            title: "Bullying in secondary schools".into(),
            description: String::new(),
            group_name: None,
            age_from: ages.map(|a| a.0),
            age_to: ages.map(|a| a.1),
            area: area.map(str::to_string),
            evidence: String::new(),
            source: String::new(),
            identified_on: chrono::NaiveDate::default(),
            created_at: chrono::NaiveDateTime::default(),
            version: 1,
            archived_at: None,
        }
    }

    #[test]
    fn a_need_is_a_gap_unless_a_service_of_its_outcome_covers_its_ages_and_area() {
        let o = |s: &str| vec![s.to_string()];
        let services = vec![
            (service("Youth club", Tier::Universal, Some("Washington"), (11, 19)), o("enjoy_achieve")),
            (service("School nursing", Tier::Universal, None, (5, 16)), o("be_healthy")),
        ];
        let covered_by_the_whole_area = need("be_healthy", Some((11, 13)), Some("Coalfield"));
        let wrong_area = need("enjoy_achieve", Some((12, 14)), Some("Coalfield"));
        let wrong_ages = need("be_healthy", Some((17, 19)), None);
        let no_service = need("stay_safe", None, None);
        let map = build("sunderland", &services, &[covered_by_the_whole_area, wrong_area, wrong_ages, no_service], &[]);
        let gaps: Vec<(&str, &Vec<String>)> = map.gaps.iter().map(|g| (g.outcome.as_str(), &g.nearest)).collect();
        assert_eq!(gaps.len(), 3, "{gaps:?}");
        assert!(gaps[0].1[0].contains("not the area"), "{gaps:?}");
        assert!(gaps[1].1[0].contains("not the ages"), "{gaps:?}");
        assert!(gaps[2].1.is_empty());
        assert_eq!(map.map["enjoy_achieve"]["universal"]["Washington"][0].name, "Youth club");
        assert_eq!(map.map["be_healthy"]["universal"][""][0].name, "School nursing");
    }

    #[test]
    fn services_of_one_outcome_and_tier_in_one_area_with_shared_ages_overlap() {
        let o = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let services = vec![
            (service("A", Tier::Targeted, Some("North"), (5, 11)), o(&["stay_safe", "be_healthy"])),
            (service("B", Tier::Targeted, Some("north"), (10, 16)), o(&["stay_safe"])),
            (service("C", Tier::Targeted, Some("North"), (12, 16)), o(&["be_healthy"])),
            (service("D", Tier::Specialist, Some("North"), (5, 16)), o(&["stay_safe"])),
            (service("E", Tier::Targeted, Some("South"), (5, 16)), o(&["stay_safe"])),
        ];
        let map = build("durham", &services, &[], &[]);
        let found: Vec<(String, String, String)> = map
            .overlaps
            .iter()
            .map(|x| (x.services[0].name.clone(), x.services[1].name.clone(), x.ages.clone()))
            .collect();
        assert_eq!(found, [("A".into(), "B".into(), "10-11".into())]);
    }
}
