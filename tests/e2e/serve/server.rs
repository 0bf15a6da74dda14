//! The server under test: a `diorama serve` child process, its answers and
//! a created profile.

use super::*;

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
    pub(super) what: String,
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
