//! Rows of the data core and the closed vocabularies they use. Vocabulary that a framework
//! defines (stages, levels, review kinds, standards) stays free text here: plugins own it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::{AsChangeset, Insertable, Queryable, Selectable};
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::schema::*;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow, utoipa::ToSchema,
        )]
        #[diesel(sql_type = Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!(
                        "{other:?} is not one of: {}",
                        [$($text),*].join(", ")
                    )),
                }
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $name
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                s.parse().map_err(Into::into)
            }
        }
    };
}

text_enum!(TenantStatus { Pending = "pending", Active = "active", Suspended = "suspended" });
text_enum!(SignupStatus {
    AwaitingEmail = "awaiting_email",
    AwaitingApproval = "awaiting_approval",
    Approved = "approved",
    Rejected = "rejected",
});
text_enum!(TokenPurpose { Login = "login", OperatorLogin = "operator_login", ConfirmSignup = "confirm_signup" });
text_enum!(Role {
    TenantAdmin = "tenant_admin",
    Commissioner = "commissioner",
    BoardMember = "board_member",
    Provider = "provider",
    Viewer = "viewer",
});
text_enum!(Sector {
    Statutory = "statutory",
    VoluntaryCommunity = "voluntary_community",
    IndependentPrivate = "independent_private",
});
text_enum!(Tier { Universal = "universal", Targeted = "targeted", Specialist = "specialist" });
text_enum!(ContractKind {
    Block = "block",
    Spot = "spot",
    Sla = "sla",
    Grant = "grant",
    Partnership = "partnership",
});
text_enum!(ContractEventKind { Variation = "variation", Extension = "extension", Termination = "termination" });
text_enum!(ContractStatus { Draft = "draft", Active = "active", Ended = "ended", Terminated = "terminated" });
text_enum!(PartnerKind {
    Council = "council",
    Health = "health",
    Police = "police",
    Schools = "schools",
    Voluntary = "voluntary",
    Other = "other",
});
text_enum!(IndicatorUnit {
    Count = "count",
    Percent = "percent",
    RatePer1000 = "rate_per_1000",
    RatePer10000 = "rate_per_10000",
    RatePer100000 = "rate_per_100000",
    Score = "score",
});
text_enum!(Polarity {
    HigherIsBetter = "higher_is_better",
    LowerIsBetter = "lower_is_better",
    Neutral = "neutral",
});
text_enum!(KpiUnit { Count = "count", Percent = "percent", Days = "days", Score = "score" });
text_enum!(Frequency { Monthly = "monthly", Quarterly = "quarterly", Annual = "annual" });
text_enum!(Sex { Female = "female", Male = "male" });
text_enum!(ReviewStatus {
    Scheduled = "scheduled",
    InProgress = "in_progress",
    Completed = "completed",
    Cancelled = "cancelled",
});
text_enum!(ReviewOutcome {
    Continue = "continue",
    Improve = "improve",
    Recommission = "recommission",
    Decommission = "decommission",
});
text_enum!(OutboxStatus { Pending = "pending", Sent = "sent", Failed = "failed" });

/// The nine English regions, the only values a tenant's region may take.
pub const ENGLISH_REGIONS: &[&str] = &[
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
];

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub ons_code: String,
    pub region: String,
    pub status: TenantStatus,
    pub plugin_id: Option<String>,
    pub plugin_version: Option<String>,
    pub reminder_lead_days: String,
    pub share_indicators: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub is_operator: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: MembershipId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    pub provider_id: Option<ProviderId>,
    pub created_at: NaiveDateTime,
    /// The name this trust knows the member by: what the inviting trust typed, replaced by the
    /// person's own name when they sign in to this trust. Never another trust's.
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = outcomes)]
pub struct Outcome {
    pub code: String,
    pub title: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = indicators)]
pub struct Indicator {
    pub code: String,
    pub title: String,
    pub outcome_code: String,
    pub unit: IndicatorUnit,
    pub polarity: Polarity,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = indicator_values)]
pub struct IndicatorValue {
    pub id: IndicatorValueId,
    pub tenant_id: TenantId,
    pub indicator_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub age_from: Option<i32>,
    pub age_to: Option<i32>,
    pub sex: Option<Sex>,
    pub area: Option<String>,
    pub group_name: Option<String>,
    pub breakdown_key: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = needs, treat_none_as_null = true)]
