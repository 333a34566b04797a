use super::*;

fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
    pairs.iter().map(|(k, v)| attribute(k, v)).collect()
}

fn item(level: Option<&str>, tier: Option<&str>, area: Option<&str>, a: &[(&str, &str)]) -> Item {
    Item {
        id: "x".into(),
        kind: "service".into(),
        tier: tier.map(str::to_string),
        level_of_need: level.map(str::to_string),
        area: area.map(str::to_string),
        attributes: attrs(a),
    }
}

fn entity(kind: &str, a: &[(&str, &str)]) -> Entity {
    Entity { id: "e".into(), kind: kind.into(), attributes: attrs(a) }
}

fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|x| x.code.as_str()).collect()
}

fn contract_subject(start: &str, end: Option<&str>) -> Subject {
    Subject {
        id: "c".into(),
        kind: "contract".into(),
        title: "Youth inclusion".into(),
        contract_kind: Some("block".into()),
        tier: Some("targeted".into()),
        start: start.into(),
        end: end.map(str::to_string),
        value_pence: 1,
        attributes: vec![],
    }
}

fn qa(r: &[ReviewDue]) -> Vec<&str> {
    r.iter().filter(|r| r.kind == "quarterly-qa").map(|r| r.due.as_str()).collect()
}

/// A voluntary and community provider meeting every criterion of section 9.1.
const VCS_OK: [(&str, &str); 9] = [
    ("sector", "voluntary_community"),
    ("safeguarding_evidence", "Safe Organisation Checklist signed off 2026"),
    ("southwark_beneficiaries_percent", "85"),
    ("beneficiary_ages", "0-19"),
    ("safe_organisation_checklist", "yes"),
    ("enhanced_checks_all_staff", "yes"),
    ("management_information_system", "yes"),
    ("young_people_involved", "yes"),
    ("special_needs", "no"),
];

fn vcs_with(changes: &[(&str, &str)]) -> Entity {
    let mut a: Vec<(&str, &str)> =
        VCS_OK.iter().copied().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
    a.extend(changes.iter().copied().filter(|(_, v)| !v.is_empty()));
    entity("provider", &a)
}

fn procurement(a: &[(&str, &str)]) -> StageMove {
    StageMove {
        project_id: "p".into(),
        from_stage: Some("decision-period".into()),
        to_stage: "procurement".into(),
        attributes: attrs(a),
    }
}

#[test]
fn levels_one_and_two_are_commissioned_in_the_four_quadrants() {
    // Sections 3 and 3.2: levels 1 and 2 through locality provision, in four quadrants.
    let c = Southwark::classify(vec![
        item(Some("2"), None, Some("Peckham and Nunhead and Peckham Rye"), &[]),
        item(Some("1"), None, Some("camberwell-and-dulwich"), &[]),
    ])
    .unwrap();
    assert_eq!(c[0].level, "locality");
    assert_eq!(c[0].body, "locality-peckham-and-nunhead-and-peckham-rye");
    assert_eq!(c[1].body, "locality-camberwell-and-dulwich");
    assert_eq!(Southwark::describe().areas.len(), 4);
}

#[test]
fn higher_needs_are_borough_wide_and_individual_commissioning_is_spot_purchase() {
    // Section 3: higher level needs borough-wide or cross-borough; section 3.3: spot purchasing.
    let c = Southwark::classify(vec![
        item(Some("3"), None, Some("Bermondsey and Rotherhithe"), &[]),
        item(Some("2"), None, None, &[("contract_kind", "spot")]),
        item(Some("1"), None, None, &[("individual", "yes")]),
    ])
    .unwrap();
    assert_eq!((c[0].level.as_str(), c[0].body.as_str()), ("borough-wide", "young-southwark"));
    assert_eq!((c[1].level.as_str(), c[1].body.as_str()), ("individual", "lead-practitioners"));
    assert_eq!(c[2].level, "individual");
    assert!(Southwark::classify(vec![item(None, None, None, &[])]).is_err());
    // An individual flag that is neither yes nor no is refused, not read as no.
    let e = Southwark::classify(vec![item(Some("1"), None, None, &[("individual", "perhaps")])]).unwrap_err();
    assert!(e.contains("individual") && e.contains("\"x\""), "{e}");
}

