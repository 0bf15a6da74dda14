//! The behaviour suite every platform must pass, generic over the
//! platform, each holding it to its own [`Figures`]: determinism per seed,
//! a snapshot restored mid-run continuing identically, events inside the
//! stepped window with unique ids, the shared scenario signals (`viral`
//! raises views, `troll_wave` brings negative comments, `shadowban` lowers
//! reach, `growth` raises the audience, `controversy` turns the sentiment,
//! `brand_deal_flood` multiplies collaboration DMs), action limits refusing
//! with [`ActionError::RateLimited`], and the creator's replies and DM
//! replies. Each check drives the platform natively through the
//! [`Harness`] with fixed seeds and panics, naming what it saw, when the
//! platform does not behave.
//!
//! A platform's test file runs the whole suite with one line,
//! [`behaviour_suite!`](crate::behaviour_suite), and keeps only the tests
//! of what is its own. The event selectors ([`interactions`],
//! [`contents`], [`metrics`], [`notices`]) serve any platform's tests.

use std::collections::BTreeSet;

use crate::harness::Harness;
use crate::*;

/// What differs between platforms in the suite: their words, their
/// parameters and the figures they are held to.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The platform's name, which its error messages must carry.
    pub name: &'static str,
    /// The niche the suite's accounts have.
    pub niche: &'static str,
    /// The account parameter that sizes its audience (`followers`,
    /// `subscribers`), also the `growth` signal's target.
    pub audience: &'static str,
    /// The content kinds no post signal can target (say, stories).
    pub untargeted: &'static [&'static str],
    /// At least this many events in a day at the defaults.
    pub events_per_day: usize,
    /// An audience at which comments come in the hundreds a day.
    pub busy_audience: u64,
    /// The per-post metric a viral spike must multiply.
    pub viral_metric: &'static str,
    /// Account parameters with no scheduled publishing.
    pub unscheduled: &'static str,
    /// The parameters of a `publish` that works, and how many of them the
    /// platform takes in 24 hours.
    pub publish: &'static str,
    pub publish_limit: u32,
    /// How many `reply`s the creator may write in 24 hours (`None`: no
    /// limit).
    pub reply_limit: Option<u32>,
    /// Whether it has DMs (`brand_deal_flood`, `dm_reply`).
    pub dms: bool,
    /// Comments expected on the first day of a controversy on a
    /// 3M-audience account (platforms differ in comments per follower).
    pub controversy_peak_min: usize,
    /// At a 100k audience and the `medium` levels (the defaults): the
    /// median top-level comments on the first day and the mean DMs a day,
    /// the platform's share of a creator's normal day.
    pub comments_per_day: std::ops::Range<usize>,
    pub dms_per_day: std::ops::Range<f64>,
    /// The most a snapshot may take after four days of a 5M account at the
    /// `viral` comment volume.
    pub state_bytes: usize,
    /// Bad account parameters, each with the parameter its error must name.
    pub bad_params: &'static [(&'static str, &'static str)],
    /// What `viral` says before anything is published (`no video`).
    pub nothing_published: &'static str,
}

