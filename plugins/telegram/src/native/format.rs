//! The Bot API's parse modes: a message's text with `HTML`, `MarkdownV2`
//! or `Markdown` markup becomes plain text and entities (offsets and
//! lengths in UTF-16 code units), or the server's "can't parse entities"
//! error.

use serde_json::{json, Value};

/// A formatting entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub kind: &'static str,
    pub offset: usize,
    pub length: usize,
    pub url: Option<String>,
}

impl Entity {
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "type": self.kind, "offset": self.offset, "length": self.length });
        if let Some(url) = &self.url {
            v["url"] = json!(url);
        }
        v
    }
}

/// Text and entities of `text` under `mode` (`None`: as it is).
pub fn parse(text: &str, mode: Option<&str>) -> Result<(String, Vec<Entity>), String> {
    match mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok((text.to_string(), Vec::new())),
        Some("html") => html(text),
        Some("markdownv2") => markdown(text, true),
        Some("markdown") => markdown(text, false),
        Some(_) => Err("Bad Request: unsupported parse_mode".into()),
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

struct Builder {
    out: String,
    len16: usize,
    open: Vec<(String, &'static str, usize, Option<String>)>,
    entities: Vec<Entity>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            out: String::new(),
            len16: 0,
            open: Vec::new(),
            entities: Vec::new(),
        }
    }

    fn push(&mut self, c: char) {
        self.out.push(c);
        self.len16 += c.len_utf16();
    }

    fn push_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.len16 += utf16_len(s);
    }

    fn open(&mut self, tag: &str, kind: &'static str, url: Option<String>) {
        self.open.push((tag.to_string(), kind, self.len16, url));
    }

    /// Close the innermost `tag`; false when it is not the innermost open.
    fn close(&mut self, tag: &str) -> bool {
        match self.open.last() {
            Some((t, ..)) if t == tag => {}
            _ => return false,
        }
        let (_, kind, start, url) = self.open.pop().expect("checked above");
        if self.len16 > start {
            self.entities.push(Entity {
                kind,
                offset: start,
                length: self.len16 - start,
                url,
            });
        }
        true
    }

    fn finish(mut self) -> Result<(String, Vec<Entity>), String> {
        if let Some((tag, ..)) = self.open.last() {
            return Err(format!(
                "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            ));
        }
        self.entities
            .sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
        Ok((self.out, self.entities))
    }
}

/// HTML: `b strong i em u ins s strike del span class="tg-spoiler"
/// tg-spoiler a href code pre blockquote`, the entities `&lt; &gt; &amp;
/// &quot;` and numeric ones.
fn html(text: &str) -> Result<(String, Vec<Entity>), String> {
    let mut b = Builder::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let at = text.len() - rest.len();
        if c == '<' {
            let Some(end) = rest.find('>') else {
                return Err(format!(
                    "Bad Request: can't parse entities: Unclosed start tag at byte offset {at}"
                ));
            };
            let inner = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = inner.strip_prefix('/') {
                let name = name.trim().to_ascii_lowercase();
                if !b.close(&name) {
                    return Err(format!(
                        "Bad Request: can't parse entities: Unmatched end tag at byte offset {at}, expected \"</{}>\", found \"</{name}>\"",
                        b.open.last().map_or("", |o| o.0.as_str())
                    ));
                }
                continue;
            }
            let mut parts = inner.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let attrs = parts.next().unwrap_or("");
            let kind = match name.as_str() {
                "b" | "strong" => "bold",
                "i" | "em" => "italic",
                "u" | "ins" => "underline",
                "s" | "strike" | "del" => "strikethrough",
                "tg-spoiler" => "spoiler",
                "span" if attrs.contains("tg-spoiler") => "spoiler",
                "code" => "code",
                "pre" => "pre",
                "blockquote" => "blockquote",
                "a" => "text_link",
                _ => {
                    return Err(format!(
                        "Bad Request: can't parse entities: Unsupported start tag \"{name}\" at byte offset {at}"
                    ))
                }
            };
            let url = if kind == "text_link" {
                let href = attrs
                    .split("href=")
                    .nth(1)
                    .map(|v| v.trim_start_matches(['"', '\'']))
                    .and_then(|v| v.split(['"', '\'']).next())
                    .filter(|v| !v.is_empty());
                match href {
                    Some(h) => Some(h.to_string()),
                    None => {
                        return Err(format!(
                            "Bad Request: can't parse entities: Can't find \"href\" attribute of the \"a\" tag at byte offset {at}"
                        ))
                    }
                }
            } else {
                None
            };
            b.open(&name, kind, url);
        } else if c == '&' {
            let end = rest.find(';').filter(|e| *e <= 10);
            let decoded = end.and_then(|e| match &rest[1..e] {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            });
            match (decoded, end) {
                (Some(ch), Some(e)) => {
                    b.push(ch);
                    rest = &rest[e + 1..];
                }
                _ => {
                    b.push('&');
                    rest = &rest[1..];
                }
            }
        } else {
            b.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    b.finish()
}

/// MarkdownV2 (`v2`): `*bold* _italic_ __underline__ ~strike~ ||spoiler||
/// `code` ```pre``` [text](url)`, every other reserved character escaped
/// with `\`. Markdown (legacy): `*bold* _italic_ `code` ```pre```
/// [text](url)`.
fn markdown(text: &str, v2: bool) -> Result<(String, Vec<Entity>), String> {
    const RESERVED: &str = "_*[]()~`>#+-=|{}.!";
    let mut b = Builder::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut byte = 0;
    let mut link_text_start: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let at = byte;
        byte += c.len_utf8();
        if v2 && c == '\\' {
            if let Some(n) = next {
                b.push(n);
                byte += n.len_utf8();
                i += 2;
                continue;
            }
        }
        let marker: Option<(&str, &'static str, usize)> = match (c, next) {
            ('`', Some('`')) if chars.get(i + 2) == Some(&'`') => Some(("```", "pre", 3)),
            ('`', _) => Some(("`", "code", 1)),
            ('*', _) => Some(("*", "bold", 1)),
            ('_', Some('_')) if v2 => Some(("__", "underline", 2)),
            ('_', _) => Some(("_", "italic", 1)),
            ('~', _) if v2 => Some(("~", "strikethrough", 1)),
            ('|', Some('|')) if v2 => Some(("||", "spoiler", 2)),
            _ => None,
        };
        if let Some((tag, kind, width)) = marker {
            let opened = !b.close(tag);
            if opened {
                b.open(tag, kind, None);
            }
            for k in 1..width {
                byte += chars[i + k].len_utf8();
            }
            i += width;
            // Code and pre hold their text as it is.
            if opened && (kind == "code" || kind == "pre") {
                while i < chars.len() {
                    let d = chars[i];
                    let closes = match width {
                        3 => {
                            d == '`'
                                && chars.get(i + 1) == Some(&'`')
                                && chars.get(i + 2) == Some(&'`')
                        }
                        _ => d == '`',
                    };
                    if closes {
                        break;
                    }
                    if v2 && d == '\\' && i + 1 < chars.len() {
                        i += 1;
                        byte += 1;
                    }
                    b.push(chars[i]);
                    byte += chars[i].len_utf8();
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(format!(
                        "Bad Request: can't parse entities: Can't find end of {} entity at byte offset {at}",
                        if width == 3 { "Pre" } else { "Code" }
                    ));
                }
            }
            continue;
        }
        if c == '[' && link_text_start.is_none() {
            link_text_start = Some(b.len16);
            b.open("[", "text_link", None);
            i += 1;
            continue;
        }
        if c == ']' && link_text_start.is_some() && next == Some('(') {
            let close = chars[i + 2..].iter().position(|&d| d == ')');
            let Some(close) = close else {
                return Err(format!(
                    "Bad Request: can't parse entities: Can't find end of a URL at byte offset {at}"
                ));
            };
            let url: String = chars[i + 2..i + 2 + close].iter().collect();
            if let Some(last) = b.open.last_mut() {
                last.3 = Some(url.clone());
            }
            if !b.close("[") {
                return Err(format!(
                    "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset {at}"
                ));
            }
            byte += 1 + url.len() + 1;
            i += 3 + close;
            link_text_start = None;
            continue;
        }
        if v2 && RESERVED.contains(c) {
            return Err(format!(
                "Bad Request: can't parse entities: Character '{c}' is reserved and must be escaped with the preceding '\\'"
            ));
        }
        b.push(c);
        i += 1;
    }
    if let Some((tag, kind, start, _)) = b.open.last() {
        let _ = (tag, start);
        return Err(format!(
            "Bad Request: can't parse entities: Can't find end of {} entity at byte offset {}",
            entity_word(kind),
            text.len()
        ));
    }
    b.push_str("");
    b.finish()
}

fn entity_word(kind: &str) -> &'static str {
    match kind {
        "bold" => "Bold",
        "italic" => "Italic",
        "underline" => "Underline",
        "strikethrough" => "Strikethrough",
        "spoiler" => "Spoiler",
        "text_link" => "TextUrl",
        _ => "the",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(e: &[Entity]) -> Vec<(&str, usize, usize)> {
        e.iter().map(|e| (e.kind, e.offset, e.length)).collect()
    }

    #[test]
    fn html_gives_text_and_entities_in_utf16() {
        let (t, e) = parse(
            "<b>bold</b> and <i>😀 it</i> &amp; <a href=\"https://x.example\">x</a>",
            Some("HTML"),
        )
        .unwrap();
        assert_eq!(t, "bold and 😀 it & x");
        assert_eq!(
            kinds(&e),
            vec![("bold", 0, 4), ("italic", 9, 5), ("text_link", 17, 1)]
        );
        assert_eq!(e[2].url.as_deref(), Some("https://x.example"));
        let err = parse("<blink>no</blink>", Some("HTML")).unwrap_err();
        assert!(err.contains("Unsupported start tag \"blink\""), "{err}");
        assert!(parse("<b>open", Some("HTML"))
            .unwrap_err()
            .contains("end tag"));
    }

    #[test]
    fn markdown_v2_wants_reserved_characters_escaped() {
        let (t, e) = parse(
            "*hi* _there_ \\. ||s|| [l](https://l.example) `a.b`",
            Some("MarkdownV2"),
        )
        .unwrap();
        assert_eq!(t, "hi there . s l a.b");
        assert_eq!(
            kinds(&e),
            vec![
                ("bold", 0, 2),
                ("italic", 3, 5),
                ("spoiler", 11, 1),
                ("text_link", 13, 1),
                ("code", 15, 3)
            ]
        );
        let err = parse("done.", Some("MarkdownV2")).unwrap_err();
        assert!(err.contains("Character '.' is reserved"), "{err}");
        let (t, _) = parse("done. *b*", Some("Markdown")).unwrap();
        assert_eq!(t, "done. b");
        assert!(parse("x", Some("Klingon")).is_err());
    }
}
