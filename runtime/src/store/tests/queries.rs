//! Reads: counts, content records, interactions and their pages, corrupt blocks.

use super::*;

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
