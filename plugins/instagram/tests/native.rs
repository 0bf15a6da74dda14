//! The Graph API the plugin serves, called directly on a busy account:
//! whatever a request holds, the answer is Graph's JSON (never a 500), the
//! same request gets the same bytes, the memory stays within its bounds,
//! and the writes are the account's actions.

use diorama_instagram::native::memory;
use diorama_instagram::Instagram;
use diorama_sdk::harness::Harness;
use diorama_sdk::*;
use serde_json::Value;

fn busy() -> Harness<Instagram> {
    let mut h = Harness::<Instagram>::new(Harness::<Instagram>::config(
        7,
        "fitness",
        r#"{"followers": 2000000}"#,
    ))
    .unwrap();
    h.advance(3 * DAY);
    h
}

fn get(h: &Harness<Instagram>, path: &str, query: &str) -> HttpResponse {
    request(h, "GET", path, query, b"")
}

fn request(
    h: &Harness<Instagram>,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> HttpResponse {
    let r = HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: vec![
            ("host".into(), "127.0.0.1:8080".into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: body.to_vec(),
    };
    match h.state().handle_request(h.now(), &r) {
        NativeOutcome::Respond(r) => r,
        NativeOutcome::Act(a) => HttpResponse::json(
            299,
            &serde_json::json!({ "act": a.action.kind, "params": a.action.params, "context": a.context }),
        ),
    }
}

fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).expect("the answer is JSON")
}

#[test]
fn hostile_requests_get_graph_errors_never_a_500() {
    let h = busy();
    let me = h.state().creator().id.clone();
    let paths = [
        "/",
        "/v21.0",
        "/v21.0/",
        "/v99999.0/me",
        "/vX/me",
        "/me",
        "/v21.0/me/media/extra/more",
        "/v21.0/%00",
        "/v21.0/me/../../etc",
        "/v21.0/aWdf",
        "/v21.0/aWdfZGlvcmFtYQ",
        "/v21.0/18000000000000000/replies",
        "/v21.0/99999999999999999999999/insights",
        "/v21.0/me/conversations",
        "/v21.0/me/messages",
        "/v21.0/me/insights",
    ];
    let queries = [
        "",
        "fields=",
        "fields=id,,id",
        "fields={}",
        "fields=a.b.c(",
        "fields=media.limit(-1){id}",
        "fields=media.limit(99999999999999999999){id}",
        "limit=-5",
        "limit=1e9",
        "after=%FF%FE",
        "before=ZGlvcmFtYTo",
        "metric=reach&period=day",
        "metric=,,",
        "ids=me,me,me",
        "fields=media{comments{replies{from{id}}}}",
        "since=x&until=y",
        "fields=id&fields=username",
        &"a=b&".repeat(100),
    ];
    let mut answered = 0;
    for method in ["GET", "POST", "DELETE", "PATCH"] {
        for path in paths {
            for query in queries {
                let path = path.replace("me", &me);
                let r = request(
                    &h,
                    method,
                    &path,
                    query,
                    b"message=hi&hide=yes&creation_id=1",
                );
                assert!(
                    matches!(r.status, 200 | 299 | 400 | 501),
                    "{method} {path}?{query}: {}",
                    r.status
                );
                let v = json(&r);
                if r.status >= 400 {
                    let e = &v["error"];
                    assert!(e["message"].is_string() && e["type"].is_string(), "{v}");
                    assert!(e["code"].is_i64() && e["fbtrace_id"].is_string(), "{v}");
                }
                let again = request(
                    &h,
                    method,
                    &path,
                    query,
                    b"message=hi&hide=yes&creation_id=1",
                );
                assert_eq!(r, again, "{method} {path}?{query}: the same bytes");
                answered += 1;
            }
        }
    }
    assert_eq!(answered, 4 * paths.len() * queries.len());
    // A JSON body that is not an object, and one that is not JSON.
    for body in [&b"[1,2]"[..], b"{", b"\xff"] {
        let r = HttpRequest {
            method: "POST".into(),
            path: format!("/v21.0/{me}/media"),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_vec(),
            ..HttpRequest::default()
        };
        let NativeOutcome::Respond(r) = h.state().handle_request(h.now(), &r) else {
            panic!("a bad body acts")
        };
        assert_eq!(json(&r)["error"]["code"], 100);
    }
}

