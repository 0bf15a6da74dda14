//! `diorama serve` end to end: the real binary on a free port, driven over
//! HTTP by real clients (a blocking HTTP client, a server-sent events
//! reader and a webhook receiver on a plain TCP socket).
//!
//! Each test starts its own server on its own scratch data folder, at high
//! simulation speeds so minutes of virtual time pass in a second, and polls
//! with deadlines rather than sleeping. A server still running when a test
//! ends (or fails) is killed; a failing test prints the server's log.

mod action_limits;
mod actions;
mod bad_input;
mod caps;
mod control;
mod crash_drill;
mod delete;
mod delete_race;
mod isolation;
mod live;
mod metrics_labels;
mod ranges;
mod restart;
mod roles;
mod scenario_runs;
mod scripts;
mod stream;
mod sweeper;
mod webhook_targets;
mod webhooks;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The admin token every test server runs with.
pub const ADMIN: &str = "e2e-admin-token";

/// How long a test waits for something that should happen in about a
/// second before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A `diorama serve` child process on a scratch data folder.
pub struct Server {
    /// The scratch folder; the data folder is inside it.
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Everything the server wrote on stderr, across restarts.
    log: Arc<Mutex<String>>,
    client: reqwest::blocking::Client,
    /// More command-line arguments, kept across restarts.
    extra: Vec<String>,
}

/// An HTTP answer.
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    what: String,
}

impl Resp {
    /// The body as JSON (panics naming the request when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "{}: the answer is not JSON ({e}): {} {}",
                self.what, self.status, self.text
            )
        })
    }

    /// The JSON body, after checking the status.
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "{}: expected {status}, got {}: {}",
            self.what, self.status, self.text
        );
        self.json()
    }

    /// The `Retry-After` header, in whole seconds (panics naming the
    /// request when it is missing or not a number).
    pub fn retry_after(&self) -> u64 {
        self.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{}: no Retry-After in seconds", self.what))
    }

    /// Checks an error answer: its status and its JSON `error.code`; returns
    /// `error.message`.
    pub fn error(&self, status: u16, code: &str) -> String {
        let body = self.expect(status);
        assert_eq!(
            body["error"]["code"], code,
            "{}: error code: {}",
            self.what, self.text
        );
        body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no error message: {}", self.what, self.text))
            .to_string()
    }
}

impl Server {
    /// A server on a fresh data folder.
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    /// A server on a fresh data folder, with extra command-line arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        let mut s = Server {
            dir: tempfile::tempdir().expect("a scratch folder"),
            child: None,
            base: String::new(),
            log: Arc::new(Mutex::new(String::new())),
            client,
            extra: extra.iter().map(|a| a.to_string()).collect(),
        };
        s.spawn();
        s
    }

    /// The server's data folder.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Start the binary on this server's data folder and wait for the line
    /// that gives its address.
    fn spawn(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        let data = self.data();
        let mut child = Command::new(env!("CARGO_BIN_EXE_diorama"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--data",
                data.to_str().expect("utf-8 path"),
                "--admin-token",
                ADMIN,
                "--snapshot-every",
                "0.5",
                "--webhook-retry",
                "0.2",
                "--sweep-every",
                "0.2",
            ])
            .args(&self.extra)
            .current_dir(self.dir.path())
            .env("DIORAMA_CACHE_DIR", cache_dir())
            .env_remove("DIORAMA_LOG")
            .env_remove("DIORAMA_ADMIN_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the diorama binary starts");
        // Drain both pipes on threads so the server never blocks writing.
        let stderr = child.stderr.take().expect("piped stderr");
        let log = self.log.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                log.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut first = String::new();
            let _ = r.read_line(&mut first);
            let _ = tx.send(first);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        self.child = Some(child);
        let first = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no address line within 120 s\n{}", self.log()));
        let url = first
            .trim()
            .strip_prefix("diorama serve: listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| {
                panic!(
                    "the first stdout line is not the address: {first:?}\n{}",
                    self.log()
                )
            });
        assert!(
            first.contains(&format!("(data: {})", data.display())),
            "the address line names the data folder: {first:?}"
        );
        self.base = url.to_string();
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server runs").id()
    }

    /// SIGTERM, then wait (up to 30 s) for a clean exit 0.
    pub fn terminate(&mut self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {pid} failed");
        let code = self.wait_exit(Duration::from_secs(30));
        assert_eq!(code, Some(0), "exit after SIGTERM\n{}", self.log());
        assert!(
            self.log().contains("diorama serve: stopped cleanly"),
            "the clean-stop message\n{}",
            self.log()
        );
    }

    /// SIGKILL: a crash.
    pub fn crash(&mut self) {
        let mut child = self.child.take().expect("the server runs");
        child.kill().expect("kill -9");
        child.wait().expect("the killed server is reaped");
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        let child = self.child.as_mut().expect("the server runs");
        loop {
            if let Some(status) = child.try_wait().expect("wait for the server") {
                self.child = None;
                return status.code();
            }
            if Instant::now() > deadline {
                panic!("the server did not exit within {limit:?}\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start again on the same data folder.
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// Start again on the same data folder with other extra arguments.
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.extra = extra.iter().map(|a| a.to_string()).collect();
        self.spawn();
    }

    // --- requests ---

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Any request; `body` is sent as JSON.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut req = self.client.request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("a method"),
            self.url(path),
        );
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.send(req, format!("{method} {path}"))
    }

    /// Send a prepared request.
    pub fn send(&self, req: reqwest::blocking::RequestBuilder, what: String) -> Resp {
        let res = req
            .send()
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", self.log()));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res
            .text()
            .unwrap_or_else(|e| panic!("{what}: reading the body: {e}"));
        Resp {
            status,
            headers,
            text,
            what,
        }
    }

    /// A raw request builder (for odd bodies and headers).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::blocking::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str, token: &str) -> Resp {
        self.call("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.call("POST", path, Some(token), Some(body))
    }

    /// Create a profile (admin); returns its view with its `token`.
    pub fn create(&self, body: Value) -> Profile {
        let view = self.post("/v1/profiles", ADMIN, &body).expect(201);
        Profile {
            id: view["id"].as_str().expect("an id").to_string(),
            token: view["token"].as_str().expect("a token").to_string(),
            view,
        }
    }

    /// The profile's view, read with `token`.
    pub fn view(&self, id: &str, token: &str) -> Value {
        self.get(&format!("/v1/profiles/{id}"), token).expect(200)
    }

    /// Pause (admin).
    pub fn pause(&self, id: &str) -> Value {
        let v = self
            .post(&format!("/v1/profiles/{id}/pause"), ADMIN, &json!({}))
            .expect(200);
        assert_eq!(v["status"], "paused", "{v}");
        v
    }

    /// Every stored event of the profile, oldest first, through the pages.
    pub fn all_events(&self, id: &str, token: &str) -> Vec<Value> {
        self.pages(&format!("/v1/profiles/{id}/events?limit=1000"), token)
    }

    /// Every item of a paged listing (`path` has a query already).
    pub fn pages(&self, path: &str, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let p = match &after {
                Some(a) => format!("{path}&after={a}"),
                None => path.to_string(),
            };
            let page = self.get(&p, token).expect(200);
            let items = page["items"].as_array().expect("items").clone();
            out.extend(items);
            if page["has_more"] != true {
                return out;
            }
            after = Some(page["next"].as_str().expect("a next cursor").to_string());
        }
    }

    /// The Prometheus text.
    pub fn metrics(&self) -> String {
        let r = self.call("GET", "/metrics", None, None);
        assert_eq!(r.status, 200, "/metrics: {}", r.text);
        r.text
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- diorama serve log ({})\n{}", self.base, self.log());
        }
    }
}

