//! Account parameters, declared once in [`PARAMS`]: `describe()` lists them
//! and [`Params::parse`] checks them, with the SDK's parameter kit, so every
//! error names the platform and the parameter at fault.

use diorama_sdk::models::params::{self, ParamDef, COMMENT_VOLUME};
use diorama_sdk::models::volume::CommentVolume;
use diorama_sdk::SharedParam;

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

// Past 10 billion subscribers the audience arithmetic (views, comments per
// window) leaves the range the models are written for; the largest real
// channels have a few hundred million.
pub const SUBSCRIBERS: ParamDef =
    ParamDef::count("subscribers", Some(DEFAULT_SUBSCRIBERS), 0, 10_000_000_000)
        .describe("Subscribers of the channel.")
        .shared(SharedParam::Audience);
pub const UPLOADS_PER_DAY: ParamDef = ParamDef::number(
    "uploads_per_day",
    Some(DEFAULT_UPLOADS_PER_DAY),
    0.0,
    UPLOAD_LIMIT as f64,
)
.unit("(the publish limit)")
.describe("Uploads (videos and shorts) per day, at most the daily publish limit.")
.shared(SharedParam::UploadFrequency);
pub const SHORTS_SHARE: ParamDef =
    ParamDef::number("shorts_share", Some(DEFAULT_SHORTS_SHARE), 0.0, 1.0)
        .describe("Share of the scheduled uploads that are shorts.");
pub const COMMUNITY_PER_DAY: ParamDef = ParamDef::number(
    "community_per_day",
    Some(DEFAULT_COMMUNITY_PER_DAY),
    0.0,
    10.0,
)
.unit("posts per day")
.describe("Community posts per day.");
pub const AVG_VIEWS: ParamDef = ParamDef::number("avg_views", None, 1.0, 1e12)
    .unit("views")
    .describe("Lifetime views of a video of average quality; by default 0.18 per subscriber (at least 20).")
    .shared(SharedParam::AvgViews);
pub const COMMENT_RATE: ParamDef =
    ParamDef::number("comment_rate", Some(DEFAULT_COMMENT_RATE), 0.0, 1.0)
        .unit("comments per view")
        .describe("Comments per view; by default this rate times the comment volume's factor.");
pub const LIKE_RATE: ParamDef = ParamDef::number("like_rate", Some(DEFAULT_LIKE_RATE), 0.0, 1.0)
    .unit("likes per view")
    .describe("Likes per view.")
    .shared(SharedParam::EngagementRate);

/// Every account parameter, in the order `describe()` lists them.
pub const PARAMS: &[ParamDef] = &[
    SUBSCRIBERS,
    UPLOADS_PER_DAY,
    SHORTS_SHARE,
    COMMUNITY_PER_DAY,
    AVG_VIEWS,
    COMMENT_RATE,
    LIKE_RATE,
    COMMENT_VOLUME,
];

impl Params {
    /// Parse the account's `params` JSON object.
    pub fn parse(params: &str) -> Result<Params, String> {
        let given = params::parse(PLATFORM, PARAMS, params)?;
        let subscribers = given.count(&SUBSCRIBERS).unwrap_or(DEFAULT_SUBSCRIBERS);
        let comment_volume = given.comment_volume();
        Ok(Params {
            subscribers,
            uploads_per_day: given
                .number(&UPLOADS_PER_DAY)
                .unwrap_or(DEFAULT_UPLOADS_PER_DAY),
            shorts_share: given.number(&SHORTS_SHARE).unwrap_or(DEFAULT_SHORTS_SHARE),
            community_per_day: given
                .number(&COMMUNITY_PER_DAY)
                .unwrap_or(DEFAULT_COMMUNITY_PER_DAY),
            avg_views: given.number_or(
                &AVG_VIEWS,
                (subscribers as f64 * DEFAULT_VIEWS_PER_SUBSCRIBER).max(20.0),
            )?,
            comment_volume,
            comment_rate: given.number_or(
                &COMMENT_RATE,
                DEFAULT_COMMENT_RATE * comment_volume.factor(),
            )?,
            like_rate: given.number(&LIKE_RATE).unwrap_or(DEFAULT_LIKE_RATE),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_as_params() {
        let p = Params::parse(&params::defaults_json(PARAMS)).unwrap();
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

    #[test]
    fn the_shared_words_have_a_parameter_each_but_dm_frequency() {
        let info = params::infos(PARAMS);
        let shared: Vec<SharedParam> = info.iter().filter_map(|p| p.shared).collect();
        assert_eq!(
            shared,
            [
                SharedParam::Audience,
                SharedParam::UploadFrequency,
                SharedParam::AvgViews,
                SharedParam::EngagementRate,
                SharedParam::CommentVolume,
            ]
        );
        let avg = info.iter().find(|p| p.name == "avg_views").unwrap();
        assert_eq!(avg.default, "null");
    }
}
