//! What the host reads from one call into a plugin: the budget every
//! result is checked against, in one place. The WIT states the same
//! figures (`sdk/wit/0.2.0/platform.wit`, the package comment); a change
//! here is a change of the contract's documentation too.
//!
//! Two bounds apply to every call. Wasmtime's hostcall fuel
//! ([`HostOptions::result_limit`](super::HostOptions::result_limit)) caps
//! what the host allocates while it copies a result out of the guest, so a
//! result that claims gigabytes (strings aliasing one buffer) is refused
//! before it is read; the default is room enough for any result within the
//! budget below. Once read, the result is measured against this budget,
//! and a plugin over it fails with [`ErrorKind::OverBudget`] naming the
//! call, the figure and the limit.
//!
//! [`ErrorKind::OverBudget`]: super::ErrorKind::OverBudget

use std::fmt;

use diorama_sdk::{
    Event, HttpResponse, NativeAct, Payload, PlatformInfo, Verification, WebhookDelivery,
};

/// The most events one call (`step`, `act`) may return.
pub const MAX_EVENTS: usize = 100_000;
/// The most bytes of strings one call's results may hold (every string of
/// every event, or of a rejection, an action or a response's headers).
pub const MAX_STRING_BYTES: usize = 16 << 20;
/// The largest body of a native API response.
pub const MAX_RESPONSE_BODY: usize = 8 << 20;
/// The most headers of a native API response.
pub const MAX_RESPONSE_HEADERS: usize = 64;
/// The most items of each list in `describe` (kinds, metrics, signals,
/// actions, limits, parameters, a parameter's choices, API hosts, webhook
/// formats).
pub const MAX_DESCRIBE_ITEMS: usize = 256;
/// The longest string in `describe`, in bytes (names, descriptions,
/// defaults...).
pub const MAX_DESCRIBE_STRING: usize = 4096;
/// The most body bytes a shaped webhook delivery carries: a platform's
/// notification is one event, far below this.
pub const MAX_DELIVERY_BODY: usize = 1 << 20;
/// The most headers a shaped webhook delivery carries.
pub const MAX_DELIVERY_HEADERS: usize = 16;

/// Which budget a result went over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Budget {
    /// [`MAX_EVENTS`].
    Events,
    /// [`MAX_STRING_BYTES`].
    StringBytes,
    /// [`MAX_RESPONSE_BODY`].
    ResponseBody,
    /// [`MAX_RESPONSE_HEADERS`].
    ResponseHeaders,
    /// [`MAX_DELIVERY_BODY`].
    DeliveryBody,
    /// [`MAX_DELIVERY_HEADERS`].
    DeliveryHeaders,
    /// [`MAX_DESCRIBE_ITEMS`], for the list `field` (e.g. `signals`).
    DescribeItems { field: String },
    /// [`MAX_DESCRIBE_STRING`], for the string `field` (e.g.
    /// `signals[2].description`).
    DescribeString { field: String },
}

impl Budget {
    /// The limit, in events, bytes, headers or items.
    pub fn limit(&self) -> usize {
        match self {
            Budget::Events => MAX_EVENTS,
            Budget::StringBytes => MAX_STRING_BYTES,
            Budget::ResponseBody => MAX_RESPONSE_BODY,
            Budget::ResponseHeaders => MAX_RESPONSE_HEADERS,
            Budget::DeliveryBody => MAX_DELIVERY_BODY,
            Budget::DeliveryHeaders => MAX_DELIVERY_HEADERS,
            Budget::DescribeItems { .. } => MAX_DESCRIBE_ITEMS,
            Budget::DescribeString { .. } => MAX_DESCRIBE_STRING,
        }
    }

