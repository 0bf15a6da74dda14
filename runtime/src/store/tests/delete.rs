//! Deleting owners, interrupted deletions and orphans.

use serde_json::json;

use super::*;

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
    assert_eq!(s.profile::<serde_json::Value>(a).unwrap(), None);
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
        s.put_record(LIVE, a, b"state", b"{}"),
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
            s.put_record(LIVE, o, b"state", b"{}").unwrap();
            s.append(o, &stream(o, 1, 1500)).unwrap();
        }
        // What `delete_owner` does up to a crash: the mark, then part of
        // the keys (the events), never the profile record first.
        s.inner.meta.insert(deleting_key(a), &[]).unwrap();
        for k in s.inner.events.scan_prefix(owner_key(a)).keys() {
            s.inner.events.remove(k.unwrap()).unwrap();
        }
        s.flush().unwrap();
        assert!(s.profile::<serde_json::Value>(a).unwrap().is_some());
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
        s.put_record(JOURNAL, 2, b"k", b"v").unwrap();
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
fn a_data_folder_of_the_previous_build_keeps_its_records_and_deletes_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let trees = [HOOKS, OUTBOX, DELIVERIES, LIVE, JOURNAL];
    {
        let s = Store::open(&path).unwrap();
        for o in [1, 2] {
            s.put_profile(o, &json!({"id": o})).unwrap();
            s.put_snapshot(o, "youtube", b"x").unwrap();
            s.append(o, &stream(o, 1, 50)).unwrap();
            for tree in trees {
                s.put_record(tree, o, b"a", tree.name().as_bytes()).unwrap();
                s.put_record(tree, o, b"b", b"2").unwrap();
            }
        }
        // The previous build kept no list of record trees in `meta`.
        for k in s.inner.meta.scan_prefix(b"record_tree/").keys() {
            s.inner.meta.remove(k.unwrap()).unwrap();
        }
        s.flush().unwrap();
    }
    let s = Store::open(&path).unwrap();
    // Before this process names any record tree, every one is counted.
    let a_keys = s.count_owner_keys(1).unwrap();
    let b_keys = s.count_owner_keys(2).unwrap();
    assert_eq!(a_keys, b_keys);
    assert!(a_keys >= 2 + 2 * trees.len() as u64, "{a_keys}");
    for tree in trees {
        assert_eq!(
            s.record(tree, 1, b"a").unwrap().as_deref(),
            Some(tree.name().as_bytes()),
            "{} keeps its records",
            tree.name()
        );
    }
    assert_eq!(s.delete_owner(1).unwrap(), a_keys);
    assert_eq!(s.count_owner_keys(1).unwrap(), 0);
    assert_eq!(s.count_owner_keys(2).unwrap(), b_keys);
    for tree in trees {
        let t = s.inner.db.open_tree(tree.name()).unwrap();
        assert_eq!(t.scan_prefix(owner_key(1)).count(), 0, "{}", tree.name());
        assert_eq!(t.scan_prefix(owner_key(2)).count(), 2, "{}", tree.name());
    }
    // And the list is kept from now on.
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(
        s.inner.meta.scan_prefix(b"record_tree/").count(),
        trees.len()
    );
    assert_eq!(s.count_owner_keys(2).unwrap(), b_keys);
}
