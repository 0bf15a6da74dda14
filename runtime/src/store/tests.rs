//! Store tests: every public behaviour against a real sled database in a
//! temporary directory.

use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};
use serde_json::json;

use super::*;

fn author(n: u64) -> Author {
    Author {
        id: format!("UC{n:06}"),
        handle: format!("@viewer{n}"),
        display_name: format!("Viewer {n}"),
        avatar_url: format!("https://yt3.example/a/{n}.jpg"),
        verified: n.is_multiple_of(10),
        followers: n * 7,
    }
}

fn ev(owner: OwnerId, seq: u64, platform: &str, at: i64, payload: Payload) -> StoredEvent {
    StoredEvent {
        seq,
        profile: owner,
        platform: platform.into(),
        event: Event { at, payload },
    }
}

fn content(id: &str, kind: &str) -> Payload {
    Payload::Content(Content {
        id: id.into(),
        kind: kind.into(),
        title: format!("Title of {id}"),
        text: format!("Description of {id}"),
        url: format!("https://example.com/{id}"),
    })
}

fn interaction(
    kind: &str,
    content_id: Option<&str>,
    a: u64,
    sentiment: Option<&str>,
    dm: Option<&str>,
) -> Payload {
    Payload::Interaction(Interaction {
        id: format!("i-{kind}-{a}-{}", content_id.unwrap_or("none")),
        kind: kind.into(),
        content_id: content_id.map(Into::into),
        parent_id: None,
        author: author(a),
        text: "Great video, I learned a lot about this topic and will try it this weekend!".into(),
        sentiment: sentiment.map(Into::into),
        dm_type: dm.map(Into::into),
    })
}

fn metric(content_id: Option<&str>, name: &str, total: i64) -> Payload {
    Payload::Metric(Metric {
        content_id: content_id.map(Into::into),
        name: name.into(),
        total,
        delta: 1,
    })
}

const SENTIMENTS: [&str; 3] = ["positive", "neutral", "negative"];

/// A deterministic stream: 3 videos, then comments, DMs, metrics and a
/// notice, `n` events in all starting at seq `first`.
fn stream(owner: OwnerId, first: u64, n: u64) -> Vec<StoredEvent> {
    let mut out = Vec::new();
    for k in 0..n {
        let seq = first + k;
        let at = 1_000_000 + seq as i64 * 1000;
        let vid = format!("vid{}", seq % 3);
        let p = if k < 3 {
            content(&format!("vid{k}"), "video")
        } else if seq.is_multiple_of(17) {
            metric(Some(&vid), "views", seq as i64 * 10)
        } else if seq.is_multiple_of(29) {
            metric(None, "subscribers", 1000 + seq as i64)
        } else if seq.is_multiple_of(31) {
            interaction(
                "dm",
                None,
                seq % 13,
                None,
                Some(if seq.is_multiple_of(2) { "fan" } else { "spam" }),
            )
        } else if seq.is_multiple_of(97) {
            Payload::Notice(Notice {
                code: "rate_limited".into(),
                message: "slow down".into(),
            })
        } else {
            let sentiment = SENTIMENTS[(seq % 3) as usize];
            interaction("comment", Some(&vid), seq % 41, Some(sentiment), None)
        };
        out.push(ev(owner, seq, "youtube", at, p));
    }
    out
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("data")).expect("open store");
    (dir, store)
}

fn all_events(s: &Store, owner: OwnerId) -> Vec<StoredEvent> {
    s.events(owner, None, usize::MAX).expect("events")
}

fn blocks_of(s: &Store, owner: OwnerId) -> usize {
    s.inner.events.scan_prefix(owner_key(owner)).count()
}

#[test]
fn append_then_read_back() {
    let (_d, s) = open();
    let o = s.new_owner_id().unwrap();
    assert_eq!(s.last_seq(o).unwrap(), None);
    assert!(s.events(o, None, 10).unwrap().is_empty());
    let evs = stream(o, 1, 50);
    s.append(o, &evs).unwrap();
    assert_eq!(all_events(&s, o), evs);
    assert_eq!(s.last_seq(o).unwrap(), Some(50));
    for e in &evs {
        assert_eq!(s.event(o, e.seq).unwrap().as_ref(), Some(e));
    }
    assert_eq!(s.event(o, 0).unwrap(), None);
    assert_eq!(s.event(o, 51).unwrap(), None);
    assert_eq!(s.events(o, Some(10), 5).unwrap(), evs[10..15].to_vec());
    assert_eq!(s.events(o, Some(50), 5).unwrap(), vec![]);
    assert_eq!(s.events(o, None, 0).unwrap(), vec![]);
    // Another owner sees nothing of it.
    assert_eq!(s.last_seq(o + 1).unwrap(), None);
    assert_eq!(s.event(o + 1, 5).unwrap(), None);
}

