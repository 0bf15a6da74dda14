//! The platforms' own APIs: a creator tool's real client library, pointed
//! at this server instead of the platform, talks to a demo profile. The
//! request goes to the platform's plugin, which answers in its platform's
//! wire format against the calling profile's state; a request that changes
//! the account runs as the same action as `POST /v1/profiles/{id}/act`,
//! admitted at the same rate.
//!
//! A request reaches a platform's API in one of two ways:
//!
//! - by path, `/native/{platform}/{path}`: the base URL a client library
//!   is given is `BASE/native/{platform}/`;
//! - by host: a request whose `Host` (or absolute request target, as an
//!   HTTP proxy client sends it) is one of the hosts a loaded plugin
//!   declares (`api_hosts`) goes to that plugin with its path unchanged,
//!   so a hosts-file entry or a proxy setting is all a tool needs (with
//!   the TLS listener, [`super::tls`], for `https://`). Several platforms
//!   may share a host (Instagram's and Facebook's Graph API are both
//!   `graph.facebook.com`): the request goes to those of them the calling
//!   profile has, asked in name order, and the first answer that is not an
//!   error is taken (a write runs on the platform whose plugin took it);
//!   when every one answers an error, the first one's error is the answer.
//!
//! The profile is the one whose token the request carries: as
//! `Authorization: Bearer <token>` (the platforms' OAuth clients), as an
//! `access_token` query parameter (the Graph API's clients), or at the end
//! of a path segment (the Telegram Bot API's `/bot<token>/getMe`; only a
//! token of this server's shape is recognised there, and it is taken out
//! of the path the plugin sees: `/bot/getMe`). The admin
//! token names one with the `x-diorama-profile` header. A request without
//! a token, or with one this server does not know, is answered by the
//! platform's plugin in the platform's own error shape (the plugin is
//! asked on an empty account, with [`CREDENTIALS_HEADER`] saying what is
//! wrong; an answer that is not a 4xx is replaced by diorama's 401). What
//! else goes wrong before the plugin answers (no such profile or platform,
//! the admin without a profile) is answered in diorama's own format.
//!
//! Two conventions let a platform's API ask the host for what only the
//! host can do ([`diorama_sdk::host_actions`]): an action of a `diorama.`
//! kind (subscribing or removing a webhook in one of the platform's
//! formats, as Telegram's `setWebhook` does; the plugin is told of the
//! profile's subscriptions in a request header), and a long poll (a
//! response header asking the host to hold the request while the plugin
//! has nothing, asking again every [`LONG_POLL_EVERY`]).
//!
//! The plugin sees the request's headers but the credentials, with
//! `x-forwarded-proto` (`http` or `https`, unless a proxy in front set it)
//! and `x-forwarded-prefix` (`/native/{platform}`, or empty when routed by
//! host), so it can build URLs back to itself (an upload URL).

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use diorama_sdk::host_actions::{
    self, DELETE_WEBHOOK, LONG_POLL_HEADER, MAX_LONG_POLL_S, SET_WEBHOOK, WEBHOOKS_HEADER,
};
use diorama_sdk::{Action, ActionError, HttpRequest, HttpResponse, NativeOutcome};
use serde_json::Value;

use super::auth::Caller;
use super::error::{blocking, ApiError};
use super::profiles::admit;
use super::ApiState;
use crate::fault::{Injected, MAX_SLOW_MS, TIMEOUT_HOLD_MS};
use crate::live::{same_secret, token_at_end, LiveProfile, FAULT_HEADER};
use crate::webhook::{new_secret, EventFilter, FormatSpec, HookSpec, WebhookError};
use std::sync::Arc;
use std::time::Duration;

/// The route, for the router and the metrics' labels.
pub const ROUTE: &str = "/native/{platform}/{*path}";
/// The API's root, `/native/{platform}` (with or without its slash): the
/// platform answers it as its own root, `/`.
pub const ROOT: &str = "/native/{platform}";
pub const ROOT_SLASH: &str = "/native/{platform}/";

/// The header with which the admin names the profile.
pub const PROFILE_HEADER: &str = "x-diorama-profile";

