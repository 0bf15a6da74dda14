//! Packing: sealed blocks and snapshots packed, small appends gathered in
//! an open tail and sealed, folders written without packing read the same.

use serde_json::json;

use super::*;

/// The same stream appended in live-sized windows (1 to 7 events).
fn append_in_windows(s: &Store, evs: &[StoredEvent]) {
    let mut i = 0;
    let mut k = 0;
    while i < evs.len() {
        let n = (1 + k % 7).min(evs.len() - i);
        s.append(evs[0].profile, &evs[i..i + n]).unwrap();
        i += n;
        k += 1;
    }
}

/// Every read, including newest-first pages walked by their cursors.
fn answers(s: &Store, o: OwnerId) -> Vec<String> {
    let mut out = fingerprint(s, o);
    let f = InteractionFilter {
        kind: Some("comment".into()),
        ..Default::default()
    };
    let mut cursor = None;
    loop {
        let page = s.interactions_newest_first(o, &f, cursor, 97).unwrap();
        out.push(format!("{page:?}"));
        match page.last() {
            Some(e) if page.len() == 97 => cursor = Some(e.seq),
            _ => break,
        }
    }
    out.push(format!("{:?}", s.contents(o, None, None).unwrap()));
    out.push(format!("{:?}", s.last_seq(o).unwrap()));
    out
}

/// A store sealing small appends into packed blocks.
fn open_sealing(path: &std::path::Path) -> Store {
    Store::open_with(
        path,
        Options {
            seal_tails: true,
            ..Options::DEFAULT
        },
    )
    .unwrap()
}

fn reference(evs: &[StoredEvent]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_with(&dir.path().join("ref"), Options::PREVIOUS).unwrap();
    s.append(evs[0].profile, evs).unwrap();
    let a = answers(&s, evs[0].profile);
    (dir, a)
}

#[test]
fn small_appends_are_sealed_into_packed_blocks_with_the_same_answers() {
    let evs = stream(1, 1, 2600);
    let (_r, want) = reference(&evs);
    let d = tempfile::tempdir().unwrap();
    let s = open_sealing(&d.path().join("data"));
    append_in_windows(&s, &evs);
    assert_eq!(answers(&s, 1), want);
    let space = s.space().unwrap();
    assert!(space.packed_blocks >= 3, "{space:?}");
    assert!(
        space.raw_blocks < 70,
        "only the open tail stays raw: {space:?}"
    );
    let st = s.owner_stats(1).unwrap();
    assert_eq!(st.events, 2600);
    // Packed, the log takes less than the raw blocks of one bulk append.
    let dir = tempfile::tempdir().unwrap();
    let raw = Store::open_with(&dir.path().join("raw"), Options::PREVIOUS).unwrap();
    raw.append(1, &evs).unwrap();
    let raw_bytes = raw.owner_stats(1).unwrap().block_bytes;
    assert!(
        st.block_bytes * 2 < raw_bytes,
        "packed {} vs raw {raw_bytes}",
        st.block_bytes
    );
    s.flush().unwrap();
    drop(s);
    let s = open_sealing(&d.path().join("data"));
    assert_eq!(answers(&s, 1), want);
    // The tail read back from disk keeps sealing.
    let more = stream(1, 2601, 700);
    append_in_windows(&s, &more);
    let mut all = evs.clone();
    all.extend(more);
    let (_r2, want2) = reference(&all);
    assert_eq!(answers(&s, 1), want2);
}

#[test]
fn a_folder_written_without_packing_reads_the_same_and_packs_what_follows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let evs = stream(1, 1, 1800);
    {
        // As the build before packing wrote it: every window its own raw block.
        let s = Store::open_with(&path, Options::PREVIOUS).unwrap();
        s.put_profile(1, &json!({"name": "old"})).unwrap();
        s.put_snapshot(1, "youtube", b"{\"state\":1}").unwrap();
        append_in_windows(&s, &evs[..1200]);
        s.flush().unwrap();
    }
    let s = open_sealing(&path);
    assert_eq!(
        s.snapshot(1, "youtube").unwrap().as_deref(),
        Some(&b"{\"state\":1}"[..])
    );
    let (_r, want) = reference(&evs[..1200]);
    assert_eq!(answers(&s, 1), want);
    append_in_windows(&s, &evs[1200..]);
    let (_r2, want2) = reference(&evs);
    assert_eq!(answers(&s, 1), want2);
    assert!(s.space().unwrap().packed_blocks >= 1);
    // A snapshot written now is packed and replaces the raw one.
    s.put_snapshot(1, "youtube", &[7u8; 5000]).unwrap();
    assert_eq!(s.snapshot(1, "youtube").unwrap(), Some(vec![7u8; 5000]));
    assert_eq!(s.inner.snapshots.len(), 1);
    s.flush().unwrap();
    drop(s);
    // ... and the build before it (raw again) reads what it writes.
    let s = Store::open_with(&path, Options::PREVIOUS).unwrap();
    assert_eq!(answers(&s, 1), want2);
    s.put_snapshot(1, "youtube", b"raw").unwrap();
    assert_eq!(
        s.snapshot(1, "youtube").unwrap().as_deref(),
        Some(&b"raw"[..])
    );
    assert_eq!(s.inner.snapshots.len(), 1);
}

