//! One followed file: the open descriptor(s), rotation and truncation detection, line splitting.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Saved, FP_LEN, GRACE, PER_POLL};
use crate::config::{FileConfig, LineFormat, StartAt};
use crate::spool::SourcePos;
use crate::syslog::MAX_LINE;

struct Open {
    file: File,
    dev: u64,
    ino: u64,
    off: u64,
    fp: Vec<u8>,
}

impl Open {
    fn new(path: &Path) -> io::Result<Open> {
        let file = File::open(path)?;
        let m = file.metadata()?;
        Ok(Open {
            file,
            dev: m.dev(),
            ino: m.ino(),
            off: 0,
            fp: Vec::new(),
        })
    }

    /// Positions at `off` if the file still holds the bytes `fp` before it; false otherwise.
    fn seek_checked(&mut self, off: u64, fp: &[u8]) -> bool {
        let len = self.file.metadata().map(|m| m.len()).unwrap_or(0);
        if off > len || (fp.len() as u64) > off {
            return false;
        }
        let mut b = vec![0u8; fp.len()];
        if self.file.read_exact_at(&mut b, off - fp.len() as u64).is_err() || b != fp {
            return false;
        }
        self.off = off;
        self.fp = b;
        true
    }

    fn refresh_fp(&mut self) {
        let n = (self.off as usize).min(FP_LEN);
        let mut b = vec![0u8; n];
        if self.file.read_exact_at(&mut b, self.off - n as u64).is_ok() {
            self.fp = b;
        }
    }

    /// Truncated (shorter than our offset) or rewritten (bytes before our offset differ).
    fn truncated(&self) -> bool {
        let len = self.file.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.off {
            return true;
        }
        if self.fp.is_empty() {
            return false;
        }
        let mut b = vec![0u8; self.fp.len()];
        self.file
            .read_exact_at(&mut b, self.off - self.fp.len() as u64)
            .is_err()
            || b != self.fp
    }

    fn pos(&self) -> SourcePos {
        SourcePos {
            dev: self.dev,
            ino: self.ino,
            off: self.off,
        }
    }

    /// Reads complete lines from the offset on; with `last` a trailing partial line is taken too.
    fn read_lines(&mut self, out: &mut Vec<(Vec<u8>, SourcePos)>, last: bool) {
        let start = self.off;
        let mut buf = vec![0u8; MAX_LINE];
        while self.off - start < PER_POLL {
            let n = match self.file.read_at(&mut buf, self.off) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "read failed");
                    break;
                }
            };
            let chunk = &buf[..n];
            let mut at = 0;
            while let Some(i) = chunk[at..].iter().position(|&b| b == b'\n') {
                let end = at + i;
                self.off += (end + 1 - at) as u64;
                out.push((chunk[at..end].to_vec(), self.pos()));
                at = end + 1;
            }
            if at == 0 && n == MAX_LINE {
                // No newline in MAX_LINE bytes: send what we have, the rest follows as the next message.
                self.off += n as u64;
                out.push((chunk.to_vec(), self.pos()));
            } else if at < n && n < MAX_LINE {
                // A partial last line: it waits for its newline, unless this file is being closed.
                if last {
                    self.off += (n - at) as u64;
                    out.push((chunk[at..].to_vec(), self.pos()));
                }
                break;
            }
        }
        if self.off != start {
            self.refresh_fp();
        }
    }
}

fn saved_of(o: &Open) -> Saved {
    Saved {
        dev: o.dev,
        ino: o.ino,
        off: o.off,
        fp: hex::encode(&o.fp),
    }
}

/// Offset just after the last newline (where `tail -F` style reading from the end starts).
fn end_at_line(o: &Open) -> u64 {
    let len = o.file.metadata().map(|m| m.len()).unwrap_or(0);
    let back = len.min(MAX_LINE as u64);
    let mut b = vec![0u8; back as usize];
    if o.file.read_exact_at(&mut b, len - back).is_err() {
        return len;
    }
    match b.iter().rposition(|&c| c == b'\n') {
        Some(i) => len - back + i as u64 + 1,
        None if back < MAX_LINE as u64 => 0,
        None => len,
    }
}

