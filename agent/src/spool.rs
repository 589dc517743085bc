//! Bounded on-disk queue between the readers (tailers, Redis) and the senders (one per server).
//!
//! Records are appended to numbered segment files (`00000000000000000001.seg`, ...) as `u32 LE length` + JSON.
//! Every sender has its own persisted cursor, so each server gets every line in order and a slow server does not
//! hold the others back; a segment is deleted once every sender has passed it. A record from a file carries the
//! file position after its line, and the tailer's offsets file is written under the same lock right after the
//! append: after a crash between the two, the newest segment still tells how far each file was read.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SpoolError {
    #[error("spool {0}: {1}")]
    Io(String, io::Error),
    #[error("spool is full")]
    Full,
}

/// Where a line came from: the file identity and the offset just after the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePos {
    pub dev: u64,
    pub ino: u64,
    pub off: u64,
}

/// One queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub msg: String,
    pub source: Option<(String, SourcePos)>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    m: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<SourcePos>,
}

/// A read position: segment id and byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub seg: u64,
    pub off: u64,
}

struct Inner {
    /// Segment id -> length in bytes.
    segs: BTreeMap<u64, u64>,
    writer: File,
    cursors: BTreeMap<String, Pos>,
}

pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    seg_bytes: u64,
    inner: Mutex<Inner>,
    cond: Condvar,
    recovered: HashMap<String, SourcePos>,
}

const READ_CAP: u64 = 1024 * 1024;

fn seg_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.seg"))
}

fn cursor_path(dir: &Path, name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("cursor-{safe}.json"))
}

/// Writes `bytes` to `path` atomically (temp file + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
    }
    fs::rename(&tmp, path)
}

/// Parses the records in `buf`; returns each with the offset just after it, and the byte length they cover
/// (a torn tail is not covered).
fn parse_records(buf: &[u8], limit: usize) -> (Vec<(Stored, usize)>, usize) {
    let mut out = Vec::new();
    let mut at = 0usize;
    while buf.len() - at >= 4 && out.len() < limit {
        let len = u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]) as usize;
        if buf.len() - at - 4 < len {
            break;
        }
        match serde_json::from_slice::<Stored>(&buf[at + 4..at + 4 + len]) {
            Ok(s) => out.push((s, at + 4 + len)),
            Err(_) => break,
        }
        at += 4 + len;
    }
    (out, at)
}

