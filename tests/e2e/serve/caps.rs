//! Caps on what clients hold open: event streams per profile (429) and
//! overall (503), connections and requests in flight (503), each answered
//! in the server's JSON error shape; the server keeps serving.

use std::io::Write;
use std::net::TcpStream;

use serde_json::json;

use super::*;

fn stream_path(id: &str) -> String {
    format!("/v1/profiles/{id}/stream?after=0")
}

#[test]
fn event_streams_are_capped_per_profile_and_overall() {
    let s = Server::start_with(&["--max-streams-per-profile", "2", "--max-streams", "3"]);
    let a = s.create(json!({"platforms": ["youtube"], "seed": 1}));
    let b = s.create(json!({"platforms": ["youtube"], "seed": 2}));
    let a1 = Sse::open(&s, &stream_path(&a.id), &a.token, None);
    let _a2 = Sse::open(&s, &stream_path(&a.id), ADMIN, None);
    // A third on the same profile, whoever asks: 429, with Retry-After.
    let r = s.get(&stream_path(&a.id), &a.token);
    let m = r.error(429, "too_many_streams");
    assert!(m.contains("most allowed is 2"), "{m}");
    assert!(r.headers.get("retry-after").is_some());
    // Another profile still gets one; then the server is full: 503.
    let _b1 = Sse::open(&s, &stream_path(&b.id), &b.token, None);
    let m = s
        .get(&stream_path(&b.id), &b.token)
        .error(503, "server_busy");
    assert!(m.contains("3 event streams"), "{m}");
    // Everything else is still served.
    s.view(&a.id, &a.token);
    // Closing a stream frees its place.
    drop(a1);
    wait_for("the closed stream's place to free", PATIENCE, || {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let res = client
            .get(s.url(&stream_path(&a.id)))
            .bearer_auth(&a.token)
            .send()
            .ok()?;
        (res.status().as_u16() == 200).then_some(res)
    });
}

/// A request sent up to its body, which never comes: it stays in flight.
fn stalled_request(s: &Server) -> TcpStream {
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut c = TcpStream::connect(&addr).expect("connect");
    write!(
        c,
        "POST /v1/profiles HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {ADMIN}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
    )
    .expect("send the head");
    c.flush().expect("flush");
    c
}

fn fresh_get(s: &Server, path: &str) -> Resp {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a client");
    s.send(
        client.get(s.url(path)),
        format!("GET {path} (fresh connection)"),
    )
}

#[test]
fn requests_in_flight_are_capped_with_a_503() {
    let s = Server::start_with(&["--max-in-flight", "2"]);
    assert_eq!(s.call("GET", "/healthz", None, None).status, 200);
    let stalled: Vec<TcpStream> = (0..2).map(|_| stalled_request(&s)).collect();
    let r = wait_for("the cap to be reached", PATIENCE, || {
        let r = fresh_get(&s, "/healthz");
        (r.status == 503).then_some(r)
    });
    let m = r.error(503, "server_busy");
    assert!(m.contains("2 requests"), "{m}");
    assert!(r.headers.get("retry-after").is_some());
    drop(stalled);
    wait_for("requests to be served again", PATIENCE, || {
        (fresh_get(&s, "/healthz").status == 200).then_some(())
    });
}

#[test]
fn connections_are_capped_with_a_503() {
    let s = Server::start_with(&["--max-connections", "4"]);
    let addr = s.base.trim_start_matches("http://").to_string();
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    let r = wait_for("the cap to be reached", PATIENCE, || {
        let r = fresh_get(&s, "/healthz");
        (r.status == 503).then_some(r)
    });
    let m = r.error(503, "server_busy");
    assert!(m.contains("4 open connections"), "{m}");
    drop(idle);
    wait_for("connections to be taken again", PATIENCE, || {
        (fresh_get(&s, "/healthz").status == 200).then_some(())
    });
}
