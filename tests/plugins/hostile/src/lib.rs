//! A deliberately misbehaving platform, for the sandbox tests. Its `mode`
//! parameter picks how it misbehaves once it is stepped:
//!
//! - `loop`: spins forever in `step`;
//! - `memory`: allocates without bound in `step`;
//! - `trap`: panics in `step` (a WebAssembly trap);
//! - `init-loop`: spins forever in `init`;
//! - `well`: behaves, emitting one notice per step (a control).

use diorama_sdk::{
    AccountConfig, Event, Millis, Notice, Payload, Platform, PlatformInfo, SignalInfo,
};
use serde::{Deserialize, Serialize};

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
            }],
            actions: vec![],
            limits: vec![],
            defaults: r#"{"mode":"well"}"#.into(),
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
            _ => out.push(Event {
                at: from,
                payload: Payload::Notice(Notice {
                    code: "tick".into(),
                    message: "still here".into(),
                }),
            }),
        }
    }

    fn signal(&mut self, _at: Millis, name: &str, params: &serde_json::Value) -> Result<(), String> {
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

fn spin() -> ! {
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

diorama_sdk::export_platform!(Hostile);