    /// What went over, said with the figure found.
    pub(crate) fn describe(&self, found: u64) -> String {
        let limit = self.limit() as u64;
        match self {
            Budget::Events => format!(
                "it returned {} events; a call may return at most {}",
                Grouped(found),
                Grouped(limit)
            ),
            Budget::StringBytes => format!(
                "its results hold {} bytes of strings; a call may return at most {} ({} MiB)",
                Grouped(found),
                Grouped(limit),
                limit >> 20
            ),
            Budget::ResponseBody => format!(
                "its response body is {} bytes; a response may carry at most {} ({} MiB)",
                Grouped(found),
                Grouped(limit),
                limit >> 20
            ),
            Budget::ResponseHeaders => format!(
                "its response has {} headers; a response may carry at most {}",
                Grouped(found),
                Grouped(limit)
            ),
            Budget::DeliveryBody => format!(
                "its webhook body is {} bytes; a delivery may carry at most {} ({} MiB)",
                Grouped(found),
                Grouped(limit),
                limit >> 20
            ),
            Budget::DeliveryHeaders => format!(
                "its webhook delivery has {} headers; a delivery may carry at most {}",
                Grouped(found),
                Grouped(limit)
            ),
            Budget::DescribeItems { field } => format!(
                "its `{field}` lists {} items; `describe` may list at most {}",
                Grouped(found),
                Grouped(limit)
            ),
            Budget::DescribeString { field } => format!(
                "its `{field}` is {} bytes long; a string in `describe` may be at most {}",
                Grouped(found),
                Grouped(limit)
            ),
        }
    }
}

/// A budget gone over: which, and the figure found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Exceeded {
    pub budget: Budget,
    pub found: u64,
}

fn over(budget: Budget, found: usize) -> Exceeded {
    Exceeded {
        budget,
        found: found as u64,
    }
}

/// Counts the bytes of strings of one call's results.
#[derive(Default)]
pub(crate) struct Strings(usize);

impl Strings {
    pub fn add(&mut self, s: &str) -> Result<(), Exceeded> {
        self.0 = self.0.saturating_add(s.len());
        if self.0 > MAX_STRING_BYTES {
            Err(over(Budget::StringBytes, self.0))
        } else {
            Ok(())
        }
    }

    fn add_opt(&mut self, s: &Option<String>) -> Result<(), Exceeded> {
        match s {
            Some(s) => self.add(s),
            None => Ok(()),
        }
    }

    fn add_event(&mut self, event: &Event) -> Result<(), Exceeded> {
        match &event.payload {
            Payload::Content(c) => {
                for s in [&c.id, &c.kind, &c.title, &c.text, &c.url] {
                    self.add(s)?;
                }
            }
            Payload::Interaction(i) => {
                for s in [&i.id, &i.kind, &i.text] {
                    self.add(s)?;
                }
                for s in [&i.content_id, &i.parent_id, &i.sentiment, &i.dm_type] {
                    self.add_opt(s)?;
                }
                let a = &i.author;
                for s in [&a.id, &a.handle, &a.display_name, &a.avatar_url] {
                    self.add(s)?;
                }
            }
            Payload::Metric(m) => {
                self.add_opt(&m.content_id)?;
                self.add(&m.name)?;
            }
            Payload::Notice(n) => {
                self.add(&n.code)?;
                self.add(&n.message)?;
            }
        }
        Ok(())
    }
}

/// The events of one call (`step`, `act`).
pub(crate) fn check_events(events: &[Event]) -> Result<(), Exceeded> {
    if events.len() > MAX_EVENTS {
        return Err(over(Budget::Events, events.len()));
    }
    let mut strings = Strings::default();
    events.iter().try_for_each(|e| strings.add_event(e))
}

/// A single string result (a rejection's reason).
pub(crate) fn check_text(text: &str) -> Result<(), Exceeded> {
    Strings::default().add(text)
}

/// A native API response.
pub(crate) fn check_response(response: &HttpResponse) -> Result<(), Exceeded> {
    if response.headers.len() > MAX_RESPONSE_HEADERS {
        return Err(over(Budget::ResponseHeaders, response.headers.len()));
    }
    if response.body.len() > MAX_RESPONSE_BODY {
        return Err(over(Budget::ResponseBody, response.body.len()));
    }
    let mut strings = Strings::default();
    for (name, value) in &response.headers {
        strings.add(name)?;
        strings.add(value)?;
    }
    Ok(())
}

