//! A trust's own indicator values shared with the other trusts that share the same indicator.
//! A tenant admin opts in indicator by indicator; what leaves the trust is only what
//! [`crate::disclosure`] lets out: counts by the common age bands (0-4, 5-9, 10-15, 16-17) and
//! their total, each with its rate, small counts and whatever would give them away shown as `c`.
//! Opting out deletes every published cell at once. A trust sees the shared figures of an
//! indicator only while it shares that indicator itself.
//!
//! What is shared, and why: the age breakdown in the common bands only (a trust's own areas mean
//! nothing to another trust, and every extra breakdown is more to difference); an indicator held
//! without counts (a percentage without its numerator) cannot be checked for small numbers, so
//! its figures are `x` (not available) rather than shared unchecked.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use platform_db::models::{Indicator, IndicatorUnit, IndicatorValue};
use platform_db::repo::sharing::{self as repo, SharedCell};
use platform_db::repo::{audit, indicators};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::downloads::{self, Cell, FileFormat, Table};
use crate::app::AppState;
use crate::app::auth::{self, Access, Action, Visitor};
use crate::app::forms::Values;
use crate::app::pages::{PageError, page_access};
use crate::app::views as v;
use crate::clock;
use crate::disclosure::{self, AgeBand, COMMON_BANDS, Shown};
use crate::error::{ApiError, ErrorBody};
use crate::framework_calls::Framework;
use platform_plugins::types::{Count, Dimension};

/// Rates are published to one decimal place.
const RATE_DPS: u32 = 1;

/// What "per" a rate is: 100 for a percentage; none for a unit that is not a rate of a count.
fn per(unit: IndicatorUnit) -> Option<u64> {
    match unit {
        IndicatorUnit::Percent => Some(100),
        IndicatorUnit::RatePer1000 => Some(1_000),
        IndicatorUnit::RatePer10000 => Some(10_000),
        IndicatorUnit::RatePer100000 => Some(100_000),
        IndicatorUnit::Count | IndicatorUnit::Score => None,
    }
}

/// The number a shown value stands for, when it is one.
fn number_of(shown: &Shown) -> Option<f64> {
    match shown {
        Shown::Count(n) => i64::try_from(*n).ok().map(|n| n as f64),
        Shown::Rate { scaled, dps } => Some(*scaled as f64 / 10f64.powi(i32::try_from(*dps).unwrap_or(0))),
        _ => None,
    }
}

/// The trust's framework's own age bands over the ages the common bands cover (clipped to
/// 0-17), found by asking its plugin to band each age; none where they do not cover every age.
fn framework_bands(fw: &Framework) -> Result<Option<Vec<AgeBand>>, ApiError> {
    let mut of_age: Vec<String> = Vec::new();
    for age in 0..=disclosure::MAX_AGE {
        let banded = fw.band_now(Dimension::Age, vec![Count { age: Some(age), area: None, value: 1.0 }])?;
        match banded.into_iter().find(|b| b.value > 0.0) {
            Some(b) => of_age.push(b.band_id),
            None => return Ok(None),
        }
    }
    let mut bands: Vec<AgeBand> = Vec::new();
    for (age, id) in (0..=disclosure::MAX_AGE).zip(&of_age) {
        match bands.last_mut() {
            Some(last) if of_age[usize::from(last.from)] == *id && last.to + 1 == age => last.to = age,
            _ => bands.push(AgeBand::new(age, age)),
        }
    }
    Ok(Some(bands))
}

/// What publishing a period cost: cells the trust's figures hide beyond the small counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cost {
    /// Cells of 1 to 5.
    pub primary: usize,
    /// Further cells hidden so that none of those can be worked out by subtraction.
    pub secondary: usize,
    /// The children counted in those further cells: what the protection hid beyond the small counts.
    pub secondary_children: u64,
}

