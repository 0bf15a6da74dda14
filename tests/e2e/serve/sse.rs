//! A server-sent events client over a blocking HTTP response.

use super::*;

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
