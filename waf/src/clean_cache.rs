//! A small lock-free memory of header, cookie and method values that matched no rule at all. Browsers send the
//! same User-Agent, Accept-* and cookie values on every request, and every request has one of a handful of
//! methods, so remembering "this exact value is clean" lets the engine skip them the next time. Keys are
//! keyed-SipHash digests of (target, name, value): an attacker who cannot see the per-engine key cannot aim a
//! payload at a clean slot, and a rule reload builds a new engine and so starts with an empty cache.
//! Direct-mapped and fixed-size: memory never grows.
//!
//! [`SeenInRequest`] is the per-request counterpart for every other target: JSON arrays of objects repeat
//! their keys in every element and often their values (tags, states, units), so a value that already came
//! out clean in this request is not inspected again.

use std::hash::{BuildHasher, Hasher};
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
            TargetKind::HeaderValue
                | TargetKind::HeaderName
                | TargetKind::CookieName
                | TargetKind::CookieValue
                | TargetKind::Method
        )
    }

    /// Digest of one value (never 0, which marks an empty slot). SipHash costs mostly per `write` call, and a
    /// `(kind, name, value)` tuple takes five; a value that fits the buffer (a browser's header values do) is
    /// hashed in one: kind, name length, name, value. Longer ones hash as the tuple, its first byte marked so
    /// that the two layouts never give the same input.
    pub fn key(&self, kind: TargetKind, name: &[u8], value: &[u8]) -> u64 {
        let mut buf = [0u8; 256];
        let n = 2 + name.len() + value.len();
        let digest = match u8::try_from(name.len()) {
            Ok(name_len) if n <= buf.len() => {
                buf[0] = kind as u8;
                buf[1] = name_len;
                buf[2..2 + name.len()].copy_from_slice(name);
                buf[2 + name.len()..n].copy_from_slice(value);
                let mut h = self.hasher.build_hasher();
                h.write(&buf[..n]);
                h.finish()
            }
            _ => self.hasher.hash_one((kind as u8 | 0x80, name, value)),
        };
        digest | 1
    }

    pub fn contains(&self, key: u64) -> bool {
        self.slots[(key >> 1) as usize % SLOTS].load(Ordering::Relaxed) == key
    }

    pub fn insert(&self, key: u64) {
        self.slots[(key >> 1) as usize % SLOTS].store(key, Ordering::Relaxed);
    }
}

/// Values of the current request that matched no rule (see the module comment), compared byte for byte:
/// direct-mapped by a digest of the value's length and edges, so a lookup is one slot, and a wrong slot only
/// costs a miss. Only short name + value pairs are kept (the ones that repeat: keys, tags, states, units).
///
/// The table is big enough that a JSON array of objects keeps its few dozen distinct keys and values (with 64
/// slots and a digest of first and last bytes, 133 of 301 repeats in the benchmark's order body missed and
/// were inspected again). It is reused by the thread's next request instead of being allocated and zeroed
/// each time: slots carry the generation of the request that wrote them.
#[derive(Debug, Default)]
pub struct SeenInRequest {
    table: Option<Box<Table>>,
}

#[derive(Debug)]
struct Table {
    generation: u32,
    slots: [Slot; SEEN_SLOTS],
}

const SEEN_SLOTS: usize = 512;
/// Longest name + value kept (a slot is one 64-byte cache line).
const SEEN_BYTES: usize = 57;

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The request generation that wrote the slot; another one (or 0) marks it empty.
    generation: u32,
    kind: u8,
    name_len: u8,
    value_len: u8,
    bytes: [u8; SEEN_BYTES],
}

const EMPTY: Slot = Slot {
    generation: 0,
    kind: 0,
    name_len: 0,
    value_len: 0,
    bytes: [0; SEEN_BYTES],
};

thread_local! {
    /// The table of this thread's previous request, handed to the next one.
    static SPARE: std::cell::Cell<Option<Box<Table>>> = const { std::cell::Cell::new(None) };
}

/// Up to 8 bytes from each end of `v`, folded into one word (fixed-size loads: this runs for every argument).
fn edges(v: &[u8]) -> u64 {
    let n = v.len();
    let (head, tail) = if n >= 8 {
        (load8(&v[..8]), load8(&v[n - 8..]))
    } else if n >= 4 {
        (u64::from(load4(&v[..4])), u64::from(load4(&v[n - 4..])))
    } else {
        let b = |i: usize| u64::from(v.get(i).copied().unwrap_or(0));
        (b(0) | b(1) << 8 | b(2) << 16, 0)
    };
    head ^ tail.rotate_left(29)
}

fn load8(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn load4(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

/// `a == b` for slices of equal length, with the short lengths every lookup has compared inline (two
/// overlapping word loads) rather than through a `memcmp` call.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    debug_assert_eq!(n, b.len());
    if (8..=16).contains(&n) {
        load8(&a[..8]) == load8(&b[..8]) && load8(&a[n - 8..]) == load8(&b[n - 8..])
    } else if (4..8).contains(&n) {
        load4(&a[..4]) == load4(&b[..4]) && load4(&a[n - 4..]) == load4(&b[n - 4..])
    } else if n < 4 {
        a.iter().zip(b).all(|(x, y)| x == y)
    } else {
        a == b
    }
}

/// The name a value is kept under: none for the name targets, whose value is their name (a JSON key then costs
/// one compare, not two).
fn own_name(kind: TargetKind, name: &[u8]) -> &[u8] {
    if matches!(
        kind,
        TargetKind::ArgName | TargetKind::CookieName | TargetKind::HeaderName
    ) {
        b""
    } else {
        name
    }
}

fn seen_index(kind: TargetKind, name: &[u8], value: &[u8]) -> usize {
    let lens = (kind as u64) << 16 | (name.len() as u64) << 8 | value.len() as u64;
    let h = (edges(name).rotate_left(17) ^ edges(value) ^ lens).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - SEEN_SLOTS.trailing_zeros())) as usize
}

