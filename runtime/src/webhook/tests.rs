//! Webhook tests: a real store in a temporary directory, real axum
//! receivers on loopback and real HTTP.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicUsize};
use std::time::Instant;

use axum::body::Bytes as BodyBytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};
use serde_json::Value;
use tokio::sync::watch;

use super::*;

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
    }
}

fn log(hooks: &Webhooks, owner: OwnerId, id: &str) -> Vec<Value> {
    hooks.deliveries(owner, id, None, usize::MAX).unwrap().0
}

#[test]
fn sign_verify_round_trip() {
    let body = br#"{"event_id":"1-1"}"#;
    let header = sign(b"k", 1_700_000_000, body);
    assert!(header.starts_with("t=1700000000,v1="), "{header}");
    assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
    assert_eq!(verify(b"k", &header, body, 1_700_000_010, 300), Ok(()));
    // Deterministic: the same input signs the same.
    assert_eq!(header, sign(b"k", 1_700_000_000, body));

    let tampered = verify(b"k", &header, br#"{"event_id":"1-2"}"#, 1_700_000_010, 300);
    assert!(tampered
        .unwrap_err()
        .contains("no v1 signature matches the body"));
    let wrong_secret = verify(b"other", &header, body, 1_700_000_010, 300);
    assert!(wrong_secret.unwrap_err().contains("secret is wrong"));
    let old = verify(b"k", &header, body, 1_700_001_000, 300).unwrap_err();
    assert!(old.contains("is 1000 s old"), "{old}");
    let future = verify(b"k", &header, body, 1_699_999_000, 300).unwrap_err();
    assert!(future.contains("in the future"), "{future}");
    // A signature made for another timestamp does not verify with this one.
    let moved = header.replace("t=1700000000", "t=1700000001");
    assert!(verify(b"k", &moved, body, 1_700_000_010, 300).is_err());
    assert!(verify(b"k", "v1=00", body, 0, 300)
        .unwrap_err()
        .contains("no timestamp"));
    assert!(verify(b"k", "t=5", body, 5, 300)
        .unwrap_err()
        .contains("no v1 signature"));
    assert!(verify(b"k", "garbage", body, 5, 300)
        .unwrap_err()
        .contains("not a name=value pair"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_matching_events_in_order_signed() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(
        store.clone(),
        WebhookConfig {
            log_limit: 16,
            ..config()
        },
    );
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    // Events stored before the hook exists are not delivered.
    append(&store, &hooks, &events(owner, 1, 20));
    let filter = EventFilter {
        platforms: vec!["youtube".into()],
        types: vec!["interaction".into(), "notice".into()],
        kinds: vec![],
    };
    let view = hooks.create(owner, spec(&url, filter.clone())).unwrap();
    assert!(
        view.id.starts_with("wh_") && view.id.len() == 19,
        "{}",
        view.id
    );
    assert!(view.id[3..]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!((view.status, view.cursor, view.pending), ("active", 20, 0));
    let all: Vec<StoredEvent> = [events(owner, 21, 40), events(owner, 61, 40)].concat();
    append(&store, &hooks, &all[..40]);
    append(&store, &hooks, &all[40..]);
    let want: Vec<u64> = all
        .iter()
        .filter(|e| filter.matches(e))
        .map(|e| e.seq)
        .collect();
    assert!(
        want.len() > 20 && want.len() < all.len(),
        "the filter must both keep and drop"
    );

    // Every trailing event handled, matching or not.
    wait_until("the cursor to reach seq 100", || {
        hooks.get(owner, &view.id).unwrap().cursor == 100
    })
    .await;
    assert!(recv.rejected().is_empty(), "{:?}", recv.rejected());
    let got = recv.accepted();
    let seqs: Vec<u64> = got.iter().map(|g| g.seq).collect();
    assert_eq!(seqs, want, "every matching event, once each, in seq order");
    for g in &got {
        assert_eq!(g.event_id, format!("{owner}-{}", g.seq));
        assert_eq!(g.hook, view.id);
        assert_eq!(g.body["profile"], owner.to_string());
        assert_eq!(g.body["event"]["profile"], owner.to_string());
        assert_eq!(g.body["event"]["platform"], "youtube");
        let original = all.iter().find(|e| e.seq == g.seq).unwrap();
        let mut line = Vec::new();
        crate::event::event_line(&owner.to_string(), original, &mut line);
        assert_eq!(
            g.body["event"],
            serde_json::from_slice::<Value>(&line).unwrap()
        );
    }
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!((v.status, v.pending, v.last_error), ("active", 0, None));
    assert_eq!(hooks.counters().delivered, want.len() as u64);

    // The log keeps the newest 16 attempts, pages through them in order.
    let entries = log(&hooks, owner, &view.id);
    let logged: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(logged, want[want.len() - 16..]);
    for e in &entries {
        assert_eq!(e["outcome"], "delivered");
        assert_eq!(e["status"], 200);
        assert_eq!(e["attempt"], 1);
        assert_eq!(e["error"], Value::Null);
    }
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = hooks
            .deliveries(owner, &view.id, after.as_deref(), 5)
            .unwrap();
        assert!(page.len() <= 5);
        paged.extend(page);
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(paged, entries);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_then_recovery_delivers_each_event_once() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    recv.status.store(503, Ordering::SeqCst);
    let view = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap();
    let evs = events(owner, 1, 12);
    append(&store, &hooks, &evs);

    wait_until("several failed attempts", || {
        recv.requests.load(Ordering::SeqCst) >= 4
    })
    .await;
    let failing = hooks.get(owner, &view.id).unwrap();
    assert_eq!(failing.status, "failing");
    assert_eq!(failing.cursor, 0);
    assert!(
        failing
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("503")),
        "{failing:?}"
    );
    assert_eq!(hooks.counters().hooks_failing, 1);
    assert!(recv.accepted().is_empty());

    recv.status.store(200, Ordering::SeqCst);
    wait_until("all 12 events", || recv.accepted().len() >= 12).await;
    wait_until("the cursor to reach 12", || {
        hooks.get(owner, &view.id).unwrap().cursor == 12
    })
    .await;
    let got = recv.accepted();
    let ids: BTreeSet<&str> = got.iter().map(|g| g.event_id.as_str()).collect();
    assert_eq!(ids.len(), 12);
    assert_eq!(got.len(), 12, "no event accepted twice");
    assert_eq!(
        got.iter().map(|g| g.seq).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    // The head event: failed attempts numbered 1, 2, …, then delivered.
    let first: Vec<Value> = log(&hooks, owner, &view.id)
        .into_iter()
        .filter(|e| e["seq"] == 1)
        .collect();
    assert!(first.len() >= 2, "{first:?}");
    for (i, e) in first.iter().enumerate() {
        assert_eq!(e["attempt"], i as u64 + 1);
        assert_eq!(e["event_id"], format!("{owner}-1"));
    }
    let (last, failed) = first.split_last().unwrap();
    assert_eq!(last["outcome"], "delivered");
    for e in failed {
        assert_eq!(e["outcome"], "failed");
        assert_eq!(e["status"], 503);
        assert!(e["error"].as_str().unwrap().contains("503"));
    }
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!(
        (v.status, v.last_error, v.next_attempt_at),
        ("active", None, None)
    );
    let c = hooks.counters();
    assert_eq!((c.delivered, c.hooks_failing, c.gave_up), (12, 0, 0));
    assert!(c.failed_attempts >= failed.len() as u64);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_receiver_is_retried_until_it_listens() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    // A port nothing listens on (bound, then released).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let view = hooks
        .create(
            owner,
            spec(&format!("http://{addr}/hook"), EventFilter::default()),
        )
        .unwrap();
    append(&store, &hooks, &events(owner, 1, 5));
    wait_until("failed attempts", || hooks.counters().failed_attempts >= 2).await;
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!(v.status, "failing");
    assert!(
        v.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("cannot connect")),
        "{v:?}"
    );
    let entry = &log(&hooks, owner, &view.id)[0];
    assert_eq!(
        (entry["status"].clone(), entry["outcome"].clone()),
        (Value::Null, "failed".into())
    );
    // The receiver comes up on that port: everything arrives, in order.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("rebind the released port");
    let (_, recv) = receiver_on(listener);
    wait_until("all 5 events", || recv.accepted().len() >= 5).await;
    let seqs: Vec<u64> = recv.accepted().iter().map(|g| g.seq).collect();
    assert_eq!(seqs, (1..=5).collect::<Vec<_>>());
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let store = Store::open(&path).unwrap();
    let owner = store.new_owner_id().unwrap();
    let (url, recv) = receiver().await;
    // The receiver takes 5 events, then holds the 6th request.
    recv.hold_after.store(5, Ordering::SeqCst);
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    append(&store, &hooks, &events(owner, 1, 20));
    wait_until("the 6th request to be held", || {
        recv.requests.load(Ordering::SeqCst) == 6
    })
    .await;
    hooks.shutdown().await;
    drop(hooks);
    assert_eq!(recv.accepted().len(), 5);
    // More events while the server is down.
    store.append(owner, &events(owner, 21, 20)).unwrap();
    drop(store);
    recv.release.send_replace(true);

    let store = Store::open(&path).unwrap();
    assert_eq!(
        serde_json::from_slice::<Progress>(
            &store.record(OUTBOX, owner, id.as_bytes()).unwrap().unwrap()
        )
        .unwrap()
        .cursor,
        5
    );
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    wait_until("all 40 events", || {
        recv.accepted()
            .iter()
            .map(|g| g.seq)
            .collect::<BTreeSet<_>>()
            .len()
            == 40
    })
    .await;
    wait_until("the cursor to reach 40", || {
        hooks.get(owner, &id).unwrap().cursor == 40
    })
    .await;
    let got = recv.accepted();
    let ids: BTreeSet<String> = got.iter().map(|g| g.event_id.clone()).collect();
    let want: BTreeSet<String> = (1..=40).map(|s| format!("{owner}-{s}")).collect();
    assert_eq!(ids, want);
    // The held request was abandoned: at most it arrives once more.
    assert!(got.len() <= 41, "{} requests accepted", got.len());
    let mut first_seen = Vec::new();
    for g in &got {
        if !first_seen.contains(&g.seq) {
            first_seen.push(g.seq);
        }
    }
    assert_eq!(first_seen, (1..=40).collect::<Vec<_>>());
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_after_a_long_failure_and_410_disables() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(
        store.clone(),
        WebhookConfig {
            give_up_after: Duration::from_millis(150),
            ..config()
        },
    );
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    recv.status.store(500, Ordering::SeqCst);
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    append(&store, &hooks, &events(owner, 1, 6));
    wait_until("the cursor to move past every event", || {
        hooks.get(owner, &id).unwrap().cursor == 6
    })
    .await;
    assert_eq!(hooks.counters().gave_up, 6);
    let entries = log(&hooks, owner, &id);
    for seq in 1..=6u64 {
        let of_seq: Vec<&Value> = entries.iter().filter(|e| e["seq"] == seq).collect();
        let (last, before) = of_seq.split_last().unwrap();
        assert_eq!(last["outcome"], "gave_up", "seq {seq}");
        assert!(before.iter().all(|e| e["outcome"] == "failed"));
    }
    assert!(recv.accepted().is_empty());

    // A 410 disables the hook; it stays listed as disabled.
    recv.status.store(410, Ordering::SeqCst);
    append(&store, &hooks, &events(owner, 7, 3));
    wait_until("the hook to be disabled", || {
        hooks.get(owner, &id).unwrap().status == "disabled"
    })
    .await;
    let v = hooks.get(owner, &id).unwrap();
    assert_eq!(v.cursor, 6, "the event answered 410 is not handled");
    assert!(v.last_error.unwrap().contains("410"));
    let last = log(&hooks, owner, &id).pop().unwrap();
    assert_eq!(
        (last["outcome"].clone(), last["status"].clone()),
        ("disabled".into(), 410.into())
    );
    assert_eq!(hooks.counters().hooks_failing, 0);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_not_found_and_delete() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let other = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let invalid = |s: HookSpec| match hooks.create(owner, s) {
        Err(WebhookError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    };
    let ok = "http://127.0.0.1:9/hook";
    assert!(invalid(spec("not a url", EventFilter::default())).contains("is not a valid URL"));
    assert!(invalid(spec("ftp://example.com/x", EventFilter::default()))
        .contains("uses the scheme `ftp`; only http and https"));
    let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
    assert!(invalid(spec(&long, EventFilter::default())).contains("at most 2048"));
    let mut s = spec(ok, EventFilter::default());
    s.secret = String::new();
    assert_eq!(invalid(s), "secret is 0 bytes long, at least 16 are needed");
    let mut s = spec(ok, EventFilter::default());
    s.secret = "x".repeat(15);
    assert_eq!(
        invalid(s),
        "secret is 15 bytes long, at least 16 are needed"
    );
    // Internal ranges are refused (no traffic is sent to them).
    let e = invalid(spec(
        "http://169.254.169.254/latest",
        EventFilter::default(),
    ));
    assert!(e.contains("link-local"), "{e}");
    let mut s = spec(ok, EventFilter::default());
    s.secret = "x".repeat(257);
    assert!(invalid(s).contains("secret is 257 bytes long, at most 256"));
    let bad_type = EventFilter {
        types: vec!["interaction".into(), "comment".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        invalid(spec(ok, bad_type)),
        "filter.types[1]: unknown event type `comment`; expected one of content, interaction, metric, notice"
    );
    let empty_kind = EventFilter {
        kinds: vec![String::new()],
        ..EventFilter::default()
    };
    assert_eq!(invalid(spec(ok, empty_kind)), "filter.kinds[0] is empty");
    // Unknown fields are refused when parsing a spec.
    let e = serde_json::from_str::<HookSpec>(r#"{"url":"http://a","secret":"s","filtr":{}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field `filtr`"), "{e}");

    // Not found: unknown ids, and ids of another profile.
    assert!(hooks.list(owner).unwrap().is_empty());
    let (url, recv) = receiver().await;
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    for (o, i) in [(owner, "wh_0000000000000000"), (other, id.as_str())] {
        let msg = format!("profile {o} has no webhook `{i}`");
        assert!(matches!(hooks.get(o, i), Err(WebhookError::NotFound(m)) if m == msg));
        assert!(matches!(hooks.delete(o, i), Err(WebhookError::NotFound(_))));
        assert!(matches!(
            hooks.deliveries(o, i, None, 10),
            Err(WebhookError::NotFound(_))
        ));
    }
    assert!(matches!(
        hooks.deliveries(owner, &id, Some("zz"), 10),
        Err(WebhookError::Invalid(m)) if m.contains("invalid deliveries cursor `zz`")
    ));

    // The limit per profile.
    let extra: Vec<String> = (0..2)
        .map(|_| {
            hooks
                .create(owner, spec(ok, EventFilter::default()))
                .unwrap()
                .id
        })
        .collect();
    assert_eq!(
        invalid(spec(ok, EventFilter::default())),
        format!("profile {owner} already has 3 webhooks, the most allowed is 3; delete one first")
    );
    assert_eq!(hooks.list(owner).unwrap().len(), 3);
    // Secrets are never shown.
    let shown = serde_json::to_string(&hooks.list(owner).unwrap()).unwrap();
    assert!(
        !shown.contains(SECRET) && !shown.contains("secret"),
        "{shown}"
    );

    // Room for a new one after a delete.
    hooks.delete(owner, &extra[0]).unwrap();
    let again = hooks
        .create(owner, spec(ok, EventFilter::default()))
        .unwrap()
        .id;
    // Only `id` takes part below: no other task writes while keys are counted.
    hooks.delete(owner, &extra[1]).unwrap();
    hooks.delete(owner, &again).unwrap();

    // Delete removes the hook, its cursor and its whole log.
    append(&store, &hooks, &events(owner, 1, 10));
    wait_until("10 deliveries", || recv.accepted().len() == 10).await;
    wait_until("the cursor to reach 10", || {
        hooks.get(owner, &id).unwrap().cursor == 10
    })
    .await;
    let logged = log(&hooks, owner, &id).len() as u64;
    assert_eq!(logged, 10);
    let before = store.count_owner_keys(owner).unwrap();
    hooks.delete(owner, &id).unwrap();
    assert_eq!(store.count_owner_keys(owner).unwrap(), before - 2 - logged);
    for tree in [HOOKS, OUTBOX, DELIVERIES] {
        let left = store
            .records(tree, owner, id.as_bytes(), b"", usize::MAX)
            .unwrap();
        assert!(
            left.is_empty(),
            "{} keeps {} records",
            tree.name(),
            left.len()
        );
    }
    assert!(matches!(
        hooks.get(owner, &id),
        Err(WebhookError::NotFound(_))
    ));
    assert!(hooks.list(owner).unwrap().is_empty());
    hooks
        .create(owner, spec(ok, EventFilter::default()))
        .unwrap();

    // Forget, then the profile's deletion leaves nothing.
    hooks.forget(owner);
    store.delete_owner(owner).unwrap();
    assert_eq!(store.count_owner_keys(owner).unwrap(), 0);
    hooks.shutdown().await;
    assert_eq!(store.count_owner_keys(owner).unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_events_on_disk_are_delivered() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap();
    // Stored but not flushed: a crash could take it back, so it waits.
    store.append(owner, &events(owner, 1, 10)).unwrap();
    hooks.wake(owner);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recv.requests.load(Ordering::SeqCst), 0);
    store.commit().unwrap();
    hooks.wake(owner);
    wait_until("10 deliveries", || recv.accepted().len() == 10).await;
    hooks.shutdown().await;
}