/// A created profile.
pub struct Profile {
    pub id: String,
    pub token: String,
    /// The view `POST /v1/profiles` answered.
    pub view: Value,
}

/// The compiled-component cache shared with the other e2e tests.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache")
}

/// Poll `check` every 50 ms until it gives a value; fail after `limit`
/// saying what was awaited.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The value of an unlabelled Prometheus sample (`name value`).
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Checks that events are numbered 1..=N with no gap and no duplicate;
/// returns N.
pub fn assert_contiguous(events: &[Value], what: &str) -> u64 {
    for (i, e) in events.iter().enumerate() {
        let want = i as u64 + 1;
        assert_eq!(
            e["seq"].as_u64(),
            Some(want),
            "{what}: event #{i} should have seq {want}: {e}\n(seqs around it: {:?})",
            events[i.saturating_sub(3)..(i + 3).min(events.len())]
                .iter()
                .map(|e| e["seq"].clone())
                .collect::<Vec<_>>()
        );
    }
    events.len() as u64
}

/// A server-sent events client over a blocking HTTP response.
pub struct Sse {
    lines: BufReader<reqwest::blocking::Response>,
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl Sse {
    /// Open `path` (with `Last-Event-ID` when given); reads time out after 10 s.
    pub fn open(server: &Server, path: &str, token: &str, last_id: Option<u64>) -> Sse {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        let mut req = client
            .get(server.url(path))
            .bearer_auth(token)
            .header("accept", "text/event-stream");
        if let Some(id) = last_id {
            req = req.header("last-event-id", id.to_string());
        }
        let res = req.send().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            ctype.starts_with("text/event-stream"),
            "GET {path}: content-type {ctype:?}"
        );
        Sse {
            lines: BufReader::new(res),
        }
    }

    /// The next event (keep-alive comments skipped); panics when the
    /// stream ends or is silent for 10 s.
    pub fn next(&mut self) -> SseEvent {
        let mut ev = SseEvent {
            id: None,
            event: None,
            data: String::new(),
        };
        let mut has_data = false;
        loop {
            let mut line = String::new();
            let n = self
                .lines
                .read_line(&mut line)
                .unwrap_or_else(|e| panic!("reading the event stream: {e}"));
            assert!(n > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if has_data || ev.id.is_some() {
                    return ev;
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => ev.id = Some(value.to_string()),
                "event" => ev.event = Some(value.to_string()),
                "data" => {
                    if has_data {
                        ev.data.push('\n');
                    }
                    ev.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
    }
}

/// A webhook receiver on a real socket: records every request's body and
/// headers, answers 200 (or drops connections while "down").
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Delivery>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Delivery {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Receiver {
    /// Listen on `port` (0 = any free one).
    pub fn start(port: u16, got: Arc<Mutex<Vec<Delivery>>>) -> Receiver {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("the receiver binds 127.0.0.1:{port}: {e}"));
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (stop2, got2) = (stop.clone(), got.clone());
        let thread = std::thread::spawn(move || {
            while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        let _ = receive(conn, &got2);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            // The listener closes here: the port refuses connections.
        });
        Receiver {
            port,
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// Stop listening (connections are refused until started again).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("the receiver thread");
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Read one HTTP/1.1 request (headers, then a Content-Length body), record
/// it, then answer 200: by the time the sender sees the answer, the
/// delivery is recorded.
fn receive(conn: std::net::TcpStream, got: &Mutex<Vec<Delivery>>) -> Option<()> {
    use std::io::Write;
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut r = BufReader::new(conn.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    if !line.starts_with("POST ") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    got.lock().unwrap().push(Delivery { headers, body });
    let mut w = conn;
    w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .ok()?;
    w.flush().ok()
}

/// Wall-clock unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}
