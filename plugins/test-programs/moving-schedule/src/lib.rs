//! Test program: review-schedule puts each subject's review three months after the day it is
//! asked, so the dates move with today instead of following the subjects. Every other function
//! is the national baseline's.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct Plugin;
commissioning_sdk::export!(Plugin);

impl Guest for Plugin {
    fn describe() -> Description {
        NationalBaseline::describe()
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        NationalBaseline::classify(items)
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        let due = add_months(date("today", &today)?, 3);
        Ok(subjects.iter().map(|s| review(s, "annual", "Review", due, "commissioning-group", "")).collect())
    }

    fn validate(today: String, entities: Vec<Entity>) -> Vec<Vec<Finding>> {
        NationalBaseline::validate(today, entities)
    }

    fn stage_gate(today: String, moves: Vec<StageMove>) -> Vec<Vec<Finding>> {
        NationalBaseline::stage_gate(today, moves)
    }

    fn score_self_evaluation(evaluation: SelfEvaluation) -> Result<EvaluationSummary, String> {
        NationalBaseline::score_self_evaluation(evaluation)
    }

    fn band(by: Dimension, counts: Vec<Count>) -> Result<Vec<Banded>, String> {
        NationalBaseline::band(by, counts)
    }
}
