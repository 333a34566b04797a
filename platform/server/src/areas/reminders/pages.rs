//! A trust's reminders page (its commissioners and admins): what was sent to whom and when,
//! what is queued, what failed and why, a "send again" for a failed one once its address is put
//! right; and, for its admins, the lead times before a review falls due.

use actix_web::{HttpRequest, HttpResponse, web};
use platform_db::OutboxId;
use platform_db::models::OutboxStatus;
use platform_db::repo::{audit, reminders as repo};
use serde_json::{Value, json};

use super::plan;
use crate::app::AppState;
use crate::app::auth::{Access, Action, Visitor};
use crate::app::forms::{Field, Opt, Values};
use crate::app::pages::{PageError, page_access};
use crate::app::views::{self as v, FormPage};
use crate::clock;
use crate::error::ApiError;

fn settings_fields() -> Vec<Field> {
    let hours = (0..24).map(|h| Opt::new(h.to_string(), format!("{h:02}:00"))).collect();
    vec![
        Field::text("lead_days", "Days before a review falls due").hint(
            "Whole days, separated by commas, for example 28, 14, 7, 1. A reminder also goes on the day, and overdue reviews are escalated 1 and 7 working days after.",
        ),
        Field::select("digest_hour", "Time of the daily digest", hours)
            .hint("Members who choose a daily digest get one email at this time with everything that fell due since the last one."),
        Field::text("time_zone", "Time zone")
            .hint("The trust's days and the digest's time are in this time zone, for example Europe/London."),
    ]
}

async fn page(state: &AppState, access: &Access, notice: Option<&str>) -> Result<HttpResponse, ApiError> {
    access.require(Action::Commission)?;
    let tid = access.tenant.id.clone();
    let (rows, trust, members) = state
        .tenant_db(&access.tenant.id, move |c| {
            Ok((repo::of_tenant(c, &tid, 200)?, repo::settings(c, &tid)?, platform_db::repo::users::members(c, &tid)?))
        })
        .await?;
    let lead = &trust.lead_days;
    let slug = &access.tenant.slug;
    let name_of = |u: &Option<platform_db::UserId>| -> String {
        u.as_ref()
            .and_then(|u| members.iter().find(|(m, _)| &m.user_id == u))
            .map_or_else(|| "someone no longer a member".into(), |(m, _)| m.display_name.clone())
    };
    let table = |status: OutboxStatus| -> Vec<Value> {
        rows.iter()
            .filter(|r| r.status == status)
            .map(|r| {
                let about = match (r.subject_kind.as_deref(), &r.subject_id) {
                    (Some("review"), Some(id)) => v::cell(&r.subject, Some(format!("/t/{slug}/reviews/{id}"))),
                    (Some("contract"), Some(id)) => v::cell(&r.subject, Some(format!("/t/{slug}/contracts/{id}"))),
                    (Some("trust"), Some(_)) => v::cell(&r.subject, Some(format!("/t/{slug}/contracts"))),
                    _ => v::cell(&r.subject, None),
                };
                let when = match status {
                    OutboxStatus::Sent => r.sent_at.map_or_else(String::new, |t| t.format("%-d %B %Y %H:%M").to_string()),
                    _ => r.next_attempt_at.format("%-d %B %Y %H:%M").to_string(),
                };
                let mut cells = vec![
                    about,
                    json!({"text": name_of(&r.recipient_user_id), "note": r.to_address}),
                    v::cell(when, None),
                    v::cell(r.attempts, None),
                ];
                if status == OutboxStatus::Failed {
                    cells.push(v::tagged(r.last_error.clone().unwrap_or_default(), Some("failed"), true));
                    cells.push(json!({"text": "", "button": {"action": format!("/t/{slug}/reminders/{}/retry", r.id), "label": "Send again"}}));
                } else if status == OutboxStatus::Pending {
                    cells.push(v::cell(r.last_error.clone().unwrap_or_else(|| "-".into()), None));
                }
                v::row(cells)
            })
            .collect()
    };
    let sections = vec![
        v::table_section(
            "failed",
            "Failed",
            "Reminders that could not be delivered",
            &["Reminder", "To", "Next try", "Tries", "Why", "Action"],
            table(OutboxStatus::Failed),
            "None failed.",
        ),
        v::table_section(
            "queued",
            "Queued",
            "Reminders waiting to be sent",
            &["Reminder", "To", "Next try", "Tries", "Last error"],
            table(OutboxStatus::Pending),
            "Nothing queued.",
        ),
        v::table_section(
            "sent",
            "Sent",
            "Reminders sent, newest first",
            &["Reminder", "To", "Sent", "Tries"],
            table(OutboxStatus::Sent),
            "None sent yet.",
        ),
    ];
    let mut data = json!({"title": "Reminders", "caption": access.tenant.name, "notice": notice, "sections": sections,
    "intro": [
        format!("Reminders go {} days before a review falls due, on the day, and to the trust's admins 1 and 7 working days after it if it is still open; and to commissioners when a contract's notice period begins and when it ends. Days at a weekend or on a bank holiday are reminded on the working day before.", lead.replace(',', ", ")),
        "For contracts marked as covered by the Procurement Act 2023, commissioners are also reminded of the notices the Act asks for: the contract details notice (section 53), KPI assessments and contract performance notices (sections 52 and 71), the contract termination notice (section 80) and the trust's payments compliance notices (section 69). The trust remains responsible for publishing them.".to_string(),
        format!("Members who choose a daily digest get it at {:02}:00 ({}).", trust.digest_hour, trust.time_zone),
    ]});
    if Action::ManageSettings.allowed(access.role()) {
        data["actions"] = json!([{"href": format!("/t/{slug}/reminders/settings"), "label": "Change the lead times and the digest's time"}]);
    }
    v::record_page(state, access, data)
}

pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    Ok(page(&state, &access, v::notice(&req)).await?)
}

pub(super) async fn retry(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (access, _) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Commission)?;
    let id: OutboxId = v::path_id(&id)?;
    let actor = access.actor();
    let now = clock::now();
    let done = state
        .tenant_db(&access.tenant.id, move |c| {
            let done = repo::retry(c, &actor.tenant, &id, now)?;
            if done {
                audit::record(c, &actor.audit("reminder.retried", "reminder", id.as_str(), "{}".into(), now))?;
            }
            Ok(done)
        })
        .await?;
    if !done {
        return Err(ApiError::NotFound("no such failed reminder".into()).into());
    }
    Ok(v::saved(&format!("/t/{}/reminders", access.tenant.slug)))
}

pub(super) async fn settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::ManageSettings)?;
    let trust = match read_settings(&values) {
        Ok(t) => t,
        Err(e) => return Ok(settings_form(&state, &access, &values, Some(e))?),
    };
    let actor = access.actor();
    let now = clock::now();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::set_settings(c, &actor.tenant, &trust, now)?;
            let detail =
                json!({"lead_days": trust.lead_days, "digest_hour": trust.digest_hour, "time_zone": trust.time_zone})
                    .to_string();
            audit::record(c, &actor.audit("reminders.settings_set", "tenant", actor.tenant.as_str(), detail, now))?;
            Ok(())
        })
        .await?;
    Ok(v::saved(&format!("/t/{}/reminders", access.tenant.slug)))
}

/// A trust's reminder settings as its admin typed them, each checked.
fn read_settings(values: &Values) -> Result<repo::Settings, ApiError> {
    crate::app::forms::body_of(&settings_fields(), values)?;
    let lead_days = plan::lead_days(values.get("lead_days"))
        .map_err(|m| ApiError::bad_request(Some("lead_days"), format!("Days before a review falls due: {m}")))?
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let digest_hour = values
        .get("digest_hour")
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|h| (0..24).contains(h))
        .ok_or_else(|| ApiError::bad_request(Some("digest_hour"), "Choose the time of the daily digest"))?;
    let time_zone = values.get("time_zone").trim().to_string();
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(ApiError::bad_request(
            Some("time_zone"),
            "Time zone must be a time zone's name, such as Europe/London",
        ));
    }
    Ok(repo::Settings { lead_days, digest_hour, time_zone })
}

