//! The JSON API tested from its own OpenAPI document. Schemathesis generates requests for every
//! documented operation and checks each answer against the document (no server errors, only
//! documented status codes and content types, bodies that match their schemas), once with no
//! credentials and once with a member's bearer token. And an isolation probe takes every
//! documented tenant route, fills it with another trust's slug and ids, and asks it as each of
//! Durham's roles: nothing of Kent is ever answered, so a route added later is probed by itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::accounts::Deployment;
use crate::support::{Browser, both_backends, sign_in};

/// Generated cases per operation and phase: with it a run takes under a minute here.
const MAX_EXAMPLES: &str = "100";
/// A fixed seed: a failure seen once is seen again on the next run.
const SEED: &str = "20261124";

/// Creates an API token on the trust's tokens page; the page shows it once.
pub fn api_token(b: &Browser, slug: &str, name: &str) -> String {
    let csrf = b.csrf(&format!("/t/{slug}/tokens"));
    let created = b.post(&format!("/t/{slug}/tokens"), &[("name", name), ("csrf", &csrf)]);
    assert_eq!(created.status, 200, "creating a token: {}", created.body);
    let start = created.body.find("cpt_").unwrap_or_else(|| panic!("no token shown: {}", created.body));
    created.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

/// A client that keeps no cookies and follows no redirects: what it sends is all it is.
fn bare_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// What schemathesis reported for one run.
struct Outcome {
    label: String,
    passed: bool,
    cases: u64,
    failing_cases: u64,
    errored: u64,
    operations: u64,
    failures: Value,
    output: String,
}

/// Runs the schemathesis command line against the server's document and returns its report.
fn schemathesis(base: &str, doc: &Value, work: &Path, label: &str, config: Option<&str>, extra: &[&str]) -> Outcome {
    let run_dir = work.join(format!("schemathesis-{}", label.replace(' ', "-")));
    std::fs::create_dir_all(&run_dir).unwrap();
    let report = run_dir.join("report.json");
    let mut cmd = Command::new("python3");
    // Run in a folder of its own, so no `schemathesis.toml` or example database is picked up
    // from elsewhere and the report lands beside the test's database.
    cmd.current_dir(&run_dir).args(["-m", "schemathesis.cli", "--no-color"]);
    // A request the document allows may still be refused for what it says rather than its
    // shape: 422 when the trust's framework or the trust's records refuse it (a field this
    // framework does not ask for, a service that is not the trust's, an end before the start).
    // The document lists 422 for those operations; the check counts it as a considered answer.
    // A write that names no version (no If-Match where the document requires it) is refused
    // with 428 Precondition Required, the status made for it, besides the usual refusals.
    let accepted = "[checks.positive_data_acceptance]\nexpected-statuses = [\"2xx\", \"3xx\", \"401\", \"403\", \"404\", \"409\", \"422\", \"429\"]\n\
        [checks.missing_required_header]\nexpected-statuses = [\"400\", \"401\", \"403\", \"406\", \"415\", \"422\", \"428\"]\n";
    let file = run_dir.join("schemathesis.toml");
    std::fs::write(&file, format!("{accepted}{}", config.unwrap_or(""))).unwrap();
    cmd.arg("--config-file").arg(&file);
    // The document as the server served it, from a file: loaded from its own address,
    // schemathesis leaves out the operation that serves it, and that one is tested too.
    let schema = run_dir.join("openapi.json");
    std::fs::write(&schema, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    cmd.arg("run")
        .arg(&schema)
        .args(["--url", base])
        // Every check: the server must never answer 5xx, only with documented status codes,
        // content types and headers, with bodies that match their schemas; it must refuse
        // invalid input and accept valid input, refuse missing credentials, and so on. None is
        // excluded: each applies to this API.
        .args(["--checks", "all"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        // Examples found by an earlier run would change what this run sends.
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        .args(["--report", "json", "--report-json-path"])
        .arg(&report)
        .args(extra)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let out =
        cmd.output().unwrap_or_else(|e| panic!("schemathesis could not be run (tests/setup.sh installs it): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("schemathesis {label} wrote no report ({e}):\n{stdout}\n{stderr}"));
    let report: Value = serde_json::from_str(&text).unwrap();
    let count = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("not a count in the report: {report}"));
    let outcome = Outcome {
        label: label.to_string(),
        passed: out.status.success(),
        cases: count(&report["test_cases"]["generated"]),
        failing_cases: count(&report["test_cases"]["with_failures"]),
        errored: count(&report["test_cases"]["errored"]),
        operations: count(&report["operations"]["tested"]),
        failures: report["failures"].clone(),
        output: format!("{stdout}\n{stderr}"),
    };
    println!(
        "schemathesis {label}: {} cases over {} operations, {} failures, {} errors, exit {}, in {:.0?}; failures {}; warnings {}",
        outcome.cases,
        outcome.operations,
        outcome.failing_cases,
        outcome.errored,
        out.status,
        started.elapsed(),
        outcome.failures,
        report["warnings"]
    );
    outcome
}

impl Outcome {
    /// A clean run: exit 0, and no failing or errored case in the report.
    fn clean(&self) -> bool {
        self.passed && self.failing_cases == 0 && self.errored == 0
    }
}

/// A documented operation under `/api/v1/tenants/{slug}`.
#[derive(Debug)]
struct Operation {
    method: String,
    path: String,
    /// Query parameters that name a record of the trust (`provider_id`).
    id_query: Vec<String>,
}

fn tenant_operations(doc: &Value) -> Vec<Operation> {
    let paths = doc["paths"].as_object().expect("paths in the document");
    let mut out = Vec::new();
    for (path, item) in paths {
        if !path.starts_with("/api/v1/tenants/{slug}") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let params = [&item["parameters"], &op["parameters"]];
            let id_query = params
                .iter()
                .filter_map(|p| p.as_array())
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .filter(|n| n.ends_with("_id"))
                .map(str::to_string)
                .collect();
            out.push(Operation { method: method.to_uppercase(), path: path.clone(), id_query });
        }
    }
    out
}

/// The kind of record a path parameter names: the path between the trust and it
/// (`contracts` in `/contracts/{id}`, `comparison/groups` in `/comparison/groups/{id}`).
fn kind_before(segments: &[&str], i: usize) -> String {
    let start = segments.iter().position(|s| *s == "{slug}").map_or(0, |p| p + 1);
    segments[start..i].join("/")
}

fn kinds_named_in_paths(ops: &[Operation]) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    for op in ops {
        let segments: Vec<&str> = op.path.split('/').collect();
        for (i, s) in segments.iter().enumerate() {
            if s.starts_with('{') && *s != "{slug}" {
                kinds.insert(kind_before(&segments, i));
            }
        }
    }
    kinds
}

/// The kind a query parameter such as `provider_id` names (`providers`).
fn kind_of_query(name: &str, kinds: &BTreeSet<String>) -> String {
    let base = name.strip_suffix("_id").unwrap();
    let found = kinds
        .iter()
        .find(|k| **k == format!("{base}s") || base.strip_suffix('y').is_some_and(|stem| **k == format!("{stem}ies")));
    found.unwrap_or_else(|| panic!("the probe does not know which records the query parameter {name} names")).clone()
}

/// Every id-like value in a JSON answer: strings under `id` or `…_id`.
fn collect_ids(v: &Value, into: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if let (true, Some(s)) = (k == "id" || k.ends_with("_id"), v.as_str()) {
                    into.insert(s.to_string());
                }
                collect_ids(v, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, into)),
        _ => {}
    }
}

/// A trust's records as one of its members reads them: for each kind, the first item's key
/// (its `id`, or its `code` where that is what the route takes), and every id seen.
struct Records {
    keys: BTreeMap<String, String>,
    ids: BTreeSet<String>,
}

fn records(base: &str, slug: &str, token: &str, kinds: &BTreeSet<String>) -> Records {
    let client = bare_client();
    let get = |path: &str| {
        let r = client.get(format!("{base}{path}")).bearer_auth(token).send().unwrap();
        let status = r.status().as_u16();
        (status, r.text().unwrap())
    };
    let mut keys = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for kind in kinds {
        let (status, body) = get(&format!("/api/v1/tenants/{slug}/{kind}"));
        assert_eq!(status, 200, "{slug} {kind}: {body}");
        let list: Value = serde_json::from_str(&body).unwrap();
        collect_ids(&list, &mut ids);
        // A paged list, or (the comparison's groups and indicators) a plain one.
        let first = if list["items"].is_array() { &list["items"][0] } else { &list[0] };
        assert!(first.is_object(), "{slug} has no {kind} to probe with: {body}");
        let key = ["id", "code", "indicator"]
            .iter()
            .filter_map(|k| first[k].as_str())
            .find(|key| get(&format!("/api/v1/tenants/{slug}/{kind}/{key}")).0 == 200)
            .unwrap_or_else(|| panic!("no key of {first} opens /api/v1/tenants/{slug}/{kind}/…"))
            .to_string();
        let (_, item) = get(&format!("/api/v1/tenants/{slug}/{kind}/{key}"));
        collect_ids(&serde_json::from_str(&item).unwrap(), &mut ids);
        keys.insert(kind.clone(), key);
    }
    Records { keys, ids }
}

/// The operation's path for `slug`, each record parameter filled by `key_for(kind)`, and the
/// query with its record parameters filled the same way (when `with_query`).
fn fill(
    op: &Operation,
    slug: &str,
    kinds: &BTreeSet<String>,
    with_query: bool,
    key_for: &dyn Fn(&str) -> String,
) -> String {
    let segments: Vec<&str> = op.path.split('/').collect();
    let mut filled = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        filled.push(match *s {
            "{slug}" => slug.to_string(),
            p if p.starts_with('{') => key_for(&kind_before(&segments, i)),
            other => other.to_string(),
        });
    }
    let mut url = filled.join("/");
    if with_query && !op.id_query.is_empty() {
        let query: Vec<String> =
            op.id_query.iter().map(|name| format!("{name}={}", key_for(&kind_of_query(name, kinds)))).collect();
        url = format!("{url}?{}", query.join("&"));
    }
    url
}

