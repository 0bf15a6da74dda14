//! Meta's Graph API wire format, shared by the platforms that speak it
//! (Instagram's Graph API, Facebook's Graph API for Pages): its error
//! objects (`message`, `type`, `code`, `error_subcode`, `fbtrace_id`),
//! `fields=` selection (with nested `edge.limit(n){sub}` forms), request
//! parameters from the query and the body, cursors, times and the usage
//! headers (`x-app-usage`, `x-business-use-case-usage`), and its webhooks
//! (the `graph-webhooks` format, its verification and its `entry` shapes).
//!
//! What differs between the APIs is passed in: the API's name in a 501's
//! message ([`GraphError::unsimulated`], [`Params::parse`]) and the
//! business use case a [`Usage`] reports.

use crate::models::rng::fnv1a;
use crate::{
    HmacAlgorithm, HttpRequest, HttpResponse, Millis, SignatureScheme, SignedContent, Verification,
    WebhookDelivery, WebhookFormat,
};
use serde_json::{json, Value};

fn fnv(seed: &str) -> u64 {
    fnv1a(seed.as_bytes())
}

/// A Graph error: its HTTP status, `code`, `error_subcode`, `type` and
/// message.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphError {
    pub status: u16,
    pub code: i64,
    pub subcode: Option<i64>,
    pub kind: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: u16, code: i64, kind: &'static str, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            subcode: None,
            kind,
            message: message.into(),
        }
    }

    pub fn with_subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// `(#100)`: an invalid parameter.
    pub fn param(message: impl std::fmt::Display) -> Self {
        GraphError::new(400, 100, "OAuthException", format!("(#100) {message}"))
    }

    /// An object that does not exist (or that this account cannot see).
    pub fn no_object(method: &str, id: &str) -> Self {
        let verb = method.to_ascii_lowercase();
        GraphError::new(
            400,
            100,
            "GraphMethodException",
            format!(
                "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
            ),
        )
        .with_subcode(33)
    }

    pub fn no_field(field: &str, node: &str) -> Self {
        GraphError::param(format!(
            "Tried accessing nonexisting field ({field}) on node type ({node})"
        ))
    }

    pub fn unknown_path(rest: &str) -> Self {
        GraphError::new(
            400,
            2500,
            "OAuthException",
            format!("Unknown path components: {rest}"),
        )
    }

    /// A real operation of `api` (e.g. "Instagram Graph API") this
    /// simulator does not serve yet.
    pub fn unsimulated(api: &str, what: &str) -> Self {
        GraphError::new(
            501,
            100,
            "GraphMethodException",
            format!("{what} is part of the {api} but is not simulated by diorama"),
        )
    }

    /// Code 4: the app's own call budget is spent (`x-app-usage`).
    pub fn app_limit() -> Self {
        GraphError::new(
            400,
            4,
            "OAuthException",
            "(#4) Application request limit reached",
        )
        .with_subcode(2446079)
    }

    /// Code 17: the user's call budget is spent.
    pub fn user_limit() -> Self {
        GraphError::new(
            400,
            17,
            "OAuthException",
            "(#17) User request limit reached",
        )
        .with_subcode(2446079)
    }

    /// Code 32: the Page's call budget is spent
    /// (`x-business-use-case-usage`, type `pages`).
    pub fn page_limit() -> Self {
        GraphError::new(
            400,
            32,
            "OAuthException",
            "(#32) Page request limit reached",
        )
    }

    /// Code 613: a rate limit on one kind of call (publishing, messaging).
    pub fn call_limit(what: &str) -> Self {
        GraphError::new(
            400,
            613,
            "OAuthException",
            format!("(#613) Calls to this api have exceeded the rate limit. {what}"),
        )
    }

    /// The answer, with a trace id derived from the request (the same
    /// request gets the same bytes).
    pub fn respond(&self, request: &HttpRequest, usage: &Usage) -> HttpResponse {
        let trace = trace_id(&format!(
            "{} {}?{} {}",
            request.method, request.path, request.query, self.message
        ));
        let mut error = json!({
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": trace,
        });
        if let Some(sub) = self.subcode {
            error["error_subcode"] = json!(sub);
        }
        if self.status >= 500 {
            error["is_transient"] = json!(false);
        }
        with_usage(
            HttpResponse::json(self.status, &json!({ "error": error })),
            usage,
        )
    }
}

