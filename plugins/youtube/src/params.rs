//! Account parameters, parsed with the SDK's helpers so every error names
//! the platform and the parameter at fault.

use diorama_sdk::models::params::{check_known, count, number, object};
use diorama_sdk::models::volume::{reject_dm_frequency, CommentVolume};

use crate::PLATFORM;

/// The most uploads (videos and shorts) a channel may make in 24 hours.
pub const UPLOAD_LIMIT: u32 = 6;

/// Lifetime views of a video of average quality, as a share of
/// subscribers, when `avg_views` is not given. With log-normal quality the
/// median video gets two thirds of that, and as uploads land in the
/// afternoon, just before the audience's evening peak, most of it within a
/// day: a 120k channel's typical video has ~15k views after a day.
pub const DEFAULT_VIEWS_PER_SUBSCRIBER: f64 = 0.18;

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub subscribers: u64,
    /// Uploads (videos and shorts) per day.
    pub uploads_per_day: f64,
    /// Share of the scheduled uploads that are shorts.
    pub shorts_share: f64,
    /// Community posts per day.
    pub community_per_day: f64,
    /// Expected lifetime views of a video of average quality.
    pub avg_views: f64,
    /// The named comment volume (`comment_rate` defaults to the platform's
    /// rate times its factor).
    pub comment_volume: CommentVolume,
    /// Comments per view.
    pub comment_rate: f64,
    /// Likes per view.
    pub like_rate: f64,
}

pub const DEFAULT_SUBSCRIBERS: u64 = 100_000;
pub const DEFAULT_UPLOADS_PER_DAY: f64 = 3.0;
pub const DEFAULT_SHORTS_SHARE: f64 = 1.0 / 3.0;
pub const DEFAULT_COMMUNITY_PER_DAY: f64 = 0.3;
pub const DEFAULT_COMMENT_RATE: f64 = 0.005;
pub const DEFAULT_LIKE_RATE: f64 = 0.04;

const KNOWN: &[&str] = &[
    "subscribers",
    "uploads_per_day",
    "shorts_share",
    "community_per_day",
    "avg_views",
    "comment_rate",
    "like_rate",
    "comment_volume",
    "dm_frequency",
];