fn settings_form(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let fields = settings_fields();
    let base = format!("/t/{}/reminders", access.tenant.slug);
    let mut form = FormPage::new("Reminder settings", format!("{base}/settings"), &fields, values);
    form.caption = Some("Reminders".into());
    form.cancel = Some(base);
    form.error = error;
    v::form_page(state, access, form)
}

pub(super) async fn settings_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::ManageSettings)?;
    let tid = access.tenant.id.clone();
    let trust = state.tenant_db(&access.tenant.id, move |c| repo::settings(c, &tid)).await?;
    let mut values = Values::default();
    values.set("lead_days", trust.lead_days.replace(',', ", "));
    values.set("digest_hour", trust.digest_hour.to_string());
    values.set("time_zone", trust.time_zone);
    Ok(settings_form(&state, &access, &values, None)?)
}

/// The bodies of the trust's framework a member may serve on: (id, name).
fn bodies(state: &AppState, access: &Access) -> Vec<(String, String)> {
    crate::framework_calls::Framework::of(&state.frameworks, &access.tenant)
        .map(|fw| fw.description().bodies.iter().map(|b| (b.id.clone(), b.name.clone())).collect())
        .unwrap_or_default()
}

/// A member's choice for each topic.
type Choices = Vec<(&'static str, String)>;

fn choice_fields(bodies: &[(String, String)]) -> Vec<Field> {
    let modes = |off: &str| {
        vec![
            Opt::new("each", "Send me each reminder"),
            Opt::new("digest", "Send me one daily digest"),
            Opt::new("off", off),
        ]
    };
    let mut fields = vec![
        Field::radios(
            "reviews",
            "Reminders about reviews",
            modes("Do not send me these (as an admin, you are still told of overdue reviews)"),
        )
        .hint("Before a review you own (or one owned by a body you serve on, or, as a commissioner, one with no owner) falls due, on the day, and when it is overdue."),
        Field::radios("contracts", "Reminders about contracts", modes("Do not send me these")).hint(
            "When a contract's notice period begins, when it ends, and the Procurement Act 2023 notices of covered contracts (commissioners).",
        ),
    ];
    if !bodies.is_empty() {
        fields.push(
            Field::checks(
                "bodies",
                "The bodies you serve on",
                bodies.iter().map(|(id, name)| Opt::new(id.clone(), name.clone())).collect(),
            )
            .optional()
            .hint("A review a body owns with no owner in person is reminded to the members who serve on it."),
        );
    }
    fields
}

fn mine_form(
    state: &AppState,
    access: &Access,
    values: &Values,
    error: Option<ApiError>,
    saved: bool,
    feed: bool,
) -> Result<HttpResponse, ApiError> {
    let fields = choice_fields(&bodies(state, access));
    let mut form =
        FormPage::new("Your reminders", format!("/t/{}/reminders/mine", access.tenant.slug), &fields, values);
    form.caption = Some(access.tenant.name.clone());
    form.intro = vec!["Choose which reminders this trust sends you by email.".into()];
    if saved {
        form.intro.push("Your choices are saved.".into());
    }
    form.error = error;
    let slug = &access.tenant.slug;
    let mut buttons = vec![json!({"text": "", "button": {"action": format!("/t/{slug}/reminders/calendar"),
        "label": if feed { "Make a new calendar link" } else { "Make a calendar link" }}})];
    if feed {
        buttons.push(json!({"text": "", "button": {"action": format!("/t/{slug}/reminders/calendar/revoke"), "label": "Stop the calendar link"}}));
    }
    form.context.push(json!({"id": "calendar", "heading": "Your calendar",
        "intro": [if feed { "You have a calendar link: your reviews and deadlines appear in the calendar you added it to. A new link stops the old one." } else { "A private link your calendar (Outlook, Google Calendar) can follow: your reviews and deadlines as events, with a reminder the day before." }],
        "table": {"caption": "Your calendar link", "head": if feed { vec!["A new link", "No link"] } else { vec!["A link"] }, "rows": [v::row(buttons)]}}));
    v::form_page(state, access, form)
}

async fn has_feed(state: &AppState, access: &Access) -> Result<bool, ApiError> {
    let (tid, uid) = (access.tenant.id.clone(), access.user.id.clone());
    state.tenant_db(&access.tenant.id, move |c| repo::has_feed(c, &tid, &uid)).await
}

pub(super) async fn mine_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let access = page_access(&state, &req, &visitor, &slug).await?;
    access.require(Action::Read)?;
    let (tid, uid) = (access.tenant.id.clone(), access.user.id.clone());
    let (chosen, serving) = state
        .tenant_db(&access.tenant.id, move |c| Ok((repo::preferences(c, &tid, &uid)?, repo::bodies_of(c, &tid, &uid)?)))
        .await?;
    let mut values = Values::default();
    for topic in repo::TOPICS {
        let mode = chosen.iter().find(|(t, _)| t == topic).map_or("each", |(_, m)| m.as_str());
        values.set(topic, mode);
    }
    values.set_all("bodies", serving);
    let feed = has_feed(&state, &access).await?;
    Ok(mine_form(&state, &access, &values, None, v::notice(&req).is_some(), feed)?)
}