#[test]
fn gaps_in_seqs_and_seq_zero() {
    let (_d, s) = open();
    let mut evs = stream(1, 0, 10);
    for (i, e) in evs.iter_mut().enumerate() {
        e.seq = (i as u64) * 1_000_000_000_000; // spans beyond u32 within a call
    }
    s.append(1, &evs).unwrap();
    assert_eq!(all_events(&s, 1), evs);
    assert_eq!(s.event(1, 0).unwrap().as_ref(), Some(&evs[0]));
    assert_eq!(s.event(1, 1).unwrap(), None);
    let f = InteractionFilter::default();
    let got = s.interactions(1, &f, None, 100).unwrap();
    assert_eq!(got.len(), evs.iter().filter(|e| f.matches(e)).count());
}

#[test]
fn appends_must_follow_in_seq_order_and_owner() {
    let (_d, s) = open();
    s.append(1, &stream(1, 1, 10)).unwrap();
    let err = s.append(1, &stream(1, 10, 2)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::OutOfOrder {
                owner: 1,
                seq: 10,
                after: 10
            }
        ),
        "{err}"
    );
    let mut bad = stream(1, 20, 3);
    bad[2].seq = 20;
    assert!(matches!(
        s.append(1, &bad).unwrap_err(),
        StoreError::OutOfOrder { .. }
    ));
    let err = s.append(2, &stream(1, 100, 1)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::WrongOwner {
                owner: 2,
                profile: 1,
                seq: 100
            }
        ),
        "{err}"
    );
    // Nothing of the rejected calls was written.
    assert_eq!(s.last_seq(1).unwrap(), Some(10));
    assert_eq!(s.last_seq(2).unwrap(), None);
}

/// Reads that must not depend on how events were split into calls.
fn fingerprint(s: &Store, o: OwnerId) -> Vec<String> {
    let mut out = vec![format!("{:?}", all_events(s, o))];
    for after in [None, Some(0), Some(999), Some(1000), Some(1001), Some(2222)] {
        out.push(format!("{:?}", s.events(o, after, 777).unwrap()));
    }
    for seq in [1, 999, 1000, 1001, 2000, 2500, 2501] {
        out.push(format!("{:?}", s.event(o, seq).unwrap()));
    }
    for vid in ["vid0", "vid1", "vid2"] {
        out.push(format!("{:?}", s.content(o, vid).unwrap()));
        let f = InteractionFilter {
            content_id: Some(vid.into()),
            ..Default::default()
        };
        out.push(format!(
            "{:?}",
            s.interactions(o, &f, Some(500), 300).unwrap()
        ));
    }
    let q = CountQuery {
        sentiment: Some("negative".into()),
        ..Default::default()
    };
    out.push(format!("{}", s.count(o, &q).unwrap()));
    out.push(format!("{}", s.count(o, &CountQuery::default()).unwrap()));
    out.push(format!(
        "{:?}",
        s.account_metric(o, "youtube", "subscribers").unwrap()
    ));
    out
}

#[test]
fn block_boundaries_do_not_change_reads() {
    let (_d, s) = open();
    let evs = stream(1, 1, 2500);
    s.append(1, &evs).unwrap();
    assert!(blocks_of(&s, 1) >= 3, "2,500 events span several blocks");
    let st = s.owner_stats(1).unwrap();
    assert_eq!(st.events, 2500);
    assert_eq!(st.blocks, blocks_of(&s, 1) as u64);
    assert!(st.block_bytes > 2500 * 50 && st.index_bytes > 0, "{st:?}");

    let mut other: Vec<StoredEvent> = evs.clone();
    for e in &mut other {
        e.profile = 2;
    }
    let mut i = 0;
    let mut step = 1;
    while i < other.len() {
        let end = (i + step).min(other.len());
        s.append(2, &other[i..end]).unwrap();
        i = end;
        step = step * 3 % 257 + 1;
    }
    assert!(blocks_of(&s, 2) > blocks_of(&s, 1));
    let a = fingerprint(&s, 1);
    let b: Vec<String> = fingerprint(&s, 2)
        .into_iter()
        .map(|x| x.replace("profile: 2", "profile: 1"))
        .collect();
    assert_eq!(a, b);
    assert_eq!(all_events(&s, 1), evs);
}

#[test]
fn large_events_close_blocks_by_size() {
    let (_d, s) = open();
    let mut evs = stream(1, 1, 300);
    for e in &mut evs {
        if let Payload::Interaction(i) = &mut e.event.payload {
            i.text = "x".repeat(2000);
        }
    }
    s.append(1, &evs).unwrap();
    assert!(
        blocks_of(&s, 1) >= 5,
        "300 × 2 KB events need several 96 KiB blocks"
    );
    assert_eq!(all_events(&s, 1), evs);
    for e in evs.iter().step_by(7) {
        assert_eq!(s.event(1, e.seq).unwrap().as_ref(), Some(e));
    }
}

