//! Who is calling: the admin (the server's token) or one profile (its own
//! token). A profile token sees its own profile only; any other profile,
//! existing or not, is a 404 with the same message, so nothing leaks.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};

use super::error::ApiError;
use super::AppState;
use crate::live::{same_secret, LiveProfile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Profile(u64),
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m);
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("missing `Authorization: Bearer <token>`"))?;
    let text = value
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not valid text"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(unauthorized(
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

/// As an extractor, placed before a body: a request without a valid token
/// is answered 401 before its body is read or judged.
impl FromRequestParts<super::Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::Shared,
    ) -> Result<Self, Self::Rejection> {
        caller(state, &parts.headers)
    }
}

/// Identify the caller, or 401.
pub fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers)?;
    if same_secret(token, &state.admin_token) {
        return Ok(Caller::Admin);
    }
    match state.live.profile_for_token(token) {
        Some(id) => Ok(Caller::Profile(id)),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the token is not valid on this server",
        )),
    }
}

/// The admin only, or 403.
pub fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    match caller(state, headers)? {
        Caller::Admin => Ok(()),
        Caller::Profile(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this needs the server's admin token; a profile token reads and acts on its own profile only",
        )),
    }
}

/// The profile `id`, for the admin or that profile's own token; any other
/// profile token gets the same 404 as an unknown id.
pub fn profile(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Arc<LiveProfile>, ApiError> {
    let who = caller(state, headers)?;
    let p = state.live.get(id)?;
    match who {
        Caller::Admin => {}
        Caller::Profile(own) if own == p.id => {}
        Caller::Profile(_) => return Err(ApiError::not_found(format!("no profile `{id}`"))),
    }
    p.touch();
    Ok(p)
}

/// The profile `id` for the admin only: its own token gets 403, any other
/// profile token the same 404 as an unknown id.
pub fn admin_profile(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Arc<LiveProfile>, ApiError> {
    let who = caller(state, headers)?;
    let p = match who {
        Caller::Admin => state.live.get(id)?,
        Caller::Profile(own) => {
            let p = state.live.get(id)?;
            if own != p.id {
                return Err(ApiError::not_found(format!("no profile `{id}`")));
            }
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this needs the server's admin token; a profile token reads and acts on its own profile only",
            ));
        }
    };
    p.touch();
    Ok(p)
}
