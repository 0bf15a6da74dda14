//! A live profile at high speed: comments and DMs arrive, numbered without
//! gaps, with their authors; the metrics count them.

use serde_json::json;

use super::*;

#[test]
fn a_running_profile_makes_comments_and_dms() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram"],
        "size": 1_000_000,
        "seed": 11,
        "speed": 10_000,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    assert_eq!(p.view["status"], "running", "{}", p.view);
    assert!(p.token.starts_with("dpt_"), "token {:?}", p.token);
    let start = p.view["now"].as_i64().expect("virtual now");
    let count = |query: &str| {
        s.get(
            &format!("/v1/profiles/{}/interactions?{query}&limit=1000", p.id),
            &p.token,
        )
        .expect(200)["items"]
            .as_array()
            .expect("items")
            .len()
    };
    wait_for("20 comments (10 on youtube) and 3 DMs", PATIENCE, || {
        let enough = count("kind=comment") >= 20
            && count("kind=comment&platform=youtube") >= 10
            && count("kind=dm") >= 3;
        enough.then_some(())
    });
    let view = s.pause(&p.id);
    assert!(
        view["now"].as_i64().unwrap() > start,
        "virtual time went on: {view}"
    );

    let events = s.all_events(&p.id, &p.token);
    let n = assert_contiguous(&events, "the event log");
    assert_eq!(view["events"].as_u64(), Some(n), "the view counts the log");
    let mut at = i64::MIN;
    for e in &events {
        assert_eq!(e["profile"], p.id.as_str(), "{e}");
        let t = e["at"].as_i64().expect("at");
        assert!(t >= at, "events run in time order: {e}");
        at = t;
        assert!(e["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{e}");
        let platform = e["platform"].as_str().unwrap();
        assert!(
            ["youtube", "instagram"].contains(&platform),
            "only the profile's platforms: {e}"
        );
        if e["type"] == "interaction" {
            let a = &e["author"];
            for field in ["id", "handle", "display_name", "avatar_url"] {
                assert!(
                    a[field].as_str().is_some_and(|v| !v.is_empty()),
                    "author.{field}: {e}"
                );
            }
            assert!(a["verified"].is_boolean(), "{e}");
            assert!(a["followers"].is_u64(), "{e}");
            assert!(e["id"].as_str().is_some_and(|v| !v.is_empty()), "{e}");
            assert!(e["text"].is_string(), "{e}");
        }
    }

    // The filters return what they name, and agree with the raw log.
    let dms = s.pages(
        &format!("/v1/profiles/{}/interactions?kind=dm&limit=1000", p.id),
        &p.token,
    );
    let dms_in_log: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "interaction" && e["kind"] == "dm")
        .cloned()
        .collect();
    assert!(dms.len() >= 3);
    assert_eq!(dms, dms_in_log, "kind=dm lists exactly the log's DMs");
    for d in &dms {
        assert_eq!(d["platform"], "instagram", "{d}");
        assert!(d["dm_type"].is_string(), "a DM has a dm_type: {d}");
    }
    let comments = s.pages(
        &format!(
            "/v1/profiles/{}/interactions?kind=comment&platform=youtube&limit=1000",
            p.id
        ),
        &p.token,
    );
    let comments_in_log: Vec<_> = events
        .iter()
        .filter(|e| {
            e["type"] == "interaction" && e["kind"] == "comment" && e["platform"] == "youtube"
        })
        .cloned()
        .collect();
    assert_eq!(
        comments, comments_in_log,
        "kind=comment&platform=youtube lists exactly the log's youtube comments"
    );
    // Newest first, paged back with `before`: the same, reversed.
    let mut newest = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let cursor = before
            .as_ref()
            .map(|b| format!("&before={b}"))
            .unwrap_or_default();
        let page = s
            .get(
                &format!(
                    "/v1/profiles/{}/interactions?kind=comment&platform=youtube&order=desc&limit=7{cursor}",
                    p.id
                ),
                &p.token,
            )
            .expect(200);
        newest.extend(page["items"].as_array().expect("items").iter().cloned());
        if page["has_more"] != true {
            break;
        }
        before = page["next"].as_str().map(str::to_string);
    }
    let reversed: Vec<_> = comments_in_log.iter().rev().cloned().collect();
    assert_eq!(
        newest, reversed,
        "order=desc pages the same comments newest first"
    );
    s.get(
        &format!("/v1/profiles/{}/interactions?order=desc&after=3", p.id),
        &p.token,
    )
    .error(400, "bad_query");
    for c in &comments {
        assert!(
            c["content_id"].is_string(),
            "a comment is on a content: {c}"
        );
    }

    let m = s.metrics();
    let generated = metric(&m, "diorama_events_generated_total").expect("events generated");
    assert_eq!(
        generated, n as f64,
        "every stored event is counted once\n{m}"
    );
    let lateness =
        metric(&m, "diorama_event_lateness_seconds_count").expect("a lateness histogram");
    assert_eq!(lateness, n as f64, "each event's lateness is observed\n{m}");
    let inf = metric(&m, "diorama_event_lateness_seconds_bucket{le=\"+Inf\"}").expect("+Inf");
    assert_eq!(inf, lateness, "the +Inf bucket holds every observation");
    assert!(
        metric(&m, "diorama_event_lateness_seconds_sum").is_some(),
        "the histogram's sum\n{m}"
    );
    assert_eq!(metric(&m, "diorama_profiles"), Some(1.0), "{m}");
    assert_eq!(
        metric(&m, "diorama_live_profiles"),
        Some(0.0),
        "paused\n{m}"
    );
    assert!(
        m.contains("diorama_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/profiles/{id}/events\",status=\"200\"}"),
        "request durations by route template\n{m}"
    );
}
