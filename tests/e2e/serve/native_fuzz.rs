//! The six platforms' native APIs under random requests, as the `/v1` routes
//! are fuzzed: paths made of each API's own words and of junk, odd query
//! parameters, every method, bodies of every kind. Whatever comes, the
//! answer is the platform's (never a server error, never diorama's own
//! error shape, with a token or without), and the profile and the
//! server carry on. The requests come from a fixed seed, so a failure
//! repeats.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::Method;
use serde_json::{json, Value};

use super::*;

/// Each platform's API: the words its paths are made of, and its real
/// endpoints, for requests that reach its handlers with odd parameters and
/// bodies.
struct Api {
    platform: &'static str,
    words: &'static [&'static str],
    endpoints: &'static [&'static str],
}

const APIS: &[Api] = &[
    Api {
        platform: "youtube",
        words: &[
            "youtube",
            "v3",
            "upload",
            "commentThreads",
            "comments",
            "videos",
            "channels",
            "search",
            "playlistItems",
            "setModerationStatus",
            "rate",
            "getRating",
        ],
        endpoints: &[
            "/youtube/v3/commentThreads",
            "/youtube/v3/comments",
            "/youtube/v3/comments/setModerationStatus",
            "/youtube/v3/videos",
            "/youtube/v3/videos/rate",
            "/youtube/v3/videos/getRating",
            "/youtube/v3/channels",
            "/youtube/v3/search",
            "/youtube/v3/playlistItems",
            "/upload/youtube/v3/videos",
        ],
    },
    Api {
        platform: "instagram",
        words: &[
            "v21.0",
            "me",
            "media",
            "comments",
            "replies",
            "media_publish",
            "content_publishing_limit",
            "conversations",
            "messages",
            "insights",
            "tags",
            "stories",
        ],
        endpoints: &[
            "/v21.0/me",
            "/v21.0/me/media",
            "/v21.0/me/media_publish",
            "/v21.0/me/content_publishing_limit",
            "/v21.0/me/conversations",
            "/v21.0/me/messages",
            "/v21.0/me/tags",
            "/v21.0/me/stories",
            "/v21.0/me/insights",
        ],
    },
    Api {
        platform: "tiktok",
        words: &[
            "v2",
            "user",
            "info",
            "video",
            "list",
            "query",
            "post",
            "publish",
            "creator_info",
            "init",
            "status",
            "fetch",
            "research",
            "comment",
        ],
        endpoints: &[
            "/v2/user/info/",
            "/v2/video/list/",
            "/v2/video/query/",
            "/v2/post/publish/creator_info/query/",
            "/v2/post/publish/video/init/",
            "/v2/post/publish/status/fetch/",
            "/v2/research/video/comment/list/",
        ],
    },
    Api {
        platform: "x",
        words: &[
            "2",
            "tweets",
            "users",
            "me",
            "mentions",
            "search",
            "recent",
            "dm_events",
            "dm_conversations",
            "with",
            "liking_users",
            "followers",
        ],
        endpoints: &[
            "/2/tweets",
            "/2/tweets/search/recent",
            "/2/users/me",
            "/2/users/1/mentions",
            "/2/users/1/tweets",
            "/2/users/1/followers",
            "/2/tweets/1/liking_users",
            "/2/dm_events",
        ],
    },
    Api {
        platform: "facebook",
        words: &[
            "v21.0",
            "me",
            "feed",
            "published_posts",
            "comments",
            "reactions",
            "photos",
            "insights",
            "conversations",
            "messages",
        ],
        endpoints: &[
            "/v21.0/me",
            "/v21.0/me/feed",
            "/v21.0/me/published_posts",
            "/v21.0/me/photos",
            "/v21.0/me/insights",
            "/v21.0/me/conversations",
            "/v21.0/me/messages",
        ],
    },
    Api {
        platform: "telegram",
        words: &[
            "bot",
            "getMe",
            "getUpdates",
            "sendMessage",
            "editMessageText",
            "deleteMessage",
            "forwardMessage",
            "getChat",
            "setMessageReaction",
            "setWebhook",
        ],
        endpoints: &[
            "/bot/getMe",
            "/bot/getUpdates",
            "/bot/sendMessage",
            "/bot/editMessageText",
            "/bot/deleteMessage",
            "/bot/getChat",
            "/bot/getChatMemberCount",
            "/bot/setMessageReaction",
            "/bot/answerCallbackQuery",
        ],
    },
];

// No `..`: the client resolves it before sending, and the request leaves
// the platform's prefix.
const JUNK_SEGMENTS: &[&str] = &[
    "...",
    "%2e",
    "%00",
    "%zz",
    "ü",
    "🔥",
    "-1",
    "0",
    "99999999999999999999999",
    "null",
    "{id}",
    "a%2Fb",
    " ",
];

const QUERY_KEYS: &[&str] = &[
    "part",
    "fields",
    "id",
    "mine",
    "maxResults",
    "max_results",
    "pageToken",
    "pagination_token",
    "cursor",
    "after",
    "limit",
    "videoId",
    "expansions",
    "tweet.fields",
    "user.fields",
    "query",
    "textFormat",
    "order",
    "uploadType",
    "metric",
    "period",
    "summary",
];

const QUERY_VALUES: &[&str] = &[
    "",
    "snippet",
    "snippet,replies",
    "id,snippet,statistics",
    "-1",
    "0",
    "1",
    "101",
    "18446744073709551616",
    "1e309",
    "true",
    "%zz",
    "%00",
    "ü🔥",
    "a,b,,c",
    "from:me is:reply",
    "id,text,created_at",
];