#[test]
fn level_one_or_two_with_no_quadrant_is_borough_wide_by_the_unit() {
    // Section 3.1: the commissioning unit supports commissioning on a borough wide basis; a level
    // 1-2 item placed in no quadrant is commissioned there.
    let c = Southwark::classify(vec![item(Some("2"), None, None, &[])]).unwrap();
    assert_eq!((c[0].level.as_str(), c[0].body.as_str()), ("borough-wide", "commissioning-unit"));
    assert!(c[0].rationale.contains("No quadrant was given"), "{}", c[0].rationale);
}

#[test]
fn an_item_without_a_level_takes_it_from_its_tier_and_an_unknown_tier_is_refused() {
    // Section 3: services are commissioned according to levels of need; the tier stands in for
    // a missing level (universal 1, targeted 2, specialist 3).
    let c = Southwark::classify(vec![
        item(None, Some("targeted"), Some("Dulwich"), &[]),
        item(None, Some("Specialist"), None, &[]),
    ])
    .unwrap();
    assert_eq!(c[0].body, "locality-camberwell-and-dulwich");
    assert!(c[0].rationale.contains("from tier targeted"), "{}", c[0].rationale);
    assert_eq!(c[1].body, "young-southwark");
    let e = Southwark::classify(vec![item(None, Some("middling"), None, &[])]).unwrap_err();
    assert!(e.contains("universal, targeted, specialist"), "{e}");
}

#[test]
fn unknown_levels_of_need_are_refused_naming_the_accepted_ones() {
    // Section 3: levels 1 and 2 locally, level 3 and higher needs borough wide. "4" is none of
    // the modelled levels: refused alone and with a tier alike (it used to fall back to the
    // tier and go to a locality team).
    for it in [item(Some("4"), None, None, &[]), item(Some("4"), Some("universal"), Some("Peckham"), &[])] {
        let e = Southwark::classify(vec![it]).unwrap_err();
        assert!(e.contains("\"x\"") && e.contains("\"4\"") && e.contains("1, 2, 3"), "{e}");
    }
    // Written as people write them.
    let c = Southwark::classify(vec![
        item(Some("Level 2"), None, Some("Walworth"), &[]),
        item(Some("3+"), None, None, &[]),
    ])
    .unwrap();
    assert_eq!(c[0].level, "locality");
    assert_eq!(c[1].body, "young-southwark");
    // The item's attribute may carry the level, but not a different one.
    let c = Southwark::classify(vec![item(None, None, None, &[("level_of_need", "3")])]).unwrap();
    assert_eq!(c[0].body, "young-southwark");
    assert!(Southwark::classify(vec![item(Some("1"), None, None, &[("level_of_need", "3")])]).is_err());
    // validate: a finding on the field.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![entity("service", &[("level_of_need", "4")]), entity("service", &[("level_of_need", "level 1")])],
    );
    let bad: Vec<&Finding> = f[0].iter().filter(|x| x.field.as_deref() == Some("level_of_need")).collect();
    assert_eq!(bad.len(), 1, "{:?}", f[0]);
    assert_eq!(bad[0].code, "unknown-level-of-need");
    assert!(bad[0].message.contains("1, 2, 3"), "{}", bad[0].message);
    assert!(!f[1].iter().any(|x| x.field.as_deref() == Some("level_of_need")), "{:?}", f[1]);
}

