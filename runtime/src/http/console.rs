//! The demo console: one web page at `/`, for a demo host to run a demo
//! from a browser.
//!
//! The page is plain HTML, CSS and an ES module (no build step, nothing
//! fetched from elsewhere), compiled into the binary. It talks to the
//! server only through the `/v1` API, with the token the host signs in
//! with (kept in the tab's session storage, sent as `Authorization:
//! Bearer`), so it can do exactly what that token can. The console is not
//! part of the `/v1` API and not in its OpenAPI document.
//!
//! Every asset is answered with a strict content security policy (scripts,
//! styles and connections to this origin only, images from `data:` only),
//! `nosniff`, no referrer, and an `ETag` so a reload costs a 304.

use std::sync::OnceLock;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use super::ApiState;

/// One embedded asset.
struct Asset {
    body: &'static str,
    content_type: &'static str,
}

const INDEX: Asset = Asset {
    body: include_str!("../../console/index.html"),
    content_type: "text/html; charset=utf-8",
};
const SCRIPT: Asset = Asset {
    body: include_str!("../../console/app.js"),
    content_type: "text/javascript; charset=utf-8",
};
const STYLE: Asset = Asset {
    body: include_str!("../../console/app.css"),
    content_type: "text/css; charset=utf-8",
};

/// Where the script and the style sheet are served.
pub const SCRIPT_PATH: &str = "/console/app.js";
pub const STYLE_PATH: &str = "/console/app.css";
/// Every path the console answers (its requests' metrics labels).
pub const PATHS: [&str; 3] = ["/", SCRIPT_PATH, STYLE_PATH];

/// The page's policy: nothing from another origin, no inline script or style.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The console's routes, merged into the server's router beside `/v1`.
pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/", get(|h: HeaderMap| async move { serve(&INDEX, 0, &h) }))
        .route(
            SCRIPT_PATH,
            get(|h: HeaderMap| async move { serve(&SCRIPT, 1, &h) }),
        )
        .route(
            STYLE_PATH,
            get(|h: HeaderMap| async move { serve(&STYLE, 2, &h) }),
        )
}

/// The assets' entity tags (a hash of each body), made once.
fn etag(which: usize) -> &'static str {
    static TAGS: OnceLock<[String; 3]> = OnceLock::new();
    &TAGS.get_or_init(|| {
        [&INDEX, &SCRIPT, &STYLE].map(|a| {
            let digest = Sha256::digest(a.body.as_bytes());
            format!("\"{}\"", hex::encode(&digest[..12]))
        })
    })[which]
}

fn serve(asset: &Asset, which: usize, request: &HeaderMap) -> Response {
    let tag = etag(which);
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::ETAG,
            HeaderValue::from_str(tag).expect("a hex entity tag is a valid header"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    if fresh {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, asset.body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page names the script and the style sheet where they are served,
    /// and loads nothing from another origin.
    #[test]
    fn the_page_links_its_own_assets_only() {
        assert!(INDEX.body.contains(&format!("src=\"{SCRIPT_PATH}\"")));
        assert!(INDEX.body.contains(&format!("href=\"{STYLE_PATH}\"")));
        // Every way these assets could load something: none names an address
        // (the browser test also checks that no request leaves the origin).
        let loads = [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(",
            "@import",
            "from 'http",
            "import('http",
            "fetch('http",
            "fetch(`http",
            "new EventSource",
        ];
        for asset in [&INDEX, &SCRIPT, &STYLE] {
            for load in loads {
                assert!(
                    !asset.body.contains(load),
                    "an asset loads from elsewhere: {load}"
                );
            }
        }
        assert_ne!(etag(0), etag(1));
    }
}
