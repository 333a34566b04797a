//! The contracts register through the real binary, as a commissioner drives it with an API
//! token, on both backends: a contract let under the trust's framework (its fields checked,
//! its refusals with their source), its reviews planned from the framework's schedule, an edit
//! that names its version (a stale one is refused and changes nothing), variations, extensions
//! and terminations as events that re-plan the reviews, the register's filters, the roles that
//! may not write, and the audit log that shows what changed.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::accounts::Deployment;
use crate::fuzz::api_token;
use crate::support::{both_backends, sign_in};

/// A JSON client with a bearer token that shows the answer's status, ETag and body.
pub struct Api {
    base: String,
    token: String,
    client: reqwest::blocking::Client,
}

pub struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Value,
}

impl Api {
    pub fn new(d: &Deployment, slug: &str, email: &str) -> Api {
        let b = sign_in(&d.server.base, &d.mail, slug, email);
        let token = api_token(&b, slug, "cycle");
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        Api { base: d.server.base.clone(), token, client }
    }

    pub fn send(&self, method: Method, path: &str, body: Option<&Value>, if_match: Option<&str>) -> Answer {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(v) = if_match {
            req = req.header("If-Match", v);
        }
        let r = crate::support::send(req);
        let status = r.status().as_u16();
        let etag = r.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
        let text = r.text().unwrap();
        Answer { status, etag, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body), None)
    }
}

/// A service of the trust and its provider.
fn a_service(api: &Api, slug: &str) -> Value {
    let services = api.get(&format!("/api/v1/tenants/{slug}/services?limit=1"));
    assert_eq!(services.status, 200, "{}", services.body);
    services.body["items"][0].clone()
}

fn contract_body(service: &Value, reference: &str, attributes: Value) -> Value {
    json!({
        "reference": reference, "title": "Family support in the north", "service_id": service["id"],
        "kind": "block", "start_date": "2026-04-01", "end_date": "2029-03-31", "value_pence": 45_000_000,
        "attributes": attributes,
        "kpis": [{"code": "K1", "title": "Families seen within 10 days", "unit": "percent", "target": 90.0,
                  "polarity": "higher_is_better", "frequency": "quarterly"}],
        "contributions": [{"partner": "NHS Bedfordshire", "partner_kind": "health", "amount_pence": 10_000_000}],
    })
}

