//! `diorama:platform@0.1.0`, frozen in `sdk/wit/0.1.0`, and its conversions
//! to the latest types.
//!
//! What 0.1 lacks is filled in here, and only here:
//!
//! - the parameters: read off the `defaults` object with
//!   [`ParamInfo::from_defaults`](diorama_sdk::ParamInfo::from_defaults)
//!   (kind from each default's JSON type, no range, no shared word);
//! - the metric roles: the metrics named `views`, `likes` and `comments`;
//! - no automatic share (a 0.1 plugin joins only profiles that name it),
//!   no API hosts, no webhook formats;
//! - every signal is taken to apply to content (the host adds `content_id`
//!   when a script sends it on content, as it always did for 0.1);
//! - `step`'s next-due is the end of the window (stepped as often as the
//!   host steps);
//! - no native API: the instance refuses `handle_request` and
//!   `finish_request` with
//!   [`ErrorKind::NoNativeApi`](crate::plugin::ErrorKind::NoNativeApi).

/// The version, as components name it in their export.
pub(crate) const VERSION: &str = "0.1.0";

wasmtime::component::bindgen!({
    path: "../sdk/wit/0.1.0",
    world: "platform",
});

pub(crate) use self::diorama::platform::types as wit;

use diorama_sdk as sdk;

impl From<wit::Level> for sdk::Level {
    fn from(l: wit::Level) -> Self {
        match l {
            wit::Level::Trace => sdk::Level::Trace,
            wit::Level::Debug => sdk::Level::Debug,
            wit::Level::Info => sdk::Level::Info,
            wit::Level::Warn => sdk::Level::Warn,
            wit::Level::Error => sdk::Level::Error,
        }
    }
}

/// What a 0.1 plugin says about itself, in the latest terms. Fails when
/// its `defaults` is not a JSON object (the reason names it).
pub(crate) fn platform_info(p: wit::PlatformInfo) -> Result<sdk::PlatformInfo, String> {
    let params = sdk::ParamInfo::from_defaults(&p.defaults)?;
    let metric_roles = sdk::MetricRoles {
        views: p.metrics.iter().find(|m| *m == "views").cloned(),
        likes: p.metrics.iter().find(|m| *m == "likes").cloned(),
        comments: p.metrics.iter().find(|m| *m == "comments").cloned(),
    };
    Ok(sdk::PlatformInfo {
        name: p.name,
        version: p.version,
        content_kinds: p.content_kinds,
        interaction_kinds: p.interaction_kinds,
        metrics: p.metrics,
        signals: p
            .signals
            .into_iter()
            .map(|s| sdk::SignalInfo {
                name: s.name,
                description: s.description,
                on_content: true,
            })
            .collect(),
        actions: p.actions,
        limits: p
            .limits
            .into_iter()
            .map(|l| sdk::LimitInfo {
                action: l.action,
                max: l.max,
                per: l.per,
            })
            .collect(),
        params,
        metric_roles,
        automatic_share: None,
        api_hosts: Vec::new(),
        webhook_formats: Vec::new(),
    })
}

super::conversions_since_0_1!();