#[test]
fn counts_by_every_dimension() {
    let (_d, s) = open();
    let mut evs = stream(1, 1, 1200);
    let n = evs.len() as u64;
    // A second platform with its own kinds.
    for k in 0..40u64 {
        let p = interaction("like", Some("reel1"), k, Some("positive"), None);
        evs.push(ev(1, 2000 + k, "instagram", 5_000_000, p));
    }
    s.append(1, &evs[..700]).unwrap();
    s.append(1, &evs[700..]).unwrap();

    let brute = |q: &CountQuery| -> u64 {
        evs.iter()
            .filter(|e| {
                let (sent, dm) = match &e.event.payload {
                    Payload::Interaction(i) => (i.sentiment.as_deref(), i.dm_type.as_deref()),
                    _ => (None, None),
                };
                q.platform.as_deref().is_none_or(|p| p == e.platform)
                    && q.type_name
                        .as_deref()
                        .is_none_or(|t| t == e.event.type_name())
                    && q.kind.as_deref().is_none_or(|k| k == e.event.kind())
                    && q.sentiment.as_deref().is_none_or(|x| Some(x) == sent)
                    && q.dm_type.as_deref().is_none_or(|x| Some(x) == dm)
            })
            .count() as u64
    };
    let o = |s: &str| Some(s.to_string());
    let queries = [
        CountQuery::default(),
        CountQuery {
            platform: o("youtube"),
            ..Default::default()
        },
        CountQuery {
            platform: o("instagram"),
            ..Default::default()
        },
        CountQuery {
            type_name: o("interaction"),
            ..Default::default()
        },
        CountQuery {
            type_name: o("metric"),
            ..Default::default()
        },
        CountQuery {
            type_name: o("content"),
            ..Default::default()
        },
        CountQuery {
            type_name: o("notice"),
            ..Default::default()
        },
        CountQuery {
            kind: o("comment"),
            ..Default::default()
        },
        CountQuery {
            kind: o("views"),
            ..Default::default()
        },
        CountQuery {
            platform: o("youtube"),
            type_name: o("interaction"),
            ..Default::default()
        },
        CountQuery {
            platform: o("youtube"),
            type_name: o("interaction"),
            kind: o("dm"),
            ..Default::default()
        },
        CountQuery {
            platform: o("youtube"),
            kind: o("comment"),
            sentiment: o("negative"),
            ..Default::default()
        },
        CountQuery {
            kind: o("comment"),
            sentiment: o("positive"),
            ..Default::default()
        },
        CountQuery {
            sentiment: o("positive"),
            ..Default::default()
        },
        CountQuery {
            platform: o("instagram"),
            sentiment: o("positive"),
            ..Default::default()
        },
        CountQuery {
            kind: o("dm"),
            dm_type: o("fan"),
            ..Default::default()
        },
        CountQuery {
            platform: o("youtube"),
            dm_type: o("spam"),
            ..Default::default()
        },
        CountQuery {
            kind: o("nothing"),
            ..Default::default()
        },
    ];
    for q in &queries {
        assert_eq!(s.count(1, q).unwrap(), brute(q), "{q:?}");
    }
    assert_eq!(s.count(1, &queries[0]).unwrap(), n + 40);
    assert!(brute(&queries[11]) > 0 && brute(&queries[15]) > 0 && brute(&queries[16]) > 0);
    assert_eq!(s.count(2, &queries[0]).unwrap(), 0);
    let err = s
        .count(
            1,
            &CountQuery {
                type_name: o("comments"),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown event type `comments`"),
        "{err}"
    );
}

#[test]
fn content_records_follow_latest_metrics() {
    let (_d, s) = open();
    let o = 7;
    let e = |seq, at, p| ev(o, seq, "youtube", at, p);
    s.append(
        o,
        &[
            e(1, 100, content("a", "video")),
            e(2, 200, content("b", "short")),
            e(3, 210, metric(Some("a"), "views", 10)),
            e(
                4,
                220,
                interaction("comment", Some("a"), 1, Some("positive"), None),
            ),
            e(5, 230, metric(None, "subscribers", 500)),
        ],
    )
    .unwrap();
    s.append(
        o,
        &[
            e(6, 300, metric(Some("a"), "views", 40)),
            e(7, 310, metric(Some("a"), "likes", 3)),
            e(8, 320, metric(Some("a"), "views", 55)),
            e(
                9,
                330,
                interaction("comment", Some("a"), 2, Some("neutral"), None),
            ),
            e(
                10,
                340,
                interaction("reply", Some("b"), 2, Some("neutral"), None),
            ),
            e(11, 350, metric(None, "subscribers", 512)),
            e(12, 360, content("c", "video")),
            e(13, 370, metric(Some("ghost"), "views", 9)),
        ],
    )
    .unwrap();
    let a = s.content(o, "a").unwrap().expect("a");
    assert_eq!(a.kind, "video");
    assert_eq!(a.title, "Title of a");
    assert_eq!(a.published_at, 100);
    assert_eq!(a.seq, 1);
    assert_eq!(
        a.metrics,
        BTreeMap::from([("views".into(), 55), ("likes".into(), 3)])
    );
    assert_eq!(a.interactions, 2);
    assert_eq!(s.content(o, "b").unwrap().expect("b").interactions, 1);
    // A metric for content never published is kept but not listed.
    assert_eq!(s.content(o, "ghost").unwrap(), None);
    assert_eq!(
        s.account_metric(o, "youtube", "subscribers").unwrap(),
        Some(512)
    );
    assert_eq!(s.account_metric(o, "youtube", "views").unwrap(), None);
    assert_eq!(s.account_metric(o, "tiktok", "subscribers").unwrap(), None);

    let ids = |v: Vec<ContentRecord>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(s.contents(o, None, None).unwrap()), ["a", "b", "c"]);
    assert_eq!(
        ids(s.contents(o, Some("youtube"), Some("video")).unwrap()),
        ["a", "c"]
    );
    assert_eq!(
        ids(s.contents(o, Some("tiktok"), None).unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(s.latest_content(o, None, None).unwrap().unwrap().id, "c");
    assert_eq!(
        s.latest_content(o, Some("youtube"), Some("short"))
            .unwrap()
            .unwrap()
            .id,
        "b"
    );
    let latest_video = s
        .latest_content(o, Some("youtube"), Some("video"))
        .unwrap()
        .unwrap();
    assert_eq!(latest_video.id, "c");
    assert_eq!(s.latest_content(o, None, Some("reel")).unwrap(), None);
    // Published order is by time, not seq.
    s.append(o, &[e(14, 50, content("early", "video"))])
        .unwrap();
    assert_eq!(
        ids(s.contents(o, None, Some("video")).unwrap()),
        ["early", "a", "c"]
    );
}

fn ids_of(v: &[StoredEvent]) -> Vec<u64> {
    v.iter().map(|e| e.seq).collect()
}

#[test]
fn interactions_by_each_filter() {
    let (_d, s) = open();
    let mut evs = stream(1, 1, 3000);
    // A second platform interleaved at the end, sharing a kind name.
    for k in 0..100u64 {
        let mut e = stream(1, 3001 + k, 1).remove(0);
        if k.is_multiple_of(2) {
            e.platform = "instagram".into();
            e.event.payload = interaction("comment", Some("reel1"), k % 7, Some("positive"), None);
        }
        evs.push(e);
    }
    s.append(1, &evs[..1234]).unwrap();
    s.append(1, &evs[1234..]).unwrap();
    let o = |s: &str| Some(s.to_string());
    let filters = [
        InteractionFilter::default(),
        InteractionFilter {
            platform: o("youtube"),
            ..Default::default()
        },
        InteractionFilter {
            platform: o("instagram"),
            ..Default::default()
        },
        InteractionFilter {
            platform: o("instagram"),
            kind: o("comment"),
            author_id: o("UC000003"),
            ..Default::default()
        },
        InteractionFilter {
            platform: o("youtube"),
            content_id: o("reel1"),
            ..Default::default()
        },
        InteractionFilter {
            platform: o("tiktok"),
            ..Default::default()
        },
        InteractionFilter {
            kind: o("comment"),
            ..Default::default()
        },
        InteractionFilter {
            kind: o("dm"),
            ..Default::default()
        },
        InteractionFilter {
            content_id: o("vid1"),
            ..Default::default()
        },
        InteractionFilter {
            content_id: o("nope"),
            ..Default::default()
        },
        InteractionFilter {
            author_id: o("UC000005"),
            ..Default::default()
        },
        InteractionFilter {
            author_id: o("UC000005"),
            content_id: o("vid2"),
            ..Default::default()
        },
        InteractionFilter {
            sentiment: o("negative"),
            ..Default::default()
        },
        InteractionFilter {
            kind: o("dm"),
            dm_type: o("spam"),
            ..Default::default()
        },
        InteractionFilter {
            since: Some(1_500_000),
            until: Some(2_000_000),
            ..Default::default()
        },
        InteractionFilter {
            since: Some(99_000_000),
            ..Default::default()
        },
        InteractionFilter {
            until: Some(1_000_500),
            ..Default::default()
        },
        InteractionFilter {
            kind: o("comment"),
            author_id: o("UC000007"),
            sentiment: o("positive"),
            since: Some(2_000_000),
            ..Default::default()
        },
    ];
    for f in &filters {
        let want: Vec<u64> = evs.iter().filter(|e| f.matches(e)).map(|e| e.seq).collect();
        assert_eq!(
            ids_of(&s.interactions(1, f, None, usize::MAX).unwrap()),
            want,
            "{f:?}"
        );
        // Paged by 50 with the last seq as cursor gives the same list.
        let mut paged = Vec::new();
        let mut cursor = None;
        loop {
            let page = s.interactions(1, f, cursor, 50).unwrap();
            assert!(page.len() <= 50);
            if page.is_empty() {
                break;
            }
            cursor = page.last().map(|e| e.seq);
            paged.extend(ids_of(&page));
        }
        assert_eq!(paged, want, "paged {f:?}");
        // Newest first, paged by 37 with the last seq as `before`: the
        // same list reversed, from any cursor.
        let mut newest = Vec::new();
        let mut before = None;
        loop {
            let page = s.interactions_newest_first(1, f, before, 37).unwrap();
            if page.is_empty() {
                break;
            }
            before = page.last().map(|e| e.seq);
            newest.extend(ids_of(&page));
        }
        let reversed: Vec<u64> = want.iter().rev().copied().collect();
        assert_eq!(newest, reversed, "newest first {f:?}");
        for cut in [1, 1234, 1235, 2000, 3050, 5000] {
            let below: Vec<u64> = reversed.iter().copied().filter(|&q| q < cut).collect();
            assert_eq!(
                ids_of(
                    &s.interactions_newest_first(1, f, Some(cut), usize::MAX)
                        .unwrap()
                ),
                below,
                "newest first before {cut}, {f:?}"
            );
        }
    }
    // Sanity: the filters above are not all trivially empty.
    for (i, f) in filters.iter().enumerate() {
        let n = evs.iter().filter(|e| f.matches(e)).count();
        let expect_empty = [4, 5, 9, 15, 16].contains(&i);
        assert_eq!(n == 0, expect_empty, "filter {i} {f:?} matches {n}");
    }
}

#[test]
fn pagination_is_stable_while_events_arrive() {
    let (_d, s) = open();
    let all = stream(1, 1, 4000);
    s.append(1, &all[..1000]).unwrap();
    let f = InteractionFilter {
        kind: Some("comment".into()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut appended = 1000;
    loop {
        let page = s.interactions(1, &f, cursor, 50).unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(|e| e.seq);
        seen.extend(ids_of(&page));
        if appended < all.len() {
            let end = (appended + 137).min(all.len());
            s.append(1, &all[appended..end]).unwrap();
            appended = end;
        }
    }
    assert_eq!(appended, all.len(), "the test appended while paging");
    let want: Vec<u64> = all.iter().filter(|e| f.matches(e)).map(|e| e.seq).collect();
    assert_eq!(seen, want, "no duplicates, no gaps, in seq order");
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let evs = stream(1, 1, 1500);
    let before;
    {
        let s = Store::open(&path).unwrap();
        assert_eq!(s.new_owner_id().unwrap(), 1);
        s.put_profile(1, &json!({"name": "tech"})).unwrap();
        s.put_snapshot(1, "youtube", b"state").unwrap();
        let run = s.new_run(&json!({"seed": 7})).unwrap();
        assert_eq!(run, 1);
        s.update_run(run, &json!({"seed": 7, "outcome": "passed"}))
            .unwrap();
        s.append(1, &evs).unwrap();
        s.flush().unwrap();
        before = fingerprint(&s, 1);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(fingerprint(&s, 1), before);
    assert_eq!(s.profile(1).unwrap(), Some(json!({"name": "tech"})));
    assert_eq!(
        s.snapshot(1, "youtube").unwrap().as_deref(),
        Some(&b"state"[..])
    );
    assert_eq!(
        s.run(1).unwrap(),
        Some(json!({"seed": 7, "outcome": "passed"}))
    );
    assert_eq!(s.new_owner_id().unwrap(), 2, "ids continue after reopening");
    assert_eq!(s.new_run(&json!({})).unwrap(), 2);
    // Appending continues after the stored seqs.
    s.append(1, &stream(1, 1501, 10)).unwrap();
    assert_eq!(s.last_seq(1).unwrap(), Some(1510));
}

#[test]
fn profiles_runs_and_snapshots() {
    let (_d, s) = open();
    let a = s.new_owner_id().unwrap();
    let b = s.new_owner_id().unwrap();
    assert!(b > a);
    s.put_profile(b, &json!({"n": "b"})).unwrap();
    s.put_profile(a, &json!({"n": "a"})).unwrap();
    s.put_profile(a, &json!({"n": "a2"})).unwrap();
    assert_eq!(
        s.profiles().unwrap(),
        vec![(a, json!({"n": "a2"})), (b, json!({"n": "b"}))]
    );
    assert_eq!(s.profile(99).unwrap(), None);
    assert!(matches!(
        s.update_run(5, &json!({})),
        Err(StoreError::NoSuchRun(5))
    ));
    assert_eq!(s.run(5).unwrap(), None);
    assert_eq!(s.snapshot(a, "youtube").unwrap(), None);
    s.put_snapshot(a, "youtube", &[1, 2, 3]).unwrap();
    s.put_snapshot(a, "youtube", &[4]).unwrap();
    assert_eq!(s.snapshot(a, "youtube").unwrap(), Some(vec![4]));
    assert_eq!(s.snapshot(b, "youtube").unwrap(), None);
}

#[test]
fn delete_owner_removes_every_key_and_only_its_own() {
    let (_d, s) = open();
    let (a, b) = (s.new_owner_id().unwrap(), s.new_owner_id().unwrap());
    for o in [a, b] {
        s.put_profile(o, &json!({"id": o})).unwrap();
        s.put_snapshot(o, "youtube", b"x").unwrap();
        s.put_snapshot(o, "tiktok", b"y").unwrap();
        s.append(o, &stream(o, 1, 2200)).unwrap();
    }
    let b_before = fingerprint(&s, b);
    let b_keys = s.count_owner_keys(b).unwrap();
    let a_keys = s.count_owner_keys(a).unwrap();
    assert!(a_keys > 10);
    assert_eq!(s.delete_owner(a).unwrap(), a_keys);
    assert_eq!(s.count_owner_keys(a).unwrap(), 0);
    assert_eq!(s.count_owner_keys(b).unwrap(), b_keys);
    assert_eq!(fingerprint(&s, b), b_before);
    assert_eq!(s.profile(a).unwrap(), None);
    assert_eq!(s.last_seq(a).unwrap(), None);
    assert_eq!(s.count(a, &CountQuery::default()).unwrap(), 0);
    assert_eq!(s.contents(a, None, None).unwrap(), vec![]);
    assert_eq!(s.delete_owner(a).unwrap(), 0);
    // A writer that raced the deletion cannot bring any of it back.
    assert!(matches!(
        s.append(a, &stream(a, 1, 5)),
        Err(StoreError::OwnerDeleted(o)) if o == a
    ));
    assert!(matches!(
        s.put_profile(a, &json!({"id": a})),
        Err(StoreError::OwnerDeleted(_))
    ));
    assert!(matches!(
        s.put_record(RecordTree::Live, a, b"state", b"{}"),
        Err(StoreError::OwnerDeleted(_))
    ));
    assert!(matches!(
        s.put_snapshot(a, "youtube", b"x"),
        Err(StoreError::OwnerDeleted(_))
    ));
    assert_eq!(s.count_owner_keys(a).unwrap(), 0);
}

#[test]
fn a_deletion_interrupted_by_a_crash_is_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let (a, b) = (1, 2);
    {
        let s = Store::open(&path).unwrap();
        for o in [a, b] {
            s.put_profile(o, &json!({"id": o})).unwrap();
            s.put_snapshot(o, "youtube", b"x").unwrap();
            s.put_record(RecordTree::Live, o, b"state", b"{}").unwrap();
            s.append(o, &stream(o, 1, 1500)).unwrap();
        }
        // What `delete_owner` does up to a crash: the mark, then part of
        // the keys (the events), never the profile record first.
        s.inner.meta.insert(deleting_key(a), &[]).unwrap();
        for k in s.inner.events.scan_prefix(owner_key(a)).keys() {
            s.inner.events.remove(k.unwrap()).unwrap();
        }
        s.flush().unwrap();
        assert!(s.profile(a).unwrap().is_some());
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.count_owner_keys(a).unwrap(),
        0,
        "the deletion is finished"
    );
    assert!(
        s.count_owner_keys(b).unwrap() > 0,
        "the other owner is kept"
    );
    assert!(s.inner.meta.scan_prefix(DELETING).next().is_none());
}

#[test]
fn owners_without_a_profile_record_are_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    {
        let s = Store::open(&path).unwrap();
        s.put_profile(1, &json!({"id": 1})).unwrap();
        s.append(1, &stream(1, 1, 10)).unwrap();
        // Owner 2 lost its record (a deletion crashed after removing it,
        // as an older build did): its other keys are orphans.
        s.put_snapshot(2, "youtube", b"x").unwrap();
        s.put_record(RecordTree::Journal, 2, b"k", b"v").unwrap();
        s.append(2, &stream(2, 1, 10)).unwrap();
        s.flush().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.delete_orphans().unwrap(), vec![2]);
    assert_eq!(s.count_owner_keys(2).unwrap(), 0);
    assert_eq!(s.count(1, &CountQuery::default()).unwrap(), 10);
    assert_eq!(s.delete_orphans().unwrap(), Vec::<OwnerId>::new());
}

#[test]
fn a_checkpoint_writes_snapshots_state_and_journal_trim_together() {
    let (_d, s) = open();
    s.put_profile(1, &json!({})).unwrap();
    s.put_record(RecordTree::Journal, 1, b"\0\0\0\0\0\0\0\x01", b"cmd")
        .unwrap();
    s.put_record(RecordTree::Journal, 1, b"\0\0\0\0\0\0\0\x02", b"cmd")
        .unwrap();
    let journal = s
        .records(RecordTree::Journal, 1, b"", b"", usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect::<Vec<_>>();
    s.checkpoint(
        1,
        &[
            ("youtube".into(), b"yt".to_vec()),
            ("tiktok".into(), b"tt".to_vec()),
        ],
        &[(&b"state"[..], &b"{\"now\":1}"[..])],
        &journal,
    )
    .unwrap();
    assert_eq!(
        s.snapshot(1, "youtube").unwrap().as_deref(),
        Some(&b"yt"[..])
    );
    assert_eq!(
        s.snapshot(1, "tiktok").unwrap().as_deref(),
        Some(&b"tt"[..])
    );
    assert_eq!(
        s.record(RecordTree::Live, 1, b"state").unwrap().as_deref(),
        Some(&b"{\"now\":1}"[..])
    );
    assert!(s
        .records(RecordTree::Journal, 1, b"", b"", 10)
        .unwrap()
        .is_empty());
}

#[test]
fn durable_seq_follows_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    {
        let s = Store::open(&path).unwrap();
        s.put_profile(1, &json!({})).unwrap();
        s.append(1, &stream(1, 1, 10)).unwrap();
        s.commit().unwrap();
        assert_eq!(s.durable_seq(1).unwrap(), Some(10));
        s.append(1, &stream(1, 11, 10)).unwrap();
        // Stored, not yet known to be on disk: not published.
        assert_eq!(s.durable_seq(1).unwrap(), Some(10));
        assert_eq!(s.durable_events(1, Some(5), 100).unwrap().len(), 5);
        assert!(s.durable_events(1, Some(10), 100).unwrap().is_empty());
        s.commit().unwrap();
        assert_eq!(s.durable_seq(1).unwrap(), Some(20));
        assert_eq!(s.durable_events(1, Some(10), 100).unwrap().len(), 10);
    }
    // Reopened, everything stored is on disk.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.durable_seq(1).unwrap(), Some(20));
    assert_eq!(s.durable_seq(2).unwrap(), None);
}

#[test]
fn every_owner_tree_is_listed() {
    let (_d, s) = open();
    s.put_profile(1, &json!({})).unwrap();
    s.put_snapshot(1, "youtube", b"x").unwrap();
    s.new_run(&json!({})).unwrap();
    s.append(1, &stream(1, 1, 100)).unwrap();
    for tree in [
        RecordTree::Hooks,
        RecordTree::Outbox,
        RecordTree::Deliveries,
        RecordTree::Live,
        RecordTree::Journal,
    ] {
        s.put_record(tree, 1, b"k", b"v").unwrap();
    }
    let mut names: Vec<String> = s
        .inner
        .db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| !["__sled__default", "meta", "runs"].contains(&n.as_str()))
        .collect();
    names.sort();
    let mut listed: Vec<String> = OWNER_TREES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed);
    let named: Vec<&str> = s.owner_trees().iter().map(|(n, _)| *n).collect();
    assert_eq!(named, OWNER_TREES);
    for (name, tree) in s.owner_trees() {
        assert_eq!(tree.name().as_ref(), name.as_bytes());
        assert!(!tree.is_empty(), "{name} was exercised by this test");
    }
}

#[test]
fn schema_version_mismatch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    drop(Store::open(&path).unwrap());
    {
        let db = sled::open(&path).unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(
        err,
        StoreError::SchemaVersion {
            found: 99,
            expected: SCHEMA_VERSION,
            ..
        }
    ));
    let msg = err.to_string();
    assert!(
        msg.contains("schema version 99") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
}

#[test]
fn foreign_directories_and_locked_stores_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );

    let file = dir.path().join("notes.txt");
    assert!(matches!(
        Store::open(&file).err(),
        Some(StoreError::NotAStore { .. })
    ));

    // A sled database of something else.
    let other = dir.path().join("other");
    {
        let db = sled::open(&other).unwrap();
        db.insert("k", "v").unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&other).err().expect("refused");
    assert!(
        err.to_string().contains("without a diorama schema version"),
        "{err}"
    );

    let path = dir.path().join("data");
    let s = Store::open(&path).unwrap();
    let err = Store::open(&path).err().expect("locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("in use by another process"));
    drop(s);
    Store::open(&path).expect("free again once closed");
}

