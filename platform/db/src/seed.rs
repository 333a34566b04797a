//! The five founding trusts and a deterministic demo dataset shaped like each trust's own
//! framework document: its areas, the needs and priorities it names, and services, contracts,
//! reviews and five years of indicator values. Every row has an id derived from its trust and
//! position, and a trust that already has demo data is left alone, so re-running adds nothing.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime};
use diesel::Connection;
use serde::Serialize;

use crate::conn::DbConnection;
use crate::error::{DbError, DbResult};
use crate::ids::*;
use crate::models::*;
use crate::repo::commissioning::{self as c, NewContract};
use crate::repo::{Page, indicators, tenants};

/// A founding trust: who it is and what its document gives the demo data.
#[derive(Debug)]
pub struct Trust {
    pub slug: &'static str,
    /// Prefix of the trust's contract references.
    pub ref_prefix: &'static str,
    pub name: &'static str,
    pub ons_code: &'static str,
    pub region: &'static str,
    /// The trust's localities, as its document names them (or, where it names none, its districts).
    pub areas: &'static [&'static str],
    /// The framework's body that reviews trust-wide contracts in the demo data (its plugin's id).
    pub review_body: &'static str,
    /// Needs the document names: outcome, title, age range, evidence.
    pub needs: &'static [(&'static str, &'static str, (i32, i32), &'static str)],
    /// Priorities: outcome, title, framework attributes (a JSON object).
    pub priorities: &'static [(&'static str, &'static str, &'static str)],
    /// Local voluntary and independent providers.
    pub local_providers: &'static [(&'static str, Sector)],
    /// Preferred contract length in years (Southwark prefers three-year contracts).
    pub contract_years: u32,
}