/// One period's values as another trust may see them: the cells after disclosure control. The
/// counts by single year of age are protected as a table of the common bands and the trust's
/// framework's own bands together (the trust's members see its figures in its own bands, so the
/// shared ones must not be recoverable by differencing the two), and only the common bands and
/// the total are published.
fn publish_period(
    tenant: &platform_db::TenantId,
    indicator: &Indicator,
    own_bands: Option<&[AgeBand]>,
    start: NaiveDate,
    rows: &[&IndicatorValue],
    now: NaiveDateTime,
) -> (Vec<SharedCell>, Cost) {
    let end = rows.first().map_or(start, |r| r.period_end);
    let cell = |dimension: &str, label: &str, count: &Shown, rate: &Shown| SharedCell {
        tenant_id: tenant.clone(),
        indicator_code: indicator.code.clone(),
        period_start: start,
        period_end: end,
        dimension: dimension.into(),
        cell: label.into(),
        count_shown: count.to_string(),
        rate_shown: rate.to_string(),
        count_value: match count {
            Shown::Count(n) => i64::try_from(*n).ok(),
            _ => None,
        },
        rate_value: number_of(rate),
        published_at: now,
    };
    let Some(per) = per(indicator.unit) else {
        return (vec![cell("total", "", &Shown::Unavailable, &Shown::Unavailable)], Cost::default());
    };
    let counted = |r: &IndicatorValue| r.numerator.is_some() && r.denominator.is_some();
    let whole = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok()).unwrap_or_default();
    // Single years of age of the whole population (no sex, area or group), with their counts.
    let ages: Vec<&IndicatorValue> = rows
        .iter()
        .filter(|r| r.sex.is_none() && r.area.is_none() && r.group_name.is_none())
        .filter(|r| matches!((r.age_from, r.age_to), (Some(a), Some(b)) if a == b))
        .copied()
        .collect();
    let in_range = |r: &&IndicatorValue| r.age_from.is_some_and(|a| (0..=i32::from(disclosure::MAX_AGE)).contains(&a));
    if !ages.is_empty() && ages.iter().all(|r| counted(r) && in_range(r)) {
        let mut counts = [0u64; 18];
        let mut dens = [0u64; 18];
        let mut covered = [false; 18];
        for r in &ages {
            let a = usize::try_from(r.age_from.unwrap_or_default()).unwrap_or_default().min(17);
            counts[a] += whole(r.numerator);
            dens[a] += whole(r.denominator);
            covered[a] = true;
        }
        let single = |values: &[u64; 18]| -> Vec<(AgeBand, u64)> {
            (0..=disclosure::MAX_AGE).map(|a| (AgeBand::year(a), values[usize::from(a)])).collect()
        };
        let (Ok(band_dens), Ok(table)) = (
            disclosure::reband(&single(&dens)),
            disclosure::Table::two_bandings(
                &counts,
                ("common", &COMMON_BANDS),
                ("own", own_bands.unwrap_or(&COMMON_BANDS)),
            ),
        ) else {
            return (vec![cell("total", "", &Shown::Unavailable, &Shown::Unavailable)], Cost::default());
        };
        let published = disclosure::protect(&table);
        let find = |from: u8, to: u8| {
            let atoms: Vec<usize> = (usize::from(from)..=usize::from(to)).collect();
            (0..table.cell_count()).find(|&id| table.atoms_of(id) == atoms.as_slice())
        };
        let shown = |id: Option<usize>| id.and_then(|id| published.value(id)).cloned().unwrap_or(Shown::Unavailable);
        let total = shown(find(0, disclosure::MAX_AGE));
        let mut out =
            vec![cell("total", "", &total, &disclosure::rate(&total, Some(dens.iter().sum()), per, RATE_DPS))];
        for (i, b) in COMMON_BANDS.iter().enumerate() {
            if (b.from..=b.to).any(|a| covered[usize::from(a)]) {
                let count = shown(find(b.from, b.to));
                let rate = disclosure::rate(&count, band_dens.get(i).copied(), per, RATE_DPS);
                out.push(cell("age", &b.to_string(), &count, &rate));
            } else {
                // Ages the indicator does not count.
                out.push(cell("age", &b.to_string(), &Shown::NotApplicable, &Shown::NotApplicable));
            }
        }
        let cost = Cost {
            primary: published.primary,
            secondary: published.secondary,
            secondary_children: published.secondary_total,
        };
        return (out, cost);
    }
    // No usable ages: the whole population's count alone.
    match rows.iter().find(|r| r.breakdown_key.is_empty()).filter(|r| counted(r)) {
        Some(r) => {
            let table = disclosure::Table::one_way(&[("All", whole(r.numerator))]);
            let published = disclosure::protect(&table);
            let shown = published.value(0).cloned().unwrap_or(Shown::Unavailable);
            let d = r.denominator.and_then(|d| u64::try_from(d).ok());
            let cost = Cost {
                primary: published.primary,
                secondary: published.secondary,
                secondary_children: published.secondary_total,
            };
            (vec![cell("total", "", &shown, &disclosure::rate(&shown, d, per, RATE_DPS))], cost)
        }
        None => (vec![cell("total", "", &Shown::Unavailable, &Shown::Unavailable)], Cost::default()),
    }
}

