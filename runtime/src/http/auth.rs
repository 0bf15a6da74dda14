//! Who may call a route, said by the handler's extractors.
//!
//! Every handler that needs a token takes exactly one of these; the route
//! table documents the same role in the operation's `x-diorama-caller` (a
//! test calls every documented operation with every kind of token and
//! checks the server enforces what the document says):
//!
//! | extractor | role | no or wrong token | another profile's token | own token | admin |
//! | --- | --- | --- | --- | --- | --- |
//! | (none) | `none` | answered | answered | answered | answered |
//! | [`AnyCaller`] | `any` | 401 | answered | answered | answered |
//! | [`Admin`] | `admin` | 401 | 403 | 403 | answered |
//! | [`AdminProfile`] | `admin` | 401 | 404 | 403 | answered |
//! | [`OwnProfile`] | `profile` | 401 | 404 | answered | answered |
//!
//! A profile token sees its own profile only; any other profile, existing
//! or not, is a 404 with the same message, so nothing leaks. The extractors
//! read only the request's head, so a request without a valid token is
//! answered before its body is read or judged. A route with a JSON body
//! takes its role and body together as [`Guarded`], which keeps the order
//! the server has always answered in: 401, then the body's errors, then
//! the role's 403/404.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use super::error::{ApiError, Body};
use super::{ApiState, AppState};
use crate::live::{same_secret, LiveProfile};

/// The documented role of each extractor (`x-diorama-caller`).
pub mod role {
    /// No token needed.
    pub const NONE: &str = "none";
    /// Any valid token.
    pub const ANY: &str = "any";
    /// The server's admin token.
    pub const ADMIN: &str = "admin";
    /// The profile's own token, or the admin's.
    pub const PROFILE: &str = "profile";
}

/// Who is calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Profile(u64),
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer <token>`"))?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        )),
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
        None => Err(ApiError::unauthorized(
            "the token is not valid on this server",
        )),
    }
}

/// Any valid token (role `any`): the admin or a profile.
pub struct AnyCaller;

impl FromRequestParts<ApiState> for AnyCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        caller(state, &parts.headers).map(|_| AnyCaller)
    }
}

/// The admin only (role `admin`); a profile token gets 403.
pub struct Admin;

impl FromRequestParts<ApiState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        match caller(state, &parts.headers)? {
            Caller::Admin => Ok(Admin),
            Caller::Profile(_) => Err(ApiError::admin_only()),
        }
    }
}

/// The route's path parameters, decoded; a parameter that is not valid
/// text is the caller's 400 (`bad_path`). Read before the token, as the
/// handlers' `Path` extractors always were.
async fn path_params(
    parts: &mut Parts,
    state: &ApiState,
) -> Result<Vec<(String, String)>, ApiError> {
    match Path::<Vec<(String, String)>>::from_request_parts(parts, state).await {
        Ok(Path(params)) => Ok(params),
        Err(PathRejection::MissingPathParams(_)) => Ok(Vec::new()),
        Err(e) => Err(ApiError::bad_path(e.body_text())),
    }
}

/// The `{id}` of the route's path.
async fn path_id(parts: &mut Parts, state: &ApiState) -> Result<String, ApiError> {
    // Every route with a profile has `{id}`; later parameters (`{hook}`,
    // `{run}`, `{content}`) are read by the handler.
    path_params(parts, state)
        .await?
        .into_iter()
        .find(|(name, _)| name == "id")
        .map(|(_, id)| id)
        .ok_or_else(|| ApiError::internal("the route has no `{id}` parameter"))
}

/// The `{id}` of the path, who calls, and that profile, checked in this
/// order (400, 401, 404); the role is the extractor's to judge.
async fn path_profile(
    parts: &mut Parts,
    state: &ApiState,
) -> Result<(String, Caller, Arc<LiveProfile>), ApiError> {
    let id = path_id(parts, state).await?;
    let who = caller(state, &parts.headers)?;
    let p = state.live.get(&id)?;
    Ok((id, who, p))
}

/// The profile `{id}` for the admin or that profile's own token (role
/// `profile`); any other profile token gets the same 404 as an unknown id.
pub struct OwnProfile {
    pub profile: Arc<LiveProfile>,
    pub caller: Caller,
    /// The id as the path gave it.
    pub id: String,
}

impl FromRequestParts<ApiState> for OwnProfile {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let (id, who, p) = path_profile(parts, state).await?;
        match who {
            Caller::Admin => {}
            Caller::Profile(own) if own == p.id => {}
            Caller::Profile(_) => return Err(ApiError::no_profile(&id)),
        }
        p.touch();
        Ok(OwnProfile {
            profile: p,
            caller: who,
            id,
        })
    }
}

/// The profile `{id}` for the admin only (role `admin`): its own token gets
/// 403, any other profile token the same 404 as an unknown id.
pub struct AdminProfile {
    pub profile: Arc<LiveProfile>,
    /// The id as the path gave it.
    pub id: String,
}

impl FromRequestParts<ApiState> for AdminProfile {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let (id, who, p) = path_profile(parts, state).await?;
        match who {
            Caller::Admin => {}
            Caller::Profile(own) if own != p.id => return Err(ApiError::no_profile(&id)),
            Caller::Profile(_) => return Err(ApiError::admin_only()),
        }
        p.touch();
        Ok(AdminProfile { profile: p, id })
    }
}

/// The role `R` and a JSON body `T`, judged in this order: the path (400),
/// the token (401), the body (as [`Body`]), then the role (403, 404).
pub struct Guarded<R, T>(pub R, pub T);

impl<R, T> FromRequest<ApiState> for Guarded<R, T>
where
    R: FromRequestParts<ApiState, Rejection = ApiError> + Send,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, ApiError> {
        // The head again, for the path now and the role once the body is read.
        let mut head = Request::new(());
        *head.method_mut() = req.method().clone();
        *head.uri_mut() = req.uri().clone();
        *head.headers_mut() = req.headers().clone();
        *head.extensions_mut() = req.extensions().clone();
        let (mut head, ()) = head.into_parts();
        path_params(&mut head, state).await?;
        caller(state, req.headers())?;
        let Body(body) = Body::<T>::from_request(req, state).await?;
        let role = R::from_request_parts(&mut head, state).await?;
        Ok(Guarded(role, body))
    }
}