/// A shaped webhook delivery.
pub(crate) fn check_delivery(d: &WebhookDelivery) -> Result<(), Exceeded> {
    if d.headers.len() > MAX_DELIVERY_HEADERS {
        return Err(over(Budget::DeliveryHeaders, d.headers.len()));
    }
    if d.body.len() > MAX_DELIVERY_BODY {
        return Err(over(Budget::DeliveryBody, d.body.len()));
    }
    let mut strings = Strings::default();
    strings.add(&d.content_type)?;
    for (name, value) in &d.headers {
        strings.add(name)?;
        strings.add(value)?;
    }
    Ok(())
}

/// A webhook subscription's handshake: as many query parameters as a
/// delivery has headers.
pub(crate) fn check_verification(v: &Verification) -> Result<(), Exceeded> {
    if v.query.len() > MAX_DELIVERY_HEADERS {
        return Err(over(Budget::DeliveryHeaders, v.query.len()));
    }
    let mut strings = Strings::default();
    strings.add(&v.challenge_param)?;
    for (name, value) in &v.query {
        strings.add(name)?;
        strings.add(value)?;
    }
    Ok(())
}

/// A native request's action and context.
pub(crate) fn check_native_act(act: &NativeAct) -> Result<(), Exceeded> {
    let mut strings = Strings::default();
    strings.add(&act.action.kind)?;
    strings.add(&act.action.params)?;
    strings.add(&act.context)
}

/// What `describe` returned: every list and every string within its cap.
pub(crate) fn check_description(info: &PlatformInfo) -> Result<(), Exceeded> {
    let list = |field: &str, len: usize| {
        if len > MAX_DESCRIBE_ITEMS {
            Err(over(
                Budget::DescribeItems {
                    field: field.to_string(),
                },
                len,
            ))
        } else {
            Ok(())
        }
    };
    let string = |field: &dyn Fn() -> String, s: &str| {
        if s.len() > MAX_DESCRIBE_STRING {
            Err(over(Budget::DescribeString { field: field() }, s.len()))
        } else {
            Ok(())
        }
    };
    let strings = |name: &str, items: &[String]| -> Result<(), Exceeded> {
        list(name, items.len())?;
        for (i, s) in items.iter().enumerate() {
            string(&|| format!("{name}[{i}]"), s)?;
        }
        Ok(())
    };
    string(&|| "name".into(), &info.name)?;
    string(&|| "version".into(), &info.version)?;
    strings("content_kinds", &info.content_kinds)?;
    strings("interaction_kinds", &info.interaction_kinds)?;
    strings("metrics", &info.metrics)?;
    let roles = &info.metric_roles;
    for (role, name) in [
        ("views", &roles.views),
        ("likes", &roles.likes),
        ("comments", &roles.comments),
    ] {
        if let Some(name) = name {
            string(&|| format!("metric_roles.{role}"), name)?;
        }
    }
    list("signals", info.signals.len())?;
    for (i, s) in info.signals.iter().enumerate() {
        string(&|| format!("signals[{i}].name"), &s.name)?;
        string(&|| format!("signals[{i}].description"), &s.description)?;
    }
    strings("actions", &info.actions)?;
    list("limits", info.limits.len())?;
    for (i, l) in info.limits.iter().enumerate() {
        string(&|| format!("limits[{i}].action"), &l.action)?;
    }
    list("params", info.params.len())?;
    for (i, p) in info.params.iter().enumerate() {
        string(&|| format!("params[{i}].name"), &p.name)?;
        string(&|| format!("params[{i}].default"), &p.default)?;
        string(&|| format!("params[{i}].description"), &p.description)?;
        strings(&format!("params[{i}].choices"), &p.choices)?;
    }
    strings("api_hosts", &info.api_hosts)?;
    list("webhook_formats", info.webhook_formats.len())?;
    for (i, w) in info.webhook_formats.iter().enumerate() {
        string(&|| format!("webhook_formats[{i}].name"), &w.name)?;
        string(
            &|| format!("webhook_formats[{i}].content_type"),
            &w.content_type,
        )?;
        string(
            &|| format!("webhook_formats[{i}].description"),
            &w.description,
        )?;
        if let Some(sig) = &w.signature {
            string(
                &|| format!("webhook_formats[{i}].signature.header"),
                &sig.header,
            )?;
            string(
                &|| format!("webhook_formats[{i}].signature.value"),
                &sig.value,
            )?;
        }
    }
    Ok(())
}

