//! `diorama:platform@0.2.0`, frozen in `sdk/wit/0.2.0`, and its conversions
//! to the latest types.
//!
//! What 0.2 lacks is filled in here, and only here: its webhook formats
//! have no signature scheme (they are described, and a subscription to one
//! is refused), and it cannot shape a webhook (the instance refuses
//! `webhook_subscribe` and `shape_webhook` with
//! [`ErrorKind::NoWebhookShaping`](crate::plugin::ErrorKind::NoWebhookShaping)).

/// The version, as components name it in their export.
pub(crate) const VERSION: &str = "0.2.0";

wasmtime::component::bindgen!({
    path: "../sdk/wit/0.2.0",
    world: "platform",
});

pub(crate) use self::diorama::platform::types as wit;

use diorama_sdk as sdk;

use super::super::sandbox::StoreData;
use super::v0_1_0;

super::conversions_since_0_2!(webhook_signature: |w| None);