#[test]
fn quadrants_are_matched_as_people_write_them_and_unknown_ones_refused() {
    // Section 3.2: the locality teams are based in four quadrants. A place a quadrant is named
    // after names it unambiguously; an unknown area is refused naming the four, never read as
    // "no quadrant given".
    let c = Southwark::classify(vec![
        item(Some("2"), None, Some("Peckham"), &[]),
        item(Some("2"), None, Some("PECKHAM & NUNHEAD"), &[]),
        item(Some("1"), None, Some("Bermondsey, Rotherhithe"), &[]),
        item(Some("1"), None, Some("bermondsey-and-rotherhithe"), &[]),
        item(Some("1"), None, Some("Borough & Bankside"), &[]),
        item(Some("2"), None, Some("peckham rye"), &[]),
    ])
    .unwrap();
    assert_eq!(c[0].body, "locality-peckham-and-nunhead-and-peckham-rye");
    assert!(
        c[0].rationale.contains("Peckham and Nunhead and Peckham Rye quadrant (given as \"Peckham\")"),
        "{}",
        c[0].rationale
    );
    assert!(!c[0].rationale.contains("No quadrant"));
    assert_eq!(c[1].body, c[0].body);
    assert_eq!(c[2].body, "locality-bermondsey-and-rotherhithe");
    assert_eq!(c[3].body, "locality-bermondsey-and-rotherhithe");
    assert_eq!(c[4].body, "locality-borough-and-bankside-and-walworth");
    assert_eq!(c[5].body, c[0].body);
    let all_four = "Bermondsey and Rotherhithe; Borough and Bankside and Walworth; Peckham and Nunhead and Peckham Rye; Camberwell and Dulwich";
    for area in ["Narnia", "Peckham and Dulwich", "Borough", "borough-wide", "East Dulwich"] {
        let e = Southwark::classify(vec![item(Some("2"), None, Some(area), &[])]).unwrap_err();
        assert!(e.contains("\"x\"") && e.contains(all_four), "{area}: {e}");
    }
    // Higher needs are borough-wide, but an unknown quadrant is still refused.
    assert!(Southwark::classify(vec![item(Some("3"), None, Some("Narnia"), &[])]).is_err());
    // validate: a finding naming the four.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![entity("service", &[("area", "Narnia")]), entity("service", &[("area", "Nunhead")])],
    );
    let bad: Vec<&Finding> = f[0].iter().filter(|x| x.field.as_deref() == Some("area")).collect();
    assert_eq!(bad.len(), 1, "{:?}", f[0]);
    assert_eq!(bad[0].code, "unknown-quadrant");
    assert!(bad[0].message.contains(all_four), "{}", bad[0].message);
    assert!(!f[1].iter().any(|x| x.field.as_deref() == Some("area")), "{:?}", f[1]);
}

#[test]
fn eleven_standards() {
    // Section 5: the eleven principles used when commissioning services.
    let s = &Southwark::describe().standards_sets[0];
    assert_eq!(s.standards.len(), 11);
    assert_eq!(s.standards[10].name, "Safeguarding and promoting the welfare of children");
}

#[test]
fn weak_safeguarding_caps_the_self_evaluation_and_an_incomplete_one_has_no_band() {
    // Section 5: all commissioned services have adequate safeguarding procedures in place;
    // section 2: the safeguarding of children is upheld. Rated 1-4, 3 and above met.
    let score = |id: &str, n: u8| Score { standard_id: id.into(), score: n, evidence: "seen".into(), rater: None };
    let all = |safeguarding: u8| SelfEvaluation {
        standards_set_id: "commissioning-standards".into(),
        scores: STANDARDS
            .iter()
            .map(|(id, _)| score(id, if *id == "safeguarding" { safeguarding } else { 4 }))
            .collect(),
    };
    let capped = Southwark::score_self_evaluation(all(1)).unwrap();
    assert_eq!(capped.band_id.as_deref(), Some("not-met"));
    assert_eq!(capped.capped_by.as_deref(), Some("safeguarding"));
    let met = Southwark::score_self_evaluation(all(3)).unwrap();
    assert_eq!((met.band_id.as_deref(), met.capped_by), (Some("met"), None));
    let mut partial = all(4);
    partial.scores.truncate(5);
    let p = Southwark::score_self_evaluation(partial).unwrap();
    assert!(!p.complete && p.band_id.is_none());
}

#[test]
fn the_service_redesign_process_and_its_procurement_routes() {
    // Section 8: preparation, review, child's journey, consultation, decision, procurement; the
    // routes re-commission, decommission, tender, strategic partnering (large contracts only).
    let d = Southwark::describe();
    assert_eq!(
        d.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        [
            "Preparation",
            "Review",
            "Redesigning the child's journey",
            "Formal consultation",
            "Decision period",
            "Procurement"
        ]
    );
    let f = Southwark::stage_gate(
        "2026-11-24".into(),
        vec![
            procurement(&[("specification_agreed_by", "SMT"), ("procurement_route", "tender")]),
            procurement(&[
                ("specification_agreed_by", "SMT"),
                ("procurement_route", "strategic-partnering"),
                ("value_pence", "20000000"),
            ]),
            procurement(&[
                ("specification_agreed_by", "SMT"),
                ("procurement_route", "strategic-partnering"),
                ("value_pence", "500000000"),
            ]),
            procurement(&[("procurement_route", "outsource")]),
            procurement(&[("specification_agreed_by", "Project board"), ("procurement_route", "Re-commission")]),
        ],
    );
    assert!(f[0].is_empty());
    assert_eq!(f[1][0].code, "strategic-partnering-large-only");
    assert!(f[2].is_empty());
    assert_eq!(codes(&f[3]), ["specification-agreed", "procurement-route"]);
    assert!(f[3][1].message.contains("re-commission, decommission, tender, strategic-partnering"));
    assert!(f[4].is_empty(), "{:?}", f[4]);
    // One stage at a time.
    let skip = StageMove {
        project_id: "p".into(),
        from_stage: Some("preparation".into()),
        to_stage: "formal-consultation".into(),
        attributes: attrs(&[("user_consultation", "yes")]),
    };
    assert_eq!(codes(&Southwark::stage_gate("2026-11-24".into(), vec![skip])[0]), ["skips-a-stage"]);
}

