//! A request without a valid access token, answered as the Graph API does:
//! the host asks with the `x-diorama-credentials` header (`missing` or
//! `invalid`) on an account made for the purpose, and this is the answer,
//! an `OAuthException` (code 2500 without a token, 190 with a bad one) with
//! `WWW-Authenticate`.

use diorama_sdk::{HttpRequest, HttpResponse};

use super::graph::{GraphError, Usage};

/// The header the host sets on a request without a valid access token.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// Graph's answer when the request carries no valid token, or none when the
/// host says nothing about it.
pub fn refusal(request: &HttpRequest, usage: &Usage) -> Option<HttpResponse> {
    let why = request
        .headers
        .iter()
        .find(|(k, _)| k == CREDENTIALS_HEADER)
        .map(|(_, v)| v.as_str())?;
    let (error, detail) = if why == "missing" {
        (
            GraphError::new(
                400,
                2500,
                "OAuthException",
                "An active access token must be used to query information about the current user.",
            ),
            "invalid_request",
        )
    } else {
        (
            GraphError::new(
                400,
                190,
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            ),
            "invalid_token",
        )
    };
    let mut r = error.respond(request, usage);
    r.headers.push((
        "www-authenticate".into(),
        format!(
            "OAuth \"Facebook Platform\" \"{detail}\" \"{}\"",
            error.message
        ),
    ));
    Some(r)
}
