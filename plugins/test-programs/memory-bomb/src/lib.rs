//! A test program for the host: classify allocates until memory runs out.
//! Every other function is the national baseline's.

use commissioning_sdk::baseline::NationalBaseline;
use commissioning_sdk::*;

struct Plugin;
commissioning_sdk::export!(Plugin);

fn unreachable_classification() -> Classification {
    Classification {
        item_id: String::new(),
        level: String::new(),
        body: String::new(),
        rationale: String::new(),
        source: None,
    }
}

impl Guest for Plugin {
    fn describe() -> Description {
        NationalBaseline::describe()
    }

    fn classify(items: Vec<Item>) -> Result<Vec<Classification>, String> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 1 << 20]);
            std::hint::black_box(&hoard);
            if hoard.len() > 1 << 20 {
                return Ok(items.iter().map(|_| unreachable_classification()).collect());
            }
        }
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
