//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' own annotations and
//! served at `/api/v1/openapi.json`. The error answers every route shares (the one error shape)
//! are added here once, so no route can forget them; a test keeps the document and the routing
//! table in step.

use actix_web::HttpResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, ResponseBuilder, SecurityRequirement};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Children's services commissioning platform",
        description = "The JSON API of the platform. Tenant routes take a bearer API token (or the session cookie of a signed-in member). Every error has one shape: `{\"error\", \"message\", \"field\"?}`."
    ),
    paths(
        crate::areas::health::healthz,
        crate::areas::health::readyz,
        crate::areas::home::api::tenant_directory,
        crate::areas::frameworks::api::framework_json,
        crate::areas::signup::api::signup_api,
        crate::areas::data_core::api::list_providers,
        crate::areas::data_core::api::list_services,
        crate::areas::contracts::api::list_contracts,
        crate::areas::contracts::api::create_contract,
        crate::areas::contracts::api::edit_contract,
        crate::areas::contracts::api::record_event,
        crate::areas::contracts::api::contract_record,
        crate::areas::contracts::api::set_terms,
        crate::areas::comparison::measure_api,
        crate::areas::comparison::scorecard_api,
        crate::areas::comparison::groups::list_api,
        crate::areas::comparison::groups::create_api,
        crate::areas::comparison::groups::get_api,
        crate::areas::comparison::groups::edit_api,
        crate::areas::comparison::groups::delete_api,
        crate::areas::comparison::sharing::states_api,
        crate::areas::comparison::sharing::state_api,
        crate::areas::comparison::sharing::set_api,
        crate::areas::comparison::sharing::figures_api,
        crate::areas::monitoring::api::contract_kpis,
        crate::areas::monitoring::api::submit_return,
        crate::areas::reviews::api::due_reviews,
        crate::areas::self_evaluations::api::record_self_evaluation,
        crate::areas::self_evaluations::api::side_by_side,
        crate::areas::service_map::service_map,
        crate::areas::needs::evidence::need_evidence,
        crate::areas::reviews::api::complete_review,
        crate::areas::projects::api::list_projects,
        crate::areas::projects::api::create_project,
        crate::areas::projects::api::get_project,
        crate::areas::projects::api::edit_project,
        crate::areas::projects::api::move_project,
        crate::areas::projects::api::project_board,
        crate::areas::decisions::list_decisions,
        crate::areas::decisions::record_decision,
        crate::areas::data_core::api::list_reviews,
        crate::areas::data_core::api::list_needs,
        crate::areas::data_core::api::list_priorities,
        crate::areas::data_core::api::list_indicators,
        crate::areas::data_core::api::get_provider,
        crate::areas::data_core::api::get_service,
        crate::areas::data_core::api::get_contract,
        crate::areas::data_core::api::get_review,
        crate::areas::data_core::api::get_need,
        crate::areas::data_core::api::get_priority,
        crate::areas::data_core::api::get_indicator,
        crate::areas::needs::api::create_need,
        crate::areas::needs::api::edit_need,
        crate::areas::needs::api::archive_need,
        crate::areas::priorities::api::create_priority,
        crate::areas::priorities::api::edit_priority,
        crate::areas::priorities::api::archive_priority,
        crate::areas::providers::api::create_provider,
        crate::areas::providers::api::edit_provider,
        crate::areas::providers::api::archive_provider,
        crate::areas::services::api::create_service,
        crate::areas::services::api::edit_service,
        crate::areas::services::api::archive_service,
        document,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&SharedAnswers)
)]
pub struct ApiDoc;

