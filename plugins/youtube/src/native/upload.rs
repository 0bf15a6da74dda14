//! `videos.insert`: a video with its metadata, uploaded in one multipart
//! request (`uploadType=multipart`) or as a resumable upload
//! (`uploadType=resumable`: a first request with the metadata answers the
//! session's URL in `Location`; the bytes follow in one or more `PUT`s with
//! `Content-Range`, each answered `308` with the `Range` received until the
//! last, which publishes). Publishing is the `publish` action, as through
//! `/v1`. The bytes themselves are counted, not kept.
//!
//! The session URL points back at this server: `http://HOST/native/youtube/
//! upload/...` for a request that came through the `/native/youtube/` root,
//! `https://HOST/upload/...` for one addressed to a YouTube API host name
//! (`X-Forwarded-Proto` and `X-Forwarded-Host` override the scheme and
//! host).

use diorama_sdk::{HttpRequest, HttpResponse, NativeOutcome};
use serde_json::{json, Map, Value};

use super::memory::{Session, MAX_DESCRIPTION, MAX_SESSIONS, MAX_TITLE};
use super::query::Query;
use super::resources;
use super::writes::{act_outcome, json_body};
use super::{body_error, error, etag, param_error, Method, Shape};
use crate::YouTube;

/// The largest video accepted (YouTube's own limit: 256 GB).
const MAX_VIDEO_BYTES: u64 = 256 * 1000 * 1000 * 1000;
/// The longest multipart boundary accepted (RFC 2046: 70).
const MAX_BOUNDARY: usize = 70;

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Title and description from the metadata, checked as YouTube checks them.
fn metadata(body: &Map<String, Value>) -> Result<(String, String), HttpResponse> {
    let snippet = body.get("snippet");
    let title = snippet.and_then(|s| s.get("title")).and_then(Value::as_str);
    let Some(title) = title.filter(|t| !t.trim().is_empty()) else {
        return Err(body_error(
            400,
            "invalidTitle",
            "The request metadata needs a non-empty snippet.title",
            "snippet.title",
        ));
    };
    if title.chars().count() > MAX_TITLE || title.contains(['<', '>']) {
        return Err(body_error(
            400,
            "invalidTitle",
            "snippet.title is longer than 100 characters or holds < or >",
            "snippet.title",
        ));
    }
    let description = snippet
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if description.len() > MAX_DESCRIPTION || description.contains(['<', '>']) {
        return Err(body_error(
            400,
            "invalidDescription",
            "snippet.description is longer than 5000 bytes or holds < or >",
            "snippet.description",
        ));
    }
    Ok((title.to_string(), description.to_string()))
}

fn publish(shape: &Shape, title: &str, description: &str) -> NativeOutcome {
    act_outcome(
        Method::VideosInsert,
        shape,
        "publish",
        json!({ "kind": "video", "title": title, "description": description }),
    )
}

fn check_media_type(mime: &str, what: &str) -> Result<(), HttpResponse> {
    let mime = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.starts_with("video/") || mime == "application/octet-stream" {
        Ok(())
    } else {
        Err(error(
            400,
            "invalidMediaType",
            &format!("{what}: the media type '{mime}' is not a video (video/* or application/octet-stream)"),
        ))
    }
}

/// `POST /upload/youtube/v3/videos` (or without `/upload`).
pub fn insert(yt: &YouTube, request: &HttpRequest, q: &Query, shape: &Shape) -> NativeOutcome {
    match start(yt, request, q, shape) {
        Ok(o) => o,
        Err(e) => NativeOutcome::Respond(e),
    }
}

