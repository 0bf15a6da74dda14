//! An error the host injects (a fault, for testing a tool's retries),
//! answered as Google does: the host asks with the `x-diorama-fault`
//! header naming the status (`500`, `502`, `503`, `429`, or `504` for a
//! timeout), and this is Google's error object for it.

use diorama_sdk::{HttpRequest, HttpResponse};
use serde_json::json;

/// The header the host sets to have an error shaped.
pub const FAULT_HEADER: &str = "x-diorama-fault";

/// Google's answer for the injected status, or none when the host asks
/// for none (or for a status this does not shape).
pub fn injected(request: &HttpRequest) -> Option<HttpResponse> {
    let status: u16 = request
        .headers
        .iter()
        .find(|(k, _)| k == FAULT_HEADER)
        .and_then(|(_, v)| v.parse().ok())?;
    let (message, reason, state) = match status {
        500 => ("Internal error encountered.", "backendError", "INTERNAL"),
        502 => ("Bad gateway.", "backendError", "UNAVAILABLE"),
        503 => (
            "The service is currently unavailable.",
            "backendError",
            "UNAVAILABLE",
        ),
        504 => (
            "The request timed out. Please try again.",
            "deadlineExceeded",
            "DEADLINE_EXCEEDED",
        ),
        429 => (
            "Resource has been exhausted (e.g. check quota).",
            "rateLimitExceeded",
            "RESOURCE_EXHAUSTED",
        ),
        _ => return None,
    };
    let body = json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{
                "message": message,
                "domain": "global",
                "reason": reason,
            }],
            "status": state,
        }
    });
    Some(HttpResponse::json(status, &body))
}