/// The document itself.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this OpenAPI document", content_type = "application/json", body = Object)))]
pub(crate) async fn document(state: actix_web::web::Data<crate::app::AppState>) -> HttpResponse {
    // The frameworks a council may choose are this deployment's approved plugins; if the
    // registry cannot be read, the document says only that the value is a plugin id.
    let frameworks: Vec<String> = crate::areas::signup::service::framework_choices(&state)
        .await
        .map(|all| all.iter().filter_map(|f| f["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    HttpResponse::Ok().json(document_json(&frameworks))
}

/// A trust's slug, as the platform makes them.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";
/// A record's id (a UUID) or code (an indicator's).
pub const ID_PATTERN: &str = "^[A-Za-z0-9_-]+$";
/// A name or title as the document describes it: a letter or digit first, then letters,
/// digits, spaces and the punctuation names carry. The server accepts more (any single line
/// without control characters or web addresses); what is described here is always accepted.
const NAME_PATTERN: &str = r"^[A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF][A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF '\u2019,.()&-]*$";
/// An email address of the plain shape every mail system delivers to.
const EMAIL_PATTERN: &str =
    "^[a-z0-9_+-]{1,20}(\\.[a-z0-9_+-]{1,20}){0,2}@([a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\\.){1,3}[a-z]{2,10}$";

/// The document as served: the generated one with what the handlers check written into it,
/// so a client (or a fuzzer) that keeps to the document is never refused for its shape. Path
/// and record parameters get their patterns; the sign-up body its rules and its choices.
pub fn document_json(frameworks: &[String]) -> serde_json::Value {
    use serde_json::{Value, json};
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for op in item.values_mut() {
                let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
                for p in params {
                    let (name, place) = (p["name"].as_str().unwrap_or(""), p["in"].as_str().unwrap_or(""));
                    let schema = match (place, name) {
                        ("path", "slug") => json!({"type": "string", "pattern": SLUG_PATTERN, "maxLength": 63}),
                        ("path", "id") => json!({"type": "string", "pattern": ID_PATTERN, "maxLength": 100}),
                        ("query", n) if n.ends_with("_id") => {
                            json!({"type": "string", "pattern": ID_PATTERN, "maxLength": 100})
                        }
                        ("query", "kind") => {
                            json!({"type": "string", "enum": enum_of(platform_db::models::ContractKind::ALL)})
                        }
                        ("query", "status") => {
                            json!({"type": "string", "enum": enum_of(platform_db::models::ContractStatus::ALL)})
                        }
                        ("query", "within_days") => json!({"type": "integer", "minimum": 0, "maximum": 3650}),
                        ("query", "measure") => {
                            json!({"type": "string", "maxLength": 100, "pattern": "^[A-Za-z0-9_<>. -]+$"})
                        }
                        ("query", "group") => json!({"type": "string", "pattern": ID_PATTERN, "maxLength": 100}),
                        ("query", "band") => json!({"type": "string", "enum": crate::areas::comparison::BANDS}),
                        ("query", "direction") => {
                            json!({"type": "string", "enum": crate::areas::comparison::DIRECTIONS})
                        }
                        ("query", "sort") => json!({"type": "string", "enum": crate::areas::comparison::SORT_KEYS}),
                        ("query", "standards_set" | "body" | "topic") => {
                            json!({"type": "string", "maxLength": 100, "pattern": PRINTABLE_PATTERN})
                        }
                        ("query", "ending_within_days") => json!({"type": "integer", "minimum": 0, "maximum": 3650}),
                        ("query", "min_value_pence" | "max_value_pence") => {
                            json!({"type": "integer", "minimum": 0, "maximum": MAX_PENCE})
                        }
                        ("query", "limit") => json!({"type": "integer", "minimum": 1, "maximum": 200}),
                        ("query", "offset") => json!({"type": "integer", "minimum": 0, "maximum": 2147483647}),
                        ("header", "If-Match") => {
                            p["required"] = json!(true);
                            json!({"type": "string", "pattern": ETAG_PATTERN})
                        }
                        _ => continue,
                    };
                    p["schema"] = schema;
                }
            }
        }
    }
    cycle_bodies(&mut doc["components"]["schemas"]);
    // A change's values are the field's own: text, a number, null for nothing, an object.
    let change = &mut doc["components"]["schemas"]["FieldChange"]["properties"];
    if change.is_object() {
        change["before"] = json!({"description": "the field's value before (null: none), as the record shows it"});
        change["after"] = json!({"description": "the field's value after (null: none), as the record shows it"});
    }
    let signup = &mut doc["components"]["schemas"]["NewSignup"]["properties"];
    if signup.is_object() {
        let name = json!({"type": "string", "minLength": 1, "maxLength": 200, "pattern": NAME_PATTERN});
        signup["council_name"] = name.clone();
        signup["admin_name"] = name;
        signup["ons_code"] = json!({"type": "string", "pattern": "^E(06|07|08|09|10)[0-9]{6}$",
            "description": "the council's ONS code: E06, E07, E08, E09 or E10 and six digits"});
        signup["region"] = json!({"type": "string", "enum": platform_db::models::ENGLISH_REGIONS});
        signup["admin_email"] = json!({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN});
        signup["framework"] = if frameworks.is_empty() {
            json!({"type": "string", "pattern": SLUG_PATTERN, "description": "the id of an approved framework plugin"})
        } else {
            json!({"type": "string", "enum": frameworks, "description": "the id of an approved framework plugin"})
        };
    }
    doc
}

use crate::app::input::MAX_PENCE;
/// Text without control characters (C0, DEL or C1), which the edge refuses anywhere.
const PRINTABLE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// A record's ETag as If-Match sends it back.
const ETAG_PATTERN: &str = "^\"[1-9][0-9]{0,8}\"$";
/// A contract's reference: a letter or digit, then letters, digits and / - _ .
const REFERENCE_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$";
/// One line of text, as the input rules take a name or a title: no control or hidden
/// characters, not blank. Written as wide as the server takes it, so that what the document
/// forbids the server refuses too (a web address in a name is refused for its content, 422).
const LINE_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]*[^\s\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF][^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]*$";
/// One line that may be left blank (blank is none).
const OPTIONAL_LINE_PATTERN: &str =
    r"^[^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]*$";
