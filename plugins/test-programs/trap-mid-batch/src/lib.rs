//! A test program for the host: classify handles items until it meets one with id "boom", then panics.
//! Every other function is the national baseline's.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct Plugin;
commissioning_sdk::export!(Plugin);

impl Guest for Plugin {
    fn describe() -> Description {
        NationalBaseline::describe()
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        let mut out = Vec::new();
        for item in &items {
            if item.id == "boom" {
                panic!("cannot classify {}", item.id);
            }
            out.extend(NationalBaseline::classify(vec![item.clone()])?);
        }
        Ok(out)
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
