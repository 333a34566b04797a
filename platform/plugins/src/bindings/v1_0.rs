//! `commissioning:framework@1.0.0`, frozen: its bindings, and each call made in the newest types.
//! Inputs go down to 1.0.0 (a rating's rater is dropped; two ratings of one standard are refused,
//! as 1.0.0 takes one); outputs come up to the newest (a description with no attribute
//! definitions and no rules, a summary with its band, completeness and spread filled in).

use wasmtime::Store;

use crate::host::Ctx;

wasmtime::component::bindgen!({
    path: "../../plugins/wit/v1.0.0",
    world: "framework",
});

use crate::bindings::types as new;
use commissioning::framework::types as old;

/// A value of one version's type as the same value of another version's type.
trait Cast<T> {
    fn cast(self) -> T;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl Cast<$t> for $t {
            fn cast(self) -> $t {
                self
            }
        }
    )*};
}

same!(String, bool, u8, i64, f64);

impl<A: Cast<B>, B> Cast<Vec<B>> for Vec<A> {
    fn cast(self) -> Vec<B> {
        self.into_iter().map(Cast::cast).collect()
    }
}

impl<A: Clone + Cast<B>, B> Cast<Vec<B>> for &[A] {
    fn cast(self) -> Vec<B> {
        self.iter().cloned().map(Cast::cast).collect()
    }
}

impl<A: Cast<B>, B> Cast<Option<B>> for Option<A> {
    fn cast(self) -> Option<B> {
        self.map(Cast::cast)
    }
}

/// Records with the same fields in both versions, field by field: a field left out of a list
/// is a compile error, so a record cannot lose one quietly.
macro_rules! records {
    ($from:ident -> $to:ident: $($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl Cast<$to::$name> for $from::$name {
            fn cast(self) -> $to::$name {
                $to::$name { $($field: self.$field.cast()),* }
            }
        }
    )*};
}

macro_rules! enums {
    ($from:ident -> $to:ident: $($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Cast<$to::$name> for $from::$name {
            fn cast(self) -> $to::$name {
                match self {
                    $($from::$name::$case => $to::$name::$case),*
                }
            }
        }
    )*};
}

// What the host sends.
records!(new -> old:
    Attribute { key, value }
    Item { id, kind, tier, level_of_need, area, attributes }
    Subject { id, kind, title, contract_kind, tier, start, end, value_pence, attributes }
    Entity { id, kind, attributes }
    StageMove { project_id, from_stage, to_stage, attributes }
    Count { age, area, value }
);
enums!(new -> old: Dimension { Age, Area });

// What a plugin answers.
records!(old -> new:
    Finding { severity, code, message, field, source }
    Stage { id, name, group, description }
    Level { id, name, description }
    AgeBand { id, name, min_age, max_age }
    Area { id, name }
    Body { id, name, responsibilities, meets }
    Standard { id, name, description }
    ScoreBand { id, label, min_score, max_score }
    StandardsSet { id, name, standards, min_score, max_score, bands }
    CalendarEntry { name, start_month, end_month, stage_ids }
    Classification { item_id, level, body, rationale, source }
    ReviewDue { subject_id, kind, title, due, audience, source }
    Banded { band_id, value }
);
enums!(old -> new: Severity { Error, Warning, Info });

/// A 1.0.0 description has no attribute definitions and no rules table.
fn description(d: old::Description) -> new::Description {
    let old::Description {
        id,
        name,
        version,
        source,
        stages,
        levels,
        levels_of_need,
        age_bands,
        areas,
        bodies,
        standards_sets,
        calendar,
        notes,
    } = d;
    new::Description {
        id,
        name,
        version,
        source,
        stages: stages.cast(),
        levels: levels.cast(),
        levels_of_need: levels_of_need.cast(),
        age_bands: age_bands.cast(),
        areas: areas.cast(),
        bodies: bodies.cast(),
        standards_sets: standards_sets.cast(),
        calendar: calendar.cast(),
        notes,
        attribute_definitions: Vec::new(),
        rules: Vec::new(),
    }
}

