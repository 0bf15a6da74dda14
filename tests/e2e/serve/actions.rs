//! The creator acts through the API: a reply to a stored comment, and
//! uploads until the platform's limit answers 429 with `Retry-After`.

use serde_json::json;

use super::*;

#[test]
fn replies_and_the_upload_limit() {
    let s = Server::start();
    let speed: f64 = 10_000.0;
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 1_000_000,
        "seed": 71,
        "speed": speed,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let comments = format!(
        "/v1/profiles/{}/interactions?platform=youtube&kind=comment&limit=1000",
        p.id
    );
    wait_for("a youtube comment", PATIENCE, || {
        let page = s.get(&comments, &p.token).expect(200);
        (!page["items"].as_array().unwrap().is_empty()).then_some(())
    });
    s.pause(&p.id);
    let page = s.get(&comments, &p.token).expect(200);
    let comment = page["items"].as_array().unwrap().last().unwrap().clone();
    let comment_id = comment["id"].as_str().unwrap();
    let actions = format!("/v1/profiles/{}/actions", p.id);

    let made = s
        .post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "reply",
                    "params": {"comment_id": comment_id, "text": "Thanks for watching!"}}),
        )
        .expect(201);
    let list = made["events"].as_array().expect("events");
    let reply = list
        .iter()
        .find(|e| e["kind"] == "reply")
        .unwrap_or_else(|| panic!("a reply event: {made}"));
    assert_eq!(reply["type"], "interaction");
    assert_eq!(reply["platform"], "youtube");
    assert_eq!(reply["profile"], p.id.as_str());
    assert_eq!(reply["parent_id"], comment_id);
    assert_eq!(reply["content_id"], comment["content_id"]);
    assert_eq!(reply["text"], "Thanks for watching!");
    // It is stored, as it was answered.
    let seq = reply["seq"].as_u64().expect("a seq");
    let stored = s
        .get(
            &format!("/v1/profiles/{}/events?after={}&limit=1", p.id, seq - 1),
            &p.token,
        )
        .expect(200);
    assert_eq!(&stored["items"][0], reply);

    // Refusals.
    s.post(
        &actions,
        &p.token,
        &json!({"platform": "youtube", "kind": "reply",
                "params": {"comment_id": "UgzNOPEnopeNOPE", "text": "hi"}}),
    )
    .error(404, "target_not_found");
    let m = s
        .post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "reply",
                    "params": {"comment_id": comment_id, "text": "hi", "mood": "x"}}),
        )
        .error(422, "invalid");
    assert!(m.contains("mood"), "{m}");

    // Uploads: YouTube takes six a day; then 429 with a wall-clock wait.
    let mut published = 0;
    let mut limited = None;
    for i in 1..=7 {
        let r = s.post(
            &actions,
            &p.token,
            &json!({"platform": "youtube", "kind": "publish",
                    "params": {"title": format!("Upload number {i}")}}),
        );
        match r.status {
            201 => {
                let body = r.json();
                let content = &body["events"][0];
                assert_eq!(content["type"], "content", "{body}");
                assert_eq!(content["title"], format!("Upload number {i}"));
                published += 1;
            }
            429 => {
                limited = Some(r);
                break;
            }
            other => panic!("publish #{i}: {other} {}", r.text),
        }
    }
    let r = limited.expect("the seventh upload (or an earlier one) is refused with 429");
    assert!(published >= 1, "the first upload goes through");
    r.error(429, "rate_limited");
    let retry = r.retry_after();
    let most = (86_400.0 / speed).ceil() as u64;
    assert!(
        (1..=most).contains(&retry),
        "Retry-After {retry} s: within a virtual day at {speed}× (≤ {most} s)"
    );
    let contents = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=youtube&limit=1000", p.id),
            &p.token,
        )
        .expect(200);
    let titles: Vec<&str> = contents["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["title"].as_str())
        .filter(|t| t.starts_with("Upload number"))
        .collect();
    assert_eq!(
        titles.len(),
        published,
        "every accepted upload is stored: {titles:?}"
    );
}
