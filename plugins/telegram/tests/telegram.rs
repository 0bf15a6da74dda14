//! Behaviour of the Telegram simulator, driven natively through the SDK's
//! harness. Statistical checks use fixed seeds.

use diorama_sdk::harness::Harness;
use diorama_sdk::testing::{contents, interactions, metrics, Figures};
use diorama_sdk::*;
use diorama_telegram::{Telegram, GROUP_PER_MINUTE};

type H = Harness<Telegram>;

/// The behaviour every platform shows, at Telegram's figures.
const FIGURES: Figures = Figures {
    name: "telegram",
    niche: "tech",
    audience: "subscribers",
    untargeted: &[],
    events_per_day: 150,
    busy_audience: 400_000,
    viral_metric: "views",
    unscheduled: r#"{"posts_per_day": 0}"#,
    publish: r#"{"text": "new post"}"#,
    publish_limit: GROUP_PER_MINUTE,
    reply_limit: None,
    dms: true,
    // A 100k channel posting 3 times a day: ≈40k views a post on average,
    // 0.15 % of them commenting: ≈150 top-level comments a day (a third
    // of the discussion is replies), ≈6 messages to the bot.
    comments_per_day: 70..260,
    dms_per_day: 4.0..8.5,
    state_bytes: 3 << 20,
    bad_params: &[
        (r#"{"subscribers": -1}"#, "subscribers"),
        (r#"{"posts_per_day": 500}"#, "posts_per_day"),
        (r#"{"forward_rate": "lots"}"#, "forward_rate"),
        (r#"{"followers": 10}"#, "followers"),
    ],
    nothing_published: "no post",
    controversy_peak_min: 1000,
};

// The suite, but its daily publishing limit: the Bot API limits a bot's
// messages to one chat per minute, checked below.
mod suite {
    use super::*;
    use diorama_sdk::testing as t;

    #[test]
    fn determinism() {
        t::determinism::<Telegram>(&FIGURES);
    }
    #[test]
    fn conversations() {
        t::conversations::<Telegram>(&FIGURES);
    }
    #[test]
    fn windows_and_ids() {
        t::windows_and_ids::<Telegram>(&FIGURES);
    }
    #[test]
    fn snapshot_roundtrip() {
        t::snapshot_roundtrip::<Telegram>(&FIGURES);
    }
    #[test]
    fn viral() {
        t::viral::<Telegram>(&FIGURES);
    }
    #[test]
    fn troll_wave() {
        t::troll_wave::<Telegram>(&FIGURES);
    }
    #[test]
    fn shadowban() {
        t::shadowban::<Telegram>(&FIGURES);
    }
    #[test]
    fn growth() {
        t::growth::<Telegram>(&FIGURES);
    }
    #[test]
    fn controversy() {
        t::controversy::<Telegram>(&FIGURES);
    }
    #[test]
    fn brand_deal_flood() {
        t::brand_deal_flood::<Telegram>(&FIGURES);
    }
    #[test]
    fn listed_and_unknown() {
        t::listed_and_unknown::<Telegram>(&FIGURES);
    }
    #[test]
    fn replies() {
        t::replies::<Telegram>(&FIGURES);
    }
    #[test]
    fn errors() {
        t::errors::<Telegram>(&FIGURES);
    }
    #[test]
    fn daily_rhythm() {
        t::daily_rhythm::<Telegram>(&FIGURES);
    }
    #[test]
    fn volume_levels() {
        t::volume_levels::<Telegram>(&FIGURES);
    }
    #[test]
    fn bounded_state() {
        t::bounded_state::<Telegram>(&FIGURES);
    }
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

fn account_metric(events: &[Event], name: &str) -> Vec<(Millis, i64)> {
    metrics(events, name)
        .filter(|(_, m)| m.content_id.is_none())
        .map(|(at, m)| (at, m.total))
        .collect()
}

#[test]
fn median_engagement_is_inside_telagons_average_band() {
    let subscribers = 100_000.0;
    let mut ratios = Vec::new();
    let mut view_ratios = Vec::new();
    for seed in [1, 2, 3] {
        let mut h = harness(seed, "{}");
        let events = h.advance(16 * DAY);
        let end = h.now();
        for (at, c) in contents(&events) {
            if at > end - 14 * DAY {
                continue;
            }
            let sum: i64 = ["reactions", "forwards", "comments"]
                .iter()
                .map(|m| total_at(&events, &c.id, m, end))
                .sum();
            ratios.push(sum as f64 / subscribers * 100.0);
            view_ratios.push(total_at(&events, &c.id, "views", end) as f64 / subscribers);
        }
    }
    assert!(ratios.len() >= 15, "{}", ratios.len());
    ratios.sort_by(f64::total_cmp);
    view_ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!((0.5..1.2).contains(&median), "median ER {median:.2} %");
    let views = view_ratios[view_ratios.len() / 2];
    assert!(
        (0.12..0.35).contains(&views),
        "median view ratio {views:.2}"
    );
}

#[test]
fn a_posts_views_keep_rising_for_days() {
    let mut h = harness(4, r#"{"posts_per_day": 0}"#);
    h.advance(HOUR);
    let ev = h.act("publish", r#"{"text": "a long read"}"#).unwrap();
    let Payload::Content(post) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    let start = h.now();
    let events = h.advance(8 * DAY);
    let at = |d: Millis| total_at(&events, &post.id, "views", start + d);
    let (hour, day, three, week) = (at(HOUR), at(DAY), at(3 * DAY), at(8 * DAY));
    assert!(hour > 0 && hour < day, "{hour} {day}");
    assert!(day < three && three < week, "{day} {three} {week}");
    // Most views within the first day, a tail over the next days.
    assert!(day as f64 > 0.4 * week as f64, "{day} of {week}");
    assert!((week - day) as f64 > 0.08 * week as f64, "{day} of {week}");
}

#[test]
fn a_viral_post_is_a_forwards_storm() {
    let mut forwards_per_view = [0.0; 2];
    for (i, viral) in [false, true].into_iter().enumerate() {
        let mut h = harness(5, r#"{"posts_per_day": 0}"#);
        h.advance(HOUR);
        let ev = h.act("publish", r#"{"text": "big news"}"#).unwrap();
        let Payload::Content(post) = &ev[0].payload else {
            panic!()
        };
        if viral {
            h.signal("viral", r#"{"factor": 20}"#).unwrap();
        }
        let events = h.advance(3 * DAY);
        let end = h.now();
        let views = total_at(&events, &post.id, "views", end) as f64;
        let forwards = total_at(&events, &post.id, "forwards", end) as f64;
        forwards_per_view[i] = forwards / views;
    }
    assert!(
        forwards_per_view[1] > 2.0 * forwards_per_view[0],
        "{forwards_per_view:?}"
    );
}

#[test]
fn a_spam_raid_floods_one_posts_discussion_with_spam_from_fresh_accounts() {
    let mut h = harness(6, r#"{"posts_per_day": 0}"#);
    h.advance(HOUR);
    let ev = h.act("publish", r#"{"text": "giveaway rules"}"#).unwrap();
    let Payload::Content(post) = &ev[0].payload else {
        panic!()
    };
    h.advance(HOUR);
    let from = h.now();
    h.signal("spam_raid", r#"{"size": 150, "duration": 1800000}"#)
        .unwrap();
    let events = h.advance(2 * HOUR);
    let raid: Vec<_> = interactions(&events)
        .filter(|(at, i)| {
            *at < from + 30 * MINUTE
                && i.content_id.as_deref() == Some(post.id.as_str())
                && i.author.followers < 100
        })
        .collect();
    assert!(raid.len() >= 150, "{}", raid.len());
    assert!(interactions(&events).all(|(at, _)| at >= from));
    let e = h.signal("spam_raid", r#"{"size": 0}"#).unwrap_err();
    assert!(e.contains("`spam_raid`") && e.contains("`size`"), "{e}");
}

#[test]
fn a_subscriber_surge_and_a_mass_leave_move_the_count() {
    let mut h = harness(7, r#"{"posts_per_day": 0}"#);
    h.advance(6 * HOUR);
    let before = h.state().subscribers_reported();
    h.signal("subscriber_surge", r#"{"subscribers": 20000}"#)
        .unwrap();
    let events = h.advance(8 * HOUR);
    let after_surge = account_metric(&events, "subscribers").last().unwrap().1;
    assert!(after_surge >= before + 19_000, "{before} -> {after_surge}");
    h.signal("mass_leave", r#"{"share": 0.25, "duration": 7200000}"#)
        .unwrap();
    let events = h.advance(4 * HOUR);
    let after_leave = account_metric(&events, "subscribers").last().unwrap().1;
    let expected = after_surge as f64 * 0.75;
    assert!(
        (after_leave as f64 - expected).abs() < 0.02 * expected,
        "{after_surge} -> {after_leave}"
    );
    for (params, field) in [
        (r#"{"share": 2}"#, "share"),
        (r#"{"share": 0.1, "duration": -1}"#, "duration"),
        (r#"{"loss": 1}"#, "loss"),
    ] {
        let e = h.signal("mass_leave", params).unwrap_err();
        assert!(e.contains(&format!("`{field}`")), "{e}");
    }
}

#[test]
fn the_bot_api_limits_hold() {
    let mut h = harness(8, r#"{"posts_per_day": 0, "subscribers": 400000}"#);
    h.advance(HOUR);
    // 20 posts a minute to the channel, then a wait under a minute.
    for i in 0..GROUP_PER_MINUTE {
        h.act("publish", &format!(r#"{{"text": "post {i}"}}"#))
            .unwrap();
        h.advance(SECOND);
    }
    match h.act("publish", r#"{"text": "one more"}"#) {
        Err(ActionError::RateLimited(wait)) => assert!(wait > 0 && wait <= MINUTE, "{wait}"),
        other => panic!("{other:?}"),
    }
    h.advance(MINUTE);
    h.act("publish", r#"{"text": "later"}"#).unwrap();
    // One message a second to one chat.
    let events = h.advance(DAY);
    let dm = interactions(&events)
        .filter(|(_, i)| i.kind == "dm")
        .map(|(_, i)| i.id.clone())
        .last()
        .expect("a DM");
    let reply = format!(r#"{{"dm_id": "{dm}", "text": "thanks!"}}"#);
    h.act("dm_reply", &reply).unwrap();
    match h.act("dm_reply", &reply) {
        Err(ActionError::RateLimited(wait)) => assert!(wait > 0 && wait <= SECOND, "{wait}"),
        other => panic!("{other:?}"),
    }
    h.advance(SECOND);
    h.act("dm_reply", &reply).unwrap();
}

#[test]
fn posts_number_up_in_the_channel_and_link_to_t_me() {
    let mut h = harness(9, "{}");
    let events = h.advance(3 * DAY);
    let ids: Vec<u64> = contents(&events)
        .into_iter()
        .map(|(_, c)| {
            assert!(
                c.url.starts_with("https://t.me/") && c.url.ends_with(&c.id),
                "{}",
                c.url
            );
            c.id.parse().unwrap()
        })
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
}

#[test]
fn creator_replies_continue_threads() {
    diorama_sdk::testing::creator_replies_continue_threads::<Telegram>(&FIGURES);
}
