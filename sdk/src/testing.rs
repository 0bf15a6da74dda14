//! Checks shared by the platforms that take the common scenario signals
//! (`troll_wave`, `brand_deal_flood`, `controversy`, `growth`, plus
//! `viral` and `shadowban` listed): each drives a platform natively through
//! the [`Harness`] with fixed seeds and panics, naming what it saw, when
//! the platform does not behave. A platform's own test file calls them from
//! its `#[test]` functions, so every platform is held to the same figures.
//! The event selectors ([`interactions`], [`contents`], [`metrics`],
//! [`notices`]) serve any platform's tests.

use std::collections::BTreeSet;

use crate::harness::Harness;
use crate::*;

/// What differs between platforms in these checks.
pub struct Checks {
    /// The platform's name, which its error messages must carry.
    pub name: &'static str,
    /// Comments expected on the first day of a controversy on a 3M-follower
    /// account (platforms differ in comments per follower).
    pub controversy_peak_min: usize,
}

fn harness<P: Platform>(seed: u64, params: &str) -> Harness<P> {
    Harness::new(Harness::<P>::config(seed, "fitness", params)).expect("valid config")
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

/// A troll wave brings negative comments from new, small accounts to its target only; bad parameters are named.
pub fn troll_wave<P: Platform>(c: &Checks) {
    let mut h = harness::<P>(4, r#"{"followers": 100000}"#);
    let before = h.advance(12 * HOUR);
    let target = before
        .iter()
        .rev()
        .find_map(|e| match &e.payload {
            Payload::Content(c) if c.kind != "story" => Some(c.id.clone()),
            _ => None,
        })
        .expect("a post");
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
    assert!(e.contains(c.name) && e.contains("nope"), "{e}");
    let e = h.signal("troll_wave", r#"{"size": -3}"#).unwrap_err();
    assert!(e.contains(c.name) && e.contains("`size`"), "{e}");
}

/// A brand-deal flood multiplies collaboration DMs about tenfold for its duration, leaves the rest, then calms down.
pub fn brand_deal_flood<P: Platform>(c: &Checks) {
    let cfg = Harness::<P>::config(5, "beauty", r#"{"dm_rate": 200}"#);
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
    assert!(e.contains(c.name) && e.contains("`factor`"), "{e}");
}

/// A controversy turns the comments negative, then heals back to the usual mix.
pub fn controversy<P: Platform>(c: &Checks) {
    let mut h = harness::<P>(7, r#"{"followers": 3000000}"#);
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
        before.len() > 1000 && peak.len() > c.controversy_peak_min && healed.len() > 3000,
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

/// Growth carries the followers across a round number, steadily.
pub fn growth<P: Platform>(c: &Checks) {
    let mut h = harness::<P>(8, r#"{"followers": 99000}"#);
    h.advance(2 * HOUR);
    let start = h.now();
    h.signal("growth", r#"{"followers": 100000, "duration": 43200000}"#)
        .unwrap();
    let events = h.advance(DAY);
    let followers: Vec<(Millis, i64)> = events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Metric(m) if m.name == "followers" => Some((e.at, m.total)),
            _ => None,
        })
        .collect();
    let during: Vec<i64> = followers
        .iter()
        .filter(|(at, _)| *at < start + 12 * HOUR + MINUTE)
        .map(|(_, n)| *n)
        .collect();
    assert!(during.len() >= 12, "{during:?}");
    assert!(during[0] < 100_000, "{during:?}");
    assert!(*during.last().unwrap() >= 100_000, "{during:?}");
    assert!(during.windows(2).all(|w| w[1] >= w[0] - 20), "{during:?}");
    let e = h.signal("growth", r#"{"followers": 10}"#).unwrap_err();
    assert!(e.contains(c.name) && e.contains("`followers`"), "{e}");
}

/// The shared signals are listed, an unknown one is named, a shadowban is accepted.
pub fn listed_and_unknown<P: Platform>(c: &Checks) {
    let info = P::describe();
    let names: Vec<&str> = info.signals.iter().map(|s| s.name.as_str()).collect();
    for s in [
        "viral",
        "shadowban",
        "troll_wave",
        "brand_deal_flood",
        "controversy",
        "growth",
    ] {
        assert!(names.contains(&s), "{names:?}");
    }
    let mut h = harness::<P>(1, "{}");
    let e = h.signal("meteor_strike", "{}").unwrap_err();
    assert!(e.contains(c.name) && e.contains("meteor_strike"), "{e}");
    assert!(h
        .signal(
            "shadowban",
            r#"{"depth": 0.9, "duration": 3600000, "recovery": 3600000}"#
        )
        .is_ok());
}