#[test]
fn corrupt_block_is_an_error_naming_owner_and_seq() {
    let (_d, s) = open();
    s.append(4, &stream(4, 1, 2500)).unwrap();
    let key = s
        .inner
        .events
        .range(seq_key(4, 1200)..)
        .keys()
        .next()
        .unwrap()
        .unwrap();
    let last = u64_of(&key, 8).unwrap();
    let mut bytes = s.inner.events.get(&key).unwrap().unwrap().to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    s.inner.events.insert(&key, bytes).unwrap();

    let err = s.event(4, 1200).unwrap_err();
    assert!(
        matches!(err, StoreError::CorruptBlock { owner: 4, seq, .. } if seq == last),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("owner 4") && msg.contains(&format!("seq {last}")) && msg.contains("checksum"),
        "{msg}"
    );
    assert!(matches!(
        s.events(4, None, usize::MAX),
        Err(StoreError::CorruptBlock { owner: 4, .. })
    ));
    let f = InteractionFilter::default();
    assert!(matches!(
        s.interactions(4, &f, None, usize::MAX),
        Err(StoreError::CorruptBlock { owner: 4, .. })
    ));
    // Blocks before it still read.
    assert_eq!(s.event(4, 1).unwrap().map(|e| e.seq), Some(1));

    // A truncated block too.
    s.inner.events.insert(&key, &[1u8, 0, 0][..]).unwrap();
    assert!(matches!(
        s.event(4, 1200),
        Err(StoreError::CorruptBlock { owner: 4, .. })
    ));
    // And a corrupt index.
    s.inner.event_index.insert(&key, &[1u8, 2, 3][..]).unwrap();
    let err = s.interactions(4, &f, Some(last - 1), 10).unwrap_err();
    assert!(
        matches!(err, StoreError::CorruptIndex { owner: 4, .. }),
        "{err}"
    );
}

