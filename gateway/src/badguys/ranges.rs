//! Banned address ranges (CIDR), from the manager's `range` decisions (CrowdSec's `Range` scope): a whole
//! network treated as attackers until its decision expires. Ranges are few next to single addresses, so they are
//! a short list behind a read lock, scanned only when it is not empty. Bounded like the address table, and saved
//! with it to `state_file`, so a gateway restarted while the manager is away keeps them.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Most ranges held at once; when full, the one expiring soonest makes room.
pub const MAX_RANGES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeBan {
    pub net: IpNet,
    /// Unix seconds.
    pub until: u64,
    pub reason: String,
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

    /// Bans `net` until `until`; a range already banned keeps the later expiry.
    pub fn add(&self, net: IpNet, until: u64, reason: &str, now: u64) {
        let net = net.trunc();
        let Ok(mut list) = self.list.write() else { return };
        list.retain(|r| r.until > now);
        if let Some(r) = list.iter_mut().find(|r| r.net == net) {
            if until > r.until {
                r.until = until;
                r.reason = reason.to_string();
            }
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
            });
        }
        self.any.store(!list.is_empty(), Ordering::Relaxed);
        self.changed.store(true, Ordering::Relaxed);
    }

    pub fn remove(&self, net: IpNet) -> bool {
        let net = net.trunc();
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
        r.add("10.1.2.77/24".parse().unwrap(), 200, "scan", 100);
        r.add("2001:db8::/32".parse().unwrap(), 300, "scan6", 100);
        assert_eq!(r.find(ip("10.1.2.3"), 150).map(|b| b.reason), Some("scan".into()));
        assert_eq!(r.find(ip("10.1.3.3"), 150), None);
        assert!(r.find(ip("2001:db8:1::9"), 150).is_some());
        assert_eq!(r.find(ip("10.1.2.3"), 200), None, "expired");
        assert!(r.remove("2001:db8::/32".parse().unwrap()));
        assert_eq!(r.find(ip("2001:db8:1::9"), 150), None);
        for i in 0..(MAX_RANGES as u32 + 10) {
            let net = IpNet::new(IpAddr::from((0x0b00_0000u32 + (i << 8)).to_be_bytes()), 24).unwrap();
            r.add(net, 1000 + u64::from(i), "spray", 100);
        }
        assert_eq!(r.len(), MAX_RANGES);
        assert_eq!(r.purge_expired(10_000), MAX_RANGES);
    }
}
