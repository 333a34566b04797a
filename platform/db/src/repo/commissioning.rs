//! The commissioning cycle's rows: providers and services, needs and priorities, projects and
//! their stages, contracts with contributions, KPIs and monitoring returns, reviews,
//! self-evaluations and decisions. Each insert takes the tenant first and stamps it on the row,
//! whatever the row said, and checks the row before anything is written.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::{Page, Paged, validate};
use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::*;
use crate::models::*;
use crate::schema::*;

/// `list_*` (paged, in a stable order) and `get_*` (one row of this tenant, or NotFound) for a
/// tenant table.
macro_rules! tenant_reads {
    ($list:ident, $get:ident, $table:ident, $row:ty, $id:ty, $($order:expr),+) => {
        pub fn $list(conn: &mut DbConnection, tenant: &TenantId, page: Page) -> DbResult<Paged<$row>> {
            let total: i64 = $table::table
                .filter($table::tenant_id.eq(tenant))
                .count()
                .get_result(conn)?;
            let items = $table::table
                .filter($table::tenant_id.eq(tenant))
                .order(($($order),+))
                .limit(page.limit)
                .offset(page.offset)
                .select(<$row>::as_select())
                .load(conn)?;
            Ok(Paged { items, total, limit: page.limit, offset: page.offset })
        }

        pub fn $get(conn: &mut DbConnection, tenant: &TenantId, id: &$id) -> DbResult<$row> {
            Ok($table::table
                .filter($table::tenant_id.eq(tenant))
                .filter($table::id.eq(id))
                .select(<$row>::as_select())
                .first(conn)?)
        }
    };
}

tenant_reads!(
    list_providers,
    get_provider,
    providers,
    Provider,
    ProviderId,
    providers::name.asc(),
    providers::id.asc()
);
tenant_reads!(list_services, get_service, services, Service, ServiceId, services::name.asc(), services::id.asc());
tenant_reads!(list_needs, get_need, needs, Need, NeedId, needs::outcome_code.asc(), needs::title.asc());
tenant_reads!(
    list_priorities,
    get_priority,
    priorities,
    Priority,
    PriorityId,
    priorities::rank.asc(),
    priorities::id.asc()
);
tenant_reads!(
    list_projects,
    get_project,
    commissioning_projects,
    Project,
    ProjectId,
    commissioning_projects::title.asc(),
    commissioning_projects::id.asc()
);
tenant_reads!(
    list_contracts,
    get_contract,
    contracts,
    Contract,
    ContractId,
    contracts::end_date.asc(),
    contracts::reference.asc()
);
tenant_reads!(list_reviews, get_review, reviews, Review, ReviewId, reviews::due_on.asc(), reviews::id.asc());
tenant_reads!(
    list_decisions,
    get_decision,
    decisions,
    Decision,
    DecisionId,
    decisions::decided_on.desc(),
    decisions::id.desc()
);
tenant_reads!(
    list_self_evaluations,
    get_self_evaluation,
    self_evaluations,
    SelfEvaluation,
    SelfEvaluationId,
    self_evaluations::evaluated_on.desc(),
    self_evaluations::id.asc()
);

pub(crate) fn optional_text(field: &'static str, value: &Option<String>, max: usize) -> DbResult<()> {
    match value {
        Some(v) => validate::text(field, v, max),
        None => Ok(()),
    }
}

/// A record's framework fields: a JSON object whose values are text, each one checked as text.
pub(crate) fn attributes_object(field: &'static str, value: &str) -> DbResult<()> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(value) else {
        return Err(DbError::invalid(field, "must be a JSON object"));
    };
    for (key, v) in &map {
        validate::text(field, key, 80)?;
        match v {
            serde_json::Value::String(text) if text.is_empty() => {}
            serde_json::Value::String(text) => validate::text(field, text, 4000)?,
            _ => return Err(DbError::invalid(field, format!("{key}: each value is text"))),
        }
    }
    Ok(())
}

