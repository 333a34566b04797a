//! The self-evaluation pages: a standards set of the trust's framework with its evaluations
//! side by side, the latest one's weakest standards and options for improvement, and the form
//! that records an evaluation by one group of raters (the same action as the API).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::service::{self, EvaluationInput, ScoreInput};
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{self, Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::error::ApiError;
use crate::framework_calls::Framework;

pub(super) async fn side_by_side(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let slug = &access.tenant.slug;
    let sets = &fw.description().standards_sets;
    if sets.is_empty() {
        return Ok(v::record_page(
            &state,
            &access,
            json!({"title": "Self-evaluation", "caption": access.tenant.name,
                   "intro": ["The trust's framework sets no standards to evaluate against."]}),
        )?);
    }
    let query = Values::parse(req.query_string().as_bytes());
    let chosen = query.all("set").first().cloned();
    let s = service::side_by_side(&state, &access, chosen).await?;
    let set = sets.iter().find(|x| x.id == s.standards_set).cloned().unwrap_or_else(|| sets[0].clone());
    let band = |id: &Option<String>| -> String {
        id.as_deref().map_or_else(String::new, |b| {
            set.bands.iter().find(|x| x.id == b).map_or_else(|| b.to_string(), |x| x.label.clone())
        })
    };
    let mut head: Vec<String> = vec!["Standard".into()];
    head.extend(s.evaluations.iter().map(|e| format!("{} ({})", e.title, v::day(e.evaluated_on))));
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut rows: Vec<Value> = s
        .standards
        .iter()
        .map(|r| {
            let mut cells = vec![v::cell(&r.name, None)];
            cells.extend(r.scores.iter().zip(&r.bands).map(|(score, b)| match score {
                Some(x) => json!({"text": x.to_string(), "note": band(b)}),
                None => v::cell("not scored", None),
            }));
            v::row(cells)
        })
        .collect();
    let mut overall = vec![v::cell("Overall", None)];
    overall.extend(s.evaluations.iter().map(
        |e| json!({"text": e.mean_score.map_or_else(|| "-".into(), |m| format!("{m:.1}")), "note": band(&e.band)}),
    ));
    rows.push(v::row(overall));
    let mut sections = vec![v::table_section(
        "side-by-side",
        "",
        &format!("{}: scores from {} to {}, each evaluation side by side", set.name, set.min_score, set.max_score),
        &head_refs,
        rows,
        "No evaluation against this set yet.",
    )];
    if let Some(latest) = &s.latest {
        let name =
            |id: &str| set.standards.iter().find(|x| x.id == id).map_or_else(|| id.to_string(), |x| x.name.clone());
        let weakest: Vec<Value> = latest["weakest"]
            .as_array()
            .map(|w| w.iter().filter_map(|x| x.as_str()).map(|id| json!({"text": name(id)})).collect())
            .unwrap_or_default();
        let options: Vec<Value> = latest["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .flat_map(|r| {
                        let standard = name(r["standard_id"].as_str().unwrap_or_default());
                        r["options"].as_array().cloned().unwrap_or_default().into_iter().filter_map(move |o| {
                            o.as_str().map(|o| json!({"text": o, "note": format!("For {standard}")}))
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        sections
            .push(json!({"id": "weakest", "heading": "Weakest standards in the latest evaluation", "items": weakest}));
        if !options.is_empty() {
            sections.push(json!({"id": "options", "heading": "Options for improvement", "items": options}));
        }
    }
    let others: Vec<Value> = sets
        .iter()
        .filter(|x| x.id != set.id)
        .map(|x| json!({"href": format!("/t/{slug}/self-evaluations?set={}", x.id), "label": format!("The {} set", x.name)}))
        .collect();
    if !others.is_empty() {
        sections.push(json!({"id": "sets", "heading": "Other standards sets", "links": others}));
    }
    let actions = if Action::Commission.allowed(access.role()) {
        json!([{"href": format!("/t/{slug}/self-evaluations/new?set={}", set.id), "label": "Record a self-evaluation"}])
    } else {
        json!([])
    };
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": format!("Self-evaluation: {}", set.name), "caption": access.tenant.name, "notice": v::notice(&req),
               "actions": actions, "sections": sections}),
    )?)
}

