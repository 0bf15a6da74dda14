//! A profile's plugins check and shape its webhooks in their platform's own
//! format ([`crate::webhook::Shaper`]): read-only calls on the profile's
//! own instances, which know the account's ids, under the profile's lock
//! like a native read.

use std::sync::{Arc, Weak};

use diorama_sdk::{Event, Verification, WebhookDelivery, WebhookFormat};

use crate::engine::EngineError;
use crate::event::OwnerId;
use crate::plugin::ErrorKind;
use crate::webhook::{ShapeError, Shaper};

use super::{alive, LiveManager};

/// The live profiles' plugins, as the webhooks see them. Holds the manager
/// weakly: the manager holds the webhooks.
struct LiveShaper(Weak<LiveManager>);

impl LiveManager {
    /// What the webhooks shape platform-format deliveries with.
    pub fn shaper(self: &Arc<Self>) -> Arc<dyn Shaper> {
        Arc::new(LiveShaper(Arc::downgrade(self)))
    }
}

impl LiveShaper {
    fn live(&self) -> Result<Arc<LiveManager>, ShapeError> {
        self.0
            .upgrade()
            .ok_or_else(|| ShapeError::Failed("the server is shutting down".into()))
    }

    /// Runs `f` on the profile's simulation, under its lock, while the
    /// profile is alive.
    fn on_profile<T>(
        &self,
        owner: OwnerId,
        f: impl FnOnce(&mut crate::engine::Simulation) -> Result<T, EngineError>,
    ) -> Result<T, ShapeError> {
        let live = self.live()?;
        let p = live
            .get(&owner.to_string())
            .map_err(|e| ShapeError::Failed(e.to_string()))?;
        let mut sim = p.sim();
        let rt = p.rt();
        alive(&p, &rt).map_err(|e| ShapeError::Failed(e.to_string()))?;
        drop(rt);
        f(&mut sim).map_err(|e| match e {
            EngineError::Invalid(m) => ShapeError::Refused(m),
            EngineError::Plugin(e)
                if matches!(
                    e.kind,
                    ErrorKind::Rejected | ErrorKind::NoWebhookShaping { .. }
                ) =>
            {
                ShapeError::Refused(e.to_string())
            }
            other => ShapeError::Failed(other.to_string()),
        })
    }
}

impl Shaper for LiveShaper {
    fn formats(&self, platform: &str) -> Option<Vec<WebhookFormat>> {
        let live = self.0.upgrade()?;
        let plugin = live.host().get(platform)?;
        Some(plugin.info.webhook_formats.clone())
    }

    fn loaded(&self) -> Vec<String> {
        self.0.upgrade().map_or_else(Vec::new, |live| {
            live.host()
                .plugins()
                .iter()
                .map(|p| p.info.name.clone())
                .collect()
        })
    }

    fn subscribe(
        &self,
        owner: OwnerId,
        platform: &str,
        format: &str,
        params: &str,
    ) -> Result<Option<Verification>, ShapeError> {
        self.on_profile(owner, |sim| {
            sim.webhook_subscribe(0, platform, format, params)
        })
    }

    fn webhooks_paused(&self, owner: OwnerId, platform: &str) -> Option<crate::event::Millis> {
        self.on_profile(owner, |sim| Ok(sim.webhooks_paused(0, platform, sim.now())))
            .ok()
            .flatten()
    }

    fn shape(
        &self,
        owner: OwnerId,
        platform: &str,
        format: &str,
        params: &str,
        event: &Event,
    ) -> Result<Option<WebhookDelivery>, ShapeError> {
        self.on_profile(owner, |sim| {
            sim.shape_webhook(0, platform, format, params, event)
        })
    }
}