impl Drop for SeenInRequest {
    fn drop(&mut self) {
        if let Some(t) = self.table.take() {
            // During thread teardown the slot may be gone; the table is then simply freed.
            let _ = SPARE.try_with(|s| s.set(Some(t)));
        }
    }
}

impl SeenInRequest {
    #[inline]
    pub fn contains(&self, kind: TargetKind, name: &[u8], value: &[u8]) -> bool {
        let Some(t) = &self.table else { return false };
        let name = own_name(kind, name);
        if name.len() + value.len() > SEEN_BYTES {
            return false;
        }
        let s = &t.slots[seen_index(kind, name, value)];
        let n = name.len();
        s.generation == t.generation
            && s.kind == kind as u8
            && usize::from(s.name_len) == n
            && usize::from(s.value_len) == value.len()
            && same_bytes(&s.bytes[..n], name)
            && same_bytes(&s.bytes[n..n + value.len()], value)
    }

    pub fn insert(&mut self, kind: TargetKind, name: &[u8], value: &[u8]) {
        let name = own_name(kind, name);
        let n = name.len();
        if n + value.len() > SEEN_BYTES {
            return;
        }
        let t = self.table.get_or_insert_with(|| {
            let mut t = SPARE.try_with(|s| s.take()).ok().flatten().unwrap_or_else(|| {
                Box::new(Table {
                    generation: 0,
                    slots: [EMPTY; SEEN_SLOTS],
                })
            });
            t.generation = t.generation.wrapping_add(1);
            if t.generation == 0 {
                // Wrapped: slots written 2^32 requests ago would look current.
                t.slots = [EMPTY; SEEN_SLOTS];
                t.generation = 1;
            }
            t
        });
        let generation = t.generation;
        let s = &mut t.slots[seen_index(kind, name, value)];
        s.generation = generation;
        s.kind = kind as u8;
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

    /// Keys tell apart every split of the same bytes between name and value, and both layouts (values that fit
    /// the one-write buffer and longer ones) are stable.
    #[test]
    fn keys_separate_name_from_value_in_both_layouts() {
        let c = CleanCache::default();
        let k = |kind, n: &[u8], v: &[u8]| c.key(kind, n, v);
        let long = vec![b'x'; 300];
        for v in [&b"c"[..], &long] {
            let mut keys = vec![
                k(TargetKind::CookieValue, b"ab", v),
                k(TargetKind::CookieValue, b"a", &[b"b", v].concat()),
                k(TargetKind::CookieValue, b"", &[b"ab", v].concat()),
                k(TargetKind::CookieName, b"ab", v),
            ];
            assert_eq!(keys[0], k(TargetKind::CookieValue, b"ab", v));
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), 4);
        }
        assert_ne!(
            k(TargetKind::HeaderValue, b"h", &long[..253]),
            k(TargetKind::HeaderValue, b"h", &long[..254])
        );
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
        let long = [b'a'; 60];
        seen.insert(TargetKind::ArgValue, b"x", &long);
        assert!(!seen.contains(TargetKind::ArgValue, b"x", &long));
    }

    #[test]
    fn short_compares_see_every_byte() {
        for n in 0..=40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(same_bytes(&a, &a.clone()), "{n}");
            for k in 0..n {
                let mut b = a.clone();
                b[k] ^= 0x20;
                assert!(!same_bytes(&a, &b), "{n} {k}");
            }
        }
    }

    #[test]
    fn the_next_request_starts_empty() {
        let mut seen = SeenInRequest::default();
        seen.insert(TargetKind::ArgValue, b"tags", b"garden");
        drop(seen);
        // Same thread: the table is reused, its slots are from an older generation.
        let mut next = SeenInRequest::default();
        assert!(!next.contains(TargetKind::ArgValue, b"tags", b"garden"));
        next.insert(TargetKind::ArgName, b"id", b"id");
        assert!(!next.contains(TargetKind::ArgValue, b"tags", b"garden"));
        assert!(next.contains(TargetKind::ArgName, b"id", b"id"));
    }

    #[test]
    fn distinct_json_keys_and_values_keep_their_slots() {
        let mut seen = SeenInRequest::default();
        let fields: Vec<(TargetKind, Vec<u8>, Vec<u8>)> = (0..48)
            .map(|i| {
                (
                    TargetKind::ArgValue,
                    b"name".to_vec(),
                    format!("Item number {i}").into_bytes(),
                )
            })
            .chain(
                ["id", "name", "price", "tags", "in_stock"]
                    .iter()
                    .map(|k| (TargetKind::ArgName, k.as_bytes().to_vec(), k.as_bytes().to_vec())),
            )
            .collect();
        for (k, n, v) in &fields {
            seen.insert(*k, n, v);
        }
        let kept = fields.iter().filter(|(k, n, v)| seen.contains(*k, n, v)).count();
        assert!(kept >= 48, "only {kept} of {} kept", fields.len());
    }
}