both_backends! {
    fn a_commissioner_lets_varies_and_ends_a_contract_under_the_trusts_framework(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "central-bedfordshire", "commissioner@central-bedfordshire.example");
        let base = "/api/v1/tenants/central-bedfordshire/contracts";
        let service = a_service(&api, "central-bedfordshire");

        // A pooled budget without the partners' agreement: refused by Central Bedfordshire's
        // rule that funding depends on partner agencies agreeing, with where the rule comes from.
        let refused = api.post(base, &contract_body(&service, "CB-NEW-1", json!({"pooled_budget": "Pooled"})));
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["error"], "refused_by_framework");
        let finding = refused.body["findings"].as_array().unwrap().iter().find(|f| f["code"] == "partner-agreement").unwrap().clone();
        assert_eq!(finding["severity"], "error");
        assert!(finding["source"].as_str().is_some_and(|s| !s.is_empty()), "{finding}");
        assert!(refused.body["message"].as_str().unwrap().contains("the trust's framework:"), "{}", refused.body);
        let register = api.get(&format!("{base}?limit=200")).body;
        assert!(!register["items"].as_array().unwrap().iter().any(|c| c["reference"] == "CB-NEW-1"), "a refused contract was saved");

        // A field the framework does not define, and a value not among its choices: 400 naming it.
        let unknown = api.post(base, &contract_body(&service, "CB-NEW-1", json!({"colour": "red"})));
        assert_eq!((unknown.status, unknown.body["field"].as_str()), (422, Some("attributes.colour")), "{}", unknown.body);
        let bad_choice = api.post(base, &contract_body(&service, "CB-NEW-1", json!({"pooled_budget": "shared"})));
        assert_eq!((bad_choice.status, bad_choice.body["field"].as_str()), (422, Some("attributes.pooled_budget")), "{}", bad_choice.body);
        let bad_date = api.post(base, &json!({"reference": "X", "title": "X", "service_id": service["id"], "kind": "block",
            "start_date": "2026-13-01", "end_date": "2027-01-01", "value_pence": 1}));
        assert_eq!((bad_date.status, bad_date.body["field"].as_str()), (422, Some("start_date")), "{}", bad_date.body);

        // With the agreement it is let, and its reviews come from the framework's schedule.
        let good = contract_body(&service, "CB-NEW-1", json!({"pooled_budget": "pooled", "partner_agreement": "Yes", "partners": "Council, NHS Bedfordshire",
            "monitoring_arrangements": "Quarterly returns to the Trust"}));
        let created = api.post(base, &good);
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.etag.as_deref(), Some("\"1\""));
        let contract = created.body["contract"].clone();
        let id = contract["id"].as_str().unwrap().to_string();
        assert_eq!(contract["provider_id"], service["provider_id"], "the provider is the service's");
        let stored: Value = serde_json::from_str(contract["attributes"].as_str().unwrap()).unwrap();
        assert_eq!(stored["partner_agreement"], "yes", "a choice is stored in the framework's spelling");
        let planned = created.body["reviews_added"].as_array().unwrap().clone();
        assert!(!planned.is_empty(), "no reviews planned: {}", created.body);
        let bodies: Vec<&str> = planned.iter().map(|r| r["owner_body"].as_str().unwrap()).collect();
        let framework = api.get("/api/v1/tenants/central-bedfordshire/framework").body;
        let known: Vec<&str> = framework["framework"]["bodies"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
        assert!(bodies.iter().all(|b| known.contains(b)), "reviews owned by {bodies:?}, bodies are {known:?}");
        let again = api.post(base, &good);
        assert_eq!((again.status, again.body["field"].as_str()), (409, Some("reference")), "{}", again.body);

        // An edit names its version: none is 428, an old one 409 with the contract as it stands.
        let path = format!("{base}/{id}");
        let edit = json!({"reference": "CB-NEW-1", "title": "Family support, north and central", "kind": "block",
            "attributes": {"pooled_budget": "pooled", "partner_agreement": "yes", "partners": "Council, NHS Bedfordshire",
                "monitoring_arrangements": "Quarterly returns"}});
        assert_eq!(api.send(Method::PUT, &path, Some(&edit), None).status, 428);
        let edited = api.send(Method::PUT, &path, Some(&edit), Some("\"1\""));
        assert_eq!(edited.status, 200, "{}", edited.body);
        assert_eq!(edited.etag.as_deref(), Some("\"2\""));
        let fields: Vec<&str> = edited.body["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["attributes.monitoring_arrangements", "title"]);
        let stale_edit = json!({"reference": "CB-NEW-1", "title": "Someone else's title", "kind": "spot",
            "attributes": {"pooled_budget": "pooled", "partner_agreement": "yes", "partners": "Council, NHS Bedfordshire"}});
        let stale = api.send(Method::PUT, &path, Some(&stale_edit), Some("\"1\""));
        assert_eq!((stale.status, stale.body["error"].as_str()), (409, Some("stale")), "{}", stale.body);
        assert_eq!(stale.body["current"]["title"], "Family support, north and central");
        assert_eq!(stale.body["current"]["version"], 2);
        let silent = json!({"reference": "CB-NEW-1", "title": "t", "kind": "block", "value_pence": 1});
        assert_eq!(api.send(Method::PUT, &path, Some(&silent), Some("\"2\"")).status, 400, "an edit has no value field");

        // An extension re-plans the reviews; a termination ends it; then it changes no more.
        let events = format!("{path}/events");
        let extension = json!({"kind": "extension", "effective_on": "2027-01-01", "end_date": "2030-03-31", "reason": "Cabinet agreed a one-year extension"});
        assert_eq!(api.send(Method::POST, &events, Some(&extension), Some("\"1\"")).status, 409);
        let extended = api.send(Method::POST, &events, Some(&extension), Some("\"2\""));
        assert_eq!(extended.status, 201, "{}", extended.body);
        assert_eq!(extended.body["contract"]["end_date"], "2030-03-31");
        assert_eq!(extended.body["event"]["kind"], "extension");
        let record = api.get(&format!("{path}/record"));
        assert_eq!(record.etag.as_deref(), Some("\"3\""));
        let open_due: Vec<String> = record.body["reviews"].as_array().unwrap().iter()
            .filter(|r| r["status"] == "scheduled").map(|r| r["due_on"].as_str().unwrap().to_string()).collect();
        assert!(open_due.iter().any(|d| d.as_str() > "2029-03-31"), "no review after the old end: {open_due:?}");
        let no_reason = json!({"kind": "termination", "effective_on": "2027-06-30", "reason": ""});
        let refused = api.send(Method::POST, &events, Some(&no_reason), Some("\"3\""));
        assert_eq!((refused.status, refused.body["field"].as_str()), (422, Some("reason")), "{}", refused.body);
        let ended = api.send(Method::POST, &events, Some(&json!({"kind": "termination", "effective_on": "2027-06-30",
            "reason": "The provider withdrew"})), Some("\"3\""));
        assert_eq!(ended.status, 201, "{}", ended.body);
        assert_eq!((ended.body["contract"]["status"].as_str(), ended.body["contract"]["end_date"].as_str()), (Some("terminated"), Some("2027-06-30")));
        let record = api.get(&format!("{path}/record")).body;
        let after_end = record["reviews"].as_array().unwrap().iter()
            .filter(|r| r["status"] == "scheduled" && r["due_on"].as_str().unwrap() > "2027-06-30").count();
        assert_eq!(after_end, 0, "reviews after the termination are still scheduled: {record}");
        assert_eq!(record["events"].as_array().unwrap().len(), 2);

        // The register's filters, and a bad one named.
        let found = api.get(&format!("{base}?status=terminated&kind=block&min_value_pence=45000000&max_value_pence=45000000")).body;
        assert_eq!(found["items"].as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap()).collect::<Vec<_>>(), ["CB-NEW-1"]);
        let ending = api.get(&format!("{base}?ending_within_days=180&limit=200")).body;
        assert!(ending["items"].as_array().unwrap().iter().all(|c| c["status"] == "active"), "{ending}");
        let bad = api.get(&format!("{base}?ending_within_days=soon"));
        assert_eq!((bad.status, bad.body["field"].as_str()), (400, Some("ending_within_days")));

        // An archived service is not chosen anew: the register refuses a contract for it.
        let spare = api.get("/api/v1/tenants/central-bedfordshire/services?limit=200").body["items"].as_array().unwrap()
            .iter().rev().find(|s| s["id"] != service["id"]).unwrap().clone();
        let archived = api.send(Method::POST, &format!("/api/v1/tenants/central-bedfordshire/services/{}/archive", spare["id"].as_str().unwrap()),
            Some(&json!({})), Some(&format!("\"{}\"", spare["version"])));
        assert_eq!(archived.status, 200, "{}", archived.body);
        let for_archived = api.post(base, &contract_body(&spare, "CB-NEW-3", json!({})));
        assert_eq!((for_archived.status, for_archived.body["field"].as_str()), (422, Some("service_id")), "{}", for_archived.body);

        // Viewers and board members read but do not let contracts.
        for who in ["viewer", "board"] {
            let other = Api::new(&d, "central-bedfordshire", &format!("{who}@central-bedfordshire.example"));
            let tried = other.post(base, &contract_body(&service, "CB-NEW-2", json!({})));
            assert_eq!(tried.status, 403, "{who}: {}", tried.body);
            assert_eq!(other.get(&format!("{path}/record")).status, 200);
        }

        // The audit log has each change with what changed.
        let admin = sign_in(&d.server.base, &d.mail, "central-bedfordshire", "admin@central-bedfordshire.example");
        let audit = admin.get("/t/central-bedfordshire/admin/audit");
        for action in ["contract.created", "contract.edited", "contract.extension", "contract.termination"] {
            assert!(audit.body.contains(action), "{action} not in the audit log");
        }
    }
}
