//! What the runtime knows of a platform is what its plugin declares: the
//! parameter behind each shared word, its share of an automatic profile, the
//! metrics a script reads as views, likes and comments, which signals apply
//! to content, its API hosts and webhook formats. Checked with the built-in
//! platforms and the test plugins (`hostile` declares no share and no shared
//! word; `legacy`, built for contract 0.1, cannot declare them).

use serde_json::{json, Value};

use super::*;

fn server_with_hostile() -> Server {
    let plugins = crate::common::test_plugins();
    Server::start_with(&["--plugins", plugins.to_str().expect("utf-8 path")])
}

fn platforms(s: &Server) -> Vec<Value> {
    let list = s.get("/v1/platforms", ADMIN).expect(200);
    list["platforms"].as_array().expect("a list").clone()
}

fn platform<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is listed: {list:?}"))
}

#[test]
fn automatic_profiles_take_the_platforms_that_declare_a_share() {
    let s = server_with_hostile();
    let list = platforms(&s);
    let shares: Vec<(String, Value)> = list
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["automatic_share"].clone(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            // A 0.2 plugin that declares none.
            ("archive".to_string(), Value::Null),
            // Facebook joins only the profiles that name it.
            ("facebook".to_string(), Value::Null),
            ("hostile".to_string(), Value::Null),
            ("instagram".to_string(), json!(0.6)),
            // A 0.1 plugin cannot declare a share.
            ("legacy".to_string(), Value::Null),
            // Telegram joins only the profiles that name it.
            ("telegram".to_string(), Value::Null),
            ("tiktok".to_string(), json!(0.8)),
            // Named explicitly; not part of an automatic profile.
            ("x".to_string(), Value::Null),
            ("youtube".to_string(), json!(1.0)),
        ]
    );

    // No platforms named: those that declare a share, each sized by it
    // through the parameter it declares for `audience`.
    let p = s.create(json!({"size": 50_000, "seed": 1}));
    assert_eq!(
        p.view["platforms"],
        json!({
            "instagram": {"followers": 30_000},
            "tiktok": {"followers": 40_000},
            "youtube": {"subscribers": 50_000},
        })
    );
    // Named, a platform joins whether it declares a share or not.
    let p = s.create(json!({"platforms": {"hostile": {"mode": "well"}, "tiktok": {}}, "seed": 2}));
    assert_eq!(
        p.view["platforms"],
        json!({"hostile": {"mode": "well"}, "tiktok": {}})
    );
    // But a size cannot be given to a platform with no audience parameter.
    let m = s
        .post(
            "/v1/profiles",
            ADMIN,
            &json!({"platforms": ["tiktok", "hostile"], "size": 1_000}),
        )
        .error(422, "invalid");
    assert!(
        m.contains("`size`: hostile has no parameter for the shared word `audience`")
            && m.contains("its parameters: mode"),
        "{m}"
    );
}

#[test]
fn the_shared_vocabulary_goes_through_each_platforms_declared_parameters() {
    let s = server_with_hostile();
    let p = s.create(json!({
        "seed": 3,
        "size": 10_000,
        "platforms": {
            "youtube": {"audience": 120_000, "upload_frequency": 2, "engagement_rate": 0.05,
                        "avg_views": 9_000, "comment_volume": "high"},
            "instagram": {"upload_frequency": 1, "dm_frequency": "low"},
            "tiktok": {"comment_volume": "viral", "share_rate": 0.01},
        },
    }));
    assert_eq!(
        p.view["platforms"],
        json!({
            "instagram": {"followers": 6_000, "posts_per_day": 1, "dm_frequency": "low"},
            "tiktok": {"followers": 8_000, "comment_volume": "viral", "share_rate": 0.01},
            "youtube": {"subscribers": 120_000, "uploads_per_day": 2, "like_rate": 0.05,
                        "avg_views": 9_000, "comment_volume": "high"},
        })
    );

    // A shared word a platform has no parameter for names the platform and
    // lists its parameters.
    let refused = |body: Value| s.post("/v1/profiles", ADMIN, &body).error(422, "invalid");
    let m = refused(json!({"platforms": {"youtube": {"dm_frequency": "low"}}}));
    assert!(
        m.contains("`platforms.youtube.dm_frequency`: youtube has no parameter for the shared word `dm_frequency`")
            && m.contains("subscribers, uploads_per_day"),
        "{m}"
    );
    let m = refused(json!({"platforms": {"instagram": {"avg_views": 5}}}));
    assert!(
        m.contains("instagram has no parameter for the shared word `avg_views`"),
        "{m}"
    );
    let m = refused(json!({"platforms": {"hostile": {"audience": 5}}}));
    assert!(
        m.contains("hostile has no parameter") && m.contains("mode"),
        "{m}"
    );
    // One parameter set twice, under the shared word and its own name.
    let m = refused(json!({"platforms": {"tiktok": {"audience": 5, "followers": 6}}}));
    assert!(m.contains("`audience`") && m.contains("`followers`"), "{m}");
    // Counts keep the range of `size` under either name.
    for (key, value) in [
        ("audience", json!(1_000_000_001u64)),
        ("followers", json!(-1)),
    ] {
        let m = refused(json!({"platforms": {"tiktok": {key: value}}}));
        assert!(
            m.contains(&format!(
                "`platforms.tiktok.{key}` must be a whole number between 0 and 1000000000"
            )),
            "{m}"
        );
    }
    // The plugin checks its own parameters with its declared ranges.
    let m = refused(json!({"platforms": {"instagram": {"comment_volume": "loud"}}}));
    assert!(m.contains("low, medium, high, viral"), "{m}");
}