/// 1.0.0 takes one rating a standard and knows no raters: a single rating goes without its
/// rater; two ratings of one standard are refused rather than one of them dropped.
fn self_evaluation(e: &new::SelfEvaluation) -> Result<old::SelfEvaluation, String> {
    let mut scores: Vec<old::Score> = Vec::with_capacity(e.scores.len());
    for (i, s) in e.scores.iter().enumerate() {
        if scores.iter().any(|o| o.standard_id == s.standard_id) {
            return Err(format!(
                "scores[{i}]: standard {:?} is rated more than once; this framework speaks \
                 commissioning:framework@1.0.0, which takes one rating a standard, so ratings by \
                 several groups cannot be combined by it",
                s.standard_id
            ));
        }
        scores.push(old::Score { standard_id: s.standard_id.clone(), score: s.score, evidence: s.evidence.clone() });
    }
    Ok(old::SelfEvaluation { standards_set_id: e.standards_set_id.clone(), scores })
}

/// A 1.0.0 summary always has a band; it is complete when every standard of its set was rated,
/// never capped, and each standard's one rating is its whole spread.
fn summary(
    s: old::EvaluationSummary,
    evaluation: &new::SelfEvaluation,
    framework: &new::Description,
) -> new::EvaluationSummary {
    let complete =
        framework.standards_sets.iter().find(|set| set.id == evaluation.standards_set_id).is_some_and(|set| {
            set.standards.iter().all(|st| evaluation.scores.iter().any(|score| score.standard_id == st.id))
        });
    let old::EvaluationSummary { band_id, mean_score, results, weakest, findings } = s;
    new::EvaluationSummary {
        band_id: Some(band_id),
        mean_score,
        complete,
        capped_by: None,
        results: results
            .into_iter()
            .map(|r| {
                let old::StandardResult { standard_id, score, band_id, options } = r;
                new::StandardResult {
                    standard_id,
                    score,
                    band_id,
                    options,
                    ratings: 1,
                    lowest: score,
                    highest: score,
                    mean: f64::from(score),
                }
            })
            .collect(),
        weakest,
        findings: findings.cast(),
    }
}

pub(super) fn describe(w: &Framework, store: &mut Store<Ctx>) -> wasmtime::Result<new::Description> {
    Ok(description(w.call_describe(store)?))
}

pub(super) fn classify(
    w: &Framework,
    store: &mut Store<Ctx>,
    items: &[new::Item],
) -> wasmtime::Result<Result<Vec<new::Classification>, String>> {
    let items: Vec<old::Item> = items.cast();
    Ok(w.call_classify(store, &items)?.map(Cast::cast))
}

pub(super) fn review_schedule(
    w: &Framework,
    store: &mut Store<Ctx>,
    today: &str,
    subjects: &[new::Subject],
) -> wasmtime::Result<Result<Vec<new::ReviewDue>, String>> {
    let subjects: Vec<old::Subject> = subjects.cast();
    Ok(w.call_review_schedule(store, &today.to_owned(), &subjects)?.map(Cast::cast))
}

pub(super) fn validate(
    w: &Framework,
    store: &mut Store<Ctx>,
    today: &str,
    entities: &[new::Entity],
) -> wasmtime::Result<Vec<Vec<new::Finding>>> {
    let entities: Vec<old::Entity> = entities.cast();
    Ok(w.call_validate(store, &today.to_owned(), &entities)?.cast())
}

pub(super) fn stage_gate(
    w: &Framework,
    store: &mut Store<Ctx>,
    today: &str,
    moves: &[new::StageMove],
) -> wasmtime::Result<Vec<Vec<new::Finding>>> {
    let moves: Vec<old::StageMove> = moves.cast();
    Ok(w.call_stage_gate(store, &today.to_owned(), &moves)?.cast())
}

pub(super) fn score_self_evaluation(
    w: &Framework,
    store: &mut Store<Ctx>,
    evaluation: &new::SelfEvaluation,
    framework: &new::Description,
) -> wasmtime::Result<Result<new::EvaluationSummary, String>> {
    let old = match self_evaluation(evaluation) {
        Ok(old) => old,
        Err(refused) => return Ok(Err(refused)),
    };
    Ok(w.call_score_self_evaluation(store, &old)?.map(|s| summary(s, evaluation, framework)))
}

