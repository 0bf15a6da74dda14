//! The OpenAPI 3.1 document at `/v1/openapi.json`, built from the route
//! table so that every route is described (a test checks both ways).

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::ROUTES;

/// (method, path) → (summary, who may call it).
fn describe(method: &str, path: &str) -> (&'static str, &'static str) {
    match (method, path) {
        ("get", "/healthz") => ("Liveness: the server answers.", "none"),
        ("get", "/metrics") => ("Prometheus text metrics.", "none"),
        ("get", "/v1/openapi.json") => ("This document.", "none"),
        ("get", "/v1/platforms") => ("The loaded platform plugins: kinds, signals, actions, limits, parameters.", "any"),
        ("get", "/v1/scenarios") => ("The ready scenarios that can run on a live profile.", "any"),
        ("post", "/v1/profiles") => ("Create a demo profile (automatic from a niche and a size, or per platform). The answer carries the profile's token, shown only once.", "admin"),
        ("get", "/v1/profiles") => ("List profiles.", "admin"),
        ("get", "/v1/profiles/{id}") => ("Read a profile: status, speed, virtual time, limits.", "profile"),
        ("patch", "/v1/profiles/{id}") => ("Update a profile's name, limits and lifetime.", "admin"),
        ("delete", "/v1/profiles/{id}") => ("Delete a profile and every key it owns.", "admin"),
        ("post", "/v1/profiles/{id}/start") => ("Start the live simulation at `speed` (1 = real time).", "admin"),
        ("post", "/v1/profiles/{id}/pause") => ("Pause the live simulation.", "admin"),
        ("post", "/v1/profiles/{id}/resume") => ("Resume, at the last speed or a new `speed`.", "admin"),
        ("post", "/v1/profiles/{id}/stop") => ("Stop the live simulation.", "admin"),
        ("post", "/v1/profiles/{id}/signals") => ("Send a signal (viral, troll_wave, shadowban, ...) to one platform, now.", "admin"),
        ("post", "/v1/profiles/{id}/scenarios") => ("Run a ready scenario by `name` or a posted `script` on the live profile.", "admin"),
        ("get", "/v1/profiles/{id}/scenarios/{run}") => ("A scenario run's status, expectations and values.", "profile"),
        ("get", "/v1/profiles/{id}/contents") => ("Content, newest first.", "profile"),
        ("get", "/v1/profiles/{id}/contents/{content}") => ("One piece of content with its latest metrics.", "profile"),
        ("get", "/v1/profiles/{id}/interactions") => ("Interactions, filtered, oldest first, with a stable cursor.", "profile"),
        ("get", "/v1/profiles/{id}/events") => ("Every event in order, with a stable cursor.", "profile"),
        ("post", "/v1/profiles/{id}/actions") => ("Act as the creator: reply, answer a DM, publish. 429 with Retry-After at the platform's limit.", "profile"),
        ("get", "/v1/profiles/{id}/stream") => ("Server-sent events, resumable with Last-Event-ID.", "profile"),
        ("post", "/v1/profiles/{id}/webhooks") => ("Subscribe a webhook: url, secret, event filter.", "profile"),
        ("get", "/v1/profiles/{id}/webhooks") => ("List the profile's webhooks.", "profile"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}") => ("Read a webhook and its delivery state.", "profile"),
        ("delete", "/v1/profiles/{id}/webhooks/{hook}") => ("Delete a webhook.", "profile"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries") => ("The webhook's delivery log: attempts and outcomes.", "profile"),
        _ => ("", "admin"),
    }
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for (method, path) in ROUTES {
        let (summary, who) = describe(method, path);
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let security = match who {
            "none" => json!([]),
            _ => json!([{ "bearer": [] }]),
        };
        let op = json!({
            "summary": summary,
            "x-diorama-caller": who,
            "parameters": params,
            "security": security,
            "responses": {
                "default": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .map(|m| m.insert(method.to_string(), op));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "diorama",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Live demo profiles of simulated social platforms."
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"],
                        "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } }
                }
            }
        }
    })
}

pub async fn document() -> Response {
    Json(build()).into_response()
}