pub fn insert_provider(conn: &mut DbConnection, tenant: &TenantId, mut row: Provider) -> DbResult<Provider> {
    row.tenant_id = tenant.clone();
    validate::name("name", &row.name, 200)?;
    attributes_object("attributes", &row.attributes)?;
    optional_text("registration_number", &row.registration_number, 40)?;
    optional_text("safeguarding_evidence", &row.safeguarding_evidence, 4000)?;
    diesel::insert_into(providers::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Inserts a service and the outcomes it serves, together or not at all.
pub fn insert_service(
    conn: &mut DbConnection,
    tenant: &TenantId,
    mut row: Service,
    outcomes: &[&str],
) -> DbResult<Service> {
    row.tenant_id = tenant.clone();
    validate::name("name", &row.name, 200)?;
    attributes_object("attributes", &row.attributes)?;
    validate::age_range("age_range", row.age_from, row.age_to)?;
    validate::non_negative("annual_budget_pence", row.annual_budget_pence)?;
    optional_text("level", &row.level, 60)?;
    optional_text("area", &row.area, 120)?;
    if outcomes.is_empty() {
        return Err(DbError::invalid("outcomes", "a service serves at least one of the five outcomes"));
    }
    conn.transaction(|conn| {
        get_provider(conn, tenant, &row.provider_id).map_err(|e| match e {
            DbError::NotFound => DbError::invalid("provider_id", "no such provider in this trust"),
            other => other,
        })?;
        diesel::insert_into(services::table).values(&row).execute(conn)?;
        for outcome in outcomes {
            diesel::insert_into(service_outcomes::table)
                .values(&ServiceOutcome {
                    tenant_id: tenant.clone(),
                    service_id: row.id.clone(),
                    outcome_code: (*outcome).to_string(),
                })
                .execute(conn)?;
        }
        Ok(row)
    })
}

pub fn service_outcome_codes(conn: &mut DbConnection, tenant: &TenantId, service: &ServiceId) -> DbResult<Vec<String>> {
    Ok(service_outcomes::table
        .inner_join(outcomes::table)
        .filter(service_outcomes::tenant_id.eq(tenant))
        .filter(service_outcomes::service_id.eq(service))
        .order(outcomes::position.asc())
        .select(service_outcomes::outcome_code)
        .load(conn)?)
}

pub fn insert_need(conn: &mut DbConnection, tenant: &TenantId, mut row: Need) -> DbResult<Need> {
    row.tenant_id = tenant.clone();
    validate::name("title", &row.title, 300)?;
    if let (Some(from), Some(to)) = (row.age_from, row.age_to) {
        validate::age_range("age_range", from, to)?;
    }
    diesel::insert_into(needs::table).values(&row).execute(conn)?;
    Ok(row)
}

pub fn insert_priority(conn: &mut DbConnection, tenant: &TenantId, mut row: Priority) -> DbResult<Priority> {
    row.tenant_id = tenant.clone();
    validate::name("title", &row.title, 300)?;
    attributes_object("attributes", &row.attributes)?;
    if row.rank < 1 {
        return Err(DbError::invalid("rank", "must be 1 or more"));
    }
    diesel::insert_into(priorities::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Creates a project and records its first stage in the history, in one transaction.
pub fn insert_project(conn: &mut DbConnection, tenant: &TenantId, row: Project) -> DbResult<Project> {
    insert_project_noted(conn, tenant, row, "")
}

/// As [`insert_project`], with a note on its first stage (why it starts past the framework's
/// first stage, or where it came from).
pub fn insert_project_noted(
    conn: &mut DbConnection,
    tenant: &TenantId,
    mut row: Project,
    note: &str,
) -> DbResult<Project> {
    validate::notes("note", note, 4000)?;
    row.tenant_id = tenant.clone();
    validate::name("title", &row.title, 300)?;
    validate::text("stage", &row.stage, 60)?;
    attributes_object("attributes", &row.attributes)?;
    conn.transaction(|conn| {
        diesel::insert_into(commissioning_projects::table).values(&row).execute(conn)?;
        diesel::insert_into(project_stage_history::table)
            .values(&StageMove {
                id: StageMoveId::new(),
                tenant_id: tenant.clone(),
                project_id: row.id.clone(),
                from_stage: None,
                to_stage: row.stage.clone(),
                moved_at: row.created_at,
                moved_by_user_id: row.owner_user_id.clone(),
                findings: "[]".into(),
                note: note.to_string(),
            })
            .execute(conn)?;
        Ok(row)
    })
}

/// A move of a project to another stage, with what its framework's gate said.
#[derive(Debug, Clone)]
pub struct StageChange<'a> {
    pub to_stage: &'a str,
    /// The stage-gate findings, a JSON array.
    pub findings_json: &'a str,
    /// Why the move goes ahead despite warnings, or why a project starts past the first stage.
    pub note: &'a str,
    pub by: Option<&'a UserId>,
    /// The project version the move was made to; `None` for moves made by the platform itself.
    pub version: Option<i32>,
    pub now: NaiveDateTime,
}

/// Moves a project to another stage and records the move with the stage-gate findings,
/// together or not at all.
pub fn move_project(
    conn: &mut DbConnection,
    tenant: &TenantId,
    project: &ProjectId,
    change: StageChange<'_>,
) -> DbResult<StageMove> {
    validate::text("stage", change.to_stage, 60)?;
    validate::notes("note", change.note, 4000)?;
    if !matches!(serde_json::from_str::<serde_json::Value>(change.findings_json), Ok(serde_json::Value::Array(_))) {
        return Err(DbError::invalid("findings", "must be a JSON array"));
    }
    conn.transaction(|conn| {
        let current = get_project(conn, tenant, project)?;
        if let Some(version) = change.version {
            super::edits::check_version(current.version, version)?;
        }
        let record = StageMove {
            id: StageMoveId::new(),
            tenant_id: tenant.clone(),
            project_id: project.clone(),
            from_stage: Some(current.stage.clone()),
            to_stage: change.to_stage.to_string(),
            moved_at: change.now,
            moved_by_user_id: change.by.cloned(),
            findings: change.findings_json.to_string(),
            note: change.note.to_string(),
        };
        let mut row = current;
        row.stage = change.to_stage.to_string();
        super::edits::update_if_current!(conn, commissioning_projects, tenant, row);
        diesel::insert_into(project_stage_history::table).values(&record).execute(conn)?;
        Ok(record)
    })
}

pub fn stage_history(conn: &mut DbConnection, tenant: &TenantId, project: &ProjectId) -> DbResult<Vec<StageMove>> {
    Ok(project_stage_history::table
        .filter(project_stage_history::tenant_id.eq(tenant))
        .filter(project_stage_history::project_id.eq(project))
        .order((project_stage_history::moved_at.asc(), project_stage_history::id.asc()))
        .select(StageMove::as_select())
        .load(conn)?)
}

/// A contract with its pooled-budget contributions and KPIs, inserted together or not at all.
#[derive(Debug, Clone)]
pub struct NewContract {
    pub contract: Contract,
    pub contributions: Vec<Contribution>,
    pub kpis: Vec<Kpi>,
}

pub fn insert_contract(conn: &mut DbConnection, tenant: &TenantId, new: NewContract) -> DbResult<Contract> {
    let NewContract { mut contract, contributions, kpis } = new;
    contract.tenant_id = tenant.clone();
    validate::text("reference", &contract.reference, 40)?;
    validate::text("title", &contract.title, 300)?;
    validate::non_negative("value_pence", contract.value_pence)?;
    attributes_object("attributes", &contract.attributes)?;
    if contract.end_date < contract.start_date {
        return Err(DbError::invalid("end_date", "must not be before the start date"));
    }
    let pooled: i64 = contributions.iter().map(|c| c.amount_pence).sum();
    if contributions.iter().any(|c| c.amount_pence < 0) {
        return Err(DbError::invalid("contributions", "amounts must not be negative"));
    }
    if pooled > contract.value_pence {
        return Err(DbError::invalid(
            "contributions",
            "pooled-budget contributions add up to more than the contract's value",
        ));
    }
    for kpi in &kpis {
        validate::text("kpis.code", &kpi.code, 40)?;
        validate::name("kpis.title", &kpi.title, 300)?;
        if !kpi.target.is_finite() {
            return Err(DbError::invalid("kpis.target", "must be a number"));
        }
    }
    conn.transaction(|conn| {
        let service = get_service(conn, tenant, &contract.service_id).map_err(|e| match e {
            DbError::NotFound => DbError::invalid("service_id", "no such service in this trust"),
            other => other,
        })?;
        if service.provider_id != contract.provider_id {
            return Err(DbError::invalid("provider_id", "the contract's provider must be the service's provider"));
        }
        diesel::insert_into(contracts::table).values(&contract).execute(conn)?;
        for mut c in contributions {
            c.tenant_id = tenant.clone();
            c.contract_id = contract.id.clone();
            validate::name("contributions.partner", &c.partner, 200)?;
            diesel::insert_into(contract_contributions::table).values(&c).execute(conn)?;
        }
        for mut k in kpis {
            k.tenant_id = tenant.clone();
            k.contract_id = contract.id.clone();
            diesel::insert_into(contract_kpis::table).values(&k).execute(conn)?;
        }
        Ok(contract)
    })
}

pub fn contributions(conn: &mut DbConnection, tenant: &TenantId, contract: &ContractId) -> DbResult<Vec<Contribution>> {
    Ok(contract_contributions::table
        .filter(contract_contributions::tenant_id.eq(tenant))
        .filter(contract_contributions::contract_id.eq(contract))
        .order(contract_contributions::partner.asc())
        .select(Contribution::as_select())
        .load(conn)?)
}

pub fn kpis(conn: &mut DbConnection, tenant: &TenantId, contract: &ContractId) -> DbResult<Vec<Kpi>> {
    Ok(contract_kpis::table
        .filter(contract_kpis::tenant_id.eq(tenant))
        .filter(contract_kpis::contract_id.eq(contract))
        .order(contract_kpis::code.asc())
        .select(Kpi::as_select())
        .load(conn)?)
}

/// Contracts of one provider (what a provider's staff may see).
pub fn contracts_of_provider(
    conn: &mut DbConnection,
    tenant: &TenantId,
    provider: &ProviderId,
) -> DbResult<Vec<Contract>> {
    Ok(contracts::table
        .filter(contracts::tenant_id.eq(tenant))
        .filter(contracts::provider_id.eq(provider))
        .order(contracts::end_date.asc())
        .select(Contract::as_select())
        .load(conn)?)
}

pub fn insert_monitoring_return(
    conn: &mut DbConnection,
    tenant: &TenantId,
    mut row: MonitoringReturn,
) -> DbResult<MonitoringReturn> {
    row.tenant_id = tenant.clone();
    if !row.value.is_finite() {
        return Err(DbError::invalid("value", "must be a number"));
    }
    if row.period_end < row.period_start {
        return Err(DbError::invalid("period_end", "must not be before the period start"));
    }
    diesel::insert_into(monitoring_returns::table).values(&row).execute(conn)?;
    Ok(row)
}

pub fn monitoring_returns_for(
    conn: &mut DbConnection,
    tenant: &TenantId,
    kpi: &KpiId,
) -> DbResult<Vec<MonitoringReturn>> {
    Ok(monitoring_returns::table
        .filter(monitoring_returns::tenant_id.eq(tenant))
        .filter(monitoring_returns::kpi_id.eq(kpi))
        .order(monitoring_returns::period_start.asc())
        .select(MonitoringReturn::as_select())
        .load(conn)?)
}

pub fn insert_review(conn: &mut DbConnection, tenant: &TenantId, mut row: Review) -> DbResult<Review> {
    row.tenant_id = tenant.clone();
    validate::name("title", &row.title, 300)?;
    validate::text("kind", &row.kind, 60)?;
    if row.contract_id.is_some() == row.service_id.is_some() {
        return Err(DbError::invalid("subject", "a review is of exactly one contract or one service"));
    }
    diesel::insert_into(reviews::table).values(&row).execute(conn)?;
    Ok(row)
}

/// Open reviews due on or before `until`, soonest first: overdue ones come first.
pub fn reviews_due_by(conn: &mut DbConnection, tenant: &TenantId, until: NaiveDate) -> DbResult<Vec<Review>> {
    Ok(reviews::table
        .filter(reviews::tenant_id.eq(tenant))
        .filter(reviews::status.eq_any([ReviewStatus::Scheduled, ReviewStatus::InProgress]))
        .filter(reviews::due_on.le(until))
        .order((reviews::due_on.asc(), reviews::id.asc()))
        .select(Review::as_select())
        .load(conn)?)
}

pub fn insert_self_evaluation(
    conn: &mut DbConnection,
    tenant: &TenantId,
    mut row: SelfEvaluation,
    scores: Vec<Score>,
) -> DbResult<SelfEvaluation> {
    row.tenant_id = tenant.clone();
    validate::name("title", &row.title, 300)?;
    validate::text("standards_set", &row.standards_set, 60)?;
    // The framework's summary: any JSON object (numbers, lists), kept as the framework gave it.
    if !matches!(serde_json::from_str::<serde_json::Value>(&row.summary), Ok(serde_json::Value::Object(_))) {
        return Err(DbError::invalid("summary", "must be a JSON object"));
    }
    conn.transaction(|conn| {
        diesel::insert_into(self_evaluations::table).values(&row).execute(conn)?;
        for mut s in scores {
            s.tenant_id = tenant.clone();
            s.self_evaluation_id = row.id.clone();
            validate::text("scores.standard_code", &s.standard_code, 40)?;
            diesel::insert_into(self_evaluation_scores::table).values(&s).execute(conn)?;
        }
        Ok(row)
    })
}

pub fn scores(conn: &mut DbConnection, tenant: &TenantId, evaluation: &SelfEvaluationId) -> DbResult<Vec<Score>> {
    Ok(self_evaluation_scores::table
        .filter(self_evaluation_scores::tenant_id.eq(tenant))
        .filter(self_evaluation_scores::self_evaluation_id.eq(evaluation))
        .order(self_evaluation_scores::standard_code.asc())
        .select(Score::as_select())
        .load(conn)?)
}

/// Records a decision. Decisions are never changed or removed: the database refuses it.
pub fn record_decision(conn: &mut DbConnection, tenant: &TenantId, mut row: Decision) -> DbResult<Decision> {
    row.tenant_id = tenant.clone();
    validate::name("body", &row.body, 200)?;
    validate::name("title", &row.title, 300)?;
    validate::text("decision", &row.decision, 4000)?;
    diesel::insert_into(decisions::table).values(&row).execute(conn)?;
    Ok(row)
}

/// The figures a tenant's dashboard opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub providers: i64,
    pub services: i64,
    pub active_contracts: i64,
    pub active_contract_value_pence: i64,
    pub reviews_overdue: i64,
    pub reviews_due_90_days: i64,
    pub contracts_ending_180_days: i64,
}

pub fn summary(conn: &mut DbConnection, tenant: &TenantId, today: NaiveDate) -> DbResult<Summary> {
    let open = [ReviewStatus::Scheduled, ReviewStatus::InProgress];
    let providers = providers::table.filter(providers::tenant_id.eq(tenant)).count().get_result(conn)?;
    let services = services::table.filter(services::tenant_id.eq(tenant)).count().get_result(conn)?;
    let active =
        contracts::table.filter(contracts::tenant_id.eq(tenant)).filter(contracts::status.eq(ContractStatus::Active));
    let active_contracts = active.count().get_result(conn)?;
    // SUM of a BIGINT is NUMERIC in PostgreSQL; cast back so both backends return a BIGINT.
    let active_contract_value_pence =
        active.select(sql::<BigInt>("CAST(COALESCE(SUM(value_pence), 0) AS BIGINT)")).get_result(conn)?;
    let reviews_overdue = reviews::table
        .filter(reviews::tenant_id.eq(tenant))
        .filter(reviews::status.eq_any(open))
        .filter(reviews::due_on.lt(today))
        .count()
        .get_result(conn)?;
    let reviews_due_90_days = reviews::table
        .filter(reviews::tenant_id.eq(tenant))
        .filter(reviews::status.eq_any(open))
        .filter(reviews::due_on.ge(today))
        .filter(reviews::due_on.le(today + chrono::Days::new(90)))
        .count()
        .get_result(conn)?;
    let contracts_ending_180_days = contracts::table
        .filter(contracts::tenant_id.eq(tenant))
        .filter(contracts::status.eq(ContractStatus::Active))
        .filter(contracts::end_date.ge(today))
        .filter(contracts::end_date.le(today + chrono::Days::new(180)))
        .count()
        .get_result(conn)?;
    Ok(Summary {
        providers,
        services,
        active_contracts,
        active_contract_value_pence,
        reviews_overdue,
        reviews_due_90_days,
        contracts_ending_180_days,
    })
}

/// The contracts of one provider of a tenant (what a provider member may see), by end date.
pub fn list_contracts_of(
    conn: &mut DbConnection,
    tenant: &TenantId,
    provider: &ProviderId,
    page: Page,
) -> DbResult<Paged<Contract>> {
    let base = || contracts::table.filter(contracts::tenant_id.eq(tenant)).filter(contracts::provider_id.eq(provider));
    let total: i64 = base().count().get_result(conn)?;
    let items = base()
        .order((contracts::end_date.asc(), contracts::reference.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(Contract::as_select())
        .load(conn)?;
    Ok(Paged { items, total, limit: page.limit, offset: page.offset })
}

/// The services one provider of a tenant runs.
pub fn list_services_of(
    conn: &mut DbConnection,
    tenant: &TenantId,
    provider: &ProviderId,
    page: Page,
) -> DbResult<Paged<Service>> {
    let base = || services::table.filter(services::tenant_id.eq(tenant)).filter(services::provider_id.eq(provider));
    let total: i64 = base().count().get_result(conn)?;
    let items = base()
        .order((services::name.asc(), services::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(Service::as_select())
        .load(conn)?;
    Ok(Paged { items, total, limit: page.limit, offset: page.offset })
}

/// The reviews of one provider's contracts in a tenant.
pub fn list_reviews_of(
    conn: &mut DbConnection,
    tenant: &TenantId,
    provider: &ProviderId,
    page: Page,
) -> DbResult<Paged<Review>> {
    let base = || {
        reviews::table
            .inner_join(contracts::table.on(contracts::id.nullable().eq(reviews::contract_id)))
            .filter(reviews::tenant_id.eq(tenant))
            .filter(contracts::tenant_id.eq(tenant))
            .filter(contracts::provider_id.eq(provider))
    };
    let total: i64 = base().count().get_result(conn)?;
    let items = base()
        .order((reviews::due_on.asc(), reviews::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(Review::as_select())
        .load(conn)?;
    Ok(Paged { items, total, limit: page.limit, offset: page.offset })
}

/// The provider a review concerns (through its contract), if any.
pub fn review_provider(conn: &mut DbConnection, tenant: &TenantId, review: &Review) -> DbResult<Option<ProviderId>> {
    match &review.contract_id {
        None => Ok(None),
        Some(c) => Ok(Some(get_contract(conn, tenant, c)?.provider_id)),
    }
}

/// Every service of a tenant with the outcomes it serves, by service name.
pub fn services_with_outcomes(conn: &mut DbConnection, tenant: &TenantId) -> DbResult<Vec<(Service, Vec<String>)>> {
    let services = list_services(conn, tenant, Page::all())?.items;
    let pairs: Vec<(ServiceId, String)> = service_outcomes::table
        .filter(service_outcomes::tenant_id.eq(tenant))
        .select((service_outcomes::service_id, service_outcomes::outcome_code))
        .load(conn)?;
    Ok(services
        .into_iter()
        .map(|s| {
            let mut outcomes: Vec<String> =
                pairs.iter().filter(|(id, _)| *id == s.id).map(|(_, o)| o.clone()).collect();
            outcomes.sort();
            (s, outcomes)
        })
        .collect())
}
