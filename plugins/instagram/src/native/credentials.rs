//! A request without a valid access token, answered as the Graph API does:
//! the host asks with the `x-diorama-credentials` header (`missing` or
//! `invalid`) on an account made for the purpose, and this is the answer,
//! an `OAuthException` (code 2500 without a token, 190 with a bad one) with
//! `WWW-Authenticate`. The answer is the kit's, shared with the other Meta
//! platforms.

pub use diorama_sdk::kit::graph::{refusal, CREDENTIALS_HEADER};
