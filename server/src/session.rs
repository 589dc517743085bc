//! Per-session memory for rules whose line lacks the address or must be paired with a later line: the source
//! address last seen for a (detector, host, pid|connection) and at most one pending event. Bounded and expiring.

use std::collections::HashMap;

/// An event held back until a `release` line (or dropped by the next `event` line of the session).
#[derive(Debug, Clone)]
pub struct Pending {
    pub detector: usize,
    pub rule: usize,
    pub src: Option<String>,
    pub user: Option<String>,
    pub fields: Vec<(String, String)>,
    pub evidence: String,
}

#[derive(Debug, Default)]
struct Session {
    src: Option<String>,
    pending: Option<Pending>,
    last: f64,
}

#[derive(Debug)]
pub struct Sessions {
    map: HashMap<String, Session>,
    max: usize,
    idle: f64,
}

impl Sessions {
    pub fn new(max: usize, idle_secs: f64) -> Self {
        Self {
            map: HashMap::new(),
            max: max.max(16),
            idle: idle_secs,
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn entry(&mut self, key: &str, now: f64) -> &mut Session {
        if !self.map.contains_key(key) && self.map.len() >= self.max {
            self.sweep(now);
        }
        let s = self.map.entry(key.to_string()).or_default();
        s.last = now;
        s
    }

    /// Drops idle sessions; if the table is still full (a flood of distinct pids), drops half of it.
    pub fn sweep(&mut self, now: f64) {
        let idle = self.idle;
        self.map.retain(|_, s| now - s.last <= idle);
        if self.map.len() >= self.max {
            let drop: Vec<String> = self.map.keys().take(self.map.len() / 2).cloned().collect();
            for k in drop {
                self.map.remove(&k);
            }
        }
    }

    pub fn remember(&mut self, key: &str, src: &str, now: f64) {
        self.entry(key, now).src = Some(src.to_string());
    }

    pub fn src(&self, key: &str, now: f64) -> Option<&str> {
        self.map
            .get(key)
            .filter(|s| now - s.last <= self.idle)
            .and_then(|s| s.src.as_deref())
    }

    pub fn set_pending(&mut self, key: &str, p: Pending, now: f64) {
        self.entry(key, now).pending = Some(p);
    }

    pub fn take_pending(&mut self, key: &str) -> Option<Pending> {
        self.map.get_mut(key).and_then(|s| s.pending.take())
    }
}
