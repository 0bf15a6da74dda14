//! What survives a restart, a long failure, a 410, and what is not on
//! disk yet.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let store = Store::open(&path).unwrap();
    let owner = store.new_owner_id().unwrap();
    let (url, recv) = receiver().await;
    // The receiver takes 5 events, then holds the 6th request.
    recv.hold_after.store(5, Ordering::SeqCst);
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    append(&store, &hooks, &events(owner, 1, 20));
    wait_until("the 6th request to be held", || {
        recv.requests.load(Ordering::SeqCst) == 6
    })
    .await;
    hooks.shutdown().await;
    drop(hooks);
    assert_eq!(recv.accepted().len(), 5);
    // More events while the server is down.
    store.append(owner, &events(owner, 21, 20)).unwrap();
    drop(store);
    recv.release.send_replace(true);

    let store = Store::open(&path).unwrap();
    assert_eq!(
        serde_json::from_slice::<HookProgress>(
            &store.record(OUTBOX, owner, id.as_bytes()).unwrap().unwrap()
        )
        .unwrap()
        .cursor,
        5
    );
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    wait_until("all 40 events", || {
        recv.accepted()
            .iter()
            .map(|g| g.seq)
            .collect::<BTreeSet<_>>()
            .len()
            == 40
    })
    .await;
    wait_until("the cursor to reach 40", || {
        hooks.get(owner, &id).unwrap().cursor == 40
    })
    .await;
    let got = recv.accepted();
    let ids: BTreeSet<String> = got.iter().map(|g| g.event_id.clone()).collect();
    let want: BTreeSet<String> = (1..=40).map(|s| format!("{owner}-{s}")).collect();
    assert_eq!(ids, want);
    // The held request was abandoned: at most it arrives once more.
    assert!(got.len() <= 41, "{} requests accepted", got.len());
    let mut first_seen = Vec::new();
    for g in &got {
        if !first_seen.contains(&g.seq) {
            first_seen.push(g.seq);
        }
    }
    assert_eq!(first_seen, (1..=40).collect::<Vec<_>>());
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_after_a_long_failure_and_410_disables() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(
        store.clone(),
        WebhookConfig {
            give_up_after: Duration::from_millis(150),
            ..config()
        },
    );
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    recv.status.store(500, Ordering::SeqCst);
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    append(&store, &hooks, &events(owner, 1, 6));
    wait_until("the cursor to move past every event", || {
        hooks.get(owner, &id).unwrap().cursor == 6
    })
    .await;
    assert_eq!(hooks.counters().gave_up, 6);
    let entries = log(&hooks, owner, &id);
    for seq in 1..=6u64 {
        let of_seq: Vec<&Value> = entries.iter().filter(|e| e["seq"] == seq).collect();
        let (last, before) = of_seq.split_last().unwrap();
        assert_eq!(last["outcome"], "gave_up", "seq {seq}");
        assert!(before.iter().all(|e| e["outcome"] == "failed"));
    }
    assert!(recv.accepted().is_empty());

    // A 410 disables the hook; it stays listed as disabled.
    recv.status.store(410, Ordering::SeqCst);
    append(&store, &hooks, &events(owner, 7, 3));
    wait_until("the hook to be disabled", || {
        hooks.get(owner, &id).unwrap().status == "disabled"
    })
    .await;
    let v = hooks.get(owner, &id).unwrap();
    assert_eq!(v.cursor, 6, "the event answered 410 is not handled");
    assert!(v.last_error.unwrap().contains("410"));
    let last = log(&hooks, owner, &id).pop().unwrap();
    assert_eq!(
        (last["outcome"].clone(), last["status"].clone()),
        ("disabled".into(), 410.into())
    );
    assert_eq!(hooks.counters().hooks_failing, 0);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_events_on_disk_are_delivered() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap();
    // Stored but not flushed: a crash could take it back, so it waits.
    store.append(owner, &events(owner, 1, 10)).unwrap();
    hooks.wake(owner);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(recv.requests.load(Ordering::SeqCst), 0);
    store.commit().unwrap();
    hooks.wake(owner);
    wait_until("10 deliveries", || recv.accepted().len() == 10).await;
    hooks.shutdown().await;
}
