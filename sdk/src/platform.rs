//! The trait a platform author implements.

use serde::{de::DeserializeOwned, Serialize};

use crate::types::{
    AccountConfig, Action, ActionError, Event, HttpRequest, HttpResponse, Millis, NativeOutcome,
    PlatformInfo, Verification, WebhookDelivery,
};

/// A platform simulator: a plain struct whose serde state is the account's
/// whole state. `snapshot` and `restore` come for free from serde.
///
/// The same type runs inside a WebAssembly component (through
/// [`export_platform!`](crate::export_platform)) and natively (through
/// [`Harness`](crate::harness::Harness)), so it can be unit-tested and
/// benchmarked without an engine.
pub trait Platform: Serialize + DeserializeOwned + Sized + 'static {
    /// What the platform is: name, kinds, signals, limits, defaults.
    fn describe() -> PlatformInfo;

    /// Create the account's state. Reject bad parameters with a message
    /// that names the parameter.
    fn init(config: &AccountConfig) -> Result<Self, String>;

    /// Advance the model over `[from, to)`, pushing every event of that
    /// window (each with `from <= at < to`) onto `out`, in any order.
    fn step(&mut self, from: Millis, to: Millis, out: &mut Vec<Event>);

    /// When the platform next has something due, asked after a step that
    /// ended at `end`: the host may leave it unstepped until then and step
    /// the time in between in one call, so a platform that answers later
    /// than `end` must give the same events and state however that time is
    /// split. `None`: nothing until a signal or an action. The default,
    /// `Some(end)`, asks to be stepped as often as the host steps.
    fn next_due(&self, end: Millis) -> Option<Millis> {
        Some(end)
    }

    /// Answer a request to the platform's own API at `at`, against the
    /// account's state, in the platform's wire format. A request that
    /// changes the account answers [`NativeOutcome::Act`]: the host runs the
    /// action as it runs the same action through its own API, then calls
    /// [`Platform::finish_request`]. An operation the platform has but the
    /// plugin does not simulate is a 501 in the platform's error format. The
    /// default has no native API: 501 to everything.
    fn handle_request(&self, at: Millis, request: &HttpRequest) -> NativeOutcome {
        let _ = at;
        NativeOutcome::Respond(HttpResponse::json(
            501,
            &serde_json::json!({
                "error": format!(
                    "{} has no native API yet: {} {} is not simulated",
                    Self::describe().name,
                    request.method,
                    request.path
                )
            }),
        ))
    }

    /// Shape the answer to a native request that acted, from `context` (as
    /// [`Platform::handle_request`] gave it) and the action's outcome.
    fn finish_request(
        &self,
        at: Millis,
        context: &str,
        outcome: Result<&[Event], &ActionError>,
    ) -> HttpResponse {
        let _ = (at, context);
        match outcome {
            Ok(_) => HttpResponse::json(200, &serde_json::json!({})),
            Err(e) => HttpResponse::json(400, &serde_json::json!({ "error": e.to_string() })),
        }
    }

    /// Check a webhook subscription to `format` (one of the platform's
    /// `webhook_formats`) with `params` (a JSON object): the handshake the
    /// platform makes with the receiver, `None` when it makes none, or why
    /// the parameters are refused, naming the parameter. The default sends
    /// no webhooks.
    fn webhook_subscribe(
        &self,
        format: &str,
        params: &serde_json::Value,
    ) -> Result<Option<Verification>, String> {
        let _ = params;
        Err(format!(
            "{} sends no webhooks in the format `{format}`",
            Self::describe().name
        ))
    }

    /// The request the platform sends a subscriber to `format` (with the
    /// subscription's `params`) for `event`, or `None` when it sends nothing
    /// for that event in that format; the host signs it (see
    /// [`SignatureScheme`](crate::SignatureScheme)). It must depend only on
    /// its arguments and on what never changes in the account (its ids):
    /// the host shapes an event again after a restart. The default sends
    /// nothing.
    fn shape_webhook(
        &self,
        format: &str,
        params: &serde_json::Value,
        event: &Event,
    ) -> Option<WebhookDelivery> {
        let _ = (format, params, event);
        None
    }

    /// Apply a scenario perturbation at `at`. The default understands no signal.
    fn signal(&mut self, at: Millis, name: &str, params: &serde_json::Value) -> Result<(), String> {
        let _ = (at, params);
        Err(format!(
            "{} does not understand the signal `{name}`",
            Self::describe().name
        ))
    }

    /// The creator acts at `at`. The default supports no action. A refusal
    /// (an `Err`) must leave the state as it was: the host does not record
    /// refused actions, so a live profile replayed after a crash never
    /// sees them again.
    fn act(&mut self, at: Millis, action: &Action) -> Result<Vec<Event>, ActionError> {
        let _ = at;
        Err(ActionError::Invalid(format!(
            "{} does not support the action `{}`",
            Self::describe().name,
            action.kind
        )))
    }
}

/// Encode a platform's state for a snapshot.
pub fn snapshot<P: Platform>(state: &P) -> Vec<u8> {
    // Serialising plain serde state to JSON cannot fail for the types
    // platforms use (no maps with non-string keys are allowed by JSON; a
    // platform that uses one gets an empty snapshot and `restore` reports it).
    //
    // The snapshot is written into a buffer of its exact size, measured by
    // a first pass: a growing buffer would hold up to twice the snapshot,
    // and three times while it is reallocated, next to the state itself, in
    // a plugin's bounded memory.
    let mut size = ByteCount(0);
    if serde_json::to_writer(&mut size, state).is_err() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(size.0);
    match serde_json::to_writer(&mut out, state) {
        Ok(()) => out,
        Err(_) => Vec::new(),
    }
}

/// A writer that only counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decode a platform's state from a snapshot.
pub fn restore<P: Platform>(bytes: &[u8]) -> Result<P, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("snapshot does not decode: {e}"))
}

/// Parse an `act` or `signal` parameter string as a JSON object.
pub fn parse_params(params: &str) -> Result<serde_json::Value, String> {
    if params.trim().is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    let value: serde_json::Value =
        serde_json::from_str(params).map_err(|e| format!("parameters are not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("parameters must be a JSON object".to_string());
    }
    Ok(value)
}