/// The header the host sets to have an error it injects (a fault, for
/// testing a tool's retries) shaped: the status.
pub const FAULT_HEADER: &str = "x-diorama-fault";

/// Graph's answer for an injected status ([`FAULT_HEADER`]), or `None`:
/// code 2, transient, for a 5xx (Graph's "unexpected error"), code 4 (the
/// app's call budget, with `x-app-usage`) for a 429, which Graph itself
/// answers with a 400.
pub fn injected(request: &HttpRequest, usage: &Usage) -> Option<HttpResponse> {
    let status: u16 = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(FAULT_HEADER))
        .and_then(|(_, v)| v.parse().ok())?;
    let error = match status {
        429 => GraphError {
            status,
            ..GraphError::app_limit()
        },
        500 | 502 | 503 | 504 => GraphError::new(
            status,
            2,
            "OAuthException",
            "An unexpected error has occurred. Please retry your request later.",
        ),
        _ => return None,
    };
    let mut r = error.respond(request, usage);
    if status >= 500 {
        // Graph marks these as worth retrying.
        if let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&r.body) {
            body["error"]["is_transient"] = json!(true);
            r.body = serde_json::to_vec(&body).unwrap_or_default();
        }
    }
    Some(r)
}

/// The header the host sets on a request without a valid access token:
/// `missing` or `invalid`.
pub const CREDENTIALS_HEADER: &str = "x-diorama-credentials";