pub(super) fn band(
    w: &Framework,
    store: &mut Store<Ctx>,
    by: new::Dimension,
    counts: &[new::Count],
) -> wasmtime::Result<Result<Vec<new::Banded>, String>> {
    let counts: Vec<old::Count> = counts.cast();
    Ok(w.call_band(store, by.cast(), &counts)?.map(Cast::cast))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(standard: &str, score: u8, rater: Option<&str>) -> new::Score {
        new::Score { standard_id: standard.into(), score, evidence: "Minutes".into(), rater: rater.map(Into::into) }
    }

    fn framework() -> new::Description {
        let standard = |id: &str| new::Standard { id: id.into(), name: id.into(), description: String::new() };
        new::Description {
            id: "old".into(),
            name: "Old".into(),
            version: "1.0.0".into(),
            source: "A plan".into(),
            stages: vec![],
            levels: vec![],
            levels_of_need: vec![],
            age_bands: vec![],
            areas: vec![],
            bodies: vec![],
            standards_sets: vec![new::StandardsSet {
                id: "set".into(),
                name: "Set".into(),
                standards: vec![standard("a"), standard("b")],
                min_score: 1,
                max_score: 4,
                bands: vec![],
            }],
            calendar: vec![],
            notes: vec![],
            attribute_definitions: vec![],
            rules: vec![],
        }
    }

    #[test]
    fn a_single_rating_goes_down_without_its_rater_and_two_of_one_standard_are_refused() {
        let e = new::SelfEvaluation {
            standards_set_id: "set".into(),
            scores: vec![score("a", 3, Some("Partnership")), score("b", 2, None)],
        };
        let old = self_evaluation(&e).unwrap();
        assert_eq!(
            old.scores.iter().map(|s| (s.standard_id.as_str(), s.score)).collect::<Vec<_>>(),
            [("a", 3), ("b", 2)]
        );
        let twice = new::SelfEvaluation {
            standards_set_id: "set".into(),
            scores: vec![score("a", 3, Some("Partnership")), score("b", 2, None), score("a", 1, Some("Survey"))],
        };
        let refused = self_evaluation(&twice).unwrap_err();
        assert!(refused.starts_with("scores[2]: standard \"a\" is rated more than once"), "{refused}");
        assert!(refused.contains("commissioning:framework@1.0.0"), "{refused}");
    }

    #[test]
    fn a_summary_comes_up_with_its_band_completeness_and_spread() {
        let old = old::EvaluationSummary {
            band_id: "good".into(),
            mean_score: 3.0,
            results: vec![old::StandardResult {
                standard_id: "a".into(),
                score: 3,
                band_id: "good".into(),
                options: vec![],
            }],
            weakest: vec!["a".into()],
            findings: vec![old::Finding {
                severity: old::Severity::Warning,
                code: "w".into(),
                message: "m".into(),
                field: None,
                source: None,
            }],
        };
        let partial = new::SelfEvaluation { standards_set_id: "set".into(), scores: vec![score("a", 3, None)] };
        let s = summary(old.clone(), &partial, &framework());
        assert_eq!((s.band_id.as_deref(), s.complete, s.capped_by.as_deref()), (Some("good"), false, None));
        let r = &s.results[0];
        assert_eq!((r.ratings, r.lowest, r.highest, r.mean), (1, 3, 3, 3.0));
        assert_eq!(s.findings[0].severity, new::Severity::Warning);
        let whole = new::SelfEvaluation {
            standards_set_id: "set".into(),
            scores: vec![score("a", 3, None), score("b", 3, None)],
        };
        assert!(summary(old.clone(), &whole, &framework()).complete);
        // A set the framework does not describe is never complete.
        let unknown = new::SelfEvaluation { standards_set_id: "other".into(), ..whole };
        assert!(!summary(old, &unknown, &framework()).complete);
    }
}
