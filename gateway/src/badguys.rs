//! The bad-guy table: addresses currently treated as attackers, with why and until when. Every request looks its
//! client up here, so lookups are a sharded read (dashmap) that never waits on a writer of another shard. The
//! table is bounded: when full, the entries that expire soonest make room, so an attacker spraying addresses
//! cannot exhaust memory. It is saved to `state_file` and reloaded at start, banned ranges ([`ranges`]) with
//! it; ranges are checked after the address itself.

pub mod ranges;

use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use dashmap::DashMap;
use serde::{Deserialize, Serialize};

/// Unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// This gateway's WAF.
    Waf,
    /// The admin API.
    Manual,
    /// The manager's decision stream.
    Manager,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub ip: IpAddr,
    pub hits: u64,
    /// Unix seconds.
    pub first_seen: u64,
    pub last_seen: u64,
    pub until: u64,
    pub reason: String,
    pub source: Source,
}

#[derive(Debug)]
pub struct BadGuyTable {
    map: DashMap<IpAddr, Entry>,
    /// How many entries `map` holds, kept by whoever inserts or removes one. Every request asks whether the
    /// table is empty (it almost always is), and `DashMap::is_empty` read-locks every shard to answer, which
    /// cost the gateway's worker threads a cache-line handover per shard and request.
    entries: AtomicUsize,
    max_entries: usize,
    /// Serialises evictions so concurrent inserts into a full table evict once.
    evicting: Mutex<()>,
    dirty: AtomicBool,
    pub evicted: AtomicU64,
    pub ranges: ranges::RangeBans,
}

impl BadGuyTable {
    pub fn new(max_entries: usize) -> BadGuyTable {
        BadGuyTable {
            map: DashMap::with_capacity(max_entries.min(65_536)),
            entries: AtomicUsize::new(0),
            max_entries: max_entries.max(1),
            evicting: Mutex::new(()),
            dirty: AtomicBool::new(false),
            evicted: AtomicU64::new(0),
            ranges: ranges::RangeBans::default(),
        }
    }

    /// The live entry for `ip`, if any (expired entries count as absent).
    pub fn lookup(&self, ip: IpAddr, now: u64) -> Option<Entry> {
        if self.is_empty() {
            return None;
        }
        let ip = protocol::ip::canonical(ip);
        self.map.get(&ip).filter(|e| e.until > now).map(|e| e.clone())
    }

    /// True when `ip` is marked and the mark has not expired. Counts the hit.
    pub fn hit(&self, ip: IpAddr, now: u64) -> bool {
        let ip = protocol::ip::canonical(ip);
        if self.is_empty() {
            return self.ranges.find(ip, now).is_some();
        }
        // Read lock first: most clients are not marked, and a write lock per request would serialise a shard.
        if self.map.get(&ip).is_none_or(|e| e.until <= now) {
            return self.ranges.find(ip, now).is_some();
        }
        match self.map.get_mut(&ip) {
            Some(mut e) if e.until > now => {
                e.hits += 1;
                e.last_seen = now;
                true
            }
            _ => false,
        }
    }

    /// Marks `ip` until `until`. An existing mark keeps its first-seen time and hit count and is extended, never
    /// shortened, except by a manual entry (a person's word is final).
    pub fn mark(&self, ip: IpAddr, until: u64, reason: &str, source: Source, now: u64) {
        let ip = protocol::ip::canonical(ip);
        if !self.map.contains_key(&ip) && self.len() >= self.max_entries {
            self.make_room(now);
        }
        match self.map.entry(ip) {
            dashmap::Entry::Occupied(mut o) => {
                let e = o.get_mut();
                e.hits += 1;
                e.last_seen = now;
                if until > e.until || source == Source::Manual || e.until <= now {
                    e.until = until;
                    e.reason = reason.to_string();
                    e.source = source;
                }
            }
            dashmap::Entry::Vacant(v) => {
                // Counted before it is visible: a lookup never finds the count at 0 with the entry in the map.
                self.entries.fetch_add(1, Ordering::Relaxed);
                v.insert(Entry {
                    ip,
                    hits: 1,
                    first_seen: now,
                    last_seen: now,
                    until,
                    reason: reason.to_string(),
                    source,
                });
            }
        }
        self.dirty.store(true, Ordering::Relaxed);
    }