pub struct Need {
    pub id: NeedId,
    pub tenant_id: TenantId,
    pub outcome_code: String,
    pub title: String,
    pub description: String,
    pub group_name: Option<String>,
    pub age_from: Option<i32>,
    pub age_to: Option<i32>,
    pub area: Option<String>,
    pub evidence: String,
    pub source: String,
    pub identified_on: NaiveDate,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    /// When the record was archived (kept for what points at it, hidden from new choices).
    #[schema(value_type = Option<String>)]
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = priorities, treat_none_as_null = true)]
pub struct Priority {
    pub id: PriorityId,
    pub tenant_id: TenantId,
    pub outcome_code: String,
    pub need_id: Option<NeedId>,
    pub title: String,
    pub rationale: String,
    pub rank: i32,
    pub attributes: String,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    /// When the record was archived (kept for what points at it, hidden from new choices).
    #[schema(value_type = Option<String>)]
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = providers, treat_none_as_null = true)]
pub struct Provider {
    pub id: ProviderId,
    pub tenant_id: TenantId,
    pub name: String,
    pub sector: Sector,
    pub registration_number: Option<String>,
    pub safeguarding_evidence: Option<String>,
    pub safeguarding_checked_on: Option<NaiveDate>,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// The fields the trust's framework asks for, as a JSON object of text values.
    pub attributes: String,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    /// When the record was archived (kept for what points at it, hidden from new choices).
    #[schema(value_type = Option<String>)]
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct Service {
    pub id: ServiceId,
    pub tenant_id: TenantId,
    pub provider_id: ProviderId,
    pub name: String,
    pub description: String,
    pub tier: Tier,
    pub level: Option<String>,
    pub area: Option<String>,
    pub age_from: i32,
    pub age_to: i32,
    pub annual_budget_pence: i64,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// The fields the trust's framework asks for, as a JSON object of text values.
    pub attributes: String,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    /// When the record was archived (kept for what points at it, hidden from new choices).
    #[schema(value_type = Option<String>)]
    pub archived_at: Option<NaiveDateTime>,
    /// The framework body that oversees the service, from the plugin's classification.
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = service_outcomes)]
pub struct ServiceOutcome {
    pub tenant_id: TenantId,
    pub service_id: ServiceId,
    pub outcome_code: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = commissioning_projects, treat_none_as_null = true)]
pub struct Project {
    pub id: ProjectId,
    pub tenant_id: TenantId,
    pub title: String,
    pub description: String,
    pub level: Option<String>,
    pub stage: String,
    pub priority_id: Option<PriorityId>,
    pub service_id: Option<ServiceId>,
    pub owner_user_id: Option<UserId>,
    pub started_on: NaiveDate,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// The fields the trust's framework asks for, as a JSON object of text values.
    pub attributes: String,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    /// The framework body that owns the project, from the plugin's classification.
    pub body: Option<String>,
    /// The contract this project re-commissions, if it came from a review.
    pub contract_id: Option<ContractId>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = project_stage_history)]
pub struct StageMove {
    pub id: StageMoveId,
    pub tenant_id: TenantId,
    pub project_id: ProjectId,
    pub from_stage: Option<String>,
    pub to_stage: String,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub moved_at: NaiveDateTime,
    pub moved_by_user_id: Option<UserId>,
    pub findings: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = contracts, treat_none_as_null = true)]
pub struct Contract {
    pub id: ContractId,
    pub tenant_id: TenantId,
    pub reference: String,
    pub title: String,
    pub service_id: ServiceId,
    pub provider_id: ProviderId,
    pub kind: ContractKind,
    pub status: ContractStatus,
    pub value_pence: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// The fields the trust's framework asks for, as a JSON object of text values.
    pub attributes: String,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
}

/// A change to a contract that is never a silent edit: a variation (value or end date), an
/// extension (a later end date) or a termination, with its reason and what it changed.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = contract_events)]
pub struct ContractEvent {
    pub id: ContractEventId,
    pub tenant_id: TenantId,
    pub contract_id: ContractId,
    pub kind: ContractEventKind,
    pub effective_on: NaiveDate,
    pub reason: String,
    /// A JSON array of `{field, before, after}`.
    pub changes: String,
    pub recorded_by_user_id: Option<UserId>,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = contract_contributions)]
