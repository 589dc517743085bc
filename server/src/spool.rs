//! Bounded on-disk queue of batches for the manager. Every batch is a file written atomically (temp + rename)
//! before the first delivery attempt and removed only after the manager accepted it, so batches survive both
//! a manager outage and a server restart. Over `max_bytes` the oldest batches are dropped and counted.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which manager endpoint a batch goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Decisions,
    Events,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Decisions => "/api/v1/decisions",
            Endpoint::Events => "/api/v1/events",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Endpoint::Decisions => "decisions.json",
            Endpoint::Events => "events.json",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Decisions => "decisions",
            Endpoint::Events => "events",
        }
    }
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    seq: AtomicU64,
}

impl Spool {
    pub fn open(dir: &Path, max_bytes: u64) -> std::io::Result<Spool> {
        std::fs::create_dir_all(dir)?;
        let next = Self::list_in(dir)?
            .last()
            .and_then(|(p, _)| p.file_name()?.to_str()?.split('-').next()?.parse::<u64>().ok())
            .map(|n| n + 1)
            .unwrap_or(0);
        Ok(Spool {
            dir: dir.to_path_buf(),
            max_bytes,
            seq: AtomicU64::new(next),
        })
    }

    fn list_in(dir: &Path) -> std::io::Result<Vec<(PathBuf, Endpoint)>> {
        let mut v: Vec<(PathBuf, Endpoint)> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let ep = if name.ends_with(Endpoint::Decisions.suffix()) {
                    Endpoint::Decisions
                } else if name.ends_with(Endpoint::Events.suffix()) {
                    Endpoint::Events
                } else {
                    return None;
                };
                Some((e.path(), ep))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(v)
    }

    /// Batches waiting, oldest first.
    pub fn list(&self) -> Vec<(PathBuf, Endpoint)> {
        Self::list_in(&self.dir).unwrap_or_default()
    }

    pub fn bytes(&self) -> u64 {
        self.list()
            .iter()
            .filter_map(|(p, _)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Stores a batch; returns how many old batches were dropped to stay under the bound.
    pub fn push(&self, ep: Endpoint, body: &[u8]) -> std::io::Result<usize> {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let name = format!("{n:020}-{}", ep.suffix());
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, body)?;
        std::fs::rename(&tmp, self.dir.join(&name))?;
        let mut dropped = 0;
        let files = self.list();
        let mut total: u64 = files
            .iter()
            .filter_map(|(p, _)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        for (p, _) in files.iter() {
            if total <= self.max_bytes || p.file_name().and_then(|f| f.to_str()) == Some(name.as_str()) {
                break;
            }
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            if std::fs::remove_file(p).is_ok() {
                total = total.saturating_sub(len);
                dropped += 1;
                tracing::warn!(file = %p.display(), "spool full: oldest batch dropped");
            }
        }
        Ok(dropped)
    }

    pub fn remove(&self, p: &Path) {
        if let Err(e) = std::fs::remove_file(p) {
            tracing::warn!(file = %p.display(), error = %e, "cannot remove delivered batch");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen_and_stays_bounded() {
        let d = tempfile::tempdir().unwrap();
        let s = Spool::open(d.path(), 100).unwrap();
        s.push(Endpoint::Events, &[b'x'; 40]).unwrap();
        s.push(Endpoint::Decisions, &[b'y'; 40]).unwrap();
        let s = Spool::open(d.path(), 100).unwrap();
        assert_eq!(s.list().len(), 2);
        assert_eq!(s.push(Endpoint::Events, &[b'z'; 40]).unwrap(), 1);
        let l = s.list();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].1, Endpoint::Decisions);
        assert!(l[1].0.to_string_lossy().contains("00000000000000000002"));
    }
}