    pub fn remove(&self, ip: IpAddr) -> bool {
        let removed = self.map.remove(&protocol::ip::canonical(ip)).is_some();
        if removed {
            self.entries.fetch_sub(1, Ordering::Relaxed);
            self.dirty.store(true, Ordering::Relaxed);
        }
        removed
    }

    pub fn len(&self) -> usize {
        self.entries.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `DashMap::retain` that keeps [`Self::entries`] right; returns how many went.
    fn retain(&self, mut keep: impl FnMut(&IpAddr, &mut Entry) -> bool) -> usize {
        let mut gone = 0;
        self.map.retain(|ip, e| {
            let k = keep(ip, e);
            gone += usize::from(!k);
            k
        });
        self.entries.fetch_sub(gone, Ordering::Relaxed);
        gone
    }

    /// Drops expired entries; returns how many.
    pub fn purge_expired(&self, now: u64) -> usize {
        self.ranges.purge_expired(now);
        let n = self.retain(|_, e| e.until > now);
        if n > 0 {
            self.dirty.store(true, Ordering::Relaxed);
        }
        n
    }

    /// Frees about 1 % of the table (at least one entry): expired entries first, then those expiring soonest.
    /// Evicting in batches keeps the cost of a full table at a scan per ~1 % of inserts, not per insert.
    fn make_room(&self, now: u64) {
        let Ok(_guard) = self.evicting.lock() else { return };
        if self.len() < self.max_entries {
            return; // another thread made room
        }
        if self.purge_expired(now) > 0 && self.len() < self.max_entries {
            return;
        }
        let batch = (self.max_entries / 100).max(1);
        let mut untils: Vec<u64> = self.map.iter().map(|e| e.until).collect();
        let k = batch.min(untils.len()) - 1;
        let (_, cutoff, _) = untils.select_nth_unstable(k);
        let cutoff = *cutoff;
        let mut taken = 0usize;
        let removed = self.retain(|_, e| {
            if taken < batch && e.until <= cutoff {
                taken += 1;
                false
            } else {
                true
            }
        });
        self.evicted.fetch_add(removed as u64, Ordering::Relaxed);
    }

    /// Live entries, soonest-expiring last; at most `limit`.
    pub fn list(&self, now: u64, limit: usize) -> Vec<Entry> {
        let mut v: Vec<Entry> = self.map.iter().filter(|e| e.until > now).map(|e| e.clone()).collect();
        v.sort_by(|a, b| b.until.cmp(&a.until).then(a.ip.cmp(&b.ip)));
        v.truncate(limit);
        v
    }

    /// Writes live entries to `path` atomically (temp file + rename) if anything changed since the last save.
    pub fn save_if_dirty(&self, path: &Path, now: u64) -> std::io::Result<bool> {
        // Both flags are taken (no short-circuit), so one save covers both kinds of change.
        let entries_changed = self.dirty.swap(false, Ordering::Relaxed);
        let ranges_changed = self.ranges.take_changed();
        if !entries_changed && !ranges_changed {
            return Ok(false);
        }
        let state = StateFile {
            entries: self.list(now, usize::MAX),
            ranges: self.ranges.live(now),
        };
        let res = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let body = serde_json::to_vec(&state).map_err(std::io::Error::other)?;
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, body)?;
            std::fs::rename(&tmp, path)
        })();
        if res.is_err() {
            // Still unsaved: the next tick (or shutdown) tries again.
            if entries_changed {
                self.dirty.store(true, Ordering::Relaxed);
            }
            if ranges_changed {
                self.ranges.set_changed();
            }
        }
        res.map(|()| true)
    }

    /// After a full pull from the manager: drops the manager's entries it no longer lists (unbanned or expired
    /// there while this gateway was away); this gateway's own and manual marks stay. Returns how many went.
    pub fn keep_manager_entries(&self, listed: &std::collections::HashSet<IpAddr>) -> usize {
        let gone = self.retain(|ip, e| e.source != Source::Manager || listed.contains(ip));
        if gone > 0 {
            self.dirty.store(true, Ordering::Relaxed);
        }
        gone
    }

    /// Loads a saved table and its ranges, skipping expired ones; returns how many addresses and ranges came
    /// back. A missing file is an empty table. Files written before ranges were saved (a bare JSON array of
    /// entries) still load.
    pub fn load(&self, path: &Path, now: u64) -> Result<(usize, usize), String> {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let bad = |e: serde_json::Error| format!("{}:{}: {e}", path.display(), e.line());
        let state = if data.trim_ascii_start().starts_with(b"[") {
            StateFile {
                entries: serde_json::from_slice(&data).map_err(bad)?,
                ranges: Vec::new(),
            }
        } else {
            serde_json::from_slice(&data).map_err(bad)?
        };
        let mut n = 0;
        for e in state.entries.into_iter().filter(|e| e.until > now) {
            if self.len() >= self.max_entries {
                break;
            }
            if self.map.insert(protocol::ip::canonical(e.ip), e).is_none() {
                self.entries.fetch_add(1, Ordering::Relaxed);
            }
            n += 1;
        }
        let live: Vec<_> = state.ranges.into_iter().filter(|r| r.until > now).collect();
        for r in &live {
            self.ranges.add(r.net, r.until, &r.reason, r.source, now);
        }
        // What was just read needs no writing back.
        self.ranges.take_changed();
        Ok((n, live.len()))
    }
}