/// Graph's answer to a request without a valid access token, or `None`
/// when the host says nothing about the token ([`CREDENTIALS_HEADER`]
/// absent): an `OAuthException` 400, code 2500 without a token and 190
/// with one Graph cannot parse, with `WWW-Authenticate` as Meta sends it.
pub fn refusal(request: &HttpRequest, usage: &Usage) -> Option<HttpResponse> {
    let why = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(CREDENTIALS_HEADER))
        .map(|(_, v)| v.as_str())?;
    let (error, detail) = if why == "expired" {
        (
            GraphError::new(
                400,
                190,
                "OAuthException",
                "Error validating access token: Session has expired.",
            )
            .with_subcode(463),
            "invalid_token",
        )
    } else if why == "missing" {
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

/// Graph's answer to a request the account's health refuses (see
/// [`crate::kit::health`]): while action-blocked, code 368 ("Temporarily
/// blocked for policies violations" in Meta's error reference), while
/// suspended, code 190 with subcode 459 (the user is checkpointed and must
/// log in to the platform to fix it). `message` is the simulator's own
/// account of why, in `error_user_msg`.
pub fn health_refusal(
    state: crate::kit::health::State,
    message: &str,
    request: &HttpRequest,
    usage: &Usage,
) -> HttpResponse {
    use crate::kit::health::State;
    let (error, title) = match state {
        State::Suspended => (
            GraphError::new(
                400,
                190,
                "OAuthException",
                "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
            )
            .with_subcode(459),
            "Account disabled",
        ),
        _ => (
            GraphError::new(
                400,
                368,
                "OAuthException",
                "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
            )
            .with_subcode(1390008),
            "You're Temporarily Blocked",
        ),
    };
    let mut r = error.respond(request, usage);
    if let Ok(mut body) = serde_json::from_slice::<Value>(&r.body) {
        body["error"]["error_user_title"] = json!(title);
        body["error"]["error_user_msg"] = json!(message);
        r.body = serde_json::to_vec(&body).unwrap_or_default();
    }
    r
}

/// The usage headers every answer carries, as Meta sends them.
pub struct Usage {
    /// The business object the budget is kept for (the account, the Page).
    pub account: String,
    /// Its business use case: `instagram`, `pages`, `messenger`, ...
    pub use_case: &'static str,
    /// The share of the use case's budget spent, in percent (0..=100).
    pub percent: u8,
    /// Minutes until calls are accepted again (0 while under budget).
    pub regain_minutes: u32,
}

impl Usage {
    /// A budget nothing has spent.
    pub fn idle(account: impl Into<String>, use_case: &'static str) -> Usage {
        Usage {
            account: account.into(),
            use_case,
            percent: 0,
            regain_minutes: 0,
        }
    }
}

pub fn with_usage(mut r: HttpResponse, usage: &Usage) -> HttpResponse {
    // diorama does not meter read calls against the app's hourly budget:
    // it reads 0 %. The business use case reads what the platform spent.
    r.headers.push((
        "x-app-usage".into(),
        r#"{"call_count":0,"total_cputime":0,"total_time":0}"#.into(),
    ));
    let percent = usage.percent.min(100);
    r.headers.push((
        "x-business-use-case-usage".into(),
        json!({ usage.account.as_str(): [{
            "type": usage.use_case,
            "call_count": percent,
            "total_cputime": 0,
            "total_time": 0,
            "estimated_time_to_regain_access": usage.regain_minutes,
        }]})
        .to_string(),
    ));
    r
}

/// 23 characters of url-safe base64, like Meta's trace ids.
fn trace_id(seed: &str) -> String {
    let mut out = String::with_capacity(23);
    let mut h = fnv(seed);
    for i in 0..23 {
        if i % 10 == 0 {
            h = fnv(&format!("{seed}/{i}/{h}"));
        }
        out.push(B64[(h & 63) as usize] as char);
        h >>= 6;
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Url-safe base64 without padding.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A cursor over a list ordered by a number (a position or a sequence).
pub fn cursor(n: u64) -> String {
    b64(format!("diorama:{n}").as_bytes())
}

pub fn uncursor(name: &str, text: &str) -> Result<u64, GraphError> {
    unb64(text)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("diorama:")?.parse().ok())
        .ok_or_else(|| GraphError::param(format!("The parameter {name} is not a valid cursor")))
}

/// Graph's time format: `2026-01-05T14:03:27+0000`.
pub fn time(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%z").to_string())
        .unwrap_or_default()
}

/// The request's parameters: the query string's, then the body's (a form
/// or a JSON object; Graph reads both). The access token is not one.
pub struct Params(Vec<(String, String)>);

/// The most parameters read from one request.
const MAX_PARAMS: usize = 64;

impl Params {
    /// The parameters of a request to `api` (named in a 501).
    pub fn parse(request: &HttpRequest, api: &str) -> Result<Params, GraphError> {
        let mut all: Vec<(String, String)> = form_urlencoded::parse(request.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let content_type = request
            .headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !request.body.is_empty() {
            if content_type.starts_with("application/json") {
                let body: Value = serde_json::from_slice(&request.body)
                    .map_err(|e| GraphError::param(format!("the body is not valid JSON: {e}")))?;
                let Value::Object(map) = body else {
                    return Err(GraphError::param("the JSON body must be an object"));
                };
                for (k, v) in map {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    all.push((k, v));
                }
            } else if content_type.starts_with("multipart/") {
                return Err(GraphError::unsimulated(api, "A multipart upload"));
            } else {
                all.extend(
                    form_urlencoded::parse(&request.body)
                        .map(|(k, v)| (k.into_owned(), v.into_owned())),
                );
            }
        }
        if all.len() > MAX_PARAMS {
            return Err(GraphError::param(format!(
                "a request takes at most {MAX_PARAMS} parameters"
            )));
        }
        all.retain(|(k, _)| k != "access_token" && k != "appsecret_proof");
        Ok(Params(all))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn require(&self, key: &str) -> Result<&str, GraphError> {
        self.get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| GraphError::param(format!("The parameter {key} is required")))
    }

    /// `limit`: 1..=`max`, `default` when absent.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, GraphError> {
        match self.get("limit") {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n.min(max)),
                _ => Err(GraphError::param(format!(
                    "The parameter limit must be a positive whole number (got \"{v}\")"
                ))),
            },
        }
    }

    pub fn fields(&self) -> Result<Option<Fields>, GraphError> {
        self.get("fields").map(Fields::parse).transpose()
    }

    /// The pairs to carry into a `next`/`previous` URL, less the cursor.
    pub fn carried(&self) -> impl Iterator<Item = &(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "after" | "before"))
    }
}

/// A `fields=` selection: each field with its modifiers (`.limit(5)`) and
/// its own selection (`{id,text}`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(pub Vec<Field>);

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub modifiers: Vec<(String, String)>,
    pub sub: Option<Fields>,
}

