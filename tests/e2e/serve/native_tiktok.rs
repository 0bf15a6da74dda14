//! TikTok's API v2 under `/native/tiktok/`, driven with plain HTTP as
//! TikTok's reference describes it (paths, JSON bodies, `fields=`, the
//! `{data, error}` envelope), checked against what the account holds in
//! diorama's own API and on its stream.

use serde_json::{json, Value};

use super::*;

const USER: &str = "/native/tiktok/v2/user/info/";
const LIST: &str = "/native/tiktok/v2/video/list/";
const QUERY: &str = "/native/tiktok/v2/video/query/";
const COMMENTS: &str = "/native/tiktok/v2/research/video/comment/list/";
const CREATOR: &str = "/native/tiktok/v2/post/publish/creator_info/query/";
const INIT: &str = "/native/tiktok/v2/post/publish/video/init/";
const STATUS: &str = "/native/tiktok/v2/post/publish/status/fetch/";

/// A successful envelope's `data`.
fn data(r: &Resp) -> Value {
    let v = r.expect(200);
    assert_eq!(v["error"]["code"], "ok", "{v}");
    assert!(
        v["error"]["log_id"].as_str().is_some_and(|l| l.len() > 14),
        "{v}"
    );
    v["data"].clone()
}

/// An error envelope: its status and code.
fn error(r: &Resp, status: u16, code: &str) -> String {
    let v = r.expect(status);
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["data"].is_object(), "{v}");
    v["error"]["message"].as_str().unwrap_or("").to_string()
}

