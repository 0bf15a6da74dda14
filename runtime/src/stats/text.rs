//! The figures as a person reads them.

use std::fmt::Write;

use super::{Share, Stats, REACTION_WORDS};

fn pct(x: f64) -> String {
    format!("{:5.1} %", x * 100.0)
}

fn bar(x: f64, width: usize) -> String {
    let n = (x * width as f64).round() as usize;
    "#".repeat(n.min(width))
}

fn minutes(m: f64) -> String {
    if m < 1.0 {
        format!("{:.0}s", m * 60.0)
    } else if m < 90.0 {
        format!("{m:.0}m")
    } else if m < 48.0 * 60.0 {
        format!("{:.1}h", m / 60.0)
    } else {
        format!("{:.1}d", m / 1440.0)
    }
}

fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn mix(s: &mut String, title: &str, shares: &[Share]) {
    let total: u64 = shares.iter().map(|x| x.count).sum();
    let _ = writeln!(
        s,
        "{title} ({} in all)            share  reference",
        thousands(total as i64)
    );
    if total == 0 {
        let _ = writeln!(s, "  none");
        return;
    }
    for x in shares {
        let reference = if x.reference > 0.0 {
            format!("{:.0} %", x.reference * 100.0)
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            s,
            "  {:<14} {:>8}  {}  {:<20} {reference}",
            x.name,
            thousands(x.count as i64),
            pct(x.share),
            bar(x.share, 20)
        );
    }
}

