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
    /// Creation number, to tell this bucket from an older one of the same key in `order`.
    gen: u64,
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
    /// Keys in creation order: the eviction candidates (oldest first), O(1) per eviction.
    order: VecDeque<((usize, String), u64)>,
    next_gen: u64,
    blackholes: HashMap<(usize, String), f64>,
    max: usize,
    evicted: u64,
}

impl Buckets {
    pub fn new(max: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            next_gen: 0,
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
            self.make_room();
        }
        if self.order.len() > 2 * self.max {
            self.compact();
        }
        let next_gen = &mut self.next_gen;
        let order = &mut self.order;
        let b = self.map.entry(key.clone()).or_insert_with(|| {
            *next_gen += 1;
            order.push_back((key.clone(), *next_gen));
            Bucket {
                gen: *next_gen,
                level: 0.0,
                last: t,
                hits: 0,
                seen: Vec::new(),
                evidence: VecDeque::new(),
            }
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

    /// Evicts the oldest buckets until there is room (an IP spray cannot grow the table).
    fn make_room(&mut self) {
        while self.map.len() >= self.max {
            let Some((k, gen)) = self.order.pop_front() else { break };
            if self.map.get(&k).is_some_and(|b| b.gen == gen) {
                self.map.remove(&k);
                self.evicted += 1;
            }
        }
    }

    /// Drops order entries whose bucket is gone, so `order` stays proportional to the table.
    fn compact(&mut self) {
        let map = &self.map;
        self.order.retain(|(k, g)| map.get(k).is_some_and(|b| b.gen == *g));
    }

    /// Periodic sweep of drained buckets and ended blackholes (any leak rate: uses the longest idle bound).
    pub fn sweep(&mut self, t: f64, max_idle: f64) {
        self.map.retain(|_, b| t - b.last <= max_idle);
        self.blackholes.retain(|_, until| *until > t);
        self.compact();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sc(capacity: u32, distinct: Option<&str>) -> Scenario {
        Scenario {
            id: "t".into(),
            services: vec!["ssh".into()],
            kinds: vec![],
            capacity,
            leak: Duration::from_secs(10),
            distinct: distinct.map(str::to_string),
            ttl: Duration::from_secs(60),
            blackhole: Duration::from_secs(60),
        }
    }

    #[test]
    fn sixth_event_overflows_once_then_blackhole() {
        let mut b = Buckets::new(100);
        let s = sc(5, None);
        let r: Vec<_> = (0..10)
            .map(|i| b.pour(0, &s, "1.2.3.4", None, f64::from(i) * 0.1, "l"))
            .collect();
        assert!(r[..5].iter().all(Option::is_none));
        assert_eq!(r[5].as_ref().map(|o| o.hits), Some(6));
        assert!(r[6..].iter().all(Option::is_none), "blackholed");
        assert!(
            b.pour(0, &s, "1.2.3.4", None, 61.0, "l").is_none(),
            "new bucket after blackhole"
        );
    }

    #[test]
    fn leak_drains_and_distinct_counts_values() {
        let mut b = Buckets::new(100);
        let s = sc(5, None);
        // One every 2 s leaks 0.2 per step: level 1 + 5 * 0.8 = 5.0 at the 6th → no overflow.
        assert!((0..6).all(|i| b.pour(0, &s, "a", None, f64::from(i) * 2.0, "l").is_none()));
        let d = sc(2, Some("user"));
        for _ in 0..10 {
            assert!(b.pour(1, &d, "b", Some("root"), 1.0, "l").is_none());
        }
        assert!(b.pour(1, &d, "b", Some("x"), 1.0, "l").is_none());
        assert!(b.pour(1, &d, "b", Some("y"), 1.0, "l").is_some());
    }

    #[test]
    fn ip_spray_stays_bounded() {
        let mut b = Buckets::new(1000);
        let s = sc(5, None);
        for i in 0..100_000u32 {
            b.pour(0, &s, &i.to_string(), None, 1.0, "l");
        }
        assert!(b.len() <= 1000);
        assert!(b.order.len() <= 2001);
        assert_eq!(b.evicted(), 99_000);
    }
}
