//! Suspending a profile's plugins and holding events ahead of a horizon,
//! through the simulation's public calls, on the built-in plugins.

use std::collections::BTreeMap;
use std::sync::Arc;

use diorama_sdk::{HOUR, MINUTE};

use super::{NoExtra, ProfileSpec, RunSettings, Simulation};
use crate::event::StoredEvent;
use crate::plugin::{HostOptions, PluginHost};
use crate::store::Store;

const START: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn host() -> Arc<PluginHost> {
    let mut host = PluginHost::new(HostOptions::default()).expect("plugin host");
    host.load_builtin().expect("built-in plugins");
    Arc::new(host)
}

fn spec() -> ProfileSpec {
    let platforms: BTreeMap<String, serde_json::Value> = ["instagram", "tiktok", "youtube"]
        .into_iter()
        .map(|p| (p.to_string(), serde_json::json!({})))
        .collect();
    ProfileSpec {
        name: "creator".into(),
        niche: "tech".into(),
        timezone: "UTC".into(),
        platforms,
    }
}

fn simulation(host: &Arc<PluginHost>, store: &Store) -> Simulation {
    let settings = RunSettings {
        seed: 7,
        start: START,
        window: MINUTE,
    };
    let mut sim = Simulation::new_inline(host.clone(), store.clone(), settings, Vec::new());
    sim.add_profile(spec(), NoExtra {}).expect("a profile");
    sim
}

fn stored(store: &Store, sim: &Simulation) -> Vec<StoredEvent> {
    let id = sim.profile_id(0).expect("profile 0");
    let last = store.last_seq(id).expect("last seq").unwrap_or(0);
    (1..=last)
        .map(|seq| store.event(id, seq).expect("read").expect("stored"))
        .collect()
}

/// Stepping `hours` hours a minute at a time.
fn run(sim: &mut Simulation, hours: i64) {
    let end = sim.now() + hours * HOUR;
    while sim.now() < end {
        let to = sim.now() + MINUTE;
        sim.step_window(to).expect("step");
    }
    sim.sync().expect("sync");
}

#[test]
fn a_suspended_profile_holds_no_plugin_and_goes_on_as_if_it_had_kept_them() {
    let host = host();
    let dir = tempfile::tempdir().expect("a scratch folder");
    let (a, b) = (
        Store::open(&dir.path().join("a")).expect("store a"),
        Store::open(&dir.path().join("b")).expect("store b"),
    );
    let mut kept = simulation(&host, &a);
    let mut suspended = simulation(&host, &b);
    suspended.skip_idle();
    run(&mut kept, 6);
    run(&mut suspended, 6);
    suspended
        .checkpoint(0, |_| -> Result<_, super::EngineError> {
            Ok(Default::default())
        })
        .expect("checkpoint");
    assert_eq!(suspended.suspend(0), 3);
    assert_eq!(suspended.instances_held(0), 0);
    // A step restores each plugin from its stored snapshot.
    run(&mut kept, 6);
    run(&mut suspended, 6);
    assert_eq!(suspended.instances_held(0), 3);
    let (ka, sb) = (stored(&a, &kept), stored(&b, &suspended));
    assert!(ka.len() > 10, "a profile makes events: {}", ka.len());
    assert_eq!(ka.len(), sb.len());
    for (x, y) in ka.iter().zip(&sb) {
        assert_eq!(
            (x.seq, &x.platform, &x.event),
            (y.seq, &y.platform, &y.event)
        );
    }
}

#[test]
fn events_after_the_horizon_are_numbered_but_stored_only_once_it_passes_them() {
    let host = host();
    let dir = tempfile::tempdir().expect("a scratch folder");
    let store = Store::open(&dir.path().join("s")).expect("store");
    let mut sim = simulation(&host, &store);
    run(&mut sim, 12);
    let before = stored(&store, &sim).len();
    let from = sim.now();
    sim.hold_after(Some(from - 1));
    run(&mut sim, 2);
    assert_eq!(
        stored(&store, &sim).len(),
        before,
        "nothing after the horizon is stored"
    );
    let first = sim.next_held().expect("two hours make events");
    assert!(first >= from);
    let held = sim.held(0).len();
    // Half way: what is due is stored, in order, the rest stays held.
    sim.hold_after(Some(from + HOUR));
    sim.sync().expect("sync");
    let now_stored = stored(&store, &sim);
    assert!(now_stored.iter().all(|e| e.event.at <= from + HOUR));
    assert!(sim.held(0).iter().all(|e| e.event.at > from + HOUR));
    assert_eq!(now_stored.len() - before + sim.held(0).len(), held);
    sim.hold_after(None);
    sim.sync().expect("sync");
    let all = stored(&store, &sim);
    assert_eq!(all.len(), before + held);
    assert!(all.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
}
