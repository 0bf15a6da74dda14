//! The demo console at `/`, in a real browser: `tests/browser/console.mjs`
//! drives Chromium through Playwright's driver against a real
//! `diorama serve` (sign in, create from a preset, run fast, comments in the
//! feed, a viral signal on the chart, a reply in the feed and in `/v1`, a
//! dropped stream resumed with no gap or repeat, webhooks, a profile
//! token's view, deletion).
//!
//! The driver (`playwright-core`, pinned in `tests/browser/package-lock.json`)
//! is installed with `npm ci` into the build directory the first time the
//! test runs, and again when the lock file changes. The browser is the
//! system's Chromium (`.ci/run` installs Debian's package); Playwright never
//! downloads one. A machine without `node`, `npm` or Chromium fails this
//! test with a message saying what is missing.
//!
//! The test prints the page's weight on first load and the time to the
//! first feed item. With `DIORAMA_CONSOLE_SCREENSHOTS=DIR` it also copies
//! its screenshots (each screen at laptop and phone widths) into `DIR`, as
//! `docs/screenshots/` was made.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{root, run_setup};
use crate::serve::{Server, ADMIN};

/// Where Chromium is looked for, in order (`DIORAMA_CHROMIUM` first).
const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("DIORAMA_CHROMIUM") {
        let p = PathBuf::from(p);
        assert!(
            p.exists(),
            "DIORAMA_CHROMIUM names {} which does not exist",
            p.display()
        );
        return p;
    }
    CHROMIUM
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "no Chromium at {}: install Debian's `chromium` package (`.ci/run` does) or set DIORAMA_CHROMIUM",
                CHROMIUM.join(" or ")
            )
        })
}

/// The installed driver's ES module entry, installed on first use.
fn playwright() -> PathBuf {
    let src = root().join("tests/browser");
    let lock = std::fs::read_to_string(src.join("package-lock.json"))
        .expect("tests/browser/package-lock.json");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-browser");
    let stamp = dir.join("diorama-package-lock.json");
    let entry = dir.join("node_modules/playwright-core/index.mjs");
    if entry.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        return entry;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the driver's folder");
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
    run_setup(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&dir)
            // Playwright's own browser download is never wanted here.
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        "npm ci (tests/browser)",
        "node and npm are required for the console's browser test",
    );
    std::fs::write(&stamp, lock).expect("the driver's stamp");
    assert!(entry.exists(), "npm ci installed no playwright-core");
    entry
}

/// The installed axe-core's browser build, beside the driver.
fn axe(driver: &Path) -> PathBuf {
    // driver: <dir>/node_modules/playwright-core/index.mjs
    let modules = driver
        .parent()
        .and_then(Path::parent)
        .expect("node_modules");
    let axe = modules.join("axe-core/axe.min.js");
    assert!(axe.exists(), "npm ci installed no axe-core");
    axe
}