#[test]
fn the_listing_shows_what_each_platform_declares_as_documented() {
    let s = server_with_hostile();
    let list = platforms(&s);

    let youtube = platform(&list, "youtube");
    let subscribers = youtube["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "subscribers")
        .expect("subscribers is listed");
    assert_eq!(subscribers["kind"], "count");
    assert_eq!(subscribers["shared"], "audience");
    assert_eq!(subscribers["default"], 100_000);
    assert_eq!(subscribers["max"], 1e10);
    assert!(!subscribers["description"].as_str().unwrap().is_empty());
    let shared: Vec<&str> = youtube["params"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["shared"].as_str())
        .collect();
    assert_eq!(
        shared,
        [
            "audience",
            "upload_frequency",
            "avg_views",
            "engagement_rate",
            "comment_volume"
        ]
    );
    assert_eq!(youtube["defaults"]["avg_views"], Value::Null);
    assert_eq!(
        youtube["metric_roles"],
        json!({"views": "views", "likes": "likes", "comments": "comments"})
    );
    assert_eq!(youtube["limits"][0]["action"], "publish");
    let on_content: Vec<&str> = youtube["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["on_content"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(on_content, ["viral", "troll_wave"]);
    assert_eq!(
        youtube["api_hosts"],
        json!(["www.googleapis.com", "youtube.googleapis.com"])
    );
    assert_eq!(
        youtube["webhook_formats"][0]["content_type"],
        "application/atom+xml"
    );
    let instagram = platform(&list, "instagram");
    assert_eq!(
        instagram["api_hosts"],
        json!(["graph.instagram.com", "graph.facebook.com"])
    );
    assert!(instagram["webhook_formats"][0]["description"]
        .as_str()
        .unwrap()
        .contains("X-Hub-Signature-256"));
    let tiktok = platform(&list, "tiktok");
    assert_eq!(tiktok["api_hosts"], json!(["open.tiktokapis.com"]));
    assert!(tiktok["webhook_formats"][0]["description"]
        .as_str()
        .unwrap()
        .contains("TikTok-Signature"));
    for p in [instagram, tiktok] {
        let dm = p["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["shared"] == "dm_frequency")
            .expect("a DM frequency");
        assert_eq!(dm["name"], "dm_frequency");
        assert_eq!(dm["choices"], json!(["low", "medium", "high"]));
    }
    let hostile = platform(&list, "hostile");
    assert_eq!(hostile["automatic_share"], Value::Null);
    assert_eq!(hostile["api_hosts"], json!([]));

    // Every entry has exactly the fields the document describes.
    let doc = s.get("/v1/openapi.json", ADMIN).expect(200);
    let schema = &doc["components"]["schemas"]["PlatformList"]["properties"]["platforms"]["items"];
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .expect("a platform's properties")
        .keys()
        .map(|k| k.as_str())
        .collect();
    documented.sort_unstable();
    for p in &list {
        let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, documented, "{}", p["name"]);
    }
    let param_fields = &schema["properties"]["params"]["items"]["properties"];
    let mut documented: Vec<&str> = param_fields
        .as_object()
        .expect("a parameter's properties")
        .keys()
        .map(|k| k.as_str())
        .collect();
    documented.sort_unstable();
    let mut keys: Vec<&str> = subscribers
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, documented);
    let words = &param_fields["shared"];
    let text = words.to_string();
    for word in [
        "audience",
        "avg_views",
        "engagement_rate",
        "upload_frequency",
        "comment_volume",
        "dm_frequency",
    ] {
        assert!(text.contains(&format!("\"{word}\"")), "{word} in {text}");
    }
}
