//! `diorama:platform@0.3.0`, frozen in `sdk/wit/0.3.0`: the latest version.
//! Its types are the SDK's field for field; the conversions below are the
//! only place they are written on the host's side.

/// The version, as components name it in their export.
pub(crate) const VERSION: &str = "0.3.0";

wasmtime::component::bindgen!({
    path: "../sdk/wit/0.3.0",
    world: "platform",
});

pub(crate) use self::diorama::platform::types as wit;

use diorama_sdk as sdk;

use super::super::sandbox::StoreData;
use super::v0_1_0;

super::conversions_since_0_2!(webhook_signature: |w| w.signature.map(Into::into));

impl From<wit::SignatureScheme> for sdk::SignatureScheme {
    fn from(s: wit::SignatureScheme) -> Self {
        sdk::SignatureScheme {
            header: s.header,
            algorithm: match s.algorithm {
                wit::HmacAlgorithm::Sha1 => sdk::HmacAlgorithm::Sha1,
                wit::HmacAlgorithm::Sha256 => sdk::HmacAlgorithm::Sha256,
            },
            content: match s.content {
                wit::SignedContent::Body => sdk::SignedContent::Body,
                wit::SignedContent::TimestampDotBody => sdk::SignedContent::TimestampDotBody,
            },
            value: s.value,
        }
    }
}

impl From<wit::Verification> for sdk::Verification {
    fn from(v: wit::Verification) -> Self {
        sdk::Verification {
            query: v.query,
            challenge_param: v.challenge_param,
        }
    }
}

impl From<wit::WebhookDelivery> for sdk::WebhookDelivery {
    fn from(d: wit::WebhookDelivery) -> Self {
        sdk::WebhookDelivery {
            content_type: d.content_type,
            headers: d.headers,
            body: d.body,
        }
    }
}