fn tiktok_profile(s: &Server) -> Profile {
    let p = s.create(json!({
        "platforms": ["tiktok"],
        "size": 200_000,
        "seed": 41,
        "speed": 20_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let comments = format!(
        "/v1/profiles/{}/interactions?platform=tiktok&kind=comment&limit=1",
        p.id
    );
    wait_for("three tiktok videos with comments", PATIENCE, || {
        let page = s.get(&comments, &p.token).expect(200);
        let contents = s
            .get(
                &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1000", p.id),
                &p.token,
            )
            .expect(200);
        let n = contents["items"].as_array().unwrap().len();
        (n >= 3 && !page["items"].as_array().unwrap().is_empty()).then_some(())
    });
    s.pause(&p.id);
    p
}

#[test]
fn tiktok_reads_answer_what_the_account_holds() {
    let s = Server::start();
    let p = tiktok_profile(&s);
    let contents = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1000", p.id),
            &p.token,
        )
        .expect(200);
    let videos = contents["items"].as_array().unwrap().clone();

    // user/info: the fields asked for, the figures diorama holds.
    let user = data(&s.get(
        &format!("{USER}?fields=open_id,display_name,username,follower_count,video_count,likes_count,is_verified"),
        &p.token,
    ))["user"]
        .clone();
    assert_eq!(user["video_count"], videos.len(), "{user}");
    let likes: i64 = videos
        .iter()
        .map(|v| v["metrics"]["likes"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(user["likes_count"], likes, "{user}");
    let followers = s
        .all_events(&p.id, &p.token)
        .into_iter()
        .rev()
        .find(|e| e["platform"] == "tiktok" && e["kind"] == "followers")
        .map(|e| e["total"].as_i64().unwrap())
        .expect("a followers figure");
    assert_eq!(user["follower_count"], followers, "{user}");
    assert!(user["open_id"].as_str().is_some_and(|o| !o.is_empty()));
    assert!(
        user.get("bio_description").is_none(),
        "only what was asked: {user}"
    );
    let e = error(&s.get(USER, &p.token), 400, "invalid_params");
    assert!(e.contains("fields"), "{e}");
    let e = error(
        &s.get(&format!("{USER}?fields=display_name,shoe_size"), &p.token),
        400,
        "invalid_params",
    );
    assert!(e.contains("shoe_size"), "{e}");

    // video/list: newest first, paged with cursor and has_more, every
    // video once, with the counts diorama lists.
    let fields = "fields=id,title,video_description,create_time,view_count,like_count,comment_count,share_count,share_url,duration";
    let mut listed: Vec<Value> = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let mut body = json!({"max_count": 2});
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        let page = data(&s.post(&format!("{LIST}?{fields}"), &p.token, &body));
        let items = page["videos"].as_array().unwrap();
        assert!(items.len() <= 2, "{page}");
        listed.extend(items.iter().cloned());
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
        cursor = Some(page["cursor"].as_i64().unwrap());
        assert!(listed.len() <= videos.len(), "paging ends");
    }
    let ids = |vs: &[Value]| -> Vec<String> {
        vs.iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&listed), ids(&videos), "the same videos, newest first");
    for (n, d) in listed.iter().zip(&videos) {
        for (ours, theirs) in [
            ("view_count", "views"),
            ("like_count", "likes"),
            ("comment_count", "comments"),
            ("share_count", "shares"),
        ] {
            assert_eq!(
                n[ours].as_i64().unwrap(),
                d["metrics"][theirs].as_i64().unwrap_or(0),
                "{ours} of {n} against {d}"
            );
        }
        assert_eq!(n["video_description"], d["text"], "{n} against {d}");
        assert_eq!(n["title"], d["title"], "{n} against {d}");
        assert_eq!(
            n["create_time"].as_i64().unwrap(),
            d["published_at"].as_i64().unwrap() / 1000
        );
        assert_eq!(n["share_url"], d["url"]);
    }
    let e = error(
        &s.post(
            &format!("{LIST}?{fields}"),
            &p.token,
            &json!({"max_count": 21}),
        ),
        400,
        "invalid_params",
    );
    assert!(e.contains("max_count"), "{e}");

    // video/query: the account's videos among the ids; others are left out.
    let wanted = [ids(&videos)[0].clone(), ids(&videos)[2].clone()];
    let q = data(&s.post(
        &format!("{QUERY}?fields=id,view_count"),
        &p.token,
        &json!({"filters": {"video_ids": [wanted[0], wanted[1], "7000000000000000001"]}}),
    ));
    assert_eq!(ids(q["videos"].as_array().unwrap()), wanted.to_vec(), "{q}");
    let e = error(
        &s.post(
            &format!("{QUERY}?fields=id"),
            &p.token,
            &json!({"filters": {}}),
        ),
        400,
        "invalid_params",
    );
    assert!(e.contains("video_ids"), "{e}");

    // The Research API's comment listing: the comments diorama holds on
    // a video, text and all, paged by index.
    let latest = s
        .get(
            &format!(
                "/v1/profiles/{}/interactions?platform=tiktok&kind=comment&limit=1",
                p.id
            ),
            &p.token,
        )
        .expect(200)["items"][0]
        .clone();
    let video = latest["content_id"].as_str().unwrap();
    let mut all: Vec<Value> = Vec::new();
    let mut cursor = 0;
    loop {
        let page = data(&s.post(
            &format!(
                "{COMMENTS}?fields=id,video_id,text,parent_comment_id,create_time,reply_count"
            ),
            &p.token,
            &json!({"video_id": video, "max_count": 5, "cursor": cursor}),
        ));
        let items = page["comments"].as_array().unwrap();
        assert!(items.len() <= 5);
        all.extend(items.iter().cloned());
        cursor = page["cursor"].as_i64().unwrap();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let found = all
        .iter()
        .find(|c| c["id"] == latest["id"])
        .unwrap_or_else(|| panic!("{latest} among {all:?}"));
    assert_eq!(found["text"], latest["text"]);
    assert_eq!(found["video_id"], video);
    assert_eq!(
        found["parent_comment_id"], video,
        "a top-level comment's parent is its video"
    );
    assert!(all.iter().all(|c| c["video_id"] == video));
    let e = error(
        &s.post(
            &format!("{COMMENTS}?fields=id"),
            &p.token,
            &json!({"max_count": 5}),
        ),
        400,
        "invalid_params",
    );
    assert!(e.contains("video_id"), "{e}");
}

#[test]
fn tiktok_posts_through_the_content_posting_api_as_the_publish_action() {
    let s = Server::start();
    let p = tiktok_profile(&s);
    let mut stream = Sse::open(&s, &format!("/v1/profiles/{}/stream", p.id), &p.token, None);

    let info = data(&s.post(CREATOR, &p.token, &json!({})));
    let options = info["privacy_level_options"].as_array().unwrap();
    assert!(options.iter().any(|o| o == "SELF_ONLY"), "{info}");
    let user =
        data(&s.get(&format!("{USER}?fields=username,display_name"), &p.token))["user"].clone();
    assert_eq!(info["creator_username"], user["username"]);
    assert_eq!(info["creator_nickname"], user["display_name"]);

    // PULL_FROM_URL: the video is published; its publish id leads to it.
    let caption = "Native upload from a creator tool #diorama #test";
    let init = data(&s.post(
        INIT,
        &p.token,
        &json!({
            "post_info": {"title": caption, "privacy_level": "SELF_ONLY", "disable_comment": false},
            "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/clip.mp4"},
        }),
    ));
    let publish_id = init["publish_id"].as_str().unwrap().to_string();
    let status = data(&s.post(STATUS, &p.token, &json!({"publish_id": publish_id})));
    assert_eq!(status["status"], "PUBLISH_COMPLETE", "{status}");
    let post_id = status["publicaly_available_post_id"][0]
        .as_u64()
        .expect("a numeric post id")
        .to_string();
    let contents = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1", p.id),
            &p.token,
        )
        .expect(200);
    let newest = &contents["items"][0];
    assert_eq!(newest["id"], post_id.as_str(), "{contents}");
    assert_eq!(newest["text"], caption);
    // On the stream as any content event.
    let on_stream = wait_for("the posted video on the stream", PATIENCE, || {
        let ev = stream.next();
        let v: Value = serde_json::from_str(&ev.data).ok()?;
        (v["type"] == "content" && v["id"] == post_id.as_str()).then_some(v)
    });
    assert_eq!(on_stream["text"], caption);
    let listed = data(&s.post(
        &format!("{LIST}?fields=id,video_description"),
        &p.token,
        &json!({"max_count": 1}),
    ));
    assert_eq!(listed["videos"][0]["id"], post_id.as_str());
    assert_eq!(listed["videos"][0]["video_description"], caption);

    // FILE_UPLOAD: the upload URL takes the bytes with Content-Range (and,
    // unlike TikTok's, the access token).
    let bytes = vec![7u8; 3000];
    let init = data(&s.post(
        INIT,
        &p.token,
        &json!({
            "post_info": {"title": "From a file", "privacy_level": "PUBLIC_TO_EVERYONE"},
            "source_info": {"source": "FILE_UPLOAD", "video_size": 3000, "chunk_size": 3000, "total_chunk_count": 1},
        }),
    ));
    let upload_url = init["upload_url"].as_str().unwrap();
    assert!(upload_url.starts_with(&s.base), "{upload_url}");
    let put = |range: &str, body: Vec<u8>| {
        let req = reqwest::blocking::Client::new()
            .put(upload_url)
            .bearer_auth(&p.token)
            .header("content-type", "video/mp4")
            .header("content-range", range)
            .body(body);
        s.send(req, format!("PUT {upload_url}"))
    };
    let e = put("bytes 0-999/3000", bytes[..10].to_vec());
    error(&e, 400, "invalid_file_upload");
    assert_eq!(put("bytes 0-999/3000", bytes[..1000].to_vec()).status, 206);
    assert_eq!(
        put("bytes 1000-2999/3000", bytes[1000..].to_vec()).status,
        201
    );
    let status = data(&s.post(STATUS, &p.token, &json!({"publish_id": init["publish_id"]})));
    assert_eq!(status["status"], "PUBLISH_COMPLETE", "{status}");

    // Bad posts: TikTok's errors, naming the field; nothing is stored.
    let before = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1000", p.id),
            &p.token,
        )
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len();
    let e = error(
        &s.post(INIT, &p.token, &json!({"post_info": {"privacy_level": "FRIENDS"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/a.mp4"}})),
        400,
        "privacy_level_option_mismatch",
    );
    assert!(e.contains("FRIENDS"), "{e}");
    let e = error(
        &s.post(INIT, &p.token, &json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 50_000_000, "chunk_size": 10_000_000, "total_chunk_count": 4}})),
        400,
        "invalid_params",
    );
    assert!(e.contains("total_chunk_count"), "{e}");
    let raw = s
        .request(reqwest::Method::POST, INIT)
        .bearer_auth(&p.token)
        .header("content-type", "application/json")
        .body("{\"post_info\": ");
    let e = error(
        &s.send(raw, "a truncated body".into()),
        400,
        "invalid_params",
    );
    assert!(e.contains("JSON"), "{e}");
    let e = error(
        &s.post(STATUS, &p.token, &json!({"publish_id": "v_pub_url~v2.123"})),
        400,
        "invalid_params",
    );
    assert!(e.contains("publish_id"), "{e}");
    let after = s
        .get(
            &format!("/v1/profiles/{}/contents?platform=tiktok&limit=1000", p.id),
            &p.token,
        )
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);

    // The daily post cap (10 in 24 hours, the simulator's own uploads
    // included): the post past it is TikTok's spam_risk_too_many_posts,
    // and creator_info says so too.
    let post = json!({
        "post_info": {"title": "one more", "privacy_level": "SELF_ONLY"},
        "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/b.mp4"},
    });
    let capped = (0..12)
        .map(|_| s.post(INIT, &p.token, &post))
        .find(|r| r.status != 200)
        .expect("the cap is reached within 12 posts");
    error(&capped, 403, "spam_risk_too_many_posts");
    error(
        &s.post(CREATOR, &p.token, &json!({})),
        403,
        "spam_risk_too_many_posts",
    );

    // Paths, methods and credentials.
    let e = error(
        &s.get("/native/tiktok/v2/nothing/", &p.token),
        404,
        "not_found",
    );
    assert!(e.contains("/v2/nothing/"), "{e}");
    error(
        &s.post(
            "/native/tiktok/v2/research/video/query/",
            &p.token,
            &json!({}),
        ),
        501,
        "not_implemented",
    );
    error(&s.get(INIT, &p.token), 405, "invalid_params");
    let r = s.call("GET", &format!("{USER}?fields=display_name"), None, None);
    let e = error(&r, 401, "access_token_invalid");
    assert!(e.contains("not found"), "{e}");
    let r = s.get(&format!("{USER}?fields=display_name"), "act.not-a-token");
    error(&r, 401, "access_token_invalid");
    // The token as a query parameter reaches the profile too.
    let r = s.call(
        "GET",
        &format!("{USER}?fields=display_name&access_token={}", p.token),
        None,
        None,
    );
    assert_eq!(data(&r)["user"]["display_name"], user["display_name"]);
}