/// Text that may run over lines and may be left empty: line breaks and tabs, no other control
/// or hidden characters.
const NOTES_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]*$";

fn enum_of<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

/// The cycle's request bodies with what their handlers check of their shape. What the trust's
/// framework or the trust's records decide (a field it asks for, a service of the trust, an end
/// after the start) cannot be written here: it is refused with 422, naming the field.
fn cycle_bodies(schemas: &mut serde_json::Value) {
    use serde_json::json;
    let name = |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": NAME_PATTERN});
    let text = |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "^[^\\u0000-\\u001F\\u007F]*\\S[^\\u0000-\\u001F\\u007F]*$"});
    let date = json!({"type": "string", "format": "date"});
    let pence = json!({"type": "integer", "minimum": 0, "maximum": MAX_PENCE});
    let fields = json!({"type": "object", "additionalProperties": {"type": "string", "maxLength": 4000},
        "description": "the trust's framework's fields for this kind of record, by key (see the framework's attribute definitions)"});
    let set = |schemas: &mut serde_json::Value, schema: &str, props: Vec<(&str, serde_json::Value)>| {
        let target = &mut schemas[schema]["properties"];
        if target.is_object() {
            for (k, v) in props {
                target[k] = v;
            }
        }
    };
    set(
        schemas,
        "ContractInput",
        vec![
            ("reference", json!({"type": "string", "pattern": REFERENCE_PATTERN})),
            ("title", name(300)),
            ("service_id", json!({"type": "string", "pattern": ID_PATTERN, "maxLength": 100})),
            ("kind", json!({"type": "string", "enum": enum_of(platform_db::models::ContractKind::ALL)})),
            ("status", json!({"type": ["string", "null"], "enum": ["draft", "active", null]})),
            ("start_date", date.clone()),
            ("end_date", date.clone()),
            ("value_pence", pence.clone()),
            ("attributes", fields.clone()),
        ],
    );
    set(
        schemas,
        "KpiInput",
        vec![
            ("code", json!({"type": "string", "pattern": REFERENCE_PATTERN})),
            ("title", name(300)),
            ("unit", json!({"type": "string", "enum": enum_of(platform_db::models::KpiUnit::ALL)})),
            ("target", json!({"type": "number", "minimum": -1e12, "maximum": 1e12})),
            ("polarity", json!({"type": "string", "enum": enum_of(platform_db::models::Polarity::ALL)})),
            ("frequency", json!({"type": "string", "enum": enum_of(platform_db::models::Frequency::ALL)})),
        ],
    );
    set(
        schemas,
        "ContributionInput",
        vec![
            ("partner", name(200)),
            ("partner_kind", json!({"type": "string", "enum": enum_of(platform_db::models::PartnerKind::ALL)})),
            ("amount_pence", pence.clone()),
        ],
    );
    set(
        schemas,
        "ContractEdit",
        vec![
            ("reference", json!({"type": "string", "pattern": REFERENCE_PATTERN})),
            ("title", name(300)),
            ("kind", json!({"type": "string", "enum": enum_of(platform_db::models::ContractKind::ALL)})),
            ("start_date", json!({"type": ["string", "null"], "format": "date"})),
            ("attributes", fields.clone()),
        ],
    );
    set(
        schemas,
        "EventInput",
        vec![
            ("kind", json!({"type": "string", "enum": ["variation", "extension", "termination"]})),
            ("effective_on", date),
            ("reason", text(4000)),
            ("value_pence", json!({"type": ["integer", "null"], "minimum": 0, "maximum": MAX_PENCE})),
            ("end_date", json!({"type": ["string", "null"], "format": "date"})),
        ],
    );
    set(
        schemas,
        "Terms",
        vec![
            ("notice_months", json!({"type": "integer", "minimum": 0, "maximum": 36})),
            ("procurement_act", json!({"type": "boolean"})),
            ("procurement_regime", json!({"type": "string", "enum": ["standard", "light_touch"]})),
            ("signed_on", json!({"type": ["string", "null"], "format": "date"})),
        ],
    );
    set(
        schemas,
        "GroupInput",
        vec![
            ("name", name(120)),
            (
                "members",
                json!({"type": "array", "minItems": 1, "maxItems": 160,
                "items": {"type": "string", "pattern": "^[0-9]{3}$"}}),
            ),
        ],
    );
    set(schemas, "ShareInput", vec![("shared", json!({"type": "boolean"}))]);
    record_bodies(schemas, &fields);
}

