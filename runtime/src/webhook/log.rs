//! Reading a hook's delivery log, a page at a time.

use super::records::DELIVERIES;
use crate::event::OwnerId;

use super::error::{HookRefusal, WebhookError};
use super::records::decode;
use super::Webhooks;

impl Webhooks {
    /// A page of the hook's delivery log, oldest first: each entry is
    /// `{"event_id","seq","attempt","at","status","outcome","error","duration_ms"}`.
    /// The second value, when present, is the `after` of the next page.
    pub fn deliveries(
        &self,
        owner: OwnerId,
        id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), WebhookError> {
        self.hook_record(owner, id)?;
        let mut from = Vec::new();
        if let Some(a) = after {
            let bad = || HookRefusal::DeliveriesCursor(a.to_string());
            let bytes = hex::decode(a).map_err(|_| bad())?;
            if bytes.len() != 12 {
                return Err(bad().into());
            }
            from = bytes;
            // The first key after `after` itself.
            from.push(0);
        }
        let rows = self.ctx.store.records(
            DELIVERIES,
            owner,
            id.as_bytes(),
            &from,
            limit.saturating_add(1),
        )?;
        let more = rows.len() > limit;
        let mut page = Vec::with_capacity(rows.len().min(limit));
        let mut last = None;
        for (k, v) in rows.into_iter().take(limit) {
            let entry: serde_json::Value = decode(DELIVERIES, owner, &k, &v)?;
            page.push(entry);
            last = Some(hex::encode(&k[id.len()..]));
        }
        Ok((page, if more { last } else { None }))
    }
}
