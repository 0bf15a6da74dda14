//! The result budget: a plugin returning more than a call may (events,
//! bytes of strings, a response's body or headers) or something the
//! contract rules out fails with an error naming the call and the figure,
//! and its instance is stopped; other instances carry on.

use diorama::plugin::budget::{MAX_EVENTS, MAX_RESPONSE_BODY, MAX_STRING_BYTES};
use diorama::plugin::Budget;
use diorama_sdk::{HttpRequest, NativeOutcome};

use super::*;

fn request(path: &str, query: &str) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path: path.into(),
        query: query.into(),
        headers: vec![("accept".into(), "application/json".into())],
        body: Vec::new(),
    }
}

#[test]
fn the_budget_is_what_the_contract_documents() {
    let wit = include_str!("../../../sdk/wit/0.2.0/platform.wit");
    assert!(wit.contains("a call returns at most 100 000 events and\n/// 16 MiB of strings"));
    assert_eq!((MAX_EVENTS, MAX_STRING_BYTES), (100_000, 16 << 20));
    assert!(wit.contains("at most 8 MiB of body and\n/// 64 headers"));
    assert!(wit.contains("at most 256 items per list, each string at\n/// most 4096 bytes"));
    use diorama::plugin::budget::{MAX_DESCRIBE_ITEMS, MAX_DESCRIBE_STRING, MAX_RESPONSE_HEADERS};
    assert_eq!(
        (
            MAX_RESPONSE_BODY,
            MAX_RESPONSE_HEADERS,
            MAX_DESCRIBE_ITEMS,
            MAX_DESCRIBE_STRING
        ),
        (8 << 20, 64, 256, 4096)
    );
}

#[test]
fn one_event_too_many_from_step_fails_the_instance() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("flood")).expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::OverBudget {
            budget: Budget::Events,
            found: MAX_EVENTS as u64 + 1
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin `hostile` failed in `step`: over budget: it returned 100,001 events; a call may return at most 100,000 (the instance was stopped)"
    );
    assert!(i.is_failed());
    assert_eq!(i.snapshot().unwrap_err(), e);

    // Another instance of the same plugin is unaffected.
    let mut well = host.instantiate("hostile", &mode("well")).expect("init");
    assert_eq!(
        well.step(START, START + MINUTE).expect("step").events.len(),
        1
    );
}

#[test]
fn one_event_too_many_from_act_fails_the_instance() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("flood")).expect("init");
    let poke = Action {
        kind: "poke".into(),
        params: "{}".into(),
    };
    let e = i.act(START, &poke).unwrap_err();
    assert_eq!((e.call, e.is_fatal()), ("act", true));
    assert!(e.to_string().contains("it returned 100,001 events"), "{e}");
}

#[test]
fn one_byte_of_strings_too_many_fails_the_instance() {
    let host = hostile_host();
    let mut i = host
        .instantiate("hostile", &mode("long-strings"))
        .expect("init");
    let e = i.step(START, START + MINUTE).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::OverBudget {
            budget: Budget::StringBytes,
            found: MAX_STRING_BYTES as u64 + 1
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin `hostile` failed in `step`: over budget: its results hold 16,777,217 bytes of strings; a call may return at most 16,777,216 (16 MiB) (the instance was stopped)"
    );
}

#[test]
fn a_next_due_before_the_window_ends_breaks_the_contract() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let out = i.step(START, START + MINUTE).expect("step");
    assert_eq!(out.next_due, Some(START + MINUTE));
    i.signal(START, "misbehave", r#"{"mode":"early-due"}"#)
        .expect("switch");
    let e = i.step(START + MINUTE, START + 2 * MINUTE).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Violation);
    assert_eq!(
        e.to_string(),
        format!(
            "plugin `hostile` broke the contract in `step`: its next-due {} is before the end of the window it was stepped over ({}) (the instance was stopped)",
            START + 2 * MINUTE - 1,
            START + 2 * MINUTE
        )
    );
    assert!(i.is_failed());
}

#[test]
fn the_native_api_answers_and_acts() {
    let host = hostile_host();
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let NativeOutcome::Respond(r) = i
        .handle_request(START, &request("/status", ""))
        .expect("answered")
    else {
        panic!("a read responds");
    };
    assert_eq!(r.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(
        body,
        serde_json::json!({"mode": "well", "at": START, "path": "/status"})
    );

    let NativeOutcome::Act(act) = i
        .handle_request(START, &request("/act", "ctx-1"))
        .expect("answered")
    else {
        panic!("/act acts");
    };
    assert_eq!(act.action.kind, "poke");
    assert_eq!(act.context, "ctx-1");
    let events = i
        .act(START, &act.action)
        .expect("act")
        .expect("poke is accepted");
    let r = i
        .finish_request(START, &act.context, Ok(&events))
        .expect("finished");
    assert_eq!(r.status, 201);
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(body, serde_json::json!({"context": "ctx-1", "events": 1}));
    let refused = diorama_sdk::ActionError::RateLimited(5);
    let r = i
        .finish_request(START, "ctx-2", Err(&refused))
        .expect("finished");
    assert_eq!(r.status, 400);
    assert!(!i.is_failed());
}

#[test]
fn native_responses_over_their_caps_fail_the_instance() {
    let host = hostile_host();
    let cases: [(&str, Budget, u64, &str); 2] = [
        (
            "/big-body",
            Budget::ResponseBody,
            MAX_RESPONSE_BODY as u64 + 1,
            "plugin `hostile` failed in `handle-request`: over budget: its response body is 8,388,609 bytes; a response may carry at most 8,388,608 (8 MiB) (the instance was stopped)",
        ),
        (
            "/many-headers",
            Budget::ResponseHeaders,
            65,
            "plugin `hostile` failed in `handle-request`: over budget: its response has 65 headers; a response may carry at most 64 (the instance was stopped)",
        ),
    ];
    for (path, budget, found, message) in cases {
        let mut i = host.instantiate("hostile", &mode("well")).expect("init");
        let e = i.handle_request(START, &request(path, "")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OverBudget { budget, found }, "{path}");
        assert_eq!(e.to_string(), message);
        assert!(i.is_failed());
    }

    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let e = i
        .handle_request(START, &request("/bad-status", ""))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Violation);
    assert_eq!(
        e.to_string(),
        "plugin `hostile` broke the contract in `handle-request`: its response has the HTTP status 700; a status is within 100..=599 (the instance was stopped)"
    );

    // `finish-request` is held to the same caps.
    let mut i = host.instantiate("hostile", &mode("well")).expect("init");
    let e = i.finish_request(START, "big", Ok(&[])).unwrap_err();
    assert_eq!(
        (e.call, e.kind),
        (
            "finish-request",
            ErrorKind::OverBudget {
                budget: Budget::ResponseBody,
                found: MAX_RESPONSE_BODY as u64 + 1
            }
        )
    );
}