pub struct Contribution {
    pub id: ContributionId,
    pub tenant_id: TenantId,
    pub contract_id: ContractId,
    pub partner: String,
    pub partner_kind: PartnerKind,
    pub amount_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = contract_kpis)]
pub struct Kpi {
    pub id: KpiId,
    pub tenant_id: TenantId,
    pub contract_id: ContractId,
    pub code: String,
    pub title: String,
    pub unit: KpiUnit,
    pub target: f64,
    pub polarity: Polarity,
    pub frequency: Frequency,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = monitoring_returns)]
pub struct MonitoringReturn {
    pub id: MonitoringReturnId,
    pub tenant_id: TenantId,
    pub kpi_id: KpiId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
    pub note: String,
    pub submitted_by_user_id: Option<UserId>,
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, utoipa::ToSchema)]
#[diesel(table_name = reviews, treat_none_as_null = true)]
pub struct Review {
    pub id: ReviewId,
    pub tenant_id: TenantId,
    pub contract_id: Option<ContractId>,
    pub service_id: Option<ServiceId>,
    pub kind: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub owner_user_id: Option<UserId>,
    pub owner_body: Option<String>,
    pub status: ReviewStatus,
    pub outcome: Option<ReviewOutcome>,
    pub completed_on: Option<NaiveDate>,
    pub notes: String,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
    /// Raised by one on every change; an edit that names an older version is refused.
    pub version: i32,
    pub evidence: String,
    /// The project a re-commissioning outcome opened.
    pub follow_up_project_id: Option<ProjectId>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = self_evaluations)]
pub struct SelfEvaluation {
    pub id: SelfEvaluationId,
    pub tenant_id: TenantId,
    pub standards_set: String,
    pub title: String,
    pub evaluated_on: NaiveDate,
    pub created_by_user_id: Option<UserId>,
    pub summary: String,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = self_evaluation_scores)]
pub struct Score {
    pub id: ScoreId,
    pub tenant_id: TenantId,
    pub self_evaluation_id: SelfEvaluationId,
    pub standard_code: String,
    pub score: i32,
    pub evidence: String,
    pub options: String,
    /// Who gave the rating (a named group); "" for the trust's own single rating.
    pub rater: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = decisions)]
pub struct Decision {
    pub id: DecisionId,
    pub tenant_id: TenantId,
    pub decided_on: NaiveDate,
    pub body: String,
    pub title: String,
    pub decision: String,
    pub decided_by_user_id: Option<UserId>,
    pub contract_id: Option<ContractId>,
    pub project_id: Option<ProjectId>,
    #[schema(value_type = String, example = "2026-11-24T09:30:00")]
    pub recorded_at: NaiveDateTime,
    pub review_id: Option<ReviewId>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: AuditId,
    pub tenant_id: Option<TenantId>,
    pub actor_user_id: Option<UserId>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub tenant_id: Option<TenantId>,
    pub idempotency_key: String,
    pub message_id: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// For a reminder: its kind (`review_due_14`, `review_overdue_1`, `contract_notice`, …).
    pub kind: Option<String>,
    /// What it is about: `review` or `contract`, and the record's id.
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    /// The date the reminder is about (the review's or the contract's).
    pub due_on: Option<NaiveDate>,
    pub recipient_user_id: Option<UserId>,
    /// A dispatcher's claim: another may take the row only after this.
    pub lease_until: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    /// Retries stop here; a row still unsent is then failed.
    pub give_up_at: Option<NaiveDateTime>,
    /// A reminder's one-click unsubscribe (its `List-Unsubscribe` header).
    pub unsubscribe_url: Option<String>,
}

impl OutboxMessage {
    /// A message to queue now, with nothing of a reminder about it.
    /// `content` is the subject, the plain text and the HTML.
    pub fn plain(
        tenant_id: Option<TenantId>,
        idempotency_key: String,
        message_id: String,
        to_address: String,
        content: (String, String, String),
        now: NaiveDateTime,
    ) -> OutboxMessage {
        let (subject, body_text, body_html) = content;
        OutboxMessage {
            id: OutboxId::new(),
            tenant_id,
            idempotency_key,
            message_id,
            to_address,
            subject,
            body_text,
            body_html,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            created_at: now,
            kind: None,
            subject_kind: None,
            subject_id: None,
            due_on: None,
            recipient_user_id: None,
            lease_until: None,
            claimed_by: None,
            give_up_at: None,
            unsubscribe_url: None,
        }
    }
}