/// Every period's published cells of an indicator, and what the suppression cost in all.
fn publish(
    tenant: &platform_db::TenantId,
    indicator: &Indicator,
    own_bands: Option<&[AgeBand]>,
    values: &[IndicatorValue],
    now: NaiveDateTime,
) -> (Vec<SharedCell>, Cost) {
    let mut periods: BTreeMap<NaiveDate, Vec<&IndicatorValue>> = BTreeMap::new();
    for v in values {
        periods.entry(v.period_start).or_default().push(v);
    }
    let mut cells = Vec::new();
    let mut cost = Cost::default();
    for (start, rows) in periods {
        let (c, k) = publish_period(tenant, indicator, own_bands, start, &rows, now);
        cells.extend(c);
        cost.primary += k.primary;
        cost.secondary += k.secondary;
        cost.secondary_children += k.secondary_children;
    }
    (cells, cost)
}

/// An indicator the trust holds values for, and whether it shares it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareState {
    pub indicator: String,
    pub title: String,
    pub unit: String,
    pub shared: bool,
    /// Other trusts sharing it: known only while this trust shares it too (their figures, and
    /// that they share, are seen only then).
    pub shared_by_others: Option<usize>,
}

/// An indicator of the shared catalogue, by its code.
fn indicator_of(c: &mut platform_db::DbConnection, code: &str) -> Result<Indicator, ApiError> {
    indicators::catalogue(c)?
        .into_iter()
        .find(|i| i.code == code)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator {code:?} in the catalogue")))
}

/// The trust's indicators with values, and which it shares.
pub async fn states(state: &AppState, access: &Access) -> Result<Vec<ShareState>, ApiError> {
    access.require(Action::Read)?;
    let tid = access.tenant.id.clone();
    state
        .tenant_db(&access.tenant.id, move |c| {
            let mine = repo::shared_by(c, &tid)?;
            let mut out = Vec::new();
            for ind in indicators::catalogue(c)? {
                if indicators::series(c, &tid, &ind.code, "")?.is_empty() {
                    continue;
                }
                let shared = mine.contains(&ind.code);
                let others = if shared {
                    Some(repo::sharers(c, &ind.code)?.into_iter().filter(|t| *t != tid).count())
                } else {
                    None
                };
                out.push(ShareState {
                    shared,
                    indicator: ind.code,
                    title: ind.title,
                    unit: ind.unit.as_str().to_string(),
                    shared_by_others: others,
                });
            }
            Ok(out)
        })
        .await
}

/// What opting in or out did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareResult {
    pub indicator: String,
    pub shared: bool,
    /// Cells published (none when withdrawn).
    pub cells_published: usize,
    /// Cells hidden, over every period.
    pub suppressed: Cost,
}

