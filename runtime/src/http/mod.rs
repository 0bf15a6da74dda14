//! `diorama serve`: the HTTP API over live profiles (axum on tokio), JSON
//! everywhere, versioned under `/v1`.
//!
//! [`api`] is the one route table: each handler carries its OpenAPI
//! description (`#[utoipa::path]`: summary, parameters, body, answers and
//! the caller's role) and its extractors enforce that role (see [`auth`]);
//! the router and the document at `/v1/openapi.json` are both made from it.
//!
//! Handlers never call a plugin or the store on an async worker: that work
//! runs through [`error::blocking`].

mod auth;
mod console;
pub mod error;
mod hooks;
pub mod limits;
mod native;
mod openapi;
mod profiles;
mod reading;
mod scenarios;
mod scheduled;
// Documentation types: named by the route table, never built.
#[allow(dead_code)]
mod schema;
mod stats;
mod stream;
pub mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::json;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::live::LiveManager;
use crate::telemetry::{Extra, Telemetry};
use crate::webhook::Webhooks;

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

/// The state handed to every handler: the server's one [`AppState`].
pub type ApiState = Arc<AppState>;

/// The largest request body accepted (413 above).
///
/// Enforced by axum's `DefaultBodyLimit` rather than tower-http's
/// `RequestBodyLimitLayer`: measured with a `content-length` of 2 MiB, the
/// latter answers at once with a plain-text 413 (`length limit exceeded`),
/// where this server answers its JSON error (`body_too_large`).
pub const BODY_LIMIT: usize = 1 << 20;

/// Every route, with its description: the router and the OpenAPI document
/// are both made from this table.
pub fn api() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(openapi::document))
        .routes(routes!(profiles::platforms))
        .routes(routes!(scenarios::ready))
        .routes(routes!(profiles::create, profiles::list))
        .routes(routes!(profiles::read, profiles::update, profiles::delete))
        .routes(routes!(profiles::start))
        .routes(routes!(profiles::pause))
        .routes(routes!(profiles::resume))
        .routes(routes!(profiles::stop))
        .routes(routes!(profiles::signal))
        .routes(routes!(scenarios::start))
        .routes(routes!(scenarios::read))
        .routes(routes!(reading::contents))
        .routes(routes!(reading::content))
        .routes(routes!(reading::interactions))
        .routes(routes!(reading::events))
        .routes(routes!(stats::stats))
        .routes(routes!(profiles::act))
        .routes(routes!(stream::stream))
        .routes(routes!(hooks::create, hooks::list))
        .routes(routes!(hooks::read, hooks::delete))
        .routes(routes!(hooks::deliveries))
        .routes(routes!(scheduled::list, scheduled::create))
        .routes(routes!(scheduled::change, scheduled::cancel))
        .routes(routes!(scheduled::presets))
}

/// Every route as (method, path template), lower-case methods, from
/// [`api`]'s document; made once (the templates are the metrics' route
/// labels, so they live as long as the process).
pub fn routes() -> &'static [(&'static str, &'static str)] {
    static ROUTES: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| {
        openapi::operations(openapi::document_value())
            .into_iter()
            .map(|(m, p)| (&*m.leak(), &*p.leak()))
            .collect()
    })
}

pub fn router(state: ApiState) -> Router {
    // The route labels (and with them the document) are made here, once,
    // rather than by the first request on an async worker.
    routes();
    let (routes, _) = api().split_for_parts();
    routes
        .route(native::ROUTE, axum::routing::any(native::handle))
        .route(native::ROOT, axum::routing::any(native::handle_root))
        .route(native::ROOT_SLASH, axum::routing::any(native::handle_root))
        .merge(console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            native::by_host,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::in_flight,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        // Spans and events at debug level, failures too (the server's log
        // stays as it was): `DIORAMA_LOG=tower_http=debug` shows them.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
        .with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route {} {}", req.method(), req.uri().path()))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::method_not_allowed(format!(
        "{} is not allowed on {}",
        req.method(),
        req.uri().path()
    ))
}

/// Count every request's latency by method, route template and status.
/// Every label comes from a closed set, whatever the client sends: the
/// standard methods (any other is `OTHER`), the route templates of
/// [`api`] (anything else is `(unmatched)`) and the status code.
async fn observe(State(state): State<ApiState>, req: Request, next: Next) -> Response {
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

/// The matched template as a metrics label: one of [`routes`], the
/// native APIs' route or the console's pages, else none.
fn route_label(matched: &str) -> Option<&'static str> {
    if let Some(r) = [native::ROUTE, native::ROOT, native::ROOT_SLASH]
        .into_iter()
        .find(|r| *r == matched)
    {
        return Some(r);
    }
    if let Some(page) = console::PATHS.iter().find(|p| **p == matched) {
        return Some(page);
    }
    routes().iter().map(|(_, p)| *p).find(|p| *p == matched)
}

#[utoipa::path(get, path = "/healthz",
    summary = "Liveness: the server answers.",
    responses((status = 200, description = "The server is up.", body = schema::Health)),
    extensions(("x-diorama-caller" = json!("none"))))]
async fn healthz() -> Response {
    axum::Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })).into_response()
}

#[utoipa::path(get, path = "/metrics",
    summary = "Prometheus text metrics.",
    responses((status = 200, description = "Prometheus text format 0.0.4.", body = String, content_type = "text/plain")),
    extensions(("x-diorama-caller" = json!("none"))))]
async fn metrics(State(state): State<ApiState>) -> Response {
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
    state: ApiState,
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
    async fn server(dir: &std::path::Path) -> (String, ApiState) {
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

    /// Every route of the table is answered by its own handler, not by the
    /// fallbacks: the answer is not "no route" / 405, and the request is
    /// counted under the route's template.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_router_answers_every_listed_route() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (base, state) = server(dir.path()).await;
        let client = reqwest::Client::new();
        for (method, path) in openapi::tests::ROUTES {
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
        for (method, path) in openapi::tests::ROUTES {
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
