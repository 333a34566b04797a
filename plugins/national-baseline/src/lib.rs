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

    #[test]
    fn data_checks_refuse_what_they_cannot_read() {
        // Children Act 2004, section 11: every provider shows how it safeguards children; "no"
        // is not evidence. The five outcomes: a priority names one of them.
        let e = |kind: &str, pairs: &[(&str, &str)]| Entity {
            id: "e".into(),
            kind: kind.into(),
            attributes: pairs.iter().map(|(k, v)| attribute(k, v)).collect(),
        };
        let found = NationalBaseline::validate(
            "2026-11-24".into(),
            vec![
                e("provider", &[("safeguarding_evidence", "no")]),
                e("priority", &[("outcome", "Be Healthy")]),
                e("priority", &[("outcome", "be wealthy")]),
                e("contract", &[("start", "2026-13-01"), ("value_pence", "-5")]),
                e("service", &[("tier", "specilist"), ("ages", "19-0")]),
            ],
        );
        assert_eq!(found[0][0].code, "no-safeguarding-evidence");
        assert!(found[1].is_empty(), "{:?}", found[1]);
        assert_eq!(found[2][0].field.as_deref(), Some("outcome"));
        let codes = |i: usize| found[i].iter().map(|f| f.code.as_str()).collect::<Vec<_>>();
        assert_eq!(codes(3), ["bad-date", "negative-value"]);
        assert_eq!(codes(4), ["bad-choice", "bad-age-range"]);
    }

    #[test]
    fn tiers_are_read_as_written_and_unknown_ones_refused() {
        // A tier written "Specialist" is specialist; "specilist" is none of the three and is
        // refused, never quietly taken as universal or targeted.
        let item = |tier: &str| Item {
            id: "s".into(),
            kind: "service".into(),
            tier: Some(tier.into()),
            level_of_need: None,
            area: None,
            attributes: vec![],
        };
        let c = NationalBaseline::classify(vec![item("Specialist")]).unwrap();
        assert_eq!((c[0].level.as_str(), c[0].body.as_str()), ("strategic", "trust-board"));
        let e = NationalBaseline::classify(vec![item("specilist")]).unwrap_err();
        assert!(e.contains("universal, targeted, specialist"), "{e}");
    }

    #[test]
    fn schedules_do_not_depend_on_today() {
        let open = vec![subject("2019-05-01", None)];
        let a = NationalBaseline::review_schedule("2020-01-01".into(), open.clone()).unwrap();
        let b = NationalBaseline::review_schedule("2031-07-15".into(), open).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a[0].due, "2020-05-01");
    }

    #[test]
    fn an_incomplete_self_evaluation_has_no_band() {
        // One step of nine scored is not a self-evaluation: no overall band until all are.
        let one = NationalBaseline::score_self_evaluation(SelfEvaluation {
            standards_set_id: "commissioning-cycle".into(),
            scores: vec![Score { standard_id: "look-at-outcomes".into(), score: 4, evidence: "x".into(), rater: None }],
        })
        .unwrap();
        assert!(!one.complete);
        assert_eq!(one.band_id, None);
        assert!(one.findings.iter().any(|f| f.code == "incomplete"));
        let all = NationalBaseline::score_self_evaluation(SelfEvaluation {
            standards_set_id: "commissioning-cycle".into(),
            scores: commissioning_sdk::baseline::STAGES
                .iter()
                .enumerate()
                .map(|(i, (id, ..))| Score {
                    standard_id: (*id).into(),
                    score: if i == 0 { 2 } else { 3 },
                    evidence: "x".into(),
                    rater: None,
                })
                .collect(),
        })
        .unwrap();
        assert!(all.complete);
        assert_eq!(all.band_id.as_deref(), Some("developing"), "mean {} is not yet 3", all.mean_score);
        assert!((all.mean_score - 26.0 / 9.0).abs() < 1e-9, "the mean is shown unrounded");
    }

    #[test]
    fn the_readme_rules_table_matches_describe_and_names_real_tests() {
        let problems = rules_table_problems(
            &NationalBaseline::describe().rules,
            include_str!("../README.md"),
            include_str!("lib.rs"),
        );
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