#[test]
fn the_console_runs_a_demo_in_a_real_browser() {
    let browser = chromium();
    let driver = playwright();
    let server = Server::start();
    let out = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a scratch folder");
    let output = Command::new("node")
        .arg(root().join("tests/browser/console.mjs"))
        .env("DIORAMA_BASE", &server.base)
        .env("DIORAMA_ADMIN", ADMIN)
        .env("DIORAMA_CHROMIUM", &browser)
        .env("DIORAMA_OUT", out.path())
        .env("PLAYWRIGHT_CORE", &driver)
        .env("AXE_CORE", axe(&driver))
        .output()
        .expect("node runs the browser script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{}",
        output.status,
        server.log()
    );
    let result: Value = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("the browser script printed no RESULT line:\n{stdout}"));
    let steps: Vec<&str> = result["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for wanted in [
        "sign in",
        "create a profile from a preset",
        "start it at high speed",
        "comments appear in the feed",
        "a viral signal raises the chart",
        "reply to a comment",
        "the stream resumes after a drop",
        "a profile token sees only its profile",
        "delete the profile",
    ] {
        assert!(
            steps.contains(&wanted),
            "the step `{wanted}` did not run: {steps:?}"
        );
    }

    // What the page did is what the server holds: the profile is gone.
    let id = result["profile"].as_str().expect("the profile's id");
    server
        .get(&format!("/v1/profiles/{id}"), ADMIN)
        .error(404, "not_found");

    let bytes = result["page_bytes"].as_u64().expect("page_bytes");
    let first = result["first_feed_item_ms"]
        .as_u64()
        .expect("first_feed_item_ms");
    println!(
        "console: first load {bytes} bytes in {} requests",
        result["page_requests"]
    );
    println!("console: first feed item {first} ms after the preset was clicked");
    println!(
        "console: youtube interactions per minute {} before the viral signal, {} after",
        result["youtube_rate_before_per_min"], result["youtube_rate_after_per_min"]
    );
    println!(
        "console: {} feed items, {} rows in the page; a scroll step takes {} ms live, {} ms paused",
        result["feed_items"],
        result["feed_rows_in_dom"],
        result["feed_scroll_step_live_ms"],
        result["feed_scroll_step_paused_ms"]
    );

    // Every screen passes the WCAG 2.1 A/AA audit at both widths.
    let audited = result["audited"].as_array().expect("audited").len();
    assert!(
        audited >= 16,
        "an audit of each screen at two widths: {audited}"
    );
    let violations = result["violations"].as_array().expect("violations");
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations
            .iter()
            .map(|v| format!(
                "  {} {}: {} ({})",
                v["screen"], v["id"], v["help"], v["nodes"]
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!("console: {audited} screens audited (WCAG 2.1 A/AA), no violations");

    let shots = result["screenshots"].as_array().expect("screenshots");
    assert!(
        shots.len() >= 16,
        "a screenshot of each screen at two widths: {shots:?}"
    );
    if let Some(dir) = std::env::var_os("DIORAMA_CONSOLE_SCREENSHOTS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the screenshots' folder");
        for s in shots.iter().filter_map(Value::as_str) {
            let from = Path::new(s);
            std::fs::copy(from, dir.join(from.file_name().expect("a file name")))
                .expect("copy a screenshot");
        }
        println!(
            "console: {} screenshots copied to {}",
            shots.len(),
            dir.display()
        );
    }
}

/// Without a browser: the page and its assets are answered with their
/// types and policy, a reload with the entity tag costs a 304, they are
/// counted under their own paths, and the API document does not list them.
#[test]
fn the_console_is_served_with_its_policy_and_outside_the_api_document() {
    let server = Server::start();
    let client = reqwest::blocking::Client::new();
    for (path, kind) in [
        ("/", "text/html"),
        ("/console/app.js", "text/javascript"),
        ("/console/app.css", "text/css"),
    ] {
        let res = client.get(server.url(path)).send().expect("a request");
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("GET {path}: no {name}"))
                .to_string()
        };
        assert!(header("content-type").starts_with(kind), "GET {path}");
        assert!(header("content-security-policy").contains("default-src 'none'"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        let tag = header("etag");
        assert!(!res.text().expect("a body").is_empty());
        let again = client
            .get(server.url(path))
            .header("if-none-match", &tag)
            .send()
            .expect("a request");
        assert_eq!(again.status().as_u16(), 304, "GET {path} with its ETag");
    }
    let page = client.get(server.url("/")).send().expect("a request");
    let html = page.text().expect("the page");
    assert!(html.contains("<script type=\"module\" src=\"/console/app.js\">"));
    let metrics = server.metrics();
    assert!(
        metrics.contains("method=\"GET\",route=\"/\","),
        "the page is counted under its path:\n{metrics}"
    );
    let doc = server.get("/v1/openapi.json", ADMIN).expect(200);
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths
        .keys()
        .all(|p| p.starts_with("/v1/") || p == "/healthz" || p == "/metrics"));
    assert!(
        !paths.contains_key("/"),
        "the console is not part of the API"
    );
}
