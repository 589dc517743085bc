//! Upstream pools (`proxy_<site>` and `unreal_<site>`): weighted round-robin over backends, passive health with
//! nginx semantics and the hooks the active checker uses. Backend health lives in a [`BackendRegistry`] keyed by
//! address, so a reload that keeps a backend keeps what is known about it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::site::HealthSection;

/// Which of a site's two pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolKind {
    /// The real site.
    Real,
    /// The cloned site attackers are moved to.
    Unreal,
}

impl PoolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolKind::Real => "real",
            PoolKind::Unreal => "unreal",
        }
    }
}

/// Milliseconds since the first call, on the monotonic clock; cheap to store in atomics.
pub fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// What is known about one backend address.
#[derive(Debug)]
pub struct BackendState {
    pub addr: SocketAddr,
    fails: AtomicU32,
    window_start_ms: AtomicU64,
    down_until_ms: AtomicU64,
    /// Last active check result (true until a check says otherwise).
    active_ok: AtomicBool,
    /// When the active checker last looked (ms, [`now_ms`]).
    pub last_check_ms: AtomicU64,
}

impl BackendState {
    fn new(addr: SocketAddr) -> BackendState {
        BackendState {
            addr,
            fails: AtomicU32::new(0),
            window_start_ms: AtomicU64::new(0),
            down_until_ms: AtomicU64::new(0),
            active_ok: AtomicBool::new(true),
            last_check_ms: AtomicU64::new(0),
        }
    }

    /// Usable now: not taken out by passive failures and not failing its active check.
    pub fn is_up(&self, now: u64) -> bool {
        self.active_ok.load(Ordering::Relaxed) && self.down_until_ms.load(Ordering::Relaxed) <= now
    }

    /// Records one failure; returns true when this failure takes the backend out (nginx `max_fails` within
    /// `fail_timeout` → unavailable for `fail_timeout`).
    pub fn record_failure(&self, max_fails: u32, fail_timeout: Duration, now: u64) -> bool {
        if max_fails == 0 {
            return false; // nginx: max_fails=0 disables accounting
        }
        let window = fail_timeout.as_millis() as u64;
        let start = self.window_start_ms.load(Ordering::Relaxed);
        let fails = if now.saturating_sub(start) > window {
            self.window_start_ms.store(now, Ordering::Relaxed);
            self.fails.store(1, Ordering::Relaxed);
            1
        } else {
            self.fails.fetch_add(1, Ordering::Relaxed) + 1
        };
        if fails >= max_fails {
            self.fails.store(0, Ordering::Relaxed);
            self.down_until_ms.store(now + window, Ordering::Relaxed);
            return true;
        }
        false
    }

    pub fn set_active_ok(&self, ok: bool) -> bool {
        self.active_ok.swap(ok, Ordering::Relaxed) != ok
    }
}

/// Backend states by address, shared by every snapshot.
#[derive(Debug, Default)]
pub struct BackendRegistry {
    states: DashMap<SocketAddr, Arc<BackendState>>,
}

impl BackendRegistry {
    pub fn get_or_create(&self, addr: SocketAddr) -> Arc<BackendState> {
        self.states
            .entry(addr)
            .or_insert_with(|| Arc::new(BackendState::new(addr)))
            .clone()
    }

    /// Forgets backends no pool uses any more.
    pub fn retain(&self, in_use: &std::collections::HashSet<SocketAddr>) {
        self.states.retain(|a, _| in_use.contains(a));
    }
}

/// Active HTTP health check of a pool.
#[derive(Debug, Clone)]
pub struct ActiveCheck {
    pub path: String,
    pub interval: Duration,
    pub timeout: Duration,
}

/// A weighted round-robin pool.
#[derive(Debug)]
pub struct Pool {
    pub name: String,
    pub kind: PoolKind,
    pub backends: Vec<Arc<BackendState>>,
    /// Smooth-weighted order of backend indexes, one turn of the wheel.
    schedule: Vec<u16>,
    cursor: AtomicUsize,
    pub max_fails: u32,
    pub fail_timeout: Duration,
    pub active: Option<ActiveCheck>,
}