#[test]
fn user_consultation_and_decommissioning_evidence_are_recorded() {
    // Section 8: "ensure user consultation is involved in this process" (redesigning the child's
    // journey); decommission where services are not meeting the needs of the population, and
    // section 5: decommissioned if effectiveness cannot be demonstrated.
    let consult = |a: &[(&str, &str)]| StageMove {
        project_id: "p".into(),
        from_stage: Some("childs-journey".into()),
        to_stage: "formal-consultation".into(),
        attributes: attrs(a),
    };
    let f = Southwark::stage_gate(
        "2026-11-24".into(),
        vec![
            consult(&[("user_consultation", "yes")]),
            consult(&[("user_consultation", "no")]),
            consult(&[]),
            consult(&[("user_consultation", "maybe")]),
            procurement(&[("specification_agreed_by", "SMT"), ("procurement_route", "decommission")]),
        ],
    );
    assert!(f[0].is_empty());
    assert_eq!(codes(&f[1]), ["user-consultation"]);
    assert_eq!(codes(&f[2]), ["user-consultation"]);
    assert_eq!(codes(&f[3]), ["bad-yes-no"]);
    assert_eq!((f[4][0].code.as_str(), f[4][0].severity), ("decommission-evidence", Severity::Warning));
}

#[test]
fn contract_values_are_read_in_pounds_and_never_as_zero() {
    // Section 8, procurement: strategic partnering only for large contracts (£1,000,000 or
    // more, the plugin's figure). "1,000,000" used to be read as 0 and refused.
    let sp = |a: &[(&str, &str)]| {
        let mut all = vec![("specification_agreed_by", "SMT"), ("procurement_route", "Strategic partnering")];
        all.extend_from_slice(a);
        procurement(&all)
    };
    let f = Southwark::stage_gate(
        "2026-11-24".into(),
        vec![
            sp(&[("contract_value", "1,000,000")]),
            sp(&[("contract_value", "£2,500,000.00")]),
            sp(&[("contract_value", "£999,999.99")]),
            sp(&[]),
            sp(&[("contract_value", "lots")]),
            sp(&[("value_pence", "1,000,000")]),
            sp(&[("contract_value", "1,000,000"), ("value_pence", "100000000")]),
            sp(&[("contract_value", "1,000,000"), ("value_pence", "5")]),
        ],
    );
    assert!(f[0].is_empty(), "{:?}", f[0]);
    assert!(f[1].is_empty(), "{:?}", f[1]);
    assert_eq!(codes(&f[2]), ["strategic-partnering-large-only"]);
    assert!(f[2][0].message.contains("£999,999.99"), "{}", f[2][0].message);
    assert_eq!(codes(&f[3]), ["strategic-partnering-value"]);
    assert_eq!(codes(&f[4]), ["bad-money"]);
    assert_eq!(f[4][0].field.as_deref(), Some("contract_value"));
    assert_eq!(codes(&f[5]), ["bad-money"]);
    assert!(f[6].is_empty(), "{:?}", f[6]);
    assert_eq!(codes(&f[7]), ["contract-value-mismatch"]);
}

