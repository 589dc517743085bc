//! jinghuashuiyue host agent: follows service logs and Redis `MONITOR`, forwards every line as RFC 5424 syslog
//! through a bounded on-disk spool (nothing lost while a server is away), pulls its signed policy from the
//! manager (or a local file) and keeps one nftables table in one of four modes (DESIGN.md §5).
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod firewall;
pub mod forward;
pub mod nft;
pub mod plan;
pub mod policy;
pub mod redis;
pub mod service;
pub mod spool;
pub mod syslog;
pub mod tail;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use protocol::policy::PolicyMode;

/// The agent's current mode, read by every reader when it stamps a message.
#[derive(Debug)]
pub struct ModeCell(AtomicU8);

impl ModeCell {
    pub fn new(m: PolicyMode) -> ModeCell {
        ModeCell(AtomicU8::new(Self::code(m)))
    }

    fn code(m: PolicyMode) -> u8 {
        match m {
            PolicyMode::Honeypot => 0,
            PolicyMode::Unreal => 1,
            PolicyMode::Back => 2,
            PolicyMode::Firewall => 3,
        }
    }

    pub fn set(&self, m: PolicyMode) {
        self.0.store(Self::code(m), Ordering::Relaxed);
    }

    pub fn get(&self) -> PolicyMode {
        match self.0.load(Ordering::Relaxed) {
            1 => PolicyMode::Unreal,
            2 => PolicyMode::Back,
            3 => PolicyMode::Firewall,
            _ => PolicyMode::Honeypot,
        }
    }
}

/// Sleeps `d` in short steps, returning early when `stop` is set.
pub fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let step = Duration::from_millis(100);
    let mut left = d;
    while !stop.load(Ordering::Relaxed) && !left.is_zero() {
        let s = left.min(step);
        std::thread::sleep(s);
        left -= s;
    }
}