fn start(
    yt: &YouTube,
    request: &HttpRequest,
    q: &Query,
    shape: &Shape,
) -> Result<NativeOutcome, HttpResponse> {
    q.only(&[
        "notifySubscribers",
        "autoLevels",
        "stabilize",
        "onBehalfOfContentOwner",
        "onBehalfOfContentOwnerChannel",
    ])?;
    shape.parts(resources::VIDEO_PARTS)?;
    let upload = !request.path.starts_with("/youtube/");
    match q.get("uploadType") {
        None if !upload => Err(error(
            400,
            "mediaBodyRequired",
            "The request does not include the video content: upload it to /upload/youtube/v3/videos",
        )),
        Some("multipart") => {
            let (meta, media_type, media) = multipart(request)?;
            check_media_type(&media_type, "the second part")?;
            if media == 0 {
                return Err(error(400, "mediaBodyRequired", "The request does not include the video content."));
            }
            let (title, description) = metadata(&meta)?;
            Ok(publish(shape, &title, &description))
        }
        Some("resumable") => {
            let body = if request.body.is_empty() {
                Map::new()
            } else {
                json_body(request)?
            };
            let (title, description) = metadata(&body)?;
            if let Some(mime) = header(request, "x-upload-content-type") {
                check_media_type(mime, "X-Upload-Content-Type")?;
            }
            let total = match header(request, "x-upload-content-length") {
                None => None,
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 && n <= MAX_VIDEO_BYTES => Some(n),
                    _ => {
                        return Err(error(
                            400,
                            "badContent",
                            &format!("X-Upload-Content-Length '{v}' is not a length from 1 to {MAX_VIDEO_BYTES}"),
                        ))
                    }
                },
            };
            let n = yt.native.sessions_started.get() + 1;
            yt.native.sessions_started.set(n);
            let id = format!("AUjE{}", etag(&format!("{}:{n}", yt.creator.id)));
            let mut sessions = yt.native.sessions.borrow_mut();
            if sessions.len() >= MAX_SESSIONS {
                sessions.pop_front();
            }
            sessions.push_back(Session {
                id: id.clone(),
                title,
                description,
                total,
                received: 0,
                part: shape.part.clone(),
                fields: shape.fields.clone(),
            });
            let mut location = format!(
                "{}/upload/youtube/v3/videos?uploadType=resumable&upload_id={id}",
                base_url(request)
            );
            if let Some(part) = &shape.part {
                location.push_str("&part=");
                location.extend(form_urlencoded::byte_serialize(part.as_bytes()));
            }
            Ok(NativeOutcome::Respond(HttpResponse {
                status: 200,
                headers: vec![
                    ("location".into(), location),
                    ("x-guploader-uploadid".into(), id),
                    ("content-length".into(), "0".into()),
                ],
                body: Vec::new(),
            }))
        }
        Some("media") | None => Err(body_error(
            400,
            "invalidTitle",
            "An upload without metadata has no snippet.title: use uploadType=multipart or resumable with the video's snippet",
            "snippet.title",
        )),
        Some(other) => Err(param_error(
            400,
            "invalidParameter",
            &format!("Invalid value '{other}' for parameter uploadType: expected multipart, resumable or media"),
            "uploadType",
        )),
    }
}

/// Where this server is, as the client reached it.
fn base_url(request: &HttpRequest) -> String {
    let host = header(request, "x-forwarded-host")
        .or_else(|| header(request, "host"))
        .unwrap_or("localhost")
        .trim();
    let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
    let api_host = name == "www.googleapis.com" || name == "youtube.googleapis.com";
    let scheme = header(request, "x-forwarded-proto")
        .filter(|p| *p == "http" || *p == "https")
        .unwrap_or(if api_host { "https" } else { "http" });
    let prefix = if api_host { "" } else { "/native/youtube" };
    format!("{scheme}://{host}{prefix}")
}

/// `PUT` of a resumable upload's bytes.
pub fn chunk(yt: &YouTube, request: &HttpRequest, q: &Query) -> NativeOutcome {
    match put(yt, request, q) {
        Ok(o) => o,
        Err(e) => NativeOutcome::Respond(e),
    }
}

fn put(yt: &YouTube, request: &HttpRequest, q: &Query) -> Result<NativeOutcome, HttpResponse> {
    if q.get("uploadType") != Some("resumable") {
        return Err(error(405, "methodNotAllowed", "PUT on /upload/youtube/v3/videos continues a resumable upload (uploadType=resumable&upload_id=...)"));
    }
    let id = q.required("upload_id")?;
    let mut sessions = yt.native.sessions.borrow_mut();
    let Some(pos) = sessions.iter().position(|s| s.id == id) else {
        return Err(error(
            404,
            "notFound",
            "No upload session with this upload_id (it finished, or a newer one closed it).",
        ));
    };
    let len = request.body.len() as u64;
    let s = &mut sessions[pos];
    // Content-Range: bytes FIRST-LAST/TOTAL, bytes */TOTAL (a status
    // query), or none (the whole video at once).
    let (first, total) = match header(request, "content-range") {
        None => (Some(0), Some(len)),
        Some(range) => parse_range(range).ok_or_else(|| {
            error(
                400,
                "badContent",
                &format!("Content-Range '{range}' is not bytes FIRST-LAST/TOTAL or bytes */TOTAL"),
            )
        })?,
    };
    if let (Some(t), Some(announced)) = (total, s.total) {
        if t != announced {
            return Err(error(
                400,
                "badContent",
                &format!("Content-Range gives the total {t}, the upload announced {announced}"),
            ));
        }
    }
    if let Some(t) = total {
        if t > MAX_VIDEO_BYTES {
            return Err(error(400, "badContent", "the video is larger than 256 GB"));
        }
        s.total = Some(t);
    }
    match first {
        // A status query.
        None => {}
        Some(first) if first == s.received => {
            s.received = s.received.saturating_add(len);
            if s.total.is_some_and(|t| s.received > t) {
                return Err(error(
                    400,
                    "badContent",
                    "more bytes than the announced total",
                ));
            }
        }
        Some(first) => {
            return Err(error(
                400,
                "badContent",
                &format!(
                    "the chunk starts at byte {first}, the upload has {} bytes",
                    s.received
                ),
            ))
        }
    }
    if s.total.is_some_and(|t| t > 0 && s.received == t) {
        let s = sessions.remove(pos).unwrap_or_else(|| unreachable!());
        let shape = Shape {
            part: s.part,
            fields: s.fields,
        };
        return Ok(publish(&shape, &s.title, &s.description));
    }
    let mut headers = vec![("content-length".into(), "0".into())];
    if s.received > 0 {
        headers.push(("range".into(), format!("bytes=0-{}", s.received - 1)));
    }
    Ok(NativeOutcome::Respond(HttpResponse {
        status: 308,
        headers,
        body: Vec::new(),
    }))
}