/// The canonical text of an indicator breakdown; "" is the whole population.
pub fn breakdown_key(age: Option<(i32, i32)>, sex: Option<Sex>, area: Option<&str>, group: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some((from, to)) = age {
        parts.push(format!("age={from}-{to}"));
    }
    if let Some(sex) = sex {
        parts.push(format!("sex={sex}"));
    }
    if let Some(area) = area {
        parts.push(format!("area={area}"));
    }
    if let Some(group) = group {
        parts.push(format!("group={group}"));
    }
    parts.join(";")
}

/// Pounds and pence for people, from the integer pence the data core keeps.
pub fn format_pence(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    let pounds = abs / 100;
    let digits = pounds.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}£{grouped}.{:02}", abs % 100)
}

/// Pence from pounds as people write them: "1234.56", "£1,234.56", "1,250" or "0.5". Commas
/// only between groups of three digits, at most two decimals, not negative, below £10 billion.
pub fn parse_pounds(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t.strip_prefix('£').unwrap_or(t).trim();
    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    if whole.is_empty() || fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let digits: String = groups.concat();
    if digits.len() > 10 {
        return None;
    }
    let pounds: i64 = digits.parse().ok()?;
    let pence: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().ok()? };
    Some(pounds * 100 + pence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_read_as_people_write_them() {
        for (text, pence) in
            [("1234.56", 123_456), ("£1,234.56", 123_456), ("1,250", 125_000), ("0.5", 50), (" £ 12 ", 1200)]
        {
            assert_eq!(parse_pounds(text), Some(pence), "{text}");
        }
        for bad in ["", "£", "-5", "1.234", "12,34", "1,2345", "abc", "1e3", "NaN", "99999999999", ",100", "1..2"] {
            assert_eq!(parse_pounds(bad), None, "{bad}");
        }
        assert_eq!(parse_pounds(&format_pence(987_654_321).replace('£', "")), Some(987_654_321));
    }

    #[test]
    fn enums_round_trip_their_text_and_name_the_choices_on_error() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        let err = "admin".parse::<Role>().unwrap_err();
        assert!(err.contains("tenant_admin") && err.contains("viewer"), "{err}");
    }

    #[test]
    fn breakdown_keys_are_canonical() {
        assert_eq!(breakdown_key(None, None, None, None), "");
        assert_eq!(
            breakdown_key(Some((13, 19)), Some(Sex::Female), Some("Peckham"), None),
            "age=13-19;sex=female;area=Peckham"
        );
    }

    #[test]
    fn pence_are_shown_as_pounds() {
        assert_eq!(format_pence(0), "£0.00");
        assert_eq!(format_pence(123_456_789), "£1,234,567.89");
        assert_eq!(format_pence(-5), "-£0.05");
        assert_eq!(format_pence(100_000), "£1,000.00");
    }
}

/// A council's request to join the platform, from the form to the operator's decision.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = signups)]
pub struct Signup {
    pub id: SignupId,
    pub council_name: String,
    pub ons_code: String,
    pub region: String,
    pub admin_name: String,
    pub admin_email: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub slug: String,
    pub status: SignupStatus,
    pub tenant_id: Option<TenantId>,
    pub created_at: NaiveDateTime,
    pub email_confirmed_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<UserId>,
}

/// A one-time email link, kept as the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_tokens)]
pub struct EmailToken {
    pub token_hash: String,
    pub purpose: TokenPurpose,
    pub email: String,
    pub tenant_id: Option<TenantId>,
    pub signup_id: Option<SignupId>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// A tenant's identity-provider settings; the client secret is sealed by the server.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tenant_oidc)]
pub struct TenantOidc {
    pub tenant_id: TenantId,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: String,
    pub allowed_domains: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<UserId>,
}

impl TenantOidc {
    pub fn domains(&self) -> Vec<String> {
        self.allowed_domains.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_string).collect()
    }
}

/// A bearer token for the JSON API, kept as the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}
