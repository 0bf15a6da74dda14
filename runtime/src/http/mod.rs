//! `diorama serve`: the HTTP API over live profiles (axum on tokio), JSON
//! everywhere, versioned under `/v1`.
//!
//! Handlers never call a plugin or the store on an async worker: that work
//! runs through [`error::blocking`]. Every route is listed in [`ROUTES`],
//! which the OpenAPI document is checked against.

mod auth;
pub mod error;
mod hooks;
pub mod limits;
mod openapi;
mod profiles;
mod reading;
mod scenarios;
mod stream;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::live::{LiveManager, ProfileStatus};
use crate::telemetry::{Extra, Telemetry};
use crate::webhook::Webhooks;
use profiles::lifecycle_route;

use error::ApiError;

/// What every handler shares.
pub struct AppState {
    pub live: Arc<LiveManager>,
    pub webhooks: Arc<Webhooks>,
    pub telemetry: Arc<Telemetry>,
    pub admin_token: String,
    pub scenarios: Arc<crate::live::scenario::Runs>,
    /// Set to true when the server stops: open streams end.
    pub closing: tokio::sync::watch::Sender<bool>,
    /// Caps on connections, requests in flight and streams.
    pub gates: limits::Gates,
}

pub type Shared = Arc<AppState>;

/// The largest request body accepted (413 above).
pub const BODY_LIMIT: usize = 1 << 20;

