//! A small lock-free memory of header and cookie values that matched no rule at all. Browsers send the same
//! User-Agent, Accept-* and cookie values on every request, so remembering "this exact value is clean" lets
//! the engine skip them the next time. Keys are keyed-SipHash digests of (target, name, value): an attacker
//! who cannot see the per-engine key cannot aim a payload at a clean slot, and a rule reload builds a new
//! engine and so starts with an empty cache. Direct-mapped and fixed-size: memory never grows.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::target::TargetKind;

const SLOTS: usize = 8192;

#[derive(Debug)]
pub struct CleanCache {
    slots: Vec<AtomicU64>,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for CleanCache {
    fn default() -> Self {
        CleanCache {
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            hasher: Default::default(),
        }
    }
}

impl CleanCache {
    /// True for the targets whose values repeat across a client's requests.
    pub fn applies(kind: TargetKind) -> bool {
        matches!(
            kind,
            TargetKind::HeaderValue | TargetKind::HeaderName | TargetKind::CookieName | TargetKind::CookieValue
        )
    }

    /// Digest of one value (never 0, which marks an empty slot).
    pub fn key(&self, kind: TargetKind, name: &[u8], value: &[u8]) -> u64 {
        self.hasher.hash_one((kind as u8, name, value)) | 1
    }

    pub fn contains(&self, key: u64) -> bool {
        self.slots[(key >> 1) as usize % SLOTS].load(Ordering::Relaxed) == key
    }

    pub fn insert(&self, key: u64) {
        self.slots[(key >> 1) as usize % SLOTS].store(key, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_exact_values() {
        let c = CleanCache::default();
        let k = c.key(TargetKind::HeaderValue, b"user-agent", b"Mozilla/5.0");
        assert!(!c.contains(k));
        c.insert(k);
        assert!(c.contains(k));
        assert!(!c.contains(c.key(TargetKind::HeaderValue, b"user-agent", b"Mozilla/5.1")));
        assert!(!c.contains(c.key(TargetKind::HeaderValue, b"referer", b"Mozilla/5.0")));
    }
}