impl Pool {
    pub fn new(
        name: String,
        kind: PoolKind,
        backends: Vec<(SocketAddr, u32)>,
        health: &HealthSection,
        registry: &BackendRegistry,
    ) -> Pool {
        let weights: Vec<u32> = backends.iter().map(|b| b.1).collect();
        Pool {
            name,
            kind,
            backends: backends.iter().map(|(a, _)| registry.get_or_create(*a)).collect(),
            schedule: smooth_weighted_schedule(&weights),
            cursor: AtomicUsize::new(0),
            max_fails: health.max_fails,
            fail_timeout: health.fail_timeout,
            active: health.check_path.as_ref().map(|p| ActiveCheck {
                path: p.clone(),
                interval: health.check_interval,
                timeout: health.check_timeout,
            }),
        }
    }

    /// Next usable backend in weighted order, skipping those in `tried`. `None` when every backend is down or tried.
    pub fn select(&self, tried: &[SocketAddr]) -> Option<&Arc<BackendState>> {
        let n = self.schedule.len();
        let now = now_ms();
        let start = self.cursor.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.backends[self.schedule[(start + i) % n] as usize])
            .find(|b| b.is_up(now) && !tried.contains(&b.addr))
    }

    pub fn record_failure(&self, addr: SocketAddr) -> bool {
        match self.backends.iter().find(|b| b.addr == addr) {
            Some(b) => b.record_failure(self.max_fails, self.fail_timeout, now_ms()),
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.backends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }
}

/// nginx's smooth weighted round-robin, unrolled into one period: weights 5,1,1 give a,a,b,a,c,a,a.
fn smooth_weighted_schedule(weights: &[u32]) -> Vec<u16> {
    let total: i64 = weights.iter().map(|w| *w as i64).sum();
    let mut current = vec![0i64; weights.len()];
    let mut out = Vec::with_capacity(total as usize);
    for _ in 0..total {
        let mut best = 0;
        for (i, w) in weights.iter().enumerate() {
            current[i] += *w as i64;
            if current[i] > current[best] {
                best = i;
            }
        }
        current[best] -= total;
        out.push(best as u16);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(weights: &[u32]) -> Pool {
        let reg = BackendRegistry::default();
        let b = weights
            .iter()
            .enumerate()
            .map(|(i, w)| (SocketAddr::from(([127, 0, 0, 1], 9000 + i as u16)), *w))
            .collect();
        Pool::new(
            "proxy_t".into(),
            PoolKind::Real,
            b,
            &HealthSection {
                max_fails: 2,
                ..Default::default()
            },
            &reg,
        )
    }

    #[test]
    fn weights_are_respected_and_interleaved() {
        assert_eq!(smooth_weighted_schedule(&[5, 1, 1]), vec![0, 0, 1, 0, 2, 0, 0]);
        let p = pool(&[3, 1]);
        let picks: Vec<u16> = (0..8).map(|_| p.select(&[]).unwrap().addr.port()).collect();
        assert_eq!(picks.iter().filter(|p| **p == 9000).count(), 6);
    }

    #[test]
    fn max_fails_within_window_takes_backend_out() {
        let p = pool(&[1, 1]);
        let a = SocketAddr::from(([127, 0, 0, 1], 9000));
        assert!(!p.record_failure(a));
        assert!(p.record_failure(a));
        for _ in 0..4 {
            assert_eq!(p.select(&[]).unwrap().addr.port(), 9001);
        }
        assert!(p.select(&[SocketAddr::from(([127, 0, 0, 1], 9001))]).is_none());
    }

    #[test]
    fn failures_outside_window_do_not_add_up() {
        let s = BackendState::new(SocketAddr::from(([127, 0, 0, 1], 1)));
        let t = Duration::from_millis(100);
        assert!(!s.record_failure(2, t, 1_000));
        assert!(!s.record_failure(2, t, 1_200));
        assert!(s.record_failure(2, t, 1_250));
        assert!(!s.is_up(1_300));
        assert!(s.is_up(1_351));
    }
}