/// The header the plugin is asked with when the request has no valid
/// token: `missing` or `invalid`.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// The query parameter a token may come in instead of the header.
const TOKEN_PARAM: &str = "access_token";

/// The most request headers handed to a plugin; more is a 431.
const MAX_HEADERS: usize = 64;

/// Set on the requests of the TLS listener.
#[derive(Clone, Copy, Debug)]
pub struct Secure;

/// `/native/{platform}` and `/native/{platform}/`: the API's root.
pub async fn handle_root(
    State(s): State<ApiState>,
    Path(platform): Path<String>,
    secure: Option<Extension<Secure>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let root = Path((platform, String::new()));
    handle(State(s), root, secure, method, uri, headers, body).await
}

/// `/native/{platform}/{path}`.
pub async fn handle(
    State(s): State<ApiState>,
    Path((platform, path)): Path<(String, String)>,
    secure: Option<Extension<Secure>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let prefix = format!("/native/{platform}");
    let request = Native {
        platforms: vec![platform],
        path: format!("/{path}"),
        prefix,
        secure: secure.is_some(),
        method,
        uri,
        headers,
        body,
    };
    answer(&s, request).await
}

/// Route a request for a platform's API host to the platform, path
/// unchanged; any other request goes on to the routes.
pub async fn by_host(State(s): State<ApiState>, req: Request, next: Next) -> Response {
    let platforms = host_platforms(&s, &req);
    if platforms.is_empty() {
        return next.run(req).await;
    }
    let secure = req.extensions().get::<Secure>().is_some();
    let (parts, body) = req.into_parts();
    let request = Request::from_parts(parts.clone(), body);
    // Read within the server's body limit (the limit layer's extension is
    // on the request), answering as any route does past it.
    let body = match Bytes::from_request(request, &s).await {
        Ok(b) => b,
        Err(rejection) => return rejection.into_response(),
    };
    let request = Native {
        platforms,
        path: parts.uri.path().to_string(),
        prefix: String::new(),
        secure,
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    };
    answer(&s, request).await.into_response()
}

/// The platforms whose API host the request is for, in name order; none
/// for any other host.
fn host_platforms(s: &ApiState, req: &Request) -> Vec<String> {
    let Some(host) = request_host(req) else {
        return Vec::new();
    };
    let mut names: Vec<String> = s
        .live
        .host()
        .plugins()
        .into_iter()
        .filter(|p| {
            p.info
                .api_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host))
        })
        .map(|p| p.info.name.clone())
        .collect();
    names.sort();
    names
}

/// The host a request names, lower case, unless it is one of the server's
/// own addresses (the common case, answered without a look at the plugins).
fn request_host(req: &Request) -> Option<String> {
    let host = req
        .uri()
        .host()
        .map(str::to_string)
        .or_else(|| {
            let h = req.headers().get(axum::http::header::HOST)?.to_str().ok()?;
            // Without the port (an IPv6 literal keeps its brackets).
            let name = match h.rsplit_once(':') {
                Some((name, port))
                    if !port.is_empty()
                        && port.bytes().all(|b| b.is_ascii_digit())
                        && (!h.starts_with('[') || name.ends_with(']')) =>
                {
                    name
                }
                _ => h,
            };
            Some(name.to_string())
        })?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    // The server's own addresses, the common case, without a look at the
    // plugins.
    if host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok()
    {
        return None;
    }
    Some(host)
}

