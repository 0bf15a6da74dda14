//! The event vocabulary every layer speaks: what an event is once stored
//! ([`StoredEvent`], numbered per profile, [`OwnerId`]), its types and
//! kinds, virtual time and its text form ([`time`]), the event's JSON form
//! ([`event_line`]), counts by platform, type and kind ([`EventCounts`]) and
//! the [`EventListener`] that readers of a run implement.
//!
//! This module imports nothing of the runtime: the engine, the store,
//! reports, HTTP, streams and webhooks all depend downward on it.

mod json;
mod observer;
pub mod time;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use diorama_sdk::{Event, Millis, Payload};
pub use json::event_line;
pub use observer::ProfileObserver;

/// A profile's id: the owner of its events and records.
pub type OwnerId = u64;

/// The four event types, in the order they are listed everywhere.
pub const TYPE_NAMES: [&str; 4] = ["content", "interaction", "metric", "notice"];

/// The platform name host-made notices carry.
pub const HOST_PLATFORM: &str = "diorama";

/// One stored event: the plugin's event plus the owner's sequence number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: u64,
    pub profile: OwnerId,
    pub platform: String,
    pub event: Event,
}

/// Counts of events by platform, type and kind, for reports.
pub type EventCounts = BTreeMap<String, BTreeMap<&'static str, BTreeMap<String, u64>>>;

/// Count one event of `platform`.
pub fn count_event(counts: &mut EventCounts, platform: &str, event: &Event) {
    let by_type = match counts.get_mut(platform) {
        Some(m) => m,
        None => counts.entry(platform.to_string()).or_default(),
    };
    let by_kind = by_type.entry(event.type_name()).or_default();
    match by_kind.get_mut(event.kind()) {
        Some(n) => *n += 1,
        None => {
            by_kind.insert(event.kind().to_string(), 1);
        }
    }
}

/// Something that reads events after they are stored: the events.jsonl
/// writer, a live stream. Runs on the writer thread.
pub trait EventListener: Send {
    /// `names` maps profile ids to profile names; `events` are in merge order.
    fn on_events(
        &mut self,
        names: &BTreeMap<OwnerId, String>,
        events: &[&StoredEvent],
    ) -> Result<(), ListenerError>;

    /// Flush whatever is buffered.
    fn finish(&mut self) -> Result<(), ListenerError> {
        Ok(())
    }
}

/// A listener could not write what it was handed: which output, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {output}: {source}")]
pub struct ListenerError {
    /// The file or stream, as the user knows it (`events.jsonl`).
    pub output: String,
    #[source]
    pub source: std::io::Error,
}
