//! A small lock-free memory of header and cookie values that matched no rule at all. Browsers send the same
//! User-Agent, Accept-* and cookie values on every request, so remembering "this exact value is clean" lets
//! the engine skip them the next time. Keys are keyed-SipHash digests of (target, name, value): an attacker
//! who cannot see the per-engine key cannot aim a payload at a clean slot, and a rule reload builds a new
//! engine and so starts with an empty cache. Direct-mapped and fixed-size: memory never grows.
//!
//! [`SeenInRequest`] is the per-request counterpart for every other target: JSON arrays of objects repeat
//! their keys in every element and often their values (tags, states, units), so a value that already came
//! out clean in this request is not inspected again.

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

/// Values of the current request that matched no rule (see the module comment), compared byte for byte:
/// direct-mapped by a cheap digest of the value's shape, so a lookup is one slot, and a wrong slot only costs
/// a miss. Only short name + value pairs are kept (the ones that repeat: keys, tags, states, units). Fixed
/// size, allocated on first use.
#[derive(Debug, Default)]
pub struct SeenInRequest {
    slots: Option<Box<[Slot; SEEN_SLOTS]>>,
}

const SEEN_SLOTS: usize = 64;
/// Longest name + value kept.
const SEEN_BYTES: usize = 61;

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// `TargetKind as u8 + 1`; 0 marks an empty slot.
    kind: u8,
    name_len: u8,
    value_len: u8,
    bytes: [u8; SEEN_BYTES],
}

const EMPTY: Slot = Slot {
    kind: 0,
    name_len: 0,
    value_len: 0,
    bytes: [0; SEEN_BYTES],
};

fn seen_index(kind: TargetKind, name: &[u8], value: &[u8]) -> usize {
    let edge =
        |v: &[u8]| usize::from(v.first().copied().unwrap_or(0)) * 3 + usize::from(v.last().copied().unwrap_or(0));
    (kind as usize * 7 + name.len() * 31 + value.len() * 17 + edge(name) * 5 + edge(value)) % SEEN_SLOTS
}

impl SeenInRequest {
    pub fn contains(&self, kind: TargetKind, name: &[u8], value: &[u8]) -> bool {
        let Some(slots) = &self.slots else { return false };
        if name.len() + value.len() > SEEN_BYTES {
            return false;
        }
        let s = &slots[seen_index(kind, name, value)];
        let n = name.len();
        s.kind == kind as u8 + 1
            && usize::from(s.name_len) == n
            && usize::from(s.value_len) == value.len()
            && &s.bytes[..n] == name
            && &s.bytes[n..n + value.len()] == value
    }

    pub fn insert(&mut self, kind: TargetKind, name: &[u8], value: &[u8]) {
        let n = name.len();
        if n + value.len() > SEEN_BYTES {
            return;
        }
        let slots = self.slots.get_or_insert_with(|| Box::new([EMPTY; SEEN_SLOTS]));
        let s = &mut slots[seen_index(kind, name, value)];
        s.kind = kind as u8 + 1;
        s.name_len = n as u8;
        s.value_len = value.len() as u8;
        s.bytes[..n].copy_from_slice(name);
        s.bytes[n..n + value.len()].copy_from_slice(value);
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

    #[test]
    fn request_memory_compares_exactly() {
        let mut seen = SeenInRequest::default();
        assert!(!seen.contains(TargetKind::ArgName, b"id", b"id"));
        seen.insert(TargetKind::ArgName, b"id", b"id");
        seen.insert(TargetKind::ArgValue, b"tags", b"garden");
        assert!(seen.contains(TargetKind::ArgName, b"id", b"id"));
        assert!(seen.contains(TargetKind::ArgValue, b"tags", b"garden"));
        assert!(!seen.contains(TargetKind::ArgValue, b"tags", b"gardeN"));
        assert!(!seen.contains(TargetKind::ArgValue, b"tag", b"sgarden"));
        assert!(!seen.contains(TargetKind::ArgName, b"tags", b"garden"));
        let long = [b'a'; 80];
        seen.insert(TargetKind::ArgValue, b"x", &long);
        assert!(!seen.contains(TargetKind::ArgValue, b"x", &long));
    }
}
