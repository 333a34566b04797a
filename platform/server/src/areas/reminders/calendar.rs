//! Each member's secret calendar feed (RFC 5545): the open reviews they own (and, for
//! commissioners and admins, those with no owner) on their due dates, and for commissioners and
//! admins the contracts' notice dates and end dates, as all-day events with an alarm the day
//! before. Built with the `icalendar` crate; the link is the only proof, so it is long, random,
//! kept as a hash, revocable, and shows nothing else.

use chrono::{Days, Months, NaiveDate};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};
use platform_db::conn::DbConnection;
use platform_db::models::{Role, Tenant};
use platform_db::repo::reminders as repo;
use platform_db::{DbError, UserId};

use super::plan;

/// How far ahead a feed looks, and how far back for what is overdue.
const AHEAD_DAYS: u64 = 400;
const BEHIND_DAYS: u64 = 30;

/// The feed of `user` in `tenant` with `role`, on `today`; links start with `public_url`.
pub fn feed(
    conn: &mut DbConnection,
    tenant: &Tenant,
    user: &UserId,
    role: Role,
    public_url: &str,
    today: NaiveDate,
) -> Result<String, DbError> {
    let base = public_url.trim_end_matches('/');
    let slug = &tenant.slug;
    let commissioner = matches!(role, Role::Commissioner | Role::TenantAdmin);
    let mut calendar = Calendar::new();
    calendar.name(&format!("{}: reviews and deadlines", tenant.name));
    let event = |uid: String, date: NaiveDate, summary: String, path: String| -> Event {
        let link = format!("{base}{path}");
        Event::new()
            .uid(&uid)
            .all_day(date)
            .summary(&summary)
            .description(&format!("{summary}\\n{link}"))
            .url(&link)
            .alarm(Alarm::display(&summary, -chrono::Duration::days(1)))
            .done()
    };
    let serving = repo::bodies_of(conn, &tenant.id, user)?;
    for r in
        repo::open_reviews_between(conn, &tenant.id, today - Days::new(BEHIND_DAYS), today + Days::new(AHEAD_DAYS))?
    {
        let unowned = r.owner_user_id.is_none();
        let mine = r.owner_user_id.as_ref() == Some(user)
            || (unowned && commissioner)
            || (unowned && r.owner_body.as_ref().is_some_and(|b| serving.contains(b)));
        if mine {
            calendar.push(event(
                format!("review-{}@commissioning.platform", r.id),
                r.due_on,
                format!("Review due: {}", r.title),
                format!("/t/{slug}/reviews/{}", r.id),
            ));
        }
    }
    if commissioner {
        for (k, notice) in
            repo::running_contracts_ending_between(conn, &tenant.id, today, today + Days::new(AHEAD_DAYS))?
        {
            let path = format!("/t/{slug}/contracts/{}", k.id);
            calendar.push(event(
                format!("contract-end-{}@commissioning.platform", k.id),
                k.end_date,
                format!("Contract ends: {} {}", k.reference, k.title),
                path.clone(),
            ));
            let notice_on = k.end_date.checked_sub_months(Months::new(u32::try_from(notice).unwrap_or(6)));
            if let Some(on) = notice_on.filter(|on| *on >= today && notice > 0) {
                calendar.push(event(
                    format!("contract-notice-{}@commissioning.platform", k.id),
                    on,
                    format!("Contract notice period begins: {} {}", k.reference, k.title),
                    path,
                ));
            }
        }
    }
    if commissioner {
        // The Procurement Act 2023's deadlines of the contracts the trust marked as covered.
        for (k, regime, signed_on) in repo::procurement_contracts(conn, &tenant.id, today, BEHIND_DAYS)? {
            let terms = plan::ActContract::of(&k, &regime, signed_on);
            for (code, _, due) in plan::act_deadlines(&terms) {
                if due < today - Days::new(BEHIND_DAYS) || due > today + Days::new(AHEAD_DAYS) {
                    continue;
                }
                let (_, notice, section) =
                    plan::ACT_NOTICES.iter().find(|(c, _, _)| *c == code).copied().unwrap_or((code, code, ""));
                calendar.push(event(
                    format!("{code}-{}-{due}@commissioning.platform", k.id),
                    due,
                    format!("Last day for the {notice} ({section}): {} {}", k.reference, k.title),
                    format!("/t/{slug}/contracts/{}", k.id),
                ));
            }
        }
    }
    Ok(calendar.done().to_string())
}