/// A whole number with thousands separated: `100,001`.
struct Grouped(u64);

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diorama_sdk::{Notice, DAY};

    fn notice(message: String) -> Event {
        Event {
            at: DAY,
            payload: Payload::Notice(Notice {
                code: "n".into(),
                message,
            }),
        }
    }

    #[test]
    fn the_default_copy_bound_admits_any_result_within_the_budget() {
        // Wasmtime's hostcall fuel charges a list its length times the host
        // size of its elements, and a string its bytes: the most a result
        // within the budget can cost is this, and the default bound must
        // not refuse it before it is measured.
        use crate::plugin::bindings::{v0_1_0, v0_2_0};
        let widest = std::mem::size_of::<v0_2_0::wit::Event>()
            .max(std::mem::size_of::<v0_1_0::wit::Event>());
        let most = MAX_EVENTS * widest + MAX_STRING_BYTES;
        let bound = crate::plugin::HostOptions::default().result_limit;
        assert!(most < bound, "{most} >= {bound}");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(Grouped(0).to_string(), "0");
        assert_eq!(Grouped(999).to_string(), "999");
        assert_eq!(Grouped(1000).to_string(), "1,000");
        assert_eq!(Grouped(100_001).to_string(), "100,001");
        assert_eq!(Grouped(16_777_217).to_string(), "16,777,217");
    }

    #[test]
    fn events_are_counted_and_their_strings_summed() {
        let events = vec![notice(String::new()); MAX_EVENTS];
        assert_eq!(check_events(&events), Ok(()));
        let events = vec![notice(String::new()); MAX_EVENTS + 1];
        let e = check_events(&events).unwrap_err();
        assert_eq!((e.budget.clone(), e.found), (Budget::Events, 100_001));
        assert_eq!(
            e.budget.describe(e.found),
            "it returned 100,001 events; a call may return at most 100,000"
        );

        // The code counts too: 16 MiB of message plus one byte of code.
        let exact = vec![notice("x".repeat(MAX_STRING_BYTES - 1))];
        assert_eq!(check_events(&exact), Ok(()));
        let e = check_events(&[notice("x".repeat(MAX_STRING_BYTES))]).unwrap_err();
        assert_eq!(
            (e.budget.clone(), e.found),
            (Budget::StringBytes, MAX_STRING_BYTES as u64 + 1)
        );
    }

    #[test]
    fn responses_are_capped() {
        let mut r = HttpResponse {
            status: 200,
            headers: vec![("a".into(), "b".into()); MAX_RESPONSE_HEADERS],
            body: vec![0; MAX_RESPONSE_BODY],
        };
        assert_eq!(check_response(&r), Ok(()));
        r.headers.push(("c".into(), "d".into()));
        assert_eq!(
            check_response(&r).unwrap_err().budget,
            Budget::ResponseHeaders
        );
        r.headers.clear();
        r.body.push(0);
        let e = check_response(&r).unwrap_err();
        assert_eq!(
            e.budget.describe(e.found),
            "its response body is 8,388,609 bytes; a response may carry at most 8,388,608 (8 MiB)"
        );
    }
}