/// The bodies of needs, priorities, providers and services, as their handlers read them. What
/// the trust's framework decides (its areas, its fields and their choices) is refused with 422.
fn record_bodies(schemas: &mut serde_json::Value, fields: &serde_json::Value) {
    use serde_json::json;
    let line = |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": LINE_PATTERN});
    let optional_line =
        |max: u32| json!({"type": ["string", "null"], "maxLength": max, "pattern": OPTIONAL_LINE_PATTERN});
    let notes = |max: u32| json!({"type": ["string", "null"], "maxLength": max, "pattern": NOTES_PATTERN});
    let outcomes: Vec<&str> = platform_db::repo::indicators::OUTCOMES.iter().map(|(c, _)| *c).collect();
    let outcome = json!({"type": "string", "enum": outcomes});
    let id = json!({"type": "string", "pattern": ID_PATTERN, "maxLength": 100});
    let age = json!({"type": "integer", "minimum": 0, "maximum": 25});
    let optional_age = json!({"type": ["integer", "null"], "minimum": 0, "maximum": 25});
    let optional_date = json!({"type": ["string", "null"], "format": "date"});
    let bodies: [(&str, Vec<(&str, serde_json::Value)>); 4] = [
        (
            "NeedInput",
            vec![
                ("outcome", outcome.clone()),
                ("title", line(300)),
                ("description", notes(4000)),
                ("group", optional_line(200)),
                ("age_from", optional_age.clone()),
                ("age_to", optional_age),
                ("area", optional_line(120)),
                ("evidence", notes(4000)),
                ("source", optional_line(300)),
                ("identified_on", optional_date.clone()),
            ],
        ),
        (
            "PriorityInput",
            vec![
                (
                    "rank",
                    json!({"type": "integer", "minimum": 1, "maximum": crate::areas::priorities::service::MAX_RANK}),
                ),
                ("outcome", outcome.clone()),
                ("need_id", json!({"type": ["string", "null"], "pattern": ID_PATTERN, "maxLength": 100})),
                ("title", line(300)),
                ("rationale", notes(4000)),
            ],
        ),
        (
            "ProviderInput",
            vec![
                ("name", line(200)),
                ("sector", json!({"type": "string", "enum": enum_of(platform_db::models::Sector::ALL)})),
                ("registration_number", optional_line(40)),
                ("safeguarding_evidence", notes(4000)),
                ("safeguarding_checked_on", optional_date),
            ],
        ),
        (
            "ServiceInput",
            vec![
                ("provider_id", id),
                ("name", line(200)),
                ("description", notes(4000)),
                ("tier", json!({"type": "string", "enum": enum_of(platform_db::models::Tier::ALL)})),
                ("area", optional_line(120)),
                ("age_from", age.clone()),
                ("age_to", age),
                ("outcomes", json!({"type": "array", "minItems": 1, "items": outcome})),
                ("annual_budget_pence", json!({"type": "integer", "minimum": 0, "maximum": MAX_PENCE})),
            ],
        ),
    ];
    for (schema, props) in bodies {
        let target = &mut schemas[schema]["properties"];
        if !target.is_object() {
            continue;
        }
        for (k, v) in props {
            target[k] = v;
        }
        if schema != "NeedInput" {
            target["attributes"] = fields.clone();
        }
    }
}

