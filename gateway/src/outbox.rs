//! Decisions and attack events this gateway produced, waiting to be pushed to the manager in batches. Bounded:
//! when the manager is away long enough to fill it, the oldest items go first and are counted.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use protocol::event::Event;
use protocol::Decision;

const MAX_ITEMS: usize = 100_000;

#[derive(Debug, Default)]
struct Queues {
    decisions: VecDeque<Decision>,
    events: VecDeque<Event>,
}

#[derive(Debug)]
pub struct Outbox {
    enabled: bool,
    q: Mutex<Queues>,
    pub dropped: AtomicU64,
}

impl Outbox {
    /// A disabled outbox (no manager configured) accepts and forgets everything.
    pub fn new(enabled: bool) -> Outbox {
        Outbox {
            enabled,
            q: Mutex::new(Queues::default()),
            dropped: AtomicU64::new(0),
        }
    }

    pub fn push_decision(&self, d: Decision) {
        if !self.enabled {
            return;
        }
        if let Ok(mut q) = self.q.lock() {
            if q.decisions.len() >= MAX_ITEMS {
                q.decisions.pop_front();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            q.decisions.push_back(d);
        }
    }

    pub fn push_event(&self, e: Event) {
        if !self.enabled {
            return;
        }
        if let Ok(mut q) = self.q.lock() {
            if q.events.len() >= MAX_ITEMS {
                q.events.pop_front();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            q.events.push_back(e);
        }
    }

    /// Takes up to `max` of each kind for one push.
    pub fn take(&self, max: usize) -> (Vec<Decision>, Vec<Event>) {
        match self.q.lock() {
            Ok(mut q) => {
                let nd = q.decisions.len().min(max);
                let ne = q.events.len().min(max);
                (q.decisions.drain(..nd).collect(), q.events.drain(..ne).collect())
            }
            Err(_) => (Vec::new(), Vec::new()),
        }
    }

    /// Puts a batch that could not be delivered back at the front, keeping order.
    pub fn restore(&self, decisions: Vec<Decision>, events: Vec<Event>) {
        if let Ok(mut q) = self.q.lock() {
            for d in decisions.into_iter().rev() {
                q.decisions.push_front(d);
            }
            for e in events.into_iter().rev() {
                q.events.push_front(e);
            }
            while q.decisions.len() > MAX_ITEMS {
                q.decisions.pop_back();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            while q.events.len() > MAX_ITEMS {
                q.events.pop_back();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
