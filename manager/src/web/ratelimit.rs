//! Login rate limiting: failures are counted per client address and per user name in a sliding window; either
//! over the limit refuses further attempts (429) until old failures age out. A success clears the name's count.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        LoginLimiter {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(addr: &str, user: &str) -> [String; 2] {
        [format!("ip:{addr}"), format!("user:{}", user.to_ascii_lowercase())]
    }

    /// Seconds to wait when an attempt from `addr` for `user` must be refused now.
    pub fn blocked(&self, addr: &str, user: &str) -> Option<u64> {
        let now = Instant::now();
        let mut g = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for k in Self::keys(addr, user) {
            if let Some(q) = g.get_mut(&k) {
                while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                    q.pop_front();
                }
                if q.len() as u32 >= self.max {
                    let oldest = q.front().copied().unwrap_or(now);
                    let left = self.window.saturating_sub(now.duration_since(oldest)).as_secs().max(1);
                    wait = Some(wait.map_or(left, |w: u64| w.max(left)));
                }
            }
        }
        // Forget idle entries so the map does not grow with every address ever seen.
        if g.len() > 100_000 {
            g.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        wait
    }

    pub fn failed(&self, addr: &str, user: &str) {
        let mut g = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in Self::keys(addr, user) {
            g.entry(k).or_default().push_back(Instant::now());
        }
    }

    pub fn succeeded(&self, user: &str) {
        let mut g = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        g.remove(&format!("user:{}", user.to_ascii_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_per_address_and_per_name() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        assert!(l.blocked("127.0.0.2", "admin").is_none());
        l.failed("127.0.0.2", "admin");
        l.failed("127.0.0.2", "bob");
        assert!(l.blocked("127.0.0.2", "carol").is_some(), "address over the limit");
        assert!(l.blocked("127.0.0.3", "carol").is_none());
        l.failed("127.0.0.4", "admin");
        assert!(l.blocked("127.0.0.5", "admin").is_some(), "name over the limit");
        l.succeeded("admin");
        assert!(l.blocked("127.0.0.5", "admin").is_none());
    }
}