#[test]
fn aggregates_are_replayed_after_an_interrupted_append() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let evs = stream(1, 1, 2500);
    let want;
    {
        let s = Store::open(&path).unwrap();
        s.append(1, &evs[..1000]).unwrap();
        want = {
            s.append(1, &evs[1000..]).unwrap();
            fingerprint(&s, 1)
        };
    }
    {
        // As if the process died after writing the second call's blocks:
        // aggregates and content back to the first call, indexes missing.
        let s = Store::open(&path).unwrap();
        let fresh = dir.path().join("fresh");
        let f = Store::open(&fresh).unwrap();
        f.append(1, &evs[..1000]).unwrap();
        let copy = |tree: &sled::Tree, from: &sled::Tree| {
            for k in tree.scan_prefix(owner_key(1)).keys() {
                tree.remove(k.unwrap()).unwrap();
            }
            for item in from.scan_prefix(owner_key(1)) {
                let (k, v) = item.unwrap();
                tree.insert(k, v).unwrap();
            }
        };
        copy(&s.inner.aggregates, &f.inner.aggregates);
        copy(&s.inner.content, &f.inner.content);
        for k in s.inner.event_index.range(seq_key(1, 1001)..).keys() {
            s.inner.event_index.remove(k.unwrap()).unwrap();
        }
        assert_ne!(fingerprint(&s, 1), want);
        s.flush().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(fingerprint(&s, 1), want);
}