/// Every route: (method, path). The OpenAPI document describes exactly these.
pub const ROUTES: &[(&str, &str)] = &[
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
    ("post", "/v1/profiles/{id}/actions"),
    ("get", "/v1/profiles/{id}/stream"),
    ("post", "/v1/profiles/{id}/webhooks"),
    ("get", "/v1/profiles/{id}/webhooks"),
    ("get", "/v1/profiles/{id}/webhooks/{hook}"),
    ("delete", "/v1/profiles/{id}/webhooks/{hook}"),
    ("get", "/v1/profiles/{id}/webhooks/{hook}/deliveries"),
];

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(openapi::document))
        .route("/v1/platforms", get(profiles::platforms))
        .route("/v1/scenarios", get(scenarios::ready))
        .route("/v1/profiles", post(profiles::create).get(profiles::list))
        .route(
            "/v1/profiles/{id}",
            get(profiles::read)
                .patch(profiles::update)
                .delete(profiles::delete),
        )
        .route(
            "/v1/profiles/{id}/start",
            post(lifecycle_route(ProfileStatus::Running)),
        )
        .route(
            "/v1/profiles/{id}/pause",
            post(lifecycle_route(ProfileStatus::Paused)),
        )
        .route(
            "/v1/profiles/{id}/resume",
            post(lifecycle_route(ProfileStatus::Running)),
        )
        .route(
            "/v1/profiles/{id}/stop",
            post(lifecycle_route(ProfileStatus::Stopped)),
        )
        .route("/v1/profiles/{id}/signals", post(profiles::signal))
        .route("/v1/profiles/{id}/scenarios", post(scenarios::start))
        .route("/v1/profiles/{id}/scenarios/{run}", get(scenarios::read))
        .route("/v1/profiles/{id}/contents", get(reading::contents))
        .route(
            "/v1/profiles/{id}/contents/{content}",
            get(reading::content),
        )
        .route("/v1/profiles/{id}/interactions", get(reading::interactions))
        .route("/v1/profiles/{id}/events", get(reading::events))
        .route("/v1/profiles/{id}/actions", post(profiles::act))
        .route("/v1/profiles/{id}/stream", get(stream::stream))
        .route(
            "/v1/profiles/{id}/webhooks",
            post(hooks::create).get(hooks::list),
        )
        .route(
            "/v1/profiles/{id}/webhooks/{hook}",
            get(hooks::read).delete(hooks::delete),
        )
        .route(
            "/v1/profiles/{id}/webhooks/{hook}/deliveries",
            get(hooks::deliveries),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::in_flight,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Count every request's latency by method, route template and status.
/// Every label comes from a closed set, whatever the client sends: the
/// standard methods (any other is `OTHER`), the route templates of
/// [`ROUTES`] (anything else is `(unmatched)`) and the status code.
async fn observe(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| route_label(m.as_str()))
        .unwrap_or(UNMATCHED);
    let res = next.run(req).await;
    state.telemetry.request(
        method,
        route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// The route label of a request no route matched.
const UNMATCHED: &str = "(unmatched)";

/// The method as a metrics label: a standard one, else `OTHER`.
fn method_label(m: &axum::http::Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN
        .iter()
        .find(|k| **k == m.as_str())
        .copied()
        .unwrap_or("OTHER")
}

/// The matched template as a metrics label: one of [`ROUTES`], else none.
fn route_label(matched: &str) -> Option<&'static str> {
    ROUTES.iter().map(|(_, p)| *p).find(|p| *p == matched)
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn metrics(State(state): State<Shared>) -> Response {
    let (profiles, live) = state.live.count();
    let c = state.webhooks.counters();
    let body = state.telemetry.render(&Extra {
        live_profiles: live,
        profiles,
        webhook_delivered: c.delivered,
        webhook_failed_attempts: c.failed_attempts,
        webhook_gave_up: c.gave_up,
        webhooks_failing: c.hooks_failing,
    });
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Serve until `shutdown` completes; the sweeper deletes expired profiles
/// every `sweep_every`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    sweep_every: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.live.clone();
    let listener = limits::CappedListener::new(listener, state.gates.limits.max_connections);
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(sweep_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let live = live.clone();
            let _ = tokio::task::spawn_blocking(move || live.sweep()).await;
        }
    });
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveConfig;
    use crate::plugin::{HostOptions, PluginHost};
    use crate::store::Store;
    use crate::webhook::WebhookConfig;

    const ADMIN: &str = "route-test-admin-token";

    /// A server over an empty store and no plugins, on a free loopback port.
    async fn server(dir: &std::path::Path) -> (String, Shared) {
        let store = Store::open(&dir.join("data")).expect("open store");
        let host = PluginHost::new(HostOptions::default()).expect("plugin host");
        let webhooks = Webhooks::new(store.clone(), WebhookConfig::default());
        let telemetry = Arc::new(Telemetry::default());
        let live = LiveManager::open(
            Arc::new(host),
            store.clone(),
            webhooks.clone(),
            telemetry.clone(),
            LiveConfig {
                workers: 1,
                ..LiveConfig::default()
            },
        )
        .expect("live manager");
        let (closing, _) = tokio::sync::watch::channel(false);
        let state = Arc::new(AppState {
            live,
            webhooks,
            telemetry,
            admin_token: ADMIN.into(),
            scenarios: crate::live::scenario::Runs::new(
                store,
                crate::script::ScriptLimits::default(),
            ),
            closing,
            gates: limits::Gates::new(limits::ServeLimits::default()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let app = router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}"), state)
    }

    /// Every route in ROUTES is answered by its own handler, not by the
    /// fallbacks: the answer is not "no route" / 405, and the request is
    /// counted under the route's template.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_router_answers_every_listed_route() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (base, state) = server(dir.path()).await;
        let client = reqwest::Client::new();
        for (method, path) in ROUTES {
            let url = format!(
                "{base}{}",
                path.replace("{id}", "1")
                    .replace("{run}", "1")
                    .replace("{content}", "c1")
                    .replace("{hook}", "wh_0")
            );
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let mut req = client.request(m, &url).bearer_auth(ADMIN);
            if matches!(*method, "post" | "patch") {
                req = req.header("content-type", "application/json").body("{}");
            }
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let body = res.text().await.expect("body");
            assert_ne!(status, 405, "{method} {path}: {body}");
            assert!(
                !body.contains("no route"),
                "{method} {path} fell through to the fallback: {status} {body}"
            );
        }
        let metrics = state.telemetry.render(&Extra {
            live_profiles: 0,
            profiles: 0,
            webhook_delivered: 0,
            webhook_failed_attempts: 0,
            webhook_gave_up: 0,
            webhooks_failing: 0,
        });
        for (method, path) in ROUTES {
            let label = format!("method=\"{}\",route=\"{path}\"", method.to_uppercase());
            assert!(
                metrics.contains(&label),
                "{method} {path} was not matched: no {label}"
            );
        }
        // The check can fail: an unknown path is answered by the fallback.
        let res = client
            .get(format!("{base}/v1/profiles/1/nothing"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 404);
        assert!(res.text().await.expect("body").contains("no route"));
        state.live.shutdown().expect("shutdown");
    }
}