/// A request for a platform's API, however it was routed.
struct Native {
    /// The platforms it may be for: one when routed by path, every
    /// platform sharing the host when routed by host (never empty).
    platforms: Vec<String>,
    /// The path below the API's root.
    path: String,
    /// What comes before `path` on this server.
    prefix: String,
    secure: bool,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// The token of the request: the bearer token, else an `access_token`
/// parameter in the query or in a form body, as the Graph API reads it.
fn token(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Option<String> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let text = value.to_str().ok()?;
        let (scheme, token) = text.split_once(' ')?;
        let token = token.trim();
        return (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
            .then(|| token.to_string());
    }
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .chain(
            form.then(|| form_urlencoded::parse(body))
                .into_iter()
                .flatten(),
        )
        .find(|(k, _)| k == TOKEN_PARAM)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// Take a profile token out of the path: the first segment ending with
/// a token of this server's shape loses it (`/bot<token>/getMe` becomes
/// `/bot/getMe`).
fn take_path_token(path: &mut String) -> Option<String> {
    let mut start = 0;
    for segment in path.split('/') {
        if let Some(token) = token_at_end(segment) {
            let token = token.to_string();
            let end = start + segment.len();
            path.replace_range(end - token.len()..end, "");
            return Some(token);
        }
        start += segment.len() + 1;
    }
    None
}

async fn answer(s: &ApiState, mut n: Native) -> Result<Response, ApiError> {
    if n.headers.len() > MAX_HEADERS {
        return Err(ApiError::too_large(
            "too_many_headers",
            format!("at most {MAX_HEADERS} headers reach a platform's API"),
        ));
    }
    let in_path = take_path_token(&mut n.path);
    let who = match token(&n.headers, n.uri.query(), &n.body).or(in_path) {
        None => Err("missing"),
        Some(t) if same_secret(&t, &s.admin_token) => Ok(Caller::Admin),
        Some(t) => s
            .live
            .profile_for_token(&t)
            .map(Caller::Profile)
            .ok_or("invalid"),
    };
    let mut request = plugin_request(&n);
    let who = match who {
        Ok(who) => who,
        Err(why) => return credentials_error(s, n.platforms[0].clone(), request, why).await,
    };
    let id = match who {
        Caller::Profile(id) => id.to_string(),
        Caller::Admin => n
            .headers
            .get(PROFILE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "the admin token names the profile with the `{PROFILE_HEADER}` header"
                ))
            })?,
    };
    request.headers.retain(|(k, _)| k != PROFILE_HEADER);
    let p = s.live.get(&id)?;
    p.touch();
    let names = candidates(s, &p, n.platforms).await?;
    let request = with_subscriptions(s, &p, request).await?;
    if let Some(response) = injected_fault(s, &p, &names[0], &request).await? {
        return Ok(response);
    }
    let (mut platform, mut outcome) = ask(s, &p, &names, &request).await?;
    // A long poll: held while the plugin has nothing, asked again as the
    // account moves on.
    if let Some(wait) = long_poll(&outcome) {
        let until = tokio::time::Instant::now() + wait;
        let mut closing = s.closing.subscribe();
        while long_poll(&outcome).is_some() && tokio::time::Instant::now() < until {
            tokio::select! {
                _ = tokio::time::sleep(LONG_POLL_EVERY) => {}
                _ = closing.wait_for(|c| *c) => break,
            }
            (platform, outcome) = ask(s, &p, &names, &request).await?;
        }
        if let NativeOutcome::Respond(r) = &mut outcome {
            r.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case(LONG_POLL_HEADER));
        }
    }
    let answer = match outcome {
        NativeOutcome::Respond(answer) => answer,
        NativeOutcome::Act(act) if host_actions::is_host_action(&act.action.kind) => {
            admit(s, who)?;
            let outcome = host_action(s, &p, &platform, &act.action)
                .await?
                .map(|()| Vec::<diorama_sdk::Event>::new());
            let live = s.live.clone();
            blocking(move || {
                live.native_finish(&p, &platform, &act.context, outcome)
                    .map_err(ApiError::from)
            })
            .await?
        }
        NativeOutcome::Act(act) => {
            admit(s, who)?;
            let live = s.live.clone();
            blocking(move || live.native_act(&p, &platform, &act).map_err(ApiError::from)).await?
        }
    };
    Ok(into_response(answer))
}

/// How often a held long poll asks the plugin again.
const LONG_POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// How long the plugin asks the request to be held, if it does.
fn long_poll(outcome: &NativeOutcome) -> Option<std::time::Duration> {
    let NativeOutcome::Respond(r) = outcome else {
        return None;
    };
    let (_, v) = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(LONG_POLL_HEADER))?;
    let seconds = v.trim().parse::<u64>().ok()?.min(MAX_LONG_POLL_S);
    (seconds > 0).then(|| std::time::Duration::from_secs(seconds))
}

