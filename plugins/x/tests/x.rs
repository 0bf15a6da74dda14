//! Behaviour of the X simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use std::collections::BTreeMap;

use diorama_sdk::harness::Harness;
use diorama_sdk::testing::{self, contents, interactions, metrics, Figures};
use diorama_sdk::*;
use diorama_x::{DM_LIMIT, FOLLOW_LIMIT, POSTS_PER_3H, POSTS_PER_DAY, X};

type H = Harness<X>;

/// The behaviour every platform shows, at X's figures.
const FIGURES: Figures = Figures {
    name: "x",
    niche: "tech",
    audience: "followers",
    untargeted: &[],
    events_per_day: 100,
    busy_audience: 1_000_000,
    viral_metric: "views",
    unscheduled: r#"{"posts_per_day": 0}"#,
    publish: r#"{"text": "part 2 of the thread"}"#,
    publish_limit: POSTS_PER_3H,
    // Replies share the 300 posts in 3 hours with publishing, but replies
    // alone trip the action block first (50 within 30 minutes, the same
    // limit cut into semi-hourly intervals): see `tests/health.rs`.
    reply_limit: None,
    dms: true,
    // X is not part of the three-platform normal day; at 100k followers
    // and four posts a day, replies stay in the tens (0.035 % engagement).
    comments_per_day: 5..60,
    dms_per_day: 3.0..7.0,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"followers": -1}"#, "followers"),
        (r#"{"posts_per_day": 500}"#, "posts_per_day"),
        (r#"{"repost_rate": "lots"}"#, "repost_rate"),
        (r#"{"subscribers": 10}"#, "subscribers"),
    ],
    nothing_published: "no post",
    controversy_peak_min: 300,
};

// The kit's behaviour suite, one test per check. Its `publish_limit`
// assumes a 24-hour cap reached at one post a minute; X's first limit is
// 300 posts in 3 hours, checked below instead.
#[test]
fn suite_determinism() {
    testing::determinism::<X>(&FIGURES);
}
#[test]
fn suite_windows_and_ids() {
    testing::windows_and_ids::<X>(&FIGURES);
}
#[test]
fn suite_snapshot_roundtrip() {
    testing::snapshot_roundtrip::<X>(&FIGURES);
}
#[test]
fn suite_viral() {
    testing::viral::<X>(&FIGURES);
}
#[test]
fn suite_troll_wave() {
    testing::troll_wave::<X>(&FIGURES);
}
#[test]
fn suite_shadowban() {
    testing::shadowban::<X>(&FIGURES);
}
#[test]
fn suite_growth() {
    testing::growth::<X>(&FIGURES);
}
#[test]
fn suite_controversy() {
    testing::controversy::<X>(&FIGURES);
}
#[test]
fn suite_brand_deal_flood() {
    testing::brand_deal_flood::<X>(&FIGURES);
}
#[test]
fn suite_listed_and_unknown() {
    testing::listed_and_unknown::<X>(&FIGURES);
}
#[test]
fn suite_replies() {
    testing::replies::<X>(&FIGURES);
}
#[test]
fn suite_errors() {
    testing::errors::<X>(&FIGURES);
}
#[test]
fn suite_daily_rhythm() {
    testing::daily_rhythm::<X>(&FIGURES);
}
#[test]
fn suite_volume_levels() {
    testing::volume_levels::<X>(&FIGURES);
}
#[test]
fn suite_bounded_state() {
    testing::bounded_state::<X>(&FIGURES);
}
#[test]
fn suite_conversations() {
    testing::conversations::<X>(&FIGURES);
}

fn harness(seed: u64, params: &str) -> H {
    H::new(H::config(seed, "tech", params)).expect("valid config")
}

/// The last reported total of `name` for a post, at or before `until`.
fn total_at(events: &[Event], id: &str, name: &str, until: Millis) -> i64 {
    metrics(events, name)
        .filter(|(at, m)| m.content_id.as_deref() == Some(id) && *at <= until)
        .map(|(_, m)| m.total)
        .last()
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn median_engagement_is_near_rival_iqs_0035_percent_with_heavy_tailed_impressions() {
    let followers = 100_000.0;
    let mut ratios = Vec::new();
    let mut views = Vec::new();
    for seed in [1, 2, 3] {
        let mut h = harness(seed, "{}");
        let events = h.advance(12 * DAY);
        let end = h.now();
        for (at, c) in contents(&events) {
            if at > end - 4 * DAY {
                continue;
            }
            let sum: i64 = ["likes", "comments", "shares", "quotes"]
                .iter()
                .map(|m| total_at(&events, &c.id, m, end))
                .sum();
            ratios.push(sum as f64 / followers * 100.0);
            views.push(total_at(&events, &c.id, "views", end) as f64);
        }
    }
    assert!(ratios.len() >= 80, "{}", ratios.len());
    let m = median(ratios);
    assert!((0.025..0.047).contains(&m), "median engagement {m} %");
    // Heavy tail: the top tenth of posts gets several times the median.
    views.sort_by(f64::total_cmp);
    let med = views[views.len() / 2];
    let p90 = views[views.len() * 9 / 10];
    let max = views[views.len() - 1];
    assert!(p90 > 3.0 * med && max > 10.0 * med, "{med} {p90} {max}");
}

#[test]
fn most_replies_come_within_the_first_hour() {
    let mut h = harness(4, r#"{"followers": 2000000}"#);
    let events = h.advance(4 * DAY);
    let published: BTreeMap<&str, Millis> = contents(&events)
        .into_iter()
        .map(|(at, c)| (c.id.as_str(), at))
        .collect();
    let mut delays: Vec<Millis> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .filter_map(|(at, i)| Some(at - published.get(i.content_id.as_deref()?)?))
        .collect();
    assert!(delays.len() > 500, "{}", delays.len());
    delays.sort_unstable();
    let within_hour = delays.iter().filter(|d| **d <= HOUR).count() as f64 / delays.len() as f64;
    assert!(within_hour > 0.5, "{within_hour}");
    assert!(delays.iter().all(|d| *d <= 3 * DAY + HOUR));
}

#[test]
fn quotes_mentions_and_dms_arrive_with_x_shaped_ids_and_short_text() {
    let mut h = harness(5, r#"{"followers": 1000000}"#);
    let events = h.advance(2 * DAY);
    let kinds: BTreeMap<&str, usize> =
        interactions(&events).fold(BTreeMap::new(), |mut m, (_, i)| {
            *m.entry(i.kind.as_str()).or_default() += 1;
            m
        });
    for k in ["comment", "reply", "quote", "mention", "dm"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 3, "{k}: {kinds:?}");
    }
    for (_, i) in interactions(&events) {
        assert!(
            i.text.chars().count() <= 280 || i.kind == "dm",
            "{}",
            i.text
        );
        assert_eq!(i.id.len(), 19, "{}", i.id);
    }
    let words: Vec<usize> = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.text.split_whitespace().count())
        .collect();
    let mut w = words.clone();
    w.sort_unstable();
    assert!(w[w.len() / 2] <= 14, "median words {}", w[w.len() / 2]);
    for (_, c) in contents(&events) {
        assert!(
            c.url.starts_with("https://x.com/") && c.url.contains("/status/"),
            "{}",
            c.url
        );
        assert!(c.text.chars().count() <= 280);
    }
}

#[test]
fn posting_is_limited_per_three_hours_and_per_day() {
    let mut h = harness(3, r#"{"posts_per_day": 0}"#);
    h.advance(HOUR);
    for _ in 0..POSTS_PER_3H {
        h.act("publish", r#"{"text": "gm"}"#).unwrap();
        h.advance(10_000);
    }
    let wait = match h.act("publish", r#"{"text": "one more"}"#) {
        Err(ActionError::RateLimited(w)) => w,
        other => panic!("{other:?}"),
    };
    assert!(wait > 2 * HOUR && wait <= 3 * HOUR, "{wait}");
    h.advance(wait);
    assert!(h.act("publish", r#"{"text": "back"}"#).is_ok());
    // Over a day of trying every 36 seconds: 2,400 posts, the daily cap
    // (eight full 3-hour windows).
    let mut h = harness(3, r#"{"posts_per_day": 0}"#);
    let mut posted = 0;
    for _ in 0..(DAY / 36_000) {
        match h.act("publish", r#"{"text": "gm"}"#) {
            Ok(_) => posted += 1,
            Err(ActionError::RateLimited(_)) => {}
            Err(e) => panic!("{e}"),
        }
        h.advance(36_000);
    }
    assert_eq!(posted, POSTS_PER_DAY as usize);
}

#[test]
fn follows_likes_and_dms_have_daily_limits() {
    let mut h = harness(8, r#"{"followers": 300000}"#);
    let events = h.advance(DAY);
    // Paced under the action block (50 within 30 minutes).
    for i in 0..FOLLOW_LIMIT {
        h.act("follow", &format!(r#"{{"user_id": "{}"}}"#, 1000 + i))
            .unwrap();
        h.advance(40 * SECOND);
    }
    assert!(matches!(
        h.act("follow", r#"{"user_id": "5"}"#),
        Err(ActionError::RateLimited(_))
    ));
    let ev = h.act("unfollow", r#"{"user_id": "5"}"#).unwrap();
    assert!(matches!(&ev[0].payload, Payload::Metric(m) if m.name == "following" && m.delta == -1));
    let dm = interactions(&events)
        .filter(|(_, i)| i.kind == "dm")
        .map(|(_, i)| i.id.clone())
        .last()
        .expect("a DM");
    let mut refused = false;
    for _ in 0..DM_LIMIT + 1 {
        if let Err(e) = h.act(
            "dm_reply",
            &format!(r#"{{"dm_id": "{dm}", "text": "thanks!"}}"#),
        ) {
            assert!(matches!(e, ActionError::RateLimited(_)), "{e}");
            refused = true;
        }
        h.advance(40 * SECOND);
    }
    assert!(refused);
    let post = contents(&events)[0].1.id.clone();
    let ev = h
        .act("like", &format!(r#"{{"post_id": "{post}"}}"#))
        .unwrap();
    assert!(matches!(&ev[0].payload, Payload::Metric(m) if m.name == "likes_given"));
    let ev = h
        .act("delete", &format!(r#"{{"post_id": "{post}"}}"#))
        .unwrap();
    assert!(matches!(&ev[0].payload, Payload::Metric(m) if m.name == "deleted"));
    assert!(matches!(
        h.act("delete", &format!(r#"{{"post_id": "{post}"}}"#)),
        Err(ActionError::NotFound(_))
    ));
}

#[test]
fn the_creator_replies_to_a_mention_and_continues_a_thread() {
    let mut h = harness(9, r#"{"followers": 500000}"#);
    let events = h.advance(DAY);
    let mention = interactions(&events)
        .filter(|(_, i)| i.kind == "mention")
        .map(|(_, i)| i.clone())
        .last()
        .expect("a mention");
    let ev = h
        .act(
            "reply",
            &format!(
                r#"{{"comment_id": "{}", "text": "thank you!"}}"#,
                mention.id
            ),
        )
        .unwrap();
    let Payload::Interaction(r) = &ev[0].payload else {
        panic!()
    };
    assert_eq!(
        (r.kind.as_str(), r.parent_id.as_deref()),
        ("reply", Some(mention.id.as_str()))
    );
    let first = contents(&events)[0].1.id.clone();
    let ev = h
        .act(
            "publish",
            &format!(r#"{{"text": "2/ and more", "in_reply_to": "{first}"}}"#),
        )
        .unwrap();
    let Payload::Content(c) = &ev[0].payload else {
        panic!()
    };
    let post = h.state().posts().iter().find(|p| p.id == c.id).unwrap();
    assert_eq!(
        (post.in_reply_to.as_deref(), post.conversation.as_str()),
        (Some(first.as_str()), first.as_str())
    );
    assert!(h
        .act("publish", &format!(r#"{{"text": "{}"}}"#, "a".repeat(281)))
        .is_err());
}

/// Replies a post got in `[from, to)`.
fn replies_between(events: &[Event], post: &str, from: Millis, to: Millis) -> Vec<Interaction> {
    interactions(events)
        .filter(|(at, i)| i.content_id.as_deref() == Some(post) && *at >= from && *at < to)
        .map(|(_, i)| i.clone())
        .collect()
}

#[test]
fn a_pile_on_ratios_a_post_with_negative_replies_and_quotes() {
    let mut h = harness(10, r#"{"followers": 200000, "posts_per_day": 0}"#);
    h.advance(HOUR);
    let ev = h
        .act(
            "publish",
            r#"{"text": "hot take: tabs are better than spaces"}"#,
        )
        .unwrap();
    let Payload::Content(c) = &ev[0].payload else {
        panic!()
    };
    let id = c.id.clone();
    let start = h.now();
    let mut events = h.advance(10 * MINUTE);
    h.signal("pile_on", r#"{"size": 400, "duration": 7200000}"#)
        .unwrap();
    events.extend(h.advance(DAY));
    let during = replies_between(&events, &id, start, start + DAY);
    let negative = during
        .iter()
        .filter(|i| i.sentiment.as_deref() == Some("negative"))
        .count();
    let quotes = during.iter().filter(|i| i.kind == "quote").count();
    assert!(
        during.len() >= 400 && negative * 10 > during.len() * 7,
        "{negative}/{}",
        during.len()
    );
    assert!(quotes > 100, "{quotes}");
    // The ratio: replies and quotes outnumber likes.
    let likes = total_at(&events, &id, "likes", h.now());
    let replies =
        total_at(&events, &id, "comments", h.now()) + total_at(&events, &id, "quotes", h.now());
    assert!(
        replies > likes,
        "{replies} replies and quotes vs {likes} likes"
    );
}

#[test]
fn a_bot_swarm_brings_spam_replies_from_new_accounts() {
    let mut h = harness(11, r#"{"followers": 50000}"#);
    h.advance(DAY);
    let start = h.now();
    h.signal("bot_swarm", r#"{"size": 150, "duration": 3600000}"#)
        .unwrap();
    let events = h.advance(2 * HOUR);
    let bots: Vec<&Interaction> = interactions(&events)
        .filter(|(at, i)| {
            *at >= start
                && i.author.followers < 20
                && i.author.handle.len() > 8
                && i.author.handle[i.author.handle.len() - 8..]
                    .bytes()
                    .all(|c| c.is_ascii_digit())
        })
        .map(|(_, i)| i)
        .collect();
    assert!(bots.len() >= 150, "{}", bots.len());
    assert!(h
        .signal("bot_swarm", r#"{"size": 0}"#)
        .unwrap_err()
        .contains("`size`"));
}

#[test]
fn a_follower_spike_adds_a_tenth_within_hours() {
    let mut h = harness(12, r#"{"followers": 80000}"#);
    h.advance(HOUR);
    h.signal("follower_spike", "{}").unwrap();
    let events = h.advance(8 * HOUR);
    let last = metrics(&events, "followers")
        .map(|(_, m)| m.total)
        .last()
        .unwrap();
    assert!((87_000..92_000).contains(&last), "{last}");
    assert!(h.signal("follower_spike", r#"{"gain": -5}"#).is_err());
}

/// Likes and replies per impression over the posts published in `[from, to)`.
fn rates(events: &[Event], from: Millis, to: Millis, until: Millis) -> (f64, f64) {
    let (mut views, mut likes, mut replies) = (0, 0, 0);
    for (at, c) in contents(events) {
        if at >= from && at < to {
            views += total_at(events, &c.id, "views", until);
            likes += total_at(events, &c.id, "likes", until);
            replies += total_at(events, &c.id, "comments", until);
        }
    }
    let v = views.max(1) as f64;
    (likes as f64 / v, replies as f64 / v)
}

#[test]
fn under_a_controversy_replies_outrun_likes() {
    let params = r#"{"followers": 1000000, "posts_per_day": 8}"#;
    let mut calm = harness(13, params);
    let mut heated = harness(13, params);
    let mut a = calm.advance(DAY);
    let mut b = heated.advance(DAY);
    let start = heated.now();
    heated
        .signal("controversy", r#"{"duration": 172800000, "heal": 3600000}"#)
        .unwrap();
    a.extend(calm.advance(3 * DAY));
    b.extend(heated.advance(3 * DAY));
    let until = heated.now();
    let (calm_likes, calm_replies) = rates(&a, start, start + 2 * DAY, until);
    let (hot_likes, hot_replies) = rates(&b, start, start + 2 * DAY, until);
    assert!(hot_likes < calm_likes * 0.7, "{hot_likes} vs {calm_likes}");
    assert!(
        hot_replies > calm_replies * 1.5,
        "{hot_replies} vs {calm_replies}"
    );
    let quotes = |events: &[Event]| {
        interactions(events)
            .filter(|(at, i)| i.kind == "quote" && *at >= start && *at < start + 2 * DAY)
            .count()
    };
    assert!(
        quotes(&b) > 2 * quotes(&a),
        "{} vs {}",
        quotes(&b),
        quotes(&a)
    );
}

#[test]
fn creator_replies_continue_threads() {
    diorama_sdk::testing::creator_replies_continue_threads::<X>(&FIGURES);
}
