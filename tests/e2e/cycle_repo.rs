//! The cycle's writes in the data layer, on both backends: a stale edit is refused and writes
//! nothing, what an edit changed is listed field by field, a contract's value and dates change
//! only by recorded events, its reviews follow its dates without losing what was done, and the
//! new references stay inside the tenant.

use chrono::Days;
use diesel::prelude::*;
use platform_db::models::*;
use platform_db::repo::commissioning::{self as c, NewContract};
use platform_db::repo::contracts::{self as k, ContractChange, EventRequest, PlannedReview};
use platform_db::repo::edits;
use platform_db::schema;
use platform_db::*;

use crate::repo::{contract_row, fixture};
use crate::support::{both_backends, now, today};

fn contract(conn: &mut DbConnection, f: &crate::repo::Fixture, reference: &str) -> Contract {
    c::insert_contract(
        conn,
        &f.tenant,
        NewContract { contract: contract_row(f, reference, 1_000_000), contributions: vec![], kpis: vec![] },
    )
    .unwrap()
}

fn event(contract: &Contract, change: ContractChange, effective_on: chrono::NaiveDate, reason: &str) -> EventRequest {
    EventRequest {
        contract: contract.id.clone(),
        version: contract.version,
        change,
        effective_on,
        reason: reason.into(),
        by: None,
        now: now(),
    }
}

fn planned(kind: &str, due_on: chrono::NaiveDate) -> PlannedReview {
    PlannedReview {
        kind: kind.into(),
        title: format!("{kind} review"),
        due_on,
        owner_body: Some("Executive Board".into()),
    }
}

fn statuses(
    conn: &mut DbConnection,
    f: &crate::repo::Fixture,
    contract: &ContractId,
) -> Vec<(String, chrono::NaiveDate, ReviewStatus)> {
    k::reviews_of(conn, &f.tenant, contract).unwrap().into_iter().map(|r| (r.kind, r.due_on, r.status)).collect()
}

