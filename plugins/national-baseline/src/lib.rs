//! The `national-baseline` plugin: the DCSF nine-step commissioning cycle and the five
//! outcomes, for a council that signs up without a framework of its own. The rules live in the
//! SDK (`commissioning_sdk::baseline`) so other plugins can build on them.

pub use commissioning_sdk::baseline::NationalBaseline;

commissioning_sdk::export!(NationalBaseline);

#[cfg(test)]
mod tests {
    use super::*;
    use commissioning_sdk::*;

    fn subject(start: &str, end: Option<&str>) -> Subject {
        Subject {
            id: "c1".into(),
            kind: "contract".into(),
            title: "Parenting".into(),
            contract_kind: Some("block".into()),
            tier: Some("targeted".into()),
            start: start.into(),
            end: end.map(str::to_string),
            value_pence: 100,
            attributes: vec![],
        }
    }

    #[test]
    fn the_cycle_has_the_nine_dcsf_steps_in_order() {
        let f = NationalBaseline::describe();
        assert_eq!(f.stages.len(), 9);
        assert_eq!(f.stages[0].name, "Look at outcomes for children and young people");
        assert_eq!(f.stages[8].name, "Monitor and review services and process");
    }

    #[test]
    fn a_three_year_contract_gets_two_annual_reviews_and_a_recommissioning_decision() {
        let r = NationalBaseline::review_schedule("2026-11-24".into(), vec![subject("2026-04-01", Some("2029-03-31"))])
            .unwrap();
        let got: Vec<(&str, &str)> = r.iter().map(|x| (x.kind.as_str(), x.due.as_str())).collect();
        assert_eq!(got, vec![("annual", "2027-04-01"), ("annual", "2028-04-01"), ("end-of-contract", "2028-09-30")]);
    }

    #[test]
    fn stages_are_taken_in_order() {
        let mv = |from: Option<&str>, to: &str| StageMove {
            project_id: "p".into(),
            from_stage: from.map(str::to_string),
            to_stage: to.into(),
            attributes: vec![],
        };
        let gate = NationalBaseline::stage_gate(
            "2026-11-24".into(),
            vec![
                mv(None, "look-at-outcomes"),
                mv(Some("look-at-outcomes"), "commission"),
                mv(Some("commission"), "needs-assessment"),
                mv(Some("look-at-outcomes"), "nowhere"),
            ],
        );
        assert!(gate[0].is_empty());
        assert_eq!(gate[1][0].code, "skips-a-stage");
        assert!(gate[2].is_empty(), "going back is allowed");
        assert_eq!(gate[3][0].code, "unknown-stage");
    }

    #[test]
    fn bad_dates_are_refused_not_guessed() {
        assert!(
            NationalBaseline::review_schedule("2026-11-24".into(), vec![subject("2026-13-01", None)])
                .unwrap_err()
                .contains("subjects[0].start")
        );
        assert!(
            NationalBaseline::review_schedule("2026-11-24".into(), vec![subject("2027-01-01", Some("2026-01-01"))])
                .is_err()
        );
    }
}