pub const TRUSTS: [Trust; 5] = [
    Trust {
        slug: "durham",
        ref_prefix: "DUR",
        name: "County Durham Children's Trust",
        ons_code: "E06000047",
        region: "North East",
        // The 2005 framework names Local Children's Boards but not their areas; these are the
        // county's seven districts of that time.
        areas: &[
            "Chester-le-Street",
            "Derwentside",
            "Durham City",
            "Easington",
            "Sedgefield",
            "Teesdale",
            "Wear Valley",
        ],
        review_body: "executive-board",
        needs: &[
            (
                "stay_safe",
                "Earlier intervention before children reach crisis point",
                (0, 17),
                "Children in need and child protection referral rates",
            ),
            (
                "be_healthy",
                "Joined-up CAMHS support embedded in universal services",
                (5, 17),
                "CAMHS waiting times and ECM audit of needs and services",
            ),
            (
                "enjoy_and_achieve",
                "Attainment gap for looked after children",
                (5, 16),
                "Key stage results for looked after children",
            ),
            (
                "economic_wellbeing",
                "Young people not in education, employment or training",
                (16, 18),
                "Connexions NEET returns",
            ),
        ],
        priorities: &[
            (
                "stay_safe",
                "Reduce repeat child protection plans",
                r#"{"priority_type":"must_do","source":"inspection"}"#,
            ),
            (
                "enjoy_and_achieve",
                "Raise attainment of looked after children",
                r#"{"priority_type":"must_do","source":"performance"}"#,
            ),
            (
                "be_healthy",
                "Integrated emotional wellbeing service in every locality",
                r#"{"priority_type":"want_to_do","source":"visioning"}"#,
            ),
            (
                "economic_wellbeing",
                "Cut the proportion of 16-18 year olds NEET",
                r#"{"priority_type":"must_do","source":"performance"}"#,
            ),
        ],
        local_providers: &[
            ("Durham Dales Youth Project", Sector::VoluntaryCommunity),
            ("Easington Family Support Network", Sector::VoluntaryCommunity),
            ("Wear Valley Young Carers", Sector::VoluntaryCommunity),
            ("North East Fostering Partnership Ltd", Sector::IndependentPrivate),
        ],
        contract_years: 2,
    },
    Trust {
        slug: "central-bedfordshire",
        ref_prefix: "CBT",
        name: "Central Bedfordshire Children's Trust",
        ons_code: "E06000056",
        region: "East of England",
        // The draft framework speaks of localities without naming them; these are inferred.
        areas: &["Dunstable and Houghton Regis", "Leighton Buzzard and Linslade", "Ivel Valley", "West Mid Beds"],
        review_body: "commissioning-executive",
        needs: &[
            (
                "stay_safe",
                "Short breaks and family support for disabled children",
                (0, 18),
                "Aiming High for Disabled Children assessment",
            ),
            (
                "be_healthy",
                "Emotional health of children in areas of most need",
                (5, 17),
                "Joint Strategic Needs Assessment",
            ),
            (
                "enjoy_and_achieve",
                "School readiness in the most deprived localities",
                (3, 5),
                "Early years foundation stage profile",
            ),
        ],
        priorities: &[
            ("stay_safe", "Pooled budget for disabled children's short breaks", r#"{}"#),
            ("be_healthy", "Early help for emotional wellbeing", r#"{}"#),
            ("enjoy_and_achieve", "Narrow the early years development gap", r#"{}"#),
        ],
        local_providers: &[
            ("Ivel Valley Play Partnership", Sector::VoluntaryCommunity),
            ("Leighton Linslade Youth Forum", Sector::VoluntaryCommunity),
            ("Chiltern Short Breaks CIC", Sector::VoluntaryCommunity),
            ("Bedfordshire Therapy Services Ltd", Sector::IndependentPrivate),
        ],
        contract_years: 2,
    },
    Trust {
        slug: "sunderland",
        ref_prefix: "SUN",
        name: "Sunderland Children's Trust",
        ons_code: "E08000024",
        region: "North East",
        areas: &["North", "South", "East", "West", "Washington", "Coalfields"],
        review_body: "ctsp",
        needs: &[
            ("stay_safe", "Bullying across the city", (8, 16), "Children's Trust needs assessment and school surveys"),
            ("be_healthy", "Under-18 conceptions", (13, 17), "Teenage pregnancy rates by area"),
            ("be_healthy", "Infant mortality", (0, 1), "Public health annual report"),
            ("economic_wellbeing", "Education and training outcomes for care leavers", (16, 21), "Care leaver returns"),
        ],
        priorities: &[
            ("stay_safe", "A city-wide response to bullying", r#"{"age_band":"8-12","level":"strategic"}"#),
            ("be_healthy", "Reduce under-18 teenage pregnancy", r#"{"age_band":"13+","level":"strategic"}"#),
            ("be_healthy", "Reduce infant mortality", r#"{"age_band":"0-7","level":"operational"}"#),
            (
                "economic_wellbeing",
                "Improve education and training outcomes for care leavers",
                r#"{"age_band":"13+","level":"individual"}"#,
            ),
        ],
        local_providers: &[
            ("Washington Young People's Project", Sector::VoluntaryCommunity),
            ("Coalfields Family Centre", Sector::VoluntaryCommunity),
            ("Wearside Anti-Bullying Partnership", Sector::VoluntaryCommunity),
            ("Northern Care Placements Ltd", Sector::IndependentPrivate),
        ],
        contract_years: 1,
    },
    Trust {
        slug: "kent",
        ref_prefix: "KCT",
        name: "Kent Children's Trust",
        ons_code: "E10000016",
        region: "South East",
        // Local Children's Services Partnerships (LCSPs) follow the county's districts.
        areas: &[
            "Ashford",
            "Canterbury",
            "Dartford",
            "Dover",
            "Gravesham",
            "Maidstone",
            "Sevenoaks",
            "Shepway",
            "Swale",
            "Thanet",
            "Tonbridge and Malling",
            "Tunbridge Wells",
        ],
        review_body: "kct-executive",
        needs: &[
            ("be_healthy", "Teenage pregnancy", (13, 17), "Teenage pregnancy review and annual needs assessment"),
            ("be_healthy", "Substance misuse by young people", (11, 18), "Annual needs assessment"),
            (
                "positive_contribution",
                "First-time entrants to the youth justice system",
                (10, 17),
                "Youth offending service returns",
            ),
        ],
        priorities: &[
            ("be_healthy", "Joint commissioning plan for teenage pregnancy", r#"{"level":"county"}"#),
            ("be_healthy", "Joint commissioning plan for substance misuse", r#"{"level":"county"}"#),
            (
                "positive_contribution",
                "Local positive activities through LCSPs",
                r#"{"level":"local","area":"Thanet"}"#,
            ),
        ],
        local_providers: &[
            ("Thanet Youth Trust", Sector::VoluntaryCommunity),
            ("Swale Family Mediation", Sector::VoluntaryCommunity),
            ("West Kent Young People's Drug Service", Sector::VoluntaryCommunity),
            ("Garden of England Residential Care Ltd", Sector::IndependentPrivate),
        ],
        contract_years: 2,
    },
    Trust {
        slug: "southwark",
        ref_prefix: "SWK",
        name: "Young Southwark Children's Trust",
        ons_code: "E09000028",
        region: "London",
        areas: &[
            "Bermondsey and Rotherhithe",
            "Borough and Bankside and Walworth",
            "Peckham and Nunhead and Peckham Rye",
            "Camberwell and Dulwich",
        ],
        review_body: "young-southwark",
        needs: &[
            ("stay_safe", "Strengthen specialist children's services", (0, 17), "Children and Young People's Plan"),
            (
                "enjoy_and_achieve",
                "Universal and preventative services in each locality",
                (0, 19),
                "Locality needs assessments",
            ),
            ("positive_contribution", "Young people at risk of offending", (10, 19), "Youth offending service returns"),
        ],
        priorities: &[
            ("stay_safe", "Strengthening specialist children's services", r#"{"level_of_need":"3"}"#),
            ("enjoy_and_achieve", "Building universal and preventative services", r#"{"level_of_need":"1"}"#),
            ("positive_contribution", "Targeted youth support in the four quadrants", r#"{"level_of_need":"2"}"#),
        ],
        local_providers: &[
            ("Peckham Play Association", Sector::VoluntaryCommunity),
            ("Bermondsey Youth Network", Sector::VoluntaryCommunity),
            ("Walworth Families Project", Sector::VoluntaryCommunity),
            ("South London Specialist Placements Ltd", Sector::IndependentPrivate),
        ],
        contract_years: 3,
    },
];

/// The shared indicator catalogue: code, title, outcome, unit, polarity, a typical value, and
/// whether it is broken down by single year of age (and over which ages).
#[allow(clippy::type_complexity)]
#[rustfmt::skip]
pub const CATALOGUE: &[(&str, &str, &str, IndicatorUnit, Polarity, f64, Option<(i32, i32)>)] = &[
    ("infant_mortality", "Infant mortality rate", "be_healthy", IndicatorUnit::RatePer1000, Polarity::LowerIsBetter, 4.2, None),
    ("low_birth_weight", "Low birth weight of term babies", "be_healthy", IndicatorUnit::Percent, Polarity::LowerIsBetter, 2.9, None),
    ("breastfeeding_6_8_weeks", "Breastfeeding at 6 to 8 weeks", "be_healthy", IndicatorUnit::Percent, Polarity::HigherIsBetter, 45.0, None),
    ("obesity_reception", "Obesity in reception year", "be_healthy", IndicatorUnit::Percent, Polarity::LowerIsBetter, 9.8, None),
    ("obesity_year6", "Obesity in year 6", "be_healthy", IndicatorUnit::Percent, Polarity::LowerIsBetter, 21.5, None),
    ("under18_conceptions", "Under-18 conceptions per 1,000 females aged 15-17", "be_healthy", IndicatorUnit::RatePer1000, Polarity::LowerIsBetter, 14.0, Some((15, 17))),
    ("substance_misuse_treatment", "Young people in specialist substance misuse treatment per 10,000", "be_healthy", IndicatorUnit::RatePer10000, Polarity::LowerIsBetter, 28.0, Some((11, 17))),
    ("camhs_seen_18_weeks", "CAMHS referrals seen within 18 weeks", "be_healthy", IndicatorUnit::Percent, Polarity::HigherIsBetter, 78.0, None),
    ("children_in_need", "Children in need per 10,000 under 18", "stay_safe", IndicatorUnit::RatePer10000, Polarity::Neutral, 340.0, Some((0, 17))),
    ("child_protection_plans", "Children subject to a child protection plan per 10,000", "stay_safe", IndicatorUnit::RatePer10000, Polarity::Neutral, 42.0, Some((0, 17))),
    ("repeat_child_protection", "Child protection plans that were a second or later plan", "stay_safe", IndicatorUnit::Percent, Polarity::LowerIsBetter, 22.0, None),
    ("looked_after_children", "Looked after children per 10,000 under 18", "stay_safe", IndicatorUnit::RatePer10000, Polarity::Neutral, 70.0, Some((0, 17))),
    ("placement_stability", "Looked after children with three or more placements in the year", "stay_safe", IndicatorUnit::Percent, Polarity::LowerIsBetter, 10.0, None),
    ("injury_admissions", "Hospital admissions for injuries per 10,000 aged 0-14", "stay_safe", IndicatorUnit::RatePer10000, Polarity::LowerIsBetter, 95.0, Some((0, 14))),
    ("good_level_development", "Good level of development at the end of reception", "enjoy_and_achieve", IndicatorUnit::Percent, Polarity::HigherIsBetter, 66.0, None),
    ("ks2_expected", "Key stage 2 reading, writing and maths at the expected standard", "enjoy_and_achieve", IndicatorUnit::Percent, Polarity::HigherIsBetter, 60.0, None),
    ("ks4_english_maths", "Key stage 4 English and maths at grade 4 or above", "enjoy_and_achieve", IndicatorUnit::Percent, Polarity::HigherIsBetter, 64.0, None),
    ("persistent_absence", "Pupils persistently absent", "enjoy_and_achieve", IndicatorUnit::Percent, Polarity::LowerIsBetter, 18.0, None),
    ("first_time_entrants", "First-time entrants to the youth justice system per 100,000 aged 10-17", "positive_contribution", IndicatorUnit::RatePer100000, Polarity::LowerIsBetter, 170.0, Some((10, 17))),
    ("positive_activities", "Young people taking part in positive activities", "positive_contribution", IndicatorUnit::Percent, Polarity::HigherIsBetter, 62.0, None),
    ("neet_16_17", "16-17 year olds not in education, employment or training", "economic_wellbeing", IndicatorUnit::Percent, Polarity::LowerIsBetter, 5.5, Some((16, 17))),
    ("low_income_families", "Children in relative low income families", "economic_wellbeing", IndicatorUnit::Percent, Polarity::LowerIsBetter, 21.0, None),
    ("care_leavers_eet", "Care leavers aged 19-21 in education, employment or training", "economic_wellbeing", IndicatorUnit::Percent, Polarity::HigherIsBetter, 52.0, None),
    ("young_carers_identified", "Young carers known to services per 10,000 aged 5-17", "economic_wellbeing", IndicatorUnit::RatePer10000, Polarity::Neutral, 55.0, None),
];

/// A service type the demo instantiates: name, tier, outcomes, ages, budget in pounds, whether
/// one runs in every area, and who typically provides it.
struct ServiceType {
    name: &'static str,
    tier: Tier,
    outcomes: &'static [&'static str],
    ages: (i32, i32),
    budget: i64,
    per_area: bool,
    provider: ProviderKind,
}

#[derive(Clone, Copy)]
enum ProviderKind {
    Council,
    Health,
    Police,
    Local,
    National,
}

#[rustfmt::skip]
const SERVICE_TYPES: &[ServiceType] = &[
    ServiceType { name: "Children's centre", tier: Tier::Universal, outcomes: &["be_healthy", "enjoy_and_achieve"], ages: (0, 5), budget: 420_000, per_area: true, provider: ProviderKind::Council },
    ServiceType { name: "Youth service", tier: Tier::Universal, outcomes: &["positive_contribution", "enjoy_and_achieve"], ages: (11, 19), budget: 180_000, per_area: true, provider: ProviderKind::Local },
    ServiceType { name: "Health visiting", tier: Tier::Universal, outcomes: &["be_healthy"], ages: (0, 5), budget: 2_400_000, per_area: false, provider: ProviderKind::Health },
    ServiceType { name: "School nursing", tier: Tier::Universal, outcomes: &["be_healthy", "stay_safe"], ages: (5, 19), budget: 1_100_000, per_area: false, provider: ProviderKind::Health },
    ServiceType { name: "Information, advice and guidance for young people", tier: Tier::Universal, outcomes: &["economic_wellbeing"], ages: (13, 19), budget: 650_000, per_area: false, provider: ProviderKind::Council },
    ServiceType { name: "Family support and parenting programme", tier: Tier::Targeted, outcomes: &["stay_safe", "be_healthy"], ages: (0, 17), budget: 310_000, per_area: false, provider: ProviderKind::National },
    ServiceType { name: "Teenage pregnancy and sexual health outreach", tier: Tier::Targeted, outcomes: &["be_healthy"], ages: (13, 19), budget: 240_000, per_area: false, provider: ProviderKind::Health },
    ServiceType { name: "Young people's substance misuse service", tier: Tier::Targeted, outcomes: &["be_healthy", "stay_safe"], ages: (11, 18), budget: 290_000, per_area: false, provider: ProviderKind::Local },
    ServiceType { name: "Targeted youth support", tier: Tier::Targeted, outcomes: &["positive_contribution", "economic_wellbeing"], ages: (11, 19), budget: 260_000, per_area: false, provider: ProviderKind::National },
    ServiceType { name: "Young carers project", tier: Tier::Targeted, outcomes: &["enjoy_and_achieve", "economic_wellbeing"], ages: (5, 17), budget: 95_000, per_area: false, provider: ProviderKind::Local },
    ServiceType { name: "Anti-bullying and peer mentoring", tier: Tier::Targeted, outcomes: &["stay_safe", "positive_contribution"], ages: (8, 16), budget: 70_000, per_area: false, provider: ProviderKind::Local },
    ServiceType { name: "Domestic abuse support for children", tier: Tier::Targeted, outcomes: &["stay_safe"], ages: (0, 17), budget: 150_000, per_area: false, provider: ProviderKind::National },
    ServiceType { name: "Youth crime prevention", tier: Tier::Targeted, outcomes: &["positive_contribution", "stay_safe"], ages: (10, 17), budget: 210_000, per_area: false, provider: ProviderKind::Police },
    ServiceType { name: "Child and adolescent mental health service (tier 3)", tier: Tier::Specialist, outcomes: &["be_healthy"], ages: (0, 17), budget: 3_200_000, per_area: false, provider: ProviderKind::Health },
    ServiceType { name: "Short breaks for disabled children", tier: Tier::Specialist, outcomes: &["stay_safe", "enjoy_and_achieve"], ages: (0, 18), budget: 880_000, per_area: false, provider: ProviderKind::Local },
    ServiceType { name: "Independent fostering placements", tier: Tier::Specialist, outcomes: &["stay_safe"], ages: (0, 17), budget: 2_900_000, per_area: false, provider: ProviderKind::National },
    ServiceType { name: "Residential care placements", tier: Tier::Specialist, outcomes: &["stay_safe"], ages: (8, 17), budget: 3_600_000, per_area: false, provider: ProviderKind::National },
    ServiceType { name: "Leaving care and supported lodgings", tier: Tier::Specialist, outcomes: &["economic_wellbeing", "stay_safe"], ages: (16, 21), budget: 720_000, per_area: false, provider: ProviderKind::Local },
    ServiceType { name: "Speech and language therapy", tier: Tier::Specialist, outcomes: &["enjoy_and_achieve", "be_healthy"], ages: (0, 16), budget: 640_000, per_area: false, provider: ProviderKind::Health },
    ServiceType { name: "Independent advocacy for children in care", tier: Tier::Specialist, outcomes: &["positive_contribution", "stay_safe"], ages: (5, 19), budget: 85_000, per_area: false, provider: ProviderKind::National },
];

const NATIONAL_PROVIDERS: &[(&str, Sector)] = &[
    ("Barnardo's", Sector::VoluntaryCommunity),
    ("Action for Children", Sector::VoluntaryCommunity),
    ("The Children's Society", Sector::VoluntaryCommunity),
    ("NSPCC", Sector::VoluntaryCommunity),
    ("Foster Care Associates", Sector::IndependentPrivate),
];

/// What seeding did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    pub tenants_created: Vec<String>,
    pub demo_data_added: Vec<String>,
    pub already_present: Vec<String>,
}

/// The shared reference data: the five outcomes and the indicator catalogue.
pub fn seed_reference(conn: &mut DbConnection) -> DbResult<()> {
    conn.transaction(|conn| {
        indicators::ensure_outcomes(conn)?;
        for (code, title, outcome, unit, polarity, _, _) in CATALOGUE {
            indicators::ensure_indicator(
                conn,
                &Indicator {
                    code: (*code).into(),
                    title: (*title).into(),
                    outcome_code: (*outcome).into(),
                    unit: *unit,
                    polarity: *polarity,
                    description: String::new(),
                },
            )?;
        }
        Ok(())
    })
}

/// Seeds the five trusts and, if `demo`, their demo data. Each trust goes in its own
/// transaction: a failure leaves earlier trusts complete and the failing one absent.
pub fn seed(conn: &mut DbConnection, demo: bool, today: NaiveDate, now: NaiveDateTime) -> DbResult<SeedReport> {
    seed_reference(conn)?;
    let mut report = SeedReport::default();
    for trust in &TRUSTS {
        conn.transaction::<_, DbError, _>(|conn| {
            let tenant = match tenants::by_slug(conn, trust.slug)? {
                Some(t) => t,
                None => {
                    report.tenants_created.push(trust.slug.into());
                    tenants::create(
                        conn,
                        TenantId::derived(&format!("tenant:{}", trust.slug)),
                        &tenants::NewTenant {
                            slug: trust.slug.into(),
                            name: trust.name.into(),
                            ons_code: trust.ons_code.into(),
                            region: trust.region.into(),
                            status: TenantStatus::Active,
                            plugin_id: None,
                            plugin_version: None,
                        },
                        now,
                    )?
                }
            };
            if !demo {
                return Ok(());
            }
            if c::list_providers(conn, &tenant.id, Page::new(1, 0))?.total > 0 {
                report.already_present.push(trust.slug.into());
                return Ok(());
            }
            demo_data(conn, trust, &tenant.id, today, now)?;
            demo_members(conn, trust, &tenant.id, now)?;
            report.demo_data_added.push(trust.slug.into());
            Ok(())
        })?;
    }
    Ok(report)
}

/// The demo's members of a trust, one per role, at `ROLE@SLUG.example` (a reserved domain):
/// in the embedded mode they sign in by email link, which lands in the outbox folder. The
/// provider member is bound to the trust's first provider by name.
pub const DEMO_ROLES: [(&str, Role); 5] = [
    ("admin", Role::TenantAdmin),
    ("commissioner", Role::Commissioner),
    ("board", Role::BoardMember),
    ("provider", Role::Provider),
    ("viewer", Role::Viewer),
];

pub fn demo_email(local: &str, slug: &str) -> String {
    format!("{local}@{slug}.example")
}

fn demo_members(conn: &mut DbConnection, trust: &Trust, tenant: &TenantId, now: NaiveDateTime) -> DbResult<()> {
    let first_provider = c::list_providers(conn, tenant, Page::new(1, 0))?.items.into_iter().next();
    for (local, role) in DEMO_ROLES {
        let name = format!("Demo {} ({})", local, trust.slug);
        let user = crate::repo::users::find_or_create(conn, &demo_email(local, trust.slug), &name, now)?;
        let provider = if role == Role::Provider { first_provider.as_ref().map(|p| &p.id) } else { None };
        if role == Role::Provider && provider.is_none() {
            continue;
        }
        crate::repo::users::add_membership(conn, tenant, &user.id, role, provider, now)?;
    }
    Ok(())
}

fn seed_of(slug: &str) -> u64 {
    // FNV-1a: a fixed seed per trust, so every run and every backend gets the same data.
    slug.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn demo_data(
    conn: &mut DbConnection,
    trust: &Trust,
    tenant: &TenantId,
    today: NaiveDate,
    now: NaiveDateTime,
) -> DbResult<()> {
    let mut rng = fastrand::Rng::with_seed(seed_of(trust.slug));
    let key = |kind: &str, i: usize| format!("{}:{kind}:{i}", trust.slug);

    // Providers: the council, health, police, national charities and the trust's local ones.
    let council_name =
        trust.name.replace(" Children's Trust", " Council Children's Services").replace("Young Southwark", "Southwark");
    let mut providers: Vec<(Provider, ProviderKind)> = Vec::new();
    let statutory = [
        (council_name, ProviderKind::Council),
        (
            format!("{} NHS Primary Care Trust", trust.name.replace(" Children's Trust", "").replace("Young ", "")),
            ProviderKind::Health,
        ),
        (format!("{} Police", police_force(trust.slug)), ProviderKind::Police),
    ];
    let national = NATIONAL_PROVIDERS.iter().map(|(n, s)| ((*n).to_string(), *s, ProviderKind::National));
    let local = trust.local_providers.iter().map(|(n, s)| ((*n).to_string(), *s, ProviderKind::Local));
    let all = statutory.into_iter().map(|(n, k)| (n, Sector::Statutory, k)).chain(national).chain(local);
    for (i, (name, sector, kind)) in all.enumerate() {
        let checked = today - Days::new(rng.u64(30..400));
        let row = c::insert_provider(
            conn,
            tenant,
            Provider {
                id: ProviderId::derived(&key("provider", i)),
                tenant_id: tenant.clone(),
                name,
                sector,
                registration_number: (sector != Sector::Statutory)
                    .then(|| format!("{:08}", rng.u32(1_000_000..99_999_999))),
                safeguarding_evidence: Some(
                    "Safeguarding policy, enhanced DBS checks for all staff and volunteers, named designated lead"
                        .into(),
                ),
                safeguarding_checked_on: Some(checked),
                created_at: now,
                attributes: fields::provider(trust.slug, sector),
                version: 1,
                archived_at: None,
            },
        )?;
        providers.push((row, kind));
    }
    let pick = |kind: ProviderKind, n: usize| -> &Provider {
        let matching: Vec<&Provider> = providers
            .iter()
            .filter(|(_, k)| std::mem::discriminant(k) == std::mem::discriminant(&kind))
            .map(|(p, _)| p)
            .collect();
        matching[n % matching.len()]
    };

    // Services: one per area for locality services, one trust-wide for the rest.
    let mut services = Vec::new();
    for (t, st) in SERVICE_TYPES.iter().enumerate() {
        let places: Vec<Option<&str>> =
            if st.per_area { trust.areas.iter().map(|a| Some(*a)).collect() } else { vec![None] };
        for (j, area) in places.into_iter().enumerate() {
            let provider = pick(st.provider, t + j);
            let name = match area {
                Some(a) => format!("{} – {a}", st.name),
                None => st.name.to_string(),
            };
            let level = fields::service_level(trust.slug, area);
            let scale = 0.8 + rng.f64() * 0.4;
            let row = c::insert_service(
                conn,
                tenant,
                Service {
                    id: ServiceId::derived(&key("service", services.len())),
                    tenant_id: tenant.clone(),
                    provider_id: provider.id.clone(),
                    name,
                    description: format!(
                        "{} for children and young people aged {} to {}.",
                        st.name, st.ages.0, st.ages.1
                    ),
                    tier: st.tier,
                    level,
                    area: area.map(str::to_string),
                    age_from: st.ages.0,
                    age_to: st.ages.1,
                    annual_budget_pence: (st.budget as f64 * scale) as i64 * 100,
                    created_at: now,
                    attributes: fields::service(trust.slug, st.tier, area),
                    version: 1,
                    archived_at: None,
                    body: None,
                },
                st.outcomes,
            )?;
            services.push(row);
        }
    }
    // A few more locality services where a trust has few areas, so every trust has thirty.
    let mut extra = 0;
    while services.len() < 30 {
        let area = trust.areas[extra % trust.areas.len()];
        let row = c::insert_service(
            conn,
            tenant,
            Service {
                id: ServiceId::derived(&key("service", services.len())),
                tenant_id: tenant.clone(),
                provider_id: pick(ProviderKind::Local, extra).id.clone(),
                name: format!("Extended schools activities – {area}"),
                description: "Out-of-school activities delivered with local schools.".into(),
                tier: Tier::Universal,
                level: fields::service_level(trust.slug, Some(area)),
                area: Some(area.into()),
                age_from: 5,
                age_to: 16,
                annual_budget_pence: i64::from(rng.u32(40_000..90_000)) * 100,
                created_at: now,
                attributes: fields::service(trust.slug, Tier::Universal, Some(area)),
                version: 1,
                archived_at: None,
                body: None,
            },
            &["enjoy_and_achieve", "positive_contribution"],
        )?;
        services.push(row);
        extra += 1;
    }

    // Forty contracts, ending across the next eighteen months; placements get a second, spot contract.
    // Eighteen months is at least 545 days; stay inside it.
    let horizon_days = 540u64;
    let n_contracts = 40usize;
    for i in 0..n_contracts {
        let service = &services[i % services.len()];
        let ends_in = (horizon_days * (i as u64 + 1)) / n_contracts as u64 - rng.u64(0..10);
        let end = today + Days::new(ends_in.max(1));
        let kind = if i >= services.len() {
            ContractKind::Spot
        } else if service.tier == Tier::Specialist
            && providers.iter().any(|(p, k)| p.id == service.provider_id && matches!(k, ProviderKind::Health))
        {
            ContractKind::Partnership
        } else {
            match providers.iter().find(|(p, _)| p.id == service.provider_id).map(|(p, _)| p.sector) {
                Some(Sector::Statutory) => ContractKind::Sla,
                Some(Sector::VoluntaryCommunity) if service.annual_budget_pence < 20_000_000 => ContractKind::Grant,
                _ => ContractKind::Block,
            }
        };
        let years = if kind == ContractKind::Spot { 1 } else { trust.contract_years };
        let start = end.checked_sub_months(Months::new(12 * years)).unwrap_or(end) + Days::new(1);
        let annual =
            if kind == ContractKind::Spot { service.annual_budget_pence / 12 } else { service.annual_budget_pence };
        let value = annual * i64::from(years);
        let id = ContractId::derived(&key("contract", i));
        let contributions = if kind == ContractKind::Partnership {
            vec![
                Contribution {
                    id: ContributionId::derived(&key("contribution-council", i)),
                    tenant_id: tenant.clone(),
                    contract_id: id.clone(),
                    partner: "Council children's services".into(),
                    partner_kind: PartnerKind::Council,
                    amount_pence: value / 2,
                },
                Contribution {
                    id: ContributionId::derived(&key("contribution-health", i)),
                    tenant_id: tenant.clone(),
                    contract_id: id.clone(),
                    partner: "Primary care trust".into(),
                    partner_kind: PartnerKind::Health,
                    amount_pence: value - value / 2,
                },
            ]
        } else {
            Vec::new()
        };
        let kpis = vec![
            Kpi {
                id: KpiId::derived(&key("kpi-reach", i)),
                tenant_id: tenant.clone(),
                contract_id: id.clone(),
                code: "reach".into(),
                title: "Children and young people supported".into(),
                unit: KpiUnit::Count,
                target: f64::from(rng.u32(40..400)),
                polarity: Polarity::HigherIsBetter,
                frequency: Frequency::Quarterly,
            },
            Kpi {
                id: KpiId::derived(&key("kpi-outcome", i)),
                tenant_id: tenant.clone(),
                contract_id: id.clone(),
                code: "outcome".into(),
                title: "Cases closed with outcomes achieved".into(),
                unit: KpiUnit::Percent,
                target: 75.0,
                polarity: Polarity::HigherIsBetter,
                frequency: Frequency::Quarterly,
            },
        ];
        let contract = c::insert_contract(
            conn,
            tenant,
            NewContract {
                contract: Contract {
                    id: id.clone(),
                    tenant_id: tenant.clone(),
                    reference: format!("{}-{:04}", trust.ref_prefix, i + 1),
                    title: if kind == ContractKind::Spot {
                        format!("{} (spot purchase)", service.name)
                    } else {
                        service.name.clone()
                    },
                    service_id: service.id.clone(),
                    provider_id: service.provider_id.clone(),
                    kind,
                    status: ContractStatus::Active,
                    value_pence: value,
                    start_date: start,
                    end_date: end,
                    created_at: now,
                    attributes: fields::contract(trust.slug, kind, !contributions.is_empty()),
                    version: 1,
                },
                contributions,
                kpis: kpis.clone(),
            },
        )?;
        // Returns for the last four of each KPI's periods that have ended; the newest quarter
        // of every fifth contract is missing, so the register shows a late return.
        for kpi in &kpis {
            let ended: Vec<(NaiveDate, NaiveDate)> =
                crate::periods::periods(contract.start_date, contract.end_date, kpi.frequency)
                    .into_iter()
                    .filter(|(_, to)| *to < today)
                    .collect();
            let last_four = &ended[ended.len().saturating_sub(4)..];
            for (q, (q_start, q_end)) in last_four.iter().enumerate() {
                if i % 5 == 0 && q + 1 == last_four.len() {
                    continue;
                }
                let value = if kpi.unit == KpiUnit::Percent {
                    (60.0 + rng.f64() * 35.0).round()
                } else {
                    (kpi.target * (0.7 + rng.f64() * 0.5)).round()
                };
                c::insert_monitoring_return(
                    conn,
                    tenant,
                    MonitoringReturn {
                        id: MonitoringReturnId::derived(&key(&format!("return-{}-{q}", kpi.code), i)),
                        tenant_id: tenant.clone(),
                        kpi_id: kpi.id.clone(),
                        period_start: *q_start,
                        period_end: *q_end,
                        value,
                        note: String::new(),
                        submitted_by_user_id: None,
                        submitted_at: now,
                    },
                )?;
            }
        }
        // The re-commissioning review falls three months before the end; some are already overdue.
        let due = end.checked_sub_months(Months::new(3)).unwrap_or(end);
        c::insert_review(
            conn,
            tenant,
            Review {
                id: ReviewId::derived(&key("review", i)),
                tenant_id: tenant.clone(),
                contract_id: Some(contract.id.clone()),
                service_id: None,
                kind: "contract_end".into(),
                title: format!("Re-commissioning review: {}", contract.title),
                due_on: due,
                owner_user_id: None,
                owner_body: Some(fields::review_body(trust, service.tier, service.area.as_deref())),
                status: ReviewStatus::Scheduled,
                outcome: None,
                completed_on: None,
                notes: String::new(),
                created_at: now,
                version: 1,
                evidence: String::new(),
                follow_up_project_id: None,
            },
        )?;
    }

    // Needs and the priorities drawn from them.
    for (i, (outcome, title, ages, evidence)) in trust.needs.iter().enumerate() {
        c::insert_need(
            conn,
            tenant,
            Need {
                id: NeedId::derived(&key("need", i)),
                tenant_id: tenant.clone(),
                outcome_code: (*outcome).into(),
                title: (*title).into(),
                description: String::new(),
                group_name: None,
                age_from: Some(ages.0),
                age_to: Some(ages.1),
                area: None,
                evidence: (*evidence).into(),
                source: "Needs assessment".into(),
                identified_on: NaiveDate::from_ymd_opt(today.year() - 1, 6, 30).unwrap_or(today),
                created_at: now,
                version: 1,
                archived_at: None,
            },
        )?;
    }
    for (i, (outcome, title, attributes)) in trust.priorities.iter().enumerate() {
        let need = trust.needs.iter().position(|(o, ..)| o == outcome);
        c::insert_priority(
            conn,
            tenant,
            Priority {
                id: PriorityId::derived(&key("priority", i)),
                tenant_id: tenant.clone(),
                outcome_code: (*outcome).into(),
                need_id: need.map(|n| NeedId::derived(&key("need", n))),
                title: (*title).into(),
                rationale: String::new(),
                rank: i32::try_from(i + 1).unwrap_or(i32::MAX),
                attributes: (*attributes).into(),
                created_at: now,
                version: 1,
                archived_at: None,
            },
        )?;
    }

    indicator_values(conn, trust, tenant, today, &mut rng)
}

fn police_force(slug: &str) -> &'static str {
    match slug {
        "durham" => "Durham Constabulary",
        "central-bedfordshire" => "Bedfordshire",
        "sunderland" => "Northumbria",
        "kent" => "Kent",
        _ => "Metropolitan",
    }
}

/// Five financial years of values per catalogue indicator: the whole trust, each area, and
/// single years of age where the indicator counts children by age.
fn indicator_values(
    conn: &mut DbConnection,
    trust: &Trust,
    tenant: &TenantId,
    today: NaiveDate,
    rng: &mut fastrand::Rng,
) -> DbResult<()> {
    // The last five complete financial years (April to March).
    let last_start_year = if today.month() >= 4 { today.year() - 1 } else { today.year() - 2 };
    let trust_factor = 0.85 + rng.f64() * 0.3;
    let area_factors: Vec<f64> = trust.areas.iter().map(|_| 0.75 + rng.f64() * 0.5).collect();
    let mut rows = Vec::new();
    let mut n = 0usize;
    for (code, _, _, unit, _, typical, ages) in CATALOGUE {
        let trend = (rng.f64() - 0.5) * 0.06;
        for y in 0..5 {
            let year = last_start_year - 4 + y;
            let (Some(start), Some(end)) =
                (NaiveDate::from_ymd_opt(year, 4, 1), NaiveDate::from_ymd_opt(year + 1, 3, 31))
            else {
                continue;
            };
            let base = typical * trust_factor * (1.0 + trend * f64::from(y));
            let mut push = |value: f64, age: Option<(i32, i32)>, area: Option<&str>, denominator: i64| {
                let (value, numerator, denominator) = match per(*unit) {
                    Some(per) => {
                        let num = ((value * denominator as f64) / per).round().max(0.0) as i64;
                        (num as f64 * per / denominator as f64, Some(num.min(denominator)), Some(denominator))
                    }
                    None => (value.clamp(0.0, 100.0), None, None),
                };
                rows.push(IndicatorValue {
                    id: IndicatorValueId::derived(&format!("{}:value:{n}", trust.slug)),
                    tenant_id: tenant.clone(),
                    indicator_code: (*code).into(),
                    period_start: start,
                    period_end: end,
                    value: (value * 100.0).round() / 100.0,
                    numerator,
                    denominator,
                    age_from: age.map(|a| a.0),
                    age_to: age.map(|a| a.1),
                    sex: None,
                    area: area.map(str::to_string),
                    group_name: None,
                    breakdown_key: breakdown_key(age, None, area, None),
                });
                n += 1;
            };
            let population = 9_000 * (trust.areas.len() as i64).max(1);
            push(base * (0.97 + rng.f64() * 0.06), None, None, population * 10);
            for (a, area) in trust.areas.iter().enumerate() {
                push(base * area_factors[a] * (0.95 + rng.f64() * 0.1), None, Some(area), 9_000);
            }
            if let Some((from, to)) = ages {
                for age in *from..=*to {
                    // Rates rise through adolescence for most of these measures.
                    let shape = 0.7 + 0.6 * f64::from(age - from) / f64::from((to - from).max(1));
                    push(base * shape * (0.9 + rng.f64() * 0.2), Some((age, age)), None, 2_500);
                }
            }
        }
    }
    indicators::insert_values(conn, tenant, rows)?;
    Ok(())
}

fn per(unit: IndicatorUnit) -> Option<f64> {
    match unit {
        IndicatorUnit::RatePer1000 => Some(1_000.0),
        IndicatorUnit::RatePer10000 => Some(10_000.0),
        IndicatorUnit::RatePer100000 => Some(100_000.0),
        _ => None,
    }
}

/// The framework fields of each trust's demo records, in its plugin's own vocabulary, so that
/// every seeded record passes its trust's `validate` (a test checks it).
mod fields {
    use super::Trust;
    use crate::models::{ContractKind, Sector, Tier};

    /// A locality's id in the plugins: its name lowercase and hyphenated.
    fn area_id(area: &str) -> String {
        let mut out = String::new();
        for c in area.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_end_matches('-').to_string()
    }

    /// The commissioning level a service sits at, in the trust's framework's words.
    pub fn service_level(slug: &str, area: Option<&str>) -> Option<String> {
        let level = match (slug, area.is_some()) {
            ("durham", _) => "service",
            ("central-bedfordshire", _) => "joint-commissioning",
            ("sunderland", true) => "operational",
            ("sunderland", false) => "strategic",
            ("kent", true) => "local",
            ("kent", false) => "county",
            ("southwark", true) => "locality",
            ("southwark", false) => "borough-wide",
            _ => return None,
        };
        Some(level.into())
    }

    /// The body that reviews a contract for this service, as the trust's framework assigns it:
    /// a locality's own board where local services are commissioned locally.
    pub fn review_body(trust: &Trust, tier: Tier, area: Option<&str>) -> String {
        match (trust.slug, area, tier) {
            ("durham", Some(a), Tier::Universal | Tier::Targeted) => format!("lcb-{}", area_id(a)),
            ("kent", Some(_), _) => "lcsp-board".into(),
            ("sunderland", _, Tier::Universal | Tier::Targeted) => "aligned-partnership".into(),
            _ => trust.review_body.into(),
        }
    }

    fn object(pairs: &[(&str, &str)]) -> String {
        let map: serde_json::Map<String, serde_json::Value> =
            pairs.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Southwark asks its voluntary and community providers to meet the criteria of its
    /// section 9.1; the demo providers do.
    pub fn provider(slug: &str, sector: Sector) -> String {
        match (slug, sector) {
            ("southwark", Sector::VoluntaryCommunity) => object(&[
                ("southwark_beneficiaries_percent", "85"),
                ("safe_organisation_checklist", "yes"),
                ("enhanced_checks_all_staff", "yes"),
                ("management_information_system", "yes"),
                ("young_people_involved", "yes"),
            ]),
            _ => object(&[]),
        }
    }

    pub fn service(_slug: &str, _tier: Tier, _area: Option<&str>) -> String {
        object(&[])
    }

    /// Central Bedfordshire's partnership contracts name their partners and record that the
    /// partner agencies agreed the funding (its Appendix 3, paragraph 3).
    pub fn contract(slug: &str, kind: ContractKind, pooled: bool) -> String {
        match (slug, kind == ContractKind::Partnership || pooled) {
            ("central-bedfordshire", true) => object(&[
                ("pooled_budget", "pooled"),
                ("partners", "Central Bedfordshire Council, NHS Bedfordshire"),
                ("partner_agreement", "yes"),
            ]),
            _ => object(&[]),
        }
    }
}
