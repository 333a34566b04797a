//! The cycle's forms through the real binary, as a person posts them, on both backends: a need
//! recorded with its date in three boxes, a contract let with its value in pounds and a KPI, an
//! edit made at the version the form was opened at, and the same form saved again after that
//! (409: nothing saved, the form shows the record as it now stands); a form refused for what it
//! says keeps what was typed and names the field; roles and the form token guard every form.

use crate::accounts::Deployment;
use crate::support::{Browser, both_backends, sign_in};

/// The first id in `body` after `prefix` (a record's link).
fn first_id(body: &str, prefix: &str) -> String {
    body.match_indices(prefix)
        .map(|(i, _)| &body[i + prefix.len()..])
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect::<String>())
        .find(|id| id.len() == 36)
        .unwrap_or_else(|| panic!("no {prefix}ID in {body}"))
}

fn post(b: &Browser, path: &str, form: &[(&str, &str)]) -> crate::support::Page {
    b.post(path, form)
}

both_backends! {
    fn the_cycles_forms_save_through_the_same_actions_as_the_api(db) {
        let d = Deployment::start(&db, true, &[]);
        let b = sign_in(&d.server.base, &d.mail, "sunderland", "commissioner@sunderland.example");
        let csrf = b.csrf("/t/sunderland/needs/new");

        // A date that is not a real one is refused naming its first box; what was typed is kept.
        let refused = post(&b, "/t/sunderland/needs", &[("csrf", &csrf), ("outcome", "stay_safe"),
            ("title", "Young carers missing school"), ("identified_on-day", "30"), ("identified_on-month", "2"),
            ("identified_on-year", "2026")]);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("href=\"#identified_on-day\">Date identified must be a real date"), "{}", refused.body);
        assert!(refused.body.contains("value=\"Young carers missing school\""));

        let saved = post(&b, "/t/sunderland/needs", &[("csrf", &csrf), ("outcome", "stay_safe"),
            ("title", "Young carers missing school"), ("identified_on-day", "27"), ("identified_on-month", "2"),
            ("identified_on-year", "2026"), ("age_from", "8"), ("age_to", "16")]);
        assert_eq!(saved.status, 303, "{}", saved.body);
        let record = saved.location.unwrap();
        assert!(record.ends_with("?saved=1"), "{record}");
        let record = record.trim_end_matches("?saved=1").to_string();
        let page = b.get(&record);
        assert!(page.body.contains("27 February 2026") && page.body.contains("8 to 16"), "{}", page.body);
        assert!(page.body.contains("need created"), "the history shows the creation: {}", page.body);
        // The API reads what the form wrote.
        let id = record.rsplit('/').next().unwrap();
        let api = b.get(&format!("/api/v1/tenants/sunderland/needs/{id}"));
        assert_eq!(api.json()["identified_on"], "2026-02-27");

        // Two people open the edit form at version 1; the first saves, the second saves nothing.
        let form = b.get(&format!("{record}/edit"));
        let version = form.field("version");
        assert_eq!(version, "1");
        let edit = |title: &str| post(&b, &format!("{record}/edit"), &[("csrf", &csrf), ("version", &version),
            ("outcome", "stay_safe"), ("title", title), ("identified_on-day", "27"), ("identified_on-month", "2"),
            ("identified_on-year", "2026")]);
        assert_eq!(edit("Young carers missing school (first)").status, 303);
        let stale = edit("Young carers missing school (second)");
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.body.contains("changed by someone else"), "{}", stale.body);
        assert!(stale.body.contains("value=\"Young carers missing school (first)\""), "the form shows the record as it stands");
        assert!(stale.body.contains("name=\"version\" value=\"2\""));
        assert!(b.get(&record).body.contains("Young carers missing school (first)"));
        assert!(b.get(&record).body.contains("title: Young carers missing school → Young carers missing school (first)"));

        // A contract let by its form: value in pounds, dates in boxes, a KPI row.
        let services = b.get("/t/sunderland/services");
        let service = first_id(&services.body, "/t/sunderland/services/");
        let let_it = |reference: &str, value: &str| post(&b, "/t/sunderland/contracts", &[("csrf", &csrf),
            ("service_id", &service), ("reference", reference), ("title", "Young carers' support"), ("kind", "grant"),
            ("status", "active"), ("start_date-day", "1"), ("start_date-month", "4"), ("start_date-year", "2026"),
            ("end_date-day", "31"), ("end_date-month", "3"), ("end_date-year", "2028"), ("value_pence", value),
            ("kpis.0.code", "YC1"), ("kpis.0.title", "Young carers supported"), ("kpis.0.unit", "count"),
            ("kpis.0.target", "120"), ("kpis.0.polarity", "higher_is_better"), ("kpis.0.frequency", "quarterly")]);
        let bad = let_it("SUN-FORM-1", "12,34");
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("href=\"#value_pence\">Whole contract value must be an amount in pounds"), "{}", bad.body);
        let ok = let_it("SUN-FORM-1", "£250,000.50");
        assert_eq!(ok.status, 303, "{}", ok.body);
        let contract = b.get(ok.location.unwrap().trim_end_matches("?saved=1"));
        assert!(contract.body.contains("£250,000.50") && contract.body.contains("Young carers supported (YC1)"), "{}", contract.body);
        let contract_id = first_id(&contract.body, "/t/sunderland/contracts/");
        let json = b.get(&format!("/api/v1/tenants/sunderland/contracts/{contract_id}/record"));
        assert_eq!(json.json()["contract"]["value_pence"], 25_000_050);
        assert!(!json.json()["reviews"].as_array().unwrap().is_empty(), "the framework planned its reviews");

        // The form token and the role guard every form.
        let forged = post(&b, "/t/sunderland/needs", &[("csrf", "forged"), ("outcome", "stay_safe"), ("title", "x")]);
        assert_eq!(forged.status, 403);
        let viewer = sign_in(&d.server.base, &d.mail, "sunderland", "viewer@sunderland.example");
        let viewer_csrf = viewer.csrf("/t/sunderland/needs");
        assert_eq!(viewer.get("/t/sunderland/needs/new").status, 403);
        let denied = post(&viewer, "/t/sunderland/needs", &[("csrf", &viewer_csrf), ("outcome", "stay_safe"), ("title", "x")]);
        assert_eq!(denied.status, 403);
        // Someone signed out is sent to the trust's sign-in page, and back after.
        let anonymous = Browser::new(&d.server.base);
        let sent = anonymous.get("/t/sunderland/contracts");
        assert_eq!(sent.status, 303);
        assert_eq!(sent.location.as_deref(), Some("/t/sunderland/login?next=%2Ft%2Fsunderland%2Fcontracts"));
    }
}
