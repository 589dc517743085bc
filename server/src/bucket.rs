//! Leaky buckets per (scenario, source address), CrowdSec semantics: each event adds one, the level drains by
//! one per `leak`, the event that takes the level above `capacity` overflows. An overflow empties the bucket and
//! blackholes the pair for `blackhole`, so one attack yields one decision. Memory is bounded: drained buckets
//! are swept, and when the table is full the stalest sampled bucket is evicted.

use std::collections::{HashMap, VecDeque};

use crate::rules::Scenario;

/// Evidence lines kept per bucket.
pub const EVIDENCE_LINES: usize = 10;

#[derive(Debug)]
struct Bucket {
    level: f64,
    last: f64,
    hits: u64,
    seen: Vec<String>,
    evidence: VecDeque<String>,
}

/// What an overflow reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    pub hits: u64,
    pub evidence: Vec<String>,
}

#[derive(Debug)]
pub struct Buckets {
    map: HashMap<(usize, String), Bucket>,
    blackholes: HashMap<(usize, String), f64>,
    max: usize,
    evicted: u64,
}

impl Buckets {
    pub fn new(max: usize) -> Self {
        Self {
            map: HashMap::new(),
            blackholes: HashMap::new(),
            max: max.max(16),
            evicted: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Buckets dropped early because the table was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Pours one event. `distinct` is the value of the scenario's distinct capture (None: the event does not
    /// pour into a distinct scenario).
    pub fn pour(
        &mut self,
        idx: usize,
        sc: &Scenario,
        src: &str,
        distinct: Option<&str>,
        t: f64,
        evidence: &str,
    ) -> Option<Overflow> {
        if sc.distinct.is_some() && distinct.is_none() {
            return None;
        }
        let key = (idx, src.to_string());
        if let Some(&until) = self.blackholes.get(&key) {
            if t < until {
                return None;
            }
            self.blackholes.remove(&key);
        }
        let leak = sc.leak.as_secs_f64().max(1e-3);
        if !self.map.contains_key(&key) && self.map.len() >= self.max {
            self.make_room(t, leak);
        }
        let b = self.map.entry(key.clone()).or_insert_with(|| Bucket {
            level: 0.0,
            last: t,
            hits: 0,
            seen: Vec::new(),
            evidence: VecDeque::new(),
        });
        let elapsed = (t - b.last).max(0.0);
        b.level = (b.level - elapsed / leak).max(0.0);
        if b.level == 0.0 {
            b.seen.clear();
        }
        b.last = b.last.max(t);
        if let Some(v) = distinct {
            if b.seen.iter().any(|s| s == v) {
                return None;
            }
            b.seen.push(v.to_string());
        }
        b.level += 1.0;
        b.hits += 1;
        if b.evidence.len() == EVIDENCE_LINES {
            b.evidence.pop_front();
        }
        b.evidence.push_back(evidence.to_string());
        if b.level <= f64::from(sc.capacity) {
            return None;
        }
        let b = self.map.remove(&key)?;
        if self.blackholes.len() >= self.max {
            self.blackholes.retain(|_, until| *until > t);
        }
        if self.blackholes.len() < self.max {
            self.blackholes.insert(key, t + sc.blackhole.as_secs_f64());
        }
        Some(Overflow {
            hits: b.hits,
            evidence: b.evidence.into_iter().collect(),
        })
    }

    fn make_room(&mut self, t: f64, leak: f64) {
        // Drained buckets first (level would be 0 by now).
        self.map.retain(|_, b| b.level - (t - b.last).max(0.0) / leak > 0.0);
        while self.map.len() >= self.max {
            let victim = self
                .map
                .iter()
                .take(16)
                .min_by(|a, b| a.1.last.total_cmp(&b.1.last))
                .map(|(k, _)| k.clone());
            match victim {
                Some(k) => {
                    self.map.remove(&k);
                    self.evicted += 1;
                }
                None => break,
            }
        }
    }

    /// Periodic sweep of drained buckets and ended blackholes (any leak rate: uses the longest idle bound).
    pub fn sweep(&mut self, t: f64, max_idle: f64) {
        self.map.retain(|_, b| t - b.last <= max_idle);
        self.blackholes.retain(|_, until| *until > t);
    }
}
