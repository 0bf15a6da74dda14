//! What a run and a profile are made of, the record the engine keeps of a
//! profile, and the seed of each plugin instance.

use std::collections::BTreeMap;

use diorama_sdk::Millis;
use serde::{Deserialize, Serialize};

use crate::event::time;

use super::DEFAULT_WINDOW;

/// What a profile is made of.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileSpec {
    pub name: String,
    pub niche: String,
    pub timezone: String,
    /// Platform name → its parameters (a JSON object).
    pub platforms: BTreeMap<String, serde_json::Value>,
}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct RunSettings {
    pub seed: u64,
    pub start: Millis,
    pub window: Millis,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            seed: 42,
            start: time::DEFAULT_START,
            window: DEFAULT_WINDOW,
        }
    }
}

/// A profile's record in the store, as JSON: what the engine writes, plus
/// whatever its creator adds (`extra`, flattened beside these fields: a
/// live profile's id, seed, start and token hash). The fields are declared
/// in key order, so a record with [`NoExtra`] is written with its keys
/// sorted, byte for byte as a JSON object of the same fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRecord<X = NoExtra> {
    /// Virtual time of creation (a batch run), or wall time (a live profile).
    pub created_at: Millis,
    pub name: String,
    pub niche: String,
    /// Platform name → its parameters (a JSON object).
    pub platforms: BTreeMap<String, serde_json::Value>,
    pub timezone: String,
    #[serde(flatten)]
    pub extra: X,
}

impl<X> ProfileRecord<X> {
    /// The record of `spec`, created at `created_at`.
    pub fn new(spec: &ProfileSpec, created_at: Millis, extra: X) -> Self {
        ProfileRecord {
            created_at,
            name: spec.name.clone(),
            niche: spec.niche.clone(),
            platforms: spec.platforms.clone(),
            timezone: spec.timezone.clone(),
            extra,
        }
    }

    /// The spec the record was made from.
    pub fn spec(&self) -> ProfileSpec {
        ProfileSpec {
            name: self.name.clone(),
            niche: self.niche.clone(),
            timezone: self.timezone.clone(),
            platforms: self.platforms.clone(),
        }
    }
}

/// Nothing beside the engine's fields (a batch run's profiles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoExtra {}

/// The seed of one instance: the run's seed mixed with the profile's
/// position and the platform's name (splitmix64 finaliser).
pub fn derive_seed(run_seed: u64, profile_index: u64, platform: &str) -> u64 {
    let mut x = run_seed
        ^ profile_index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ diorama_sdk::models::rng::fnv1a(platform.as_bytes());
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ProfileSpec {
        ProfileSpec {
            name: "tech".into(),
            niche: "gadgets".into(),
            timezone: "Europe/Paris".into(),
            platforms: BTreeMap::from([
                (
                    "clips".into(),
                    serde_json::json!({"fans": 1000, "a": [1, 2]}),
                ),
                ("notes".into(), serde_json::json!({})),
            ]),
        }
    }

    #[test]
    fn the_profile_record_is_the_json_the_engine_always_wrote() {
        let spec = spec();
        let record = ProfileRecord::new(&spec, 1_767_225_600_000, NoExtra {});
        // What `add_profile` stored before the record had a type.
        let before = serde_json::json!({
            "name": spec.name,
            "niche": spec.niche,
            "timezone": spec.timezone,
            "platforms": spec.platforms,
            "created_at": 1_767_225_600_000i64,
        });
        assert_eq!(
            serde_json::to_vec(&record).unwrap(),
            serde_json::to_vec(&before).unwrap()
        );
        let back: ProfileRecord = serde_json::from_slice(&serde_json::to_vec(&before).unwrap())
            .expect("an old record reads");
        assert_eq!(back, record);
        assert_eq!(back.spec().platforms, spec.platforms);
    }

    #[test]
    fn extra_fields_sit_beside_the_engine_s_and_read_back() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Served {
            id: String,
            seed: u64,
            start: Millis,
            token_sha256: String,
        }
        let spec = spec();
        // A record as `serve` writes it, keys in any order.
        let stored = serde_json::json!({
            "id": "7",
            "name": spec.name,
            "niche": spec.niche,
            "timezone": spec.timezone,
            "platforms": spec.platforms,
            "seed": 42,
            "start": 1_000,
            "created_at": 5_000,
            "token_sha256": "ab",
        });
        let record: ProfileRecord<Served> = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(
            record.extra,
            Served {
                id: "7".into(),
                seed: 42,
                start: 1_000,
                token_sha256: "ab".into()
            }
        );
        assert_eq!(record.created_at, 5_000);
        assert_eq!(serde_json::to_value(&record).unwrap(), stored);
        // Read without its extra, it is still the engine's record.
        let plain: ProfileRecord = serde_json::from_value(stored).unwrap();
        assert_eq!(plain.name, "tech");
    }
}