#[test]
fn vcs_providers_meet_the_commissioning_criteria() {
    // Section 9.1: at least 80% of beneficiaries Southwark young people aged 0-19 (11-25 with
    // special needs), safe organisation checklist, enhanced checks for all staff and volunteers,
    // a management information system, young people involved.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            vcs_with(&[]),
            vcs_with(&[("southwark_beneficiaries_percent", "79.5")]),
            vcs_with(&[("beneficiary_ages", "20-25")]),
            vcs_with(&[("beneficiary_ages", "11-25"), ("special_needs", "yes")]),
            vcs_with(&[("enhanced_checks_all_staff", "no")]),
            vcs_with(&[("management_information_system", "")]),
            vcs_with(&[("young_people_involved", "sometimes")]),
            vcs_with(&[("beneficiary_ages", "20-25"), ("special_needs", "yes")]),
        ],
    );
    assert!(f[0].is_empty(), "{:?}", f[0]);
    assert_eq!(codes(&f[1]), ["local-beneficiaries"]);
    assert_eq!(codes(&f[2]), ["beneficiary-ages"]);
    assert!(f[3].is_empty(), "{:?}", f[3]);
    assert_eq!(codes(&f[4]), ["enhanced-checks-all-staff"]);
    assert_eq!(codes(&f[5]), ["management-information-system"]);
    assert_eq!(codes(&f[6]), ["bad-yes-no"]);
    assert!(f[7].is_empty(), "{:?}", f[7]);
}

#[test]
fn the_special_needs_range_widens_the_age_criterion_which_is_a_share() {
    // Section 9.1: "the majority (at least 80%) of beneficiaries ... should be Southwark young
    // people aged from birth to 19 years (or 11 to 25 years for young people with special
    // needs)". The special-needs range adds to 0-19; and the criterion is a share, not a bound
    // on every beneficiary.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            vcs_with(&[("special_needs", "yes"), ("beneficiary_ages", "0-19")]),
            vcs_with(&[("special_needs", "yes"), ("beneficiary_ages", "5-15")]),
            vcs_with(&[("beneficiary_ages", "0-20"), ("southwark_beneficiaries_percent", "90")]),
            vcs_with(&[("beneficiary_ages", "0-25"), ("southwark_beneficiaries_percent", "80%")]),
            vcs_with(&[("beneficiary_ages", "0-20"), ("southwark_beneficiaries_percent", "70")]),
            vcs_with(&[("southwark_beneficiaries_percent", "")]),
        ],
    );
    for (i, found) in f[..4].iter().enumerate() {
        assert!(found.is_empty(), "{i}: {found:?}");
    }
    assert_eq!(codes(&f[4]), ["local-beneficiaries"]);
    assert_eq!(codes(&f[5]), ["missing-southwark-beneficiaries-percent"]);
}

#[test]
fn shares_must_be_real_shares() {
    // Section 9.1: the criterion is a share of beneficiaries, a per cent from 0 to 100.
    // "NaN", "inf" and "150" used to be accepted.
    let f = Southwark::validate(
        "2026-11-24".into(),
        ["NaN", "inf", "150", "-5", "eighty"]
            .iter()
            .map(|v| vcs_with(&[("southwark_beneficiaries_percent", v)]))
            .collect(),
    );
    for found in &f {
        assert_eq!(codes(found), ["bad-share"], "{found:?}");
        assert_eq!(found[0].field.as_deref(), Some("southwark_beneficiaries_percent"));
    }
}

#[test]
fn the_criteria_apply_to_the_voluntary_sector_and_every_provider_shows_safeguarding() {
    // Section 9: VCS commissioning (the criteria of 9.1); section 4 and the baseline: every
    // provider shows its safeguarding (Children Act 2004, section 11). A private or statutory
    // provider without safeguarding evidence used to pass clean.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            entity("provider", &[("sector", "independent_private")]),
            entity("provider", &[("sector", "Statutory"), ("safeguarding_evidence", "no")]),
            entity("provider", &[("sector", "statutory"), ("safeguarding_evidence", "Section 11 audit 2026")]),
            entity("provider", &[("safeguarding_evidence", "Section 11 audit 2026")]),
            entity("provider", &[("sector", "charity"), ("safeguarding_evidence", "Section 11 audit 2026")]),
            entity("vcs-application", &[("southwark_beneficiaries_percent", "90")]),
        ],
    );
    assert_eq!(codes(&f[0]), ["no-safeguarding-evidence"]);
    assert_eq!(codes(&f[1]), ["no-safeguarding-evidence"]);
    assert!(f[2].is_empty(), "{:?}", f[2]);
    assert_eq!(codes(&f[3]), ["missing-sector"]);
    assert_eq!(codes(&f[4]), ["bad-choice"]);
    assert!(f[4][0].message.contains("statutory, voluntary_community, independent_private"));
    assert_eq!(
        codes(&f[5]),
        [
            "safe-organisation-checklist",
            "enhanced-checks-all-staff",
            "management-information-system",
            "young-people-involved"
        ]
    );
}

