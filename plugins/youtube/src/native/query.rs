//! A request's query parameters, percent-decoded and checked.

use diorama_sdk::HttpResponse;

use super::param_error;

/// The most parameters a request may carry.
const MAX_PARAMS: usize = 64;

/// Parameters every Google API accepts, which change nothing here.
pub const SYSTEM: &[&str] = &[
    "alt",
    "fields",
    "key",
    "oauth_token",
    "access_token",
    "prettyPrint",
    "quotaUser",
    "userIp",
    "callback",
    "uploadType",
    "upload_protocol",
    "upload_id",
    "$.xgafv",
];

pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Result<Query, HttpResponse> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .take(MAX_PARAMS + 1)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.len() > MAX_PARAMS {
            return Err(param_error(
                400,
                "badRequest",
                &format!("at most {MAX_PARAMS} query parameters"),
                "query",
            ));
        }
        for (i, (k, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(p, _)| p == k) && k != "id" {
                return Err(param_error(
                    400,
                    "invalidParameter",
                    &format!("The parameter {k} is given more than once"),
                    k,
                ));
            }
        }
        Ok(Query(pairs))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Reject a parameter that is neither one of `known` nor a system one.
    pub fn only(&self, known: &[&str]) -> Result<(), HttpResponse> {
        for (k, _) in &self.0 {
            if !known.contains(&k.as_str()) && !SYSTEM.contains(&k.as_str()) && k != "part" {
                return Err(param_error(
                    400,
                    "unknownParameter",
                    &format!("Unknown parameter: {k}"),
                    k,
                ));
            }
        }
        Ok(())
    }

    /// A required parameter.
    pub fn required(&self, key: &str) -> Result<&str, HttpResponse> {
        self.get(key)
            .ok_or_else(|| param_error(400, "required", &format!("Required parameter: {key}"), key))
    }

    /// A boolean parameter (`true` / `false`), `false` when absent.
    pub fn flag(&self, key: &str) -> Result<bool, HttpResponse> {
        match self.get(key) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(invalid(key, other, "a boolean (true or false)")),
        }
    }

    /// An integer parameter within `lo..=hi`, `default` when absent.
    pub fn ranged(&self, key: &str, lo: u32, hi: u32, default: u32) -> Result<u32, HttpResponse> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(invalid(key, v, &format!("an integer from {lo} to {hi}"))),
            },
        }
    }

    /// One of `choices`, `default` when absent.
    pub fn choice<'a>(
        &'a self,
        key: &str,
        choices: &[&'a str],
        default: &'a str,
    ) -> Result<&'a str, HttpResponse> {
        match self.get(key) {
            None => Ok(default),
            Some(v) if choices.contains(&v) => Ok(v),
            Some(v) => Err(invalid(key, v, &format!("one of {}", choices.join(", ")))),
        }
    }
}

/// A value that is not what the parameter takes.
pub fn invalid(key: &str, value: &str, expected: &str) -> HttpResponse {
    let shown: String = value.chars().take(64).collect();
    param_error(
        400,
        "invalidParameter",
        &format!("Invalid value '{shown}' for parameter {key}: expected {expected}"),
        key,
    )
}
