//! Named profiles: a size, a niche, platforms, a past and a daily limit
//! that fit together, for `POST /v1/profiles` (`preset`) and a script's
//! `profile(#{ preset: ... })`.

use std::collections::BTreeMap;

use diorama_sdk::SharedParam;
use serde::Serialize;

use crate::plugin::PluginHost;

/// A named profile.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    /// The audience of its main platform.
    pub size: u64,
    pub niche: &'static str,
    pub timezone: &'static str,
    /// Platform → its share of `size` (its audience parameter).
    pub platforms: &'static [(&'static str, f64)],
    /// Days of past it opens with.
    pub history_days: u32,
    /// Interactions per virtual day before a live profile pauses itself.
    pub interactions_per_day: u64,
}

/// Every preset, by name. Daily limits sit at about four times a normal
/// day of the preset's size (a 100k creator on three platforms has about
/// 500 comments, 20 DMs and the likes that come with them a day).
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "small-creator",
        description: "a 5k lifestyle creator on Instagram and TikTok, a month of past",
        size: 5_000,
        niche: "lifestyle",
        timezone: "America/New_York",
        platforms: &[("instagram", 1.0), ("tiktok", 0.8)],
        history_days: 30,
        interactions_per_day: 2_000,
    },
    Preset {
        name: "100k-tech",
        description: "a 100k tech creator on YouTube, Instagram and TikTok, 90 days of past",
        size: 100_000,
        niche: "tech",
        timezone: "Europe/Paris",
        platforms: &[("youtube", 1.0), ("instagram", 0.6), ("tiktok", 0.8)],
        history_days: 90,
        interactions_per_day: 20_000,
    },
    Preset {
        name: "agency-6-platforms",
        description: "an agency's 250k beauty brand on all six platforms, two weeks of past",
        size: 250_000,
        niche: "beauty",
        timezone: "UTC",
        platforms: &[
            ("facebook", 0.5),
            ("instagram", 0.6),
            ("telegram", 0.1),
            ("tiktok", 0.8),
            ("x", 0.4),
            ("youtube", 1.0),
        ],
        history_days: 14,
        interactions_per_day: 100_000,
    },
    Preset {
        name: "1m-gaming",
        description: "a 1M gaming streamer on YouTube, TikTok and X, a week of past",
        size: 1_000_000,
        niche: "gaming",
        timezone: "America/Los_Angeles",
        platforms: &[("youtube", 1.0), ("tiktok", 1.2), ("x", 0.3)],
        history_days: 7,
        interactions_per_day: 400_000,
    },
    Preset {
        name: "educator-channel",
        description: "a 50k education channel on Telegram and X, 60 days of past",
        size: 50_000,
        niche: "education",
        timezone: "Europe/Berlin",
        platforms: &[("telegram", 1.0), ("x", 0.5)],
        history_days: 60,
        interactions_per_day: 10_000,
    },
    Preset {
        name: "new-account",
        description: "a fresh 500-follower Instagram account with no past",
        size: 500,
        niche: "fitness",
        timezone: "UTC",
        platforms: &[("instagram", 1.0)],
        history_days: 0,
        interactions_per_day: 500,
    },
];

/// The preset named `name`.
pub fn preset(name: &str) -> Result<&'static Preset, String> {
    PRESETS.iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!("unknown preset `{name}` (presets: {})", names.join(", "))
    })
}

impl Preset {
    /// Each platform's parameters: its audience parameter at its share of
    /// `size`, the rest left to the plugin's defaults.
    pub fn platform_params(
        &self,
        host: &PluginHost,
        size: u64,
    ) -> Result<BTreeMap<String, serde_json::Value>, String> {
        let mut out = BTreeMap::new();
        for (name, share) in self.platforms {
            let Some(plugin) = host.get(name) else {
                return Err(format!(
                    "preset `{}` needs platform `{name}`, which is not loaded",
                    self.name
                ));
            };
            let mut params = serde_json::Map::new();
            if let Some(audience) = plugin.info.shared_param(SharedParam::Audience) {
                let n = ((size as f64 * share).round() as u64).max(1);
                params.insert(audience.name.clone(), n.into());
            }
            out.insert(name.to_string(), serde_json::Value::Object(params));
        }
        Ok(out)
    }
}
