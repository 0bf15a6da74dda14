//! `legacy`: a small platform built exactly as a plugin of contract 0.1 was,
//! with plain `wit-bindgen` against the frozen `diorama:platform@0.1.0` and
//! no SDK (the SDK now builds 0.2). The host must keep loading and running
//! such a component.
//!
//! The account posts `notes_per_day` notes a day, evenly spaced. Every hour
//! each note gains views (100 an hour, times its boost), a like per 20 views
//! and one comment, reported as `views`, `likes` and `comments` metrics (the
//! names a 0.1 host reads as a script's `v.views`, `v.likes`,
//! `v.comments`). The signal `boost` multiplies a note's hourly views; the
//! action `publish` posts a note now, at most 10 a day.
//!
//! The crate is a component only: built natively (a workspace build), it is
//! empty, as its exports cannot link into a native shared library.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

wit_bindgen::generate!({
    path: "../../../sdk/wit/0.1.0",
    world: "platform",
});

use diorama::platform::types::{
    AccountConfig, Action, ActionError, Author, Content, Event, Interaction, LimitInfo, Metric,
    Payload, PlatformInfo, SignalInfo,
};
use exports::diorama::platform::simulator::Guest;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const PUBLISH_LIMIT: u32 = 10;

#[derive(Serialize, Deserialize)]
struct Note {
    id: String,
    views: i64,
    likes: i64,
    comments: i64,
    boost: i64,
}

#[derive(Serialize, Deserialize)]
struct State {
    profile: String,
    every: i64,
    next_note: i64,
    next_hour: i64,
    notes: Vec<Note>,
    published: Vec<i64>,
    serial: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default = "default_notes")]
    notes_per_day: u32,
}

fn default_notes() -> u32 {
    4
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

impl State {
    fn id(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}-{}-{}", self.profile, self.serial)
    }

    fn note(&mut self, at: i64, title: String, out: &mut Vec<Event>) {
        let id = self.id("note");
        out.push(Event {
            at,
            payload: Payload::Content(Content {
                id: id.clone(),
                kind: "note".into(),
                title,
                text: String::new(),
                url: format!("https://legacy.example/{id}"),
            }),
        });
        self.notes.push(Note {
            id,
            views: 0,
            likes: 0,
            comments: 0,
            boost: 1,
        });
    }

    fn hour(&mut self, at: i64, out: &mut Vec<Event>) {
        for i in 0..self.notes.len() {
            self.serial += 1;
            let serial = self.serial;
            let note = &mut self.notes[i];
            let views = 100 * note.boost;
            let likes = (note.views + views) / 20 - note.views / 20;
            note.views += views;
            note.likes += likes;
            note.comments += 1;
            let reader = serial % 7;
            out.push(Event {
                at,
                payload: Payload::Interaction(Interaction {
                    id: format!("c-{serial}"),
                    kind: "comment".into(),
                    content_id: Some(note.id.clone()),
                    parent_id: None,
                    author: Author {
                        id: format!("reader-{reader}"),
                        handle: format!("reader{reader}"),
                        display_name: format!("Reader {reader}"),
                        avatar_url: String::new(),
                        verified: false,
                        followers: 10 * reader,
                    },
                    text: "nice note".into(),
                    sentiment: Some("positive".into()),
                    dm_type: None,
                }),
            });
            for (name, total, delta) in [
                ("views", note.views, views),
                ("likes", note.likes, likes),
                ("comments", note.comments, 1),
            ] {
                out.push(Event {
                    at,
                    payload: Payload::Metric(Metric {
                        content_id: Some(note.id.clone()),
                        name: name.into(),
                        total,
                        delta,
                    }),
                });
            }
        }
    }
}

struct Legacy;

impl Guest for Legacy {
    fn describe() -> PlatformInfo {
        PlatformInfo {
            name: "legacy".into(),
            version: "0.1.0".into(),
            content_kinds: vec!["note".into()],
            interaction_kinds: vec!["comment".into()],
            metrics: vec!["views".into(), "likes".into(), "comments".into()],
            signals: vec![SignalInfo {
                name: "boost".into(),
                description: "multiply a note's hourly views: {\"factor\": 1..=100}".into(),
            }],
            actions: vec!["publish".into()],
            limits: vec![LimitInfo {
                action: "publish".into(),
                max: PUBLISH_LIMIT,
                per: DAY,
            }],
            defaults: r#"{"notes_per_day":4}"#.into(),
        }
    }

