//! Store tests: every public behaviour against a real sled database in a
//! temporary directory. One file per concern, as the store's own files.

mod delete;
mod log;
mod open;
mod packing;
mod queries;
mod records;

use diorama_sdk::{Author, Content, Event, Interaction, Metric, Notice, Payload};

use super::*;
use crate::event::StoredEvent;

pub(super) use super::delete::{deleting_key, DELETING};
pub(super) use super::keys::{owner_key, seq_key, u64_of};

// Record trees of the names the server uses: the store must keep any
// tree it is given, including those of data folders written before it
// listed them.
pub(super) const HOOKS: RecordTree = RecordTree::new("hooks");
pub(super) const OUTBOX: RecordTree = RecordTree::new("outbox");
pub(super) const DELIVERIES: RecordTree = RecordTree::new("deliveries");
pub(super) const LIVE: RecordTree = RecordTree::new("live");
pub(super) const JOURNAL: RecordTree = RecordTree::new("journal");

pub(super) fn author(n: u64) -> Author {
    Author {
        id: format!("UC{n:06}"),
        handle: format!("@viewer{n}"),
        display_name: format!("Viewer {n}"),
        avatar_url: format!("https://yt3.example/a/{n}.jpg"),
        verified: n.is_multiple_of(10),
        followers: n * 7,
    }
}

pub(super) fn ev(
    owner: OwnerId,
    seq: u64,
    platform: &str,
    at: i64,
    payload: Payload,
) -> StoredEvent {
    StoredEvent {
        seq,
        profile: owner,
        platform: platform.into(),
        event: Event { at, payload },
    }
}

pub(super) fn content(id: &str, kind: &str) -> Payload {
    Payload::Content(Content {
        id: id.into(),
        kind: kind.into(),
        title: format!("Title of {id}"),
        text: format!("Description of {id}"),
        url: format!("https://example.com/{id}"),
    })
}

pub(super) fn interaction(
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

pub(super) fn metric(content_id: Option<&str>, name: &str, total: i64) -> Payload {
    Payload::Metric(Metric {
        content_id: content_id.map(Into::into),
        name: name.into(),
        total,
        delta: 1,
    })
}

pub(super) const SENTIMENTS: [&str; 3] = ["positive", "neutral", "negative"];

/// A deterministic stream: 3 videos, then comments, DMs, metrics and a
/// notice, `n` events in all starting at seq `first`.
pub(super) fn stream(owner: OwnerId, first: u64, n: u64) -> Vec<StoredEvent> {
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

pub(super) fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("data")).expect("open store");
    (dir, store)
}

pub(super) fn all_events(s: &Store, owner: OwnerId) -> Vec<StoredEvent> {
    s.events(owner, None, usize::MAX).expect("events")
}

pub(super) fn blocks_of(s: &Store, owner: OwnerId) -> usize {
    s.inner.events.scan_prefix(owner_key(owner)).count()
}

/// Reads that must not depend on how events were split into calls.
pub(super) fn fingerprint(s: &Store, o: OwnerId) -> Vec<String> {
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

pub(super) fn ids_of(v: &[StoredEvent]) -> Vec<u64> {
    v.iter().map(|e| e.seq).collect()
}
