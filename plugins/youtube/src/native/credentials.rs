//! A request without a valid access token, answered as Google does: the
//! host asks with the `x-diorama-credentials` header (`missing` or
//! `invalid`) on an account made for the purpose, and this is the answer,
//! a 401 with Google's error object and `WWW-Authenticate`.

use diorama_sdk::{HttpRequest, HttpResponse};
use serde_json::json;

/// The header the host sets on a request without a valid access token.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// Google's answer when the request carries no valid credentials, or none
/// when the host says nothing about them.
pub fn refusal(request: &HttpRequest) -> Option<HttpResponse> {
    let why = request
        .headers
        .iter()
        .find(|(k, _)| k == CREDENTIALS_HEADER)
        .map(|(_, v)| v.as_str())?;
    let (message, item_message, reason, challenge) = if why == "missing" {
        (
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "Login Required.",
            "required",
            "Bearer realm=\"https://accounts.google.com/\"",
        )
    } else {
        (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "Invalid Credentials",
            "authError",
            "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
        )
    };
    let body = json!({
        "error": {
            "code": 401,
            "message": message,
            "errors": [{
                "message": item_message,
                "domain": "global",
                "reason": reason,
                "location": "Authorization",
                "locationType": "header",
            }],
            "status": "UNAUTHENTICATED",
        }
    });
    let mut r = HttpResponse::json(401, &body);
    r.headers
        .push(("www-authenticate".into(), challenge.into()));
    Some(r)
}