/// What `state_file` holds. Unknown fields are ignored, so a later format that adds one still loads here.
#[derive(Debug, Serialize, Deserialize)]
struct StateFile {
    entries: Vec<Entry>,
    #[serde(default)]
    ranges: Vec<ranges::RangeBan>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn mark_lookup_expire() {
        let t = BadGuyTable::new(10);
        t.mark(ip("1.2.3.4"), 100, "942100", Source::Waf, 10);
        assert!(t.hit(ip("::ffff:1.2.3.4"), 50), "v4-mapped v6 folds to v4");
        assert!(!t.hit(ip("1.2.3.4"), 100));
        assert_eq!(t.lookup(ip("1.2.3.4"), 99).unwrap().hits, 2);
        t.mark(ip("1.2.3.4"), 80, "x", Source::Waf, 20);
        assert_eq!(
            t.lookup(ip("1.2.3.4"), 20).unwrap().until,
            100,
            "never shortened by a weaker mark"
        );
        assert_eq!(t.purge_expired(200), 1);
    }

    /// The count that lets requests skip an empty table follows every way in and out of it.
    #[test]
    fn entry_count_matches_the_map() {
        let t = BadGuyTable::new(100);
        let agree = |t: &BadGuyTable| assert_eq!(t.len(), t.map.len());
        assert!(t.is_empty() && !t.hit(ip("1.2.3.4"), 1));
        t.mark(ip("1.2.3.4"), 100, "r", Source::Waf, 1);
        t.mark(ip("1.2.3.4"), 200, "r", Source::Waf, 1);
        t.mark(ip("5.6.7.8"), 50, "r", Source::Manager, 1);
        agree(&t);
        assert_eq!(t.len(), 2);
        assert!(t.hit(ip("1.2.3.4"), 2));
        assert!(t.remove(ip("1.2.3.4")) && !t.remove(ip("1.2.3.4")));
        agree(&t);
        t.mark(ip("9.9.9.9"), 500, "r", Source::Waf, 1);
        assert_eq!(t.keep_manager_entries(&Default::default()), 1);
        agree(&t);
        assert_eq!(t.purge_expired(600), 1);
        agree(&t);
        assert!(t.is_empty());
        for i in 0..250u32 {
            t.mark(IpAddr::from(i.to_be_bytes()), 1_000 + u64::from(i), "r", Source::Waf, 1);
        }
        agree(&t);
        // Marks from another thread are seen by hits on this one once they return.
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 0..1_000u32 {
                    t.mark(
                        IpAddr::from((0x0b00_0000 + i).to_be_bytes()),
                        5_000,
                        "r",
                        Source::Waf,
                        1,
                    );
                }
            });
        });
        assert!(t.hit(IpAddr::from((0x0b00_0000u32 + 999).to_be_bytes()), 2));
        agree(&t);
        assert!(t.len() <= 100);
    }

    #[test]
    fn full_table_evicts_soonest_expiring() {
        let t = BadGuyTable::new(100);
        for i in 0..100u32 {
            t.mark(IpAddr::from(i.to_be_bytes()), 1_000 + i as u64, "r", Source::Waf, 1);
        }
        t.mark(ip("9.9.9.9"), 5_000, "r", Source::Waf, 1);
        assert!(t.len() <= 100);
        assert!(t.lookup(ip("9.9.9.9"), 2).is_some());
        assert!(
            t.lookup(IpAddr::from(0u32.to_be_bytes()), 2).is_none(),
            "soonest-expiring entry went first"
        );
        assert!(t.lookup(IpAddr::from(99u32.to_be_bytes()), 2).is_some());
    }

    #[test]
    fn two_hundred_thousand_sprayed_ips_stay_within_max_entries() {
        let t = BadGuyTable::new(10_000);
        for i in 0..200_000u32 {
            t.mark(
                IpAddr::from((0x0a00_0000 + i).to_be_bytes()),
                1_000 + u64::from(i),
                "spray",
                Source::Waf,
                1,
            );
            assert!(t.len() <= 10_000);
        }
        // The latest (longest-lived) marks are the ones kept.
        assert!(t
            .lookup(IpAddr::from((0x0a00_0000u32 + 199_999).to_be_bytes()), 2)
            .is_some());
        assert!(t.lookup(IpAddr::from(0x0a00_0000u32.to_be_bytes()), 2).is_none());
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = std::env::temp_dir().join(format!("bg-{}", std::process::id()));
        let path = dir.join("state.json");
        let t = BadGuyTable::new(10);
        t.mark(ip("2001:db8::1"), 500, "manual", Source::Manual, 1);
        t.mark(ip("1.1.1.1"), 5, "old", Source::Waf, 1);
        assert!(t.save_if_dirty(&path, 10).unwrap());
        assert!(!t.save_if_dirty(&path, 10).unwrap());
        let u = BadGuyTable::new(10);
        assert_eq!(u.load(&path, 10).unwrap(), (1, 0));
        assert_eq!(u.lookup(ip("2001:db8::1"), 10).unwrap().reason, "manual");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn ranges_are_saved_and_restored() {
        let dir = std::env::temp_dir().join(format!("bg-ranges-{}", std::process::id()));
        let path = dir.join("state.json");
        let t = BadGuyTable::new(10);
        t.ranges
            .add("10.9.8.0/24".parse().unwrap(), 500, "scan", Source::Manager, 1);
        t.ranges
            .add("10.9.9.0/24".parse().unwrap(), 5, "old", Source::Manager, 1);
        assert!(t.save_if_dirty(&path, 10).unwrap(), "a range change alone needs a save");
        assert!(!t.save_if_dirty(&path, 10).unwrap());
        let u = BadGuyTable::new(10);
        assert_eq!(u.load(&path, 10).unwrap(), (0, 1));
        assert!(u.hit(ip("10.9.8.7"), 10));
        assert!(!u.hit(ip("10.9.9.7"), 10), "expired when saved");
        assert!(!u.save_if_dirty(&path, 10).unwrap(), "loading is not a change");
        // A file of the earlier format, a bare array of entries, still loads.
        std::fs::write(
            &path,
            br#"[{"ip":"192.0.2.1","hits":1,"first_seen":1,"last_seen":1,"until":500,"reason":"r","source":"waf"}]"#,
        )
        .unwrap();
        let w = BadGuyTable::new(10);
        assert_eq!(w.load(&path, 10).unwrap(), (1, 0));
        std::fs::write(&path, b"{\n\"entries\": 3}").unwrap();
        let err = BadGuyTable::new(10).load(&path, 10).unwrap_err();
        assert!(err.contains("state.json:2:"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
