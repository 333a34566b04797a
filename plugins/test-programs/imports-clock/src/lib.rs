//! A test program for the host: describe reads the wall clock, which a plugin may not import.
//! Every other function is the national baseline's.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct Plugin;
commissioning_sdk::export!(Plugin);

impl Guest for Plugin {
    fn describe() -> Description {
        let mut d = NationalBaseline::describe();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        d.notes.push(format!("described at {now}"));
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