/// Opts in (publishing the protected cells) or out (withdrawing them at once).
pub async fn set(state: &AppState, access: &Access, indicator: String, shared: bool) -> Result<ShareResult, ApiError> {
    access.require(Action::ManageSettings)?;
    let fw = Framework::of(&state.frameworks, &access.tenant)?;
    let actor = access.actor();
    let now = clock::now();
    state
        .tenant_work(&access.tenant.id, move |c| {
            let ind = indicator_of(c, &indicator)?;
            let (n, cost, what) = if shared {
                let values = indicators::values_of(c, &actor.tenant, &ind.code)?;
                if values.is_empty() {
                    return Err(ApiError::bad_request(
                        Some("indicator"),
                        format!("the trust holds no values of {:?} to share", ind.title),
                    ));
                }
                let own = framework_bands(&fw)?;
                let (cells, cost) = publish(&actor.tenant, &ind, own.as_deref(), &values, now);
                repo::share(c, &actor.tenant, &ind.code, &actor.user, &cells, now)?;
                (cells.len(), cost, "indicator.shared")
            } else {
                repo::withdraw(c, &actor.tenant, &ind.code)?;
                (0, Cost::default(), "indicator.withdrawn")
            };
            let detail = json!({"indicator": ind.code, "cells_published": n, "suppressed": cost}).to_string();
            audit::record(c, &actor.audit(what, "indicator", &ind.code, detail, now))?;
            Ok(ShareResult { indicator: ind.code, shared, cells_published: n, suppressed: cost })
        })
        .await
}

/// The shared figures of an indicator, by trust and period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharedFigures {
    pub indicator: String,
    pub title: String,
    pub unit: String,
    /// The common age bands the figures are banded in.
    pub bands: Vec<String>,
    pub cells: Vec<SharedFigure>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharedFigure {
    pub trust: String,
    #[schema(value_type = String)]
    pub period_start: NaiveDate,
    #[schema(value_type = String)]
    pub period_end: NaiveDate,
    /// `total` or `age`.
    pub dimension: String,
    pub cell: String,
    /// As shown: a number, or `c` (suppressed), `z` (not applicable), `x` (not available).
    pub count: String,
    /// As shown: a number, or `c`, `z`, `x`, or `low` (rounds to zero, is not zero).
    pub rate: String,
}

/// What a trust sees of an indicator's shared figures: only while it shares the indicator.
pub async fn figures(state: &AppState, access: &Access, indicator: String) -> Result<SharedFigures, ApiError> {
    access.require(Action::Read)?;
    let tid = access.tenant.id.clone();
    state
        .tenant_work(&access.tenant.id, move |c| {
            let ind = indicator_of(c, &indicator)?;
            if !repo::shared_by(c, &tid)?.contains(&ind.code) {
                return Err(ApiError::Forbidden(format!(
                    "the trust does not share {:?}: trusts see others' figures of an indicator they share themselves",
                    ind.title
                )));
            }
            let cells = repo::cells_of(c, &ind.code)?
                .into_iter()
                .map(|(trust, s)| SharedFigure {
                    trust,
                    period_start: s.period_start,
                    period_end: s.period_end,
                    dimension: s.dimension,
                    cell: s.cell,
                    count: s.count_shown,
                    rate: s.rate_shown,
                })
                .collect();
            Ok(SharedFigures {
                indicator: ind.code,
                title: ind.title,
                unit: ind.unit.as_str().to_string(),
                bands: COMMON_BANDS.iter().map(ToString::to_string).collect(),
                cells,
            })
        })
        .await
}

/// Whether the trust shares an indicator.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    pub shared: bool,
}

/// The trust's indicators with values, and which it shares with other trusts.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/sharing", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug")),
    responses((status = 200, description = "the indicators", body = Vec<ShareState>)))]
pub(crate) async fn states_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(states(&state, &access).await?))
}

/// Whether the trust shares one indicator.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/sharing/{id}", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the indicator's code")),
    responses(
        (status = 200, description = "the indicator and whether the trust shares it", body = ShareState),
        (status = 404, description = "the trust holds no values of such an indicator", body = ErrorBody)))]
