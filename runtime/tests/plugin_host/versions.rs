//! Contract versions side by side: the `legacy` component, built with plain
//! wit-bindgen against the frozen `diorama:platform@0.1.0`, and `archive`,
//! built the same way against `@0.2.0`, load next to the built-in 0.3
//! plugins, read in the latest terms and run.

use diorama_sdk::{HttpRequest, MetricRoles, ParamKind};

use super::*;

fn both() -> PluginHost {
    let mut host = PluginHost::new(options()).expect("host");
    host.load_builtin().expect("built-in plugins");
    host.load_dir(test_plugins()).expect("test plugins");
    host
}

#[test]
fn plugins_of_0_1_0_2_and_0_3_load_side_by_side() {
    let host = both();
    let versions: Vec<(&str, &str)> = host
        .plugins()
        .iter()
        .map(|p| (p.info.name.as_str(), p.interface_version.as_str()))
        .collect();
    assert_eq!(
        versions,
        [
            ("archive", "0.2.0"),
            ("facebook", "0.3.0"),
            ("hostile", "0.3.0"),
            ("instagram", "0.3.0"),
            ("legacy", "0.1.0"),
            ("telegram", "0.3.0"),
            ("tiktok", "0.3.0"),
            ("x", "0.3.0"),
            ("youtube", "0.3.0"),
        ]
    );
    assert_eq!(
        diorama::plugin::SUPPORTED_VERSIONS,
        ["0.1.0", "0.2.0", "0.3.0"]
    );
}

#[test]
fn a_0_1_description_reads_in_the_latest_terms() {
    let host = both();
    let info = &host.get("legacy").expect("legacy").info;
    // Parameters read off `defaults`.
    assert_eq!(info.params.len(), 1);
    assert_eq!(info.params[0].name, "notes_per_day");
    assert_eq!(info.params[0].kind, ParamKind::Count);
    assert_eq!(info.defaults_json(), r#"{"notes_per_day":4}"#);
    // Metric roles by name; no automatic share; signals on content.
    assert_eq!(
        info.metric_roles,
        MetricRoles {
            views: Some("views".into()),
            likes: Some("likes".into()),
            comments: Some("comments".into()),
        }
    );
    assert_eq!(info.automatic_share, None);
    assert!(info.api_hosts.is_empty() && info.webhook_formats.is_empty());
    assert!(info.signals.iter().all(|s| s.on_content));
}

#[test]
fn a_0_1_instance_steps_signals_acts_and_restores() {
    let host = both();
    let mut legacy = host
        .instantiate("legacy", &config(r#"{"notes_per_day":4}"#, 3))
        .expect("legacy instantiates");
    assert_eq!(legacy.interface_version(), "0.1.0");
    let mut events = Vec::new();
    let mut t = START;
    while t < START + DAY {
        let out = legacy.step(t, t + HOUR).expect("step");
        // 0.1 has no next-due: due at the end of every window.
        assert_eq!(out.next_due, Some(t + HOUR));
        events.extend(out.events);
        t += HOUR;
    }
    let notes: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Content(c) => Some(c.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 4, "four notes a day");
    legacy
        .signal(
            START + DAY,
            "boost",
            &format!(r#"{{"content_id":"{}","factor":5}}"#, notes[0]),
        )
        .expect("boost");
    let state = legacy.snapshot().expect("snapshot");
    let published = legacy
        .act(
            START + DAY,
            &Action {
                kind: "publish".into(),
                params: r#"{"title":"hello"}"#.into(),
            },
        )
        .expect("act")
        .expect("published");
    assert_eq!(published.len(), 1);
    legacy.restore(&state).expect("restore");

    // No native API in 0.1: a typed refusal that leaves the instance alive.
    let e = legacy
        .handle_request(START + DAY, &HttpRequest::default())
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::NoNativeApi {
            version: "0.1.0".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin `legacy` has no native API: it was built for diorama:platform@0.1.0, which has none (the native API came with 0.2.0)"
    );
    let e = legacy.finish_request(START + DAY, "", Ok(&[])).unwrap_err();
    assert_eq!(e.call, "finish-request");
    assert!(!legacy.is_failed());
    assert!(!legacy
        .step(START + DAY, START + DAY + HOUR)
        .expect("still steps")
        .events
        .is_empty());

    // A 0.3 instance alongside answers its native API.
    let yt = host.get("youtube").expect("youtube");
    let mut youtube = host
        .instantiate("youtube", &config(&yt.info.defaults_json(), 3))
        .expect("youtube");
    assert_eq!(youtube.interface_version(), "0.3.0");
    youtube
        .handle_request(START, &HttpRequest::default())
        .expect("a 0.3 plugin answers");
    // And shapes webhooks: the handshake, a refusal naming the parameter,
    // nothing for what its format does not carry.
    let v = youtube
        .webhook_subscribe("websub-atom", "{}")
        .expect("a sound subscription")
        .expect("WebSub verifies");
    assert_eq!(v.challenge_param, "hub.challenge");
    assert_eq!(v.query[0], ("hub.mode".into(), "subscribe".into()));
    let e = youtube
        .webhook_subscribe("websub-atom", r#"{"lease_seconds":"long"}"#)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.to_string().contains("`lease_seconds`"), "{e}");
    let metric = diorama_sdk::Event {
        at: START,
        payload: Payload::Metric(diorama_sdk::Metric {
            content_id: None,
            name: "subscribers".into(),
            total: 1,
            delta: 1,
        }),
    };
    assert_eq!(
        youtube
            .shape_webhook("websub-atom", "{}", &metric)
            .expect("a call"),
        None
    );
}

#[test]
fn a_0_2_plugin_steps_answers_its_api_and_describes_formats_it_cannot_send() {
    let host = both();
    let info = &host.get("archive").expect("archive").info;
    // Its webhook format is described, with no signature scheme: 0.2 had none.
    assert_eq!(info.webhook_formats.len(), 1);
    assert_eq!(info.webhook_formats[0].name, "archive-json");
    assert_eq!(info.webhook_formats[0].signature, None);
    assert_eq!(info.params[0].name, "entries_per_day");
    let mut archive = host
        .instantiate("archive", &config(r#"{"entries_per_day":4}"#, 3))
        .expect("archive instantiates");
    assert_eq!(archive.interface_version(), "0.2.0");
    let out = archive.step(START, START + DAY).expect("step");
    // Every six hours from six hours in: three within the first day, the
    // fourth due as it ends.
    assert_eq!(out.events.len(), 3);
    assert_eq!(out.next_due, Some(START + DAY));
    let answer = archive
        .handle_request(
            START + DAY,
            &HttpRequest {
                method: "GET".into(),
                path: "/entries".into(),
                ..HttpRequest::default()
            },
        )
        .expect("a 0.2 plugin answers its native API");
    let diorama_sdk::NativeOutcome::Respond(r) = answer else {
        panic!("a read answers")
    };
    assert_eq!(r.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["entries"].as_array().map(Vec::len), Some(3));

    // No webhook shaping before 0.3: a typed refusal that leaves the
    // instance alive.
    let e = archive.webhook_subscribe("archive-json", "{}").unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::NoWebhookShaping {
            version: "0.2.0".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin `archive` cannot shape webhooks: it was built for diorama:platform@0.2.0 (webhook shaping came with 0.3.0)"
    );
    let e = archive
        .shape_webhook("archive-json", "{}", &out.events[0])
        .unwrap_err();
    assert_eq!(e.call, "shape-webhook");
    assert!(!archive.is_failed());
    let state = archive.snapshot().expect("snapshot");
    archive.restore(&state).expect("restore");
}
