//! A deliberately misbehaving platform, for the sandbox tests. Its `mode`
//! parameter picks how it misbehaves once it is stepped:
//!
//! - `loop`: spins forever in `step`;
//! - `memory`: allocates without bound in `step`;
//! - `trap`: panics in `step` (a WebAssembly trap);
//! - `init-loop`: spins forever in `init`;
//! - `noisy-trap`: floods stderr, then panics in `step`;
//! - `recurse`: recurses without end in `step` (a stack overflow);
//! - `exit`: calls `std::process::exit(3)` in `step`;
//! - `alias`: returns from `step` thousands of events whose messages all
//!   point at the same 8 MiB of its memory (the component ABI allows it): a
//!   host that copied results whole would allocate 32 GiB;
//! - `probe`: reports in a `probe` notice what the sandbox lets it see
//!   (clocks, randomness, environment, files, network), after trying to
//!   sleep for an hour;
//! - `flood`: returns one event more than a call may (100,001), from `step`
//!   and from the action `poke`;
//! - `long-strings`: returns from `step` one notice whose code and message
//!   hold one byte more than the 16 MiB of strings a call may return;
//! - `early-due`: says from `step` that it is next due before the end of
//!   the window it was stepped over;
//! - `well`: behaves, emitting one notice per step (a control).
//!
//! Its native API misbehaves by path: `/big-body` answers a body one byte
//! over 8 MiB, `/many-headers` 65 headers, `/bad-status` the status 700,
//! `/act` runs the action `poke` (whose answer, from `finish-request`, is
//! over the body budget when the context says `big`); any other path
//! answers 200 with the mode, the time and the path as JSON.

use diorama_sdk::{
    AccountConfig, Action, ActionError, Event, HttpRequest, HttpResponse, MetricRoles, Millis,
    NativeAct, NativeOutcome, Notice, ParamInfo, ParamKind, Payload, Platform, PlatformInfo,
    SignalInfo,
};
use serde::{Deserialize, Serialize};

/// The host's budget for one call (`diorama::plugin::budget`); the tests
/// that see these go over it check the exact figures, so a change there
/// shows here.
const MAX_EVENTS: usize = 100_000;
const MAX_STRING_BYTES: usize = 16 << 20;
const MAX_RESPONSE_BODY: usize = 8 << 20;
const MAX_RESPONSE_HEADERS: usize = 64;

#[derive(Serialize, Deserialize)]
pub struct Hostile {
    mode: String,
    hoard: Vec<Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    mode: String,
}

impl Platform for Hostile {
    fn describe() -> PlatformInfo {
        PlatformInfo {
            name: "hostile".into(),
            version: "0.1.0".into(),
            content_kinds: vec![],
            interaction_kinds: vec![],
            metrics: vec![],
            signals: vec![SignalInfo {
                name: "misbehave".into(),
                description: "switch the misbehaviour: {\"mode\": ...}".into(),
                on_content: false,
            }],
            actions: vec!["poke".into()],
            limits: vec![],
            metric_roles: MetricRoles::default(),
            params: vec![ParamInfo {
                name: "mode".into(),
                kind: ParamKind::Choice,
                default: "\"well\"".into(),
                min: None,
                max: None,
                choices: Vec::new(),
                description: "how the plugin misbehaves".into(),
                shared: None,
            }],
            automatic_share: None,
            api_hosts: Vec::new(),
            webhook_formats: Vec::new(),
        }
    }

    fn init(config: &AccountConfig) -> Result<Self, String> {
        let params: Params = serde_json::from_str(&config.params)
            .map_err(|e| format!("hostile: bad params: {e}"))?;
        if params.mode == "init-loop" {
            spin();
        }
        Ok(Hostile {
            mode: params.mode,
            hoard: Vec::new(),
        })
    }

    fn step(&mut self, from: Millis, _to: Millis, out: &mut Vec<Event>) {
        match self.mode.as_str() {
            "loop" => spin(),
            "memory" => loop {
                let mut block = vec![0u8; 1 << 20];
                block[0] = 1;
                self.hoard.push(block);
            },
            "trap" => panic!("hostile plugin traps on purpose"),
            "noisy-trap" => {
                let line = "noise noise noise noise noise noise noise noise noise noise\n";
                for _ in 0..20_000 {
                    eprint!("{line}");
                }
                panic!("hostile plugin traps after the noise");
            }
            "exit" => std::process::exit(3),
            "flood" => out.extend(flood(from)),
            "long-strings" => out.push(Event {
                at: from,
                payload: Payload::Notice(Notice {
                    // One byte of code, and the rest of the budget plus one.
                    code: "x".into(),
                    message: "x".repeat(MAX_STRING_BYTES),
                }),
            }),
            "alias" => alias(from, out),
            "recurse" => {
                out.push(Event {
                    at: from,
                    payload: Payload::Notice(Notice {
                        code: "depth".into(),
                        message: recurse(std::hint::black_box(1)).to_string(),
                    }),
                });
            }
            "probe" => out.push(Event {
                at: from,
                payload: Payload::Notice(Notice {
                    code: "probe".into(),
                    message: probe().to_string(),
                }),
            }),
            _ => out.push(Event {
                at: from,
                payload: Payload::Notice(Notice {
                    code: "tick".into(),
                    message: "still here".into(),
                }),
            }),
        }
    }

