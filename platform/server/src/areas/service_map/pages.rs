//! The service map as a page: services by outcome, tier and area, then the gaps and the
//! overlaps, each linking to the records behind it.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::service::{self, Placed};
use crate::app::AppState;
use crate::app::auth::Visitor;
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;

fn links(slug: &str, services: &[Placed]) -> Value {
    json!(
        services
            .iter()
            .map(|s| json!({"text": format!("{} (ages {})", s.name, s.ages), "href": format!("/t/{slug}/services/{}", s.id)}))
            .collect::<Vec<_>>()
    )
}

pub(super) async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let m = service::service_map(&state, &access).await?;
    let slug = &access.tenant.slug;
    let mut sections = Vec::new();
    for (outcome, tiers) in &m.map {
        let rows: Vec<Value> = tiers
            .iter()
            .flat_map(|(tier, areas)| {
                areas.iter().map(move |(area, services)| {
                    v::row(vec![
                        v::cell(v::label(tier), None),
                        v::cell(if area.is_empty() { "Whole trust" } else { area.as_str() }, None),
                        json!({"text": "", "links": links(slug, services)}),
                    ])
                })
            })
            .collect();
        let name = v::outcome_name(outcome);
        sections.push(v::table_section(
            outcome,
            &name,
            &format!("Services for {name}"),
            &["Tier", "Area", "Services"],
            rows,
            "No service.",
        ));
    }
    let gaps: Vec<Value> = m
        .gaps
        .iter()
        .map(|g| {
            let path = if g.kind == "need" { "needs" } else { "priorities" };
            v::row(vec![
                json!({"text": g.title, "href": format!("/t/{slug}/{path}/{}", g.id), "tag": g.kind}),
                v::cell(v::outcome_name(&g.outcome), None),
                v::cell(g.ages.clone().unwrap_or_else(|| "all ages".into()), None),
                v::cell(g.area.clone().unwrap_or_else(|| "whole trust".into()), None),
                v::cell(
                    if g.nearest.is_empty() { "no service of this outcome".into() } else { g.nearest.join("; ") },
                    None,
                ),
            ])
        })
        .collect();
    sections.push(v::table_section(
        "gaps",
        "Gaps",
        "Needs and priorities no service covers",
        &["Need or priority", "Outcome", "Ages", "Area", "Nearest services and what they miss"],
        gaps,
        "No gap: every need and priority has a service of its outcome for its ages and area.",
    ));
    let overlaps: Vec<Value> = m
        .overlaps
        .iter()
        .map(|o| {
            v::row(vec![
                v::cell(v::outcome_name(&o.outcome), None),
                v::cell(v::label(&o.tier), None),
                v::cell(if o.area.is_empty() { "Whole trust" } else { o.area.as_str() }, None),
                v::cell(&o.ages, None),
                json!({"text": "", "links": links(slug, &o.services)}),
            ])
        })
        .collect();
    sections.push(v::table_section(
        "overlaps",
        "Overlaps",
        "Services of the same outcome and tier in the same area whose ages overlap",
        &["Outcome", "Tier", "Area", "Ages both serve", "Services"],
        overlaps,
        "No overlap.",
    ));
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Service map", "caption": access.tenant.name, "sections": sections,
               "intro": ["The trust's services by the five outcomes, tier and area; below, the gaps and the overlaps."]}),
    )?)
}
