//! A test program for the host: describe repeats a stage id and has an age band that ends before it starts.
//! Every other function is the national baseline's.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct Plugin;
commissioning_sdk::export!(Plugin);

impl Guest for Plugin {
    fn describe() -> Description {
        let mut d = NationalBaseline::describe();
        d.id = "bad-describe".into();
        let first = d.stages[0].clone();
        d.stages.push(first);
        d.age_bands[1].max_age = Some(1);
        d
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        NationalBaseline::classify(items)
    }

    fn review_schedule(today: String, subjects: Vec<Subject>) -> Result<Vec<ReviewDue>, String> {
        NationalBaseline::review_schedule(today, subjects)
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
