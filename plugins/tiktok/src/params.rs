//! Account parameters, parsed by hand so every error names the parameter.

use diorama_sdk::models::params::{check_known, count, number_in, object};
use diorama_sdk::models::volume::{CommentVolume, DmFrequency};

/// The most videos an account may publish in 24 hours.
pub const VIDEO_LIMIT: u32 = 10;
/// The most comments (replies) the creator may write in 24 hours.
pub const COMMENT_LIMIT: u32 = 100;
/// The most likes the creator may give in 24 hours.
pub const LIKE_LIMIT: u32 = 500;

pub const DEFAULT_FOLLOWERS: u64 = 100_000;
pub const DEFAULT_VIDEOS_PER_DAY: f64 = 5.0;
/// Lifetime views of a video of average quality, per follower: the For
/// You feed shows videos well beyond the followers.
pub const DEFAULT_VIEWS_PER_FOLLOWER: f64 = 0.75;
/// Comments per view (before discussion adds its share).
pub const DEFAULT_COMMENT_RATE: f64 = 0.0006;
/// Likes per view. With shares and comments, the median video ends with
/// engagement ≈ 5.7 % of the followers: Rival IQ's 5.7 % median.
pub const DEFAULT_LIKE_RATE: f64 = 0.085;
/// Shares per view.
pub const DEFAULT_SHARE_RATE: f64 = 0.006;
/// DMs per day per follower at the `medium` DM frequency: about 8 a day
/// at 100k followers.
pub const DMS_PER_FOLLOWER_DAY: f64 = 8e-5;

const PLATFORM: &str = "tiktok";
const KNOWN: &[&str] = &[
    "followers",
    "videos_per_day",
    "avg_views",
    "comment_rate",
    "like_rate",
    "share_rate",
    "dm_rate",
    "comment_volume",
    "dm_frequency",
];

/// The account parameters, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    pub followers: u64,
    pub videos_per_day: f64,
    /// Expected lifetime views of a video of average quality.
    pub avg_views: f64,
    /// The named comment volume (`comment_rate` defaults to the platform's
    /// rate times its factor).
    pub comment_volume: CommentVolume,
    /// The named DM frequency (`dm_rate` defaults to the platform's rate
    /// times its factor).
    pub dm_frequency: DmFrequency,
    pub comment_rate: f64,
    pub like_rate: f64,
    pub share_rate: f64,
    /// DMs per day.
    pub dm_rate: f64,
}

/// The defaults as a JSON object (`null`: derived from followers).
pub fn defaults_json() -> String {
    format!(
        "{{\"followers\":{DEFAULT_FOLLOWERS},\"videos_per_day\":{DEFAULT_VIDEOS_PER_DAY:?},\"avg_views\":null,\"comment_rate\":{DEFAULT_COMMENT_RATE},\"like_rate\":{DEFAULT_LIKE_RATE},\"share_rate\":{DEFAULT_SHARE_RATE},\"dm_rate\":null,\"comment_volume\":\"medium\",\"dm_frequency\":\"medium\"}}"
    )
}

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let map = object(PLATFORM, params, "params")?;
        check_known(PLATFORM, &map, KNOWN, "parameter")?;
        let followers = count(PLATFORM, &map, "followers")?.unwrap_or(DEFAULT_FOLLOWERS);
        if followers > 10_000_000_000 {
            return Err(format!(
                "{PLATFORM}: `followers` must be at most 10000000000 (got {followers})"
            ));
        }
        let comment_volume = CommentVolume::parse(PLATFORM, &map)?;
        let dm_frequency = DmFrequency::parse(PLATFORM, &map)?;
        let videos_per_day = number_in(
            PLATFORM,
            &map,
            "videos_per_day",
            0.0,
            VIDEO_LIMIT as f64,
            DEFAULT_VIDEOS_PER_DAY,
            "(the posting limit)",
        )?;
        let avg_views = number_in(
            PLATFORM,
            &map,
            "avg_views",
            1.0,
            1e12,
            (followers as f64 * DEFAULT_VIEWS_PER_FOLLOWER).max(50.0),
            "views",
        )?;
        let rate = |key: &str, default: f64, unit: &str| {
            number_in(PLATFORM, &map, key, 0.0, 1.0, default, unit)
        };
        let comment_rate = rate(
            "comment_rate",
            DEFAULT_COMMENT_RATE * comment_volume.factor(),
            "comments per view",
        )?;
        let like_rate = rate("like_rate", DEFAULT_LIKE_RATE, "likes per view")?;
        let share_rate = rate("share_rate", DEFAULT_SHARE_RATE, "shares per view")?;
        let dm_rate = number_in(
            PLATFORM,
            &map,
            "dm_rate",
            0.0,
            1e6,
            followers as f64 * DMS_PER_FOLLOWER_DAY * dm_frequency.factor(),
            "DMs per day",
        )?;
        Ok(Params {
            followers,
            comment_volume,
            dm_frequency,
            videos_per_day,
            avg_views,
            comment_rate,
            like_rate,
            share_rate,
            dm_rate,
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
        assert_eq!(p.followers, 100_000);
        assert_eq!(p.avg_views, 75_000.0);
        assert!((p.dm_rate - 8.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field() {
        for (json, field) in [
            (r#"{"followers": -5}"#, "followers"),
            (r#"{"videos_per_day": 12}"#, "videos_per_day"),
            (r#"{"avg_views": 0}"#, "avg_views"),
            (r#"{"comment_rate": "x"}"#, "comment_rate"),
            (r#"{"like_rate": 2}"#, "like_rate"),
            (r#"{"share_rate": -1}"#, "share_rate"),
            (r#"{"dm_rate": -3}"#, "dm_rate"),
            (r#"{"comment_volume": "loud"}"#, "comment_volume"),
            (r#"{"dm_frequency": "viral"}"#, "dm_frequency"),
            (r#"{"dm_frequency": true}"#, "dm_frequency"),
            (r#"{"subscribers": 5}"#, "subscribers"),
        ] {
            let e = Params::parse(json).unwrap_err();
            assert!(
                e.starts_with("tiktok: ") && e.contains(&format!("`{field}`")),
                "{json}: {e}"
            );
        }
    }

    #[test]
    fn levels_scale_the_rates_unless_they_are_given() {
        let p = Params::parse(r#"{"comment_volume": "high", "dm_frequency": "low"}"#).unwrap();
        assert!((p.comment_rate - 2.5 * DEFAULT_COMMENT_RATE).abs() < 1e-12);
        let medium = Params::parse("{}").unwrap();
        assert!((p.dm_rate - 0.4 * medium.dm_rate).abs() < 1e-9);
        let p = Params::parse(
            r#"{"comment_volume": "viral", "comment_rate": 0.001, "dm_frequency": "high", "dm_rate": 2}"#,
        )
        .unwrap();
        assert_eq!((p.comment_rate, p.dm_rate), (0.001, 2.0));
        let e = Params::parse(r#"{"dm_frequency": "viral"}"#).unwrap_err();
        assert!(e.contains("low, medium, high"), "{e}");
    }
}
