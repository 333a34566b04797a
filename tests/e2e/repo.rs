//! Repository functions on both backends: validation names the field, nothing is half-applied,
//! and one tenant's rows can never be read through, or linked from, another tenant.

use chrono::{Days, NaiveDateTime};
use diesel::prelude::*;
use platform_db::models::*;
use platform_db::repo::commissioning::{self as c, NewContract};
use platform_db::repo::{Page, indicators, outbox, tenants, users};
use platform_db::schema;
use platform_db::*;

use crate::support::{both_backends, now, today};

pub struct Fixture {
    pub tenant: TenantId,
    pub provider: ProviderId,
    pub service: ServiceId,
}

fn new_tenant(slug: &str, ons: &str) -> tenants::NewTenant {
    tenants::NewTenant {
        slug: slug.into(),
        name: format!("{slug} trust"),
        ons_code: ons.into(),
        region: "North East".into(),
        status: TenantStatus::Active,
        plugin_id: None,
        plugin_version: None,
    }
}

fn mv<'a>(to_stage: &'a str, findings_json: &'a str, now: NaiveDateTime) -> c::StageChange<'a> {
    c::StageChange { to_stage, findings_json, note: "", by: None, version: None, now }
}

pub fn provider_row(name: &str) -> Provider {
    Provider {
        id: ProviderId::new(),
        tenant_id: TenantId::new(),
        name: name.into(),
        sector: Sector::VoluntaryCommunity,
        registration_number: None,
        safeguarding_evidence: None,
        safeguarding_checked_on: None,
        created_at: now(),
        attributes: "{}".into(),
        version: 1,
        archived_at: None,
    }
}

pub fn service_row(provider: &ProviderId, name: &str) -> Service {
    Service {
        id: ServiceId::new(),
        tenant_id: TenantId::new(),
        provider_id: provider.clone(),
        name: name.into(),
        description: String::new(),
        tier: Tier::Targeted,
        level: None,
        area: None,
        age_from: 5,
        age_to: 17,
        annual_budget_pence: 10_000_000,
        created_at: now(),
        attributes: "{}".into(),
        version: 1,
        archived_at: None,
        body: None,
    }
}

pub fn contract_row(f: &Fixture, reference: &str, value: i64) -> Contract {
    Contract {
        id: ContractId::new(),
        tenant_id: f.tenant.clone(),
        reference: reference.into(),
        title: "Parenting programme".into(),
        service_id: f.service.clone(),
        provider_id: f.provider.clone(),
        kind: ContractKind::Block,
        status: ContractStatus::Active,
        value_pence: value,
        start_date: today(),
        end_date: today() + Days::new(365),
        created_at: now(),
        attributes: "{}".into(),
        version: 1,
    }
}

pub fn fixture(conn: &mut DbConnection, slug: &str, ons: &str) -> Fixture {
    platform_db::seed::seed_reference(conn).unwrap();
    let tenant = tenants::create(conn, TenantId::new(), &new_tenant(slug, ons), now()).unwrap();
    let provider = c::insert_provider(conn, &tenant.id, provider_row("Family Action")).unwrap();
    let service = c::insert_service(conn, &tenant.id, service_row(&provider.id, "Parenting"), &["stay_safe"]).unwrap();
    Fixture { tenant: tenant.id, provider: provider.id, service: service.id }
}

fn count_contracts(conn: &mut DbConnection) -> i64 {
    schema::contracts::table.count().get_result(conn).unwrap()
}