#[test]
fn checkpoints_pack_snapshots_atomically_with_their_records() {
    let (_d, s) = open();
    let snap: Vec<u8> = (0..20_000u32)
        .flat_map(|i| (i % 300).to_le_bytes())
        .collect();
    s.checkpoint(
        1,
        &[("youtube".to_string(), snap.clone())],
        &[(LIVE, b"state", b"{}")],
        &[],
    )
    .unwrap();
    assert_eq!(s.snapshot(1, "youtube").unwrap(), Some(snap.clone()));
    let stored: u64 = s
        .inner
        .snapshots
        .iter()
        .map(|kv| kv.unwrap().1.len() as u64)
        .sum();
    assert!(stored * 4 < snap.len() as u64, "packed to {stored} bytes");
    assert_eq!(s.delete_owner(1).unwrap(), 2);
    assert_eq!(s.snapshot(1, "youtube").unwrap(), None);
}

#[test]
fn a_seal_cut_short_by_a_crash_is_finished_on_the_next_append() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let evs = stream(1, 1, 1000);
    let (_r, want) = reference(&evs);
    let leftovers;
    {
        let s = open_sealing(&path);
        // A tail of raw windows, kept before they are sealed.
        append_in_windows(&s, &evs[..40]);
        let raw: Vec<_> = s
            .inner
            .events
            .scan_prefix(owner_key(1))
            .map(|kv| kv.unwrap())
            .collect();
        let ixs: Vec<_> = s
            .inner
            .event_index
            .scan_prefix(owner_key(1))
            .map(|kv| kv.unwrap())
            .collect();
        assert!(raw.len() > 5 && raw.len() == ixs.len());
        // One append seals them with the rest into one packed block.
        s.append(1, &evs[40..]).unwrap();
        assert_eq!(blocks_of(&s, 1), 1);
        // The crash: the packed block written, the raw ones not yet removed.
        for (k, v) in &raw {
            s.inner.events.insert(k, v.clone()).unwrap();
        }
        for (k, v) in &ixs {
            s.inner.event_index.insert(k, v.clone()).unwrap();
        }
        leftovers = raw.len();
        // Reads see every event once.
        assert_eq!(answers(&s, 1), want);
        s.flush().unwrap();
    }
    let s = open_sealing(&path);
    assert_eq!(answers(&s, 1), want);
    assert_eq!(blocks_of(&s, 1), leftovers + 1);
    s.append(1, &stream(1, 1001, 1)).unwrap();
    // The covered raw blocks are gone: the packed block and the new tail.
    assert_eq!(blocks_of(&s, 1), 2);
    assert_eq!(s.inner.event_index.scan_prefix(owner_key(1)).count(), 2);
    let mut all = evs.clone();
    all.extend(stream(1, 1001, 1));
    let (_r2, want2) = reference(&all);
    assert_eq!(answers(&s, 1), want2);
}

#[test]
fn a_damaged_packed_block_is_reported_not_misread() {
    let (_d, s) = open();
    s.append(1, &stream(1, 1, 1000)).unwrap();
    let (k, v) = s
        .inner
        .events
        .scan_prefix(owner_key(1))
        .next()
        .unwrap()
        .unwrap();
    assert!(super::super::block::is_packed(&v));
    let mut bad = v.to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    s.inner.events.insert(&k, bad).unwrap();
    let err = s.events(1, None, 10).unwrap_err();
    assert!(
        matches!(err, StoreError::CorruptBlock { .. }) && err.to_string().contains("checksum"),
        "{err}"
    );
}
