//! The OpenAPI 3.1 document at `/v1/openapi.json`, made by utoipa from the
//! route table ([`super::api`]): each handler's `#[utoipa::path]` and the
//! schemas its types derive (`schema.rs` and the bodies beside their
//! handlers). What is added here holds for every operation alike, so it is
//! said once: who may call (the security requirement follows the role in
//! `x-diorama-caller`), the error answer, and the document's head.

use std::sync::OnceLock;

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use super::auth::role;
use super::schema;

/// What the route table does not carry: the document's head, the bearer
/// scheme and the schema of webhook deliveries.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "diorama",
        description = "Live demo profiles of simulated social platforms."
    ),
    components(schemas(schema::WebhookPayload, schema::Error))
)]
struct Head;

/// The document, made once.
pub fn document_value() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

/// Make the document from the route table.
pub fn build() -> Value {
    let (_, api) = super::api().split_for_parts();
    let mut doc = Head::openapi();
    doc.merge(api);
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc.info.license = None;
    doc.info.contact = None;
    let mut doc = serde_json::to_value(&doc).unwrap_or_else(|e| {
        // Made from types only: a failure here is a bug, seen in every test.
        panic!("the OpenAPI document does not serialise: {e}")
    });
    for (_, _, op) in operations_mut(&mut doc) {
        finish(op);
    }
    doc["components"]["securitySchemes"] =
        json!({ "bearer": { "type": "http", "scheme": "bearer" } });
    // `StartBody`: one of the two fields (see its schema).
    doc["components"]["schemas"]["ScenarioStart"]["oneOf"] =
        json!([{ "required": ["name"] }, { "required": ["script"] }]);
    doc["webhooks"] = webhooks();
    doc
}

/// What every operation has alike.
fn finish(op: &mut Map<String, Value>) {
    // Paths are named by their route; handler names are not an API.
    op.remove("operationId");
    let who = op
        .get("x-diorama-caller")
        .and_then(Value::as_str)
        .unwrap_or(role::ADMIN);
    debug_assert!(
        [role::NONE, role::ANY, role::ADMIN, role::PROFILE].contains(&who),
        "unknown role `{who}`"
    );
    let security = if who == role::NONE {
        json!([])
    } else {
        json!([{ "bearer": [] }])
    };
    op.insert("security".into(), security);
    op.entry("parameters").or_insert_with(|| json!([]));
    // utoipa says "the body may be left out" (`Option<T>`) as a body that
    // may be `null`; this server takes no body or `T`, so: not required.
    if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
        let mut optional = false;
        for media in body
            .get_mut("content")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|c| c.values_mut())
        {
            let schema = &mut media["schema"];
            let nullable = schema["oneOf"]
                .as_array()
                .and_then(|alts| match alts.as_slice() {
                    [null, t] if null == &json!({ "type": "null" }) => Some(t.clone()),
                    _ => None,
                });
            if let Some(t) = nullable {
                *schema = t;
                optional = true;
            }
        }
        if optional {
            body.insert("required".into(), json!(false));
        }
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        if let Some(h) = responses
            .get_mut("429")
            .and_then(|r| r.pointer_mut("/headers/Retry-After/schema"))
        {
            *h = json!({ "type": "integer", "minimum": 1 });
        }
        responses.insert(
            "default".into(),
            json!({ "description": "An error", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
}

/// Every operation of the document: (method, path, operation).
fn operations_mut(doc: &mut Value) -> Vec<(String, String, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(item) = item.as_object_mut() {
                for (method, op) in item.iter_mut() {
                    if let Some(op) = op.as_object_mut() {
                        out.push((method.clone(), path.clone(), op));
                    }
                }
            }
        }
    }
    out
}

/// Every (method, path) the document describes.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out
}

