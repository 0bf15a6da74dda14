//! `diorama serve`: the HTTP API over live profiles (axum on tokio), JSON
//! everywhere, versioned under `/v1`.
//!
//! Handlers never call a plugin or the store on an async worker: that work
//! runs through [`error::blocking`]. Every route is listed in [`ROUTES`],
//! which the OpenAPI document is checked against.

mod auth;
pub mod error;
mod hooks;
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

use crate::live::{LiveManager, Status};
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
            post(lifecycle_route(Status::Running)),
        )
        .route(
            "/v1/profiles/{id}/pause",
            post(lifecycle_route(Status::Paused)),
        )
        .route(
            "/v1/profiles/{id}/resume",
            post(lifecycle_route(Status::Running)),
        )
        .route(
            "/v1/profiles/{id}/stop",
            post(lifecycle_route(Status::Stopped)),
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
async fn observe(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".into());
    let res = next.run(req).await;
    state.telemetry.request(
        &method,
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
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
