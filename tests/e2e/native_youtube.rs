//! The YouTube Data API's own Python client, google-api-python-client,
//! unmodified and pinned (tests/clients/youtube/requirements.txt), against
//! a real `diorama serve`: the scripts in tests/clients/youtube/ point it at
//! `/native/youtube/` with the profile token as the OAuth access token,
//! check every answer against the discovery document the client ships, and
//! print what they did; these tests then check that the simulated account
//! really holds it (in `/v1`, in the stored events and on the stream).

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{python_venv, root};
use crate::serve::{wait_for, Profile, Server, Sse, ADMIN, PATIENCE};

/// Run one of the client scripts for `p`; its JSON report.
fn client_script(s: &Server, p: &Profile, script: &str) -> Value {
    let venv = python_venv(
        "youtube-client-venv",
        "tests/clients/youtube/requirements.txt",
    );
    let out = Command::new(venv.join("bin/python"))
        .arg(root().join("tests/clients/youtube").join(script))
        .env("DIORAMA_BASE", s.url(""))
        .env("DIORAMA_TOKEN", &p.token)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("{script}: cannot start the venv's python ({e})"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{script}'s report ({e}): {stdout}"))
}

/// A YouTube-only profile whose channel has drawn at least `threads`
/// comment threads on its uploads, then paused (so the listing holds
/// still while the client works).
fn channel_with_threads(s: &Server, seed: u64, threads: usize) -> Profile {
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 1_000_000,
        "seed": seed,
        "speed": 10_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let channel = s
        .get(
            "/native/youtube/youtube/v3/channels?part=id&mine=true",
            &p.token,
        )
        .expect(200)["items"][0]["id"]
        .as_str()
        .expect("the channel id")
        .to_string();
    let path = format!(
        "/native/youtube/youtube/v3/commentThreads?part=id&maxResults=100&allThreadsRelatedToChannelId={channel}"
    );
    wait_for(&format!("{threads} comment threads"), PATIENCE, || {
        std::thread::sleep(Duration::from_millis(200));
        let page = s.get(&path, &p.token).expect(200);
        (page["items"].as_array().expect("items").len() >= threads).then_some(())
    });
    s.pause(&p.id);
    p
}

/// The stored events whose JSON mentions `needle`.
fn events_naming<'a>(events: &'a [Value], needle: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e.to_string().contains(needle))
        .collect()
}

#[test]
fn the_youtube_client_lists_pages_replies_and_moderates() {
    let s = Server::start();
    let p = channel_with_threads(&s, 41, 12);
    let before = s.all_events(&p.id, &p.token);
    let last_seq = before
        .last()
        .and_then(|e| e["seq"].as_u64())
        .expect("a seq");

    let r = client_script(&s, &p, "comments.py");
    assert!(r["thread_pages"].as_u64().unwrap() >= 3, "{r}");
    assert!(r["playlist_pages"].as_u64().unwrap() >= 1, "{r}");
    let channel = r["channel"].as_str().unwrap();

    // The reply is the creator's, stored under its comment in /v1.
    let reply = &r["reply"];
    let replies = s.pages(
        &format!(
            "/v1/profiles/{}/interactions?platform=youtube&kind=reply&limit=500",
            p.id
        ),
        &p.token,
    );
    let stored = replies
        .iter()
        .find(|i| i["id"] == reply["id"])
        .unwrap_or_else(|| panic!("the reply {} is in /v1", reply["id"]));
    assert_eq!(stored["parent_id"], reply["parent"], "{stored}");
    assert_eq!(stored["content_id"], reply["video"], "{stored}");
    assert_eq!(stored["text"], "Thank you for watching!");
    assert_eq!(stored["author"]["id"], channel);
    // The creator's own comment, as a comment of the video.
    let comments = s.pages(
        &format!(
            "/v1/profiles/{}/interactions?platform=youtube&kind=comment&limit=500",
            p.id
        ),
        &p.token,
    );
    let own = comments
        .iter()
        .find(|i| i["id"] == r["own"]["id"])
        .unwrap_or_else(|| panic!("the creator's comment {} is in /v1", r["own"]["id"]));
    assert_eq!(own["author"]["id"], channel);
    assert_eq!(own["content_id"], r["own"]["video"]);

    // Every change is an event: in the store, and on the stream after the
    // last event before the client ran.
    let after = s.all_events(&p.id, &p.token);
    let new: Vec<Value> = after
        .iter()
        .filter(|e| e["seq"].as_u64().unwrap() > last_seq)
        .cloned()
        .collect();
    let m = &r["moderated"];
    for (needle, what) in [
        (reply["id"].as_str().unwrap(), "the reply"),
        (
            r["own"]["id"].as_str().unwrap(),
            "the creator's comment and its edit",
        ),
        (m["held"].as_str().unwrap(), "holding for review"),
        (m["rejected"].as_str().unwrap(), "rejecting"),
        (m["deleted"].as_str().unwrap(), "deleting"),
    ] {
        assert!(
            !events_naming(&new, needle).is_empty(),
            "{what}: no event names {needle}: {new:?}"
        );
    }
    let codes: Vec<&str> = new.iter().filter_map(|e| e["kind"].as_str()).collect();
    for code in ["comment_edited", "comment_moderated", "comment_deleted"] {
        assert!(codes.contains(&code), "a `{code}` notice: {new:?}");
    }
    let mut sse = Sse::open(
        &s,
        &format!("/v1/profiles/{}/stream", p.id),
        &p.token,
        Some(last_seq),
    );
    let mut streamed = Vec::new();
    while streamed.len() < new.len() {
        streamed.push(sse.next().data);
    }
    assert!(
        streamed
            .iter()
            .any(|d| d.contains(reply["id"].as_str().unwrap())),
        "the reply on the stream: {streamed:?}"
    );

    // Every method the script used answered in the discovery document's
    // shapes.
    let checked = r["checked"].as_object().unwrap();
    for method in [
        "youtube.channels.list",
        "youtube.playlistItems.list",
        "youtube.search.list",
        "youtube.commentThreads.list",
        "youtube.commentThreads.insert",
        "youtube.comments.list",
        "youtube.comments.insert",
        "youtube.comments.update",
        "youtube.comments.setModerationStatus",
        "youtube.comments.delete",
    ] {
        assert!(checked.contains_key(method), "{method} checked: {r}");
    }
}

