//! A reading sample of a run: comments, replies and direct messages picked
//! evenly over the log, each with what a reader needs to judge it (the post
//! it sits under, the comment it answers), for a blind read of how the
//! text comes across (`diorama stats DIR --sample N`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::{lines, Line, StatsError};

/// The most lines a sample holds.
pub const MAX_SAMPLE: usize = 10_000;
/// Share of a sample that is direct messages (the rest: comments and
/// replies), when the log has enough of them.
const DM_SHARE: f64 = 0.2;
/// Texts remembered to show a reply's parent and a comment's post: past
/// this many the oldest are forgotten, and a reply to one shows none.
const REMEMBERED: usize = 500_000;

/// `n` lines (1 to [`MAX_SAMPLE`]) from `dir`'s log, the same lines for
/// the same log, in the log's order.
pub fn sample(dir: &Path, n: usize) -> Result<String, StatsError> {
    let n = n.clamp(1, MAX_SAMPLE);
    // First pass: how many of each there are.
    let (mut comments, mut dms) = (0usize, 0usize);
    for e in lines(dir)? {
        match kind(&e?) {
            Some(Kind::Comment) => comments += 1,
            Some(Kind::Dm) => dms += 1,
            None => {}
        }
    }
    let want_dms = ((n as f64 * DM_SHARE).round() as usize).min(dms);
    let want_comments = (n - want_dms).min(comments);
    let want_dms = (n - want_comments).min(dms);
    let pick_comments = Evenly::new(comments, want_comments);
    let pick_dms = Evenly::new(dms, want_dms);

    // Second pass: the chosen lines, with their posts and parents.
    let mut posts = Remembered::default();
    let mut texts = Remembered::default();
    let (mut seen_comments, mut seen_dms) = (0usize, 0usize);
    let mut out = String::new();
    let mut written = 0usize;
    for e in lines(dir)? {
        let e = e?;
        if e.type_name == "content" {
            if let Some(id) = &e.id {
                let title = e.title.as_deref().or(e.text.as_deref()).unwrap_or("");
                posts.insert(id, title);
            }
            continue;
        }
        let chosen = match kind(&e) {
            Some(Kind::Comment) => {
                if let Some(id) = &e.id {
                    texts.insert(id, e.text.as_deref().unwrap_or(""));
                }
                seen_comments += 1;
                pick_comments.takes(seen_comments - 1)
            }
            Some(Kind::Dm) => {
                seen_dms += 1;
                pick_dms.takes(seen_dms - 1)
            }
            None => false,
        };
        if !chosen {
            continue;
        }
        written += 1;
        let author = e.author.as_ref().map(|a| a.handle.as_str()).unwrap_or("");
        let _ = write!(
            out,
            "{written:>4} | {} | {} | {} | {author} | {}",
            e.profile,
            e.platform,
            e.kind,
            one_line(e.text.as_deref().unwrap_or(""))
        );
        if let Some(post) = e.content_id.as_deref().and_then(|c| posts.get(c)) {
            let _ = write!(out, "  [post: {}]", one_line(post));
        }
        if let Some(parent) = e.parent_id.as_deref().and_then(|p| texts.get(p)) {
            let _ = write!(out, "  [answers: {}]", one_line(parent));
        }
        out.push('\n');
    }
    let mut head = String::new();
    let seed = std::fs::read_to_string(dir.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|r| r["seed"].as_u64())
        .map(|s| format!(" (seed {s})"))
        .unwrap_or_default();
    let _ = writeln!(
        head,
        "# {written} lines of a run{seed}: {want_comments} comments and replies, {want_dms} direct messages, evenly spaced over it"
    );
    let _ = writeln!(
        head,
        "# n | profile | platform | kind | author | text   (a comment shows its post's title; a reply, the comment it answers)"
    );
    head.push_str(&out);
    Ok(head)
}

enum Kind {
    Comment,
    Dm,
}

fn kind(e: &Line) -> Option<Kind> {
    if e.type_name != "interaction" {
        return None;
    }
    match e.kind.as_str() {
        "comment" | "reply" => Some(Kind::Comment),
        "dm" => Some(Kind::Dm),
        _ => None,
    }
}

/// Picks `want` of `total` items, evenly spaced, the middle of each stretch.
struct Evenly {
    total: usize,
    want: usize,
}

impl Evenly {
    fn new(total: usize, want: usize) -> Self {
        Evenly {
            total,
            want: want.min(total),
        }
    }

    /// Whether item `i` (from 0) is one of the chosen.
    fn takes(&self, i: usize) -> bool {
        if self.want == 0 || i >= self.total {
            return false;
        }
        // Of the items before i, floor(i·want/total + 1/2) are chosen: item
        // i is when that count steps up after it (the middles of `want`
        // equal stretches, `want` in all).
        let (t, w) = (self.total as u128, self.want as u128);
        let before = |i: u128| (2 * i * w + t) / (2 * t);
        let i = i as u128;
        before(i + 1) > before(i)
    }
}

/// Texts by id, the most recent [`REMEMBERED`] of them.
#[derive(Default)]
struct Remembered {
    by_id: BTreeMap<String, (u64, String)>,
    order: BTreeMap<u64, String>,
    next: u64,
}

impl Remembered {
    fn insert(&mut self, id: &str, text: &str) {
        if let Some((old, _)) = self.by_id.remove(id) {
            self.order.remove(&old);
        }
        self.by_id
            .insert(id.to_string(), (self.next, text.to_string()));
        self.order.insert(self.next, id.to_string());
        self.next += 1;
        if self.by_id.len() > REMEMBERED {
            if let Some((_, oldest)) = self.order.pop_first() {
                self.by_id.remove(&oldest);
            }
        }
    }

    fn get(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|(_, t)| t.as_str())
    }
}

/// A text on one line: line breaks as spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::Evenly;

    #[test]
    fn evenly_takes_exactly_what_is_wanted() {
        for total in [0usize, 1, 7, 100, 1_001] {
            for want in [0usize, 1, 3, 5, 50, 700, 2_000] {
                let e = Evenly::new(total, want);
                let taken = (0..total).filter(|&i| e.takes(i)).count();
                assert_eq!(taken, want.min(total), "{want} of {total}");
            }
        }
        // The middles of the stretches.
        let e = Evenly::new(10, 2);
        let taken: Vec<usize> = (0..10).filter(|&i| e.takes(i)).collect();
        assert_eq!(taken, vec![2, 7]);
    }
}
