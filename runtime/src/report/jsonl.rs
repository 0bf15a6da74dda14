//! `events.jsonl`: one event a line, keys always in the same order, absent
//! fields left out.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::event::{event_line, EventListener, OwnerId, StoredEvent};

/// A failed write of `events.jsonl`.
#[derive(Debug, thiserror::Error)]
#[error("cannot write events.jsonl: {0}")]
pub struct JsonlError(#[from] std::io::Error);

/// Writes every event to `events.jsonl` as it is stored.
pub struct JsonlWriter {
    out: BufWriter<File>,
    line: Vec<u8>,
}

impl JsonlWriter {
    pub fn create(dir: &Path) -> std::io::Result<JsonlWriter> {
        let file = File::create(dir.join("events.jsonl"))?;
        Ok(JsonlWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            line: Vec::with_capacity(512),
        })
    }
}

impl EventListener for JsonlWriter {
    fn on_events(
        &mut self,
        names: &BTreeMap<OwnerId, String>,
        events: &[&StoredEvent],
    ) -> Result<(), String> {
        for e in events {
            self.line.clear();
            let name = names.get(&e.profile).map(String::as_str).unwrap_or("?");
            event_line(name, e, &mut self.line);
            self.line.push(b'\n');
            self.out
                .write_all(&self.line)
                .map_err(|e| JsonlError(e).to_string())?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.out.flush().map_err(|e| JsonlError(e).to_string())
    }
}