/// `bytes A-B/T`, `bytes A-B/*` or `bytes */T`: (first byte, total).
fn parse_range(range: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = range.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let total = match total {
        "*" => None,
        t => Some(t.parse::<u64>().ok()?),
    };
    if span == "*" {
        return Some((None, total));
    }
    let (a, b) = span.split_once('-')?;
    let (a, b) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
    (a <= b).then_some((Some(a), total))
}

/// A `multipart/related` body: the metadata (JSON), the media's type and
/// its length.
fn multipart(request: &HttpRequest) -> Result<(Map<String, Value>, String, usize), HttpResponse> {
    let bad = |msg: &str| error(400, "badContent", msg);
    let ctype = header(request, "content-type").unwrap_or("");
    if !ctype.to_ascii_lowercase().starts_with("multipart/related") {
        return Err(bad("uploadType=multipart needs a multipart/related body"));
    }
    let boundary = ctype
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty() && b.len() <= MAX_BOUNDARY)
        .ok_or_else(|| bad("the multipart/related Content-Type has no boundary"))?;
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest: &[u8] = body;
    let Some(first) = find(rest, delimiter.as_bytes()) else {
        return Err(bad("the body holds no multipart boundary"));
    };
    rest = &rest[first + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        let Some(next) = find(rest, delimiter.as_bytes()) else {
            return Err(bad("the multipart body is not closed"));
        };
        parts.push(&rest[..next]);
        rest = &rest[next + delimiter.len()..];
        if parts.len() > 2 {
            return Err(bad(
                "a video upload has two parts: the metadata and the video",
            ));
        }
    }
    if parts.len() != 2 {
        return Err(bad(
            "a video upload has two parts: the metadata and the video",
        ));
    }
    let split = |part: &[u8]| -> Result<(String, Vec<u8>), HttpResponse> {
        let part = strip_newline_front(part);
        let (head, content) = if let Some(i) = find(part, b"\r\n\r\n") {
            (&part[..i], &part[i + 4..])
        } else if let Some(i) = find(part, b"\n\n") {
            (&part[..i], &part[i + 2..])
        } else {
            return Err(bad("a multipart part has no header block"));
        };
        let head = String::from_utf8_lossy(head);
        let mime = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        Ok((mime, strip_newline_back(content).to_vec()))
    };
    let (meta_type, meta) = split(parts[0])?;
    if !meta_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(bad(
            "the first part (the metadata) must be application/json",
        ));
    }
    let meta = match serde_json::from_slice::<Value>(&meta) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(error(
                400,
                "parseError",
                "The metadata part is not a JSON object.",
            ))
        }
    };
    let (media_type, media) = split(parts[1])?;
    Ok((meta, media_type, media.len()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn strip_newline_front(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\r\n")
        .or_else(|| b.strip_prefix(b"\n"))
        .unwrap_or(b)
}

fn strip_newline_back(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r\n")
        .or_else(|| b.strip_suffix(b"\n"))
        .unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_as_the_resumable_protocol_sends_them() {
        assert_eq!(
            parse_range("bytes 0-262143/600000"),
            Some((Some(0), Some(600_000)))
        );
        assert_eq!(
            parse_range("bytes 262144-524287/*"),
            Some((Some(262_144), None))
        );
        assert_eq!(parse_range("bytes */600000"), Some((None, Some(600_000))));
        assert_eq!(parse_range("bytes 5-4/10"), None);
        assert_eq!(parse_range("0-4/10"), None);
    }
}