pub(super) async fn mine(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, values) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Read)?;
    let known = bodies(&state, &access);
    let fields = choice_fields(&known);
    let read = |values: &Values| -> Result<(Choices, Vec<String>), ApiError> {
        let body = crate::app::forms::body_of(&fields, values)?;
        let mut out = Vec::new();
        for topic in repo::TOPICS {
            match body[topic].as_str() {
                Some(m @ ("each" | "digest" | "off")) => out.push((topic, m.to_string())),
                _ => {
                    return Err(ApiError::bad_request(Some(topic), "Choose each reminder, a daily digest or none"));
                }
            }
        }
        let mut serving = Vec::new();
        for b in values.all("bodies") {
            if !known.iter().any(|(id, _)| id == b) {
                return Err(ApiError::bad_request(Some("bodies"), "Choose from the bodies listed"));
            }
            serving.push(b.clone());
        }
        Ok((out, serving))
    };
    let (chosen, serving) = match read(&values) {
        Ok(x) => x,
        Err(e) => return Ok(mine_form(&state, &access, &values, Some(e), false, has_feed(&state, &access).await?)?),
    };
    let actor = access.actor();
    let now = clock::now();
    state
        .tenant_db(&access.tenant.id, move |c| {
            for (topic, mode) in &chosen {
                repo::set_preference(c, &actor.tenant, &actor.user, topic, mode, now)?;
            }
            repo::set_bodies(c, &actor.tenant, &actor.user, &serving, now)?;
            let mut detail: serde_json::Map<String, Value> =
                chosen.iter().map(|(t, m)| (t.to_string(), json!(m))).collect();
            detail.insert("bodies".into(), json!(serving));
            let detail = Value::Object(detail).to_string();
            audit::record(c, &actor.audit("reminders.preferences_set", "user", actor.user.as_str(), detail, now))?;
            Ok(())
        })
        .await?;
    Ok(v::saved(&format!("/t/{}/reminders/mine", access.tenant.slug)))
}

/// An unsubscribe link opened in a browser: a page with a button (mail systems open links to
/// scan them; only the button, or a mail program's one-click POST, turns anything off).
pub(super) async fn unsubscribe_page(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let action = format!("/unsubscribe/{}", token.as_str());
    Ok(crate::app::pages::button_page(
        &state,
        "Stop these reminders",
        "Press the button to stop the reminders this link came with. You can turn them on again under Your reminders.",
        &action,
        "",
        "",
        "Stop these reminders",
    )?)
}

