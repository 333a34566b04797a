//! The demo data's commissioning cycle, done under each trust's own framework by the same
//! actions a commissioner and a board member take: projects started and moved through the
//! framework's gate (one left where the gate blocks it, with the finding), reviews completed
//! with each outcome (a re-commissioned contract with its new project, a decommissioned one
//! with its decision), and decisions by each of the framework's bodies. Run once per trust,
//! after its framework is loaded; a trust that has projects already is left alone.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;
use platform_db::DbConnection;
use platform_db::conn::{Scope, scoped_with};
use platform_db::models::{ContractStatus, ReviewStatus};
use platform_db::repo::{Page, commissioning as c, tenants, users};
use platform_db::seed::{TRUSTS, demo_email};
use platform_plugins::types::{AttributeDefinition, AttributeKind};

use crate::app::auth::Actor;
use crate::areas::{decisions, projects, reviews, self_evaluations};
use crate::error::ApiError;
use crate::framework_calls::Framework;
use crate::frameworks::Frameworks;

/// Values a commissioner might give the framework's fields, in the order to try them: the
/// required fields alone with each of their choices in turn, then every field. The framework
/// decides which hold together (Sunderland's level must agree with its city-wide flag, say).
fn candidates(defs: &[&AttributeDefinition], today: NaiveDate) -> Vec<BTreeMap<String, String>> {
    let required: Vec<&AttributeDefinition> = defs.iter().copied().filter(|d| d.required).collect();
    let widest = required.iter().map(|d| d.choices.len()).max().unwrap_or(1).max(1);
    let mut out: Vec<BTreeMap<String, String>> = (0..widest).map(|k| ready(&required, today, k)).collect();
    out.push(ready(defs, today, 0));
    out.dedup();
    out
}

/// A value for each field, taking the `k`th choice (or the last) of each choice field.
fn ready(defs: &[&AttributeDefinition], today: NaiveDate, k: usize) -> BTreeMap<String, String> {
    defs.iter()
        .filter_map(|d| {
            let v = match d.kind {
                AttributeKind::Choice => d.choices.get(k).or(d.choices.last()).map(|c| c.value.clone())?,
                AttributeKind::YesNo => "yes".into(),
                AttributeKind::Text => "Agreed at the partnership's meeting".into(),
                AttributeKind::Number => "1".into(),
                AttributeKind::Date => today.to_string(),
                AttributeKind::Share => "100".into(),
                AttributeKind::Money => "0.00".into(),
                AttributeKind::AgeRange => "0-19".into(),
            };
            Some((d.key.clone(), v))
        })
        .collect()
}

/// Seeds the cycle for each founding trust that has none yet; returns the trusts seeded.
pub fn seed_cycle(
    conn: &mut DbConnection,
    frameworks: &Frameworks,
    today: NaiveDate,
    now: NaiveDateTime,
) -> anyhow::Result<Vec<String>> {
    let mut seeded = Vec::new();
    for trust in &TRUSTS {
        let Some(tenant) = tenants::by_slug(conn, trust.slug)? else { continue };
        let Ok(fw) = Framework::of(frameworks, &tenant) else { continue };
        let Some(user) = users::by_email(conn, &demo_email("commissioner", trust.slug))? else { continue };
        let actor = Actor { tenant: tenant.id.clone(), user: user.id, ip: "demo".into(), provider: None };
        let done = scoped_with(conn, Scope::Tenant(&tenant.id), |conn| -> Result<bool, ApiError> {
            if c::list_projects(conn, &tenant.id, Page::new(1, 0))?.total > 0 {
                return Ok(false);
            }
            seed_trust(conn, &fw, &actor, today, now)?;
            Ok(true)
        })
        .map_err(|e| anyhow::anyhow!("{}: the demo cycle: {e}", trust.slug))?;
        if done {
            seeded.push(trust.slug.to_string());
        }
    }
    Ok(seeded)
}