#[test]
fn a_store_is_shared_between_threads() {
    let (_d, s) = open();
    let handles: Vec<_> = (1..=4u64)
        .map(|o| {
            let s = s.clone();
            std::thread::spawn(move || {
                let evs = stream(o, 1, 600);
                for chunk in evs.chunks(100) {
                    s.append(o, chunk).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for o in 1..=4u64 {
        assert_eq!(all_events(&s, o), stream(o, 1, 600));
    }
}

#[test]
fn records_are_scoped_ordered_and_deleted_with_their_owner() {
    let (_d, s) = open();
    for (owner, key) in [(1, "a/2"), (1, "a/1"), (1, "b/1"), (2, "a/1"), (7, "z")] {
        s.put_record(RecordTree::Outbox, owner, key.as_bytes(), key.as_bytes())
            .unwrap();
    }
    let keys = |owner, prefix: &str, from: &str, limit| -> Vec<String> {
        s.records(
            RecordTree::Outbox,
            owner,
            prefix.as_bytes(),
            from.as_bytes(),
            limit,
        )
        .unwrap()
        .into_iter()
        .map(|(k, _)| String::from_utf8(k).unwrap())
        .collect()
    };
    assert_eq!(keys(1, "a/", "", 10), vec!["a/1", "a/2"]);
    assert_eq!(keys(1, "a/", "2", 10), vec!["a/2"]);
    assert_eq!(keys(1, "", "", 2), vec!["a/1", "a/2"]);
    assert_eq!(keys(2, "", "", 10), vec!["a/1"]);
    assert_eq!(s.record_owners(RecordTree::Outbox).unwrap(), vec![1, 2, 7]);
    assert_eq!(
        s.record(RecordTree::Outbox, 1, b"b/1").unwrap().as_deref(),
        Some(&b"b/1"[..])
    );
    assert!(s.remove_record(RecordTree::Outbox, 1, b"b/1").unwrap());
    assert!(!s.remove_record(RecordTree::Outbox, 1, b"b/1").unwrap());
    assert_eq!(s.count_owner_keys(1).unwrap(), 2);
    assert_eq!(s.delete_owner(1).unwrap(), 2);
    assert_eq!(keys(1, "", "", 10), Vec::<String>::new());
    assert_eq!(keys(2, "", "", 10), vec!["a/1"]);
}
