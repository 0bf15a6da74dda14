//! What can go wrong with a plugin, said so a user can act on it.

use std::fmt;
use std::time::Duration;

pub use super::budget::Budget;

/// What kind of failure a [`PluginError`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A call did not return within the call timeout; the instance was stopped.
    Timeout {
        /// The timeout that was exceeded.
        limit: Duration,
    },
    /// The instance tried to grow its memory beyond the limit.
    OutOfMemory {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A call's results were larger than the host reads from one call (see
    /// [`HostOptions::result_limit`](super::HostOptions::result_limit)); the
    /// instance was stopped.
    ResultTooLarge {
        /// The budget, in bytes of host memory.
        limit: usize,
    },
    /// A call's results, once read, went over the budget of what one call
    /// may return (see the `budget` module: events, bytes of strings, a
    /// response's body and headers, `describe`'s lists and strings); the
    /// instance was stopped.
    OverBudget {
        /// Which budget, and through it the limit.
        budget: Budget,
        /// The figure found (events, bytes, headers or items).
        found: u64,
    },
    /// The plugin answered something the contract rules out (a next-due
    /// before the end of the window, an HTTP status outside 100..=599);
    /// the instance was stopped.
    Violation,
    /// What the plugin says about itself through `describe` is unsound (a
    /// limit on no action, a default outside its parameter's range...); the
    /// reason names every problem. The plugin is not loaded.
    Description,
    /// The plugin was built for a contract version without a native API.
    /// The instance stays usable.
    NoNativeApi {
        /// The version it was built for, e.g. `0.1.0`.
        version: String,
    },
    /// The plugin was built for a contract version that cannot shape
    /// webhooks (before 0.3.0). The instance stays usable.
    NoWebhookShaping {
        /// The version it was built for, e.g. `0.2.0`.
        version: String,
    },
    /// The instance trapped (a panic, an `unreachable`, a stack overflow...).
    Trap,
    /// The plugin answered with an error of its own (unknown signal, bad
    /// parameters...). The instance stays usable.
    Rejected,
    /// The file could not be read or is not a usable component.
    Load,
    /// The component was built for an interface version this host does not
    /// support.
    Version {
        /// The version the component was built for, if it names one.
        found: Option<String>,
    },
    /// No plugin of that name is loaded.
    UnknownPlatform {
        /// The names of the loaded plugins, sorted.
        available: Vec<String>,
    },
    /// The host itself failed (engine setup, instantiation).
    Host,
}

/// A plugin failure: which plugin, in which call, what happened.
///
/// Once a call fails with [`Timeout`](ErrorKind::Timeout),
/// [`OutOfMemory`](ErrorKind::OutOfMemory) or [`Trap`](ErrorKind::Trap), the
/// instance is poisoned: every later call returns the same error without
/// calling into the plugin again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct PluginError {
    /// The plugin's name, or for failures before the plugin could name itself,
    /// the file it came from.
    pub plugin: String,
    /// The call that failed: `describe`, `init`, `step`, `signal`, `act`,
    /// `snapshot`, `restore`, `handle-request`, `finish-request`, or
    /// `load` / `instantiate`.
    pub call: &'static str,
    pub kind: ErrorKind,
    /// The details: the trap, the guest's last words, the plugin's message.
    pub reason: String,
}

impl PluginError {
    pub(crate) fn new(
        plugin: impl Into<String>,
        call: &'static str,
        kind: ErrorKind,
        reason: impl Into<String>,
    ) -> Self {
        PluginError {
            plugin: plugin.into(),
            call,
            kind,
            reason: reason.into(),
        }
    }

    /// A loading failure of the file or plugin `what`.
    pub(crate) fn load(what: impl Into<String>, reason: impl Into<String>) -> Self {
        PluginError::new(what, "load", ErrorKind::Load, reason)
    }

    pub(crate) fn host(
        plugin: impl Into<String>,
        call: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        PluginError::new(plugin, call, ErrorKind::Host, reason)
    }

    /// Whether this failure poisons the instance it happened in.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Timeout { .. }
                | ErrorKind::OutOfMemory { .. }
                | ErrorKind::ResultTooLarge { .. }
                | ErrorKind::OverBudget { .. }
                | ErrorKind::Violation
                | ErrorKind::Trap
        )
    }

    fn describe(&self) -> String {
        let (plugin, call, reason) = (&self.plugin, self.call, &self.reason);
        match &self.kind {
            ErrorKind::Timeout { limit } => format!(
                "plugin `{plugin}` failed in `{call}`: timed out (no answer within {}; the instance was stopped)",
                HumanDuration(*limit)
            ),
            ErrorKind::OutOfMemory { limit } => format!(
                "plugin `{plugin}` failed in `{call}`: out of memory (limit {})",
                Bytes(*limit)
            ),
            ErrorKind::ResultTooLarge { limit } => format!(
                "plugin `{plugin}` failed in `{call}`: its results exceed the {} a call may hand the host (the instance was stopped)",
                Bytes(*limit)
            ),
            ErrorKind::OverBudget { budget, found } => format!(
                "plugin `{plugin}` failed in `{call}`: over budget: {} (the instance was stopped)",
                budget.describe(*found)
            ),
            ErrorKind::Violation => format!(
                "plugin `{plugin}` broke the contract in `{call}`: {reason} (the instance was stopped)"
            ),
            ErrorKind::Description => {
                format!("plugin `{plugin}` describes itself wrongly: {reason}")
            }
            ErrorKind::NoNativeApi { version } => format!(
                "plugin `{plugin}` has no native API: it was built for diorama:platform@{version}, \
                 which has none (the native API came with 0.2.0)"
            ),
            ErrorKind::NoWebhookShaping { version } => format!(
                "plugin `{plugin}` cannot shape webhooks: it was built for diorama:platform@{version} \
                 (webhook shaping came with 0.3.0)"
            ),
            ErrorKind::Trap => format!("plugin `{plugin}` failed in `{call}`: trapped: {reason}"),
            ErrorKind::Rejected => format!("plugin `{plugin}` rejected `{call}`: {reason}"),
            ErrorKind::Load => format!("{plugin}: {reason}"),
            ErrorKind::Version { found: Some(found) } => format!(
                "plugin {plugin} was built for diorama:platform@{found}; this diorama supports {}",
                super::SUPPORTED_VERSIONS.join(", ")
            ),
            ErrorKind::Version { found: None } => format!(
                "plugin {plugin} is not a diorama platform: {reason}"
            ),
            ErrorKind::UnknownPlatform { available } => {
                if available.is_empty() {
                    format!("unknown platform `{plugin}` (no plugins are loaded)")
                } else {
                    format!(
                        "unknown platform `{plugin}` (available: {})",
                        available.join(", ")
                    )
                }
            }
            ErrorKind::Host => format!("plugin `{plugin}` failed in `{call}`: {reason}"),
        }
    }
}