both_backends! {
    fn tenant_validation_names_the_field(db) {
        let mut conn = db.migrated();
        let cases = [
            (tenants::NewTenant { slug: "Bad Slug".into(), ..new_tenant("x", "E06000001") }, "slug"),
            (new_tenant("ok", "W06000001"), "ons_code"),
            (tenants::NewTenant { region: "Wales".into(), ..new_tenant("ok", "E06000001") }, "region"),
            (tenants::NewTenant { name: " ".into(), ..new_tenant("ok", "E06000001") }, "name"),
        ];
        for (input, field) in cases {
            match tenants::create(&mut conn, TenantId::new(), &input, now()) {
                Err(DbError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected {field} to be refused, got {other:?}"),
            }
        }
        assert!(tenants::list_all(&mut conn).unwrap().is_empty(), "a refused tenant was written");
    }

    fn a_council_signs_up_once(db) {
        let mut conn = db.migrated();
        tenants::create(&mut conn, TenantId::new(), &new_tenant("durham", "E06000047"), now()).unwrap();
        let again = tenants::create(&mut conn, TenantId::new(), &new_tenant("durham-two", "E06000047"), now());
        assert!(matches!(again, Err(DbError::Conflict(ref m)) if m.contains("E06000047")), "{again:?}");
        let same_slug = tenants::create(&mut conn, TenantId::new(), &new_tenant("durham", "E06000048"), now());
        assert!(matches!(same_slug, Err(DbError::Conflict(_))), "{same_slug:?}");
        assert_eq!(tenants::list_all(&mut conn).unwrap().len(), 1);
        assert_eq!(tenants::by_slug(&mut conn, "durham").unwrap().unwrap().ons_code, "E06000047");
    }

    fn one_tenant_cannot_read_anothers_rows(db) {
        let mut conn = db.migrated();
        let a = fixture(&mut conn, "trust-a", "E06000001");
        let b = fixture(&mut conn, "trust-b", "E06000002");
        let contract_b = c::insert_contract(&mut conn, &b.tenant, NewContract { contract: contract_row(&b, "B-1", 100), contributions: vec![], kpis: vec![] }).unwrap();

        assert!(matches!(c::get_contract(&mut conn, &a.tenant, &contract_b.id), Err(DbError::NotFound)));
        assert!(matches!(c::get_provider(&mut conn, &a.tenant, &b.provider), Err(DbError::NotFound)));
        assert!(matches!(c::get_service(&mut conn, &a.tenant, &b.service), Err(DbError::NotFound)));
        assert_eq!(c::list_contracts(&mut conn, &a.tenant, Page::default()).unwrap().total, 0);
        let b_list = c::list_contracts(&mut conn, &b.tenant, Page::default()).unwrap();
        assert_eq!(b_list.items.iter().map(|x| &x.id).collect::<Vec<_>>(), vec![&contract_b.id]);
        assert!(c::contracts_of_provider(&mut conn, &a.tenant, &b.provider).unwrap().is_empty());
    }

    fn rows_cannot_link_across_tenants(db) {
        let mut conn = db.migrated();
        let a = fixture(&mut conn, "trust-a", "E06000001");
        let b = fixture(&mut conn, "trust-b", "E06000002");

        // Through the repository: refused with the field named.
        let err = c::insert_service(&mut conn, &a.tenant, service_row(&b.provider, "Stolen"), &["stay_safe"]).unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "provider_id", .. }), "{err:?}");

        // Even a raw insert that skips the repository is refused by the composite foreign key.
        let mut raw = service_row(&b.provider, "Raw");
        raw.tenant_id = a.tenant.clone();
        let err = diesel::insert_into(schema::services::table).values(&raw).execute(&mut conn).unwrap_err();
        assert!(matches!(DbError::from(err), DbError::Rejected(_)));

        // A contract of tenant A for tenant B's service.
        let mut cross = contract_row(&a, "A-X", 100);
        cross.service_id = b.service.clone();
        let err = c::insert_contract(&mut conn, &a.tenant, NewContract { contract: cross, contributions: vec![], kpis: vec![] }).unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "service_id", .. }), "{err:?}");
        assert_eq!(count_contracts(&mut conn), 0);
    }

    fn a_contract_is_written_whole_or_not_at_all(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let contribution = |partner: &str, amount| Contribution {
            id: ContributionId::new(),
            tenant_id: f.tenant.clone(),
            contract_id: ContractId::new(),
            partner: partner.into(),
            partner_kind: PartnerKind::Health,
            amount_pence: amount,
        };

        // Pooled contributions worth more than the contract.
        let err = c::insert_contract(&mut conn, &f.tenant, NewContract {
            contract: contract_row(&f, "C-1", 1_000),
            contributions: vec![contribution("PCT", 600), contribution("Council", 600)],
            kpis: vec![],
        }).unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "contributions", .. }), "{err:?}");

        // The second contribution is refused after the contract row was written: all rolled back.
        let err = c::insert_contract(&mut conn, &f.tenant, NewContract {
            contract: contract_row(&f, "C-2", 1_000),
            contributions: vec![contribution("PCT", 100), contribution("", 100)],
            kpis: vec![],
        }).unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "contributions.partner", .. }), "{err:?}");
        assert_eq!(count_contracts(&mut conn), 0);
        let n: i64 = schema::contract_contributions::table.count().get_result(&mut conn).unwrap();
        assert_eq!(n, 0);

        // End before start.
        let mut backwards = contract_row(&f, "C-3", 1_000);
        backwards.end_date = backwards.start_date - Days::new(1);
        let err = c::insert_contract(&mut conn, &f.tenant, NewContract { contract: backwards, contributions: vec![], kpis: vec![] }).unwrap_err();
        assert!(matches!(err, DbError::Invalid { field: "end_date", .. }));

        // A good one, with its pooled budget and KPIs.
        let good = c::insert_contract(&mut conn, &f.tenant, NewContract {
            contract: contract_row(&f, "C-4", 1_000),
            contributions: vec![contribution("PCT", 400), contribution("Council", 600)],
            kpis: vec![Kpi {
                id: KpiId::new(), tenant_id: f.tenant.clone(), contract_id: ContractId::new(), code: "reach".into(),
                title: "Families supported".into(), unit: KpiUnit::Count, target: 120.0,
                polarity: Polarity::HigherIsBetter, frequency: Frequency::Quarterly,
            }],
        }).unwrap();
        let pooled: i64 = c::contributions(&mut conn, &f.tenant, &good.id).unwrap().iter().map(|c| c.amount_pence).sum();
        assert_eq!(pooled, 1_000);
        assert_eq!(c::kpis(&mut conn, &f.tenant, &good.id).unwrap().len(), 1);
        assert_eq!(c::get_contract(&mut conn, &f.tenant, &good.id).unwrap(), good);
    }

    fn decisions_and_the_audit_log_are_append_only(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let d = c::record_decision(&mut conn, &f.tenant, Decision {
            id: DecisionId::new(), tenant_id: f.tenant.clone(), decided_on: today(), body: "Executive Board".into(),
            title: "Re-commission parenting support".into(), decision: "Approved".into(), decided_by_user_id: None,
            contract_id: None, project_id: None, recorded_at: now(), review_id: None,
        }).unwrap();
        let changed = diesel::update(schema::decisions::table).set(schema::decisions::decision.eq("Rejected")).execute(&mut conn);
        assert!(changed.is_err(), "a decision was changed");
        let removed = diesel::delete(schema::decisions::table).execute(&mut conn);
        assert!(removed.is_err(), "a decision was removed");
        assert_eq!(c::get_decision(&mut conn, &f.tenant, &d.id).unwrap().decision, "Approved");

        platform_db::repo::audit::record(&mut conn, &AuditEntry {
            id: AuditId::new(), tenant_id: Some(f.tenant.clone()), actor_user_id: None, action: "tenant.created".into(),
            entity_kind: "tenant".into(), entity_id: Some(f.tenant.to_string()), detail: "{}".into(), ip: None, at: now(),
        }).unwrap();
        assert!(diesel::delete(schema::audit_log::table).execute(&mut conn).is_err());
        assert_eq!(platform_db::repo::audit::for_tenant(&mut conn, &f.tenant, 10).unwrap().len(), 1);
    }

    fn projects_keep_their_stage_history(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let p = c::insert_project(&mut conn, &f.tenant, Project {
            id: ProjectId::new(), tenant_id: f.tenant.clone(), title: "Emotional wellbeing".into(), description: String::new(),
            level: Some("strategic".into()), stage: "assess-need".into(), priority_id: None, service_id: Some(f.service.clone()),
            owner_user_id: None, started_on: today(), created_at: now(), attributes: "{}".into(),
            version: 1, body: None, contract_id: None,
        }).unwrap();
        let later = now() + chrono::Duration::hours(1);
        c::move_project(&mut conn, &f.tenant, &p.id, mv("set-priorities", r#"[{"severity":"info","code":"x"}]"#, later)).unwrap();
        assert!(matches!(
            c::move_project(&mut conn, &f.tenant, &p.id, mv("plan", "not json", later)),
            Err(DbError::Invalid { field: "findings", .. })
        ));
        let history = c::stage_history(&mut conn, &f.tenant, &p.id).unwrap();
        let stages: Vec<_> = history.iter().map(|h| (h.from_stage.as_deref(), h.to_stage.as_str())).collect();
        assert_eq!(stages, vec![(None, "assess-need"), (Some("assess-need"), "set-priorities")]);
        assert_eq!(c::get_project(&mut conn, &f.tenant, &p.id).unwrap().stage, "set-priorities");

        let other = fixture(&mut conn, "trust-b", "E06000002");
        assert!(matches!(
            c::move_project(&mut conn, &other.tenant, &p.id, mv("plan", "[]", later)),
            Err(DbError::NotFound)
        ));
    }

    fn indicator_batches_are_all_or_nothing(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let value = |v: f64, age: Option<(i32, i32)>, area: Option<&str>| IndicatorValue {
            id: IndicatorValueId::new(), tenant_id: f.tenant.clone(), indicator_code: "under18_conceptions".into(),
            period_start: chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            period_end: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            value: v, numerator: None, denominator: None, age_from: age.map(|a| a.0), age_to: age.map(|a| a.1),
            sex: None, area: area.map(str::to_string), group_name: None,
            breakdown_key: breakdown_key(age, None, area, None),
        };
        let err = indicators::insert_values(&mut conn, &f.tenant, vec![
            value(14.0, None, None), value(12.0, Some((15, 15)), None), value(f64::NAN, None, Some("North")),
        ]).unwrap_err();
        assert!(matches!(&err, DbError::Invalid { field: "value", message } if message.starts_with("row 3")), "{err:?}");
        assert_eq!(indicators::count_values(&mut conn, &f.tenant).unwrap(), 0);

        let mut inconsistent = value(1.0, Some((15, 17)), None);
        inconsistent.breakdown_key = String::new();
        assert!(matches!(indicators::insert_values(&mut conn, &f.tenant, vec![inconsistent]), Err(DbError::Invalid { field: "breakdown_key", .. })));

        indicators::insert_values(&mut conn, &f.tenant, vec![value(14.0, None, None), value(9.5, None, Some("North"))]).unwrap();
        let whole = indicators::series(&mut conn, &f.tenant, "under18_conceptions", "").unwrap();
        assert_eq!(whole.iter().map(|v| v.value).collect::<Vec<_>>(), vec![14.0]);
        // The same breakdown twice for one period is a conflict, not a second row.
        let dup = indicators::insert_values(&mut conn, &f.tenant, vec![value(15.0, None, None)]);
        assert!(matches!(dup, Err(DbError::Conflict(_))), "{dup:?}");
    }

    fn memberships_bind_providers_and_users_are_case_insensitive(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let user = users::find_or_create(&mut conn, "Jo.Bloggs@Durham.gov.uk", "Jo Bloggs", now()).unwrap();
        assert_eq!(user.email, "jo.bloggs@durham.gov.uk");
        assert_eq!(users::find_or_create(&mut conn, "jo.bloggs@durham.gov.uk", "Jo", now()).unwrap().id, user.id);
        assert!(matches!(users::find_or_create(&mut conn, "not-an-email", "X", now()), Err(DbError::Invalid { field: "email", .. })));

        assert!(matches!(
            users::add_membership(&mut conn, &f.tenant, &user.id, Role::Provider, None, now()),
            Err(DbError::Invalid { field: "provider_id", .. })
        ));
        users::add_membership(&mut conn, &f.tenant, &user.id, Role::Provider, Some(&f.provider), now()).unwrap();
        let m = users::membership(&mut conn, &f.tenant, &user.id).unwrap().unwrap();
        assert_eq!((m.role, m.provider_id), (Role::Provider, Some(f.provider.clone())));
        assert_eq!(users::members(&mut conn, &f.tenant).unwrap().len(), 1);
    }

    fn reviews_and_the_dashboard_summary(db) {
        let mut conn = db.migrated();
        let f = fixture(&mut conn, "trust-a", "E06000001");
        let contract = c::insert_contract(&mut conn, &f.tenant, NewContract { contract: contract_row(&f, "C-1", 250_000), contributions: vec![], kpis: vec![] }).unwrap();
        let review = |days_from_today: i64, status: ReviewStatus| Review {
            id: ReviewId::new(), tenant_id: f.tenant.clone(), contract_id: Some(contract.id.clone()), service_id: None,
            kind: "annual".into(), title: format!("Review {days_from_today}"), due_on: today() + chrono::Duration::days(days_from_today),
            owner_user_id: None, owner_body: None, status,
            outcome: (status == ReviewStatus::Completed).then_some(ReviewOutcome::Continue),
            completed_on: (status == ReviewStatus::Completed).then_some(today()), notes: String::new(), created_at: now(),
            version: 1, evidence: String::new(), follow_up_project_id: None,
        };
        for (d, s) in [(-3, ReviewStatus::Scheduled), (10, ReviewStatus::InProgress), (60, ReviewStatus::Scheduled), (200, ReviewStatus::Scheduled), (-20, ReviewStatus::Completed)] {
            c::insert_review(&mut conn, &f.tenant, review(d, s)).unwrap();
        }
        let mut neither = review(5, ReviewStatus::Scheduled);
        neither.contract_id = None;
        assert!(matches!(c::insert_review(&mut conn, &f.tenant, neither), Err(DbError::Invalid { field: "subject", .. })));

        let due: Vec<String> = c::reviews_due_by(&mut conn, &f.tenant, today() + Days::new(90)).unwrap().into_iter().map(|r| r.title).collect();
        assert_eq!(due, vec!["Review -3", "Review 10", "Review 60"]);

        let s = c::summary(&mut conn, &f.tenant, today()).unwrap();
        assert_eq!(s, c::Summary {
            providers: 1, services: 1, active_contracts: 1, active_contract_value_pence: 250_000,
            reviews_overdue: 1, reviews_due_90_days: 2, contracts_ending_180_days: 0,
        });
    }

    fn the_outbox_never_holds_a_message_twice(db) {
        let mut conn = db.migrated();
        let msg = |key: &str| OutboxMessage::plain(
            None, key.into(), format!("<{}@platform>", uuid::Uuid::new_v4()), "commissioner@kent.gov.uk".into(),
            ("Review due in 14 days".into(), "t".into(), "<p>t</p>".into()), now(),
        );
        assert!(outbox::enqueue(&mut conn, &msg("review:1:lead:14")).unwrap());
        assert!(!outbox::enqueue(&mut conn, &msg("review:1:lead:14")).unwrap());
        assert!(outbox::enqueue(&mut conn, &msg("review:1:lead:7")).unwrap());
        assert_eq!(outbox::pending(&mut conn, 10).unwrap().len(), 2);
        let mut bad = msg("x");
        bad.to_address = "nobody".into();
        assert!(matches!(outbox::enqueue(&mut conn, &bad), Err(DbError::Invalid { field: "to_address", .. })));
    }
}