/// The platforms a request is for, in the order they are asked (never
/// empty): the one it names; or of several sharing a host, those the
/// profile has (the first of all when it has none, so that one says so).
/// Faults are the first one's.
async fn candidates(
    s: &ApiState,
    p: &Arc<LiveProfile>,
    names: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    if names.len() == 1 {
        return Ok(names);
    }
    let (live, target) = (s.live.clone(), p.clone());
    blocking(move || {
        let mine = live.platforms_among(&target, &names)?;
        Ok(if mine.is_empty() {
            vec![names[0].clone()]
        } else {
            mine
        })
    })
    .await
}

/// The request with the profile's subscriptions in platforms' formats, for
/// a platform whose own API reports them (Telegram's `getWebhookInfo`).
async fn with_subscriptions(
    s: &ApiState,
    p: &Arc<LiveProfile>,
    mut request: HttpRequest,
) -> Result<HttpRequest, ApiError> {
    let (hooks, owner) = (s.webhooks.clone(), p.id);
    blocking(move || {
        let subscribed = hooks.in_platform_formats(owner)?;
        if !subscribed.is_empty() {
            let list = serde_json::to_string(&subscribed)
                .map_err(|e| ApiError::internal(format!("listing the webhooks: {e}")))?;
            request.headers.push((WEBHOOKS_HEADER.into(), list));
        }
        Ok(request)
    })
    .await
}

/// The answer of the platform the request is for: of several candidates
/// ([`candidates`]), the first whose answer is not an error, else the
/// first one's error.
async fn ask(
    s: &ApiState,
    p: &Arc<LiveProfile>,
    names: &[String],
    request: &HttpRequest,
) -> Result<(String, NativeOutcome), ApiError> {
    let (live, target) = (s.live.clone(), p.clone());
    let (names, request) = (names.to_vec(), request.clone());
    blocking(move || {
        let mut first = None;
        for name in names {
            let outcome = live.native_request(&target, &name, &request)?;
            if !matches!(&outcome, NativeOutcome::Respond(r) if r.status >= 400) {
                return Ok((name, outcome));
            }
            first.get_or_insert((name, outcome));
        }
        first.ok_or_else(|| ApiError::internal("a native request for no platform"))
    })
    .await
}

/// Run an action a platform's API asks of the host
/// ([`diorama_sdk::host_actions`]): `Ok(Err(..))` is a refusal the plugin
/// answers in its platform's words; `Err` is the server's own failure.
async fn host_action(
    s: &ApiState,
    p: &Arc<LiveProfile>,
    platform: &str,
    action: &Action,
) -> Result<Result<(), ActionError>, ApiError> {
    let refused = |why: String| Ok(Err(ActionError::Invalid(why)));
    let params: Value = match serde_json::from_str(&action.params) {
        Ok(v) => v,
        Err(e) => return refused(format!("`{}`: parameters are not JSON: {e}", action.kind)),
    };
    let Some(format) = params["format"].as_str().map(str::to_string) else {
        return refused(format!("`{}` needs a `format` string", action.kind));
    };
    let hooks = s.webhooks.clone();
    let (owner, platform) = (p.id, platform.to_string());
    match action.kind.as_str() {
        SET_WEBHOOK => {
            let Some(url) = params["url"].as_str().map(str::to_string) else {
                return refused(format!("`{SET_WEBHOOK}` needs a `url` string"));
            };
            let spec = HookSpec {
                url,
                secret: new_secret().map_err(ApiError::from)?,
                filter: EventFilter::default(),
                format: Some(FormatSpec {
                    platform,
                    name: format,
                    params: params["params"].as_object().cloned().unwrap_or_default(),
                }),
            };
            let (checker, checked) = (hooks.clone(), spec.clone());
            let checked = blocking(move || Ok(checker.check(owner, &checked))).await?;
            let verification = match checked {
                Ok(v) => v,
                Err(WebhookError::Invalid(why)) => return refused(why.to_string()),
                Err(e) => return Err(e.into()),
            };
            if let Some(v) = verification {
                match hooks.verify(&spec, &v).await {
                    Ok(()) => {}
                    Err(WebhookError::Invalid(why)) => return refused(why.to_string()),
                    Err(e) => return Err(e.into()),
                }
            }
            let (live, target) = (s.live.clone(), p.clone());
            // Under the profile's lock, as a hook made through diorama's API.
            let made = blocking(move || {
                Ok(live.while_alive(&target, || hooks.replace_in_format(owner, spec))?)
            })
            .await?;
            match made {
                Ok(_) => Ok(Ok(())),
                Err(WebhookError::Invalid(why)) => refused(why.to_string()),
                Err(e) => Err(e.into()),
            }
        }
        DELETE_WEBHOOK => {
            blocking(move || {
                for h in hooks.in_format(owner, &platform, &format)? {
                    hooks.delete(owner, &h.id)?;
                }
                Ok(())
            })
            .await?;
            Ok(Ok(()))
        }
        other => refused(format!("the server runs no action `{other}`")),
    }
}