/// How deep `{...}` may nest.
const MAX_DEPTH: usize = 4;
/// The most fields one selection names.
const MAX_FIELDS: usize = 64;

impl Fields {
    pub fn parse(text: &str) -> Result<Fields, GraphError> {
        let mut p = FieldParser {
            s: text.as_bytes(),
            i: 0,
        };
        let f = p.list(0)?;
        if p.i != p.s.len() {
            return Err(p.syntax());
        }
        Ok(f)
    }

    pub fn of(names: &[&str]) -> Fields {
        Fields(
            names
                .iter()
                .map(|n| Field {
                    name: n.to_string(),
                    modifiers: Vec::new(),
                    sub: None,
                })
                .collect(),
        )
    }
}

impl Field {
    pub fn modifier(&self, name: &str) -> Option<&str> {
        self.modifiers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct FieldParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl FieldParser<'_> {
    fn syntax(&self) -> GraphError {
        GraphError::param(format!(
            "Syntax error in the fields parameter at character {}",
            self.i + 1
        ))
    }

    fn name(&mut self) -> Result<String, GraphError> {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i += 1;
        }
        if self.i == start {
            return Err(self.syntax());
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn skip_space(&mut self) {
        while self.s.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    fn list(&mut self, depth: usize) -> Result<Fields, GraphError> {
        if depth > MAX_DEPTH {
            return Err(GraphError::param(format!(
                "the fields parameter nests deeper than {MAX_DEPTH} levels"
            )));
        }
        let mut out = Vec::new();
        loop {
            self.skip_space();
            let name = self.name()?;
            let mut modifiers = Vec::new();
            while self.s.get(self.i) == Some(&b'.') {
                self.i += 1;
                let m = self.name()?;
                if self.s.get(self.i) != Some(&b'(') {
                    return Err(self.syntax());
                }
                self.i += 1;
                let start = self.i;
                while self.s.get(self.i).is_some_and(|&c| c != b')') {
                    self.i += 1;
                }
                if self.i >= self.s.len() {
                    return Err(self.syntax());
                }
                let arg = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                modifiers.push((m, arg));
            }
            let sub = if self.s.get(self.i) == Some(&b'{') {
                self.i += 1;
                let sub = self.list(depth + 1)?;
                if self.s.get(self.i) != Some(&b'}') {
                    return Err(self.syntax());
                }
                self.i += 1;
                Some(sub)
            } else {
                None
            };
            out.push(Field {
                name,
                modifiers,
                sub,
            });
            if out.len() > MAX_FIELDS {
                return Err(GraphError::param(format!(
                    "the fields parameter names more than {MAX_FIELDS} fields"
                )));
            }
            self.skip_space();
            if self.s.get(self.i) == Some(&b',') {
                self.i += 1;
            } else {
                return Ok(Fields(out));
            }
        }
    }
}

// ----- Webhooks -----------------------------------------------------------
//
// Meta's Graph webhooks, as Instagram and Facebook Pages send them: the
// subscription is verified by a GET to the callback with `hub.mode=subscribe`,
// `hub.verify_token` (the token the app chose) and `hub.challenge`, which the
// endpoint echoes; every POST is a JSON `{"object", "entry": [...]}` signed
// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body keyed with the
// app secret>` (the host signs).

/// The webhook format's name.
pub const WEBHOOK_FORMAT: &str = "graph-webhooks";

/// The longest `verify_token` accepted, in bytes.
pub const MAX_VERIFY_TOKEN: usize = 256;

/// The `graph-webhooks` format, with the platform's own description.
pub fn webhook_format(description: impl Into<String>) -> WebhookFormat {
    WebhookFormat {
        name: WEBHOOK_FORMAT.into(),
        content_type: "application/json".into(),
        description: description.into(),
        signature: Some(SignatureScheme {
            header: "x-hub-signature-256".into(),
            algorithm: HmacAlgorithm::Sha256,
            content: SignedContent::Body,
            value: "sha256={hex}".into(),
        }),
    }
}

/// The subscription's `verify_token`, checked.
fn verify_token(params: &Value) -> Result<&str, String> {
    let map = params
        .as_object()
        .ok_or("parameters must be a JSON object")?;
    for key in map.keys() {
        if key != "verify_token" {
            return Err(format!(
                "unknown parameter `{key}`: `{WEBHOOK_FORMAT}` takes only `verify_token`"
            ));
        }
    }
    let token = match map.get("verify_token") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("`verify_token` must be a string, got {other}")),
        None => {
            return Err(
                "`verify_token` is required: the token Meta sends back as hub.verify_token".into(),
            )
        }
    };
    if token.is_empty() || token.len() > MAX_VERIFY_TOKEN {
        return Err(format!(
            "`verify_token` is {} bytes long; it must be 1 to {MAX_VERIFY_TOKEN}",
            token.len()
        ));
    }
    Ok(token)
}

/// A subscription to `platform`'s webhooks in `format`: checked, and the
/// verification request Meta makes for it.
pub fn webhook_subscribe(
    platform: &str,
    format: &str,
    params: &Value,
) -> Result<Option<Verification>, String> {
    if format != WEBHOOK_FORMAT {
        return Err(format!(
            "{platform} sends no webhooks in the format `{format}`; its format is `{WEBHOOK_FORMAT}`"
        ));
    }
    let token = verify_token(params)?;
    Ok(Some(Verification {
        query: vec![
            ("hub.mode".into(), "subscribe".into()),
            ("hub.verify_token".into(), token.into()),
        ],
        challenge_param: "hub.challenge".into(),
    }))
}

/// An `entry` with one change: `{"id": account, "time": <unix s>,
/// "changes": [{"field", "value"}]}`.
pub fn change_entry(account: &str, at: Millis, field: &str, value: Value) -> Value {
    json!({
        "id": account,
        "time": at / 1000,
        "changes": [{ "field": field, "value": value }],
    })
}

/// An `entry` with one message received, as the Messenger Platform (and
/// Instagram messaging) sends it: `time` and `timestamp` in milliseconds,
/// `{"sender": {"id"}, "recipient": {"id": account}, "message": {"mid",
/// "text"}}`.
pub fn message_entry(account: &str, at: Millis, sender: &str, mid: &str, text: &str) -> Value {
    json!({
        "id": account,
        "time": at,
        "messaging": [{
            "sender": { "id": sender },
            "recipient": { "id": account },
            "timestamp": at,
            "message": { "mid": mid, "text": text },
        }],
    })
}

/// A delivery of one entry: `{"object": object, "entry": [entry]}`.
pub fn webhook_delivery(object: &str, entry: Value) -> WebhookDelivery {
    let body = json!({ "object": object, "entry": [entry] });
    WebhookDelivery {
        content_type: "application/json".into(),
        headers: Vec::new(),
        body: body.to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_parse_with_their_modifiers() {
        let f =
            Fields::parse("id,caption,children{id,media_type},comments.limit(5){text,replies{id}}")
                .unwrap();
        let names: Vec<&str> = f.0.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "caption", "children", "comments"]);
        assert_eq!(f.0[3].modifier("limit"), Some("5"));
        let sub = f.0[3].sub.as_ref().unwrap();
        assert_eq!(sub.0[1].sub.as_ref().unwrap().0[0].name, "id");
        for bad in [
            "",
            "id,",
            "a{b",
            "a.limit(3",
            "a}{",
            "a{b}}",
            "a..b",
            "a{{{{{{b}}}}}}",
        ] {
            let e = Fields::parse(bad).unwrap_err();
            assert_eq!(e.code, 100, "{bad}: {e:?}");
        }
    }

    #[test]
    fn cursors_and_base64_round_trip() {
        for n in [0, 1, 17, u64::MAX] {
            assert_eq!(uncursor("after", &cursor(n)).unwrap(), n);
        }
        assert!(uncursor("after", "!!").is_err());
        assert!(uncursor("after", &b64(b"other:1")).is_err());
        for s in ["", "a", "ab", "abc", "ig_d:1:IGMessageThread:123:456"] {
            assert_eq!(unb64(&b64(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(time(0), "1970-01-01T00:00:00+0000");
        assert_eq!(trace_id("x").len(), 23);
        assert_eq!(trace_id("x"), trace_id("x"));
    }
}
