//! `/metrics` is open to anyone, so what a client sends must not grow it:
//! every label comes from a closed set.

use reqwest::Method;

use super::*;

#[test]
fn made_up_methods_and_paths_do_not_grow_the_metrics() {
    let s = Server::start();
    // Every standard label once, so the baseline holds what may appear.
    for path in ["/healthz", "/nowhere"] {
        s.call("GET", path, None, None);
        s.call("POST", path, None, None);
    }
    let before = s.metrics().len();
    for i in 0..200 {
        let method = Method::from_bytes(format!("MADEUP{i}").as_bytes()).expect("a method");
        let path = format!("/v1/profiles/{i}/x{i}/{}", i * 7919);
        let r = s.send(s.request(method, &path), format!("MADEUP{i} {path}"));
        assert!(
            r.status == 404 || r.status == 405,
            "MADEUP{i} {path}: {} {}",
            r.status,
            r.text
        );
        let path = format!("/random-{i}");
        s.call("GET", &path, None, None);
    }
    let text = s.metrics();
    // One new series at most: (OTHER, unmatched, 404/405) — a few KB.
    assert!(
        text.len() < before + 8 * 1024,
        "/metrics grew from {before} to {} bytes",
        text.len()
    );
    assert!(!text.contains("MADEUP"), "a raw method became a label");
    assert!(!text.contains("random-"), "a raw path became a label");
    assert!(
        text.contains("method=\"OTHER\",route=\"(unmatched)\""),
        "unknown methods are counted under OTHER"
    );
}