/// A fault injected into this request ([`crate::fault`]): the answer that
/// replaces the platform's, if any, after the delay of a slow response
/// (taken with no lock held).
async fn injected_fault(
    s: &ApiState,
    p: &Arc<LiveProfile>,
    platform: &str,
    request: &HttpRequest,
) -> Result<Option<Response>, ApiError> {
    let what = format!("{} {}", request.method, request.path);
    let (live, target, name) = (s.live.clone(), p.clone(), platform.to_string());
    let (fate, retry_after_s, at) = blocking(move || {
        live.native_fate(&target, &name, &what)
            .map_err(ApiError::from)
    })
    .await?;
    if fate.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fate.delay_ms.min(MAX_SLOW_MS))).await;
    }
    let Some(error) = fate.error else {
        return Ok(None);
    };
    let status = match error {
        Injected::Status(status) => status,
        Injected::Timeout => {
            // Held, then closed: a client with a shorter timeout sees its
            // own; one that waits gets a gateway timeout.
            tokio::time::sleep(Duration::from_millis(TIMEOUT_HOLD_MS)).await;
            504
        }
    };
    let mut ask = request.clone();
    ask.headers.push((FAULT_HEADER.into(), status.to_string()));
    ask.headers
        .push(("x-diorama-retry-after".into(), retry_after_s.to_string()));
    let (live, name) = (s.live.clone(), platform.to_string());
    let shaped = blocking(move || Ok(live.native_fault_error(&name, &ask, status, at))).await?;
    let mut response = match shaped {
        Some(answer) => into_response(answer),
        None => plain_fault(platform, status, retry_after_s),
    };
    let headers = response.headers_mut();
    if matches!(status, 429 | 503) && !headers.contains_key(axum::http::header::RETRY_AFTER) {
        headers.insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(retry_after_s),
        );
    }
    if status == 504 {
        headers.insert(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    Ok(Some(response))
}

/// diorama's own answer for an injected error a platform does not shape.
fn plain_fault(platform: &str, status: u16, retry_after_s: u64) -> Response {
    let (code, what) = match status {
        429 => ("rate_limited", "rate limited"),
        500 => ("internal_error", "an internal error"),
        502 => ("bad_gateway", "a bad gateway"),
        504 => ("gateway_timeout", "a timeout"),
        _ => ("unavailable", "unavailable"),
    };
    let body = serde_json::json!({"error": {
        "code": code,
        "message": format!("{platform}: {what} (a simulated fault); retry in {retry_after_s} s"),
    }});
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    (status, axum::Json(body)).into_response()
}

/// The request as the plugin sees it: no credentials, the forwarding
/// headers set.
fn plugin_request(n: &Native) -> HttpRequest {
    let mut headers: Vec<(String, String)> = n
        .headers
        .iter()
        .filter(|(name, _)| {
            *name != axum::http::header::AUTHORIZATION
                && name.as_str() != CREDENTIALS_HEADER
                && name.as_str() != WEBHOOKS_HEADER
                && name.as_str() != FAULT_HEADER
                && name.as_str() != "x-diorama-retry-after"
                && name.as_str() != "x-forwarded-prefix"
        })
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    if let Some(host) = n.uri.authority() {
        // An absolute request target names the host the client meant.
        headers.retain(|(k, _)| k != "host");
        headers.push(("host".into(), host.to_string()));
    }
    if !headers.iter().any(|(k, _)| k == "x-forwarded-proto") {
        let proto = if n.secure { "https" } else { "http" };
        headers.push(("x-forwarded-proto".into(), proto.into()));
    }
    headers.push(("x-forwarded-prefix".into(), n.prefix.clone()));
    HttpRequest {
        method: n.method.as_str().to_ascii_uppercase(),
        path: n.path.clone(),
        query: n.uri.query().unwrap_or("").to_string(),
        headers,
        body: n.body.to_vec(),
    }
}

/// A request without a valid token: the platform's own error if its
/// plugin gives one, else diorama's 401.
async fn credentials_error(
    s: &ApiState,
    platform: String,
    mut request: HttpRequest,
    why: &'static str,
) -> Result<Response, ApiError> {
    let fallback = || {
        ApiError::unauthorized(match why {
            "missing" => "missing `Authorization: Bearer <token>` (or an `access_token` parameter)",
            _ => "the token is not valid on this server",
        })
    };
    request
        .headers
        .push((CREDENTIALS_HEADER.into(), why.into()));
    let live = s.live.clone();
    let shaped = blocking(move || Ok(live.native_credentials_error(&platform, &request))).await?;
    match shaped {
        Some(answer) => Ok(into_response(answer)),
        None => Err(fallback()),
    }
}

/// The plugin's answer as an HTTP response; headers that are not valid
/// HTTP are dropped, a status out of range is the plugin's fault (500).
fn into_response(answer: HttpResponse) -> Response {
    let Ok(status) = StatusCode::from_u16(answer.status) else {
        return ApiError::internal(format!(
            "the plugin answered with the status {}, which is not an HTTP status",
            answer.status
        ))
        .into_response();
    };
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    // The plugin's content type replaces the default one of a body.
    if answer
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.remove(axum::http::header::CONTENT_TYPE);
    }
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.append(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_the_header_the_query_or_a_form_body() {
        let mut h = HeaderMap::new();
        assert_eq!(
            token(&h, Some("fields=id&access_token=abc%2B1"), b""),
            Some("abc+1".into())
        );
        assert_eq!(token(&h, Some("access_token="), b""), None);
        assert_eq!(token(&h, None, b"access_token=abc"), None);
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert_eq!(
            token(&h, None, b"message=hi&access_token=a%20b"),
            Some("a b".into())
        );
        h.insert("authorization", HeaderValue::from_static("Bearer xyz"));
        assert_eq!(token(&h, Some("access_token=abc"), b""), Some("xyz".into()));
        h.insert("authorization", HeaderValue::from_static("Basic xyz"));
        assert_eq!(token(&h, Some("access_token=abc"), b""), None);
    }

    #[test]
    fn a_token_of_the_servers_shape_is_taken_out_of_the_path() {
        let token = format!("dpt_{}", "0a".repeat(24));
        let mut path = format!("/bot{token}/getMe");
        assert_eq!(take_path_token(&mut path), Some(token.clone()));
        assert_eq!(path, "/bot/getMe");
        let mut path = format!("/file/bot{token}/photos/1.jpg");
        assert_eq!(take_path_token(&mut path), Some(token.clone()));
        assert_eq!(path, "/file/bot/photos/1.jpg");
        for other in [
            "/bot123456:ABC-DEF/getMe".to_string(),
            format!("/bot{}/getMe", &token[..token.len() - 1]),
            format!("/bot{}/getMe", token.to_uppercase()),
            "/v2/user/info/".to_string(),
        ] {
            let mut path = other.clone();
            assert_eq!(take_path_token(&mut path), None, "{other}");
            assert_eq!(path, other);
        }
    }
}