fn fields(fw: &Framework, set_id: &str) -> Result<Vec<Field>, ApiError> {
    let set = fw
        .description()
        .standards_sets
        .iter()
        .find(|s| s.id == set_id)
        .ok_or_else(|| ApiError::NotFound("no such standards set in the trust's framework".into()))?;
    let scores: Vec<Opt> = (set.min_score..=set.max_score)
        .map(|n| {
            let band =
                set.bands.iter().find(|b| (b.min_score..=b.max_score).contains(&n)).map(|b| format!(" ({})", b.label));
            Opt::new(n.to_string(), format!("{n}{}", band.unwrap_or_default()))
        })
        .collect();
    let mut fields = vec![
        Field::text("title", "Title").hint("For example, Annual self-evaluation 2026."),
        Field::date("evaluated_on", "Date of the evaluation"),
        Field::text("rater", "Who rated")
            .optional()
            .hint("The group whose ratings these are, for example the children's trust board or young people."),
    ];
    for (i, st) in set.standards.iter().enumerate() {
        fields.push(Field::select(&format!("scores.{i}.score"), &st.name, scores.clone()).hint(st.description.clone()));
        fields.push(Field::area(&format!("scores.{i}.evidence"), &format!("Evidence for {}", st.name)).optional());
    }
    Ok(fields)
}

fn read(fw: &Framework, set_id: &str, values: &Values) -> Result<EvaluationInput, ApiError> {
    let fields = fields(fw, set_id)?;
    let body = forms::body_of(&fields, values)?;
    let set = fw
        .description()
        .standards_sets
        .iter()
        .find(|s| s.id == set_id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound("no such standards set in the trust's framework".into()))?;
    let rater = body["rater"].as_str().map(str::to_string);
    let scores = set
        .standards
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let row = &body["scores"][i.to_string()];
            Ok(ScoreInput {
                standard: st.id.clone(),
                score: row["score"].as_str().and_then(|s| s.parse().ok()).ok_or_else(|| {
                    ApiError::bad_request(Some(&format!("scores.{i}.score")), format!("Choose a score for {}", st.name))
                })?,
                evidence: row["evidence"].as_str().unwrap_or_default().to_string(),
                rater: rater.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(EvaluationInput {
        standards_set: set_id.to_string(),
        title: body["title"].as_str().unwrap_or_default().to_string(),
        evaluated_on: body["evaluated_on"].as_str().unwrap_or_default().to_string(),
        scores,
    })
}

async fn form(
    state: &AppState,
    access: &Access,
    set_id: &str,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let fields = fields(&fw, set_id)?;
    let base = format!("/t/{}/self-evaluations", access.tenant.slug);
    let mut page = FormPage::new("Record a self-evaluation", format!("{base}?set={set_id}"), &fields, values);
    page.caption = Some("Self-evaluation".into());
    page.intro = vec!["Score every standard; the trust's framework bands the scores and names the weakest.".into()];
    page.cancel = Some(format!("{base}?set={set_id}"));
    page.submit = "Record self-evaluation";
    page.error = error;
    v::form_page(state, access, page)
}

pub(super) async fn new_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Commission)?;
    let query = Values::parse(req.query_string().as_bytes());
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let set = match query.all("set").first() {
        Some(s) => s.clone(),
        None => fw
            .description()
            .standards_sets
            .first()
            .map(|s| s.id.clone())
            .ok_or_else(|| ApiError::NotFound("the trust's framework sets no standards".into()))?,
    };
    Ok(form(&state, &access, &set, &Values::default(), None).await?)
}

pub(super) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let query = Values::parse(req.query_string().as_bytes());
    let set = query.get("set").to_string();
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let result = match read(&fw, &set, &values) {
        Ok(input) => service::record(&state, &access, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(v::saved(&format!("/t/{}/self-evaluations?set={set}", access.tenant.slug))),
        Err(e) => Ok(form(&state, &access, &set, &values, Some(e)).await?),
    }
}
