//! YouTube's push notifications as the WebSub hub sends them
//! (https://pubsubhubbub.appspot.com, to subscribers of the topic
//! `https://www.youtube.com/xml/feeds/videos.xml?channel_id=CHANNEL_ID`):
//!
//! - the subscription is verified first: a GET to the callback with
//!   `hub.mode=subscribe`, `hub.topic`, `hub.lease_seconds` and
//!   `hub.challenge`, which the subscriber answers with;
//! - each new upload (a video or a short) is POSTed as an Atom feed
//!   (`application/atom+xml`) of one entry with `yt:videoId`,
//!   `yt:channelId`, the title, link, author, `published` and `updated`,
//!   with the hub's `Link` header, signed `X-Hub-Signature: sha1=<hex
//!   HMAC-SHA1 of the body keyed with the subscription's hub.secret>` (the
//!   host signs).
//!
//! Community posts, comments and counters are not pushed: the feed carries
//! only uploads. Edits to a video's title or description, which the hub
//! also pushes, are not simulated.

use chrono::SecondsFormat;
use diorama_sdk::{
    Event, HmacAlgorithm, Millis, Payload, SignatureScheme, SignedContent, Verification,
    WebhookDelivery, WebhookFormat,
};
use serde_json::Value;

use crate::YouTube;

/// The format's name.
pub const FORMAT: &str = "websub-atom";

const HUB: &str = "https://pubsubhubbub.appspot.com/";

/// The lease the hub grants when none is asked (5 days), and the range it
/// accepts: a subscriber renews before it ends.
const DEFAULT_LEASE: u64 = 432_000;
const MIN_LEASE: u64 = 60;
const MAX_LEASE: u64 = 864_000;

/// The format, as `describe` lists it.
pub fn format() -> WebhookFormat {
    WebhookFormat {
        name: FORMAT.into(),
        content_type: "application/atom+xml".into(),
        description: "WebSub (PubSubHubbub) push from the hub https://pubsubhubbub.appspot.com to subscribers of the topic https://www.youtube.com/xml/feeds/videos.xml?channel_id=CHANNEL_ID: an Atom feed whose entry carries yt:videoId and yt:channelId, sent when the channel uploads a video or a short; signed with X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body keyed with the hub.secret>. The callback is verified first by a GET with hub.mode=subscribe, hub.topic, hub.lease_seconds and hub.challenge. Parameters: lease_seconds (60 to 864000, default 432000).".into(),
        signature: Some(SignatureScheme {
            header: "x-hub-signature".into(),
            algorithm: HmacAlgorithm::Sha1,
            content: SignedContent::Body,
            value: "sha1={hex}".into(),
        }),
    }
}

/// The channel's topic URL.
pub fn topic(yt: &YouTube) -> String {
    format!(
        "https://www.youtube.com/xml/feeds/videos.xml?channel_id={}",
        yt.creator.id
    )
}

fn lease_seconds(params: &Value) -> Result<u64, String> {
    let map = params
        .as_object()
        .ok_or("parameters must be a JSON object")?;
    for key in map.keys() {
        if key != "lease_seconds" {
            return Err(format!(
                "unknown parameter `{key}`: `{FORMAT}` takes only `lease_seconds`"
            ));
        }
    }
    match map.get("lease_seconds") {
        None => Ok(DEFAULT_LEASE),
        Some(v) => match v.as_u64() {
            Some(n) if (MIN_LEASE..=MAX_LEASE).contains(&n) => Ok(n),
            _ => Err(format!(
                "`lease_seconds` must be a whole number from {MIN_LEASE} to {MAX_LEASE}, got {v}"
            )),
        },
    }
}

pub fn subscribe(
    yt: &YouTube,
    format: &str,
    params: &Value,
) -> Result<Option<Verification>, String> {
    if format != FORMAT {
        return Err(format!(
            "youtube sends no webhooks in the format `{format}`; its format is `{FORMAT}`"
        ));
    }
    let lease = lease_seconds(params)?;
    Ok(Some(Verification {
        query: vec![
            ("hub.mode".into(), "subscribe".into()),
            ("hub.topic".into(), topic(yt)),
            ("hub.lease_seconds".into(), lease.to_string()),
        ],
        challenge_param: "hub.challenge".into(),
    }))
}

/// An instant as the feed writes it: `2026-01-05T10:00:00+00:00`.
fn timestamp(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
        .unwrap_or_default()
}

/// Text and attribute values escaped for XML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub fn shape(yt: &YouTube, format: &str, event: &Event) -> Option<WebhookDelivery> {
    if format != FORMAT {
        return None;
    }
    let Payload::Content(c) = &event.payload else {
        return None;
    };
    if !matches!(c.kind.as_str(), "video" | "short") {
        return None;
    }
    let channel = &yt.creator.id;
    let topic = topic(yt);
    let when = timestamp(event.at);
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
<feed xmlns:yt=\"http://www.youtube.com/xml/schemas/2015\" xmlns=\"http://www.w3.org/2005/Atom\">\n\
  <link rel=\"hub\" href=\"{HUB}\"/>\n\
  <link rel=\"self\" href=\"{topic}\"/>\n\
  <title>YouTube video feed</title>\n\
  <updated>{when}</updated>\n\
  <entry>\n\
    <id>yt:video:{video}</id>\n\
    <yt:videoId>{video}</yt:videoId>\n\
    <yt:channelId>{channel}</yt:channelId>\n\
    <title>{title}</title>\n\
    <link rel=\"alternate\" href=\"https://www.youtube.com/watch?v={video}\"/>\n\
    <author>\n\
      <name>{name}</name>\n\
      <uri>https://www.youtube.com/channel/{channel}</uri>\n\
    </author>\n\
    <published>{when}</published>\n\
    <updated>{when}</updated>\n\
  </entry>\n\
</feed>\n",
        topic = escape(&topic),
        video = escape(&c.id),
        channel = escape(channel),
        title = escape(&c.title),
        name = escape(&yt.creator.display_name),
    );
    Some(WebhookDelivery {
        content_type: "application/atom+xml".into(),
        headers: vec![(
            "link".into(),
            format!("<{HUB}>; rel=hub, <{topic}>; rel=self"),
        )],
        body: body.into_bytes(),
    })
}