    fn init(config: AccountConfig) -> Result<(), String> {
        let params: Params = serde_json::from_str(if config.params.trim().is_empty() {
            "{}"
        } else {
            &config.params
        })
        .map_err(|e| format!("legacy: bad params: {e}"))?;
        if !(1..=96).contains(&params.notes_per_day) {
            return Err(format!(
                "legacy: notes_per_day must be within 1..=96, not {}",
                params.notes_per_day
            ));
        }
        let every = DAY / i64::from(params.notes_per_day);
        let state = State {
            profile: config.profile,
            every,
            next_note: config.start + every / 2,
            next_hour: config.start + HOUR,
            notes: Vec::new(),
            published: Vec::new(),
            serial: 0,
        };
        STATE.with(|s| *s.borrow_mut() = Some(state));
        Ok(())
    }

    fn step(from: i64, to: i64) -> Vec<Event> {
        let mut out = Vec::new();
        STATE.with(|s| {
            let mut guard = s.borrow_mut();
            let Some(state) = guard.as_mut() else {
                return;
            };
            // Notes and hourly ticks in time order; both fall at or after
            // `from` because the previous step took everything before it.
            loop {
                let next = state.next_note.min(state.next_hour);
                if next >= to {
                    break;
                }
                if state.next_note <= state.next_hour {
                    let at = state.next_note.max(from);
                    let n = state.notes.len() + 1;
                    state.note(at, format!("Note {n}"), &mut out);
                    state.next_note += state.every;
                } else {
                    let at = state.next_hour.max(from);
                    state.hour(at, &mut out);
                    state.next_hour += HOUR;
                }
            }
        });
        out
    }

    fn signal(_at: i64, name: String, params: String) -> Result<(), String> {
        if name != "boost" {
            return Err(format!("legacy does not understand the signal `{name}`"));
        }
        let params: serde_json::Value =
            serde_json::from_str(&params).map_err(|e| format!("boost: bad params: {e}"))?;
        let id = params["content_id"]
            .as_str()
            .ok_or("boost needs a `content_id`")?;
        let factor = params["factor"].as_i64().unwrap_or(2);
        if !(1..=100).contains(&factor) {
            return Err(format!(
                "boost: factor must be within 1..=100, not {factor}"
            ));
        }
        STATE.with(|s| {
            let mut guard = s.borrow_mut();
            let state = guard.as_mut().ok_or("legacy: not initialised")?;
            let note = state
                .notes
                .iter_mut()
                .find(|n| n.id == id)
                .ok_or_else(|| format!("boost: no note `{id}`"))?;
            note.boost = factor;
            Ok(())
        })
    }

    fn act(at: i64, action: Action) -> Result<Vec<Event>, ActionError> {
        if action.kind != "publish" {
            return Err(ActionError::Invalid(format!(
                "legacy does not support the action `{}`",
                action.kind
            )));
        }
        let params: serde_json::Value = serde_json::from_str(&action.params)
            .map_err(|e| ActionError::Invalid(format!("publish: bad params: {e}")))?;
        let title = params["title"].as_str().unwrap_or("A note").to_string();
        STATE.with(|s| {
            let mut guard = s.borrow_mut();
            let state = guard
                .as_mut()
                .ok_or_else(|| ActionError::Invalid("legacy: not initialised".into()))?;
            state.published.retain(|t| *t > at - DAY);
            if state.published.len() >= PUBLISH_LIMIT as usize {
                let wait = state.published[0] + DAY - at;
                return Err(ActionError::RateLimited(wait));
            }
            state.published.push(at);
            let mut out = Vec::new();
            state.note(at, title, &mut out);
            Ok(out)
        })
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
            serde_json::from_slice(&bytes).map_err(|e| format!("legacy: bad snapshot: {e}"))?;
        STATE.with(|s| *s.borrow_mut() = Some(state));
        Ok(())
    }
}

export!(Legacy);
