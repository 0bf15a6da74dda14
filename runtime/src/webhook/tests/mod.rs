//! Webhook tests: a real store in a temporary directory, real axum
//! receivers on loopback and real HTTP.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicUsize};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes as BodyBytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};
use serde_json::Value;
use tokio::sync::watch;

use super::*;
use crate::event::StoredEvent;

mod delivery;
mod recovery;
mod signing;
mod specs;

const SECRET: &str = "test secret, not a real one";

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("data")).expect("open store");
    (dir, store)
}

fn config() -> WebhookConfig {
    WebhookConfig {
        first_retry: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        give_up_after: Duration::from_secs(3600),
        timeout: Duration::from_secs(5),
        max_hooks: 3,
        log_limit: 10_000,
        allow_private: false,
    }
}

/// A deterministic mix: content, comments, metrics and notices on two
/// platforms, seqs `first..first + n`.
fn events(owner: OwnerId, first: u64, n: u64) -> Vec<StoredEvent> {
    (first..first + n)
        .map(|seq| {
            let platform = if seq.is_multiple_of(5) {
                "tiktok"
            } else {
                "youtube"
            };
            let payload = if seq.is_multiple_of(7) {
                Payload::Notice(Notice {
                    code: "rate_limited".into(),
                    message: "slow down".into(),
                })
            } else {
                match seq % 4 {
                    0 => Payload::Content(Content {
                        id: format!("vid{seq}"),
                        kind: "video".into(),
                        title: format!("Video {seq}"),
                        text: "A video".into(),
                        url: format!("https://example.com/v/{seq}"),
                    }),
                    3 => Payload::Metric(Metric {
                        content_id: Some("vid0".into()),
                        name: "views".into(),
                        total: seq as i64 * 10,
                        delta: 10,
                    }),
                    _ => Payload::Interaction(Interaction {
                        id: format!("c{seq}"),
                        kind: "comment".into(),
                        content_id: Some("vid0".into()),
                        parent_id: None,
                        author: Author {
                            id: format!("UC{seq:04}"),
                            handle: format!("@viewer{seq}"),
                            display_name: format!("Viewer {seq}"),
                            avatar_url: String::new(),
                            verified: false,
                            followers: seq,
                        },
                        text: format!("Comment number {seq} \"quoted\""),
                        sentiment: Some("positive".into()),
                        dm_type: None,
                    }),
                }
            };
            StoredEvent {
                seq,
                profile: owner,
                platform: platform.into(),
                event: Event {
                    at: 1_000_000 + seq as i64 * 1000,
                    payload,
                },
            }
        })
        .collect()
}

/// What the server does: store, make durable, then wake the hooks (only
/// events on disk are delivered).
fn append(store: &Store, hooks: &Webhooks, evs: &[StoredEvent]) {
    store.append(evs[0].profile, evs).expect("append");
    store.commit().expect("commit");
    hooks.wake(evs[0].profile);
}

/// One request a receiver accepted.
#[derive(Clone, Debug)]
struct Got {
    event_id: String,
    seq: u64,
    hook: String,
    body: Value,
}

/// A webhook receiver: verifies every request, answers `status`; once it
/// has accepted `hold_after` requests it holds further ones until released.
struct Recv {
    status: AtomicU16,
    hold_after: AtomicUsize,
    release: watch::Sender<bool>,
    requests: AtomicUsize,
    accepted: Mutex<Vec<Got>>,
    rejected: Mutex<Vec<String>>,
}

impl Recv {
    fn accepted(&self) -> Vec<Got> {
        self.accepted.lock().unwrap().clone()
    }
    fn rejected(&self) -> Vec<String> {
        self.rejected.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Arc<Recv>>, headers: HeaderMap, body: BodyBytes) -> StatusCode {
    r.requests.fetch_add(1, Ordering::SeqCst);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let checked = verify(
        SECRET.as_bytes(),
        &header("diorama-signature"),
        &body,
        now,
        300,
    )
    .map_err(|e| e.to_string())
    .and_then(|()| serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string()))
    .and_then(|v| {
        let id = v["event_id"].as_str().unwrap_or_default().to_string();
        if header("diorama-event-id") != id {
            return Err(format!("header event id differs from the body's {id}"));
        }
        if header("content-type") != "application/json" {
            return Err("content-type is not application/json".into());
        }
        if !header("user-agent").starts_with("diorama/") {
            return Err("user-agent is not diorama/…".into());
        }
        if header("diorama-hook-id") != v["hook"].as_str().unwrap_or_default()
            || header("diorama-delivery-attempt").parse::<u32>().is_err()
        {
            return Err("hook id or attempt header missing or wrong".into());
        }
        Ok(v)
    });
    let v = match checked {
        Ok(v) => v,
        Err(e) => {
            r.rejected.lock().unwrap().push(e);
            return StatusCode::BAD_REQUEST;
        }
    };
    let status = r.status.load(Ordering::SeqCst);
    if status != 200 {
        return StatusCode::from_u16(status).unwrap();
    }
    if r.accepted.lock().unwrap().len() >= r.hold_after.load(Ordering::SeqCst) {
        let mut rx = r.release.subscribe();
        let _ = rx.wait_for(|released| *released).await;
    }
    r.accepted.lock().unwrap().push(Got {
        event_id: v["event_id"].as_str().unwrap().to_string(),
        seq: v["event"]["seq"].as_u64().unwrap(),
        hook: v["hook"].as_str().unwrap().to_string(),
        body: v,
    });
    StatusCode::OK
}

async fn receiver() -> (String, Arc<Recv>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    receiver_on(listener)
}

fn receiver_on(listener: tokio::net::TcpListener) -> (String, Arc<Recv>) {
    let r = Arc::new(Recv {
        status: AtomicU16::new(200),
        hold_after: AtomicUsize::new(usize::MAX),
        release: watch::channel(false).0,
        requests: AtomicUsize::new(0),
        accepted: Mutex::new(Vec::new()),
        rejected: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(r.clone());
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), r)
}

/// Polls `done` until it holds; fails after a generous deadline.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn spec(url: &str, filter: EventFilter) -> HookSpec {
    HookSpec {
        url: url.into(),
        secret: SECRET.into(),
        filter,
        format: None,
    }
}

fn log(hooks: &Webhooks, owner: OwnerId, id: &str) -> Vec<Value> {
    hooks.deliveries(owner, id, None, usize::MAX).unwrap().0
}