/// Render the figures as text.
pub fn render(st: &Stats, dir: &str) -> String {
    let mut s = String::new();
    let span = match (&st.start, &st.end) {
        (Some(a), Some(b)) => format!(", {a} -> {b}"),
        _ => String::new(),
    };
    let seed = st.seed.map(|x| format!(", seed {x}")).unwrap_or_default();
    let _ = writeln!(
        s,
        "{dir}: {} events{span}{seed}",
        thousands(st.events as i64)
    );
    let _ = writeln!(s);

    let _ = writeln!(s, "Interactions");
    if st.interactions.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for (platform, kinds) in &st.interactions {
        let list: Vec<String> = kinds
            .iter()
            .map(|(k, n)| format!("{k} {}", thousands(*n as i64)))
            .collect();
        let _ = writeln!(s, "  {platform:<10} {}", list.join(", "));
    }
    let _ = writeln!(s);
    mix(&mut s, "Comment sentiment", &st.sentiment);
    let _ = writeln!(s);
    mix(&mut s, "Direct messages", &st.dm_types);
    let _ = writeln!(s);

    let u = &st.uniqueness;
    let _ = writeln!(s, "Uniqueness");
    let _ = writeln!(
        s,
        "  {} comments and replies, {} repeated under the same post; {} short reactions (at most {} words) set aside",
        thousands(u.comments as i64),
        thousands(u.repeats_under_same_post as i64),
        thousands(u.reactions as i64),
        REACTION_WORDS
    );
    let _ = writeln!(
        s,
        "  of the longer ones, {} distinct within their account ({})",
        thousands(u.distinct as i64),
        pct(u.distinct_share).trim()
    );
    let _ = writeln!(
        s,
        "  the first 1,000 of them hold {} distinct texts; the first 10,000 are {} distinct",
        thousands(u.first_1000_distinct as i64),
        pct(u.first_10000_distinct_share).trim()
    );
    let _ = writeln!(s);

    let total: u64 = st.hours.histogram.iter().sum();
    let _ = writeln!(s, "Comments by local hour (the audience's timezone)");
    if total > 0 {
        let max = st.hours.histogram.iter().copied().max().unwrap_or(1).max(1);
        for (h, n) in st.hours.histogram.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {h:02}:00 {:>8}  {}  {}",
                thousands(*n as i64),
                pct(*n as f64 / total as f64),
                bar(*n as f64 / max as f64, 40)
            );
        }
    }
    let _ = writeln!(
        s,
        "  15:00-23:00 holds {}; 03:00-07:00 holds {}",
        pct(st.hours.share_15_23).trim(),
        pct(st.hours.share_03_07).trim()
    );
    super::hours::render(&mut s, &st.hours.shape);
    let _ = writeln!(s);

    let d = &st.delays;
    let _ = writeln!(
        s,
        "Reaction delay, publish to comment ({} comments)",
        thousands(d.count as i64)
    );
    let q: Vec<String> = d
        .quantiles_minutes
        .iter()
        .map(|(q, m)| {
            let name = if *q == 0.5 {
                "median".to_string()
            } else {
                format!("p{}", (q * 100.0).round())
            };
            format!("{name} {}", minutes(*m))
        })
        .collect();
    let _ = writeln!(s, "  {}", q.join("  "));
    let _ = writeln!(
        s,
        "  within 5 minutes {}; after 6 hours {}",
        pct(d.within_5_minutes).trim(),
        pct(d.after_6_hours).trim()
    );
    let _ = writeln!(s);

    let _ = writeln!(s, "Views per post");
    if st.views.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for v in &st.views {
        let _ = writeln!(
            s,
            "  {:<10} {} posts: median {}, p90 {}, max {}; the top 10 % of posts hold {} of views; {:.1} comments per 1,000 views",
            v.platform,
            v.posts,
            thousands(v.median),
            thousands(v.p90),
            thousands(v.max),
            pct(v.top_decile_share).trim(),
            v.comments_per_1000_views
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(
        s,
        "Engagement per post (median of (likes or reactions + comments + shares or forwards) / audience)"
    );
    if st.engagement.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for e in &st.engagement {
        let _ = writeln!(
            s,
            "  {:<10} {:>7.3} %  over {} posts, audience {}",
            e.platform,
            e.median * 100.0,
            e.posts,
            thousands(e.audience)
        );
    }
    let _ = writeln!(s);
    text_figures(&mut s, st);
    let _ = writeln!(s);
    super::funnel::render(&mut s, &st.funnel);
    s
}

fn text_figures(s: &mut String, st: &Stats) {
    let _ = writeln!(s, "How comments read ({})", super::voice::REFERENCES);
    if st.text.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for t in &st.text {
        let _ = writeln!(
            s,
            "  {:<10} {} comments and replies: {} mention their post; median {} words, {} of 3 words or fewer; {} with a timestamp",
            t.platform,
            thousands(t.comments as i64),
            pct(t.about_post).trim(),
            t.median_words,
            pct(t.up_to_3_words).trim(),
            pct(t.timestamps).trim(),
        );
        let _ = writeln!(
            s,
            "  {:<10} emoji in {} ({} emoji alone); of those at the end {}, at the start {}, inside {}; one repeated in {}",
            "",
            pct(t.emoji).trim(),
            pct(t.emoji_only).trim(),
            pct(t.emoji_end).trim(),
            pct(t.emoji_start).trim(),
            pct(t.emoji_inside).trim(),
            pct(t.emoji_repeated).trim(),
        );
        let frames: Vec<String> = t
            .top_frames
            .iter()
            .map(|f| format!("\"{}\" {}", f.frame, pct(f.share).trim()))
            .collect();
        let _ = writeln!(
            s,
            "  {:<10} most repeated frames (4+ words): {}",
            "",
            if frames.is_empty() {
                "none".to_string()
            } else {
                frames.join(", ")
            }
        );
        let _ = writeln!(
            s,
            "  {:<10} {} of {} handles end in a digit; {} of {} posts repeat a hashtag; {} of {} replies share a word with their parent",
            "",
            pct(t.handles_with_digits).trim(),
            thousands(t.handles as i64),
            pct(t.posts_repeating_hashtags).trim(),
            t.posts,
            pct(t.replies_about_parent).trim(),
            thousands(t.replies as i64),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-4_000), "-4,000");
        assert_eq!(minutes(0.5), "30s");
        assert_eq!(minutes(34.0), "34m");
        assert_eq!(minutes(150.0), "2.5h");
        assert_eq!(minutes(4320.0), "3.0d");
    }
}