/// The requests this server sends to a subscribed webhook. Written here
/// because utoipa 5 has no `webhooks` section to derive it into; its body
/// is the derived `WebhookPayload`.
fn webhooks() -> Value {
    json!({
        "event": { "post": {
            "summary": "One event, delivered to a subscribed webhook; sequential per hook in seq order, at least once.",
            "parameters": [
                { "name": "diorama-signature", "in": "header", "required": true, "schema": { "type": "string" },
                  "description": "`t=<unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`" },
                { "name": "diorama-event-id", "in": "header", "required": true, "schema": { "type": "string" } },
                { "name": "diorama-hook-id", "in": "header", "required": true, "schema": { "type": "string" } },
                { "name": "diorama-delivery-attempt", "in": "header", "required": true, "schema": { "type": "integer" } }
            ],
            "requestBody": { "required": true, "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/WebhookPayload" } } } },
            "responses": {
                "2XX": { "description": "Delivered." },
                "410": { "description": "Disable the hook." },
                "default": { "description": "Failed: retried with a doubling backoff." }
            }
        } }
    })
}

#[utoipa::path(get, path = "/v1/openapi.json",
    summary = "This document.",
    responses((status = 200, description = "This document.", body = schema::OpenApiDocument)),
    extensions(("x-diorama-caller" = json!("none"))))]