both_backends! {
    fn a_stale_edit_is_refused_and_writes_nothing(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let read_by_alice = c::get_service(&mut conn, &f.tenant, &f.service).unwrap();
        let read_by_bob = read_by_alice.clone();

        let mut alice = read_by_alice.clone();
        alice.annual_budget_pence = 12_000_000;
        let saved = edits::save_service(&mut conn, &f.tenant, alice, &["stay_safe"]).unwrap();
        assert_eq!(saved.row.version, 2);
        assert_eq!(saved.changes.len(), 1);
        assert_eq!(saved.changes[0].field, "annual_budget_pence");
        assert_eq!(saved.changes[0].before, serde_json::json!(10_000_000));

        let mut bob = read_by_bob;
        bob.name = "Parenting support".into();
        let stale = edits::save_service(&mut conn, &f.tenant, bob, &["stay_safe", "be_healthy"]);
        assert!(matches!(stale, Err(DbError::Stale { current: 2 })), "{stale:?}");
        let stored = c::get_service(&mut conn, &f.tenant, &f.service).unwrap();
        assert_eq!((stored.name.as_str(), stored.annual_budget_pence, stored.version), ("Parenting", 12_000_000, 2));
        assert_eq!(c::service_outcome_codes(&mut conn, &f.tenant, &f.service).unwrap(), ["stay_safe"]);
    }

    fn an_edit_lists_framework_fields_and_outcomes_it_changed(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let mut row = c::get_service(&mut conn, &f.tenant, &f.service).unwrap();
        row.attributes = r#"{"locality":"Easington"}"#.into();
        let saved = edits::save_service(&mut conn, &f.tenant, row, &["be_healthy", "stay_safe"]).unwrap();
        let fields: Vec<&str> = saved.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["attributes.locality", "outcomes"]);
        assert_eq!(saved.changes[1].after, serde_json::json!(["be_healthy", "stay_safe"]));
        assert_eq!(c::service_outcome_codes(&mut conn, &f.tenant, &f.service).unwrap().len(), 2);
    }

    fn a_contracts_value_and_dates_change_only_by_events(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let original = contract(&mut conn, &f, "C-1");

        let mut silent = original.clone();
        silent.value_pence = 2_000_000;
        assert!(matches!(edits::save_contract(&mut conn, &f.tenant, silent), Err(DbError::Invalid { field: "value_pence", .. })));
        let mut silent = original.clone();
        silent.end_date = original.end_date + Days::new(30);
        assert!(matches!(edits::save_contract(&mut conn, &f.tenant, silent), Err(DbError::Invalid { field: "end_date", .. })));

        let no_reason = k::record_event(&mut conn, &f.tenant, event(&original, ContractChange::Extension { end_date: original.end_date + Days::new(90) }, today(), "  "));
        assert!(matches!(no_reason, Err(DbError::Invalid { field: "reason", .. })), "{no_reason:?}");
        let shorter = k::record_event(&mut conn, &f.tenant, event(&original, ContractChange::Extension { end_date: original.end_date }, today(), "more time"));
        assert!(matches!(shorter, Err(DbError::Invalid { field: "end_date", .. })), "{shorter:?}");

        let (varied, ev) = k::record_event(&mut conn, &f.tenant, event(&original, ContractChange::Variation { value_pence: Some(1_250_000), end_date: None }, today(), "Extra sessions in two localities")).unwrap();
        assert_eq!((varied.row.value_pence, varied.row.version, ev.kind), (1_250_000, 2, ContractEventKind::Variation));
        let changes: serde_json::Value = serde_json::from_str(&ev.changes).unwrap();
        assert_eq!(changes, serde_json::json!([{"field": "value_pence", "before": 1_000_000, "after": 1_250_000}]));

        // Made to version 1 after the variation raised it to 2: refused.
        let stale = k::record_event(&mut conn, &f.tenant, event(&original, ContractChange::Termination, today(), "Provider withdrew"));
        assert!(matches!(stale, Err(DbError::Stale { current: 2 })), "{stale:?}");

        let end = today() + Days::new(100);
        let (ended, ev) = k::record_event(&mut conn, &f.tenant, event(&varied.row, ContractChange::Termination, end, "Provider withdrew")).unwrap();
        assert_eq!((ended.row.status, ended.row.end_date, ev.kind), (ContractStatus::Terminated, end, ContractEventKind::Termination));
        let after_end = k::record_event(&mut conn, &f.tenant, event(&ended.row, ContractChange::Extension { end_date: end + Days::new(30) }, today(), "again"));
        assert!(matches!(after_end, Err(DbError::Invalid { field: "status", .. })), "{after_end:?}");
        let kinds: Vec<ContractEventKind> = k::events(&mut conn, &f.tenant, &original.id).unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [ContractEventKind::Variation, ContractEventKind::Termination]);
    }

    fn reviews_follow_the_contracts_dates_and_keep_what_was_done(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let contract = contract(&mut conn, &f, "C-1");
        let d = |days: i64| today() + chrono::Duration::days(days);
        let first = [planned("annual", d(-10)), planned("annual", d(100)), planned("recommission", d(200))];
        let plan = k::plan_reviews(&mut conn, &f.tenant, &contract.id, &first, None, now()).unwrap();
        assert_eq!(plan.added.len(), 3, "a new contract gets its whole schedule, overdue ones too");

        // The one due in 100 days is done early; then the contract is extended and re-planned.
        let done = k::reviews_of(&mut conn, &f.tenant, &contract.id).unwrap().into_iter().find(|r| r.due_on == d(100)).unwrap();
        k::complete_review(&mut conn, &f.tenant, k::Completion {
            review: done.id.clone(), version: done.version, outcome: ReviewOutcome::Improve, completed_on: today(),
            notes: "Waiting lists too long".into(), evidence: "Q2 return".into(), follow_up_project: None,
        }).unwrap();
        let again = k::complete_review(&mut conn, &f.tenant, k::Completion {
            review: done.id.clone(), version: done.version + 1, outcome: ReviewOutcome::Continue, completed_on: today(),
            notes: String::new(), evidence: String::new(), follow_up_project: None,
        });
        assert!(matches!(again, Err(DbError::Invalid { field: "status", .. })), "{again:?}");

        let second = [planned("annual", d(-40)), planned("annual", d(100)), planned("annual", d(465)), planned("recommission", d(565))];
        let plan = k::plan_reviews(&mut conn, &f.tenant, &contract.id, &second, Some(today()), now()).unwrap();
        assert_eq!(plan.added.iter().map(|r| r.due_on).collect::<Vec<_>>(), [d(100), d(465), d(565)]);
        assert_eq!(plan.cancelled.iter().map(|r| r.due_on).collect::<Vec<_>>(), [d(200)]);
        assert_eq!(statuses(&mut conn, &f, &contract.id), [
            ("annual".to_string(), d(-10), ReviewStatus::Scheduled),
            ("annual".to_string(), d(100), ReviewStatus::Completed),
            ("annual".to_string(), d(100), ReviewStatus::Scheduled),
            ("recommission".to_string(), d(200), ReviewStatus::Cancelled),
            ("annual".to_string(), d(465), ReviewStatus::Scheduled),
            ("recommission".to_string(), d(565), ReviewStatus::Scheduled),
        ]);
        // Planning the same schedule again changes nothing.
        let plan = k::plan_reviews(&mut conn, &f.tenant, &contract.id, &second, Some(today()), now()).unwrap();
        assert_eq!((plan.added.len(), plan.cancelled.len(), plan.kept), (0, 0, 3));
    }

    fn archived_records_stay_and_are_archived_once(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let provider = c::get_provider(&mut conn, &f.tenant, &f.provider).unwrap();
        let stale = edits::archive_provider(&mut conn, &f.tenant, &f.provider, provider.version + 1, now());
        assert!(matches!(stale, Err(DbError::Stale { .. })), "{stale:?}");
        let archived = edits::archive_provider(&mut conn, &f.tenant, &f.provider, provider.version, now()).unwrap();
        assert!(archived.row.archived_at.is_some());
        assert_eq!(archived.changes[0].field, "archived_at");
        let twice = edits::archive_provider(&mut conn, &f.tenant, &f.provider, archived.row.version, now());
        assert!(matches!(twice, Err(DbError::Invalid { field: "archived_at", .. })), "{twice:?}");
        // The service that points at it still reads it.
        assert_eq!(c::get_provider(&mut conn, &f.tenant, &f.provider).unwrap().name, "Family Action");
    }

    fn the_new_references_stay_inside_the_tenant(db) {
        let mut conn = db.migrated();
        let a = fixture(&mut conn, "trust-a", "E06000001");
        let b = fixture(&mut conn, "trust-b", "E06000002");
        let b_contract = contract(&mut conn, &b, "B-1");
        let plan = k::plan_reviews(&mut conn, &b.tenant, &b_contract.id, &[planned("annual", today())], None, now()).unwrap();
        let b_review = plan.added[0].id.clone();

        let project = Project {
            id: ProjectId::new(), tenant_id: a.tenant.clone(), title: "Re-commission B's contract".into(), description: String::new(),
            level: None, stage: "assess".into(), priority_id: None, service_id: None, owner_user_id: None, started_on: today(),
            created_at: now(), attributes: "{}".into(), version: 1, body: None, contract_id: Some(b_contract.id.clone()),
        };
        assert!(c::insert_project(&mut conn, &a.tenant, project).is_err(), "a project linked another trust's contract");
        let decision = Decision {
            id: DecisionId::new(), tenant_id: a.tenant.clone(), decided_on: today(), body: "Board".into(), title: "t".into(),
            decision: "d".into(), decided_by_user_id: None, contract_id: None, project_id: None, recorded_at: now(),
            review_id: Some(b_review),
        };
        assert!(c::record_decision(&mut conn, &a.tenant, decision).is_err(), "a decision named another trust's review");
        let a_projects: i64 = schema::commissioning_projects::table
            .filter(schema::commissioning_projects::tenant_id.eq(&a.tenant)).count().get_result(&mut conn).unwrap();
        assert_eq!(a_projects, 0);
        // And A cannot plan reviews on B's contract.
        let cross = k::plan_reviews(&mut conn, &a.tenant, &b_contract.id, &[planned("annual", today())], None, now());
        assert!(matches!(cross, Err(DbError::NotFound)), "A planned a review on B's contract: {cross:?}");
    }
}
