//! Profile, run and owner-scoped records, snapshots and checkpoints.

use serde_json::json;

use super::*;

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
    assert_eq!(s.profile::<serde_json::Value>(99).unwrap(), None);
    assert!(matches!(
        s.update_run(5, &json!({})),
        Err(StoreError::NoSuchRun(5))
    ));
    assert_eq!(s.run::<serde_json::Value>(5).unwrap(), None);
    assert_eq!(s.snapshot(a, "youtube").unwrap(), None);
    s.put_snapshot(a, "youtube", &[1, 2, 3]).unwrap();
    s.put_snapshot(a, "youtube", &[4]).unwrap();
    assert_eq!(s.snapshot(a, "youtube").unwrap(), Some(vec![4]));
    assert_eq!(s.snapshot(b, "youtube").unwrap(), None);
}

#[test]
fn a_checkpoint_writes_snapshots_state_and_journal_trim_together() {
    let (_d, s) = open();
    s.put_profile(1, &json!({})).unwrap();
    s.put_record(JOURNAL, 1, b"\0\0\0\0\0\0\0\x01", b"cmd")
        .unwrap();
    s.put_record(JOURNAL, 1, b"\0\0\0\0\0\0\0\x02", b"cmd")
        .unwrap();
    let journal = s
        .records(JOURNAL, 1, b"", b"", usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect::<Vec<_>>();
    let journal: Vec<(RecordTree, &[u8])> = journal.iter().map(|k| (JOURNAL, &k[..])).collect();
    s.checkpoint(
        1,
        &[
            ("youtube".into(), b"yt".to_vec()),
            ("tiktok".into(), b"tt".to_vec()),
        ],
        &[(LIVE, &b"state"[..], &b"{\"now\":1}"[..])],
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
        s.record(LIVE, 1, b"state").unwrap().as_deref(),
        Some(&b"{\"now\":1}"[..])
    );
    assert!(s.records(JOURNAL, 1, b"", b"", 10).unwrap().is_empty());
}

#[test]
fn records_are_scoped_ordered_and_deleted_with_their_owner() {
    let (_d, s) = open();
    for (owner, key) in [(1, "a/2"), (1, "a/1"), (1, "b/1"), (2, "a/1"), (7, "z")] {
        s.put_record(OUTBOX, owner, key.as_bytes(), key.as_bytes())
            .unwrap();
    }
    let keys = |owner, prefix: &str, from: &str, limit| -> Vec<String> {
        s.records(OUTBOX, owner, prefix.as_bytes(), from.as_bytes(), limit)
            .unwrap()
            .into_iter()
            .map(|(k, _)| String::from_utf8(k).unwrap())
            .collect()
    };
    assert_eq!(keys(1, "a/", "", 10), vec!["a/1", "a/2"]);
    assert_eq!(keys(1, "a/", "2", 10), vec!["a/2"]);
    assert_eq!(keys(1, "", "", 2), vec!["a/1", "a/2"]);
    assert_eq!(keys(2, "", "", 10), vec!["a/1"]);
    assert_eq!(s.record_owners(OUTBOX).unwrap(), vec![1, 2, 7]);
    assert_eq!(
        s.record(OUTBOX, 1, b"b/1").unwrap().as_deref(),
        Some(&b"b/1"[..])
    );
    assert!(s.remove_record(OUTBOX, 1, b"b/1").unwrap());
    assert!(!s.remove_record(OUTBOX, 1, b"b/1").unwrap());
    assert_eq!(s.count_owner_keys(1).unwrap(), 2);
    assert_eq!(s.delete_owner(1).unwrap(), 2);
    assert_eq!(keys(1, "", "", 10), Vec::<String>::new());
    assert_eq!(keys(2, "", "", 10), vec!["a/1"]);
}

#[test]
fn record_trees_are_named_within_bounds_and_never_as_the_store_s_own() {
    assert_eq!(RecordTree::new("hooks").name(), "hooks");
    assert_eq!(RecordTree::new("a_2").name(), "a_2");
    let longest: &'static str = Box::leak("x".repeat(32).into_boxed_str());
    assert_eq!(RecordTree::new(longest).name().len(), 32);
    let long: &'static str = Box::leak("x".repeat(33).into_boxed_str());
    for bad in [
        "",
        "2a",
        "_a",
        "Hooks",
        "a-b",
        "a b",
        "é",
        long,
        "meta",
        "runs",
        "profiles",
        "events",
        "event_index",
        "snapshots",
        "aggregates",
        "content",
        "content_order",
    ] {
        assert!(
            std::panic::catch_unwind(|| RecordTree::new(bad)).is_err(),
            "`{bad}` is refused"
        );
    }
}

#[test]
fn a_record_tree_used_only_by_an_earlier_process_is_still_covered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    const ONCE: RecordTree = RecordTree::new("used_once");
    {
        let s = Store::open(&path).unwrap();
        s.put_profile(1, &json!({})).unwrap();
        s.put_record(ONCE, 1, b"k", b"v").unwrap();
        s.put_record(ONCE, 2, b"k", b"v").unwrap();
        s.flush().unwrap();
    }
    // This process never names the tree: the store still knows it.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.count_owner_keys(1).unwrap(), 2);
    assert_eq!(s.count_owner_keys(2).unwrap(), 1);
    assert_eq!(s.delete_orphans().unwrap(), vec![2]);
    assert_eq!(s.delete_owner(1).unwrap(), 2);
    assert_eq!(s.count_owner_keys(1).unwrap(), 0);
    assert_eq!(s.count_owner_keys(2).unwrap(), 0);
    assert!(s.records(ONCE, 1, b"", b"", 10).unwrap().is_empty());
    let listed: Vec<&str> = s.owner_trees().iter().map(|(n, _)| *n).collect();
    assert!(listed.contains(&"used_once"), "{listed:?}");
}
