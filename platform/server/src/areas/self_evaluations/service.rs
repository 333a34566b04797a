//! Self-evaluation against a standards set of the trust's framework: scores and evidence per
//! standard (from one or several named groups), the framework's summary (bands, the weakest
//! standards, options for improvement), and the trust's evaluations side by side.

use chrono::{NaiveDate, NaiveDateTime};
use platform_db::models::{Score, SelfEvaluation};
use platform_db::repo::{Page, audit, commissioning as c};
use platform_db::{ScoreId, SelfEvaluationId};
use platform_plugins::types;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::app::auth::{Access, Action, Actor};
use crate::app::input::date;
use crate::clock;
use crate::error::ApiError;
use crate::framework_calls::Framework;

/// A self-evaluation, as the form and the API give it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    /// One of the framework's standards sets, by id.
    pub standards_set: String,
    pub title: String,
    /// YYYY-MM-DD, not after today.
    pub evaluated_on: String,
    pub scores: Vec<ScoreInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// A standard of the set, by id.
    pub standard: String,
    #[serde(deserialize_with = "crate::app::api::whole")]
    pub score: i64,
    #[serde(default)]
    pub evidence: String,
    /// The named group that gave this rating; none for the trust's own single rating.
    #[serde(default)]
    pub rater: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub evaluation: SelfEvaluation,
    /// The framework's summary of it.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    pub scores: Vec<Score>,
}

pub async fn record(state: &AppState, access: &Access, input: EvaluationInput) -> Result<Evaluation, ApiError> {
    access.require(Action::Commission)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    state
        .tenant_work(&actor.tenant.clone(), move |conn| {
            record_in(conn, &fw, &actor, input, clock::today(), clock::now())
        })
        .await
}

/// Scores a self-evaluation by the framework and keeps it, within a unit of work.
pub fn record_in(
    conn: &mut platform_db::DbConnection,
    fw: &Framework,
    actor: &Actor,
    input: EvaluationInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Evaluation, ApiError> {
    let sets = &fw.description().standards_sets;
    let Some(set) = sets.iter().find(|s| s.id == input.standards_set.trim()) else {
        let ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
        return Err(ApiError::bad_request(
            Some("standards_set"),
            if ids.is_empty() {
                "the trust's framework has no standards to evaluate against".to_string()
            } else {
                format!("not one of the framework's standards sets: {}", ids.join(", "))
            },
        ));
    };
    let evaluated_on = date("evaluated_on", &input.evaluated_on)?;
    if evaluated_on > today {
        return Err(ApiError::bad_request(Some("evaluated_on"), "a self-evaluation is recorded on or after its day"));
    }
    if input.scores.is_empty() {
        return Err(ApiError::bad_request(Some("scores"), "score at least one standard"));
    }
    let mut wit = Vec::new();
    for (i, s) in input.scores.iter().enumerate() {
        let at = |f: &str| format!("scores[{i}].{f}");
        let standard = s.standard.trim();
        if !set.standards.iter().any(|x| x.id == standard) {
            return Err(ApiError::bad_request(Some(&at("standard")), format!("not a standard of {}", set.name)));
        }
        let score =
            u8::try_from(s.score).ok().filter(|n| (set.min_score..=set.max_score).contains(n)).ok_or_else(|| {
                ApiError::bad_request(Some(&at("score")), format!("from {} to {}", set.min_score, set.max_score))
            })?;
        let rater = s.rater.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if let Some(r) = &rater {
            platform_db::repo::validate::name("rater", r, 200)
                .map_err(|_| ApiError::bad_request(Some(&at("rater")), "a group's name, on one line"))?;
        }
        wit.push(types::Score { standard_id: standard.into(), score, evidence: s.evidence.trim().into(), rater });
    }
    let summary = fw.score_now(types::SelfEvaluation { standards_set_id: set.id.clone(), scores: wit.clone() })?;
    let summary_json = serde_json::to_value(&summary).map_err(|e| ApiError::Internal(e.to_string()))?;
    let options: std::collections::BTreeMap<&str, String> =
        summary.results.iter().map(|r| (r.standard_id.as_str(), r.options.join("; "))).collect();
    let row = SelfEvaluation {
        id: SelfEvaluationId::new(),
        tenant_id: actor.tenant.clone(),
        standards_set: set.id.clone(),
        title: input.title.trim().to_string(),
        evaluated_on,
        created_by_user_id: Some(actor.user.clone()),
        summary: summary_json.to_string(),
        created_at: now,
    };
    let scores: Vec<Score> = wit
        .iter()
        .map(|s| Score {
            id: ScoreId::new(),
            tenant_id: actor.tenant.clone(),
            self_evaluation_id: row.id.clone(),
            standard_code: s.standard_id.clone(),
            score: i32::from(s.score),
            evidence: s.evidence.clone(),
            options: options.get(s.standard_id.as_str()).cloned().unwrap_or_default(),
            rater: s.rater.clone().unwrap_or_default(),
        })
        .collect();
    for s in &scores {
        platform_db::repo::validate::notes("evidence", &s.evidence, 8000)?;
    }
    let saved = c::insert_self_evaluation(conn, &actor.tenant, row, scores.clone()).map_err(|e| match e {
        platform_db::DbError::Conflict(m) if m.contains("title") || m.contains("self_evaluations") => ApiError::Taken {
            field: "title".into(),
            message: "another self-evaluation of this trust has this title".into(),
        },
        platform_db::DbError::Conflict(_) => ApiError::Taken {
            field: "scores".into(),
            message: "a group rates a standard once; the trust's own rating is given once".into(),
        },
        other => other.into(),
    })?;
    let detail =
        serde_json::json!({"standards_set": saved.standards_set, "band": summary.band_id, "mean": summary.mean_score})
            .to_string();
    audit::record(conn, &actor.audit("self_evaluation.recorded", "self_evaluation", saved.id.as_str(), detail, now))?;
    Ok(Evaluation { evaluation: saved, summary: summary_json, scores })
}

/// The trust's self-evaluations of one standards set side by side: a row per standard, a
/// column per evaluation (oldest first), each cell the standard's combined score there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SideBySide {
    pub standards_set: String,
    pub evaluations: Vec<Column>,
    pub standards: Vec<Row>,
    /// The framework's summary of the latest evaluation: its band, the weakest standards first
    /// and the options for improvement of each (none before the first evaluation).
    #[schema(value_type = Option<Object>)]
    pub latest: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub id: SelfEvaluationId,
    pub title: String,
    pub evaluated_on: NaiveDate,
    pub band: Option<String>,
    pub mean_score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub standard: String,
    pub name: String,
    pub scores: Vec<Option<u64>>,
    pub bands: Vec<Option<String>>,
}

