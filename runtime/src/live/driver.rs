//! The threads that step live profiles when their windows come due.
//!
//! A min-heap of (due instant, profile, generation): a worker sleeps until
//! the earliest entry is due, steps that profile and puts it back with its
//! next due instant. Pausing or changing a profile bumps its generation, so
//! stale entries fall out when they surface. Plugin calls happen here, on
//! plain threads, never on the async executor's workers.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::profile::LiveProfile;

struct Entry {
    due: Instant,
    generation: u64,
    profile: Arc<LiveProfile>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed: the earliest due entry is the heap's greatest.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .due
            .cmp(&self.due)
            .then_with(|| other.profile.id.cmp(&self.profile.id))
    }
}

struct Queue {
    heap: BinaryHeap<Entry>,
    stopping: bool,
}

pub(super) struct Scheduler {
    queue: Mutex<Queue>,
    wake: Condvar,
    snapshot_every: Duration,
}

impl Scheduler {
    pub(super) fn new(snapshot_every: Duration) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            queue: Mutex::new(Queue {
                heap: BinaryHeap::new(),
                stopping: false,
            }),
            wake: Condvar::new(),
            snapshot_every,
        })
    }

    pub(super) fn spawn_workers(self: &Arc<Self>, n: usize) -> Vec<std::thread::JoinHandle<()>> {
        (0..n.max(1))
            .filter_map(|i| {
                let s = self.clone();
                std::thread::Builder::new()
                    .name(format!("diorama-live-{i}"))
                    .spawn(move || s.work())
                    .ok()
            })
            .collect()
    }

    pub(super) fn schedule(&self, due: Instant, generation: u64, profile: Arc<LiveProfile>) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        // A worker is woken only when the entry is due before every other:
        // the workers already wait for the earliest, and a thousand
        // profiles rescheduling themselves would otherwise wake one for
        // each, to find nothing due and sleep again.
        let earliest = q.heap.peek().is_none_or(|top| due < top.due);
        q.heap.push(Entry {
            due,
            generation,
            profile,
        });
        drop(q);
        if earliest {
            self.wake.notify_one();
        }
    }

    pub(super) fn stop(&self) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.stopping = true;
        q.heap.clear();
        drop(q);
        self.wake.notify_all();
    }

    fn work(&self) {
        loop {
            let entry = {
                let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if q.stopping {
                        return;
                    }
                    let now = Instant::now();
                    match q.heap.peek() {
                        Some(top) if top.due <= now => break q.heap.pop(),
                        Some(top) => {
                            let wait = top.due - now;
                            q = self
                                .wake
                                .wait_timeout(q, wait)
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                        None => {
                            q = self.wake.wait(q).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                }
            };
            let Some(entry) = entry else { continue };
            if let Some(next) = entry.profile.tick(entry.generation, self.snapshot_every) {
                self.schedule(next, entry.generation, entry.profile);
            }
        }
    }
}