/// A random path below the API's root.
fn path(rng: &mut ChaCha8Rng, words: &[&str]) -> String {
    let n = rng.random_range(0..6);
    let mut p = String::new();
    for _ in 0..n {
        p.push('/');
        match rng.random_range(0..10) {
            0..=6 => p.push_str(words.choose(rng).unwrap()),
            7 | 8 => p.push_str(JUNK_SEGMENTS.choose(rng).unwrap()),
            _ => p.push_str(&"a".repeat(rng.random_range(1..3_000))),
        }
    }
    if rng.random_bool(0.2) {
        p.push('/');
    }
    p
}

/// A random query string (without its `?`).
fn query(rng: &mut ChaCha8Rng) -> String {
    let n = rng.random_range(0..6);
    (0..n)
        .map(|_| {
            let k = QUERY_KEYS.choose(rng).unwrap();
            if rng.random_bool(0.1) {
                k.to_string()
            } else {
                format!("{k}={}", QUERY_VALUES.choose(rng).unwrap())
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Random JSON, up to `depth` levels.
fn junk_json(rng: &mut ChaCha8Rng, depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-1e12..1e12)),
        3 => json!(*QUERY_VALUES.choose(rng).unwrap()),
        4 => json!("x".repeat(rng.random_range(0..5_000))),
        5 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| junk_json(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let mut o = serde_json::Map::new();
            for _ in 0..rng.random_range(0..5) {
                let k = QUERY_KEYS.choose(rng).unwrap().to_string();
                o.insert(k, junk_json(rng, depth - 1));
            }
            // The fields the APIs' writes read.
            for k in [
                "snippet",
                "text",
                "message",
                "caption",
                "reply",
                "post_info",
            ] {
                if rng.random_bool(0.2) {
                    o.insert(k.into(), junk_json(rng, depth - 1));
                }
            }
            Value::Object(o)
        }
    }
}

/// Diorama's own error shape: `{"error": {"code": "<word>", "message"}}`
/// (TikTok's envelope has a string code too, beside its `log_id`).
fn is_dioramas_error(v: &Value) -> bool {
    v["error"]["code"].is_string() && v["error"].get("log_id").is_none() && v.get("data").is_none()
}

#[test]
fn random_requests_get_the_platforms_answers_and_harm_nothing() {
    let s = Server::start();
    let p = s.create(json!({
        "platforms": ["youtube", "instagram", "tiktok", "x", "facebook", "telegram"],
        "size": 400_000,
        "seed": 77,
        "speed": 20_000.0,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let comments = format!("/v1/profiles/{}/interactions?kind=comment&limit=1", p.id);
    wait_for("a comment", PATIENCE, || {
        let page = s.get(&comments, &p.token).expect(200);
        (!page["items"].as_array().unwrap().is_empty()).then_some(())
    });
    s.pause(&p.id);
    let before = s.view(&p.id, &p.token);

    let mut rng = ChaCha8Rng::seed_from_u64(20261203);
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let mut answered = std::collections::BTreeMap::<(String, u16), u32>::new();
    for Api {
        platform,
        words,
        endpoints,
    } in APIS
    {
        for _ in 0..200 {
            let method = methods.choose(&mut rng).unwrap().clone();
            let q = query(&mut rng);
            let below = if rng.random_bool(0.5) {
                endpoints.choose(&mut rng).unwrap().to_string()
            } else {
                path(&mut rng, words)
            };
            let target = format!(
                "/native/{platform}{below}{}{q}",
                if q.is_empty() { "" } else { "?" }
            );
            let with_token = rng.random_bool(0.9);
            let mut req = s.request(method.clone(), &target);
            if with_token {
                req = req.bearer_auth(&p.token);
            }
            req = match rng.random_range(0..5) {
                0 => req,
                1 => req.json(&junk_json(&mut rng, 3)),
                2 => req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("{}&message=hi", query(&mut rng))),
                3 => {
                    let n = rng.random_range(0..20_000);
                    let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                    req.header("content-type", "application/octet-stream")
                        .body(bytes)
                }
                _ => req
                    .header("content-type", "application/json")
                    .body("{\"snippet\": {\"textOriginal\": "),
            };
            let what = format!("{method} {target}");
            let r = s.send(req, what.clone());
            *answered
                .entry((platform.to_string(), r.status))
                .or_default() += 1;
            assert!(
                r.status < 500 || r.status == 501,
                "{what}: {} {}\n{}",
                r.status,
                r.text,
                s.log()
            );
            // With a token or without, an error is in the platform's shape.
            if r.status >= 400 {
                assert!(!r.text.is_empty(), "{what}: {} with no body", r.status);
                let body: Value = serde_json::from_str(&r.text).unwrap_or_else(|e| {
                    panic!("{what}: {} answer is not JSON ({e}): {}", r.status, r.text)
                });
                assert!(
                    !is_dioramas_error(&body),
                    "{what}: diorama's error shape, not the platform's: {} {}",
                    r.status,
                    r.text
                );
            }
        }
    }
    println!("native fuzz: answers by platform and status: {answered:?}");

    // The profile carries on, its stored events untouched by what was
    // refused, and every API still answers a plain read.
    let after = s.view(&p.id, &p.token);
    assert_eq!(after["status"], before["status"], "{after}");
    assert!(
        after["events"].as_u64() >= before["events"].as_u64(),
        "{before} -> {after}"
    );
    let events = s.all_events(&p.id, &p.token);
    assert_contiguous(&events, "the profile's events after the fuzzing");
    for read in [
        "/native/youtube/youtube/v3/channels?part=snippet&mine=true",
        "/native/instagram/v21.0/me?fields=id,username",
        "/native/x/2/users/me",
    ] {
        s.get(read, &p.token).expect(200);
    }
    s.get("/v1/profiles", ADMIN).expect(200);
}
