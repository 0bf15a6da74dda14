//! Drive a [`Platform`] natively, without a WebAssembly engine: for unit
//! tests, property tests and benchmarks of a simulator.
//!
//! ```ignore
//! let mut h = Harness::<MyPlatform>::new(config)?;
//! let events = h.advance(diorama_sdk::DAY);
//! h.signal("viral", r#"{"factor": 40}"#)?;
//! ```

use std::cell::RefCell;

use crate::platform::{parse_params, restore, snapshot, Platform};
use crate::types::*;

/// The harness steps a platform in windows of this length, as the host does.
pub const DEFAULT_WINDOW: Millis = MINUTE;

#[cfg(not(target_arch = "wasm32"))]
const LOG_CAPACITY: usize = 10_000;

thread_local! {
    static LOG: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

/// Called by [`crate::log`] outside a component.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn record_log(level: Level, message: &str) {
    LOG.with(|l| {
        let mut l = l.borrow_mut();
        if l.len() < LOG_CAPACITY {
            l.push((level, message.to_string()));
        }
    });
}

/// A platform instance driven natively over virtual time.
pub struct Harness<P: Platform> {
    state: P,
    now: Millis,
    window: Millis,
}

impl<P: Platform> Harness<P> {
    /// Initialise the platform; virtual time starts at `config.start`.
    pub fn new(config: AccountConfig) -> Result<Self, String> {
        let now = config.start;
        let state = P::init(&config)?;
        Ok(Harness {
            state,
            now,
            window: DEFAULT_WINDOW,
        })
    }

    /// Drive `state` (say, restored from a snapshot) from `now` on.
    pub fn from_state(state: P, now: Millis) -> Self {
        Harness {
            state,
            now,
            window: DEFAULT_WINDOW,
        }
    }

    /// A config with the given seed, niche and JSON params, starting at
    /// 2026-01-05 00:00 UTC in `UTC`.
    pub fn config(seed: u64, niche: &str, params: &str) -> AccountConfig {
        AccountConfig {
            profile: "p1".into(),
            niche: niche.into(),
            seed,
            start: 1_767_571_200_000,
            timezone: "UTC".into(),
            params: params.into(),
        }
    }

    /// Change the stepping window (default one minute).
    pub fn with_window(mut self, window: Millis) -> Self {
        self.window = window.max(1);
        self
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn state(&self) -> &P {
        &self.state
    }

    /// Advance by `duration`, stepping window by window; returns the events
    /// sorted by time (stable within a window, as the host merges them).
    pub fn advance(&mut self, duration: Millis) -> Vec<Event> {
        let mut out = Vec::new();
        self.advance_into(duration, &mut out);
        out
    }

    /// Like [`advance`](Self::advance), appending to `out`.
    pub fn advance_into(&mut self, duration: Millis, out: &mut Vec<Event>) {
        let end = self.now + duration.max(0);
        while self.now < end {
            let to = (self.now + self.window).min(end);
            let first = out.len();
            self.state.step(self.now, to, out);
            out[first..].sort_by_key(|e| e.at);
            self.now = to;
        }
    }

    pub fn signal(&mut self, name: &str, params: &str) -> Result<(), String> {
        let params = parse_params(params)?;
        self.state.signal(self.now, name, &params)
    }

    pub fn act(&mut self, kind: &str, params: &str) -> Result<Vec<Event>, ActionError> {
        let action = Action {
            kind: kind.into(),
            params: params.into(),
        };
        self.state.act(self.now, &action)
    }

    /// Snapshot the state and restore it into a fresh value, as the host
    /// does across a restart.
    pub fn snapshot_roundtrip(&mut self) -> Result<(), String> {
        let bytes = snapshot(&self.state);
        self.state = restore(&bytes)?;
        Ok(())
    }

    /// Take the log lines the platform wrote on this thread.
    pub fn take_log() -> Vec<(Level, String)> {
        LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
    }
}
