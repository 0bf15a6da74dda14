//! A new subscription as a client sends it, and its checks.

use serde::Deserialize;

use super::error::HookRefusal;
use super::filter::EventFilter;
use super::format::FormatSpec;

/// Longest url accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 256;
/// Shortest secret accepted, in bytes: a short secret's signatures can be
/// forged by guessing it.
pub const MIN_SECRET_BYTES: usize = 16;

/// A new subscription, as a client sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookSpec {
    pub url: String,
    pub secret: String,
    #[serde(default)]
    pub filter: EventFilter,
    /// A platform's own format; none: diorama's.
    #[serde(default)]
    pub format: Option<FormatSpec>,
}

/// Checks a new subscription's url, secret and filter (not yet where the
/// url points: [`super::target`] does that).
pub(super) fn validate(spec: &HookSpec) -> Result<(), HookRefusal> {
    let url = &spec.url;
    if url.len() > MAX_URL_BYTES {
        return Err(HookRefusal::UrlLength(url.len()));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| HookRefusal::NotAUrl {
        url: url.clone(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HookRefusal::Scheme {
            url: url.clone(),
            scheme: parsed.scheme().to_string(),
        });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(HookRefusal::NoHost(url.clone()));
    }
    if spec.secret.len() < MIN_SECRET_BYTES {
        return Err(HookRefusal::SecretTooShort(spec.secret.len()));
    }
    if spec.secret.len() > MAX_SECRET_BYTES {
        return Err(HookRefusal::SecretTooLong(spec.secret.len()));
    }
    spec.filter.validate()?;
    if let Some(f) = &spec.format {
        f.validate()?;
    }
    Ok(())
}