#[test]
fn the_memory_holds_the_recent_ones_and_stays_bounded() {
    let h = busy();
    let m = h.state().native_memory();
    assert_eq!(
        m.comments.len(),
        memory::COMMENTS,
        "a busy account fills it"
    );
    assert!(m.dms.len() <= memory::DMS && !m.dms.is_empty());
    assert!(m.mentions.len() <= memory::MENTIONS && !m.mentions.is_empty());
    let bytes = serde_json::to_vec(m).unwrap().len();
    let state = serde_json::to_vec(h.state()).unwrap().len();
    assert!(
        bytes < 600_000,
        "the memory takes {bytes} bytes of a {state}-byte state"
    );
    eprintln!("the memory takes {bytes} bytes of a {state}-byte state");
    // In time order.
    assert!(m
        .comments
        .iter()
        .zip(m.comments.iter().skip(1))
        .all(|(a, b)| a.at <= b.at && a.seq < b.seq));
}

#[test]
fn writes_are_the_accounts_actions() {
    let mut h = busy();
    let me = h.state().creator().id.clone();
    // A container, then its publication.
    let r = request(
        &h,
        "POST",
        &format!("/v21.0/{me}/media"),
        "",
        b"image_url=https%3A%2F%2Fexample.com%2Fa.jpg&caption=Hello+there",
    );
    assert_eq!(r.status, 299, "{}", String::from_utf8_lossy(&r.body));
    let act = json(&r);
    assert_eq!(act["act"], "create_container");
    let events = h
        .act("create_container", act["params"].as_str().unwrap())
        .unwrap();
    let answer = h
        .state()
        .finish_request(h.now(), act["context"].as_str().unwrap(), Ok(&events));
    let container = json(&answer)["id"].as_str().unwrap().to_string();
    let status = json(&get(
        &h,
        &format!("/v21.0/{container}"),
        "fields=status_code",
    ));
    assert_eq!(status["status_code"], "FINISHED");
    let events = h
        .act(
            "publish_container",
            &format!(r#"{{"container_id": "{container}"}}"#),
        )
        .unwrap();
    let Payload::Content(c) = &events[0].payload else {
        panic!("{events:?}")
    };
    assert_eq!((c.kind.as_str(), c.text.as_str()), ("post", "Hello there"));
    let answer = json(&h.state().finish_request(h.now(), "publish", Ok(&events)));
    let media = answer["id"].as_str().unwrap();
    let node = json(&get(
        &h,
        &format!("/v21.0/{media}"),
        "fields=caption,shortcode",
    ));
    assert_eq!(node["caption"], "Hello there");
    assert_eq!(node["shortcode"], c.id.as_str());
    let again = h.act(
        "publish_container",
        &format!(r#"{{"container_id": "{container}"}}"#),
    );
    assert!(matches!(again, Err(ActionError::Invalid(_))), "{again:?}");
    // Hide then delete the newest comment.
    let newest = h.state().native_memory().comments.back().unwrap().clone();
    h.act(
        "hide_comment",
        &format!(r#"{{"comment_id": "{}"}}"#, newest.id),
    )
    .unwrap();
    let node = json(&get(&h, &format!("/v21.0/{}", newest.id), "fields=hidden"));
    assert_eq!(node["hidden"], true);
    let events = h
        .act(
            "delete_comment",
            &format!(r#"{{"comment_id": "{}"}}"#, newest.id),
        )
        .unwrap();
    assert!(matches!(&events[0].payload, Payload::Notice(n) if n.code == "comment_deleted"));
    let r = get(&h, &format!("/v21.0/{}", newest.id), "fields=id");
    assert_eq!(json(&r)["error"]["error_subcode"], 33);
    let gone = h.act(
        "hide_comment",
        &format!(r#"{{"comment_id": "{}"}}"#, newest.id),
    );
    assert!(matches!(gone, Err(ActionError::NotFound(_))), "{gone:?}");
    // The memory survives a snapshot.
    let before = h.state().native_memory().clone();
    h.snapshot_roundtrip().unwrap();
    assert!(*h.state().native_memory() == before);
}