#[test]
fn the_youtube_client_uploads_updates_rates_and_deletes_videos() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 100_000,
        "seed": 43,
        "speed": 1.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let r = client_script(&s, &p, "upload.py");
    // The client itself sends uploads to https, at the host's root.
    let sent = r["client_upload_url"].as_str().unwrap();
    assert!(
        sent.starts_with("https://127.0.0.1:") && sent.contains("/upload/youtube/v3/videos?"),
        "{sent}"
    );
    assert!(!sent.contains("/native/youtube/"), "{sent}");
    // Two chunks answered 308 with the bytes received, then the video.
    assert_eq!(r["resumable"]["progress"], json!([262_144, 524_288]), "{r}");

    let id = r["resumable"]["id"].as_str().unwrap();
    let multi = r["multipart"]["id"].as_str().unwrap();
    let contents = s.pages(
        &format!("/v1/profiles/{}/contents?platform=youtube&limit=500", p.id),
        &p.token,
    );
    let uploaded = contents
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("the upload {id} is in /v1: {contents:?}"));
    assert_eq!(uploaded["title"], "Studio tour 2026", "{uploaded}");
    assert_eq!(uploaded["kind"], "video");
    assert!(contents.iter().any(|c| c["id"] == multi), "{contents:?}");

    let events = s.all_events(&p.id, &p.token);
    let codes: Vec<&str> = events
        .iter()
        .filter(|e| e.to_string().contains(id) || e.to_string().contains(multi))
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for code in ["video_updated", "video_rated", "likes", "video_deleted"] {
        assert!(
            codes.contains(&code),
            "`{code}` among the events of the uploads: {codes:?}"
        );
    }
    let checked = r["checked"].as_object().unwrap();
    for method in [
        "youtube.videos.insert",
        "youtube.videos.list",
        "youtube.videos.update",
        "youtube.videos.rate",
        "youtube.videos.getRating",
        "youtube.videos.delete",
    ] {
        assert!(checked.contains_key(method), "{method} checked: {r}");
    }
}

#[test]
fn the_youtube_client_spends_the_daily_quota_and_it_renews_at_pacific_midnight() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 100_000,
        "seed": 47,
        "speed": 20_000.0,
    }));
    s.pause(&p.id);
    let r = client_script(&s, &p, "quota.py");
    assert_eq!(r["searches"], 100, "{r}");
    assert_eq!(
        r["error"],
        json!({"status": 403, "reason": "quotaExceeded"})
    );
    let channels = "/native/youtube/youtube/v3/channels?part=id&mine=true";
    s.get(channels, &p.token).expect(403);
    // Virtual time runs on; past the next midnight in Los Angeles the
    // quota is whole again.
    s.post(&format!("/v1/profiles/{}/resume", p.id), ADMIN, &json!({}))
        .expect(200);
    wait_for("the quota to renew", Duration::from_secs(60), || {
        std::thread::sleep(Duration::from_millis(250));
        (s.get(channels, &p.token).status == 200).then_some(())
    });
}

#[test]
fn every_youtube_answer_matches_the_discovery_document_the_client_ships() {
    let s = Server::start();
    let p = channel_with_threads(&s, 53, 30);
    let r = client_script(&s, &p, "discovery.py");
    let checked = r["checked"].as_object().unwrap();
    for method in [
        "youtube.channels.list",
        "youtube.search.list",
        "youtube.videos.list",
        "youtube.videos.getRating",
        "youtube.playlistItems.list",
        "youtube.commentThreads.list",
        "youtube.comments.list",
    ] {
        assert!(checked.contains_key(method), "{method} checked: {r}");
    }
}
