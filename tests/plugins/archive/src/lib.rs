//! `archive`: a small platform built exactly as a plugin of contract 0.2
//! was, with plain `wit-bindgen` against the frozen
//! `diorama:platform@0.2.0` and no SDK (the SDK now builds 0.3). The host
//! must keep loading and running such a component, native API included.
//!
//! The account files `entries_per_day` entries a day, evenly spaced, and
//! says when the next one is due. Its native API answers `GET /entries`
//! with the entries filed so far. It describes a webhook format, which a
//! 0.2 plugin cannot shape: the host lists it and refuses a subscription to
//! it.
//!
//! The crate is a component only: built natively (a workspace build), it is
//! empty, as its exports cannot link into a native shared library.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

wit_bindgen::generate!({
    path: "../../../sdk/wit/0.2.0",
    world: "platform",
});

use diorama::platform::types::{
    AccountConfig, Action, ActionError, Content, Event, HttpRequest, HttpResponse, MetricRoles,
    NativeOutcome, ParamInfo, ParamKind, Payload, PlatformInfo, StepResult, WebhookFormat,
};
use exports::diorama::platform::simulator::Guest;

const DAY: i64 = 86_400_000;

#[derive(Serialize, Deserialize)]
struct State {
    profile: String,
    every: i64,
    next: i64,
    entries: Vec<String>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

fn json(status: u16, body: &serde_json::Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

struct Archive;

impl Guest for Archive {
    fn describe() -> PlatformInfo {
        PlatformInfo {
            name: "archive".into(),
            version: "0.2.0".into(),
            content_kinds: vec!["entry".into()],
            interaction_kinds: Vec::new(),
            metrics: Vec::new(),
            metric_roles: MetricRoles {
                views: None,
                likes: None,
                comments: None,
            },
            signals: Vec::new(),
            actions: Vec::new(),
            limits: Vec::new(),
            params: vec![ParamInfo {
                name: "entries_per_day".into(),
                kind: ParamKind::Count,
                default: "2".into(),
                min: Some(1.0),
                max: Some(24.0),
                choices: Vec::new(),
                description: "Entries filed a day.".into(),
                shared: None,
            }],
            automatic_share: None,
            api_hosts: vec!["api.archive.example".into()],
            webhook_formats: vec![WebhookFormat {
                name: "archive-json".into(),
                content_type: "application/json".into(),
                description: "Each new entry as JSON.".into(),
            }],
        }
    }

    fn init(config: AccountConfig) -> Result<(), String> {
        let params: serde_json::Value = if config.params.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(&config.params).map_err(|e| format!("archive: {e}"))?
        };
        let n = params["entries_per_day"].as_i64().unwrap_or(2);
        if !(1..=24).contains(&n) {
            return Err(format!(
                "archive: entries_per_day must be within 1..=24, not {n}"
            ));
        }
        let every = DAY / n;
        let state = State {
            profile: config.profile,
            every,
            next: config.start + every,
            entries: Vec::new(),
        };
        STATE.with(|s| *s.borrow_mut() = Some(state));
        Ok(())
    }

    fn step(from: i64, to: i64) -> StepResult {
        let mut events = Vec::new();
        let next_due = STATE.with(|s| {
            let mut guard = s.borrow_mut();
            let state = guard.as_mut()?;
            while state.next < to {
                let id = format!("entry-{}-{}", state.profile, state.entries.len() + 1);
                events.push(Event {
                    at: state.next.max(from),
                    payload: Payload::Content(Content {
                        id: id.clone(),
                        kind: "entry".into(),
                        title: format!("Entry {}", state.entries.len() + 1),
                        text: String::new(),
                        url: format!("https://archive.example/{id}"),
                    }),
                });
                state.entries.push(id);
                state.next += state.every;
            }
            Some(state.next)
        });
        StepResult { events, next_due }
    }

    fn signal(_at: i64, name: String, _params: String) -> Result<(), String> {
        Err(format!("archive does not understand the signal `{name}`"))
    }

    fn act(_at: i64, action: Action) -> Result<Vec<Event>, ActionError> {
        Err(ActionError::Invalid(format!(
            "archive does not support the action `{}`",
            action.kind
        )))
    }

    fn snapshot() -> Vec<u8> {
        STATE.with(|s| {
            s.borrow()
                .as_ref()
                .and_then(|state| serde_json::to_vec(state).ok())
                .unwrap_or_default()
        })
    }

    fn restore(bytes: Vec<u8>) -> Result<(), String> {
        let state: State =
            serde_json::from_slice(&bytes).map_err(|e| format!("archive: bad snapshot: {e}"))?;
        STATE.with(|s| *s.borrow_mut() = Some(state));
        Ok(())
    }

    fn handle_request(_at: i64, request: HttpRequest) -> NativeOutcome {
        if request.method != "GET" || request.path != "/entries" {
            return NativeOutcome::Respond(json(
                404,
                &serde_json::json!({ "error": format!("no {} {}", request.method, request.path) }),
            ));
        }
        let entries = STATE.with(|s| {
            s.borrow()
                .as_ref()
                .map(|state| state.entries.clone())
                .unwrap_or_default()
        });
        NativeOutcome::Respond(json(200, &serde_json::json!({ "entries": entries })))
    }

    fn finish_request(
        _at: i64,
        _context: String,
        _outcome: Result<Vec<Event>, ActionError>,
    ) -> HttpResponse {
        json(500, &serde_json::json!({ "error": "archive never acts" }))
    }
}

export!(Archive);