pub async fn document() -> Response {
    Json(document_value()).into_response()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Every route the server has: (method, path). The document (and so the
    /// router made from the same table) must describe exactly these.
    pub(in crate::http) const ROUTES: &[(&str, &str)] = &[
        ("get", "/healthz"),
        ("get", "/metrics"),
        ("get", "/v1/openapi.json"),
        ("get", "/v1/platforms"),
        ("get", "/v1/scenarios"),
        ("post", "/v1/profiles"),
        ("get", "/v1/profiles"),
        ("get", "/v1/profiles/{id}"),
        ("patch", "/v1/profiles/{id}"),
        ("delete", "/v1/profiles/{id}"),
        ("post", "/v1/profiles/{id}/start"),
        ("post", "/v1/profiles/{id}/pause"),
        ("post", "/v1/profiles/{id}/resume"),
        ("post", "/v1/profiles/{id}/stop"),
        ("post", "/v1/profiles/{id}/signals"),
        ("post", "/v1/profiles/{id}/scenarios"),
        ("get", "/v1/profiles/{id}/scenarios/{run}"),
        ("get", "/v1/profiles/{id}/contents"),
        ("get", "/v1/profiles/{id}/contents/{content}"),
        ("get", "/v1/profiles/{id}/interactions"),
        ("get", "/v1/profiles/{id}/events"),
        ("get", "/v1/profiles/{id}/stats"),
        ("post", "/v1/profiles/{id}/actions"),
        ("get", "/v1/profiles/{id}/stream"),
        ("post", "/v1/profiles/{id}/webhooks"),
        ("get", "/v1/profiles/{id}/webhooks"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}"),
        ("delete", "/v1/profiles/{id}/webhooks/{hook}"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries"),
        ("get", "/v1/profiles/{id}/scheduled"),
        ("post", "/v1/profiles/{id}/scheduled"),
        ("patch", "/v1/profiles/{id}/scheduled/{sid}"),
        ("delete", "/v1/profiles/{id}/scheduled/{sid}"),
        ("get", "/v1/presets"),
    ];

    #[test]
    fn the_route_table_is_the_listed_routes() {
        let mut listed: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        let mut table: Vec<(String, String)> = crate::http::routes()
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        listed.sort();
        table.sort();
        assert_eq!(table, listed);
    }

    /// Every operation says who may call it, and its security requirement
    /// follows: none for `none`, the bearer token for the others.
    #[test]
    fn every_operation_has_a_role_and_its_security() {
        let doc = build();
        for (method, path) in ROUTES {
            let op = &doc["paths"][*path][*method];
            let who = op["x-diorama-caller"].as_str().unwrap_or_default();
            assert!(
                [role::NONE, role::ANY, role::ADMIN, role::PROFILE].contains(&who),
                "{method} {path}: role `{who}`"
            );
            let expected = if who == role::NONE {
                json!([])
            } else {
                json!([{ "bearer": [] }])
            };
            assert_eq!(op["security"], expected, "{method} {path}");
        }
    }

    /// The documented bodies of other layers' types name exactly the
    /// fields those types accept: each refuses unknown fields, and its
    /// refusal lists the ones it knows.
    #[test]
    fn documented_body_fields_are_the_real_types_fields() {
        /// The fields `T` accepts, from its refusal of an unknown one.
        fn accepted<T: serde::de::DeserializeOwned>() -> Vec<String> {
            let e = serde_json::from_value::<T>(json!({ "no_such_field": null }))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("unknown field"), "takes unknown fields: {e}");
            let listed = e.split("expected").nth(1).unwrap_or_default();
            let mut fields: Vec<String> = listed
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            fields.sort();
            fields
        }
        let doc = build();
        let schemas = &doc["components"]["schemas"];
        let documented = |name: &str| -> Vec<String> {
            let mut fields: Vec<String> = schemas[name]["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{name} has properties"))
                .keys()
                .cloned()
                .collect();
            fields.sort();
            fields
        };
        let real: [(&str, Vec<String>); 6] = [
            ("ProfileCreate", accepted::<crate::live::CreateProfile>()),
            ("ProfileUpdate", accepted::<crate::live::UpdateProfile>()),
            ("Limits", accepted::<crate::live::DailyLimits>()),
            ("WebhookSpec", accepted::<crate::webhook::HookSpec>()),
            ("EventFilter", accepted::<crate::webhook::EventFilter>()),
            (
                "WebhookFormatSpec",
                accepted::<crate::webhook::FormatSpec>(),
            ),
        ];
        // Read so they can be refused by name (409), documented as fixed.
        let fixed = ["niche", "platforms", "seed", "timezone"];
        for (name, mut fields) in real {
            if name == "ProfileUpdate" {
                fields.retain(|f| !fixed.contains(&f.as_str()));
                let text = schemas[name]["description"].as_str().unwrap_or_default();
                for f in fixed {
                    assert!(text.contains(&format!("`{f}`")), "{name} names `{f}`");
                }
            }
            assert!(!fields.is_empty(), "{name}");
            assert_eq!(documented(name), fields, "{name}");
        }
    }

    /// Every `$ref` string anywhere under `v`.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(s)) => out.push(s),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_is_json_in_openapi_3_1() {
        let text = serde_json::to_string(&build()).expect("serialise");
        let doc: Value = serde_json::from_str(&text).expect("the document parses back");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
        assert!(doc["paths"].is_object());
    }

    #[test]
    fn every_route_is_described_with_its_method_and_nothing_else() {
        let doc = build();
        let paths = doc["paths"].as_object().expect("paths");
        for (method, path) in ROUTES {
            let op = &paths
                .get(*path)
                .unwrap_or_else(|| panic!("{path} is missing from the document"))[*method];
            assert!(op.is_object(), "{method} {path} is missing");
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(!summary.is_empty(), "{method} {path} has no summary");
            assert!(op["responses"]["default"].is_object(), "{method} {path}");
        }
        let described: usize = paths
            .values()
            .map(|p| p.as_object().map_or(0, |m| m.len()))
            .sum();
        assert_eq!(
            described,
            ROUTES.len(),
            "the document describes operations not in ROUTES"
        );
    }

    #[test]
    fn every_path_parameter_is_declared() {
        let doc = build();
        for (method, path) in ROUTES {
            let op = &doc["paths"][*path][*method];
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(
                        p["required"], true,
                        "{method} {path}: path parameters are required"
                    );
                    p["name"].as_str().expect("name")
                })
                .collect();
            let in_path: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            assert_eq!(declared, in_path, "{method} {path}");
        }
    }

    #[test]
    fn every_ref_resolves_to_a_schema() {
        let doc = build();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 30, "only {} references", found.len());
        for r in found {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("`{r}` does not point into components.schemas"));
            assert!(schemas.contains_key(name), "`{r}` does not resolve");
        }
    }

    #[test]
    fn the_main_operations_have_bodies_and_answers() {
        let doc = build();
        let op = |m: &str, p: &str| doc["paths"][p][m].clone();
        let body = |m: &str, p: &str| {
            op(m, p)["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone()
        };
        let ok = |m: &str, p: &str, s: &str| {
            op(m, p)["responses"][s]["content"]["application/json"]["schema"]["$ref"].clone()
        };
        assert_eq!(
            body("post", "/v1/profiles"),
            "#/components/schemas/ProfileCreate"
        );
        assert_eq!(
            ok("post", "/v1/profiles", "201"),
            "#/components/schemas/ProfileCreated"
        );
        assert_eq!(
            ok("get", "/v1/profiles/{id}", "200"),
            "#/components/schemas/ProfileView"
        );
        assert_eq!(
            ok("get", "/v1/profiles/{id}/interactions", "200"),
            "#/components/schemas/EventPage"
        );
        assert_eq!(
            ok("get", "/v1/profiles/{id}/events", "200"),
            "#/components/schemas/EventPage"
        );
        assert_eq!(
            body("post", "/v1/profiles/{id}/webhooks"),
            "#/components/schemas/WebhookSpec"
        );
        assert_eq!(
            ok("post", "/v1/profiles/{id}/webhooks", "201"),
            "#/components/schemas/WebhookView"
        );
        assert_eq!(
            body("post", "/v1/profiles/{id}/actions"),
            "#/components/schemas/ActionBody"
        );
        assert!(
            op("post", "/v1/profiles/{id}/actions")["responses"]["429"]["headers"]["Retry-After"]
                .is_object()
        );
        assert_eq!(
            body("post", "/v1/profiles/{id}/signals"),
            "#/components/schemas/SignalBody"
        );
        assert_eq!(
            body("post", "/v1/profiles/{id}/scenarios"),
            "#/components/schemas/ScenarioStart"
        );
        assert_eq!(
            ok("post", "/v1/profiles/{id}/scenarios", "202"),
            "#/components/schemas/ScenarioRun"
        );
        assert_eq!(
            op("post", "/v1/profiles/{id}/start")["requestBody"]["required"],
            false
        );
        let page = &doc["components"]["schemas"]["EventPage"]["required"];
        assert_eq!(page, &json!(["items", "next", "has_more"]));
        // Query parameters of the reading routes.
        let names = |p: &str| -> Vec<String> {
            op("get", p)["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .filter(|q| q["in"] == "query")
                .map(|q| q["name"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(
            names("/v1/profiles/{id}/interactions"),
            [
                "platform",
                "kind",
                "sentiment",
                "dm_type",
                "content",
                "author",
                "from",
                "to",
                "order",
                "after",
                "before",
                "limit"
            ]
        );
        assert_eq!(names("/v1/profiles/{id}/events"), ["after", "limit"]);
        assert_eq!(
            names("/v1/profiles/{id}/stream"),
            ["after", "types", "kinds", "platforms"]
        );
        assert_eq!(
            names("/v1/profiles/{id}/contents"),
            ["platform", "kind", "limit"]
        );
    }

    /// The status enums documented by mirrors in `http/schema` name exactly
    /// the values the real types take: every documented value reads into
    /// the real type, and every variant of it (the matches below are
    /// exhaustive, so a new one does not compile until listed) is documented.
    #[test]
    fn documented_statuses_are_the_real_types_values() {
        use crate::live::scenario::RunState;
        use crate::live::ProfileStatus;
        fn listed(v: ProfileStatus) -> ProfileStatus {
            match v {
                ProfileStatus::Created
                | ProfileStatus::Running
                | ProfileStatus::Paused
                | ProfileStatus::Limited
                | ProfileStatus::Stopped
                | ProfileStatus::Degraded => v,
            }
        }
        fn listed_run(v: RunState) -> RunState {
            match v {
                RunState::Running
                | RunState::Passed
                | RunState::Failed
                | RunState::Error
                | RunState::Interrupted => v,
            }
        }
        let doc = build();
        // Inlined where they are used: the `status` of a view and of a run.
        let documented = |name: &str| -> Vec<Value> {
            doc["components"]["schemas"][name]["properties"]["status"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}'s status is an enum"))
                .clone()
        };
        let statuses = documented("ProfileView");
        let real: Vec<Value> = [
            ProfileStatus::Created,
            ProfileStatus::Running,
            ProfileStatus::Paused,
            ProfileStatus::Limited,
            ProfileStatus::Stopped,
            ProfileStatus::Degraded,
        ]
        .map(|v| serde_json::to_value(listed(v)).unwrap())
        .to_vec();
        assert_eq!(statuses, real, "ProfileStatus as documented and as served");
        let runs = documented("ScenarioRun");
        let real: Vec<Value> = [
            RunState::Running,
            RunState::Passed,
            RunState::Failed,
            RunState::Error,
            RunState::Interrupted,
        ]
        .map(|v| serde_json::to_value(listed_run(v)).unwrap())
        .to_vec();
        assert_eq!(
            runs, real,
            "a scenario run's status as documented and as stored"
        );
    }
}