    fn next_due(&self, end: Millis) -> Option<Millis> {
        if self.mode == "early-due" {
            Some(end - 1)
        } else {
            Some(end)
        }
    }

    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        if action.kind != "poke" {
            return Err(ActionError::Invalid(format!(
                "hostile does not support the action `{}`",
                action.kind
            )));
        }
        if self.mode == "flood" {
            return Ok(flood(at));
        }
        Ok(vec![Event {
            at,
            payload: Payload::Notice(Notice {
                code: "poked".into(),
                message: action.params.clone(),
            }),
        }])
    }

    fn handle_request(&self, at: Millis, request: &HttpRequest) -> NativeOutcome {
        let respond = |status, headers, body| {
            NativeOutcome::Respond(HttpResponse {
                status,
                headers,
                body,
            })
        };
        match request.path.as_str() {
            "/big-body" => respond(200, Vec::new(), vec![b'x'; MAX_RESPONSE_BODY + 1]),
            "/many-headers" => respond(
                200,
                (0..=MAX_RESPONSE_HEADERS)
                    .map(|i| (format!("x-h{i}"), "v".to_string()))
                    .collect(),
                Vec::new(),
            ),
            "/bad-status" => respond(700, Vec::new(), Vec::new()),
            "/act" => NativeOutcome::Act(NativeAct {
                action: Action {
                    kind: "poke".into(),
                    params: r#"{"from":"native"}"#.into(),
                },
                context: request.query.clone(),
            }),
            path => NativeOutcome::Respond(HttpResponse::json(
                200,
                &serde_json::json!({"mode": self.mode, "at": at, "path": path}),
            )),
        }
    }

    fn finish_request(
        &self,
        _at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> HttpResponse {
        if context == "big" {
            return HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: vec![b'x'; MAX_RESPONSE_BODY + 1],
            };
        }
        match outcome {
            Ok(events) => HttpResponse::json(
                201,
                &serde_json::json!({"context": context, "events": events.len()}),
            ),
            Err(e) => HttpResponse::json(400, &serde_json::json!({"error": e.to_string()})),
        }
    }

    fn signal(
        &mut self,
        _at: Millis,
        name: &str,
        params: &serde_json::Value,
    ) -> Result<(), String> {
        if name != "misbehave" {
            return Err(format!("hostile does not understand the signal `{name}`"));
        }
        let mode = params
            .get("mode")
            .and_then(|m| m.as_str())
            .ok_or("misbehave needs a `mode`")?;
        self.mode = mode.to_string();
        Ok(())
    }
}

/// What the sandbox lets a guest see.
fn probe() -> serde_json::Value {
    use std::hash::{BuildHasher, Hasher};
    use std::time::{Instant, SystemTime, UNIX_EPOCH};

    let started = Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(3600));
    let slept_ns = started.elapsed().as_nanos() as u64;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(-1);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(1);
    serde_json::json!({
        "now_ms": now_ms,
        "slept_ns": slept_ns,
        "random": hasher.finish().to_string(),
        "env": std::env::vars_os().count(),
        "args": std::env::args_os().count(),
        "files": std::fs::read_dir("/").is_ok() || std::fs::read_dir(".").is_ok(),
        "network": std::net::TcpStream::connect("127.0.0.1:80").is_ok(),
    })
}

#[allow(unconditional_recursion)] // on purpose
fn recurse(n: u64) -> u64 {
    let mut frame = [n; 16];
    frame[std::hint::black_box(3)] += recurse(std::hint::black_box(n + 1));
    std::hint::black_box(frame).iter().sum()
}

/// The bytes every `alias` event's message points at.
const ALIAS_BYTES: usize = 8 << 20;
/// How many events point at them.
const ALIAS_COPIES: usize = 4096;

/// `ALIAS_COPIES` events sharing one leaked buffer as their message.
fn alias(at: Millis, out: &mut Vec<Event>) {
    let shared: &'static mut str = Box::leak("x".repeat(ALIAS_BYTES).into_boxed_str());
    let (ptr, len) = (shared.as_mut_ptr(), shared.len());
    for _ in 0..ALIAS_COPIES {
        // SAFETY: it is not; on purpose. The strings alias one buffer, and
        // their length equals its capacity, so the bindings hand the same
        // pointer and length to the host for every event without copying.
        // None of them is dropped in here: the host refuses the results
        // before the post-return function would free them.
        let message = unsafe { String::from_raw_parts(ptr, len, len) };
        out.push(Event {
            at,
            payload: Payload::Notice(Notice {
                code: "alias".into(),
                message,
            }),
        });
    }
}

/// One event more than a call may return.
fn flood(at: Millis) -> Vec<Event> {
    vec![
        Event {
            at,
            payload: Payload::Notice(Notice {
                code: "f".into(),
                message: String::new(),
            }),
        };
        MAX_EVENTS + 1
    ]
}

fn spin() -> ! {
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

diorama_sdk::export_platform!(Hostile);
