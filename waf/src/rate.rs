//! CC protection state: fixed-window request counters per (rule, client IP, path), sharded and bounded so that
//! an IP-spraying client cannot grow memory without limit.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;
/// Default bound on tracked (rule, IP, path) keys.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

/// Per client IP + URI request counters for rate-limit rules. Owned by the caller so counters survive a rule
/// reload.
#[derive(Debug)]
pub struct RateLimiter {
    shards: Vec<Mutex<HashMap<u64, Window>>>,
    per_shard: usize,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(DEFAULT_MAX_ENTRIES)
    }
}

impl RateLimiter {
    /// A limiter tracking at most `max_entries` keys (oldest windows are dropped first when full).
    pub fn new(max_entries: usize) -> RateLimiter {
        RateLimiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: (max_entries / SHARDS).max(1),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Number of tracked keys.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map(|m| m.len()).unwrap_or(0)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counts one request and returns the count within the current window.
    pub fn hit(&self, rule: u32, ip: IpAddr, path: &[u8], window: Duration, now: Instant) -> u32 {
        let key = self.hasher.hash_one((rule, ip, path));
        let shard = &self.shards[(key as usize) % SHARDS];
        let Ok(mut map) = shard.lock() else { return 0 };
        if map.len() >= self.per_shard && !map.contains_key(&key) {
            map.retain(|_, w| now.duration_since(w.start) < window);
            if map.len() >= self.per_shard {
                // Still full of live windows: drop the oldest tenth in one sweep to amortise the cost.
                let mut starts: Vec<Instant> = map.values().map(|w| w.start).collect();
                let cut = starts.len() / 10;
                starts.select_nth_unstable(cut);
                let limit = starts[cut];
                map.retain(|_, w| w.start > limit);
            }
        }
        let w = map.entry(key).or_insert(Window { start: now, count: 0 });
        if now.duration_since(w.start) >= window {
            *w = Window { start: now, count: 0 };
        }
        w.count = w.count.saturating_add(1);
        w.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_window() {
        let r = RateLimiter::new(100);
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        let w = Duration::from_secs(60);
        for n in 1..=5 {
            assert_eq!(r.hit(1, ip, b"/a", w, t0), n);
        }
        assert_eq!(r.hit(1, ip, b"/b", w, t0), 1);
        assert_eq!(r.hit(1, ip, b"/a", w, t0 + Duration::from_secs(61)), 1);
    }

    #[test]
    fn bounded_under_ip_spray() {
        let r = RateLimiter::new(1_600);
        let t0 = Instant::now();
        for n in 0..50_000u32 {
            let ip = IpAddr::from(n.to_be_bytes());
            r.hit(1, ip, b"/", Duration::from_secs(60), t0);
        }
        assert!(r.len() <= 1_600, "{}", r.len());
    }
}
