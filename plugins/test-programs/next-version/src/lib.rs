//! Test program: the national baseline's rules under a newer version number, as an operator
//! would add a new release of a framework. Conformant, so only the approval step stands between
//! it and the councils.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct NextVersion;

impl Guest for NextVersion {
    fn describe() -> Description {
        Description { version: "1.1.1".into(), ..NationalBaseline::describe() }
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

commissioning_sdk::export!(NextVersion);
