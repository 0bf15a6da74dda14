//! The Graph API's wire format, from the SDK kit's
//! [`diorama_sdk::kit::graph`] (shared with the other Meta platforms),
//! with what is Instagram's own: the API's name in a 501 and the business
//! use case its usage headers report.

pub use diorama_sdk::kit::graph::{
    b64, cursor, time, unb64, uncursor, with_usage, Field, Fields, GraphError, Params, Usage,
};

/// The API a 501 names.
pub const API: &str = "Instagram Graph API";

/// A real Graph operation this simulator does not serve yet.
pub fn unsimulated(what: &str) -> GraphError {
    GraphError::unsimulated(API, what)
}

/// The usage headers of an answer for `account`: nothing metered.
pub fn usage(account: &str) -> Usage {
    Usage::idle(account, "instagram")
}
