//! Banned address ranges (CIDR), from the manager's `range` decisions (CrowdSec's `Range` scope): a whole
//! network treated as attackers until its decision expires. Ranges are few next to single addresses, so they are
//! a short list behind a read lock, scanned only when it is not empty. Bounded like the address table, and saved
//! with it to `state_file`, so a gateway restarted while the manager is away keeps them.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

use ipnet::{IpNet, Ipv4Net};
use serde::{Deserialize, Serialize};

use super::Source;

/// Most ranges held at once; when full, the one expiring soonest makes room.
pub const MAX_RANGES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeBan {
    pub net: IpNet,
    /// Unix seconds.
    pub until: u64,
    pub reason: String,
    #[serde(default = "manager_source")]
    pub source: Source,
}

fn manager_source() -> Source {
    Source::Manager
}

/// A range as the table keys it: host bits cleared, and an IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) as
/// the IPv4 range it names, since client addresses are folded to IPv4 the same way.
pub fn canonical(net: IpNet) -> IpNet {
    if let IpNet::V6(n) = net {
        if let (Some(v4), true) = (n.addr().to_ipv4_mapped(), n.prefix_len() >= 96) {
            if let Ok(m) = Ipv4Net::new(v4, n.prefix_len() - 96) {
                return IpNet::V4(m.trunc());
            }
        }
    }
    net.trunc()
}

#[derive(Debug, Default)]
pub struct RangeBans {
    list: RwLock<Vec<RangeBan>>,
    any: AtomicBool,
    /// Changed since the last save.
    changed: AtomicBool,
}

impl RangeBans {
    /// The live range that holds `ip` (already canonical: IPv4-mapped IPv6 folded to IPv4).
    pub fn find(&self, ip: IpAddr, now: u64) -> Option<RangeBan> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let list = self.list.read().ok()?;
        list.iter().find(|r| r.until > now && r.net.contains(&ip)).cloned()
    }

    /// Bans `net` until `until` and returns the expiry it now has: a range already banned keeps the later
    /// expiry, except that a manual ban sets it (as for addresses, the operator's word wins).
    pub fn add(&self, net: IpNet, until: u64, reason: &str, source: Source, now: u64) -> u64 {
        let net = canonical(net);
        let Ok(mut list) = self.list.write() else { return 0 };
        list.retain(|r| r.until > now);
        let applied = if let Some(r) = list.iter_mut().find(|r| r.net == net) {
            if until > r.until || source == Source::Manual {
                r.until = until;
                r.reason = reason.to_string();
                r.source = source;
            }
            r.until
        } else {
            if list.len() >= MAX_RANGES {
                if let Some(i) = (0..list.len()).min_by_key(|&i| list[i].until) {
                    list.swap_remove(i);
                }
            }
            list.push(RangeBan {
                net,
                until,
                reason: reason.to_string(),
                source,
            });
            until
        };
        self.any.store(!list.is_empty(), Ordering::Relaxed);
        self.changed.store(true, Ordering::Relaxed);
        applied
    }

    /// After a full pull from the manager: drops the manager's ranges it no longer lists (lifted or expired
    /// there while this gateway was away). Returns how many went.
    pub fn keep_manager_ranges(&self, listed: &HashSet<IpNet>) -> usize {
        let Ok(mut list) = self.list.write() else { return 0 };
        let before = list.len();
        list.retain(|r| r.source != Source::Manager || listed.contains(&r.net));
        let gone = before - list.len();
        if gone > 0 {
            self.any.store(!list.is_empty(), Ordering::Relaxed);
            self.changed.store(true, Ordering::Relaxed);
        }
        gone
    }

    pub fn remove(&self, net: IpNet) -> bool {
        let net = canonical(net);
        let Ok(mut list) = self.list.write() else { return false };
        let before = list.len();
        list.retain(|r| r.net != net);
        self.any.store(!list.is_empty(), Ordering::Relaxed);
        let removed = list.len() != before;
        if removed {
            self.changed.store(true, Ordering::Relaxed);
        }
        removed
    }

    pub fn purge_expired(&self, now: u64) -> usize {
        let Ok(mut list) = self.list.write() else { return 0 };
        let before = list.len();
        list.retain(|r| r.until > now);
        self.any.store(!list.is_empty(), Ordering::Relaxed);
        before - list.len()
    }

    /// The live ranges, for saving.
    pub fn live(&self, now: u64) -> Vec<RangeBan> {
        self.list
            .read()
            .map(|l| l.iter().filter(|r| r.until > now).cloned().collect())
            .unwrap_or_default()
    }

    /// True once after any change: the state file needs writing.
    pub fn take_changed(&self) -> bool {
        self.changed.swap(false, Ordering::Relaxed)
    }

    /// Marks the ranges as unsaved again (the save failed).
    pub fn set_changed(&self) {
        self.changed.store(true, Ordering::Relaxed);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.list.read().map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_expire_and_stay_bounded() {
        let r = RangeBans::default();
        assert_eq!(r.find(ip("10.1.2.3"), 100), None);
        r.add("10.1.2.77/24".parse().unwrap(), 200, "scan", Source::Manager, 100);
        r.add("2001:db8::/32".parse().unwrap(), 300, "scan6", Source::Manager, 100);
        assert_eq!(r.find(ip("10.1.2.3"), 150).map(|b| b.reason), Some("scan".into()));
        assert_eq!(r.find(ip("10.1.3.3"), 150), None);
        assert!(r.find(ip("2001:db8:1::9"), 150).is_some());
        assert_eq!(r.find(ip("10.1.2.3"), 200), None, "expired");
        assert!(r.remove("2001:db8::/32".parse().unwrap()));
        assert_eq!(r.find(ip("2001:db8:1::9"), 150), None);
        for i in 0..(MAX_RANGES as u32 + 10) {
            let net = IpNet::new(IpAddr::from((0x0b00_0000u32 + (i << 8)).to_be_bytes()), 24).unwrap();
            r.add(net, 1000 + u64::from(i), "spray", Source::Manager, 100);
        }
        assert_eq!(r.len(), MAX_RANGES);
        assert_eq!(r.purge_expired(10_000), MAX_RANGES);
    }

    #[test]
    fn mapped_ranges_manual_expiry_and_manager_reconciliation() {
        let r = RangeBans::default();
        r.add(
            "::ffff:10.7.0.0/112".parse().unwrap(),
            500,
            "mapped",
            Source::Manager,
            1,
        );
        assert!(
            r.find(ip("10.7.3.4"), 2).is_some(),
            "an IPv4-mapped range holds the IPv4 clients"
        );
        assert_eq!(
            r.add("10.7.0.0/16".parse().unwrap(), 100, "shorter", Source::Manager, 1),
            500
        );
        assert_eq!(
            r.add("10.7.0.0/16".parse().unwrap(), 100, "manual", Source::Manual, 1),
            100
        );
        r.add("10.8.0.0/16".parse().unwrap(), 500, "kept", Source::Manager, 1);
        r.add("10.9.0.0/16".parse().unwrap(), 500, "lifted", Source::Manager, 1);
        let listed: HashSet<IpNet> = ["10.8.0.0/16".parse().unwrap()].into();
        assert_eq!(
            r.keep_manager_ranges(&listed),
            1,
            "only the manager's unlisted range goes"
        );
        assert!(r.find(ip("10.7.0.1"), 2).is_some(), "manual ranges stay");
        assert!(r.find(ip("10.8.0.1"), 2).is_some());
        assert!(r.find(ip("10.9.0.1"), 2).is_none());
    }
}