/// A duration as a person writes it: `1s`, `1.5s`, `250ms`.
struct HumanDuration(Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms >= 1000 && ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else if ms >= 1000 {
            write!(f, "{}s", self.0.as_secs_f64())
        } else {
            write!(f, "{ms}ms")
        }
    }
}

/// A size as a person writes it: `64 MiB`, `512 KiB`, `1000 bytes`.
struct Bytes(usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: usize = 1024;
        const MIB: usize = 1024 * KIB;
        const GIB: usize = 1024 * MIB;
        let n = self.0;
        if n >= GIB && n.is_multiple_of(GIB) {
            write!(f, "{} GiB", n / GIB)
        } else if n >= MIB && n.is_multiple_of(MIB) {
            write!(f, "{} MiB", n / MIB)
        } else if n >= MIB {
            write!(f, "{:.1} MiB", n as f64 / MIB as f64)
        } else if n >= KIB && n.is_multiple_of(KIB) {
            write!(f, "{} KiB", n / KIB)
        } else {
            write!(f, "{n} bytes")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_plugin_call_and_reason() {
        let e = PluginError::new(
            "hostile",
            "step",
            ErrorKind::Timeout {
                limit: Duration::from_secs(1),
            },
            "",
        );
        assert_eq!(
            e.to_string(),
            "plugin `hostile` failed in `step`: timed out (no answer within 1s; the instance was stopped)"
        );
        let e = PluginError::new(
            "hostile",
            "step",
            ErrorKind::OutOfMemory { limit: 64 << 20 },
            "",
        );
        assert_eq!(
            e.to_string(),
            "plugin `hostile` failed in `step`: out of memory (limit 64 MiB)"
        );
        let e = PluginError::new(
            "hostile",
            "step",
            ErrorKind::ResultTooLarge { limit: 64 << 20 },
            "",
        );
        assert!(e.is_fatal());
        assert_eq!(
            e.to_string(),
            "plugin `hostile` failed in `step`: its results exceed the 64 MiB a call may hand the host (the instance was stopped)"
        );
        let e = PluginError::new("hostile", "step", ErrorKind::Trap, "boom");
        assert_eq!(
            e.to_string(),
            "plugin `hostile` failed in `step`: trapped: boom"
        );
        let e = PluginError::new(
            "foo",
            "instantiate",
            ErrorKind::UnknownPlatform {
                available: vec!["youtube".into()],
            },
            "",
        );
        assert_eq!(e.to_string(), "unknown platform `foo` (available: youtube)");
        let e = PluginError::new(
            "y.wasm",
            "load",
            ErrorKind::Version {
                found: Some("0.4.0".into()),
            },
            "",
        );
        assert_eq!(
            e.to_string(),
            "plugin y.wasm was built for diorama:platform@0.4.0; this diorama supports 0.1.0, 0.2.0, 0.3.0"
        );
        let e = PluginError::new(
            "hostile",
            "step",
            ErrorKind::OverBudget {
                budget: Budget::Events,
                found: 100_001,
            },
            "",
        );
        assert!(e.is_fatal());
        assert_eq!(
            e.to_string(),
            "plugin `hostile` failed in `step`: over budget: it returned 100,001 events; a call may return at most 100,000 (the instance was stopped)"
        );
        let e = PluginError::new(
            "legacy",
            "handle-request",
            ErrorKind::NoNativeApi {
                version: "0.1.0".into(),
            },
            "",
        );
        assert!(!e.is_fatal());
        assert_eq!(
            e.to_string(),
            "plugin `legacy` has no native API: it was built for diorama:platform@0.1.0, which has none (the native API came with 0.2.0)"
        );
    }

    #[test]
    fn human_sizes_and_durations() {
        assert_eq!(Bytes(512 * 1024).to_string(), "512 KiB");
        assert_eq!(Bytes(1000).to_string(), "1000 bytes");
        assert_eq!(
            HumanDuration(Duration::from_millis(250)).to_string(),
            "250ms"
        );
        assert_eq!(
            HumanDuration(Duration::from_millis(1500)).to_string(),
            "1.5s"
        );
        assert_eq!(HumanDuration(Duration::from_secs(2)).to_string(), "2s");
    }
}