/// Finds the file with inode `ino` on device `dev` in `dir` (a rotated copy).
fn find_inode(dir: &Path, dev: u64, ino: u64) -> Option<PathBuf> {
    fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let m = e.metadata().ok()?;
        (m.is_file() && m.dev() == dev && m.ino() == ino).then(|| e.path())
    })
}

pub struct Follower {
    pub(super) key: String,
    path: PathBuf,
    pub(super) service: String,
    pub(super) format: LineFormat,
    start_at: StartAt,
    cur: Option<Open>,
    old: Option<(Open, Instant)>,
    /// State from the previous run, used on first open.
    restore: Option<Saved>,
    at_startup: bool,
    warned: bool,
}

impl Follower {
    pub fn new(fc: &FileConfig, restore: Option<Saved>) -> Follower {
        Follower {
            key: fc.path.display().to_string(),
            path: fc.path.clone(),
            service: fc.service.clone(),
            format: fc.format,
            start_at: fc.start_at,
            cur: None,
            old: None,
            restore,
            at_startup: true,
            warned: false,
        }
    }

    fn open_first(&mut self, out: &mut Vec<(Vec<u8>, SourcePos)>) -> io::Result<()> {
        let mut o = Open::new(&self.path)?;
        match self.restore.take() {
            Some(s) if (s.dev, s.ino) == (o.dev, o.ino) => {
                let fp = hex::decode(&s.fp).unwrap_or_default();
                if !o.seek_checked(s.off, &fp) {
                    tracing::info!(file = %self.key, "file was truncated while the agent was down; reading from start");
                }
            }
            Some(s) => {
                // Rotated while we were down: finish the old file first if it is still around.
                let dir = self.path.parent().unwrap_or(Path::new("."));
                let found = find_inode(dir, s.dev, s.ino).and_then(|p| {
                    let mut old = Open::new(&p).ok()?;
                    let fp = hex::decode(&s.fp).unwrap_or_default();
                    old.seek_checked(s.off, &fp).then_some((p, old))
                });
                match found {
                    Some((p, mut old)) => {
                        tracing::info!(file = %self.key, rotated = %p.display(), "draining file rotated while down");
                        old.read_lines(out, false);
                        self.old = Some((old, Instant::now() + GRACE));
                    }
                    None => tracing::warn!(
                        file = %self.key,
                        "rotated while the agent was down and the old file is gone (compressed?); \
                         lines written to it after offset {} were not forwarded",
                        s.off
                    ),
                }
            }
            None if self.at_startup && self.start_at == StartAt::End => {
                o.off = end_at_line(&o);
                o.refresh_fp();
            }
            None => {}
        }
        self.cur = Some(o);
        Ok(())
    }

    /// One poll: returns new lines with their positions, in file order.
    pub fn poll(&mut self, out: &mut Vec<(Vec<u8>, SourcePos)>) {
        let now = Instant::now();
        if let Some((o, until)) = &mut self.old {
            let done = now >= *until;
            o.read_lines(out, done);
            if done {
                self.old = None;
            }
        }
        match fs::metadata(&self.path) {
            Ok(m) => {
                self.warned = false;
                let same = self.cur.as_ref().map(|c| (c.dev, c.ino) == (m.dev(), m.ino()));
                match same {
                    Some(true) => {
                        if let Some(c) = &mut self.cur {
                            if c.truncated() {
                                tracing::info!(file = %self.key, "truncated (copytruncate?); reading from start");
                                c.off = 0;
                                c.fp.clear();
                            }
                            c.read_lines(out, false);
                        }
                    }
                    Some(false) => {
                        tracing::info!(file = %self.key, "rotated; following the new file");
                        if let Some(mut c) = self.cur.take() {
                            c.read_lines(out, false);
                            if let Some((mut prev, _)) = self.old.take() {
                                prev.read_lines(out, true);
                            }
                            self.old = Some((c, now + GRACE));
                        }
                        match Open::new(&self.path) {
                            Ok(mut c) => {
                                c.read_lines(out, false);
                                self.cur = Some(c);
                            }
                            Err(e) => tracing::warn!(file = %self.key, error = %e, "cannot open"),
                        }
                    }
                    None => match self.open_first(out) {
                        Ok(()) => {
                            if let Some(c) = &mut self.cur {
                                c.read_lines(out, false);
                            }
                        }
                        Err(e) if !self.warned => {
                            self.warned = true;
                            tracing::warn!(file = %self.key, error = %e, "cannot open");
                        }
                        Err(_) => {}
                    },
                }
            }
            Err(e) => {
                if let Some(c) = &mut self.cur {
                    c.read_lines(out, false);
                } else if !self.warned {
                    self.warned = true;
                    tracing::info!(file = %self.key, error = %e, "waiting for file to appear");
                }
            }
        }
        self.at_startup = false;
    }

