//! The realism figures of issue 3, measured with `diorama stats` over a
//! large fixed-seed run: mixes, uniqueness, daily rhythm, reaction delays,
//! heavy-tailed views and engagement per platform.

use crate::common::*;

fn share(list: &serde_json::Value, name: &str) -> f64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in {list}"))["share"]
        .as_f64()
        .unwrap()
}

#[test]
fn a_large_run_has_realistic_figures() {
    let dir = scratch();
    let r = diorama(
        dir.path(),
        &[
            "run",
            path_str(&scenario("realism.rhai")),
            "--out",
            "o",
            "--seed",
            "5",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.describe());
    let r = diorama(dir.path(), &["stats", "o", "--json"]);
    assert_eq!(r.code, 0, "{}", r.describe());
    let st: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();

    // Sentiment 65/25/10 and DM types 40/30/15/10/5, within 2 points.
    let comments: u64 = st["sentiment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert!(comments >= 10_000, "{comments} comments");
    for (name, want) in [("positive", 0.65), ("neutral", 0.25), ("negative", 0.10)] {
        let got = share(&st["sentiment"], name);
        assert!((got - want).abs() <= 0.02, "sentiment {name}: {got}");
    }
    let dms: u64 = st["dm_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert!(dms >= 10_000, "{dms} DMs");
    for (name, want) in [
        ("fan", 0.40),
        ("question", 0.30),
        ("collaboration", 0.15),
        ("spam", 0.10),
        ("criticism", 0.05),
    ] {
        let got = share(&st["dm_types"], name);
        assert!((got - want).abs() <= 0.02, "dm {name}: {got}");
    }

    // Uniqueness within each account (the same "First" on two platforms is
    // two people): the first 1,000 comments all distinct, the first 10,000
    // at least 99 % distinct, never the same text twice under a post.
    let u = &st["uniqueness"];
    assert_eq!(u["first_1000_distinct"], 1000, "{u}");
    assert!(
        u["first_10000_distinct_share"].as_f64().unwrap() >= 0.99,
        "{u}"
    );
    assert_eq!(u["repeats_under_same_post"], 0, "{u}");

    // Daily rhythm: the local afternoon and evening clearly above the night.
    let h = &st["hours"];
    let evening = h["share_15_23"].as_f64().unwrap();
    let night = h["share_03_07"].as_f64().unwrap();
    assert!(evening > 2.0 * night, "15-23 {evening} vs 03-07 {night}");

    // Reaction delays: median between 15 and 90 minutes, a long tail.
    let q = st["delays"]["quantiles_minutes"].as_array().unwrap();
    let median = q[2][1].as_f64().unwrap();
    let p90 = q[4][1].as_f64().unwrap();
    assert!((15.0..=90.0).contains(&median), "median delay {median} min");
    assert!(p90 > 4.0 * median, "p90 {p90} min is a long tail");

    // Views are heavy-tailed across at least 100 posts.
    let posts: u64 = st["views"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["posts"].as_u64().unwrap())
        .sum();
    assert!(posts >= 100, "{posts} posts with views");
    for v in st["views"].as_array().unwrap() {
        assert!(
            v["max"].as_i64().unwrap() > 3 * v["median"].as_i64().unwrap(),
            "{v}"
        );
    }

    // Engagement per post over the audience, in the published ranges.
    let engagement = |platform: &str| -> f64 {
        st["engagement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["platform"] == platform)
            .unwrap()["median"]
            .as_f64()
            .unwrap()
    };
    let ig = engagement("instagram");
    let tt = engagement("tiktok");
    assert!(
        (0.002..=0.012).contains(&ig),
        "Instagram {ig} (Rival IQ: 0.47 %)"
    );
    assert!((0.03..=0.09).contains(&tt), "TikTok {tt} (Rival IQ: 5.7 %)");
    assert!(tt > 5.0 * ig, "TikTok engages far more than Instagram");
    // YouTube: on the order of one comment per few hundred views.
    let yt = st["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["platform"] == "youtube")
        .unwrap();
    let per_1000 = yt["comments_per_1000_views"].as_f64().unwrap();
    assert!(
        (1.0..=10.0).contains(&per_1000),
        "YouTube {per_1000} comments per 1,000 views"
    );
}
