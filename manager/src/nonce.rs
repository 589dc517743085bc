//! Replay protection: nonces of accepted signed requests are remembered for twice the allowed clock skew (after
//! that the timestamp check rejects the request anyway). The cache is bounded; when full of live entries, new
//! requests are refused rather than evicting a nonce that could then be replayed. Entries are 128-bit digests of
//! (key id, nonce), so a full cache of a million entries stays in the tens of megabytes.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use protocol::signing::MAX_SKEW_SECS;
use sha2::{Digest, Sha256};

pub const NONCE_TTL_SECS: i64 = 2 * MAX_SKEW_SECS;

#[derive(Debug, PartialEq, Eq)]
pub enum NonceError {
    Replayed,
    Full,
}

pub struct NonceCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

struct Inner {
    seen: HashSet<u128>,
    /// Insertion order with insertion time, so expiry is a pop from the front.
    order: VecDeque<(i64, u128)>,
}

impl NonceCache {
    pub fn new(capacity: usize) -> Self {
        NonceCache {
            inner: Mutex::new(Inner {
                seen: HashSet::new(),
                order: VecDeque::new(),
            }),
            capacity,
        }
    }

    /// Records `key_id`'s nonce at time `now`; fails if it was seen within the TTL.
    pub fn check_and_insert(&self, key_id: &str, nonce: &str, now: i64) -> Result<(), NonceError> {
        let mut h = Sha256::new();
        h.update(key_id.as_bytes());
        h.update([0u8]);
        h.update(nonce.as_bytes());
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        let key = u128::from_le_bytes(b);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((t, _)) = g.order.front() {
            if now - *t < NONCE_TTL_SECS {
                break;
            }
            if let Some((_, k)) = g.order.pop_front() {
                g.seen.remove(&k);
            }
        }
        if g.seen.contains(&key) {
            return Err(NonceError::Replayed);
        }
        if g.seen.len() >= self.capacity {
            return Err(NonceError::Full);
        }
        g.seen.insert(key);
        g.order.push_back((now, key));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_is_caught_until_expiry_and_capacity_is_bounded() {
        let c = NonceCache::new(2);
        assert_eq!(c.check_and_insert("a", "n1", 100), Ok(()));
        assert_eq!(c.check_and_insert("a", "n1", 101), Err(NonceError::Replayed));
        assert_eq!(c.check_and_insert("b", "n1", 101), Ok(()), "nonces are per key");
        assert_eq!(c.check_and_insert("a", "n2", 102), Err(NonceError::Full));
        assert_eq!(
            c.check_and_insert("a", "n2", 100 + NONCE_TTL_SECS),
            Ok(()),
            "first entry expired"
        );
        assert_eq!(c.len(), 2);
    }
}