pub(crate) async fn state_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let one = states(&state, &access)
        .await?
        .into_iter()
        .find(|s| s.indicator == id)
        .ok_or_else(|| ApiError::NotFound(format!("the trust holds no values of an indicator {id:?}")))?;
    Ok(HttpResponse::Ok().json(one))
}

/// Shares an indicator (its figures after disclosure control are published to the trusts that
/// share it too) or withdraws it (every published figure deleted at once). Tenant admins.
#[utoipa::path(put, path = "/api/v1/tenants/{slug}/comparison/sharing/{id}", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the indicator's code")),
    request_body = ShareInput,
    responses(
        (status = 200, description = "shared or withdrawn, with the cells published and what suppression hid", body = ShareResult),
        (status = 403, description = "not a tenant admin", body = ErrorBody),
        (status = 422, description = "the trust holds no values of the indicator", body = ErrorBody)))]
pub(crate) async fn set_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    let input: ShareInput = crate::app::api::json_body(&body)?;
    let done = set(&state, &access, id, input.shared).await.map_err(ApiError::content)?;
    Ok(HttpResponse::Ok().json(done))
}

/// Every trust's shared figures of an indicator the trust shares too.
#[utoipa::path(get, path = "/api/v1/tenants/{slug}/comparison/sharing/{id}/figures", tag = "comparison",
    params(("slug" = String, Path, description = "the trust's slug"), ("id" = String, Path, description = "the indicator's code")),
    responses(
        (status = 200, description = "the figures as published", body = SharedFigures),
        (status = 403, description = "the trust does not share the indicator", body = ErrorBody)))]
pub(crate) async fn figures_api(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let access = auth::tenant_access(&state, &req, &visitor, &slug, true).await?;
    Ok(HttpResponse::Ok().json(figures(&state, &access, id).await?))
}

/// The sharing page: each indicator with a button to share or withdraw it (admins), and a link
/// to the shared figures of those the trust shares.
pub(super) async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let list = states(&state, &access).await?;
    let slug = &access.tenant.slug;
    let admin = Action::ManageSettings.allowed(access.role());
    let rows: Vec<Value> = list
        .iter()
        .map(|s| {
            let mut cells = vec![
                if s.shared {
                    v::cell(&s.title, Some(format!("/t/{slug}/comparison/shared/{}", s.indicator)))
                } else {
                    v::cell(&s.title, None)
                },
                v::cell(if s.shared { "Shared" } else { "Not shared" }, None),
                v::cell(s.shared_by_others.map_or_else(|| "seen once shared".to_string(), |n| n.to_string()), None),
            ];
            if admin {
                let (action, label) = if s.shared { ("withdraw", "Withdraw") } else { ("share", "Share") };
                cells.push(json!({"text": "", "button": {
                    "action": format!("/t/{slug}/comparison/sharing/{}/{action}", s.indicator),
                    "label": format!("{label} {}", s.title)}}));
            }
            v::row(cells)
        })
        .collect();
    let head: &[&str] = if admin {
        &["Indicator", "This trust", "Other trusts sharing", "Change"]
    } else {
        &["Indicator", "This trust", "Other trusts sharing"]
    };
    let intro = vec![
        "A trust shares its own figures of an indicator with the other trusts that share the same indicator, and sees theirs while it does. Only what disclosure control lets out leaves the trust: counts by the common age bands 0-4, 5-9, 10-15 and 16-17 and their total, each with its rate to one decimal place.".to_string(),
        "Counts of 1 to 5 are shown as c, and so is any other figure that would let one be worked out by subtraction; a rate of a suppressed count is c too; z is not applicable, x not available (an indicator held without its counts is not shared), low a rate that rounds to zero but is not zero. Withdrawing deletes the trust's shared figures at once.".to_string(),
    ];
    Ok(v::record_page(
        &state,
        &access,
        json!({"title": "Share local figures", "caption": "Compare", "intro": intro, "notice": v::notice(&req),
               "sections": [v::table_section("indicators", "", "The trust's indicators and whether it shares them", head, rows, "The trust holds no indicator values yet.")]}),
    )?)
}

