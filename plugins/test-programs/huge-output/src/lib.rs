//! A test program for the host: classify answers with megabytes of text.
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
        let filler = "x".repeat(4096);
        let mut out = Vec::new();
        for i in 0..1000 {
            out.push(Classification {
                item_id: format!("item-{i}"),
                level: filler.clone(),
                body: "b".into(),
                rationale: String::new(),
                source: None,
            });
        }
        let _ = items;
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