both_backends! {
    fn schemathesis_finds_nothing_wrong_with_the_api_anonymously_or_with_a_token(db) {
        let started = Instant::now();
        let d = Deployment::start(&db, true, &[]);
        let backend = if db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
        let b = sign_in(&d.server.base, &d.mail, "durham", "commissioner@durham.example");
        let token = api_token(&b, "durham", "schemathesis");
        let doc = d.browser().get("/api/v1/openapi.json").json();
        let operations: u64 = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| ["get", "post", "put", "patch", "delete"].iter().filter(|m| item.get(**m).is_some()).count() as u64)
            .sum();

        let anonymous = schemathesis(&d.server.base, &doc, &d.dir, &format!("{backend} anonymous"), None, &[]);
        // With the token, the trust's slug is fixed to the token's own trust, so the generated
        // ids, pages and filters reach real records and real answers are checked against their
        // schemas (a generated slug is almost never a trust, and would only ever be a 404).
        let header = format!("Authorization: Bearer {token}");
        let bearer = schemathesis(
            &d.server.base,
            &doc,
            &d.dir,
            &format!("{backend} bearer"),
            Some("[parameters]\n\"path.slug\" = \"durham\"\n"),
            &["-H", &header],
        );
        println!("schemathesis {backend}: both runs took {:.0?} with the setup", started.elapsed());
        // Both runs first, then the verdict: a failure in one does not hide the other's.
        let problems: Vec<String> = [&anonymous, &bearer]
            .iter()
            .filter(|run| !run.clean())
            .map(|run| format!("schemathesis {} found problems:\n{}", run.label, run.output))
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n\n"));
        for run in [&anonymous, &bearer] {
            assert_eq!(run.operations, operations, "{}: every documented operation is tested", run.label);
            assert!(run.cases > operations, "{}: only {} cases for {operations} operations", run.label, run.cases);
        }
    }

    fn no_documented_tenant_route_answers_anything_of_another_trust(db) {
        let started = Instant::now();
        let d = Deployment::start(&db, true, &[]);
        let base = d.server.base.clone();
        let doc = d.browser().get("/api/v1/openapi.json").json();
        let ops = tenant_operations(&doc);
        assert!(ops.len() >= 15, "too few tenant routes in the document: {ops:?}");
        let kinds = kinds_named_in_paths(&ops);
        for kind in &kinds {
            assert!(
                ops.iter().any(|op| op.path == format!("/api/v1/tenants/{{slug}}/{kind}")),
                "no list route documented for {kind}, to take an id from"
            );
        }

        // Each trust has a comparison group, and Durham shares an indicator, so that those routes
        // have records of each trust to probe with.
        let kent_admin = sign_in(&base, &d.mail, "kent", "admin@kent.example");
        let durham_admin = sign_in(&base, &d.mail, "durham", "admin@durham.example");
        for (b, slug) in [(&kent_admin, "kent"), (&durham_admin, "durham")] {
            let token = api_token(b, slug, "setup");
            let client = bare_client();
            let made = client.post(format!("{base}/api/v1/tenants/{slug}/comparison/groups")).bearer_auth(&token)
                .json(&serde_json::json!({"name": format!("{slug} group"), "members": []})).send().unwrap();
            // No DfE data here: no authority is known, so a group is refused; written directly.
            assert_eq!(made.status().as_u16(), 422);
            let mut conn = db.conn();
            let tenant = platform_db::repo::tenants::by_slug(&mut conn, slug).unwrap().unwrap();
            platform_db::repo::comparison_groups::insert(&mut conn, &platform_db::repo::comparison_groups::Group {
                id: uuid::Uuid::now_v7().to_string(), tenant_id: tenant.id, name: format!("{slug} group"),
                members: "840".into(), version: 1, created_at: crate::support::now(), updated_at: crate::support::now(),
            }).unwrap();
        }
        let durham_admin_token = api_token(&durham_admin, "durham", "setup-share");
        let first_indicator = bare_client().get(format!("{base}/api/v1/tenants/durham/comparison/sharing"))
            .bearer_auth(&durham_admin_token).send().unwrap().json::<Value>().unwrap()[0]["indicator"].as_str().unwrap().to_string();
        let shared = bare_client().put(format!("{base}/api/v1/tenants/durham/comparison/sharing/{first_indicator}"))
            .bearer_auth(&durham_admin_token).json(&serde_json::json!({"shared": true})).send().unwrap();
        assert_eq!(shared.status().as_u16(), 200);

        // Kent's records, as Kent's admin reads them; Durham's, as Durham's commissioner does.
        let kent = records(&base, "kent", &api_token(&kent_admin, "kent", "probe"), &kinds);
        let commissioner = sign_in(&base, &d.mail, "durham", "commissioner@durham.example");
        let durham_token = api_token(&commissioner, "durham", "probe");
        let durham = records(&base, "durham", &durham_token, &kinds);
        // An id both trusts show is shared (the indicator catalogue), not Kent's.
        let foreign: BTreeSet<String> = kent.ids.difference(&durham.ids).cloned().collect();
        assert!(foreign.len() >= kinds.len(), "Kent's own ids: {foreign:?}");
        let mut secrets: Vec<String> = foreign.iter().cloned().collect();
        secrets.push("Kent".into());
        let kent_key = |kind: &str| kent.keys[kind].clone();
        // Kent's key where it is Kent's own, Durham's where the record is shared.
        let kent_where_foreign =
            |kind: &str| if foreign.contains(&kent.keys[kind]) { kent.keys[kind].clone() } else { durham.keys[kind].clone() };
        let durham_key = |kind: &str| durham.keys[kind].clone();

        // What to ask: Kent's path with Kent's ids (with and without Kent's ids in the query),
        // and Durham's path with Kent's ids wherever the route names a record of Kent's.
        // (method, url, whether the document lists that method for the path): a GET of a path
        // that only takes POST or PUT may be 405, which names no record either.
        let mut probes: Vec<(String, String, bool)> = Vec::new();
        let mut home: Vec<String> = Vec::new();
        for op in &ops {
            let mut methods = vec!["GET".to_string()];
            if op.method != "GET" {
                methods.push(op.method.clone());
            }
            let mut urls = BTreeSet::new();
            urls.insert(fill(op, "kent", &kinds, false, &kent_key));
            urls.insert(fill(op, "kent", &kinds, true, &kent_key));
            let at_home = fill(op, "durham", &kinds, true, &durham_key);
            let plain = fill(op, "durham", &kinds, false, &durham_key);
            for with_query in [false, true] {
                let url = fill(op, "durham", &kinds, with_query, &kent_where_foreign);
                if url != at_home && url != plain {
                    urls.insert(url);
                }
            }
            for url in urls {
                for m in &methods {
                    probes.push((m.clone(), url.clone(), *m == op.method || ops.iter().any(|o| o.method == *m && o.path == op.path)));
                }
            }
            if op.method == "GET" {
                home.push(plain);
                home.push(at_home);
            }
        }
        home.sort();
        home.dedup();

        // The probe is not passing because everything is broken: at home, the same routes answer.
        let client = bare_client();
        // (The scorecard reads DfE's data, which this deployment has not imported: it answers 404
        // at home too, and is probed across trusts all the same.)
        for path in home.iter().filter(|p| !p.ends_with("/comparison/scorecard")) {
            let r = client.get(format!("{base}{path}")).bearer_auth(&durham_token).send().unwrap();
            let status = r.status().as_u16();
            assert_eq!(status, 200, "Durham's commissioner at home, {path}: {}", r.text().unwrap());
        }

        // Every Durham role, by its own bearer token and by its signed-in session, and no one.
        let mut callers: Vec<(String, Option<String>, Option<Browser>)> = vec![("anonymous".into(), None, None)];
        for (local, _) in platform_db::seed::DEMO_ROLES {
            let b = sign_in(&base, &d.mail, "durham", &format!("{local}@durham.example"));
            let token = api_token(&b, "durham", "probe");
            callers.push((format!("{local} bearer"), Some(token), None));
            callers.push((format!("{local} session"), None, Some(b)));
        }
        let mut requests = 0;
        for (who, token, session) in &callers {
            let expected = if token.is_none() && session.is_none() { 401 } else { 404 };
            let client = session.as_ref().map_or(&client, |b| &b.client);
            for (method, path, documented) in &probes {
                let mut req = client.request(method.parse().unwrap(), format!("{base}{path}"));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                if method != "GET" {
                    req = req.json(&serde_json::json!({}));
                }
                let r = req.send().unwrap();
                let status = r.status().as_u16();
                let body = r.text().unwrap();
                requests += 1;
                if method == "GET" || expected == 401 {
                    if *documented || status != 405 {
                        assert_eq!(status, expected, "{who} {method} {path}: {body}");
                    }
                } else {
                    // A write aimed at Kent is refused before it can find Kent's record: not
                    // found, or the role may not write, or the (empty) body or its missing
                    // version is refused. Never a success; and no answer names Kent.
                    assert!([404, 403, 400, 422, 428].contains(&status), "{who} {method} {path}: {status} {body}");
                }
                for secret in &secrets {
                    assert!(!body.contains(secret.as_str()), "{who} {method} {path} shows Kent's {secret}: {body}");
                }
            }
        }
        println!(
            "isolation probe {}: {} documented tenant operations, {} probe urls, {requests} requests as {} callers, {} home requests, {} Kent ids watched for; took {:.0?}",
            if db.url.starts_with("postgres") { "postgres" } else { "sqlite" },
            ops.len(),
            probes.len(),
            callers.len(),
            home.len(),
            foreign.len(),
            started.elapsed()
        );
    }
}