/// The defaults as a JSON object (`avg_views: null` means "derived from
/// subscribers").
pub fn defaults_json() -> String {
    format!(
        "{{\"subscribers\":{DEFAULT_SUBSCRIBERS},\"uploads_per_day\":{DEFAULT_UPLOADS_PER_DAY:?},\"shorts_share\":{DEFAULT_SHORTS_SHARE},\"community_per_day\":{DEFAULT_COMMUNITY_PER_DAY},\"avg_views\":null,\"comment_rate\":{DEFAULT_COMMENT_RATE},\"like_rate\":{DEFAULT_LIKE_RATE},\"comment_volume\":\"medium\"}}"
    )
}

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let map = object(PLATFORM, params, "params")?;
        check_known(PLATFORM, &map, KNOWN, "parameter")?;
        let subscribers = count(PLATFORM, &map, "subscribers")?.unwrap_or(DEFAULT_SUBSCRIBERS);
        // Past this the audience arithmetic (views, comments per window)
        // leaves the range the models are written for; the largest real
        // channels have a few hundred million.
        if subscribers > 10_000_000_000 {
            return Err(format!(
                "{PLATFORM}: `subscribers` must be at most 10000000000 (got {subscribers})"
            ));
        }
        let uploads_per_day =
            number(PLATFORM, &map, "uploads_per_day")?.unwrap_or(DEFAULT_UPLOADS_PER_DAY);
        if !(0.0..=UPLOAD_LIMIT as f64).contains(&uploads_per_day) {
            return Err(format!(
                "{PLATFORM}: `uploads_per_day` must be between 0 and {UPLOAD_LIMIT} (the upload limit), got {uploads_per_day}"
            ));
        }
        let shorts_share = number(PLATFORM, &map, "shorts_share")?.unwrap_or(DEFAULT_SHORTS_SHARE);
        if !(0.0..=1.0).contains(&shorts_share) {
            return Err(format!(
                "{PLATFORM}: `shorts_share` must be between 0 and 1 (got {shorts_share})"
            ));
        }
        let community_per_day =
            number(PLATFORM, &map, "community_per_day")?.unwrap_or(DEFAULT_COMMUNITY_PER_DAY);
        if !(0.0..=10.0).contains(&community_per_day) {
            return Err(format!(
                "{PLATFORM}: `community_per_day` must be between 0 and 10 (got {community_per_day})"
            ));
        }
        let avg_views = match number(PLATFORM, &map, "avg_views")? {
            Some(v) if v > 0.0 => v,
            Some(v) => return Err(format!("{PLATFORM}: `avg_views` must be > 0 (got {v})")),
            None => (subscribers as f64 * DEFAULT_VIEWS_PER_SUBSCRIBER).max(20.0),
        };
        reject_dm_frequency(PLATFORM, &map)?;
        let comment_volume = CommentVolume::parse(PLATFORM, &map)?;
        let comment_rate = number(PLATFORM, &map, "comment_rate")?
            .unwrap_or(DEFAULT_COMMENT_RATE * comment_volume.factor());
        if !(0.0..=1.0).contains(&comment_rate) {
            return Err(format!(
                "{PLATFORM}: `comment_rate` must be between 0 and 1 comments per view (got {comment_rate})"
            ));
        }
        let like_rate = number(PLATFORM, &map, "like_rate")?.unwrap_or(DEFAULT_LIKE_RATE);
        if !(0.0..=1.0).contains(&like_rate) {
            return Err(format!(
                "{PLATFORM}: `like_rate` must be between 0 and 1 likes per view (got {like_rate})"
            ));
        }
        Ok(Params {
            subscribers,
            uploads_per_day,
            shorts_share,
            community_per_day,
            avg_views,
            comment_volume,
            comment_rate,
            like_rate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_as_params() {
        let p = Params::parse(&defaults_json()).unwrap();
        assert_eq!(p, Params::parse("").unwrap());
        assert_eq!(p.subscribers, 100_000);
        assert_eq!(p.avg_views, 18_000.0);
        assert_eq!(Params::parse("{}").unwrap(), p);
        assert_eq!(p.comment_volume, CommentVolume::Medium);
    }

    #[test]
    fn volume_scales_the_comment_rate_unless_it_is_given() {
        let high = Params::parse(r#"{"comment_volume": "high"}"#).unwrap();
        assert!((high.comment_rate - 2.5 * DEFAULT_COMMENT_RATE).abs() < 1e-12);
        let low = Params::parse(r#"{"comment_volume": "low"}"#).unwrap();
        assert!(low.comment_rate < DEFAULT_COMMENT_RATE);
        let both = Params::parse(r#"{"comment_volume": "viral", "comment_rate": 0.001}"#).unwrap();
        assert_eq!(both.comment_rate, 0.001);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"subscribers": -5}"#, "subscribers"),
            (r#"{"subscribers": "many"}"#, "subscribers"),
            (r#"{"subscribers": 18446744073709551615}"#, "subscribers"),
            (r#"{"uploads_per_day": 12}"#, "uploads_per_day"),
            (r#"{"shorts_share": 2}"#, "shorts_share"),
            (r#"{"community_per_day": -1}"#, "community_per_day"),
            (r#"{"avg_views": 0}"#, "avg_views"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"subscriber": 5}"#, "subscriber"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"comment_volume": 2}"#, "comment_volume"),
            (r#"{"dm_frequency": "low"}"#, "dm_frequency"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("youtube: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
        assert!(Params::parse(r#"{"comment_volume": "x"}"#)
            .unwrap_err()
            .contains("low, medium, high, viral"));
        assert!(Params::parse("[1]").unwrap_err().contains("object"));
        assert!(Params::parse("{").unwrap_err().contains("JSON"));
    }
}