/// The one-click unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`, no cookies):
/// the link itself is the proof, and it can do nothing but turn one topic off for one member.
pub(super) async fn unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let hash = crate::secrets::hash(token.as_str());
    let now = clock::now();
    let done = state
        .platform_db(move |c| {
            let Some((tenant, user, topic)) = repo::unsubscribe(c, &hash, now)? else { return Ok(None) };
            let name = platform_db::repo::tenants::by_id(c, &tenant)?.map(|t| t.name).unwrap_or_default();
            let entry = crate::app::auth::entry(
                Some(&tenant),
                Some(&user),
                "reminders.unsubscribed",
                ("user", Some(user.to_string())),
                json!({"topic": topic}),
                "",
            );
            audit::record(c, &entry)?;
            Ok(Some((name, topic)))
        })
        .await?;
    match done {
        Some((trust, topic)) => {
            let what = if topic == "digest" { "daily digests".to_string() } else { format!("reminders about {topic}") };
            Ok(crate::app::pages::message(
                &state,
                200,
                "You will not get these reminders",
                &[format!(
                    "{trust} will not send you {what} any more. You can turn them on again under Your reminders once you sign in."
                )],
            )?)
        }
        None => Ok(crate::app::pages::message(
            &state,
            404,
            "This link is not valid",
            &["It is not an unsubscribe link of this platform.".into()],
        )?),
    }
}

/// A new calendar link for the member, shown once (only its hash is kept).
pub(super) async fn calendar_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, _) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Read)?;
    let token = crate::secrets::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let hash = crate::secrets::hash(&token);
    let actor = access.actor();
    let now = clock::now();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::new_feed(c, &actor.tenant, &actor.user, &hash, now)?;
            audit::record(c, &actor.audit("calendar.link_made", "user", actor.user.as_str(), "{}".into(), now))?;
            Ok(())
        })
        .await?;
    let url = state.link(&format!("/calendar/{token}.ics"));
    let mut response = crate::app::pages::message(
        &state,
        200,
        "Your calendar link",
        &[
            "Add this address to Outlook or Google Calendar as an internet calendar (subscribe from a URL). Copy it now: it is not shown again, and anyone who has it sees your reviews and deadlines.".into(),
            url,
        ],
    )?;
    response
        .headers_mut()
        .insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    Ok(response)
}

pub(super) async fn calendar_revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (access, _) = v::submitted(&state, &req, &visitor, &slug, &body).await?;
    access.require(Action::Read)?;
    let actor = access.actor();
    let now = clock::now();
    state
        .tenant_db(&access.tenant.id, move |c| {
            repo::revoke_feeds(c, &actor.tenant, &actor.user, now)?;
            audit::record(c, &actor.audit("calendar.link_stopped", "user", actor.user.as_str(), "{}".into(), now))?;
            Ok(())
        })
        .await?;
    Ok(v::saved(&format!("/t/{}/reminders/mine", access.tenant.slug)))
}

/// The feed itself: the link is the only proof; an unknown or stopped one is 404.
pub(super) async fn calendar_feed(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.trim_end_matches(".ics").to_string();
    let hash = crate::secrets::hash(&token);
    let public_url = state.public_url.to_string();
    let today = clock::today();
    let body = state
        .platform_db(move |c| {
            let Some((tenant, user)) = repo::feed(c, &hash)? else { return Ok(None) };
            let Some(member) = platform_db::repo::users::membership(c, &tenant, &user)? else { return Ok(None) };
            let Some(t) = platform_db::repo::tenants::by_id(c, &tenant)? else { return Ok(None) };
            super::calendar::feed(c, &t, &user, member.role, &public_url, today).map(Some)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("no such calendar".into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}
