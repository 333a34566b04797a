//! The commissioning cycle's projects, reviews and decisions through the real binary, as
//! Durham's commissioners and board drive them with API tokens, on both backends: a project
//! placed by the framework and moved through every one of its stages, stopped by the gate where
//! Durham's document says strategic commissioning comes first, warnings acknowledged in a note,
//! the board view by the framework's stage groups; a review completed with each consequence
//! (re-commissioning opens a project, decommissioning records a decision and ends the contract);
//! decisions recorded by the framework's bodies; stale writes and roles refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::accounts::Deployment;
use crate::contracts::Api;
use crate::support::both_backends;

const T: &str = "/api/v1/tenants/durham";

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .map(|a| a.iter().map(|f| f["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

both_backends! {
    fn a_project_moves_through_every_stage_of_durhams_framework_and_its_gate(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "durham", "commissioner@durham.example");
        let framework = api.get(&format!("{T}/framework")).body["framework"].clone();
        let stages: Vec<String> = framework["stages"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
        assert!(stages.len() >= 4, "{stages:?}");

        // Starting past the first stage needs a reason; an unknown stage is named.
        let later = api.post(&format!("{T}/projects"), &json!({"title": "Short breaks", "stage": stages[2]}));
        assert_eq!((later.status, later.body["field"].as_str()), (422, Some("reason")), "{}", later.body);
        let unknown = api.post(&format!("{T}/projects"), &json!({"title": "Short breaks", "stage": "nowhere"}));
        assert_eq!((unknown.status, unknown.body["field"].as_str()), (422, Some("stage")), "{}", unknown.body);

        let created = api.post(&format!("{T}/projects"), &json!({"title": "Short breaks for disabled children", "description": "Review of short breaks",
            "attributes": {"level": "service"}}));
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["project"]["id"].as_str().unwrap().to_string();
        assert_eq!(created.body["project"]["stage"], stages[0].as_str());
        let bodies: Vec<&str> = framework["bodies"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
        assert!(bodies.contains(&created.body["placement"]["body"].as_str().unwrap()), "placed under {}", created.body["placement"]);
        let moves = format!("{T}/projects/{id}/moves");

        // Durham: service commissioning does not move on before strategic commissioning is done.
        let blocked = api.send(Method::POST, &moves, Some(&json!({"to_stage": stages[1],
            "attributes": {"level": "service", "strategic_commissioning_done": "no"}})), Some("\"1\""));
        assert_eq!((blocked.status, blocked.body["error"].as_str()), (422, Some("refused_by_framework")), "{}", blocked.body);
        assert!(codes(&blocked.body["findings"]).contains(&"strategic-first".to_string()), "{}", blocked.body);
        let source = blocked.body["findings"].as_array().unwrap().iter().find(|f| f["code"] == "strategic-first").unwrap()["source"].clone();
        assert_eq!(source, "paragraphs 39 and 43");
        let project = api.get(&format!("{T}/projects/{id}")).body;
        assert_eq!((project["project"]["stage"].as_str(), project["history"].as_array().unwrap().len()), (Some(stages[0].as_str()), 1), "a refused move was kept");

        // Every stage in turn with what Durham's gate asks; warnings acknowledged in a note.
        let fields = json!({"level": "service", "strategic_commissioning_done": "yes", "decommissioning_considered": "yes",
            "continuum_target": framework["attribute_definitions"].as_array().unwrap().iter()
                .find(|f| f["entity_kind"] == "stage-move" && f["key"] == "continuum_target").unwrap()["choices"][0]["value"]});
        let mut version = 1;
        for stage in &stages[1..] {
            let mut body = json!({"to_stage": stage, "attributes": fields});
            let mut moved = api.send(Method::POST, &moves, Some(&body), Some(&format!("\"{version}\"")));
            if moved.status == 422 && moved.body["field"] == "note" {
                assert!(moved.body["findings"].as_array().unwrap().iter().all(|f| f["severity"] != "error"), "{}", moved.body);
                body["note"] = json!("Considered by the Executive Board; going ahead");
                moved = api.send(Method::POST, &moves, Some(&body), Some(&format!("\"{version}\"")));
            }
            assert_eq!(moved.status, 201, "to {stage}: {}", moved.body);
            version += 1;
            assert_eq!(moved.etag, Some(format!("\"{version}\"")));
        }
        let done = api.get(&format!("{T}/projects/{id}")).body;
        assert_eq!(done["project"]["stage"].as_str(), stages.last().map(String::as_str));
        let history = done["history"].as_array().unwrap();
        assert_eq!(history.len(), stages.len(), "one entry per stage");
        assert!(history[1..].iter().all(|h| h["moved_by_user_id"].is_string()), "who moved it is kept");

        // A stale move changes nothing; the answer carries the project as it stands.
        let stale = api.send(Method::POST, &moves, Some(&json!({"to_stage": stages[0], "attributes": fields})), Some("\"1\""));
        assert_eq!((stale.status, stale.body["error"].as_str()), (409, Some("stale")), "{}", stale.body);
        assert_eq!(stale.body["current"]["stage"].as_str(), stages.last().map(String::as_str));

        // The board groups the stages as the framework does, with the project at its stage.
        let board = api.get(&format!("{T}/projects/board")).body;
        let shown: Vec<String> = board["groups"].as_array().unwrap().iter()
            .flat_map(|g| g["stages"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string())).collect();
        assert_eq!(shown, stages);
        let last = board["groups"].as_array().unwrap().last().unwrap()["stages"].as_array().unwrap().last().unwrap().clone();
        assert!(last["projects"].as_array().unwrap().iter().any(|p| p["id"] == id.as_str()), "{board}");

        // Viewers and board members do not start projects.
        for who in ["viewer", "board"] {
            let other = Api::new(&d, "durham", &format!("{who}@durham.example"));
            assert_eq!(other.post(&format!("{T}/projects"), &json!({"title": "Not mine"})).status, 403, "{who}");
        }
    }

    fn reviews_are_completed_with_their_consequences_and_decisions_are_kept(db) {
        let d = Deployment::start(&db, true, &[]);
        let board = Api::new(&d, "durham", "board@durham.example");
        let framework = board.get(&format!("{T}/framework")).body["framework"].clone();
        let first_stage = framework["stages"][0]["id"].as_str().unwrap().to_string();

        let due = board.get(&format!("{T}/reviews/due?within_days=3650"));
        assert_eq!(due.status, 200, "{}", due.body);
        let open: Vec<Value> = due.body["overdue"].as_array().unwrap().iter().chain(due.body["due"].as_array().unwrap()).cloned().collect();
        let total: u64 = due.body["by_body"].as_array().unwrap().iter().map(|b| b["overdue"].as_u64().unwrap() + b["due"].as_u64().unwrap()).sum();
        assert_eq!(total as usize, open.len(), "the counts by body add up to the list");
        assert!(due.body["by_body"].as_array().unwrap().iter().all(|b| b["name"].is_string()), "every owning body is one of the framework's: {}", due.body["by_body"]);
        let contract_reviews: Vec<Value> = open.iter().filter(|r| r["contract_id"].is_string()).cloned().collect();
        // Two reviews of two different contracts.
        let first = contract_reviews[0].clone();
        let second = contract_reviews.iter().find(|r| r["contract_id"] != first["contract_id"]).unwrap().clone();

        // Re-commission: a project opens at the framework's first stage, linked to the contract.
        let path = format!("{T}/reviews/{}/complete", first["id"].as_str().unwrap());
        let v = format!("\"{}\"", first["version"]);
        let no_version = board.post(&path, &json!({"outcome": "recommission"}));
        assert_eq!(no_version.status, 428);
        let done = board.send(Method::POST, &path, Some(&json!({"outcome": "recommission", "notes": "Outcomes below target for a year",
            "evidence": "Four quarters of KPI returns"})), Some(&v));
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(done.body["review"]["status"], "completed");
        assert_eq!(done.body["project"]["stage"], first_stage.as_str());
        let project = board.get(&format!("{T}/projects/{}", done.body["project"]["id"].as_str().unwrap())).body;
        assert_eq!(project["project"]["contract_id"], first["contract_id"]);
        let again = board.send(Method::POST, &path, Some(&json!({"outcome": "continue"})), Some(&v));
        assert_eq!(again.status, 409, "completed twice: {}", again.body);

        // Decommission: an exit date is needed; then a decision and the contract's end.
        let path = format!("{T}/reviews/{}/complete", second["id"].as_str().unwrap());
        let v = format!("\"{}\"", second["version"]);
        let no_exit = board.send(Method::POST, &path, Some(&json!({"outcome": "decommission"})), Some(&v));
        assert_eq!((no_exit.status, no_exit.body["field"].as_str()), (422, Some("exit_date")), "{}", no_exit.body);
        let record = board.get(&format!("{T}/contracts/{}/record", second["contract_id"].as_str().unwrap())).body;
        let start = record["contract"]["start_date"].as_str().unwrap().to_string();
        let today = due.body["today"].as_str().unwrap().to_string();
        let exit = std::cmp::max(start, today.clone());
        let ended = board.send(Method::POST, &path, Some(&json!({"outcome": "decommission", "exit_date": exit,
            "notes": "The need is now met by the universal offer"})), Some(&v));
        assert_eq!(ended.status, 200, "{}", ended.body);
        assert_eq!(ended.body["event"]["kind"], "termination");
        let decision = ended.body["decision"].clone();
        assert_eq!(decision["review_id"], second["id"]);
        let record = board.get(&format!("{T}/contracts/{}/record", second["contract_id"].as_str().unwrap())).body;
        assert_eq!(record["contract"]["status"], "terminated");

        // A decision of one of the framework's bodies; another body name is refused, listing them.
        let body_id = framework["bodies"][0]["id"].as_str().unwrap();
        let recorded = board.post(&format!("{T}/decisions"), &json!({"decided_on": today, "body": body_id,
            "title": "Agree the short breaks strategy", "decision": "Agreed", "project_id": project["project"]["id"]}));
        assert_eq!(recorded.status, 201, "{}", recorded.body);
        let wrong = board.post(&format!("{T}/decisions"), &json!({"decided_on": today, "body": "childrens-trust-board",
            "title": "t", "decision": "d"}));
        assert_eq!((wrong.status, wrong.body["field"].as_str()), (422, Some("body")), "{}", wrong.body);
        assert!(wrong.body["message"].as_str().unwrap().contains(body_id), "{}", wrong.body);
        let log = board.get(&format!("{T}/decisions")).body;
        let titles: Vec<&str> = log["items"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
        assert!(titles.contains(&"Agree the short breaks strategy") && titles.contains(&decision["title"].as_str().unwrap()), "{titles:?}");

        // A viewer reads but records nothing.
        let viewer = Api::new(&d, "durham", "viewer@durham.example");
        assert_eq!(viewer.post(&format!("{T}/decisions"), &json!({"decided_on": today, "body": body_id, "title": "t", "decision": "d"})).status, 403);
        let open_review = contract_reviews.iter().find(|r| r["contract_id"] != first["contract_id"] && r["contract_id"] != second["contract_id"]).unwrap();
        let tried = viewer.send(Method::POST, &format!("{T}/reviews/{}/complete", open_review["id"].as_str().unwrap()),
            Some(&json!({"outcome": "continue"})), Some(&format!("\"{}\"", open_review["version"])));
        assert_eq!(tried.status, 403);
    }
}

both_backends! {
    fn a_provider_submits_returns_for_its_own_contracts_and_commissioners_see_them_against_target(db) {
        let d = Deployment::start(&db, true, &[]);
        let provider = Api::new(&d, "kent", "provider@kent.example");
        let mine = provider.get("/api/v1/tenants/kent/contracts?limit=200").body;
        let contract = mine["items"].as_array().unwrap().iter()
            .find(|c| c["status"] == "active").expect("the provider has an active contract").clone();
        let id = contract["id"].as_str().unwrap();
        let picture = provider.get(&format!("/api/v1/tenants/kent/contracts/{id}/kpis"));
        assert_eq!(picture.status, 200, "{}", picture.body);
        let kpis = picture.body["kpis"].as_array().unwrap().clone();
        let percent = kpis.iter().find(|k| k["kpi"]["unit"] == "percent").unwrap();
        let code = percent["kpi"]["code"].as_str().unwrap();
        // The period now running (or the latest begun) is the one to report on.
        let open = percent["periods"].as_array().unwrap().iter()
            .rfind(|p| p["value"].is_null()).expect("a period without a return").clone();
        let start = open["start"].as_str().unwrap();
        let path = format!("/api/v1/tenants/kent/contracts/{id}/returns");

        let wrong_period = provider.post(&path, &json!({"kpi_code": code, "period_start": "2026-02-30", "value": 80.0}));
        assert_eq!((wrong_period.status, wrong_period.body["field"].as_str()), (422, Some("period_start")));
        let off_day = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
        let not_a_start = provider.post(&path, &json!({"kpi_code": code, "period_start": off_day.to_string(), "value": 80.0}));
        assert_eq!((not_a_start.status, not_a_start.body["field"].as_str()), (422, Some("period_start")), "{}", not_a_start.body);
        let too_much = provider.post(&path, &json!({"kpi_code": code, "period_start": start, "value": 180.0}));
        assert_eq!((too_much.status, too_much.body["field"].as_str()), (422, Some("value")), "{}", too_much.body);
        let unknown = provider.post(&path, &json!({"kpi_code": "nope", "period_start": start, "value": 80.0}));
        assert_eq!((unknown.status, unknown.body["field"].as_str()), (422, Some("kpi_code")));

        let low = percent["kpi"]["target"].as_f64().unwrap() - 10.0;
        let sent = provider.post(&path, &json!({"kpi_code": code, "period_start": start, "value": low, "note": "Staff vacancies"}));
        assert_eq!(sent.status, 201, "{}", sent.body);
        let period = sent.body["periods"].as_array().unwrap().iter().find(|p| p["start"] == start).unwrap().clone();
        assert_eq!((period["status"].as_str(), period["value"].as_f64()), (Some("off_target"), Some(low)));
        let twice = provider.post(&path, &json!({"kpi_code": code, "period_start": start, "value": 90.0}));
        assert_eq!((twice.status, twice.body["field"].as_str()), (409, Some("period_start")));

        // Another provider's contract does not exist for this provider; commissioners see all.
        let commissioner = Api::new(&d, "kent", "commissioner@kent.example");
        let all = commissioner.get("/api/v1/tenants/kent/contracts?limit=200").body;
        let theirs = all["items"].as_array().unwrap().iter().find(|c| c["provider_id"] != contract["provider_id"]).unwrap();
        let other = provider.post(&format!("/api/v1/tenants/kent/contracts/{}/returns", theirs["id"].as_str().unwrap()),
            &json!({"kpi_code": code, "period_start": start, "value": 80.0}));
        assert_eq!(other.status, 404, "{}", other.body);
        assert_eq!(provider.get(&format!("/api/v1/tenants/kent/contracts/{}/kpis", theirs["id"].as_str().unwrap())).status, 404);
        let seen = commissioner.get(&format!("/api/v1/tenants/kent/contracts/{id}/kpis")).body;
        let k = seen["kpis"].as_array().unwrap().iter().find(|k| k["kpi"]["code"] == code).unwrap();
        assert!(k["off_target"].as_u64().unwrap() >= 1);
        // The demo data leaves some returns missing: they are flagged.
        let mut missing = 0;
        for c in all["items"].as_array().unwrap().iter().take(10) {
            let p = commissioner.get(&format!("/api/v1/tenants/kent/contracts/{}/kpis", c["id"].as_str().unwrap())).body;
            missing += p["kpis"].as_array().unwrap().iter().map(|k| k["missing"].as_u64().unwrap()).sum::<u64>();
        }
        assert!(missing > 0, "no missing return flagged in the demo data");
        // A viewer submits nothing.
        let viewer = Api::new(&d, "kent", "viewer@kent.example");
        assert_eq!(viewer.post(&path, &json!({"kpi_code": code, "period_start": start, "value": 80.0})).status, 403);
    }
}

both_backends! {
    fn kent_evaluates_itself_with_ratings_from_several_groups_beside_its_2009_review(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "kent", "commissioner@kent.example");
        let base = "/api/v1/tenants/kent/self-evaluations";
        // The demo data holds the review's own scores (main messages of 6 October 2009).
        let before = api.get(&format!("{base}/side-by-side"));
        assert_eq!(before.status, 200, "{}", before.body);
        assert_eq!(before.body["evaluations"][0]["evaluated_on"], "2009-10-06");
        let row = |body: &Value, id: &str| body["standards"].as_array().unwrap().iter().find(|r| r["standard"] == id).unwrap().clone();
        assert_eq!(row(&before.body, "csp-1")["scores"][0], 4, "standard 1 was going well");
        assert_eq!(row(&before.body, "csp-7")["scores"][0], 3, "standard 7 was steady progress");
        assert_eq!(row(&before.body, "csp-2")["bands"][0], "needs-improvement");

        // A new round: standard 2 rated by two named groups and the online survey.
        let mut scores = vec![
            json!({"standard": "csp-2", "score": 2, "evidence": "Minutes", "rater": "Strategic commissioning group"}),
            json!({"standard": "csp-2", "score": 4, "evidence": "Minutes", "rater": "LCSP West Kent"}),
            json!({"standard": "csp-2", "score": 3, "evidence": "Responses", "rater": "Online survey"}),
        ];
        let ids: Vec<String> = before.body["standards"].as_array().unwrap().iter().map(|r| r["standard"].as_str().unwrap().to_string()).collect();
        for id in ids.iter().filter(|i| *i != "csp-2") {
            scores.push(json!({"standard": id, "score": 3, "evidence": "Partnership workshop"}));
        }
        let body = json!({"standards_set": "csp-standards", "title": "KCT review 2026", "evaluated_on": "2026-11-30", "scores": scores});
        let out_of_range = api.post(base, &json!({"standards_set": "csp-standards", "title": "x", "evaluated_on": "2026-11-30",
            "scores": [{"standard": "csp-1", "score": 5}]}));
        assert_eq!((out_of_range.status, out_of_range.body["field"].as_str()), (422, Some("scores[0].score")), "{}", out_of_range.body);
        let wrong_set = api.post(base, &json!({"standards_set": "ofsted", "title": "x", "evaluated_on": "2026-11-30", "scores": []}));
        assert_eq!((wrong_set.status, wrong_set.body["field"].as_str()), (422, Some("standards_set")));
        let saved = api.post(base, &body);
        assert_eq!(saved.status, 201, "{}", saved.body);
        let result = saved.body["summary"]["results"].as_array().unwrap().iter().find(|r| r["standard_id"] == "csp-2").unwrap().clone();
        assert_eq!((result["ratings"].as_u64(), result["lowest"].as_u64(), result["highest"].as_u64()), (Some(3), Some(2), Some(4)), "the spread is kept: {result}");
        assert_eq!(result["score"], 3, "the lower median of 2, 3 and 4");
        assert_eq!(api.post(base, &body).status, 409, "the same title twice");

        let after = api.get(&format!("{base}/side-by-side")).body;
        assert_eq!(after["evaluations"].as_array().unwrap().len(), 2);
        assert_eq!(row(&after, "csp-2")["scores"], json!([2, 3]), "side by side, oldest first");
        let viewer = Api::new(&d, "kent", "viewer@kent.example");
        assert_eq!(viewer.post(base, &body).status, 403);
        assert_eq!(viewer.get(&format!("{base}/side-by-side")).status, 200);
    }
}

/// Stores a test program as the registry's `national-baseline@1.1.0` (the version it describes
/// itself as, taking the built-in one's place) and pins a trust to it, before the server starts.
fn pin_test_program(db: &crate::support::TestDb, slug: &str, program: &str) {
    use platform_db::repo::plugins::{self, PluginRow};
    let mut conn = db.migrated();
    platform_db::seed::seed(&mut conn, true, crate::support::today(), crate::support::now()).unwrap();
    let bytes = plugin_artifacts::TEST_PROGRAMS.iter().find(|a| a.id == program).unwrap().bytes;
    plugins::insert(
        &mut conn,
        &PluginRow {
            id: "national-baseline".into(),
            version: "1.1.0".into(),
            wit_version: "1.1.0".into(),
            name: program.into(),
            sha256: platform_plugins::component_sha256(bytes),
            size_bytes: bytes.len() as i64,
            component: bytes.to_vec(),
            approved_at: crate::support::now(),
            approved_by: Some("ops@platform.example".into()),
            added_by: Some("ops@platform.example".into()),
            approved: true,
        },
    )
    .unwrap();
    let tenant = platform_db::repo::tenants::by_slug(&mut conn, slug).unwrap().unwrap();
    plugins::pin(&mut conn, &tenant.id, "national-baseline", "1.1.0").unwrap();
}

both_backends! {
    fn a_framework_answering_a_date_that_does_not_exist_leaves_no_contract_written(db) {
        pin_test_program(&db, "kent", "bad-dates");
        let d = Deployment::start(&db, false, &[]);
        let kent = Api::new(&d, "kent", "commissioner@kent.example");
        let service = kent.get("/api/v1/tenants/kent/services?limit=1").body["items"][0].clone();
        let before = kent.get("/api/v1/tenants/kent/contracts?limit=1").body["total"].clone();
        let tried = kent.post("/api/v1/tenants/kent/contracts", &json!({"reference": "KCC-BAD", "title": "Youth work",
            "service_id": service["id"], "kind": "block", "start_date": "2026-04-01", "end_date": "2028-03-31", "value_pence": 100_000}));
        assert_eq!(tried.status, 502, "{}", tried.body);
        assert!(tried.body["message"].as_str().unwrap().contains("not a date"), "{}", tried.body);
        assert_eq!(kent.get("/api/v1/tenants/kent/contracts?limit=1").body["total"], before, "a contract was saved");
    }

    fn a_framework_that_never_answers_leaves_no_project_written(db) {
        pin_test_program(&db, "durham", "spin");
        let d = Deployment::start(&db, false, &[]);
        let durham = Api::new(&d, "durham", "commissioner@durham.example");
        let tried = durham.post("/api/v1/tenants/durham/projects", &json!({"title": "Never placed"}));
        assert_eq!(tried.status, 504, "{}", tried.body);
        assert_eq!(durham.get("/api/v1/tenants/durham/projects").body["total"], 0, "a project was saved");
    }
}

both_backends! {
    fn the_service_map_shows_gaps_and_overlaps_linked_to_their_records(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "sunderland", "commissioner@sunderland.example");
        let base = "/api/v1/tenants/sunderland";
        // A need in one of Sunderland's areas that no service covers: it is a gap.
        let added = api.post(&format!("{base}/needs"), &json!({"outcome": "stay_safe", "title": "Young carers aged 24",
            "age_from": 24, "age_to": 25, "area": "Washington", "evidence": "Carers' centre referrals"}));
        assert!(added.status == 201, "{}", added.body);
        let map = api.get(&format!("{base}/service-map"));
        assert_eq!(map.status, 200, "{}", map.body);
        let gap = map.body["gaps"].as_array().unwrap().iter().find(|g| g["title"] == "Young carers aged 24").expect("the uncovered need is a gap").clone();
        assert_eq!(api.get(gap["href"].as_str().unwrap()).status, 200, "the gap links to its need");
        for overlap in map.body["overlaps"].as_array().unwrap().iter().take(5) {
            for s in overlap["services"].as_array().unwrap() {
                assert_eq!(api.get(s["href"].as_str().unwrap()).status, 200);
            }
        }
        let placed: usize = map.body["map"].as_object().unwrap().values()
            .flat_map(|t| t.as_object().unwrap().values()).flat_map(|a| a.as_object().unwrap().values())
            .map(|s| s.as_array().unwrap().len()).sum();
        assert!(placed >= 30, "every service is on the map under each of its outcomes: {placed}");
        let provider = Api::new(&d, "sunderland", "provider@sunderland.example");
        assert_eq!(provider.get(&format!("{base}/service-map")).status, 403);
    }
}

both_backends! {
    fn beside_a_need_its_indicators_trend_and_the_frameworks_own_bands(db) {
        let d = Deployment::start(&db, true, &[]);
        let api = Api::new(&d, "kent", "viewer@kent.example");
        let needs = api.get("/api/v1/tenants/kent/needs?limit=200").body;
        // Kent's teenage pregnancy need: its outcome's indicators include under-18 conceptions,
        // which have single-year-of-age counts.
        let mut checked = 0;
        for need in needs["items"].as_array().unwrap() {
            let ev = api.get(&format!("/api/v1/tenants/kent/needs/{}/evidence", need["id"].as_str().unwrap()));
            assert_eq!(ev.status, 200, "{}", ev.body);
            for ind in ev.body["indicators"].as_array().unwrap() {
                assert_eq!(ind["indicator"]["outcome_code"], need["outcome_code"], "only the need's outcome");
                let trend = ind["trend"].as_array().unwrap();
                assert!(trend.len() <= 5 && !trend.is_empty());
                for b in ind["by_age_band"].as_array().unwrap().iter().chain(ind["by_area"].as_array().unwrap()) {
                    let (n, dn, r) = (b["numerator"].as_f64().unwrap(), b["denominator"].as_f64().unwrap(), b["rate"].as_f64().unwrap());
                    assert!(dn > 0.0 && r >= 0.0 && n <= dn, "{b}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "no indicator was banded by Kent's framework");
        let framework = api.get("/api/v1/tenants/kent/framework").body["framework"].clone();
        let bands: Vec<&str> = framework["age_bands"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
        let ev = needs["items"].as_array().unwrap().iter().find_map(|n| {
            let e = api.get(&format!("/api/v1/tenants/kent/needs/{}/evidence", n["id"].as_str().unwrap())).body;
            e["indicators"].as_array().unwrap().iter().find(|i| !i["by_age_band"].as_array().unwrap().is_empty()).cloned()
        }).expect("an indicator banded by age");
        assert!(ev["by_age_band"].as_array().unwrap().iter().all(|b| bands.contains(&b["band"].as_str().unwrap())), "{ev}");
    }
}