impl Spool {
    /// Opens (or creates) the spool in `dir` for the named consumers.
    pub fn open(dir: &Path, max_bytes: u64, seg_bytes: u64, consumers: &[String]) -> Result<Spool, SpoolError> {
        let err = |e| SpoolError::Io(dir.display().to_string(), e);
        fs::create_dir_all(dir).map_err(err)?;
        let mut segs = BTreeMap::new();
        for ent in fs::read_dir(dir).map_err(err)? {
            let ent = ent.map_err(err)?;
            let name = ent.file_name();
            let name = name.to_string_lossy();
            if let Some(id) = name.strip_suffix(".seg").and_then(|n| n.parse::<u64>().ok()) {
                segs.insert(id, ent.metadata().map_err(err)?.len());
            }
        }
        if segs.is_empty() {
            File::create(seg_path(dir, 1)).map_err(err)?;
            segs.insert(1, 0);
        }
        let (&last, _) = segs.iter().next_back().unwrap_or((&1, &0));
        // The newest segment may end in a torn record (crash mid-write): cut it, and learn file positions.
        let mut buf = Vec::new();
        File::open(seg_path(dir, last))
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(err)?;
        let (stored, good) = parse_records(&buf, usize::MAX);
        let writer = OpenOptions::new().append(true).open(seg_path(dir, last)).map_err(err)?;
        if good < buf.len() {
            tracing::warn!(
                segment = last,
                cut = buf.len() - good,
                "spool: removing torn record at the end"
            );
            writer.set_len(good as u64).map_err(err)?;
            segs.insert(last, good as u64);
        }
        let mut recovered = HashMap::new();
        for (s, _) in stored {
            if let (Some(k), Some(p)) = (s.k, s.p) {
                recovered.insert(k, p);
            }
        }
        let first = *segs.keys().next().unwrap_or(&1);
        let mut cursors = BTreeMap::new();
        for c in consumers {
            let saved: Option<Pos> = fs::read(cursor_path(dir, c))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            let pos = match saved {
                Some(p) if p.seg >= first => p,
                _ => Pos { seg: first, off: 0 },
            };
            cursors.insert(c.clone(), pos);
        }
        Ok(Spool {
            dir: dir.to_path_buf(),
            max_bytes,
            seg_bytes,
            inner: Mutex::new(Inner { segs, writer, cursors }),
            cond: Condvar::new(),
            recovered,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking holder leaves consistent state behind (every step is a whole write), so poisoning is ignored.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// File positions found in the newest segment at open (for offset recovery after a crash).
    pub fn recovered_positions(&self) -> &HashMap<String, SourcePos> {
        &self.recovered
    }

    pub fn total_bytes(&self) -> u64 {
        self.lock().segs.values().sum()
    }

    /// Whether an append would be accepted now.
    pub fn has_room(&self) -> bool {
        self.total_bytes() < self.max_bytes
    }

    /// Appends records, then runs `commit` (e.g. persisting tailer offsets) while still holding the lock.
    /// With `strict` the append is refused when the spool is full; without it the caller has checked
    /// [`Spool::has_room`] before reading its batch (file tailers), so a batch may overshoot by its own size.
    pub fn append_with(
        &self,
        recs: &[Record],
        strict: bool,
        commit: impl FnOnce() -> io::Result<()>,
    ) -> Result<(), SpoolError> {
        let err = |e| SpoolError::Io(self.dir.display().to_string(), e);
        let mut g = self.lock();
        if strict && g.segs.values().sum::<u64>() >= self.max_bytes {
            return Err(SpoolError::Full);
        }
        let mut buf = Vec::new();
        for r in recs {
            let (k, p) = match &r.source {
                Some((k, p)) => (Some(k.clone()), Some(*p)),
                None => (None, None),
            };
            let body = serde_json::to_vec(&Stored { m: r.msg.clone(), k, p })
                .map_err(|e| err(io::Error::new(io::ErrorKind::InvalidData, e)))?;
            let (&last, &len) = g.segs.iter().next_back().unwrap_or((&1, &0));
            if len + buf.len() as u64 >= self.seg_bytes && len + (buf.len() as u64) > 0 {
                g.writer.write_all(&buf).map_err(err)?;
                *g.segs.entry(last).or_insert(0) += buf.len() as u64;
                buf.clear();
                let next = last + 1;
                g.writer = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(seg_path(&self.dir, next))
                    .map_err(err)?;
                g.segs.insert(next, 0);
            }
            buf.extend_from_slice(&(body.len() as u32).to_le_bytes());
            buf.extend_from_slice(&body);
        }
        let last = *g.segs.keys().next_back().unwrap_or(&1);
        g.writer.write_all(&buf).map_err(err)?;
        *g.segs.entry(last).or_insert(0) += buf.len() as u64;
        commit().map_err(err)?;
        drop(g);
        self.cond.notify_all();
        Ok(())
    }

    /// Appends unless the spool is full.
    pub fn append(&self, recs: &[Record]) -> Result<(), SpoolError> {
        self.append_with(recs, true, || Ok(()))
    }

    /// The consumer's committed position.
    pub fn cursor(&self, name: &str) -> Option<Pos> {
        self.lock().cursors.get(name).copied()
    }

    /// Reads up to `max` messages after `pos`; returns them and the position after the last one.
    pub fn read(&self, mut pos: Pos, max: usize) -> Result<(Vec<String>, Pos), SpoolError> {
        let err = |e| SpoolError::Io(self.dir.display().to_string(), e);
        let g = self.lock();
        let mut out = Vec::new();
        while out.len() < max {
            let Some((&seg, &len)) = g.segs.range(pos.seg..).next() else {
                break;
            };
            if seg != pos.seg {
                pos = Pos { seg, off: 0 };
            }
            if pos.off >= len {
                match g.segs.range(seg + 1..).next() {
                    Some((&n, _)) => {
                        pos = Pos { seg: n, off: 0 };
                        continue;
                    }
                    None => break,
                }
            }
            let want = (len - pos.off).min(READ_CAP);
            let mut buf = vec![0u8; want as usize];
            let mut f = File::open(seg_path(&self.dir, seg)).map_err(err)?;
            f.seek(SeekFrom::Start(pos.off)).map_err(err)?;
            f.read_exact(&mut buf).map_err(err)?;
            let (recs, _) = parse_records(&buf, max - out.len());
            if recs.is_empty() {
                // Unreadable data inside a closed segment: skip the rest of it rather than stall forever.
                tracing::error!(
                    segment = seg,
                    offset = pos.off,
                    "spool: unreadable record, skipping segment rest"
                );
                pos.off = len;
                continue;
            }
            let base = pos.off;
            for (r, end) in recs {
                if out.len() >= max {
                    break;
                }
                out.push(r.m);
                pos.off = base + end as u64;
            }
        }
        Ok((out, pos))
    }

    /// Marks everything before `pos` as delivered for `name` and deletes segments no consumer needs.
    pub fn commit(&self, name: &str, pos: Pos) -> Result<(), SpoolError> {
        let err = |e| SpoolError::Io(self.dir.display().to_string(), e);
        let mut g = self.lock();
        g.cursors.insert(name.to_string(), pos);
        let bytes = serde_json::to_vec(&pos).map_err(|e| err(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        write_atomic(&cursor_path(&self.dir, name), &bytes).map_err(err)?;
        let min = g.cursors.values().map(|p| p.seg).min().unwrap_or(0);
        let last = *g.segs.keys().next_back().unwrap_or(&1);
        let old: Vec<u64> = g.segs.range(..min.min(last)).map(|(&id, _)| id).collect();
        for id in old {
            match fs::remove_file(seg_path(&self.dir, id)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(err(e)),
            }
            g.segs.remove(&id);
        }
        Ok(())
    }

    /// Waits until something is appended or `timeout` passes.
    pub fn wait(&self, timeout: Duration) {
        let g = self.lock();
        let _ = self.cond.wait_timeout(g, timeout);
    }

    /// Wakes every waiting sender (used at shutdown).
    pub fn wake_all(&self) {
        self.cond.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: usize) -> Record {
        Record {
            msg: format!("line {i}"),
            source: Some((
                "/f".into(),
                SourcePos {
                    dev: 1,
                    ino: 2,
                    off: i as u64,
                },
            )),
        }
    }

    #[test]
    fn two_consumers_in_order_segments_rolled_and_collected() {
        let d = tempfile::tempdir().unwrap();
        let names = vec!["a".to_string(), "b".to_string()];
        let s = Spool::open(d.path(), 1 << 20, 4096, &names).unwrap();
        let recs: Vec<Record> = (0..500).map(rec).collect();
        s.append(&recs).unwrap();
        assert!(fs::read_dir(d.path()).unwrap().count() > 3, "segments rolled");
        let (got, pos) = s.read(s.cursor("a").unwrap(), 10_000).unwrap();
        assert_eq!(got.len(), 500);
        assert_eq!(got[499], "line 499");
        s.commit("a", pos).unwrap();
        // b has not read yet: nothing may be deleted.
        let (got_b, _) = s.read(s.cursor("b").unwrap(), 100).unwrap();
        assert_eq!(got_b[0], "line 0");
        drop(s);
        // Reopen: cursors persist; a's read is empty, b starts again at 0.
        let s = Spool::open(d.path(), 1 << 20, 4096, &names).unwrap();
        assert_eq!(s.recovered_positions()["/f"].off, 499);
        assert!(s.read(s.cursor("a").unwrap(), 10).unwrap().0.is_empty());
        let (got_b, pos_b) = s.read(s.cursor("b").unwrap(), 1000).unwrap();
        assert_eq!(got_b.len(), 500);
        s.commit("b", pos_b).unwrap();
        let segs = fs::read_dir(d.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".seg"));
        assert_eq!(segs.count(), 1, "only the current segment is kept");
    }

    #[test]
    fn torn_tail_is_cut_and_bound_is_enforced() {
        let d = tempfile::tempdir().unwrap();
        let names = vec!["a".to_string()];
        let s = Spool::open(d.path(), 8192, 4096, &names).unwrap();
        s.append(&[rec(1)]).unwrap();
        drop(s);
        let seg = seg_path(d.path(), 1);
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(&[200, 0, 0, 0, b'{']).unwrap();
        let s = Spool::open(d.path(), 8192, 4096, &names).unwrap();
        let (got, _) = s.read(s.cursor("a").unwrap(), 10).unwrap();
        assert_eq!(got, vec!["line 1".to_string()]);
        let big: Vec<Record> = (0..400).map(rec).collect();
        s.append(&big).unwrap();
        assert!(matches!(s.append(&[rec(9)]), Err(SpoolError::Full)));
        assert!(!s.has_room());
    }
}