#[test]
fn three_year_contracts_are_preferred() {
    // Section 10: three year contracts where appropriate preferred over one year SLAs.
    let c = |start: &str, end: &str, kind: &str| {
        entity("contract", &[("start", start), ("end", end), ("contract_kind", kind)])
    };
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            c("2026-04-01", "2027-03-31", "sla"),
            c("2026-04-01", "2029-03-31", "block"),
            c("2026-04-01", "2028-03-31", "block"),
            c("2026-04-01", "2027-03-31", "spot"),
            c("2027-01-31", "2030-01-30", "grant"),
        ],
    );
    assert_eq!(codes(&f[0]), ["three-year-contracts"]);
    assert!(f[1].is_empty(), "{:?}", f[1]);
    assert_eq!(codes(&f[2]), ["three-year-contracts"]);
    assert!(f[3].is_empty(), "{:?}", f[3]);
    assert!(f[4].is_empty(), "{:?}", f[4]);
}

#[test]
fn contract_dates_must_be_real_and_in_order() {
    // Section 10: contracts are legally binding, recorded on the council's contracts register;
    // the baseline's data checks are composed with the framework's own. A contract ending
    // before it starts, or on 2026-13-01, used to get only the three-year warning or nothing.
    let c = |start: &str, end: &str| entity("contract", &[("start", start), ("end", end), ("contract_kind", "sla")]);
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            c("2027-04-01", "2026-04-01"),
            c("2026-04-01", "2026-13-01"),
            entity("contract", &[("end", "2029-03-31")]),
            entity("contract", &[("start", "2026-04-01"), ("end", "2029-03-31"), ("contract_kind", "loan")]),
            entity("contract", &[("start", "2026-04-01"), ("value_pence", "-5")]),
        ],
    );
    assert_eq!(codes(&f[0]), ["ends-before-start"]);
    assert_eq!(codes(&f[1]), ["bad-date"]);
    assert_eq!(f[1][0].field.as_deref(), Some("end"));
    assert_eq!(codes(&f[2]), ["missing-start"]);
    assert_eq!(codes(&f[3]), ["bad-choice"]);
    assert_eq!(codes(&f[4]), ["negative-value"]);
    // Priorities and needs link to an outcome; services give known tiers and ages.
    let f = Southwark::validate(
        "2026-11-24".into(),
        vec![
            entity("priority", &[("level_of_need", "3")]),
            entity("service", &[("tier", "middling"), ("ages", "19-0")]),
        ],
    );
    assert_eq!(codes(&f[0]), ["no-outcome"]);
    assert_eq!(codes(&f[1]), ["bad-choice", "bad-age-range"]);
    assert_eq!(Southwark::validate("today".into(), vec![entity("service", &[])])[0][0].code, "bad-today");
}

#[test]
fn services_are_quality_assured_quarterly() {
    // Section 3.1: reviewed and quality assured by the unit on a quarterly basis, in the
    // calendar's quarter months; section 8: then re-commission, decommission or tender.
    let r = Southwark::review_schedule("2026-11-24".into(), vec![contract_subject("2026-04-01", Some("2027-09-30"))])
        .unwrap();
    assert_eq!(qa(&r), ["2026-06-30", "2026-09-30", "2026-12-31", "2027-03-31", "2027-06-30", "2027-09-30"]);
    let decision = r.iter().find(|r| r.kind == "procurement-decision").unwrap();
    assert_eq!((decision.due.as_str(), decision.audience.as_str()), ("2027-03-31", "young-southwark"));
    assert!(r.iter().filter(|r| r.kind == "quarterly-qa").all(|r| r.audience == "commissioning-unit"));
}

