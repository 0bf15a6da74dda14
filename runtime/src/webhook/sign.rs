//! Webhook signatures: `diorama-signature: t=<unix seconds>,v1=<hex>`, where
//! the hex is HMAC-SHA256 over `"<t>.<body>"` keyed with the hook's secret.
//!
//! Signing the timestamp with the body lets a receiver reject replays of an
//! old request; [`verify`] is what a receiver (and the tests) run.
//!
//! A hook in a platform's format is signed as its plugin declares
//! ([`sign_as`]): the secret stays in the host, and the timestamp some
//! platforms sign is the attempt's wall clock, which a plugin never reads.

use diorama_sdk::{HmacAlgorithm, SignatureScheme, SignedContent};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The full `diorama-signature` header value for `body` sent at `timestamp`
/// (unix seconds): `t=<timestamp>,v1=<lowercase hex HMAC-SHA256>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// The signature header of a delivery in a platform's format, as its
/// plugin declares it (`scheme`): its name and value for `body` sent at
/// `timestamp` (unix seconds).
pub fn sign_as(
    scheme: &SignatureScheme,
    secret: &[u8],
    timestamp: i64,
    body: &[u8],
) -> (String, String) {
    let t = timestamp.to_string();
    let mut signed = Vec::new();
    let content: &[u8] = match scheme.content {
        SignedContent::Body => body,
        SignedContent::TimestampDotBody => {
            signed.reserve(t.len() + 1 + body.len());
            signed.extend_from_slice(t.as_bytes());
            signed.push(b'.');
            signed.extend_from_slice(body);
            &signed
        }
    };
    let tag = match scheme.algorithm {
        HmacAlgorithm::Sha256 => {
            let mut mac =
                HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
            mac.update(content);
            hex::encode(mac.finalize().into_bytes())
        }
        HmacAlgorithm::Sha1 => {
            let mut mac =
                Hmac::<Sha1>::new_from_slice(secret).expect("HMAC accepts keys of any length");
            mac.update(content);
            hex::encode(mac.finalize().into_bytes())
        }
    };
    let value = scheme.value.replace("{t}", &t).replace("{hex}", &tag);
    (scheme.header.clone(), value)
}

/// Why a `diorama-signature` header does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("malformed signature header: `{0}` is not a name=value pair")]
    NotAPair(String),
    #[error("malformed signature header: timestamp `{0}` is not an integer")]
    BadTimestamp(String),
    #[error("malformed signature header: more than one timestamp (t=)")]
    TwoTimestamps,
    #[error("malformed signature header: no timestamp (t=)")]
    NoTimestamp,
    #[error("malformed signature header: no v1 signature")]
    NoSignature,
    #[error("signature timestamp {timestamp} is {age} s old, beyond the tolerance of {tolerance_s} s (a replayed request?)")]
    TooOld {
        timestamp: i64,
        age: i64,
        tolerance_s: i64,
    },
    #[error("signature timestamp {timestamp} is {ahead} s in the future, beyond the tolerance of {tolerance_s} s (clock skew?)")]
    InTheFuture {
        timestamp: i64,
        ahead: i64,
        tolerance_s: i64,
    },
    #[error("no v1 signature matches the body: the secret is wrong or the body was altered")]
    Mismatch,
}

/// Checks a `diorama-signature` header against `body`: its timestamp must be
/// within `tolerance_s` seconds of `now` (unix seconds) and one of its `v1`
/// signatures must match (compared in constant time). The error says which
/// check failed.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_s: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let part = part.trim();
        let Some((name, value)) = part.split_once('=') else {
            return Err(SignatureError::NotAPair(part.to_string()));
        };
        match name {
            "t" => {
                let t = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::BadTimestamp(value.to_string()))?;
                if timestamp.replace(t).is_some() {
                    return Err(SignatureError::TwoTimestamps);
                }
            }
            "v1" => signatures.push(value),
            // Other schemes are skipped, so a receiver keeps working when a
            // new one is added beside v1.
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return Err(SignatureError::NoTimestamp);
    };
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let age = now.saturating_sub(t);
    if age.unsigned_abs() > tolerance_s.unsigned_abs() {
        return Err(if age > 0 {
            SignatureError::TooOld {
                timestamp: t,
                age,
                tolerance_s,
            }
        } else {
            SignatureError::InTheFuture {
                timestamp: t,
                ahead: -age,
                tolerance_s,
            }
        });
    }
    let expected = mac(secret, t, body);
    for sig in signatures {
        let Ok(bytes) = hex::decode(sig) else {
            continue;
        };
        if expected.clone().verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}