/// Starts a project with the first set of field values the framework accepts.
#[allow(clippy::too_many_arguments)]
fn start(
    conn: &mut DbConnection,
    fw: &Framework,
    actor: &Actor,
    title: &str,
    priority_id: Option<String>,
    service_id: Option<String>,
    fields: &[BTreeMap<String, String>],
    today: NaiveDate,
    now: NaiveDateTime,
) -> Option<projects::service::ProjectSaved> {
    fields.iter().find_map(|attributes| {
        let input = projects::service::ProjectInput {
            title: title.into(),
            description: format!("{title}: commissioned under {}", fw.description().name),
            priority_id: priority_id.clone(),
            service_id: service_id.clone(),
            attributes: attributes.clone(),
            ..Default::default()
        };
        conn.transaction(|conn| projects::service::create_in(conn, fw, actor, input, today, now)).ok()
    })
}

fn seed_trust(
    conn: &mut DbConnection,
    fw: &Framework,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let stages: Vec<String> = fw.description().stages.iter().map(|s| s.id.clone()).collect();
    let project_defs = fw.fields("project");
    let move_defs = fw.fields("stage-move");
    let project_fields = candidates(&project_defs, today);
    let move_fields = candidates(&move_defs, today);
    let priorities = c::list_priorities(conn, &actor.tenant, Page::new(3, 0))?.items;
    // Each project is about one of the trust's services (its tier helps the framework place it).
    let services = c::list_services(conn, &actor.tenant, Page::new(5, 0))?.items;
    let service = |i: usize| services.get(i).map(|s| s.id.to_string());

    // Projects: one at each of the first stages the gate lets it reach, up to four.
    let titles = ["Early help for families", "Emotional health and wellbeing", "Youth offer", "Short breaks"];
    for (i, title) in titles.iter().enumerate() {
        let Some(created) = start(
            conn,
            fw,
            actor,
            title,
            priorities.get(i).map(|p| p.id.to_string()),
            service(i),
            &project_fields,
            today,
            now,
        ) else {
            continue;
        };
        let id = created.project.id.clone();
        // Moved on i stages, each warning acknowledged in a note; a move no set of values gets
        // through the gate is where the project stays.
        'stages: for stage in stages.iter().skip(1).take(i) {
            for fields in &move_fields {
                let step = projects::service::MoveInput {
                    to_stage: stage.clone(),
                    note: "Considered at the commissioning board; going ahead".into(),
                    attributes: fields.clone(),
                };
                // A move the gate refuses writes nothing (its savepoint is rolled back).
                let moved = conn.transaction(|conn| {
                    projects::service::move_in(conn, fw, actor, id.clone(), None, step, today, now)
                });
                if moved.is_ok() {
                    continue 'stages;
                }
            }
            break;
        }
    }
    // One project blocked at the gate: asked to move on without what the framework needs (or
    // past a stage), the first such move the gate refuses is kept as where it is blocked.
    if let Some(blocked) = start(
        conn,
        fw,
        actor,
        "Substance misuse services for young people",
        None,
        service(4),
        &project_fields,
        today,
        now,
    ) {
        // First the next stage with every yes/no of the framework answered "no" (what has not
        // been done yet), then moves with nothing given, further on.
        let not_yet: BTreeMap<String, String> = move_fields
            .last()
            .map(|all| all.iter().map(|(k, v)| (k.clone(), if v == "yes" { "no".into() } else { v.clone() })).collect())
            .unwrap_or_default();
        let tries = stages
            .get(1)
            .map(|s| (s.clone(), not_yet))
            .into_iter()
            .chain(stages.iter().skip(1).map(|s| (s.clone(), BTreeMap::new())));
        for (next, attributes) in tries {
            let next = &next;
            let bare = projects::service::MoveInput { to_stage: next.clone(), attributes, ..Default::default() };
            // Asked and always rolled back: only a refusal is kept.
            let asked = conn.transaction(|conn| -> Result<(), ApiError> {
                projects::service::move_in(conn, fw, actor, blocked.project.id.clone(), None, bare, today, now)?;
                Err(ApiError::Internal("asked only".into()))
            });
            if let Err(ApiError::Refused { findings, .. }) = asked
                && findings.iter().any(|f| f.severity == "error")
            {
                projects::service::record_refusal(conn, actor, &blocked.project.id, next, &findings, now)?;
                break;
            }
        }
    }

    // Reviews completed with each outcome, on four different contracts.
    let open = c::reviews_due_by(conn, &actor.tenant, today + chrono::Days::new(3650))?;
    let mut seen = Vec::new();
    for outcome in ["continue", "improve", "recommission", "decommission"] {
        let Some(review) = open.iter().find(|r| {
            r.status == ReviewStatus::Scheduled && r.contract_id.as_ref().is_some_and(|id| !seen.contains(id))
        }) else {
            break;
        };
        let Some(contract_id) = review.contract_id.clone() else { continue };
        let contract = c::get_contract(conn, &actor.tenant, &contract_id)?;
        if contract.status != ContractStatus::Active {
            continue;
        }
        seen.push(contract_id);
        let exit =
            (outcome == "decommission").then(|| contract.start_date.max(today).min(contract.end_date).to_string());
        let input = reviews::service::Completion {
            outcome: outcome.into(),
            completed_on: Some(today.to_string()),
            notes: format!("Reviewed against the contract's KPIs: {outcome}"),
            evidence: "Four quarters of monitoring returns".into(),
            exit_date: exit,
        };
        reviews::service::complete_in(conn, fw, actor, review.id.clone(), None, input, today, now)?;
    }

    // A self-evaluation against each of the framework's standards sets: Kent's is its own, from
    // the main messages of its 2009 review; the others are demo figures, and say so.
    for set in &fw.description().standards_sets {
        let kent = fw.description().id == "kent" && set.id == "csp-standards";
        let scores = set
            .standards
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let (score, evidence) = if kent {
                    kent_reported(&st.id)
                } else {
                    let span = u64::from(set.max_score - set.min_score) + 1;
                    let k = u64::try_from(i).unwrap_or(0) * 7 % span;
                    (
                        i64::from(set.min_score) + i64::try_from(k).unwrap_or(0),
                        "Demo figures, not from the trust's document".to_string(),
                    )
                };
                self_evaluations::service::ScoreInput { standard: st.id.clone(), score, evidence, rater: None }
            })
            .collect();
        let (title, on) = if kent {
            ("KCT Commissioning and Delivery Review: main messages".to_string(), "2009-10-06".to_string())
        } else {
            (format!("{}: demo self-evaluation", set.name), (today - chrono::Days::new(60)).to_string())
        };
        let input = self_evaluations::service::EvaluationInput {
            standards_set: set.id.clone(),
            title,
            evaluated_on: on,
            scores,
        };
        self_evaluations::service::record_in(conn, fw, actor, input, today, now)?;
    }

    // A decision of each of the framework's bodies.
    for (i, body) in fw.description().bodies.iter().enumerate() {
        let days = u64::try_from(i).unwrap_or(0) * 14 + 7;
        decisions::record_in(
            conn,
            fw,
            actor,
            decisions::DecisionInput {
                decided_on: (today - chrono::Days::new(days)).to_string(),
                body: body.id.clone(),
                title: format!("{}: commissioning priorities for the year agreed", body.name),
                decision: "Agreed, with the priorities ranked as proposed".into(),
                ..Default::default()
            },
            today,
            now,
        )?;
    }
    Ok(())
}

/// Kent's review (main messages, 6 October 2009) scored each CSP standard by band: going well
/// (4) for standards 1, 5 and 12; steady progress (3) for 3, 7 and 11; needs improvement (1-2)
/// for the rest, where the report gives no finer score, so the band's higher score, 2, is taken.
fn kent_reported(standard: &str) -> (i64, String) {
    let n: u8 = standard.trim_start_matches("csp-").parse().unwrap_or(0);
    match n {
        1 | 5 | 12 => (4, "Main messages: going well (scores of 4)".into()),
        3 | 7 | 11 => (3, "Main messages: steady progress (scores of 3)".into()),
        _ => {
            (2, "Main messages: needs improvement (scores of 1-2; the report gives no finer score, 2 is taken)".into())
        }
    }
}
