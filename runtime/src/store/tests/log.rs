//! Appending, block boundaries, group commit and repair.

use serde_json::json;

use super::*;

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

#[test]
fn block_boundaries_do_not_change_reads() {
    let (_d, s) = open();
    let evs = stream(1, 1, 2500);
    s.append(1, &evs).unwrap();
    assert!(blocks_of(&s, 1) >= 3, "2,500 events span several blocks");
    let st = s.owner_stats(1).unwrap();
    assert_eq!(st.events, 2500);
    assert_eq!(st.blocks, blocks_of(&s, 1) as u64);
    // Packed: this stream repeats itself, so its blocks are small.
    assert!(st.block_bytes > 2500 && st.index_bytes > 0, "{st:?}");

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