pub async fn side_by_side(state: &AppState, access: &Access, set_id: Option<String>) -> Result<SideBySide, ApiError> {
    access.require(Action::Read)?;
    if access.provider_scope().is_some() {
        return Err(ApiError::Forbidden("self-evaluations are the trust's".into()));
    }
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let sets = &fw.description().standards_sets;
    let set = match set_id.as_deref().map(str::trim) {
        None => sets.first(),
        Some(id) => sets.iter().find(|s| s.id == id),
    }
    .cloned()
    .ok_or_else(|| ApiError::NotFound("no such standards set in the trust's framework".into()))?;
    let tenant = access.tenant.id.clone();
    let all = state
        .tenant_db(&tenant.clone(), move |conn| Ok(c::list_self_evaluations(conn, &tenant, Page::all())?.items))
        .await?;
    let mut mine: Vec<SelfEvaluation> = all.into_iter().filter(|e| e.standards_set == set.id).collect();
    mine.sort_by(|a, b| a.evaluated_on.cmp(&b.evaluated_on).then(a.title.cmp(&b.title)));
    let summaries: Vec<serde_json::Value> =
        mine.iter().map(|e| serde_json::from_str(&e.summary).unwrap_or_default()).collect();
    let evaluations = mine
        .iter()
        .zip(&summaries)
        .map(|(e, s)| Column {
            id: e.id.clone(),
            title: e.title.clone(),
            evaluated_on: e.evaluated_on,
            band: s["band_id"].as_str().map(str::to_string),
            mean_score: s["mean_score"].as_f64(),
        })
        .collect();
    let standards = set
        .standards
        .iter()
        .map(|st| {
            let cell = |s: &serde_json::Value| {
                s["results"].as_array().and_then(|r| r.iter().find(|x| x["standard_id"] == st.id.as_str())).cloned()
            };
            Row {
                standard: st.id.clone(),
                name: st.name.clone(),
                scores: summaries.iter().map(|s| cell(s).and_then(|c| c["score"].as_u64())).collect(),
                bands: summaries
                    .iter()
                    .map(|s| cell(s).and_then(|c| c["band_id"].as_str().map(str::to_string)))
                    .collect(),
            }
        })
        .collect();
    let latest = summaries.last().cloned();
    Ok(SideBySide { standards_set: set.id, evaluations, standards, latest })
}
