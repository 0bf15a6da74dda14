//! Delivery: matching events in order, signed, through outages and to
//! receivers that are not listening yet.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_matching_events_in_order_signed() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(
        store.clone(),
        WebhookConfig {
            log_limit: 16,
            ..config()
        },
    );
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    // Events stored before the hook exists are not delivered.
    append(&store, &hooks, &events(owner, 1, 20));
    let filter = EventFilter {
        platforms: vec!["youtube".into()],
        types: vec!["interaction".into(), "notice".into()],
        kinds: vec![],
    };
    let view = hooks.create(owner, spec(&url, filter.clone())).unwrap();
    assert!(
        view.id.starts_with("wh_") && view.id.len() == 19,
        "{}",
        view.id
    );
    assert!(view.id[3..]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!((view.status, view.cursor, view.pending), ("active", 20, 0));
    let all: Vec<StoredEvent> = [events(owner, 21, 40), events(owner, 61, 40)].concat();
    append(&store, &hooks, &all[..40]);
    append(&store, &hooks, &all[40..]);
    let want: Vec<u64> = all
        .iter()
        .filter(|e| filter.matches(e))
        .map(|e| e.seq)
        .collect();
    assert!(
        want.len() > 20 && want.len() < all.len(),
        "the filter must both keep and drop"
    );

    // Every trailing event handled, matching or not.
    wait_until("the cursor to reach seq 100", || {
        hooks.get(owner, &view.id).unwrap().cursor == 100
    })
    .await;
    assert!(recv.rejected().is_empty(), "{:?}", recv.rejected());
    let got = recv.accepted();
    let seqs: Vec<u64> = got.iter().map(|g| g.seq).collect();
    assert_eq!(seqs, want, "every matching event, once each, in seq order");
    for g in &got {
        assert_eq!(g.event_id, format!("{owner}-{}", g.seq));
        assert_eq!(g.hook, view.id);
        assert_eq!(g.body["profile"], owner.to_string());
        assert_eq!(g.body["event"]["profile"], owner.to_string());
        assert_eq!(g.body["event"]["platform"], "youtube");
        let original = all.iter().find(|e| e.seq == g.seq).unwrap();
        let mut line = Vec::new();
        crate::event::event_line(&owner.to_string(), original, &mut line);
        assert_eq!(
            g.body["event"],
            serde_json::from_slice::<Value>(&line).unwrap()
        );
    }
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!((v.status, v.pending, v.last_error), ("active", 0, None));
    assert_eq!(hooks.counters().delivered, want.len() as u64);

    // The log keeps the newest 16 attempts, pages through them in order.
    let entries = log(&hooks, owner, &view.id);
    let logged: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(logged, want[want.len() - 16..]);
    for e in &entries {
        assert_eq!(e["outcome"], "delivered");
        assert_eq!(e["status"], 200);
        assert_eq!(e["attempt"], 1);
        assert_eq!(e["error"], Value::Null);
    }
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (page, next) = hooks
            .deliveries(owner, &view.id, after.as_deref(), 5)
            .unwrap();
        assert!(page.len() <= 5);
        paged.extend(page);
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(paged, entries);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_then_recovery_delivers_each_event_once() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let (url, recv) = receiver().await;
    recv.status.store(503, Ordering::SeqCst);
    let view = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap();
    let evs = events(owner, 1, 12);
    append(&store, &hooks, &evs);

    wait_until("several failed attempts", || {
        recv.requests.load(Ordering::SeqCst) >= 4
    })
    .await;
    let failing = hooks.get(owner, &view.id).unwrap();
    assert_eq!(failing.status, "failing");
    assert_eq!(failing.cursor, 0);
    assert!(
        failing
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("503")),
        "{failing:?}"
    );
    assert_eq!(hooks.counters().hooks_failing, 1);
    assert!(recv.accepted().is_empty());

    recv.status.store(200, Ordering::SeqCst);
    wait_until("all 12 events", || recv.accepted().len() >= 12).await;
    wait_until("the cursor to reach 12", || {
        hooks.get(owner, &view.id).unwrap().cursor == 12
    })
    .await;
    let got = recv.accepted();
    let ids: BTreeSet<&str> = got.iter().map(|g| g.event_id.as_str()).collect();
    assert_eq!(ids.len(), 12);
    assert_eq!(got.len(), 12, "no event accepted twice");
    assert_eq!(
        got.iter().map(|g| g.seq).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    // The head event: failed attempts numbered 1, 2, …, then delivered.
    let first: Vec<Value> = log(&hooks, owner, &view.id)
        .into_iter()
        .filter(|e| e["seq"] == 1)
        .collect();
    assert!(first.len() >= 2, "{first:?}");
    for (i, e) in first.iter().enumerate() {
        assert_eq!(e["attempt"], i as u64 + 1);
        assert_eq!(e["event_id"], format!("{owner}-1"));
    }
    let (last, failed) = first.split_last().unwrap();
    assert_eq!(last["outcome"], "delivered");
    for e in failed {
        assert_eq!(e["outcome"], "failed");
        assert_eq!(e["status"], 503);
        assert!(e["error"].as_str().unwrap().contains("503"));
    }
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!(
        (v.status, v.last_error, v.next_attempt_at),
        ("active", None, None)
    );
    let c = hooks.counters();
    assert_eq!((c.delivered, c.hooks_failing, c.gave_up), (12, 0, 0));
    assert!(c.failed_attempts >= failed.len() as u64);
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_receiver_is_retried_until_it_listens() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    // A port nothing listens on (bound, then released).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let view = hooks
        .create(
            owner,
            spec(&format!("http://{addr}/hook"), EventFilter::default()),
        )
        .unwrap();
    append(&store, &hooks, &events(owner, 1, 5));
    wait_until("failed attempts", || hooks.counters().failed_attempts >= 2).await;
    let v = hooks.get(owner, &view.id).unwrap();
    assert_eq!(v.status, "failing");
    assert!(
        v.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("cannot connect")),
        "{v:?}"
    );
    let entry = &log(&hooks, owner, &view.id)[0];
    assert_eq!(
        (entry["status"].clone(), entry["outcome"].clone()),
        (Value::Null, "failed".into())
    );
    // The receiver comes up on that port: everything arrives, in order.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("rebind the released port");
    let (_, recv) = receiver_on(listener);
    wait_until("all 5 events", || recv.accepted().len() >= 5).await;
    let seqs: Vec<u64> = recv.accepted().iter().map(|g| g.seq).collect();
    assert_eq!(seqs, (1..=5).collect::<Vec<_>>());
    hooks.shutdown().await;
}
