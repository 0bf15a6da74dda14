//! The writer thread: stores each chunk of events, then hands it to the
//! listeners in merge order. Errors are kept and reported at the next sync.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use crate::event::{EventListener, OwnerId, StoredEvent};
use crate::store::Store;

use super::EngineError;

enum Msg {
    Profile(OwnerId, String),
    Events {
        by_profile: Vec<(OwnerId, Vec<StoredEvent>)>,
        order: Vec<(u32, u32)>,
    },
    Sync(SyncSender<Result<(), EngineError>>),
    Finish(SyncSender<Result<(), EngineError>>),
}

pub(super) struct Writer {
    tx: Option<SyncSender<Msg>>,
    thread: Option<JoinHandle<()>>,
    /// Set for a writer without a thread: every send is written at once.
    inline: Option<Inline>,
}

/// The state of an inline writer: what the thread would own.
struct Inline {
    store: Store,
    listeners: Vec<Box<dyn EventListener>>,
    names: BTreeMap<OwnerId, String>,
}

/// How many chunks may wait for the writer before the engine waits too.
const QUEUE: usize = 4;

impl Writer {
    pub(super) fn spawn(store: Store, listeners: Vec<Box<dyn EventListener>>) -> Writer {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("diorama-writer".into())
            .spawn(move || run(store, listeners, rx))
            .ok();
        Writer {
            tx: Some(tx),
            thread,
            inline: None,
        }
    }

    /// A writer that stores and notifies on the caller's thread, at each
    /// send: for live profiles, which step a small window at a time and
    /// must publish its events as soon as they are stored.
    pub(super) fn inline(store: Store, listeners: Vec<Box<dyn EventListener>>) -> Writer {
        Writer {
            tx: None,
            thread: None,
            inline: Some(Inline {
                store,
                listeners,
                names: BTreeMap::new(),
            }),
        }
    }

    fn post(&self, msg: Msg) -> Result<(), EngineError> {
        match &self.tx {
            Some(tx) => tx.send(msg).map_err(|_| EngineError::WriterStopped),
            None => Err(EngineError::WriterFinished),
        }
    }

    pub(super) fn add_profile(&mut self, id: OwnerId, name: String) {
        if let Some(w) = &mut self.inline {
            w.names.insert(id, name);
            return;
        }
        // A stopped writer is reported by the next send or sync.
        let _ = self.post(Msg::Profile(id, name));
    }

    pub(super) fn send(
        &mut self,
        by_profile: Vec<(OwnerId, Vec<StoredEvent>)>,
        order: Vec<(u32, u32)>,
    ) -> Result<(), EngineError> {
        if let Some(w) = &mut self.inline {
            return write(&w.store, &mut w.listeners, &w.names, &by_profile, &order);
        }
        self.post(Msg::Events { by_profile, order })
    }

    fn round_trip(
        &self,
        make: fn(SyncSender<Result<(), EngineError>>) -> Msg,
    ) -> Result<(), EngineError> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.post(make(tx))?;
        rx.recv().map_err(|_| EngineError::WriterStopped)?
    }

    pub(super) fn sync(&self) -> Result<(), EngineError> {
        if self.inline.is_some() {
            return Ok(());
        }
        self.round_trip(Msg::Sync)
    }

    pub(super) fn finish(&mut self) -> Result<(), EngineError> {
        if let Some(w) = &mut self.inline {
            let mut result = Ok(());
            for l in w.listeners.iter_mut() {
                if let Err(e) = l.finish() {
                    result = result.and(Err(EngineError::Output(e)));
                }
            }
            return result;
        }
        let result = self.round_trip(Msg::Finish);
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        result
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(store: Store, mut listeners: Vec<Box<dyn EventListener>>, rx: Receiver<Msg>) {
    let mut names: BTreeMap<OwnerId, String> = BTreeMap::new();
    let mut failure: Option<EngineError> = None;
    let take = |failure: &mut Option<EngineError>| match failure.take() {
        Some(e) => Err(e),
        None => Ok(()),
    };
    for msg in rx {
        match msg {
            Msg::Profile(id, name) => {
                names.insert(id, name);
            }
            Msg::Events { by_profile, order } => {
                if failure.is_some() {
                    continue;
                }
                if let Err(e) = write(&store, &mut listeners, &names, &by_profile, &order) {
                    failure = Some(e);
                }
            }
            Msg::Sync(reply) => {
                let _ = reply.send(take(&mut failure));
            }
            Msg::Finish(reply) => {
                let mut result = take(&mut failure);
                for l in listeners.iter_mut() {
                    if let Err(e) = l.finish() {
                        result = result.and(Err(EngineError::Output(e)));
                    }
                }
                let _ = reply.send(result);
                return;
            }
        }
    }
}

fn write(
    store: &Store,
    listeners: &mut [Box<dyn EventListener>],
    names: &BTreeMap<OwnerId, String>,
    by_profile: &[(OwnerId, Vec<StoredEvent>)],
    order: &[(u32, u32)],
) -> Result<(), EngineError> {
    for (owner, events) in by_profile {
        if !events.is_empty() {
            store.append(*owner, events)?;
        }
    }
    if listeners.is_empty() {
        return Ok(());
    }
    let merged: Vec<&StoredEvent> = order
        .iter()
        .map(|&(p, i)| &by_profile[p as usize].1[i as usize])
        .collect();
    for l in listeners.iter_mut() {
        l.on_events(names, &merged)?;
    }
    Ok(())
}
