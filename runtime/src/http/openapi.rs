//! The OpenAPI 3.1 document at `/v1/openapi.json`, built from the route
//! table so that every route is described (a test checks both ways).
//!
//! Request bodies, responses and query parameters are described here as
//! JSON Schema under `components.schemas`, referenced with `$ref`; the
//! tests check that every reference resolves.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::ROUTES;
use crate::live::pace;

/// (method, path) → (summary, who may call it).
fn describe(method: &str, path: &str) -> (&'static str, &'static str) {
    match (method, path) {
        ("get", "/healthz") => ("Liveness: the server answers.", "none"),
        ("get", "/metrics") => ("Prometheus text metrics.", "none"),
        ("get", "/v1/openapi.json") => ("This document.", "none"),
        ("get", "/v1/platforms") => (
            "The loaded platform plugins: kinds, signals, actions, limits, parameters.",
            "any",
        ),
        ("get", "/v1/scenarios") => ("The ready scenarios that can run on a live profile.", "any"),
        ("post", "/v1/profiles") => (
            "Create a demo profile (automatic from a niche and a size, or per platform). The answer carries the profile's token, shown only once.",
            "admin",
        ),
        ("get", "/v1/profiles") => ("List profiles.", "admin"),
        ("get", "/v1/profiles/{id}") => (
            "Read a profile: status, speed, virtual time, limits.",
            "profile",
        ),
        ("patch", "/v1/profiles/{id}") => {
            ("Update a profile's name, limits and lifetime.", "admin")
        }
        ("delete", "/v1/profiles/{id}") => ("Delete a profile and every key it owns.", "admin"),
        ("post", "/v1/profiles/{id}/start") => (
            "Start the live simulation at `speed` (1 = real time).",
            "admin",
        ),
        ("post", "/v1/profiles/{id}/pause") => ("Pause the live simulation.", "admin"),
        ("post", "/v1/profiles/{id}/resume") => {
            ("Resume, at the last speed or a new `speed`.", "admin")
        }
        ("post", "/v1/profiles/{id}/stop") => ("Stop the live simulation.", "admin"),
        ("post", "/v1/profiles/{id}/signals") => (
            "Send a signal (viral, troll_wave, shadowban, ...) to one platform, now.",
            "admin",
        ),
        ("post", "/v1/profiles/{id}/scenarios") => (
            "Run a ready scenario by `name` or a posted `script` on the live profile.",
            "admin",
        ),
        ("get", "/v1/profiles/{id}/scenarios/{run}") => (
            "A scenario run's status, expectations and values.",
            "profile",
        ),
        ("get", "/v1/profiles/{id}/contents") => ("Content, newest first.", "profile"),
        ("get", "/v1/profiles/{id}/contents/{content}") => {
            ("One piece of content with its latest metrics.", "profile")
        }
        ("get", "/v1/profiles/{id}/interactions") => (
            "Interactions, filtered, oldest first, with a stable cursor.",
            "profile",
        ),
        ("get", "/v1/profiles/{id}/events") => {
            ("Every event in order, with a stable cursor.", "profile")
        }
        ("post", "/v1/profiles/{id}/actions") => (
            "Act as the creator: reply, answer a DM, publish. 429 with Retry-After at the platform's limit.",
            "profile",
        ),
        ("get", "/v1/profiles/{id}/stream") => (
            "Server-sent events, resumable with Last-Event-ID.",
            "profile",
        ),
        ("post", "/v1/profiles/{id}/webhooks") => {
            ("Subscribe a webhook: url, secret, event filter.", "profile")
        }
        ("get", "/v1/profiles/{id}/webhooks") => ("List the profile's webhooks.", "profile"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}") => {
            ("Read a webhook and its delivery state.", "profile")
        }
        ("delete", "/v1/profiles/{id}/webhooks/{hook}") => ("Delete a webhook.", "profile"),
        ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries") => (
            "The webhook's delivery log: attempts and outcomes.",
            "profile",
        ),
        _ => ("", "admin"),
    }
}