#[test]
fn quality_assurance_falls_in_the_calendars_quarter_months_within_the_contract() {
    // Section 3.1: quality assured "on a quarterly basis"; the framework's calendar puts it in
    // March, June, September and December. The schedule used to give January, April, July and
    // October, nothing for a three-month contract, and drifting month ends.
    let calendar: Vec<u8> = Southwark::describe()
        .calendar
        .iter()
        .filter(|c| c.name.starts_with("Quarterly quality assurance"))
        .map(|c| c.start_month)
        .collect();
    let subjects: Vec<Subject> = [
        ("2026-04-01", Some("2026-06-30")),
        ("2027-01-31", Some("2027-12-31")),
        ("2026-01-15", Some("2026-04-14")),
        ("2026-05-10", Some("2026-06-15")),
        ("2025-09-01", None),
    ]
    .iter()
    .enumerate()
    .map(|(i, (start, end))| Subject { id: format!("s{i}"), ..contract_subject(start, *end) })
    .collect();
    let r = Southwark::review_schedule("2026-11-24".into(), subjects.clone()).unwrap();
    let of = |i: usize| Southwark::review_schedule("2026-11-24".into(), vec![subjects[i].clone()]).unwrap();
    assert_eq!(qa(&of(0)), ["2026-06-30"]);
    assert_eq!(qa(&of(1)), ["2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"]);
    assert_eq!(qa(&of(2)), ["2026-03-31"]);
    assert_eq!(qa(&of(3)), ["2026-06-15"], "ends mid-June: the June review is on its last day");
    assert_eq!(of(1).last().unwrap().due, "2027-06-30", "six months before 31 December");
    for rev in &r {
        let s = subjects.iter().find(|s| s.id == rev.subject_id).unwrap();
        let due = date("due", &rev.due).unwrap();
        assert!(due >= date("start", &s.start).unwrap());
        if let Some(end) = &s.end {
            assert!(due <= date("end", end).unwrap(), "{rev:?}");
        }
        if rev.kind == "quarterly-qa" {
            assert!(calendar.contains(&(due.month() as u8)), "{rev:?} is outside the calendar's months");
        }
    }
    let mut months = calendar.clone();
    months.sort_unstable();
    assert_eq!(months, [3, 6, 9, 12]);
}

#[test]
fn the_schedule_is_the_same_whatever_today_is() {
    // Section 3.1: the quarterly rhythm is the framework's, not the day it is asked; a subject
    // with no end lists its first year from its start, whatever today is.
    let fixed =
        vec![contract_subject("2026-04-01", Some("2029-03-31")), contract_subject("2026-01-31", Some("2026-08-31"))];
    let answers: Vec<String> = ["2020-01-01", "2026-11-24", "2028-06-30", "2035-12-31"]
        .iter()
        .map(|t| format!("{:?}", Southwark::review_schedule((*t).into(), fixed.clone()).unwrap()))
        .collect();
    assert!(answers.iter().all(|a| *a == answers[0]));
    let open = vec![contract_subject("2025-09-01", None)];
    let early = Southwark::review_schedule("2026-11-24".into(), open.clone()).unwrap();
    let late = Southwark::review_schedule("2027-11-24".into(), open).unwrap();
    let dues: Vec<&str> = early.iter().map(|r| r.due.as_str()).collect();
    assert_eq!(dues, ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30"]);
    assert_eq!(format!("{late:?}"), format!("{early:?}"));
}

#[test]
fn needs_are_banded_by_the_vcs_ages_and_the_four_quadrants() {
    // Section 9.1 (0-19, 11-25 with special needs) and section 3.2 (the four quadrants); the
    // needs assessment is broken down by locality and updated yearly (section 6.1).
    let count = |age: Option<u8>, area: Option<&str>, value: f64| Count { age, area: area.map(str::to_string), value };
    let by_area = Southwark::band(
        Dimension::Area,
        vec![count(None, Some("Peckham"), 2.0), count(None, Some("Peckham and Nunhead and Peckham Rye"), 3.0)],
    )
    .unwrap();
    assert_eq!(by_area[2].value, 5.0);
    assert!(
        Southwark::band(Dimension::Area, vec![count(None, Some("Narnia"), 1.0)])
            .unwrap_err()
            .contains("Camberwell and Dulwich")
    );
    let by_age = Southwark::band(Dimension::Age, vec![count(Some(12), None, 3.0), count(Some(22), None, 1.0)]).unwrap();
    assert_eq!(by_age.iter().map(|b| b.value).collect::<Vec<_>>(), [0.0, 3.0, 1.0]);
    let d = Southwark::describe();
    assert!(d.calendar.iter().any(|c| c.name == "Needs assessment update" && c.stage_ids == ["review"]));
}

#[test]
fn describe_lists_the_fields_it_reads_and_every_rule_with_its_test() {
    // Every rule the plugin applies is in the rules table, in describe and in README.md, with the
    // test pinning it.
    let d = Southwark::describe();
    let readme = include_str!("../README.md");
    let tests = include_str!("tests.rs");
    let mut ids: Vec<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
    for r in &d.rules {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.id)))
            .unwrap_or_else(|| panic!("README.md has no row for {}", r.id));
        let test = row.trim_end_matches('|').rsplit('|').next().unwrap().trim().trim_matches('`');
        assert!(tests.contains(&format!("fn {test}()")), "{}: no test {test:?}", r.id);
        assert!(row.contains(if r.inferred { "| yes |" } else { "| no |" }), "{}: inferred differs", r.id);
    }
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    let keys: Vec<(&str, &str)> =
        d.attribute_definitions.iter().map(|a| (a.entity_kind.as_str(), a.key.as_str())).collect();
    for wanted in [
        ("provider", "safeguarding_evidence"),
        ("provider", "sector"),
        ("provider", "southwark_beneficiaries_percent"),
        ("provider", "beneficiary_ages"),
        ("provider", "special_needs"),
        ("provider", "enhanced_checks_all_staff"),
        ("vcs-application", "young_people_involved"),
        ("service", "level_of_need"),
        ("service", "area"),
        ("service", "individual"),
        ("priority", "level_of_need"),
        ("contract", "contract_kind"),
        ("stage-move", "procurement_route"),
        ("stage-move", "contract_value"),
        ("stage-move", "user_consultation"),
        ("stage-move", "specification_agreed_by"),
    ] {
        assert!(keys.contains(&wanted), "{wanted:?} is not defined");
    }
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "each field is defined once");
    let route = d.attribute_definitions.iter().find(|a| a.key == "procurement_route").unwrap();
    assert_eq!(route.choices.len(), 4);
    let share = d.attribute_definitions.iter().find(|a| a.key == "southwark_beneficiaries_percent").unwrap();
    assert_eq!(share.kind, AttributeKind::Share);
}

