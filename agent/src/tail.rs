//! Following log files like `tail -F`, without losing or repeating a line across rotation and restarts.
//!
//! Each poll a file is `stat`ed by path and read from its offset with positional reads:
//! - the path now names another inode (rotation by rename, or delete + create): the old file is drained and kept
//!   open for [`GRACE`] more, because writers keep appending to it until they reopen; the new file is read from 0;
//! - the file is shorter than the offset, or the 64 bytes before the offset changed (copytruncate followed by new
//!   writes longer than the old content): it was truncated, read again from 0;
//! - the path is missing: keep reading the open file; a file that appears later is read from its start;
//! - only complete lines are sent; a partial last line waits for its newline (it is sent alone only when its
//!   rotated-away file is closed, or when it exceeds `syslog::MAX_LINE`).
//!
//! Offsets (device, inode, offset, fingerprint) are saved in `offsets.json` under the spool lock, right after the
//! lines were queued, so a restart resumes exactly after the last queued line. A file rotated while the agent was
//! down is found again by its inode in the same directory and drained before the new one.

mod follow;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{FileConfig, LineFormat};
use crate::spool::{write_atomic, Record, Spool};
use crate::syslog;
use crate::ModeCell;

pub use follow::Follower;

/// How long a rotated-away file is still read after its replacement appeared.
pub const GRACE: Duration = Duration::from_secs(3);
const FP_LEN: usize = 64;
/// Bytes read from one file per poll, so one busy file cannot starve the others.
const PER_POLL: u64 = 4 * 1024 * 1024;

/// What is remembered about a file across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub dev: u64,
    pub ino: u64,
    pub off: u64,
    /// Hex of the bytes just before `off`.
    pub fp: String,
}

/// Loads `offsets.json`, preferring a later position found in the spool (crash between append and save).
pub fn load_offsets(path: &Path, spool: &Spool) -> BTreeMap<String, Saved> {
    let mut map: BTreeMap<String, Saved> = fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    for (k, p) in spool.recovered_positions() {
        let newer = match map.get(k) {
            Some(s) => (s.dev, s.ino) != (p.dev, p.ino) || p.off > s.off,
            None => true,
        };
        if newer {
            // No fingerprint in the spool: take the bytes from the file itself when it is still the same file.
            let fp = File::open(k)
                .ok()
                .filter(|f| f.metadata().is_ok_and(|m| (m.dev(), m.ino()) == (p.dev, p.ino)))
                .and_then(|f| {
                    let n = (p.off as usize).min(FP_LEN);
                    let mut b = vec![0u8; n];
                    f.read_exact_at(&mut b, p.off - n as u64).ok().map(|_| hex::encode(b))
                })
                .unwrap_or_default();
            map.insert(
                k.clone(),
                Saved {
                    dev: p.dev,
                    ino: p.ino,
                    off: p.off,
                    fp,
                },
            );
        }
    }
    map
}

/// All followed files of one agent, polled by one thread.
pub struct Tailer {
    followers: Vec<Follower>,
    offsets: BTreeMap<String, Saved>,
    offsets_path: PathBuf,
    spool: Arc<Spool>,
    host: String,
    mode: Arc<ModeCell>,
    full_warned: bool,
}

impl Tailer {
    pub fn new(files: &[FileConfig], state_dir: &Path, spool: Arc<Spool>, host: String, mode: Arc<ModeCell>) -> Tailer {
        let offsets_path = state_dir.join("offsets.json");
        let offsets = load_offsets(&offsets_path, &spool);
        let followers = files
            .iter()
            .map(|f| Follower::new(f, offsets.get(&f.path.display().to_string()).cloned()))
            .collect();
        Tailer {
            followers,
            offsets,
            offsets_path,
            spool,
            host,
            mode,
            full_warned: false,
        }
    }

    /// Polls every file once and queues what was read.
    pub fn poll_once(&mut self) {
        for i in 0..self.followers.len() {
            if !self.spool.has_room() {
                if !self.full_warned {
                    self.full_warned = true;
                    tracing::warn!(
                        "spool full: pausing file tailers until the servers catch up (lines stay in the files)"
                    );
                }
                return;
            }
            self.full_warned = false;
            let before = self.followers[i].saved();
            let mut lines = Vec::new();
            self.followers[i].poll(&mut lines);
            let f = &self.followers[i];
            let after = f.saved();
            if lines.is_empty() && after == before {
                continue;
            }
            let now = time::OffsetDateTime::now_utc();
            let mode = self.mode.get();
            let recs: Vec<Record> = lines
                .iter()
                .map(|(l, p)| Record {
                    msg: match (f.format, syslog::header::split(l)) {
                        (LineFormat::Auto, Some(h)) => {
                            syslog::format_with_pid(now, &self.host, &f.service, h.pid, mode, h.msg)
                        }
                        _ => syslog::format(now, &self.host, &f.service, mode, l),
                    },
                    source: Some((f.key.clone(), *p)),
                })
                .collect();
            let key = f.key.clone();
            let prev = self.offsets.get(&key).cloned();
            if let Some(s) = after {
                self.offsets.insert(key.clone(), s);
            }
            let bytes = serde_json::to_vec_pretty(&self.offsets).unwrap_or_default();
            let path = self.offsets_path.clone();
            if let Err(e) = self.spool.append_with(&recs, false, || write_atomic(&path, &bytes)) {
                tracing::error!(file = %key, error = %e, "cannot queue lines; will read them again");
                match prev {
                    Some(p) => {
                        self.followers[i].rewind_to(&p);
                        self.offsets.insert(key, p);
                    }
                    None => {
                        self.offsets.remove(&key);
                    }
                }
            }
        }
    }

    /// Polls until `stop` is set.
    pub fn run(mut self, poll: Duration, stop: Arc<AtomicBool>) {
        while !stop.load(Ordering::Relaxed) {
            self.poll_once();
            std::thread::sleep(poll);
        }
    }
}
