//! What a hook may be: its url, secret, filter and target; unknown hooks,
//! the limit per profile and deletion.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_not_found_and_delete() {
    let (_d, store) = open();
    let owner = store.new_owner_id().unwrap();
    let other = store.new_owner_id().unwrap();
    let hooks = Webhooks::new(store.clone(), config());
    hooks.start(&Handle::current()).unwrap();
    let invalid = |s: HookSpec| match hooks.create(owner, s) {
        Err(WebhookError::Invalid(m)) => m.to_string(),
        other => panic!("expected Invalid, got {other:?}"),
    };
    let ok = "http://127.0.0.1:9/hook";
    assert!(invalid(spec("not a url", EventFilter::default())).contains("is not a valid URL"));
    assert!(invalid(spec("ftp://example.com/x", EventFilter::default()))
        .contains("uses the scheme `ftp`; only http and https"));
    let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
    assert!(invalid(spec(&long, EventFilter::default())).contains("at most 2048"));
    let mut s = spec(ok, EventFilter::default());
    s.secret = String::new();
    assert_eq!(invalid(s), "secret is 0 bytes long, at least 16 are needed");
    let mut s = spec(ok, EventFilter::default());
    s.secret = "x".repeat(15);
    assert_eq!(
        invalid(s),
        "secret is 15 bytes long, at least 16 are needed"
    );
    // Internal ranges are refused (no traffic is sent to them).
    let e = invalid(spec(
        "http://169.254.169.254/latest",
        EventFilter::default(),
    ));
    assert!(e.contains("link-local"), "{e}");
    let mut s = spec(ok, EventFilter::default());
    s.secret = "x".repeat(257);
    assert!(invalid(s).contains("secret is 257 bytes long, at most 256"));
    let bad_type = EventFilter {
        types: vec!["interaction".into(), "comment".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        invalid(spec(ok, bad_type)),
        "filter.types[1]: unknown event type `comment`; expected one of content, interaction, metric, notice"
    );
    let empty_kind = EventFilter {
        kinds: vec![String::new()],
        ..EventFilter::default()
    };
    assert_eq!(invalid(spec(ok, empty_kind)), "filter.kinds[0] is empty");
    // Unknown fields are refused when parsing a spec.
    let e = serde_json::from_str::<HookSpec>(r#"{"url":"http://a","secret":"s","filtr":{}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field `filtr`"), "{e}");

    // Not found: unknown ids, and ids of another profile.
    assert!(hooks.list(owner).unwrap().is_empty());
    let (url, recv) = receiver().await;
    let id = hooks
        .create(owner, spec(&url, EventFilter::default()))
        .unwrap()
        .id;
    for (o, i) in [(owner, "wh_0000000000000000"), (other, id.as_str())] {
        let msg = format!("profile {o} has no webhook `{i}`");
        assert!(
            matches!(hooks.get(o, i), Err(e @ WebhookError::NotFound { .. }) if e.to_string() == msg)
        );
        assert!(matches!(
            hooks.delete(o, i),
            Err(WebhookError::NotFound { .. })
        ));
        assert!(matches!(
            hooks.deliveries(o, i, None, 10),
            Err(WebhookError::NotFound { .. })
        ));
    }
    assert!(matches!(
        hooks.deliveries(owner, &id, Some("zz"), 10),
        Err(WebhookError::Invalid(m)) if m.to_string().contains("invalid deliveries cursor `zz`")
    ));

    // The limit per profile.
    let extra: Vec<String> = (0..2)
        .map(|_| {
            hooks
                .create(owner, spec(ok, EventFilter::default()))
                .unwrap()
                .id
        })
        .collect();
    assert_eq!(
        invalid(spec(ok, EventFilter::default())),
        format!("profile {owner} already has 3 webhooks, the most allowed is 3; delete one first")
    );
    assert_eq!(hooks.list(owner).unwrap().len(), 3);
    // Secrets are never shown.
    let shown = serde_json::to_string(&hooks.list(owner).unwrap()).unwrap();
    assert!(
        !shown.contains(SECRET) && !shown.contains("secret"),
        "{shown}"
    );

    // Room for a new one after a delete.
    hooks.delete(owner, &extra[0]).unwrap();
    let again = hooks
        .create(owner, spec(ok, EventFilter::default()))
        .unwrap()
        .id;
    // Only `id` takes part below: no other task writes while keys are counted.
    hooks.delete(owner, &extra[1]).unwrap();
    hooks.delete(owner, &again).unwrap();

    // Delete removes the hook, its cursor and its whole log.
    append(&store, &hooks, &events(owner, 1, 10));
    wait_until("10 deliveries", || recv.accepted().len() == 10).await;
    wait_until("the cursor to reach 10", || {
        hooks.get(owner, &id).unwrap().cursor == 10
    })
    .await;
    let logged = log(&hooks, owner, &id).len() as u64;
    assert_eq!(logged, 10);
    let before = store.count_owner_keys(owner).unwrap();
    hooks.delete(owner, &id).unwrap();
    assert_eq!(store.count_owner_keys(owner).unwrap(), before - 2 - logged);
    for tree in [HOOKS, OUTBOX, DELIVERIES] {
        let left = store
            .records(tree, owner, id.as_bytes(), b"", usize::MAX)
            .unwrap();
        assert!(
            left.is_empty(),
            "{} keeps {} records",
            tree.name(),
            left.len()
        );
    }
    assert!(matches!(
        hooks.get(owner, &id),
        Err(WebhookError::NotFound { .. })
    ));
    assert!(hooks.list(owner).unwrap().is_empty());
    hooks
        .create(owner, spec(ok, EventFilter::default()))
        .unwrap();

    // Forget, then the profile's deletion leaves nothing.
    hooks.forget(owner);
    store.delete_owner(owner).unwrap();
    assert_eq!(store.count_owner_keys(owner).unwrap(), 0);
    hooks.shutdown().await;
    assert_eq!(store.count_owner_keys(owner).unwrap(), 0);
}
