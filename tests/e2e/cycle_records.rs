//! The cycle's records through the real binary, as a commissioner drives them with an API token,
//! on both backends: needs, priorities, providers and services recorded under three trusts'
//! frameworks, each framework's own rule visible in the answer (Durham's localities, its
//! must-do or want-to-do priorities and its Local Children's Boards; Southwark's criteria for
//! the voluntary and community sector; Sunderland's age bands and areas), edits that name their
//! version (a stale one is refused and changes nothing), archived records that stay readable
//! and are not chosen anew, the roles that may not write, and the audit log of every write.

use reqwest::Method;
use serde_json::{Value, json};

use crate::accounts::Deployment;
use crate::contracts::{Answer, Api};
use crate::support::{both_backends, sign_in};

fn put(api: &Api, path: &str, body: &Value, etag: &str) -> Answer {
    api.send(Method::PUT, path, Some(body), Some(etag))
}

fn archive(api: &Api, path: &str, etag: Option<&str>) -> Answer {
    api.send(Method::POST, &format!("{path}/archive"), None, etag)
}

fn codes(findings: &Value) -> Vec<String> {
    findings.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

fn fields(stored: &Value) -> Value {
    serde_json::from_str(stored.as_str().unwrap()).unwrap()
}

/// The trust's audit log as its admin reads it.
fn audit_log(d: &Deployment, slug: &str) -> String {
    let admin = sign_in(&d.server.base, &d.mail, slug, &format!("admin@{slug}.example"));
    let page = admin.get(&format!("/t/{slug}/admin/audit"));
    assert_eq!(page.status, 200);
    page.body
}

fn durham_provider() -> Value {
    json!({"name": "Teesdale Youth Partnership", "sector": "voluntary_community", "registration_number": "1100234",
        "safeguarding_evidence": "Safeguarding policy reviewed 2026; enhanced DBS checks for all staff",
        "safeguarding_checked_on": "2026-03-01"})
}

fn durham_service(provider: &Value, tier: &str) -> Value {
    json!({"provider_id": provider["id"], "name": "Youth club – Easington", "description": "Open-access youth work",
        "tier": tier, "area": "easington", "age_from": 11, "age_to": 19,
        "outcomes": ["positive_contribution", "enjoy_and_achieve", "positive_contribution"],
        "annual_budget_pence": 12_000_000, "attributes": {"continuum_current": "autonomy", "continuum_target": "co-ordination"}})
}

both_backends! {
    fn a_durham_commissioner_records_needs_priorities_providers_and_services(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "durham", "commissioner@durham.example");
        let base = "/api/v1/tenants/durham";

        // A need in a place that is not one of Durham's localities is refused naming the area
        // and the localities it has; written as people write it, it is stored in the
        // framework's spelling.
        let mut need = json!({"outcome": "stay_safe", "title": "Children missing from education in the east",
            "description": "Rising numbers of children missing education", "group": "Children missing education",
            "age_from": 5, "age_to": 16, "area": "Narnia", "evidence": "Attendance returns 2025/26",
            "source": "Joint strategic needs assessment", "identified_on": "2026-02-01"});
        let refused = api.post(&format!("{base}/needs"), &need);
        assert_eq!((refused.status, refused.body["field"].as_str()), (422, Some("area")), "{}", refused.body);
        assert!(refused.body["message"].as_str().unwrap().contains("Chester-le-Street"), "{}", refused.body);
        need["area"] = json!("chester le street");
        let created = api.post(&format!("{base}/needs"), &need);
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.etag.as_deref(), Some("\"1\""));
        assert_eq!(created.body["need"]["area"], "Chester-le-Street");
        let need_id = created.body["need"]["id"].as_str().unwrap().to_string();
        let again = api.post(&format!("{base}/needs"), &need);
        assert_eq!((again.status, again.body["field"].as_str()), (409, Some("title")), "{}", again.body);
        let read = api.get(&format!("{base}/needs/{need_id}"));
        assert_eq!((read.status, read.etag.as_deref()), (200, Some("\"1\"")), "an item's read carries its ETag");
        let bad_outcome = api.post(&format!("{base}/needs"), &json!({"outcome": "be_wealthy", "title": "X"}));
        assert_eq!((bad_outcome.status, bad_outcome.body["field"].as_str()), (422, Some("outcome")), "{}", bad_outcome.body);
        let half_range = api.post(&format!("{base}/needs"), &json!({"outcome": "stay_safe", "title": "X", "age_from": 3}));
        assert_eq!((half_range.status, half_range.body["field"].as_str()), (422, Some("age_to")), "{}", half_range.body);
        let unreadable = api.post(&format!("{base}/needs"), &json!({"outcome": "stay_safe", "title": "X", "colour": "red"}));
        assert_eq!(unreadable.status, 400, "{}", unreadable.body);

        // A priority is a must-do or a want-to-do: misspelt, it is refused listing the choices;
        // a must-do from visioning is refused by paragraph 42; a must-do from inspection is set.
        let priorities = format!("{base}/priorities");
        let mut priority = json!({"rank": 5, "outcome": "stay_safe", "need_id": need_id, "title": "Find every child missing education",
            "rationale": "Ofsted found the tracking weak", "attributes": {"priority_type": "must-do-it", "source": "inspection"}});
        let misspelt = api.post(&priorities, &priority);
        assert_eq!((misspelt.status, misspelt.body["field"].as_str()), (422, Some("attributes.priority_type")), "{}", misspelt.body);
        assert!(misspelt.body["message"].as_str().unwrap().contains("must_do, want_to_do"), "{}", misspelt.body);
        priority["attributes"] = json!({"priority_type": "Must-do", "source": "visioning"});
        let wrong_source = api.post(&priorities, &priority);
        assert_eq!((wrong_source.status, wrong_source.body["error"].as_str()), (422, Some("refused_by_framework")), "{}", wrong_source.body);
        let finding = wrong_source.body["findings"].as_array().unwrap().iter().find(|f| f["code"] == "must-do-source").unwrap().clone();
        assert_eq!((finding["severity"].as_str(), finding["source"].as_str()), (Some("error"), Some("paragraph 42")), "{finding}");
        priority["attributes"] = json!({"priority_type": "Must-do", "source": "Inspection"});
        let set = api.post(&priorities, &priority);
        assert_eq!(set.status, 201, "{}", set.body);
        assert_eq!(fields(&set.body["priority"]["attributes"]), json!({"priority_type": "must_do", "source": "inspection"}));
        assert_eq!(set.body["priority"]["need_id"].as_str(), Some(need_id.as_str()));
        let no_need = api.post(&priorities, &json!({"rank": 1, "outcome": "stay_safe", "title": "X", "need_id": "0190f5c4-0000-7000-8000-000000000000",
            "attributes": {"priority_type": "want_to_do", "source": "visioning"}}));
        assert_eq!((no_need.status, no_need.body["field"].as_str()), (422, Some("need_id")), "{}", no_need.body);

        // A provider shows its safeguarding evidence (every framework asks for it, from its own field).
        let providers = format!("{base}/providers");
        let mut without = durham_provider();
        without["safeguarding_evidence"] = Value::Null;
        let refused = api.post(&providers, &without);
        assert_eq!((refused.status, refused.body["field"].as_str()), (422, Some("safeguarding_evidence")), "{}", refused.body);
        let provider = api.post(&providers, &durham_provider());
        assert_eq!(provider.status, 201, "{}", provider.body);
        let provider = provider.body["provider"].clone();

        // A local universal service goes to its locality's Local Children's Board; made
        // specialist, it stays with the Executive Board. The reasons come with the answer.
        let services = format!("{base}/services");
        let service = api.post(&services, &durham_service(&provider, "universal"));
        assert_eq!(service.status, 201, "{}", service.body);
        assert_eq!(service.body["service"]["area"], "Easington");
        assert_eq!((service.body["service"]["level"].as_str(), service.body["service"]["body"].as_str()), (Some("service"), Some("lcb-easington")));
        assert_eq!(service.body["classification"]["body"], "lcb-easington");
        assert!(service.body["classification"]["rationale"].as_str().unwrap().contains("Local Children's Board"), "{}", service.body);
        assert!(service.body["classification"]["source"].as_str().unwrap().contains("paragraph 35"), "{}", service.body);
        assert_eq!(service.body["outcomes"], json!(["enjoy_and_achieve", "positive_contribution"]));
        let service_id = service.body["service"]["id"].as_str().unwrap().to_string();
        let service_path = format!("{services}/{service_id}");
        let specialist = put(&api, &service_path, &durham_service(&provider, "specialist"), "\"1\"");
        assert_eq!(specialist.status, 200, "{}", specialist.body);
        assert_eq!(specialist.body["service"]["body"], "executive-board");
        assert!(specialist.body["classification"]["source"].as_str().unwrap().contains("paragraphs 34 (II) and 35"), "{}", specialist.body);
        let changed: Vec<&str> = specialist.body["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert_eq!(changed, ["body", "tier"]);
        let mut in_attributes = durham_service(&provider, "universal");
        in_attributes["attributes"]["area"] = json!("Easington");
        let twice = put(&api, &service_path, &in_attributes, "\"2\"");
        assert_eq!((twice.status, twice.body["field"].as_str()), (422, Some("attributes.area")), "{}", twice.body);

        // A stale edit of the need is refused with the need as it stands, and changes nothing.
        let need_path = format!("{base}/needs/{need_id}");
        let mut edited = need.clone();
        edited["title"] = json!("Children missing from education in Chester-le-Street");
        assert_eq!(api.send(Method::PUT, &need_path, Some(&edited), None).status, 428);
        let saved = put(&api, &need_path, &edited, "\"1\"");
        assert_eq!((saved.status, saved.etag.as_deref()), (200, Some("\"2\"")), "{}", saved.body);
        let mut stale_edit = need.clone();
        stale_edit["title"] = json!("Someone else's title");
        let stale = put(&api, &need_path, &stale_edit, "\"1\"");
        assert_eq!((stale.status, stale.body["error"].as_str()), (409, Some("stale")), "{}", stale.body);
        assert_eq!(stale.body["current"]["title"], "Children missing from education in Chester-le-Street");
        assert_eq!(stale.body["current"]["version"], 2);
        let now = api.get(&need_path);
        assert_eq!((now.body["title"].as_str(), now.etag.as_deref()), (Some("Children missing from education in Chester-le-Street"), Some("\"2\"")));

        // Archived, the need stays readable and is not chosen anew; the priority that already
        // answers it keeps it. An archived provider takes no new service.
        assert_eq!(archive(&api, &need_path, None).status, 428);
        assert_eq!(archive(&api, &need_path, Some("\"1\"")).status, 409);
        let archived = archive(&api, &need_path, Some("\"2\""));
        assert_eq!(archived.status, 200, "{}", archived.body);
        assert!(archived.body["need"]["archived_at"].is_string(), "{}", archived.body);
        let again = archive(&api, &need_path, Some("\"3\""));
        assert_eq!(again.status, 422, "{}", again.body);
        let read = api.get(&need_path);
        assert_eq!((read.status, read.etag.as_deref()), (200, Some("\"3\"")));
        priority["rank"] = json!(6);
        let on_archived = api.post(&priorities, &priority);
        assert_eq!((on_archived.status, on_archived.body["field"].as_str()), (422, Some("need_id")), "{}", on_archived.body);
        assert!(on_archived.body["message"].as_str().unwrap().contains("archived"), "{}", on_archived.body);
        let priority_path = format!("{priorities}/{}", set.body["priority"]["id"].as_str().unwrap());
        let mut reranked = priority.clone();
        reranked["rank"] = json!(2);
        let kept = put(&api, &priority_path, &reranked, "\"1\"");
        assert_eq!(kept.status, 200, "{}", kept.body);
        assert_eq!(kept.body["priority"]["need_id"].as_str(), Some(need_id.as_str()));
        let provider_path = format!("{providers}/{}", provider["id"].as_str().unwrap());
        assert_eq!(archive(&api, &provider_path, Some("\"1\"")).status, 200);
        let under_archived = api.post(&services, &durham_service(&provider, "targeted"));
        assert_eq!((under_archived.status, under_archived.body["field"].as_str()), (422, Some("provider_id")), "{}", under_archived.body);
        assert_eq!(api.get(&provider_path).status, 200);
        assert_eq!(archive(&api, &service_path, Some("\"2\"")).status, 200);

        // Viewers and board members read but do not write.
        for who in ["viewer", "board"] {
            let other = Api::new(&d, "durham", &format!("{who}@durham.example"));
            for (path, body) in [(format!("{base}/needs"), &need), (priorities.clone(), &priority), (providers.clone(), &durham_provider())] {
                let tried = other.post(&path, body);
                assert_eq!(tried.status, 403, "{who} {path}: {}", tried.body);
            }
            assert_eq!(other.post(&services, &durham_service(&provider, "universal")).status, 403);
            assert_eq!(put(&other, &need_path, &edited, "\"3\"").status, 403);
            assert_eq!(archive(&other, &priority_path, Some("\"2\"")).status, 403);
            assert_eq!(other.get(&need_path).status, 200);
        }
        assert_eq!(api.get(&need_path).body["title"], "Children missing from education in Chester-le-Street");

        // Every write is in the audit log, with what changed.
        let log = audit_log(&d, "durham");
        for action in ["need.created", "need.edited", "need.archived", "priority.created", "priority.edited", "provider.created",
            "provider.archived", "service.created", "service.edited", "service.archived"] {
            assert!(log.contains(action), "{action} not in the audit log");
        }
        assert!(log.contains("lcb-easington") && log.contains("executive-board"), "the service's placement is not in the audit log");
    }

    fn southwark_providers_meet_its_criteria_for_the_voluntary_and_community_sector(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "southwark", "commissioner@southwark.example");
        let providers = "/api/v1/tenants/southwark/providers";
        let mut vcs = json!({"name": "Peckham Young Voices", "sector": "voluntary_community", "registration_number": "1187654",
            "safeguarding_evidence": "Child protection policy; designated safeguarding lead", "safeguarding_checked_on": "2026-01-15",
            "attributes": {"southwark_beneficiaries_percent": "60", "safe_organisation_checklist": "yes"}});

        // A voluntary organisation with too few local beneficiaries, and criteria unmet, is
        // refused with every criterion it misses, each with where section 9.1 says so.
        let refused = api.post(providers, &vcs);
        assert_eq!((refused.status, refused.body["error"].as_str()), (422, Some("refused_by_framework")), "{}", refused.body);
        let found = codes(&refused.body["findings"]);
        for code in ["local-beneficiaries", "enhanced-checks-all-staff", "management-information-system", "young-people-involved"] {
            assert!(found.iter().any(|c| c == code), "{code} not among {found:?}");
        }
        assert!(!found.iter().any(|c| c == "safe-organisation-checklist"), "a criterion met is not a finding: {found:?}");
        for f in refused.body["findings"].as_array().unwrap() {
            assert!(f["source"].as_str().is_some_and(|s| s.contains("9")), "{f}");
        }
        let listed = api.get(&format!("{providers}?limit=200")).body;
        assert!(!listed["items"].as_array().unwrap().iter().any(|p| p["name"] == "Peckham Young Voices"), "a refused provider was saved");

        // The sector is the provider's own field, not given twice.
        let mut twice = vcs.clone();
        twice["attributes"]["sector"] = json!("voluntary_community");
        let refused = api.post(providers, &twice);
        assert_eq!((refused.status, refused.body["field"].as_str()), (422, Some("attributes.sector")), "{}", refused.body);

        // Meeting every criterion, it is added; a statutory provider is not asked them.
        vcs["attributes"] = json!({"southwark_beneficiaries_percent": "85%", "beneficiary_ages": "11 - 19", "safe_organisation_checklist": "Yes",
            "enhanced_checks_all_staff": "yes", "management_information_system": "yes", "young_people_involved": "yes"});
        let added = api.post(providers, &vcs);
        assert_eq!(added.status, 201, "{}", added.body);
        assert!(!codes(&added.body["findings"]).iter().any(|c| c == "local-beneficiaries"), "{}", added.body);
        let stored = fields(&added.body["provider"]["attributes"]);
        assert_eq!((stored["southwark_beneficiaries_percent"].as_str(), stored["beneficiary_ages"].as_str()), (Some("85"), Some("11-19")));
        assert!(stored.get("sector").is_none(), "the sector is stored once, as the provider's own: {stored}");
        let statutory = api.post(providers, &json!({"name": "Southwark Education Welfare", "sector": "statutory",
            "safeguarding_evidence": "Section 11 audit 2026"}));
        assert_eq!(statutory.status, 201, "{}", statutory.body);

        // An edit that lowers the share is refused by the same criteria and changes nothing;
        // a stale one is 409 with the provider as it stands.
        let path = format!("{providers}/{}", added.body["provider"]["id"].as_str().unwrap());
        let mut lower = vcs.clone();
        lower["attributes"]["southwark_beneficiaries_percent"] = json!("70");
        let refused = put(&api, &path, &lower, "\"1\"");
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(codes(&refused.body["findings"]).iter().any(|c| c == "local-beneficiaries"), "{}", refused.body);
        let mut renamed = vcs.clone();
        renamed["name"] = json!("Peckham Young Voices CIO");
        let saved = put(&api, &path, &renamed, "\"1\"");
        assert_eq!((saved.status, saved.etag.as_deref()), (200, Some("\"2\"")), "{}", saved.body);
        assert_eq!(saved.body["changes"], json!([{"field": "name", "before": "Peckham Young Voices", "after": "Peckham Young Voices CIO"}]));
        let stale = put(&api, &path, &vcs, "\"1\"");
        assert_eq!((stale.status, stale.body["current"]["name"].as_str()), (409, Some("Peckham Young Voices CIO")), "{}", stale.body);
        assert_eq!(api.get(&path).body["name"], "Peckham Young Voices CIO");

        // A level 1 service in a quadrant goes to its locality team.
        let service = api.post("/api/v1/tenants/southwark/services", &json!({"provider_id": added.body["provider"]["id"],
            "name": "Youth voice project", "tier": "universal", "area": "Peckham and Nunhead and Peckham Rye", "age_from": 11, "age_to": 19,
            "outcomes": ["positive_contribution"], "annual_budget_pence": 4_500_000, "attributes": {"level_of_need": "1"}}));
        assert_eq!(service.status, 201, "{}", service.body);
        assert!(service.body["classification"]["source"].as_str().is_some_and(|s| s.contains("3")), "{}", service.body);
        assert!(service.body["service"]["body"].as_str().is_some_and(|b| !b.is_empty()), "{}", service.body);

        let log = audit_log(&d, "southwark");
        for action in ["provider.created", "provider.edited", "service.created"] {
            assert!(log.contains(action), "{action} not in the audit log");
        }
    }

    fn sunderland_priorities_carry_an_age_band_and_needs_its_areas(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "sunderland", "commissioner@sunderland.example");
        let base = "/api/v1/tenants/sunderland";

        // Sunderland's six areas: another is refused naming them.
        let refused = api.post(&format!("{base}/needs"), &json!({"outcome": "be_healthy", "title": "Dental decay in under-fives", "area": "Durham City",
            "age_from": 0, "age_to": 5}));
        assert_eq!((refused.status, refused.body["field"].as_str()), (422, Some("area")), "{}", refused.body);
        assert!(refused.body["message"].as_str().unwrap().contains("Washington"), "{}", refused.body);
        let need = api.post(&format!("{base}/needs"), &json!({"outcome": "be_healthy", "title": "Dental decay in under-fives", "area": "washington",
            "age_from": 0, "age_to": 5}));
        assert_eq!(need.status, 201, "{}", need.body);
        assert_eq!(need.body["need"]["area"], "Washington");

        // A priority with no age band is set with the framework's warning; a band outside the
        // model is refused naming the bands; a band of the model clears the warning.
        let priorities = format!("{base}/priorities");
        let mut priority = json!({"rank": 3, "outcome": "be_healthy", "need_id": need.body["need"]["id"], "title": "Supervised tooth brushing in nurseries"});
        let warned = api.post(&priorities, &priority);
        assert_eq!(warned.status, 201, "{}", warned.body);
        let warning = warned.body["findings"].as_array().unwrap().iter().find(|f| f["code"] == "priority-age-band").unwrap().clone();
        assert_eq!((warning["severity"].as_str(), warning["source"].as_str()), (Some("warning"), Some("Activity Two, point 2")), "{warning}");
        priority["attributes"] = json!({"age_band": "5-10"});
        let path = format!("{priorities}/{}", warned.body["priority"]["id"].as_str().unwrap());
        let bad_band = put(&api, &path, &priority, "\"1\"");
        assert_eq!((bad_band.status, bad_band.body["field"].as_str()), (422, Some("attributes.age_band")), "{}", bad_band.body);
        assert!(bad_band.body["message"].as_str().unwrap().contains("0-7, 8-12, 13+"), "{}", bad_band.body);
        priority["attributes"] = json!({"age_band": "0 - 7"});
        let banded = put(&api, &path, &priority, "\"1\"");
        assert_eq!(banded.status, 200, "{}", banded.body);
        assert!(!codes(&banded.body["findings"]).iter().any(|c| c == "priority-age-band"), "{}", banded.body);
        assert_eq!(banded.body["changes"], json!([{"field": "attributes.age_band", "before": null, "after": "0-7"}]));

        // A service in one area is operational work for the aligned partnerships; city-wide, it
        // is strategic, for the Children's Trust Strategic Partnership.
        let provider = api.get(&format!("{base}/providers?limit=1")).body["items"][0].clone();
        let mut service = json!({"provider_id": provider["id"], "name": "Smile Washington", "tier": "universal", "area": "Washington",
            "age_from": 0, "age_to": 5, "outcomes": ["be_healthy"], "annual_budget_pence": 2_000_000});
        let local = api.post(&format!("{base}/services"), &service);
        assert_eq!(local.status, 201, "{}", local.body);
        assert_eq!((local.body["service"]["level"].as_str(), local.body["service"]["body"].as_str()), (Some("operational"), Some("aligned-partnership")));
        service["area"] = Value::Null;
        let path = format!("{base}/services/{}", local.body["service"]["id"].as_str().unwrap());
        let city = put(&api, &path, &service, "\"1\"");
        assert_eq!(city.status, 200, "{}", city.body);
        assert_eq!((city.body["service"]["level"].as_str(), city.body["service"]["body"].as_str()), (Some("strategic"), Some("ctsp")));
        assert!(city.body["classification"]["rationale"].as_str().is_some_and(|r| !r.is_empty()), "{}", city.body);

        let log = audit_log(&d, "sunderland");
        for action in ["need.created", "priority.created", "priority.edited", "service.created", "service.edited"] {
            assert!(log.contains(action), "{action} not in the audit log");
        }
    }
}
