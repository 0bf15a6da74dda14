//! Opening: reopening, the list of trees, schema, foreign and locked folders.

use serde_json::json;

use super::*;

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
fn every_owner_tree_is_listed() {
    let (_d, s) = open();
    s.put_profile(1, &json!({})).unwrap();
    s.put_snapshot(1, "youtube", b"x").unwrap();
    s.new_run(&json!({})).unwrap();
    s.append(1, &stream(1, 1, 100)).unwrap();
    for tree in [HOOKS, OUTBOX, DELIVERIES, LIVE, JOURNAL] {
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
    // The store's own owner trees, then the record trees in the order
    // they were first used.
    let owner_trees: Vec<&str> = CORE_OWNER_TREES
        .iter()
        .copied()
        .chain([HOOKS, OUTBOX, DELIVERIES, LIVE, JOURNAL].map(RecordTree::name))
        .collect();
    let mut listed: Vec<String> = owner_trees.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed);
    let named: Vec<&str> = s.owner_trees().iter().map(|(n, _)| *n).collect();
    assert_eq!(named, owner_trees);
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
        // The store's log is compressed: sled refuses to open it otherwise.
        let db = sled::Config::new()
            .path(&path)
            .use_compression(true)
            .open()
            .unwrap();
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
fn a_folder_with_an_uncompressed_log_keeps_opening_and_answering_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let before;
    {
        // As the build before log compression wrote it.
        let s = Store::open_with(
            &path,
            Options {
                log: LogCompression::OFF,
                ..Options::PREVIOUS
            },
        )
        .unwrap();
        s.put_profile(1, &json!({"name": "old"})).unwrap();
        s.put_snapshot(1, "youtube", b"{\"state\":1}").unwrap();
        s.put_record(LIVE, 1, b"state", b"{}").unwrap();
        s.append(1, &stream(1, 1, 2600)).unwrap();
        s.flush().unwrap();
        before = fingerprint(&s, 1);
    }
    let conf = String::from_utf8_lossy(&std::fs::read(path.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: false"), "{conf}");
    let s = Store::open(&path).unwrap();
    assert_eq!(fingerprint(&s, 1), before);
    assert_eq!(
        s.snapshot(1, "youtube").unwrap().as_deref(),
        Some(&b"{\"state\":1}"[..])
    );
    // It takes new events and keeps its setting across reopening.
    s.append(1, &stream(1, 2601, 10)).unwrap();
    s.flush().unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.last_seq(1).unwrap(), Some(2610));
    assert_eq!(
        s.record(LIVE, 1, b"state").unwrap().as_deref(),
        Some(&b"{}"[..])
    );
    let conf = String::from_utf8_lossy(&std::fs::read(path.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: false"), "{conf}");
}

#[test]
fn a_new_folder_has_a_compressed_log() {
    let (d, s) = open();
    s.append(1, &stream(1, 1, 100)).unwrap();
    s.flush().unwrap();
    let conf = String::from_utf8_lossy(&std::fs::read(d.path().join("data").join("conf")).unwrap())
        .into_owned();
    assert!(conf.contains("use_compression: true"), "{conf}");
}

#[test]
fn log_compression_levels_are_those_sled_accepts() {
    for bad in [-5, 0, 23, 300] {
        assert_eq!(LogCompression::zstd(bad), None, "{bad}");
    }
    assert_eq!(LogCompression::zstd(1).and_then(|l| l.level()), Some(1));
    assert_eq!(LogCompression::zstd(22).and_then(|l| l.level()), Some(22));
    assert_eq!(LogCompression::OFF.level(), None);
    assert!(LogCompression::DEFAULT.level().is_some());
}

#[test]
fn a_compressed_folder_stays_compressed_whatever_is_asked_and_reads_at_any_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let evs = stream(1, 1, 2600);
    let before;
    {
        let s = Store::open_with(&path, Options::PREVIOUS).unwrap();
        s.append(1, &evs).unwrap();
        s.flush().unwrap();
        before = fingerprint(&s, 1);
    }
    for log in [LogCompression::OFF, LogCompression::zstd(9).unwrap()] {
        let s = Store::open_with(
            &path,
            Options {
                log,
                ..Options::DEFAULT
            },
        )
        .unwrap();
        assert_eq!(fingerprint(&s, 1), before, "{log:?}");
    }
    let conf = String::from_utf8_lossy(&std::fs::read(path.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: true"), "{conf}");
}