    pub(super) fn saved(&self) -> Option<Saved> {
        self.cur.as_ref().map(saved_of)
    }

    pub(super) fn rewind_to(&mut self, s: &Saved) {
        if let Some(c) = &mut self.cur {
            if (c.dev, c.ino) == (s.dev, s.ino) {
                c.off = s.off;
                c.fp = hex::decode(&s.fp).unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn follower(path: &Path, start_at: StartAt) -> Follower {
        Follower::new(
            &FileConfig {
                path: path.to_path_buf(),
                service: "x".into(),
                start_at,
                format: LineFormat::Auto,
            },
            None,
        )
    }

    fn lines(f: &mut Follower) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        f.poll(&mut out);
        out.into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn long_lines_are_split_and_partial_lines_wait() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.log");
        let mut w = File::create(&p).unwrap();
        let mut f = follower(&p, StartAt::Beginning);
        let long = vec![b'x'; 2 * MAX_LINE + 100];
        w.write_all(&long).unwrap();
        w.write_all(b"\nshort\npart").unwrap();
        let got = lines(&mut f);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].len(), MAX_LINE);
        assert_eq!(got[1].len(), MAX_LINE);
        assert_eq!(got[2].len(), 100);
        assert_eq!(got[3], b"short");
        assert!(lines(&mut f).is_empty(), "partial line waits");
        w.write_all(b"ial\n").unwrap();
        assert_eq!(lines(&mut f), vec![b"partial".to_vec()]);
    }

    #[test]
    fn start_at_end_skips_history_and_truncation_restarts() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.log");
        let mut w = fs::OpenOptions::new().create(true).append(true).open(&p).unwrap();
        w.write_all(b"old 1\nold 2\nhalf").unwrap();
        let mut f = follower(&p, StartAt::End);
        assert!(lines(&mut f).is_empty());
        w.write_all(b" line\nnew\n").unwrap();
        assert_eq!(lines(&mut f), vec![b"half line".to_vec(), b"new".to_vec()]);
        // Truncate and write more than before: only the changed bytes before the offset reveal it.
        w.set_len(0).unwrap();
        w.write_all(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nB\n")
            .unwrap();
        assert_eq!(
            lines(&mut f),
            vec![
                b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_vec(),
                b"B".to_vec()
            ]
        );
    }

    #[test]
    fn rename_rotation_drains_old_then_follows_new() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.log");
        let mut w = fs::OpenOptions::new().create(true).append(true).open(&p).unwrap();
        let mut f = follower(&p, StartAt::Beginning);
        w.write_all(b"1\n").unwrap();
        assert_eq!(lines(&mut f), vec![b"1".to_vec()]);
        fs::rename(&p, d.path().join("f.log.1")).unwrap();
        w.write_all(b"2\n").unwrap();
        assert_eq!(lines(&mut f), vec![b"2".to_vec()], "renamed file still followed");
        let mut w2 = fs::OpenOptions::new().create(true).append(true).open(&p).unwrap();
        w2.write_all(b"3\n").unwrap();
        w.write_all(b"2b\n").unwrap();
        assert_eq!(lines(&mut f), vec![b"2b".to_vec(), b"3".to_vec()]);
        w.write_all(b"late").unwrap();
        w2.write_all(b"4\n").unwrap();
        // Within the grace period the old file's unfinished line waits; new lines flow.
        assert_eq!(lines(&mut f), vec![b"4".to_vec()]);
    }
}
