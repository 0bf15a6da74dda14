//! Where webhooks may point: loopback and public addresses; internal
//! ranges only with `--allow-private-webhooks`, checked at creation and
//! again at every delivery. Secrets of at least 16 bytes.
//!
//! No traffic leaves the machine: refused targets are never contacted, and
//! the one internal address used for delivery, 0.0.0.0, reaches this host.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::*;

const SECRET: &str = "whsec-targets-0123456789";

#[test]
fn internal_targets_short_secrets_and_other_schemes_are_refused() {
    let s = Server::start();
    // Never started: no event, so no delivery is ever attempted.
    let p = s.create(json!({"platforms": ["youtube"], "seed": 9}));
    let hooks = format!("/v1/profiles/{}/webhooks", p.id);
    let refused = [
        ("http://0.0.0.0:9/hook", "0.0.0.0"),
        ("http://10.1.2.3/hook", "10.1.2.3"),
        ("http://172.16.5.4:8080/hook", "172.16.5.4"),
        ("http://192.168.0.1/hook", "192.168.0.1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://100.64.0.1/hook", "100.64.0.1"),
        ("http://100.100.100.200/hook", "100.100.100.200"),
        ("http://224.0.0.1/hook", "224.0.0.1"),
        ("http://255.255.255.255/hook", "255.255.255.255"),
        ("http://[::]/hook", "::"),
        ("http://[fc00::1]/hook", "fc00::1"),
        ("http://[fd00:ec2::254]/hook", "fd00:ec2::254"),
        ("http://[fe80::1]/hook", "fe80::1"),
        ("http://[::ffff:10.0.0.1]/hook", "10.0.0.1"),
        ("http://[::ffff:169.254.169.254]/hook", "169.254.169.254"),
        ("http://[64:ff9b::a9fe:a9fe]/hook", "169.254.169.254"),
    ];
    for (url, shown) in refused {
        let m = s
            .post(&hooks, &p.token, &json!({"url": url, "secret": SECRET}))
            .error(422, "invalid");
        assert!(
            m.contains(shown) && m.contains("--allow-private-webhooks"),
            "{url}: {m}"
        );
    }
    for url in [
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
    ] {
        let m = s
            .post(&hooks, &p.token, &json!({"url": url, "secret": SECRET}))
            .error(422, "invalid");
        assert!(m.contains("only http and https"), "{url}: {m}");
    }
    let loopback = "http://127.0.0.1:9/hook";
    let m = s
        .post(
            &hooks,
            &p.token,
            &json!({"url": loopback, "secret": "0123456789abcde"}),
        )
        .error(422, "invalid");
    assert!(m.contains("secret is 15 bytes") && m.contains("16"), "{m}");
    let m = s
        .post(
            &hooks,
            &p.token,
            &json!({"url": loopback, "secret": "x".repeat(257)}),
        )
        .error(422, "invalid");
    assert!(m.contains("at most 256"), "{m}");
    assert_eq!(
        s.get(&hooks, &p.token).expect(200)["webhooks"],
        json!([]),
        "nothing refused was stored"
    );
    // Loopback, by address and by name, with a 16-byte secret.
    for url in [loopback, "http://[::1]:9/hook", "http://localhost:9/hook"] {
        s.post(
            &hooks,
            &p.token,
            &json!({"url": url, "secret": "0123456789abcdef"}),
        )
        .expect(201);
    }
}

/// A hook stored while internal targets were allowed (or by an older
/// build) is checked again at delivery: once the server no longer allows
/// them, nothing reaches the internal address; loopback hooks still work.
#[test]
fn internal_targets_are_checked_again_at_delivery() {
    let internal_got = Arc::new(Mutex::new(Vec::<Delivery>::new()));
    let internal = Receiver::start(0, internal_got.clone());
    let got = Arc::new(Mutex::new(Vec::<Delivery>::new()));
    let receiver = Receiver::start(0, got.clone());
    let mut s = Server::start_with(&["--allow-private-webhooks"]);
    let p = s.create(json!({
        "platforms": ["youtube"],
        "size": 300_000,
        "seed": 12,
        "limits": {"interactions_per_day": 10_000_000},
    }));
    let hooks = format!("/v1/profiles/{}/webhooks", p.id);
    // 0.0.0.0 reaches this host: allowed by the flag only.
    let sneaky = s
        .post(
            &hooks,
            &p.token,
            &json!({"url": format!("http://0.0.0.0:{}/hook", internal.port), "secret": SECRET}),
        )
        .expect(201);
    let sneaky_id = sneaky["id"].as_str().expect("an id").to_string();
    s.post(
        &hooks,
        &p.token,
        &json!({"url": format!("http://127.0.0.1:{}/hook", receiver.port), "secret": SECRET}),
    )
    .expect(201);
    s.terminate();

    s.restart_with(&[]);
    s.post(
        &format!("/v1/profiles/{}/start", p.id),
        ADMIN,
        &json!({"speed": 5_000}),
    )
    .expect(200);
    wait_for("deliveries to the loopback hook", PATIENCE, || {
        (got.lock().unwrap().len() >= 3).then_some(())
    });
    let log = wait_for("the refused delivery in the log", PATIENCE, || {
        let page = s
            .get(&format!("{hooks}/{sneaky_id}/deliveries"), &p.token)
            .expect(200);
        let items = page["items"].as_array()?.clone();
        (!items.is_empty()).then_some(items)
    });
    let error = log[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("0.0.0.0") && error.contains("--allow-private-webhooks"),
        "{}",
        log[0]
    );
    assert_eq!(log[0]["outcome"], "failed");
    assert!(
        internal_got.lock().unwrap().is_empty(),
        "the internal receiver was reached"
    );
}
