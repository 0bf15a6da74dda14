//! The YouTube Data API as the plugin serves it, driven natively through
//! the SDK's harness: reads change no event, writes are the plugin's
//! actions, the quota and the comment memory are bounded.

use diorama_sdk::harness::Harness;
use diorama_sdk::*;
use diorama_youtube::YouTube;
use serde_json::{json, Value};

type H = Harness<YouTube>;

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "tech", params)).expect("valid config")
}

fn get(h: &H, path_and_query: &str) -> (u16, Value) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let request = HttpRequest {
        method: "GET".into(),
        path: path.into(),
        query: query.into(),
        headers: vec![("host".into(), "127.0.0.1:8080".into())],
        body: Vec::new(),
    };
    match h.state().handle_request(h.now(), &request) {
        NativeOutcome::Respond(r) => (
            r.status,
            serde_json::from_slice(&r.body).unwrap_or(Value::Null),
        ),
        NativeOutcome::Act(a) => panic!("a read acted: {a:?}"),
    }
}

/// Send a write, run its action as the host does, and shape the answer.
fn write(h: &mut H, method: &str, path_and_query: &str, body: Value) -> (u16, Value) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let request = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
    };
    let act = match h.state().handle_request(h.now(), &request) {
        NativeOutcome::Respond(r) => {
            return (
                r.status,
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        }
        NativeOutcome::Act(a) => a,
    };
    let outcome = h.act(&act.action.kind, &act.action.params);
    let at = h.now();
    let r = match &outcome {
        Ok(events) => h.state().finish_request(at, &act.context, Ok(events)),
        Err(e) => h.state().finish_request(at, &act.context, Err(e)),
    };
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

const BUSY: &str = r#"{"subscribers": 2000000, "comment_volume": "high"}"#;

#[test]
fn reads_change_no_event_and_survive_a_snapshot() {
    let mut quiet = harness(5, BUSY);
    let mut read = harness(5, BUSY);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..12 {
        a.extend(quiet.advance(2 * HOUR));
        b.extend(read.advance(2 * HOUR));
        let channel = read.state().creator().id.clone();
        let (status, page) = get(
            &read,
            &format!("/youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId={channel}&maxResults=100"),
        );
        assert_eq!(status, 200, "{page}");
        get(
            &read,
            "/youtube/v3/search?part=snippet&forMine=true&type=video&order=date",
        );
        read.snapshot_roundtrip().expect("the snapshot restores");
    }
    assert_eq!(a, b, "native reads changed the simulation");
    let channel = read.state().creator().id.clone();
    let (_, page) = get(
        &read,
        &format!("/youtube/v3/commentThreads?part=snippet&allThreadsRelatedToChannelId={channel}&maxResults=100"),
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 100, "{page}");
}

#[test]
fn the_comment_memory_stays_bounded() {
    let mut h = harness(8, r#"{"subscribers": 5000000, "comment_volume": "viral"}"#);
    h.advance(10 * DAY);
    let channel = h.state().creator().id.clone();
    let mut token = String::new();
    let mut threads = 0;
    let mut videos = std::collections::BTreeSet::new();
    loop {
        let (status, page) = get(
            &h,
            &format!("/youtube/v3/commentThreads?part=snippet&allThreadsRelatedToChannelId={channel}&maxResults=100&pageToken={token}"),
        );
        assert_eq!(status, 200, "{page}");
        for t in page["items"].as_array().unwrap() {
            videos.insert(t["snippet"]["videoId"].as_str().unwrap().to_string());
            threads += 1;
        }
        match page["nextPageToken"].as_str() {
            Some(t) => token = t.to_string(),
            None => break,
        }
        // The page-token cap holds too.
        assert!(threads <= 100_000);
    }
    assert!(videos.len() <= 8, "{} uploads remembered", videos.len());
    assert!(threads <= 8 * 64, "{threads} threads remembered");
    assert!(threads > 100, "{threads} threads remembered");
}

#[test]
fn writes_are_the_plugins_actions_and_shape_their_resources() {
    let mut h = harness(3, BUSY);
    h.advance(DAY);
    let channel = h.state().creator().id.clone();
    let (_, search) = get(
        &h,
        "/youtube/v3/search?part=id&forMine=true&type=video&order=date&maxResults=1",
    );
    let video = search["items"][0]["id"]["videoId"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, thread) = write(
        &mut h,
        "POST",
        "/youtube/v3/commentThreads?part=snippet",
        json!({"snippet": {"videoId": video, "topLevelComment": {"snippet": {"textOriginal": "First!"}}}}),
    );
    assert_eq!(status, 200, "{thread}");
    assert_eq!(thread["kind"], "youtube#commentThread");
    let top = &thread["snippet"]["topLevelComment"];
    assert_eq!(top["snippet"]["authorChannelId"]["value"], channel.as_str());
    let id = thread["id"].as_str().unwrap().to_string();

    let (status, reply) = write(
        &mut h,
        "POST",
        "/youtube/v3/comments?part=snippet",
        json!({"snippet": {"parentId": id, "textOriginal": "And second."}}),
    );
    assert_eq!(status, 200, "{reply}");
    let (_, listed) = get(
        &h,
        &format!("/youtube/v3/comments?part=snippet&parentId={id}"),
    );
    assert_eq!(listed["items"][0]["id"], reply["id"], "{listed}");

    let (status, _) = write(
        &mut h,
        "DELETE",
        &format!("/youtube/v3/comments?id={id}"),
        Value::Null,
    );
    assert_eq!(status, 204);
    let (_, gone) = get(&h, &format!("/youtube/v3/comments?part=id&id={id}"));
    assert_eq!(gone["items"], json!([]));
    let (status, e) = write(
        &mut h,
        "DELETE",
        &format!("/youtube/v3/comments?id={id}"),
        Value::Null,
    );
    assert_eq!(status, 404, "{e}");
    assert_eq!(e["error"]["errors"][0]["reason"], "commentNotFound");

    // `fields` and `part` shape a write's answer too.
    let (status, v) = write(
        &mut h,
        "PUT",
        "/youtube/v3/videos?part=snippet&fields=id,snippet/title",
        json!({"id": video, "snippet": {"title": "Renamed", "categoryId": "22"}}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!({"id": video, "snippet": {"title": "Renamed"}}));
}

#[test]
fn the_daily_quota_is_spent_at_the_published_costs_and_renews() {
    let mut h = harness(4, "{}");
    h.advance(HOUR);
    let search = "/youtube/v3/search?part=id&forMine=true&type=video";
    for i in 0..100 {
        let (status, body) = get(&h, search);
        assert_eq!(status, 200, "search {i}: {body}");
    }
    let (status, e) = get(&h, "/youtube/v3/channels?part=id&mine=true");
    assert_eq!(status, 403, "{e}");
    assert_eq!(e["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(e["error"]["errors"][0]["domain"], "youtube.quota");
    // The harness starts at midnight UTC, 16:00 in Los Angeles: the day
    // turns eight hours later.
    h.advance(6 * HOUR);
    assert_eq!(get(&h, "/youtube/v3/channels?part=id&mine=true").0, 403);
    h.advance(HOUR + MINUTE);
    assert_eq!(get(&h, "/youtube/v3/channels?part=id&mine=true").0, 200);
}

#[test]
fn bad_requests_get_googles_errors_naming_the_field() {
    let mut h = harness(6, "{}");
    h.advance(HOUR);
    let cases = [
        (
            "/youtube/v3/commentThreads?part=snippet",
            400,
            "missingRequiredParameter",
            None,
        ),
        (
            "/youtube/v3/commentThreads?videoId=x",
            400,
            "required",
            Some("part"),
        ),
        (
            "/youtube/v3/search?part=id&forMine=true&type=video&maxResults=51",
            400,
            "invalidParameter",
            Some("maxResults"),
        ),
        (
            "/youtube/v3/search?part=id&forMine=true&type=video&pageToken=zz",
            400,
            "invalidPageToken",
            Some("pageToken"),
        ),
        (
            "/youtube/v3/videos?part=id&id=a&bogus=1",
            400,
            "unknownParameter",
            Some("bogus"),
        ),
        (
            "/youtube/v3/videos?part=id,nonsense&id=a",
            400,
            "unknownPart",
            Some("part"),
        ),
        (
            "/youtube/v3/videos?part=id&id=a&fields=items(",
            400,
            "invalidParameter",
            Some("fields"),
        ),
        (
            "/youtube/v3/playlists?part=id&mine=true",
            501,
            "notImplemented",
            None,
        ),
        (
            "/youtube/v3/videos?part=id&chart=mostPopular",
            501,
            "notImplemented",
            None,
        ),
        ("/nothing/here", 404, "notFound", None),
    ];
    for (path, code, reason, location) in cases {
        let (status, e) = get(&h, path);
        assert_eq!(status, code, "{path}: {e}");
        assert_eq!(e["error"]["code"], code, "{path}: {e}");
        assert_eq!(e["error"]["errors"][0]["reason"], reason, "{path}: {e}");
        if let Some(l) = location {
            assert_eq!(e["error"]["errors"][0]["location"], l, "{path}: {e}");
        }
    }
    let (status, e) = write(
        &mut h,
        "POST",
        "/youtube/v3/comments?part=snippet",
        json!({"snippet": {"parentId": "x"}}),
    );
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["errors"][0]["location"], "snippet.textOriginal");
    let (status, e) = write(
        &mut h,
        "POST",
        "/youtube/v3/videos/rate?id=x&rating=love",
        Value::Null,
    );
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["errors"][0]["location"], "rating");
}

/// One script of Data API calls between stretches of simulated time: every
/// answer and every event, as text.
fn scripted_calls(seed: u64) -> Vec<String> {
    let mut h = harness(seed, BUSY);
    let mut seen: Vec<String> = h.advance(DAY).iter().map(|e| format!("{e:?}")).collect();
    let (_, search) = get(
        &h,
        "/youtube/v3/search?part=id&forMine=true&type=video&order=date&maxResults=1",
    );
    let video = search["items"][0]["id"]["videoId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, thread) = write(
        &mut h,
        "POST",
        "/youtube/v3/commentThreads?part=snippet",
        json!({"snippet": {"videoId": video, "topLevelComment": {"snippet": {"textOriginal": "Thanks for watching!"}}}}),
    );
    seen.push(thread.to_string());
    seen.extend(h.advance(HOUR).iter().map(|e| format!("{e:?}")));
    let (_, threads) = get(
        &h,
        &format!("/youtube/v3/commentThreads?part=snippet&videoId={video}&maxResults=5"),
    );
    seen.push(threads.to_string());
    let parent = threads["items"][0]["id"].as_str().unwrap().to_string();
    let (_, reply) = write(
        &mut h,
        "POST",
        "/youtube/v3/comments?part=snippet",
        json!({"snippet": {"parentId": parent, "textOriginal": "Glad it helped"}}),
    );
    seen.push(reply.to_string());
    let (_, rated) = write(
        &mut h,
        "POST",
        &format!("/youtube/v3/videos/rate?id={video}&rating=like"),
        Value::Null,
    );
    seen.push(rated.to_string());
    seen.extend(h.advance(HOUR).iter().map(|e| format!("{e:?}")));
    seen
}

#[test]
fn the_same_calls_on_the_same_seed_give_the_same_bytes() {
    let a = scripted_calls(17);
    assert!(a.len() > 100, "{} answers and events", a.len());
    assert_eq!(a, scripted_calls(17));
    assert_ne!(a, scripted_calls(18));
}