/// Run the behaviour suite on a platform: one `#[test]` per check, each
/// holding the platform to `figures` (a [`Figures`] constant).
///
/// ```ignore
/// const FIGURES: Figures = Figures { name: "myplatform", /* … */ };
/// diorama_sdk::behaviour_suite!(MyPlatform, FIGURES);
/// ```
#[macro_export]
macro_rules! behaviour_suite {
    ($platform:ty, $figures:expr) => {
        #[test]
        fn suite_same_seed_same_events_other_seed_other_events() {
            $crate::testing::determinism::<$platform>(&$figures);
        }
        #[test]
        fn suite_events_fall_inside_their_window_with_unique_ids() {
            $crate::testing::windows_and_ids::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_snapshot_restored_mid_run_continues_identically() {
            $crate::testing::snapshot_roundtrip::<$platform>(&$figures);
        }
        #[test]
        fn suite_viral_multiplies_a_posts_reach() {
            $crate::testing::viral::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_troll_wave_brings_negative_comments_from_new_small_accounts() {
            $crate::testing::troll_wave::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_shadowban_collapses_reach_then_it_recovers() {
            $crate::testing::shadowban::<$platform>(&$figures);
        }
        #[test]
        fn suite_growth_carries_the_audience_across_a_round_number() {
            $crate::testing::growth::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_controversy_turns_the_sentiment_then_heals() {
            $crate::testing::controversy::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_brand_deal_flood_multiplies_collaboration_dms() {
            $crate::testing::brand_deal_flood::<$platform>(&$figures);
        }
        #[test]
        fn suite_signals_are_listed_and_unknown_ones_named() {
            $crate::testing::listed_and_unknown::<$platform>(&$figures);
        }
        #[test]
        fn suite_publishing_is_rate_limited() {
            $crate::testing::publish_limit::<$platform>(&$figures);
        }
        #[test]
        fn suite_the_creator_replies_to_comments_and_dms() {
            $crate::testing::replies::<$platform>(&$figures);
        }
        #[test]
        fn suite_errors_name_what_is_wrong() {
            $crate::testing::errors::<$platform>(&$figures);
        }
        #[test]
        fn suite_comments_follow_the_local_daily_rhythm() {
            $crate::testing::daily_rhythm::<$platform>(&$figures);
        }
        #[test]
        fn suite_volume_levels_scale_comments_and_dms() {
            $crate::testing::volume_levels::<$platform>(&$figures);
        }
        #[test]
        fn suite_a_big_accounts_viral_days_keep_the_state_bounded() {
            $crate::testing::bounded_state::<$platform>(&$figures);
        }
        #[test]
        fn suite_fans_answer_in_character_and_offers_convert_by_the_creators_replies() {
            $crate::testing::conversations::<$platform>(&$figures);
        }
    };
}

fn harness<P: Platform>(f: &Figures, seed: u64, audience: u64) -> Harness<P> {
    let params = format!(r#"{{"{}": {audience}}}"#, f.audience);
    Harness::new(Harness::<P>::config(seed, f.niche, &params)).expect("valid config")
}

fn defaults<P: Platform>(f: &Figures, seed: u64) -> Harness<P> {
    Harness::new(Harness::<P>::config(seed, f.niche, "{}")).expect("the defaults are valid")
}

/// The latest post a signal can target among `events`.
fn latest_target<'a>(f: &Figures, events: &'a [Event]) -> Option<&'a str> {
    contents(events)
        .into_iter()
        .rev()
        .find(|(_, c)| !f.untargeted.contains(&c.kind.as_str()))
        .map(|(_, c)| c.id.as_str())
}

/// The last reported total of metric `name` for content `id`.
fn total(events: &[Event], id: &str, name: &str) -> i64 {
    metrics(events, name)
        .filter(|(_, m)| m.content_id.as_deref() == Some(id))
        .map(|(_, m)| m.total)
        .last()
        .unwrap_or(0)
}

/// Comments and replies (interactions on a post) among `events`.
fn comment_count(events: &[Event]) -> usize {
    interactions(events)
        .filter(|(_, i)| i.content_id.is_some())
        .count()
}

/// The interactions among `events`, with their times.
pub fn interactions(events: &[Event]) -> impl Iterator<Item = (Millis, &Interaction)> {
    events.iter().filter_map(|e| match &e.payload {
        Payload::Interaction(i) => Some((e.at, i)),
        _ => None,
    })
}

/// The content among `events`, with their times.
pub fn contents(events: &[Event]) -> Vec<(Millis, &Content)> {
    events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Content(c) => Some((e.at, c)),
            _ => None,
        })
        .collect()
}

/// The updates of metric `name` among `events`, with their times.
pub fn metrics<'a>(
    events: &'a [Event],
    name: &'a str,
) -> impl Iterator<Item = (Millis, &'a Metric)> + 'a {
    events.iter().filter_map(move |e| match &e.payload {
        Payload::Metric(m) if m.name == name => Some((e.at, m)),
        _ => None,
    })
}

/// The notices among `events`, with their times.
pub fn notices(events: &[Event]) -> impl Iterator<Item = (Millis, &Notice)> {
    events.iter().filter_map(|e| match &e.payload {
        Payload::Notice(n) => Some((e.at, n)),
        _ => None,
    })
}

fn comments_between(events: &[Event], from: Millis, to: Millis) -> Vec<&Interaction> {
    interactions(events)
        .filter(|(at, i)| (from..to).contains(at) && i.content_id.is_some())
        .map(|(_, i)| i)
        .collect()
}

fn negative_share(list: &[&Interaction]) -> f64 {
    let neg = list
        .iter()
        .filter(|i| i.sentiment.as_deref() == Some("negative"))
        .count();
    neg as f64 / list.len().max(1) as f64
}

fn dms_of(events: &[Event], kind: &str) -> usize {
    interactions(events)
        .filter(|(_, i)| i.kind == "dm" && i.dm_type.as_deref() == Some(kind))
        .count()
}

/// The same seed gives the same events; another seed or another profile
/// with the same seed, others.
pub fn determinism<P: Platform>(f: &Figures) {
    let a = defaults::<P>(f, 7).advance(DAY);
    let b = defaults::<P>(f, 7).advance(DAY);
    assert!(a.len() > f.events_per_day, "{} events", a.len());
    assert!(a == b, "the same seed gave other events");
    assert!(
        a != defaults::<P>(f, 8).advance(DAY),
        "another seed gave the same events"
    );
    let mut cfg = Harness::<P>::config(7, f.niche, "{}");
    cfg.profile = "p2".into();
    let other = Harness::<P>::new(cfg).unwrap().advance(DAY);
    assert!(a != other, "another profile gave the same events");
}

/// Whatever window the host steps, every event falls inside it; content
/// and interaction ids never repeat.
pub fn windows_and_ids<P: Platform>(f: &Figures) {
    for window in [20 * SECOND, 7 * MINUTE + 30 * SECOND, HOUR, 5 * HOUR] {
        let params = format!(r#"{{"{}": {}}}"#, f.audience, f.busy_audience);
        let cfg = Harness::<P>::config(3, f.niche, &params);
        let mut state = P::init(&cfg).unwrap();
        let mut from = cfg.start;
        let mut all = Vec::new();
        while from < cfg.start + 2 * DAY {
            let to = from + window;
            let first = all.len();
            state.step(from, to, &mut all);
            for e in &all[first..] {
                assert!(
                    e.at >= from && e.at < to,
                    "window {window}: {} not in [{from}, {to})",
                    e.at
                );
            }
            from = to;
        }
        assert!(
            all.len() > f.events_per_day,
            "window {window}: only {} events",
            all.len()
        );
        let mut ids = BTreeSet::new();
        for (_, c) in contents(&all) {
            assert!(ids.insert(c.id.as_str()), "content id {} repeats", c.id);
        }
        for (_, i) in interactions(&all) {
            assert!(ids.insert(i.id.as_str()), "interaction id {} repeats", i.id);
        }
    }
}

/// A platform snapshotted and restored mid-run, after signals and an
/// action, continues exactly as one that never stopped.
pub fn snapshot_roundtrip<P: Platform>(f: &Figures) {
    let run = |split: bool| {
        let mut h = harness::<P>(f, 11, f.busy_audience);
        let mut events = h.advance(6 * HOUR);
        h.signal("viral", r#"{"factor": 8}"#).unwrap();
        h.signal("shadowban", r#"{"factor": 0.5, "duration": 7200000}"#)
            .unwrap();
        events.extend(h.act("publish", f.publish).unwrap());
        events.extend(h.advance(DAY - 6 * HOUR));
        if split {
            h.snapshot_roundtrip().unwrap();
        }
        events.extend(h.advance(DAY));
        events
    };
    let straight = run(false);
    assert!(straight.len() > f.events_per_day, "{}", straight.len());
    assert!(straight == run(true), "a restored simulator diverged");
}

/// `viral` on the latest post multiplies its reach many fold, and its
/// comments follow.
pub fn viral<P: Platform>(f: &Figures) {
    for seed in 1..=2 {
        let mut with = defaults::<P>(f, seed);
        let mut without = defaults::<P>(f, seed);
        let mut ev_with = with.advance(DAY);
        let mut ev_without = without.advance(DAY);
        let post = latest_target(f, &ev_with)
            .expect("a post by a day")
            .to_string();
        with.signal("viral", r#"{"factor": 30}"#).unwrap();
        ev_with.extend(with.advance(2 * DAY));
        ev_without.extend(without.advance(2 * DAY));
        for (metric, times) in [(f.viral_metric, 5), ("comments", 3)] {
            let (w, wo) = (
                total(&ev_with, &post, metric),
                total(&ev_without, &post, metric),
            );
            assert!(w > times * wo.max(1), "seed {seed} {metric}: {w} vs {wo}");
        }
    }
}

/// A troll wave brings negative comments from new, small accounts to its
/// target only; bad parameters are named.
pub fn troll_wave<P: Platform>(f: &Figures) {
    let mut h = harness::<P>(f, 4, 100_000);
    let before = h.advance(12 * HOUR);
    let target = latest_target(f, &before).expect("a post").to_string();
    let seen: BTreeSet<String> = interactions(&before)
        .map(|(_, i)| i.author.id.clone())
        .collect();
    let start = h.now();
    h.signal(
        "troll_wave",
        &format!(r#"{{"content_id": "{target}", "size": 250, "duration": 5400000}}"#),
    )
    .unwrap();
    let after = h.advance(3 * HOUR);
    let window: Vec<&Interaction> = interactions(&after)
        .filter(|(at, i)| {
            (start..start + 90 * MINUTE).contains(at) && i.content_id.as_deref() == Some(&target)
        })
        .map(|(_, i)| i)
        .collect();
    let trolls: Vec<&&Interaction> = window
        .iter()
        .filter(|i| {
            i.sentiment.as_deref() == Some("negative")
                && i.author.followers < 100
                && !seen.contains(&i.author.id)
        })
        .collect();
    assert!((250..290).contains(&trolls.len()), "{}", trolls.len());
    assert!(negative_share(&window) > 0.6, "{}", negative_share(&window));
    let authors: BTreeSet<&str> = trolls.iter().map(|i| i.author.id.as_str()).collect();
    assert!(authors.len() >= 250, "trolls are fresh accounts");
    // Nothing of the wave lands elsewhere.
    let elsewhere = interactions(&after)
        .filter(|(_, i)| {
            i.content_id.is_some()
                && i.content_id.as_deref() != Some(&target)
                && i.sentiment.as_deref() == Some("negative")
        })
        .count();
    assert!(elsewhere < 60, "{elsewhere}");
    let e = h
        .signal("troll_wave", r#"{"content_id": "nope"}"#)
        .unwrap_err();
    assert!(e.contains(f.name) && e.contains("nope"), "{e}");
    let e = h.signal("troll_wave", r#"{"size": -3}"#).unwrap_err();
    assert!(e.contains(f.name) && e.contains("`size`"), "{e}");
}

/// A shadowban collapses the comments (reach) for its duration; after
/// its recovery they are back.
pub fn shadowban<P: Platform>(f: &Figures) {
    let count = |ban: bool| {
        let mut h = harness::<P>(f, 4, f.busy_audience);
        h.advance(2 * DAY);
        if ban {
            h.signal("shadowban", r#"{"factor": 0.05, "duration": 172800000}"#)
                .unwrap();
        }
        let during = h.advance(2 * DAY);
        h.advance(DAY);
        let after = h.advance(2 * DAY);
        (comment_count(&during), comment_count(&after))
    };
    let (ban_during, ban_after) = count(true);
    let (free_during, free_after) = count(false);
    assert!(
        ban_during * 5 < free_during,
        "{ban_during} vs {free_during}"
    );
    assert!(ban_after * 2 > free_after, "{ban_after} vs {free_after}");
}

/// A brand-deal flood multiplies collaboration DMs about tenfold for its
/// duration, leaves the rest, then calms down. A platform without DMs
/// refuses it, naming itself and the signal.
pub fn brand_deal_flood<P: Platform>(f: &Figures) {
    if !f.dms {
        let mut h = defaults::<P>(f, 5);
        let e = h.signal("brand_deal_flood", "{}").unwrap_err();
        assert!(e.contains(f.name) && e.contains("brand_deal_flood"), "{e}");
        return;
    }
    let cfg = Harness::<P>::config(5, f.niche, r#"{"dm_rate": 400}"#);
    let mut with = Harness::<P>::new(cfg.clone()).unwrap();
    let mut without = Harness::<P>::new(cfg).unwrap();
    with.advance(6 * HOUR);
    without.advance(6 * HOUR);
    with.signal(
        "brand_deal_flood",
        r#"{"factor": 10, "duration": 86400000}"#,
    )
    .unwrap();
    let (w, wo) = (with.advance(DAY), without.advance(DAY));
    let (cw, cwo) = (dms_of(&w, "collaboration"), dms_of(&wo, "collaboration"));
    assert!(cwo >= 15, "{cwo}");
    assert!(cw > 7 * cwo && cw < 13 * cwo, "{cw} vs {cwo}");
    let (fw, fwo) = (dms_of(&w, "fan"), dms_of(&wo, "fan"));
    assert!(fw * 10 > fwo * 7 && fw * 10 < fwo * 13, "{fw} vs {fwo}");
    // Then the inbox calms down.
    let (w, wo) = (with.advance(DAY), without.advance(DAY));
    let (cw, cwo) = (dms_of(&w, "collaboration"), dms_of(&wo, "collaboration"));
    assert!(cw < 2 * cwo.max(1), "{cw} vs {cwo}");
    let e = with
        .signal("brand_deal_flood", r#"{"factor": 0.5}"#)
        .unwrap_err();
    assert!(e.contains(f.name) && e.contains("`factor`"), "{e}");
}

/// A controversy turns the comments negative, then heals back to the usual mix.
pub fn controversy<P: Platform>(f: &Figures) {
    // A platform whose audience comments little needs a bigger account
    // for the same counts.
    let mut h = harness::<P>(f, 7, f.busy_audience.max(3_000_000));
    let mut events = h.advance(DAY);
    let start = h.now();
    h.signal(
        "controversy",
        r#"{"duration": 86400000, "heal": 86400000, "negativity": 0.6}"#,
    )
    .unwrap();
    events.extend(h.advance(5 * DAY));
    let before = comments_between(&events, start - DAY, start);
    let peak = comments_between(&events, start, start + DAY);
    let healed = comments_between(&events, start + 2 * DAY, start + 5 * DAY);
    assert!(
        before.len() > 1000 && peak.len() > f.controversy_peak_min && healed.len() > 3000,
        "{} {} {}",
        before.len(),
        peak.len(),
        healed.len()
    );
    let (b, p, h) = (
        negative_share(&before),
        negative_share(&peak),
        negative_share(&healed),
    );
    assert!((b - 0.10).abs() < 0.03, "before {b}");
    assert!((0.54..0.66).contains(&p), "peak {p}");
    assert!((h - 0.10).abs() < 0.03, "healed {h}");
}

/// Growth carries the audience across a round number, steadily; a target
/// below it is refused.
pub fn growth<P: Platform>(f: &Figures) {
    let mut h = harness::<P>(f, 8, 99_000);
    h.advance(2 * HOUR);
    let start = h.now();
    h.signal(
        "growth",
        &format!(r#"{{"{}": 100000, "duration": 43200000}}"#, f.audience),
    )
    .unwrap();
    let events = h.advance(DAY);
    let during: Vec<i64> = metrics(&events, f.audience)
        .filter(|(at, m)| *at < start + 12 * HOUR + MINUTE && m.content_id.is_none())
        .map(|(_, m)| m.total)
        .collect();
    assert!(during.len() >= 12, "{during:?}");
    assert!(during[0] < 100_000, "{during:?}");
    assert!(*during.last().unwrap() >= 100_000, "{during:?}");
    assert!(during.windows(2).all(|w| w[1] >= w[0] - 20), "{during:?}");
    let e = h
        .signal("growth", &format!(r#"{{"{}": 10}}"#, f.audience))
        .unwrap_err();
    assert!(
        e.contains(f.name) && e.contains(&format!("`{}`", f.audience)),
        "{e}"
    );
}

/// The shared signals are listed, an unknown one is named, a shadowban is
/// accepted.
pub fn listed_and_unknown<P: Platform>(f: &Figures) {
    let info = P::describe();
    let names: Vec<&str> = info.signals.iter().map(|s| s.name.as_str()).collect();
    for s in crate::kit::signals::ALL {
        let expected = f.dms || s != "brand_deal_flood";
        assert_eq!(names.contains(&s), expected, "{s} in {names:?}");
    }
    let mut h = defaults::<P>(f, 1);
    let e = h.signal("meteor_strike", "{}").unwrap_err();
    assert!(e.contains(f.name) && e.contains("meteor_strike"), "{e}");
    assert!(h
        .signal(
            "shadowban",
            r#"{"depth": 0.9, "duration": 3600000, "recovery": 3600000}"#
        )
        .is_ok());
}

/// `publish` works up to the platform's limit in 24 hours, then is
/// refused with the wait, and works again after it.
pub fn publish_limit<P: Platform>(f: &Figures) {
    let mut h = Harness::<P>::new(Harness::<P>::config(3, f.niche, f.unscheduled)).unwrap();
    h.advance(HOUR);
    for _ in 0..f.publish_limit {
        let ev = h.act("publish", f.publish).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!((ev[0].type_name(), ev[0].at), ("content", h.now()));
        h.advance(MINUTE);
    }
    match h.act("publish", f.publish) {
        Err(ActionError::RateLimited(wait)) => {
            assert!(wait > 0 && wait <= DAY, "{wait}");
            h.advance(wait);
        }
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert!(h.act("publish", f.publish).is_ok());
}

/// The creator's `reply` answers a recent comment under its post, up to
/// the platform's limit; `dm_reply` answers a recent DM; unknown ones are
/// not found, bad parameters named.
pub fn replies<P: Platform>(f: &Figures) {
    let mut h = harness::<P>(f, 6, f.busy_audience);
    let events = h.advance(DAY);
    let comment = interactions(&events)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| i.clone())
        .last()
        .expect("a comment");
    let reply = |h: &mut Harness<P>, id: &str, text: &str| {
        h.act(
            "reply",
            &format!(r#"{{"comment_id": "{id}", "text": "{text}"}}"#),
        )
    };
    let ev = reply(&mut h, &comment.id, "thank you!").unwrap();
    let Payload::Interaction(r) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (r.kind.as_str(), r.parent_id.as_deref(), r.text.as_str()),
        ("reply", Some(comment.id.as_str()), "thank you!")
    );
    assert_eq!(
        (&r.content_id, r.sentiment.as_deref()),
        (&comment.content_id, None)
    );
    assert!(matches!(reply(&mut h, "0", "x"), Err(ActionError::NotFound(m)) if m.contains(f.name)));
    assert!(matches!(
        h.act("reply", &format!(r#"{{"comment_id": "{}"}}"#, comment.id)),
        Err(ActionError::Invalid(m)) if m.contains("`text`")
    ));
    if let Some(limit) = f.reply_limit {
        // Thirty replies an hour, to the newest comment each time: a burst
        // would trip the account's action block (`kit::health`) before the
        // daily limit.
        let mut target = comment.id.clone();
        let mut refused = None;
        for _ in 0..limit + 5 {
            if let Err(e) = reply(&mut h, &target, "ok") {
                refused = Some(e);
                break;
            }
            let ev = h.advance(2 * MINUTE);
            if let Some((_, c)) = interactions(&ev)
                .filter(|(_, i)| i.kind == "comment")
                .last()
            {
                target = c.id.clone();
            }
        }
        assert!(
            matches!(refused, Some(ActionError::RateLimited(_))),
            "{refused:?}"
        );
    }
    let dm_reply = |h: &mut Harness<P>, id: &str| {
        h.act("dm_reply", &format!(r#"{{"dm_id": "{id}", "text": "hi"}}"#))
    };
    if !f.dms {
        assert!(
            matches!(dm_reply(&mut h, "1"), Err(ActionError::Invalid(m)) if m.contains("dm_reply"))
        );
        return;
    }
    let dm = interactions(&events)
        .filter(|(_, i)| i.kind == "dm")
        .map(|(_, i)| i.clone())
        .last()
        .expect("a DM");
    let ev = dm_reply(&mut h, &dm.id).unwrap();
    let Payload::Interaction(d) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    // The creator's follower count may have moved since the reply.
    assert_eq!(
        (d.kind.as_str(), d.parent_id.as_deref(), &d.author.id),
        ("dm", Some(dm.id.as_str()), &r.author.id)
    );
    assert!(matches!(
        dm_reply(&mut h, "123"),
        Err(ActionError::NotFound(_))
    ));
}

/// Act, a couple of seconds after the last action (a platform may limit
/// actions a second).
fn act_soon<P: Platform>(
    h: &mut Harness<P>,
    kind: &str,
    params: &str,
    seen: &mut Vec<Event>,
) -> Result<Vec<Event>, ActionError> {
    h.advance_into(2 * SECOND, seen);
    h.act(kind, params)
}

/// An offer to the sender of the DM `dm`; the offer's id.
fn offer_to<P: Platform>(h: &mut Harness<P>, dm: &str, seen: &mut Vec<Event>) -> String {
    let ev = act_soon(
        h,
        "send_offer",
        &format!(r#"{{"dm_id": "{dm}", "tier": "member", "price": 500, "currency": "USD"}}"#),
        seen,
    )
    .expect("an offer to a recent DM");
    let Payload::Interaction(o) = &ev[0].payload else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (
            o.kind.as_str(),
            o.parent_id.as_deref(),
            o.content_id.as_deref()
        ),
        ("offer", Some(dm), None)
    );
    o.id.clone()
}

const WARM: &str = "Thank you so much for writing! Glad it helps you, happy to answer anything.";

/// DM conversations and funnels, through the kit's inbox: a fan answers
/// the creator's `dm_reply` as the same author in the same voice with the
/// conversation's type, several turns long; offers convert only when sent,
/// and fast warm replies convert more than slow curt ones. A platform
/// without DMs refuses `send_offer`.
pub fn conversations<P: Platform>(f: &Figures) {
    let offer = r#"{"dm_id": "1", "tier": "member", "price": 500, "currency": "USD"}"#;
    if !f.dms {
        let mut h = defaults::<P>(f, 1);
        assert!(
            matches!(h.act("send_offer", offer), Err(ActionError::Invalid(m)) if m.contains("send_offer"))
        );
        return;
    }
    let params = format!(r#"{{"{}": 100000, "dm_rate": 600}}"#, f.audience);
    let config = || Harness::<P>::config(11, f.niche, &params);
    // Conversations: answer every DM and every answer warmly within the
    // hour, for a day.
    let mut h = Harness::<P>::new(config()).expect("valid config");
    let mut replied: std::collections::BTreeMap<String, Interaction> = Default::default();
    let mut answers = Vec::new();
    let mut creator = None;
    let mut opened = 0;
    let mut carry = Vec::new();
    for _ in 0..30 {
        let mut events = std::mem::take(&mut carry);
        h.advance_into(HOUR, &mut events);
        for (_, i) in interactions(&events).filter(|(_, i)| i.kind == "dm") {
            let answer = match &i.parent_id {
                Some(p) => {
                    let Some(dm) = replied.get(p) else { continue };
                    assert_eq!(&i.author, &dm.author, "an answer is by the fan answered");
                    assert_eq!(i.dm_type, dm.dm_type, "a conversation keeps its type");
                    answers.push(i.clone());
                    true
                }
                None => false,
            };
            if answer || opened < 80 {
                opened += usize::from(!answer);
                let ev = act_soon(
                    &mut h,
                    "dm_reply",
                    &format!(r#"{{"dm_id": "{}", "text": "{WARM}"}}"#, i.id),
                    &mut carry,
                )
                .expect("a reply to a recent DM");
                let Payload::Interaction(r) = &ev[0].payload else {
                    panic!()
                };
                creator.get_or_insert_with(|| r.author.clone());
                // The fan's DM this reply answers, with its sender.
                replied.insert(r.id.clone(), i.clone());
            }
        }
    }
    assert!(
        answers.len() >= 40,
        "{} answers to {} replies",
        answers.len(),
        replied.len()
    );
    // Several turns: answers to replies to answers.
    let turns = answers
        .iter()
        .filter(|a| {
            a.parent_id
                .as_ref()
                .and_then(|p| replied.get(p))
                .is_some_and(|d| d.parent_id.is_some())
        })
        .count();
    assert!(turns >= 5, "{turns} answers in second or later turns");
    assert!(
        answers.iter().any(|a| a.text.contains('?')),
        "no follow-up question"
    );
    for a in &answers {
        if crate::models::text::Voice::of(&a.author.id).lower
            && a.dm_type.as_deref() != Some("collaboration")
            && a.dm_type.as_deref() != Some("spam")
        {
            assert_eq!(a.text, a.text.to_lowercase(), "a lower-case voice stays so");
        }
    }
    let creator = creator.expect("the creator replied");
    assert!(answers.iter().all(|a| a.author != creator));

    // Funnels: the same DMs, answered fast and warmly and offered, fast
    // with no offer, or answered late and curtly and then offered.
    let funnel = |mode: u8| -> (usize, usize) {
        let mut h = Harness::<P>::new(config()).expect("valid config");
        let mut all = Vec::new();
        let mut dms: Vec<Interaction> = Vec::new();
        let mut offers = Vec::new();
        for _ in 0..12 {
            if dms.len() >= 150 {
                break;
            }
            let start = all.len();
            h.advance_into(HOUR, &mut all);
            let new: Vec<Interaction> = interactions(&all[start..])
                .filter(|(_, i)| {
                    i.kind == "dm"
                        && i.parent_id.is_none()
                        && matches!(i.dm_type.as_deref(), Some("fan" | "question"))
                })
                .map(|(_, i)| i.clone())
                .take(150 - dms.len())
                .collect();
            if mode < 2 {
                for dm in &new {
                    let text = format!(r#"{{"dm_id": "{}", "text": "{WARM}"}}"#, dm.id);
                    act_soon(&mut h, "dm_reply", &text, &mut all).expect("a reply");
                }
                // A bot may write to one chat once a minute.
                h.advance_into(MINUTE, &mut all);
                for dm in new.iter().filter(|_| mode == 0) {
                    offers.push(offer_to(&mut h, &dm.id, &mut all));
                }
            }
            dms.extend(new);
        }
        if mode == 2 {
            // Late (within a day, which Messenger allows) and curt.
            h.advance_into(11 * HOUR, &mut all);
            for dm in &dms {
                let text = format!(r#"{{"dm_id": "{}", "text": "ok"}}"#, dm.id);
                act_soon(&mut h, "dm_reply", &text, &mut all).expect("a reply");
            }
            h.advance_into(MINUTE, &mut all);
            for dm in &dms {
                offers.push(offer_to(&mut h, &dm.id, &mut all));
            }
        }
        h.advance_into(4 * DAY, &mut all);
        let bought: Vec<&Interaction> = interactions(&all)
            .filter(|(_, i)| matches!(i.kind.as_str(), "subscribed" | "purchase"))
            .map(|(_, i)| i)
            .collect();
        for b in &bought {
            let o = b
                .parent_id
                .as_deref()
                .expect("a subscription answers its offer");
            assert!(offers.iter().any(|x| x == o), "{o} is not an offer sent");
            assert!(
                dms.iter().any(|d| d.author == b.author),
                "a buyer is a fan who wrote"
            );
            assert_eq!(
                b.text,
                r#"{"tier":"member","price":500,"currency":"USD","billing":"monthly"}"#
            );
        }
        (offers.len(), bought.len())
    };
    let (sent, fast) = funnel(0);
    assert_eq!(funnel(1), (0, 0), "no offers, no subscriptions");
    let (_, slow) = funnel(2);
    assert!(
        fast >= 10 && fast > 3 * slow,
        "{fast} of {sent} fast warm offers took vs {slow} slow curt ones"
    );
}

/// The median number of top-level comments on the first day and the mean
/// number of DMs a day, over `days` seeds, at `params`.
fn daily_volume<P: Platform>(f: &Figures, params: &str, days: u64) -> (usize, f64) {
    let mut comments = Vec::new();
    let mut dms = 0;
    for seed in 300..300 + days {
        let cfg = Harness::<P>::config(seed, f.niche, params);
        let events = Harness::<P>::new(cfg).unwrap().advance(DAY);
        comments.push(
            interactions(&events)
                .filter(|(_, i)| i.kind == "comment")
                .count(),
        );
        dms += interactions(&events)
            .filter(|(_, i)| i.kind == "dm")
            .count();
    }
    comments.sort_unstable();
    (comments[comments.len() / 2], dms as f64 / days as f64)
}

/// `comment_volume` and `dm_frequency` at `medium` are the defaults and
/// give the platform's share of a normal day at 100k; the other levels
/// scale them.
pub fn volume_levels<P: Platform>(f: &Figures) {
    let (comments, dms) = daily_volume::<P>(f, r#"{"comment_volume": "medium"}"#, 20);
    assert_eq!((comments, dms), daily_volume::<P>(f, "{}", 20));
    assert!(
        f.comments_per_day.contains(&comments),
        "{comments} comments a day"
    );
    assert!(f.dms_per_day.contains(&dms), "{dms} DMs a day");
    if f.dms {
        let (_, low) = daily_volume::<P>(f, r#"{"dm_frequency": "low"}"#, 20);
        let (_, high) = daily_volume::<P>(f, r#"{"dm_frequency": "high"}"#, 20);
        assert!(low < dms && dms < high, "{low} {dms} {high}");
    }
    let (low, _) = daily_volume::<P>(f, r#"{"comment_volume": "low"}"#, 9);
    let (viral, _) = daily_volume::<P>(f, r#"{"comment_volume": "viral"}"#, 9);
    assert!(
        low * 2 < comments && comments * 4 < viral,
        "{low} {comments} {viral}"
    );
}

/// A 5M account at the viral comment volume keeps a bounded state: the
/// texts remembered against repeats are one bounded set for all its posts,
/// so the snapshot stays small however many posts draw comments.
pub fn bounded_state<P: Platform>(f: &Figures) {
    let params = format!(
        r#"{{"{}": 5000000, "comment_volume": "viral"}}"#,
        f.audience
    );
    let mut h = Harness::<P>::new(Harness::<P>::config(1, f.niche, &params)).unwrap();
    let mut sizes = Vec::new();
    for _ in 0..4 {
        h.advance(DAY);
        sizes.push(snapshot(h.state()).len());
    }
    assert!(sizes.iter().all(|&s| s < f.state_bytes), "{sizes:?}");
    h.snapshot_roundtrip().expect("the snapshot restores");
    assert!(!h.advance(HOUR).is_empty());
}

/// Bad parameters, niches and timezones are refused naming the platform
/// and what is wrong; so are signals and actions it cannot take or with
/// bad parameters.
pub fn errors<P: Platform>(f: &Figures) {
    let init = |niche: &str, timezone: &str, params: &str| {
        let mut cfg = Harness::<P>::config(1, niche, params);
        cfg.timezone = timezone.into();
        Harness::<P>::new(cfg).err().expect("an error")
    };
    for (params, field) in f.bad_params {
        let e = init(f.niche, "UTC", params);
        assert!(
            e.contains(f.name) && e.contains(&format!("`{field}`")),
            "{params}: {e}"
        );
    }
    let e = init("knitting underwater", "UTC", "{}");
    assert!(
        e.contains(f.name) && e.contains("knitting underwater"),
        "{e}"
    );
    let e = init(f.niche, "Moon/Base", "{}");
    assert!(e.contains(f.name) && e.contains("Moon/Base"), "{e}");
    let mut h = defaults::<P>(f, 1);
    let e = h.signal("viral", "{}").unwrap_err();
    assert!(e.contains(f.name) && e.contains(f.nothing_published), "{e}");
    h.advance(DAY);
    for (params, wrong) in [
        (r#"{"factor": 0.5}"#, "`factor`"),
        (r#"{"ramp": -5}"#, "`ramp`"),
        (r#"{"content_id": "nope0000000"}"#, "nope0000000"),
    ] {
        let e = h.signal("viral", params).unwrap_err();
        assert!(e.contains(f.name) && e.contains(wrong), "{params}: {e}");
    }
    let e = h.signal("shadowban", r#"{"factor": 2}"#).unwrap_err();
    assert!(e.contains("`factor`"), "{e}");
    assert!(h.signal("viral", "{}").is_ok());
    let e = h.act("meteor_strike", "{}").unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains(f.name) && m.contains("`meteor_strike`")),
        "{e}"
    );
    let e = h.act("publish", "[1, 2]").unwrap_err();
    assert!(
        matches!(&e, ActionError::Invalid(m) if m.contains(f.name)),
        "{e}"
    );
}

/// Comments follow the audience's local day: an evening brings far more
/// than the small hours.
pub fn daily_rhythm<P: Platform>(f: &Figures) {
    let params = format!(r#"{{"{}": {}}}"#, f.audience, f.busy_audience);
    let mut cfg = Harness::<P>::config(4, "music", &params);
    cfg.timezone = "America/New_York".into();
    let events = Harness::<P>::new(cfg).unwrap().advance(4 * DAY);
    let tz = crate::models::time::parse_tz("America/New_York").unwrap();
    let mut by_hour = [0usize; 24];
    for (at, _) in interactions(&events).filter(|(_, i)| i.content_id.is_some()) {
        by_hour[crate::models::time::local_hour(at, tz) as usize] += 1;
    }
    let evening: usize = by_hour[15..23].iter().sum();
    let night: usize = by_hour[3..7].iter().sum();
    assert!(evening > 4 * night, "{by_hour:?}");
}

/// Restore `h`'s platform from its snapshot in a former layout (top-level
/// keys renamed `(now, then)`, keys in `added` left out, as a snapshot
/// written before they existed) and check that it continues exactly as
/// the platform that never stopped.
pub fn restores_former_layout<P: Platform>(
    h: &mut Harness<P>,
    renamed: &[(&str, &str)],
    added: &[&str],
) {
    let mut state: serde_json::Value =
        serde_json::from_slice(&snapshot(h.state())).expect("a snapshot is JSON");
    let map = state.as_object_mut().expect("a snapshot is an object");
    for (now, then) in renamed {
        let v = map
            .remove(*now)
            .unwrap_or_else(|| panic!("no `{now}` in the snapshot"));
        map.insert(then.to_string(), v);
    }
    for key in added {
        map.remove(*key)
            .unwrap_or_else(|| panic!("no `{key}` in the snapshot"));
    }
    let former = serde_json::to_vec(&state).unwrap();
    let mut restored = Harness::<P>::from_state(restore(&former).expect("restores"), h.now());
    assert!(
        h.advance(DAY) == restored.advance(DAY),
        "a snapshot in the former layout diverged"
    );
}

/// Threads continue when the creator replies (the kit's
/// [`Comments::creator_reply`](crate::kit::threads::Comments::creator_reply)):
/// after the creator answers 30 recent comments, their authors write back
/// under them, each as their disposition has it (not every one, within
/// two minutes to two days), in their own voice and character; a question
/// gets its follow-up. The same account without the creator's replies
/// gets none of it. (Readers joining a thread after a follow-up are not
/// told apart here from the thread's ordinary replies.)
pub fn creator_replies_continue_threads<P: Platform>(f: &Figures) {
    use crate::models::persona::{ANSWER_MAX, ANSWER_MIN};
    use crate::models::text::{Character, Voice};
    let params = format!(r#"{{"{}": {}}}"#, f.audience, f.busy_audience);
    let cfg = Harness::<P>::config(3, f.niche, &params);
    let mut with = Harness::<P>::new(cfg.clone()).unwrap();
    let mut without = Harness::<P>::new(cfg).unwrap();
    let n = f.reply_limit.map_or(30, |l| (l as usize).min(30));
    // Until the account has n comments to answer, ten of them questions
    // (at most three days): some of those who ask answer back rarely
    // (lurkers, one in five), so ten make a follow-up near certain.
    let mut first = Vec::new();
    for _ in 0..18 {
        with.advance_into(4 * HOUR, &mut first);
        let comments: Vec<_> = interactions(&first)
            .filter(|(_, i)| i.kind == "comment")
            .collect();
        let questions = comments
            .iter()
            .filter(|(_, i)| i.text.trim_end().ends_with('?'))
            .count();
        if comments.len() >= n && questions >= 10 {
            break;
        }
    }
    assert!(first == without.advance(with.now() - without.now()));
    // The latest comments, the questions among them first (at most ten).
    let newest_first: Vec<(&str, &Author, bool)> = interactions(&first)
        .filter(|(_, i)| i.kind == "comment")
        .map(|(_, i)| (i.id.as_str(), &i.author, i.text.trim_end().ends_with('?')))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let questions: Vec<_> = newest_first
        .iter()
        .filter(|c| c.2)
        .take(10)
        .cloned()
        .collect();
    let mut latest: Vec<_> = newest_first.into_iter().take(3 * n).collect();
    latest.retain(|c| !questions.contains(c));
    let answered: Vec<_> = questions.into_iter().chain(latest).take(n).collect();
    assert_eq!(answered.len(), n, "{} has too few comments", f.name);
    // One reply a minute (a discussion group's limit is per minute).
    let mut later = Vec::new();
    let mut replied = Vec::new();
    for (id, _, _) in &answered {
        replied.push(with.now());
        let body = serde_json::json!({ "comment_id": id, "text": "Thanks for watching!" });
        with.act("reply", &body.to_string())
            .unwrap_or_else(|e| panic!("{}: reply to {id}: {e}", f.name));
        with.advance_into(MINUTE, &mut later);
    }
    with.advance_into(3 * DAY, &mut later);
    let quiet = without.advance(3 * DAY + n as Millis * MINUTE);
    let under = |events: &[Event], id: &str, author: Option<&str>| -> Vec<(Millis, Interaction)> {
        interactions(events)
            .filter(|(_, i)| i.kind == "reply" && i.parent_id.as_deref() == Some(id))
            .filter(|(_, i)| author.is_none_or(|a| i.author.id == a))
            .map(|(at, i)| (at, i.clone()))
            .collect()
    };
    // A thread's author may also write an ordinary reply under it now and
    // then; the follow-ups are what the creator's replies add.
    let (mut answers, mut question_answers) = (0, 0);
    let (mut own, mut quiet_own) = (0, 0);
    for ((id, author, question), replied) in answered.iter().zip(replied) {
        let back = under(&later, id, Some(&author.id));
        own += back.len();
        quiet_own += under(&quiet, id, Some(&author.id)).len();
        let voice = Voice::of(&author.id);
        let angry = matches!(voice.character, Character::Critic | Character::Troll);
        // Thanks, or for a question a further question, or a critic's
        // argument: in the author's temper.
        let fits = |sentiment: Option<&str>| {
            matches!(
                (angry, *question, sentiment),
                (true, _, Some("negative"))
                    | (false, _, Some("positive"))
                    | (false, true, Some("neutral"))
            )
        };
        let followed = back
            .iter()
            .filter(|(at, i)| {
                fits(i.sentiment.as_deref())
                    && (replied + ANSWER_MIN..=replied + ANSWER_MAX).contains(at)
            })
            .count();
        for (_, i) in &back {
            assert_eq!(&i.author, *author, "the same author, as they were");
            if voice.lower {
                assert_eq!(i.text, i.text.to_lowercase(), "in their voice: {}", i.text);
            }
        }
        if followed > 0 {
            answers += 1;
            question_answers += usize::from(*question);
        }
    }
    assert!(
        own >= quiet_own + n / 4,
        "{}: {own} replies by the threads' authors, {quiet_own} without the creator",
        f.name
    );
    assert!(
        quiet_own <= 2,
        "{}: {quiet_own} replies by the threads' authors without the creator",
        f.name
    );
    assert!(
        answers >= n / 4 && answers < n,
        "{}: {answers} of {n} answered back",
        f.name
    );
    let asked = answered.iter().filter(|a| a.2).count();
    assert!(asked >= 8, "{}: only {asked} questions to answer", f.name);
    assert!(
        question_answers > 0,
        "{}: no question followed up ({asked} asked, {answers} of {n} answered back)",
        f.name
    );
}