/// How an operation's request body looks: a schema name and whether the
/// body may be left out.
fn request_body(method: &str, path: &str) -> Option<(&'static str, bool)> {
    let required = true;
    match (method, path) {
        ("post", "/v1/profiles") => Some(("ProfileCreate", required)),
        ("patch", "/v1/profiles/{id}") => Some(("ProfileUpdate", required)),
        ("post", "/v1/profiles/{id}/start" | "/v1/profiles/{id}/resume") => {
            Some(("SpeedBody", !required))
        }
        ("post", "/v1/profiles/{id}/signals") => Some(("SignalBody", required)),
        ("post", "/v1/profiles/{id}/scenarios") => Some(("ScenarioStart", required)),
        ("post", "/v1/profiles/{id}/actions") => Some(("ActionBody", required)),
        ("post", "/v1/profiles/{id}/webhooks") => Some(("WebhookSpec", required)),
        _ => None,
    }
}

/// A successful answer's body: JSON of a named schema, or text of a media
/// type.
enum Answer {
    Json(&'static str),
    Text(&'static str),
}

/// (status, description, body) of an operation's successful answer.
fn success(method: &str, path: &str) -> (&'static str, &'static str, Answer) {
    use Answer::{Json, Text};
    match (method, path) {
        ("get", "/healthz") => ("200", "The server is up.", Json("Health")),
        ("get", "/metrics") => ("200", "Prometheus text format 0.0.4.", Text("text/plain")),
        ("get", "/v1/openapi.json") => ("200", "This document.", Json("OpenApiDocument")),
        ("get", "/v1/platforms") => ("200", "The platforms.", Json("PlatformList")),
        ("get", "/v1/scenarios") => ("200", "The ready scenarios.", Json("ScenarioList")),
        ("post", "/v1/profiles") => (
            "201",
            "The new profile, with its token (shown only once).",
            Json("ProfileCreated"),
        ),
        ("get", "/v1/profiles") => ("200", "Every profile.", Json("ProfileList")),
        ("delete", "/v1/profiles/{id}") => ("200", "The profile is gone.", Json("Deleted")),
        ("get" | "patch", "/v1/profiles/{id}")
        | (
            "post",
            "/v1/profiles/{id}/start"
            | "/v1/profiles/{id}/pause"
            | "/v1/profiles/{id}/resume"
            | "/v1/profiles/{id}/stop",
        ) => ("200", "The profile.", Json("ProfileView")),
        ("post", "/v1/profiles/{id}/signals") => ("202", "The signal is applied.", Json("Applied")),
        ("post", "/v1/profiles/{id}/scenarios") => ("202", "The run started.", Json("ScenarioRun")),
        ("get", "/v1/profiles/{id}/scenarios/{run}") => ("200", "The run.", Json("ScenarioRun")),
        ("get", "/v1/profiles/{id}/contents") => {
            ("200", "Content, newest first.", Json("ContentPage"))
        }
        ("get", "/v1/profiles/{id}/contents/{content}") => ("200", "The content.", Json("Content")),
        ("get", "/v1/profiles/{id}/interactions" | "/v1/profiles/{id}/events") => {
            ("200", "A page, oldest first.", Json("EventPage"))
        }
        ("post", "/v1/profiles/{id}/actions") => {
            ("201", "The events the action made.", Json("ActionResult"))
        }
        ("get", "/v1/profiles/{id}/stream") => (
            "200",
            "`text/event-stream`: each event as `id: <seq>`, `event: <type>`, `data: <Event JSON>`; keep-alive comments every 15 s.",
            Text("text/event-stream"),
        ),
        ("post", "/v1/profiles/{id}/webhooks") => ("201", "The webhook.", Json("WebhookView")),
        ("get", "/v1/profiles/{id}/webhooks") => ("200", "The webhooks.", Json("WebhookList")),
        ("get", "/v1/profiles/{id}/webhooks/{hook}") => {
            ("200", "The webhook.", Json("WebhookView"))
        }
        ("delete", "/v1/profiles/{id}/webhooks/{hook}") => {
            ("200", "The webhook is gone.", Json("Deleted"))
        }
        ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries") => (
            "200",
            "Delivery attempts, oldest first.",
            Json("DeliveryPage"),
        ),
        _ => ("200", "Done.", Text("application/json")),
    }
}

fn query_param(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

fn cursor_param() -> Value {
    query_param(
        "after",
        json!({ "type": "string", "pattern": "^[0-9]+$" }),
        "A cursor: the `next` of an earlier page (an event seq). Only later items are returned.",
    )
}

fn limit_param(default: u64) -> Value {
    query_param(
        "limit",
        json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": default }),
        "The most items in the page.",
    )
}

/// The query parameters an operation takes.
fn query(method: &str, path: &str) -> Vec<Value> {
    let text = || json!({ "type": "string" });
    let instant = || json!({ "type": "string", "description": "unix milliseconds (0 to 253402300799999) or RFC 3339 (1970 to 9999)" });
    let list =
        || json!({ "type": "string", "description": "a comma-separated list; absent = all" });
    match (method, path) {
        ("get", "/v1/profiles/{id}/interactions") => vec![
            query_param("platform", text(), "Only this platform."),
            query_param(
                "kind",
                text(),
                "Only this interaction kind: comment, reply, dm, mention, ...",
            ),
            query_param(
                "sentiment",
                json!({ "type": "string", "enum": ["positive", "neutral", "negative"] }),
                "Only this sentiment.",
            ),
            query_param(
                "dm_type",
                json!({ "type": "string", "enum": ["fan", "question", "collaboration", "spam", "criticism"] }),
                "Only direct messages of this type.",
            ),
            query_param("content", text(), "Only interactions on this content id."),
            query_param("author", text(), "Only interactions by this author id."),
            query_param("from", instant(), "Virtual time, inclusive."),
            query_param("to", instant(), "Virtual time, exclusive."),
            query_param(
                "order",
                json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" }),
                "asc: oldest first, paged with `after`; desc: newest first, paged with `before`.",
            ),
            cursor_param(),
            query_param(
                "before",
                json!({ "type": "string", "pattern": "^[0-9]+$" }),
                "With order=desc, a cursor: the `next` of an earlier page. Only earlier items are returned.",
            ),
            limit_param(50),
        ],
        ("get", "/v1/profiles/{id}/events") => vec![cursor_param(), limit_param(50)],
        ("get", "/v1/profiles/{id}/stream") => vec![
            query_param(
                "after",
                json!({ "type": "string", "pattern": "^[0-9]+$" }),
                "Send only events after this seq (the `Last-Event-ID` header wins). Absent: from the first event.",
            ),
            query_param(
                "types",
                list(),
                "Event types: content, interaction, metric, notice.",
            ),
            query_param("kinds", list(), "Event kinds."),
            query_param("platforms", list(), "Platform names."),
        ],
        ("get", "/v1/profiles/{id}/contents") => vec![
            query_param("platform", text(), "Only this platform."),
            query_param(
                "kind",
                text(),
                "Only this content kind: video, short, reel, post, ...",
            ),
            limit_param(50),
        ],
        ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries") => vec![
            query_param("after", text(), "A cursor: the `next` of an earlier page."),
            limit_param(100),
        ],
        _ => Vec::new(),
    }
}

/// A reference to a schema in `components.schemas`.
fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_content(name: &str) -> Value {
    json!({ "application/json": { "schema": schema_ref(name) } })
}

fn operation(method: &str, path: &str) -> Value {
    let (summary, who) = describe(method, path);
    let mut params: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    params.extend(query(method, path));
    if path.ends_with("/stream") {
        params.push(json!({
            "name": "Last-Event-ID", "in": "header", "required": false,
            "schema": { "type": "string", "pattern": "^[0-9]+$" },
            "description": "Resume after this event id (seq), as browsers send on reconnect."
        }));
    }
    let security = match who {
        "none" => json!([]),
        _ => json!([{ "bearer": [] }]),
    };
    let (status, description, ok) = success(method, path);
    let ok_body = match ok {
        Answer::Json(name) => json!({ "description": description, "content": json_content(name) }),
        Answer::Text(media) => {
            json!({ "description": description, "content": { media: { "schema": { "type": "string" } } } })
        }
    };
    let mut responses = Map::new();
    responses.insert(status.to_string(), ok_body);
    if path == "/v1/profiles/{id}/actions" || path == "/v1/profiles/{id}/signals" {
        responses.insert(
            "429".into(),
            json!({
                "description": "The token sent more than `--action-rate` actions and signals per second, or (actions) the platform's limit for this action is reached.",
                "headers": { "Retry-After": {
                    "description": "Wall-clock seconds until a retry can succeed, at the profile's speed.",
                    "schema": { "type": "integer", "minimum": 1 } } },
                "content": json_content("Error")
            }),
        );
    }
    responses.insert(
        "default".into(),
        json!({ "description": "An error", "content": json_content("Error") }),
    );
    let mut op = json!({
        "summary": summary,
        "x-diorama-caller": who,
        "parameters": params,
        "security": security,
        "responses": responses,
    });
    if let Some((name, required)) = request_body(method, path) {
        op["requestBody"] = json!({ "required": required, "content": json_content(name) });
    }
    op
}

/// Every schema the operations refer to.
fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let opt_string = json!({ "type": ["string", "null"] });
    let rfc3339 = json!({ "type": "string", "format": "date-time" });
    let list = json!({ "type": "array", "items": { "type": "string" } });
    let mut s = Map::new();
    s.insert("Error".into(), json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": { "type": "object", "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "description": "malformed_json, invalid_body, invalid, bad_query, unauthorized, forbidden, not_found, target_not_found, conflict, live_limit, rate_limited, too_many_streams, server_busy, body_timeout, body_too_large, unsupported_media_type, method_not_allowed, ..." },
                "message": { "type": "string", "description": "What went wrong, where and why." } } } }
    }));
    s.insert(
        "Health".into(),
        json!({
            "type": "object", "required": ["status", "version"],
            "properties": { "status": { "const": "ok" }, "version": string }
        }),
    );
    s.insert(
        "OpenApiDocument".into(),
        json!({
            "type": "object", "required": ["openapi", "paths"],
            "properties": { "openapi": string, "paths": { "type": "object" } }
        }),
    );
    let (per_day_min, per_day_max) = pace::INTERACTIONS_PER_DAY;
    let (ttl_min, ttl_max) = pace::INACTIVITY_TTL_S;
    let (size_min, size_max) = pace::SIZE;
    let instant_range = format!(
        "Between {} and {}.",
        crate::event::time::format_instant(pace::INSTANT_MS.0),
        crate::event::time::format_instant(pace::INSTANT_MS.1)
    );
    s.insert("Limits".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": { "interactions_per_day": {
            "type": "integer", "minimum": per_day_min, "maximum": per_day_max,
            "description": "Interactions per virtual (UTC) day before the profile pauses itself (status `limited`). Default 1000." } }
    }));
    s.insert("PlatformOptions".into(), json!({
        "type": "object",
        "description": "One platform's account options: the shared vocabulary or the plugin's own parameter names (`diorama plugins` lists them).",
        "properties": {
            "audience": { "type": "integer", "minimum": 0 },
            "avg_views": { "type": "integer", "minimum": 0 },
            "engagement_rate": { "type": "number" },
            "upload_frequency": { "type": "number" },
            "comment_volume": { "enum": ["low", "medium", "high", "viral"] },
            "dm_frequency": { "enum": ["low", "medium", "high"] }
        },
        "additionalProperties": true
    }));
    s.insert("ProfileCreate".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "name": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" },
            "niche": { "type": "string", "default": "tech" },
            "size": { "type": "integer", "minimum": size_min, "maximum": size_max, "description": "Audience of the main platform (automatic mode); instagram gets 0.6×, tiktok 0.8×." },
            "timezone": { "type": "string", "default": "UTC", "description": "IANA time zone of the audience." },
            "platforms": { "oneOf": [
                { "type": "array", "items": { "type": "string" }, "description": "Platform names (automatic mode)." },
                { "type": "object", "additionalProperties": schema_ref("PlatformOptions"), "description": "Platform name → its options (manual mode)." }
            ] },
            "seed": { "type": "integer", "minimum": 0 },
            "start": { "type": "string", "format": "date-time", "description": format!("Virtual time at creation; the wall clock by default. {instant_range}") },
            "speed": { "type": "number", "minimum": pace::MIN_SPEED, "maximum": pace::MAX_SPEED, "description": "Start right away at this speed (1 = real time)." },
            "limits": schema_ref("Limits"),
            "expires_at": { "type": "string", "format": "date-time", "description": format!("Wall-clock end of the profile. {instant_range}") },
            "inactivity_ttl_s": { "type": "integer", "minimum": ttl_min, "maximum": ttl_max, "description": "Delete the profile after this many seconds without a request." }
        }
    }));
    s.insert("ProfileUpdate".into(), json!({
        "type": "object", "additionalProperties": false,
        "description": "`platforms`, `niche`, `timezone` and `seed` are fixed at creation: giving them is a 409.",
        "properties": {
            "name": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" },
            "limits": schema_ref("Limits"),
            "expires_at": { "type": ["string", "null"], "format": "date-time", "description": format!("RFC 3339, or null to clear. {instant_range}") },
            "inactivity_ttl_s": { "type": "integer", "minimum": ttl_min, "maximum": ttl_max }
        }
    }));
    s.insert("ProfileView".into(), json!({
        "type": "object",
        "required": ["id", "name", "niche", "timezone", "platforms", "seed", "status", "speed", "now", "time",
            "created_at", "last_active", "expires_at", "inactivity_ttl_s", "limits", "events", "interactions_today"],
        "properties": {
            "id": string,
            "name": string,
            "niche": string,
            "timezone": string,
            "platforms": { "type": "object", "additionalProperties": { "type": "object" } },
            "seed": { "type": "integer" },
            "status": { "enum": ["created", "running", "paused", "limited", "stopped", "degraded"] },
            "speed": { "type": "number" },
            "now": { "type": "integer", "description": "Virtual time, unix milliseconds." },
            "time": rfc3339,
            "created_at": rfc3339,
            "last_active": rfc3339,
            "expires_at": { "type": ["string", "null"], "format": "date-time" },
            "inactivity_ttl_s": { "type": "integer" },
            "limits": schema_ref("Limits"),
            "events": { "type": "integer", "description": "The last event seq stored." },
            "interactions_today": { "type": "integer" },
            "reason": { "type": "string", "description": "Why the profile is limited or degraded." }
        }
    }));
    s.insert("ProfileCreated".into(), json!({
        "allOf": [
            schema_ref("ProfileView"),
            { "type": "object", "required": ["token"], "properties": { "token": { "type": "string", "description": "The profile's bearer token; shown only once." } } }
        ]
    }));
    s.insert(
        "ProfileList".into(),
        json!({
            "type": "object", "required": ["profiles"],
            "properties": { "profiles": { "type": "array", "items": schema_ref("ProfileView") } }
        }),
    );
    s.insert(
        "Deleted".into(),
        json!({
            "type": "object", "required": ["deleted"],
            "properties": { "deleted": string, "keys_removed": { "type": "integer" } }
        }),
    );
    s.insert("SpeedBody".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": { "speed": { "type": "number", "minimum": pace::MIN_SPEED, "maximum": pace::MAX_SPEED, "description": "1 = real time." } }
    }));
    s.insert("SignalBody".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["platform", "signal"],
        "properties": {
            "platform": string,
            "signal": { "type": "string", "description": "viral, troll_wave, shadowban, controversy, growth, brand_deal_flood (each platform lists its own in /v1/platforms)." },
            "params": { "type": "object", "default": {} }
        }
    }));
    s.insert(
        "Applied".into(),
        json!({
            "type": "object", "required": ["status"],
            "properties": { "status": { "const": "applied" } }
        }),
    );
    s.insert("ActionBody".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["platform", "kind"],
        "properties": {
            "platform": string,
            "kind": { "type": "string", "description": "publish, reply, dm_reply (each platform lists its own in /v1/platforms)." },
            "params": { "type": "object", "default": {}, "description": "e.g. {comment_id, text} for a reply." }
        }
    }));
    s.insert(
        "ActionResult".into(),
        json!({
            "type": "object", "required": ["events"],
            "properties": { "events": { "type": "array", "items": schema_ref("Event") } }
        }),
    );
    s.insert("ScenarioStart".into(), json!({
        "type": "object", "additionalProperties": false,
        "oneOf": [ { "required": ["name"] }, { "required": ["script"] } ],
        "properties": {
            "name": { "type": "string", "description": "A ready scenario (GET /v1/scenarios)." },
            "script": { "type": "string", "maxLength": 262144, "description": "Rhai source." }
        }
    }));
    s.insert("ScenarioList".into(), json!({
        "type": "object", "required": ["scenarios"],
        "properties": { "scenarios": { "type": "array", "items": {
            "type": "object", "required": ["name", "summary"], "properties": { "name": string, "summary": string } } } }
    }));
    s.insert("ScenarioRun".into(), json!({
        "type": "object",
        "required": ["id", "scenario", "status", "started_at", "ended_at", "expectations", "values", "error"],
        "properties": {
            "id": string,
            "scenario": { "type": "string", "description": "The ready scenario's name, or `posted`." },
            "status": { "enum": ["running", "passed", "failed", "error", "interrupted"] },
            "started_at": { "type": "string", "format": "date-time", "description": "Virtual time." },
            "ended_at": { "type": ["string", "null"], "format": "date-time" },
            "expectations": { "type": "array", "items": {
                "type": "object", "required": ["message", "passed", "at"],
                "properties": { "message": string, "passed": { "type": "boolean" }, "at": { "type": "string", "description": "file:line:column" } } } },
            "values": { "type": "array", "items": {
                "type": "object", "required": ["name", "value"], "properties": { "name": string, "value": {} } } },
            "error": opt_string
        }
    }));
    s.insert(
        "Author".into(),
        json!({
            "type": "object",
            "required": ["id", "handle", "display_name", "avatar_url", "verified", "followers"],
            "properties": {
                "id": string, "handle": string, "display_name": string, "avatar_url": string,
                "verified": { "type": "boolean" }, "followers": { "type": "integer" }
            }
        }),
    );
    s.insert("Event".into(), json!({
        "type": "object",
        "required": ["seq", "at", "time", "profile", "platform", "type", "kind"],
        "properties": {
            "seq": { "type": "integer", "description": "Position in the profile's event log, from 1, contiguous." },
            "at": { "type": "integer", "description": "Virtual time, unix milliseconds." },
            "time": rfc3339,
            "profile": string,
            "platform": { "type": "string", "description": "A platform name, or `diorama` for the server's own notices." },
            "type": { "enum": ["content", "interaction", "metric", "notice"] },
            "kind": { "type": "string", "description": "Content or interaction kind, metric name or notice code." },
            "id": string,
            "content_id": string,
            "parent_id": string,
            "author": schema_ref("Author"),
            "title": string,
            "text": string,
            "url": string,
            "sentiment": { "enum": ["positive", "neutral", "negative"] },
            "dm_type": { "enum": ["fan", "question", "collaboration", "spam", "criticism"] },
            "total": { "type": "integer" },
            "delta": { "type": "integer" }
        }
    }));
    s.insert("EventPage".into(), json!({
        "type": "object", "required": ["items", "next", "has_more"],
        "properties": {
            "items": { "type": "array", "items": schema_ref("Event") },
            "next": { "type": ["string", "null"], "description": "The cursor for the next page (`after`): the last item's seq, or the `after` given." },
            "has_more": { "type": "boolean" }
        }
    }));
    s.insert("Content".into(), json!({
        "type": "object",
        "required": ["id", "platform", "kind", "title", "text", "url", "published_at", "published", "seq", "metrics", "interactions"],
        "properties": {
            "id": string, "platform": string, "kind": string, "title": string, "text": string, "url": string,
            "published_at": { "type": "integer", "description": "Virtual time, unix milliseconds." },
            "published": rfc3339,
            "seq": { "type": "integer" },
            "metrics": { "type": "object", "additionalProperties": { "type": "integer" } },
            "interactions": { "type": "integer" }
        }
    }));
    s.insert("ContentPage".into(), json!({
        "type": "object", "required": ["items", "total"],
        "properties": { "items": { "type": "array", "items": schema_ref("Content") }, "total": { "type": "integer" } }
    }));
    s.insert("PlatformList".into(), json!({
        "type": "object", "required": ["platforms"],
        "properties": { "platforms": { "type": "array", "items": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {
                "name": string, "version": string,
                "content_kinds": list, "interaction_kinds": list, "metrics": list,
                "signals": { "type": "array", "items": { "type": "object", "properties": { "name": string, "description": string } } },
                "actions": list,
                "limits": { "type": "array", "items": { "type": "object", "properties": {
                    "action": string, "max": { "type": "integer" }, "per": { "type": "integer", "description": "virtual milliseconds" } } } },
                "defaults": { "type": "object" }
            } } } }
    }));
    s.insert(
        "EventFilter".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "description": "An event matches when it matches every non-empty list.",
            "properties": { "platforms": list, "types": list, "kinds": list }
        }),
    );
    s.insert("WebhookSpec".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["url", "secret"],
        "properties": {
            "url": { "type": "string", "format": "uri", "maxLength": crate::webhook::MAX_URL_BYTES,
                "description": "http or https. Loopback and public addresses; private, link-local, unique-local, CGNAT and metadata ranges only with the server's `--allow-private-webhooks`." },
            "secret": { "type": "string", "minLength": crate::webhook::MIN_SECRET_BYTES, "maxLength": crate::webhook::MAX_SECRET_BYTES, "description": "Signs every delivery: `diorama-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`." },
            "filter": schema_ref("EventFilter")
        }
    }));
    s.insert("WebhookView".into(), json!({
        "type": "object",
        "required": ["id", "url", "filter", "created_at", "status", "cursor", "pending", "last_error", "next_attempt_at"],
        "properties": {
            "id": string,
            "url": string,
            "filter": schema_ref("EventFilter"),
            "created_at": { "type": "integer", "description": "Wall clock, unix milliseconds." },
            "status": { "enum": ["active", "failing", "disabled"] },
            "cursor": { "type": "integer", "description": "The last seq handled." },
            "pending": { "type": "integer", "description": "Events stored after the cursor." },
            "last_error": opt_string,
            "next_attempt_at": { "type": ["integer", "null"], "description": "Wall clock, unix milliseconds." }
        }
    }));
    s.insert(
        "WebhookList".into(),
        json!({
            "type": "object", "required": ["webhooks"],
            "properties": { "webhooks": { "type": "array", "items": schema_ref("WebhookView") } }
        }),
    );
    s.insert("Delivery".into(), json!({
        "type": "object",
        "required": ["event_id", "seq", "attempt", "at", "status", "outcome", "error", "duration_ms"],
        "properties": {
            "event_id": string,
            "seq": { "type": "integer" },
            "attempt": { "type": "integer", "minimum": 1 },
            "at": { "type": "integer", "description": "Wall clock, unix milliseconds." },
            "status": { "type": ["integer", "null"], "description": "The receiver's HTTP status." },
            "outcome": { "enum": ["delivered", "failed", "gave_up", "disabled"] },
            "error": opt_string,
            "duration_ms": { "type": "integer" }
        }
    }));
    s.insert("DeliveryPage".into(), json!({
        "type": "object", "required": ["items", "next"],
        "properties": { "items": { "type": "array", "items": schema_ref("Delivery") }, "next": opt_string }
    }));
    s.insert("WebhookPayload".into(), json!({
        "type": "object", "required": ["event_id", "profile", "hook", "event"],
        "properties": {
            "event_id": { "type": "string", "description": "`<profile>-<seq>`: the same on every retry; dedupe by it." },
            "profile": string,
            "hook": string,
            "event": schema_ref("Event")
        }
    }));
    Value::Object(s)
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for (method, path) in ROUTES {
        let op = operation(method, path);
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
        "webhooks": {
            "event": { "post": {
                "summary": "One event, delivered to a subscribed webhook; sequential per hook in seq order, at least once.",
                "parameters": [
                    { "name": "diorama-signature", "in": "header", "required": true, "schema": { "type": "string" },
                      "description": "`t=<unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`" },
                    { "name": "diorama-event-id", "in": "header", "required": true, "schema": { "type": "string" } },
                    { "name": "diorama-hook-id", "in": "header", "required": true, "schema": { "type": "string" } },
                    { "name": "diorama-delivery-attempt", "in": "header", "required": true, "schema": { "type": "integer" } }
                ],
                "requestBody": { "required": true, "content": json_content("WebhookPayload") },
                "responses": {
                    "2XX": { "description": "Delivered." },
                    "410": { "description": "Disable the hook." },
                    "default": { "description": "Failed: retried with a doubling backoff." }
                }
            } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        }
    })
}

pub async fn document() -> Response {
    Json(build()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