/// The methods the document lists for a concrete request path, if it names a documented path
/// at all: a path parameter stands for any one segment.
pub fn documented_methods(path: &str) -> Option<Vec<&'static str>> {
    static PATHS: std::sync::OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> = std::sync::OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .iter()
            .map(|(p, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                (
                    p.split('/').map(str::to_string).collect(),
                    methods.into_iter().filter(|(_, on)| *on).map(|(m, _)| m).collect(),
                )
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    paths
        .iter()
        .find(|(pattern, _)| {
            pattern.len() == segments.len()
                && pattern.iter().zip(&segments).all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
        })
        .map(|(_, methods)| methods.clone())
}

/// Adds the answers every route can give, and the credentials tenant routes take.
struct SharedAnswers;

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

impl Modify for SharedAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("cpt_…").build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::sessions::COOKIE))),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let tenant = path.starts_with("/api/v1/tenants/{slug}");
            let database = path.starts_with("/api/") && path != "/api/v1/openapi.json";
            for op in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
            {
                let mut add = |code: &str, description: &str| {
                    op.responses.responses.entry(code.to_string()).or_insert_with(|| error(description));
                };
                add(
                    "400",
                    "bad input (a control character anywhere in the path or query, a bad parameter): the field is named",
                );
                if tenant {
                    add("401", "no credentials, or a token that is unknown or revoked");
                    add("403", "the member's role does not allow this");
                    add("404", "no such trust for this caller (not a member), or no such record");
                    add("429", "over a rate limit; see Retry-After");
                }
                if database {
                    add("503", "the database or a dependency is unavailable");
                }
                if path == "/api/v1/signups" {
                    add(
                        "409",
                        "the council's name or ONS code is already on the platform or signed up: the field is named",
                    );
                }
                if path.ends_with("/framework") {
                    add("502", "the trust's framework plugin failed (trap, memory limit, bad output, incompatible)");
                    add("504", "the trust's framework plugin ran out of time");
                }
                if tenant {
                    op.security = Some(vec![
                        SecurityRequirement::new("bearer", Vec::<String>::new()),
                        SecurityRequirement::new("session", Vec::<String>::new()),
                    ]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The routes as registered (by `crate::routes` and every area). Every JSON route (under
    /// `/api/`, and the health checks) registered there must be in the document, and everything
    /// the document lists must be registered.
    fn registered() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (_, source) in crate::routes::route_sources() {
            for part in source.split(".route(\"").skip(1) {
                let Some((path, rest)) = part.split_once('"') else { continue };
                let method = rest.trim_start_matches([',', ' ', '\n']);
                let Some(method) = method.strip_prefix("web::").and_then(|m| m.split_once('(')).map(|(m, _)| m) else {
                    continue;
                };
                if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
                    out.push((method.to_string(), path.to_string()));
                }
            }
        }
        out.sort();
        out
    }

    fn documented() -> Vec<(String, String)> {
        let doc = ApiDoc::openapi();
        let mut out = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [("get", &item.get), ("post", &item.post), ("put", &item.put), ("delete", &item.delete)]
            {
                if op.is_some() {
                    out.push((method.to_string(), path.clone()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn every_json_route_is_in_the_document_and_every_documented_route_is_registered() {
        let registered = registered();
        assert!(registered.len() >= 20, "the route scan found too little: {registered:?}");
        let documented = documented();
        let missing: Vec<_> = registered.iter().filter(|r| !documented.contains(r)).collect();
        assert!(missing.is_empty(), "registered but not in the OpenAPI document: {missing:?}");
        let unregistered: Vec<_> = documented.iter().filter(|d| !registered.contains(d)).collect();
        assert!(unregistered.is_empty(), "documented but not registered: {unregistered:?}");
    }

    #[test]
    fn the_scan_would_catch_an_undocumented_route() {
        // The scan reads `.route("PATH", web::METHOD()` as the routing code writes it.
        let source = "cfg.route(\"/api/v1/tenants/{slug}/secret\", web::get().to(h))";
        let part = source.split(".route(\"").nth(1).unwrap();
        let (path, rest) = part.split_once('"').unwrap();
        assert_eq!(path, "/api/v1/tenants/{slug}/secret");
        assert!(rest.trim_start_matches([',', ' ']).starts_with("web::get("));
        assert!(!documented().iter().any(|(_, p)| p == path));
    }

    #[test]
    fn the_document_is_openapi_3_1_with_the_shared_error_answers() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let contracts = &doc["paths"]["/api/v1/tenants/{slug}/contracts"]["get"];
        for code in ["200", "400", "401", "403", "404", "429"] {
            assert!(contracts["responses"][code].is_object(), "{code} missing: {contracts}");
        }
        assert_eq!(
            contracts["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    /// The framework answer is a plugin's description serialised; its documented shape must name
    /// exactly the fields that serialisation gives, down to the rules table and the fields.
    #[test]
    fn the_documented_framework_is_the_plugin_description_as_serialised() {
        use platform_plugins::types::*;
        let description = Description {
            id: "x".into(),
            name: "X".into(),
            version: "1.0.0".into(),
            source: "A plan".into(),
            stages: vec![],
            levels: vec![],
            levels_of_need: vec![],
            age_bands: vec![],
            areas: vec![],
            bodies: vec![],
            standards_sets: vec![],
            calendar: vec![],
            notes: vec![],
            attribute_definitions: vec![AttributeDefinition {
                entity_kind: "provider".into(),
                key: "sector".into(),
                label: "Sector".into(),
                hint: None,
                kind: AttributeKind::YesNo,
                choices: vec![Choice { value: "a".into(), label: "A".into() }],
                required: true,
                source: None,
            }],
            rules: vec![Rule { id: "r".into(), rule: "A rule".into(), source: "Section 1".into(), inferred: true }],
        };
        let json = serde_json::to_value(&description).unwrap();
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        for (schema, value) in [
            ("FrameworkDescription", &json),
            ("AttributeDefinition", &json["attribute_definitions"][0]),
            ("AttributeChoice", &json["attribute_definitions"][0]["choices"][0]),
            ("FrameworkRule", &json["rules"][0]),
        ] {
            assert_eq!(keys(&schemas[schema]["properties"]), keys(value), "{schema}");
        }
        let kinds = schemas["AttributeKind"]["enum"].as_array().unwrap();
        assert!(kinds.contains(&json["attribute_definitions"][0]["kind"]), "{kinds:?}");
        assert_eq!(kinds.len(), 8);
        assert!(schemas["PluginRef"]["properties"]["wit_version"].is_object());
    }
}