#[test]
fn values_for_the_vcs_criteria_are_read_by_kind_whatever_the_sector() {
    // Section 9.1's criteria bind voluntary and community organisations only, but a statutory
    // provider that gives a share of "NaN" or a yes/no of "maybe" is told so, not passed over.
    let found = Southwark::validate(
        "2026-11-24".into(),
        vec![entity(
            "provider",
            &[
                ("sector", "statutory"),
                ("safeguarding_evidence", "Policy 2024"),
                ("southwark_beneficiaries_percent", "NaN"),
                ("special_needs", "maybe"),
                ("beneficiary_ages", "19-0"),
            ],
        )],
    );
    let fields: Vec<&str> = found[0].iter().filter_map(|f| f.field.as_deref()).collect();
    assert_eq!(fields, ["southwark_beneficiaries_percent", "beneficiary_ages", "special_needs"], "{:?}", found[0]);
}

#[test]
fn an_area_names_each_place_once_and_a_very_long_one_is_refused_without_a_trap() {
    // Section 3.2: the four quadrants are named after their places; a place repeated, or a
    // value thousands of letters long, names no quadrant.
    let repeated = "Peckham and ".repeat(3000) + "Peckham";
    for area in ["Peckham Peckham", repeated.as_str()] {
        let e = Southwark::classify(vec![item(Some("1"), None, Some(area), &[])]).unwrap_err();
        assert!(e.contains("four quadrants"), "{}", &e[..200.min(e.len())]);
    }
    let ok =
        Southwark::classify(vec![item(Some("1"), None, Some("Peckham and Nunhead and Peckham Rye"), &[])]).unwrap();
    assert_eq!(ok[0].level, "locality");
}

#[test]
fn the_readme_rules_table_matches_describe_and_names_real_tests() {
    // Each rule is traced to the document in the README, stated or inferred, with its test.
    let problems =
        rules_table_problems(&Southwark::describe().rules, include_str!("../README.md"), include_str!("tests.rs"));
    assert!(problems.is_empty(), "{problems:#?}");
}