/// Shares or withdraws from the sharing page's button.
pub(super) async fn set_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, indicator, action) = path.into_inner();
    let (access, _) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    let shared = match action.as_str() {
        "share" => true,
        "withdraw" => false,
        _ => return Err(ApiError::NotFound("no such action".into()).into()),
    };
    set(&state, &access, indicator, shared).await?;
    Ok(v::saved(&format!("/t/{slug}/comparison/sharing")))
}

/// The shared figures of an indicator as a table: a row per trust and period.
fn figures_table(f: &SharedFigures) -> Table {
    let mut head = vec!["Trust".to_string(), "Period".to_string(), "Count".to_string(), "Rate".to_string()];
    for b in &f.bands {
        head.push(format!("Count {b}"));
        head.push(format!("Rate {b}"));
    }
    let mut rows: BTreeMap<(String, NaiveDate), Vec<Cell>> = BTreeMap::new();
    for c in &f.cells {
        let row = rows.entry((c.trust.clone(), c.period_start)).or_insert_with(|| {
            let mut r = vec![
                Cell::text(&c.trust),
                Cell::text(format!("{} to {}", v::day(c.period_start), v::day(c.period_end))),
            ];
            r.resize(4 + 2 * f.bands.len(), Cell::Symbol("x".into()));
            r
        });
        let at =
            if c.dimension == "total" { Some(2) } else { f.bands.iter().position(|b| *b == c.cell).map(|i| 4 + 2 * i) };
        if let Some(at) = at {
            row[at] = symbol_or_number(&c.count, 0);
            row[at + 1] = symbol_or_number(&c.rate, RATE_DPS as usize);
        }
    }
    Table { name: "Shared figures".into(), head, rows: rows.into_values().collect() }
}

/// A shown figure as a table cell: a number where it is one, else its symbol.
fn symbol_or_number(text: &str, dps: usize) -> Cell {
    match text.parse::<f64>() {
        Ok(n) => Cell::Number(n, dps),
        Err(_) => Cell::Symbol(text.to_string()),
    }
}

/// The shared figures' page (and its CSV or XLSX with `format`).
pub(super) async fn figures_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, indicator) = path.into_inner();
    let access = page_access(&state, &req, &visitor, &slug).await?;
    let query = Values::parse(req.query_string().as_bytes());
    let format = FileFormat::of(Some(query.get("format")))?;
    let f = figures(&state, &access, indicator).await?;
    let table = figures_table(&f);
    let notes = vec![
        format!("{}: figures shared by the trusts that share this indicator", f.title),
        format!("Banded in the common age bands {}; rates to one decimal place ({}).", f.bands.join(", "), f.unit),
        "c: suppressed (a count of 1 to 5, or a figure that would reveal one); z: not applicable; x: not available; low: rounds to zero but is not zero.".into(),
    ];
    match format {
        Some(FileFormat::Csv) => Ok(downloads::respond(
            FileFormat::Csv,
            &downloads::file_name(&[&slug, "shared", &f.indicator], "csv"),
            downloads::csv(&table)?,
        )),
        Some(FileFormat::Xlsx) => Ok(downloads::respond(
            FileFormat::Xlsx,
            &downloads::file_name(&[&slug, "shared", &f.indicator], "xlsx"),
            downloads::xlsx(&notes, std::slice::from_ref(&table))?,
        )),
        None => {
            let path = format!("/t/{slug}/comparison/shared/{}", f.indicator);
            let section = super::table_view("figures", "", &notes[0], &table, &[]);
            Ok(v::record_page(
                &state,
                &access,
                json!({"title": f.title, "caption": "Shared local figures", "intro": notes[1..].to_vec(),
                       "sections": [section, {"id": "downloads", "heading": "Download", "links": super::download_links(&path, &[], &[("figures", "this table")])}]}),
            )?)
        }
    }
}
