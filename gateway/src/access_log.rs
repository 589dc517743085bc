//! JSON access log: one line per request, written by a background thread so the request path only pushes onto a
//! bounded channel (a full channel drops the line and counts it rather than slowing traffic). [`AccessLog::reopen`]
//! (every reload, so SIGHUP) makes the writer reopen its path, as nginx does on USR1: logrotate's `create` mode
//! moves the file away, signals, and the gateway continues in a fresh file.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

/// One access-log record.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub time: String,
    pub request_id: &'a str,
    pub site: &'a str,
    pub client_ip: String,
    pub method: &'a str,
    pub uri: &'a str,
    pub host: &'a str,
    pub status: u16,
    pub bytes: usize,
    pub duration_ms: f64,
    pub pool: &'a str,
    pub upstream: String,
    pub rule_ids: &'a [u32],
    pub score: u32,
    pub action: &'a str,
    pub user_agent: &'a str,
}

#[derive(Debug)]
pub struct AccessLog {
    pub path: PathBuf,
    tx: SyncSender<String>,
    pub dropped: AtomicU64,
    reopen: Arc<AtomicBool>,
}

fn open_append(path: &Path) -> Result<std::fs::File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open access log {}: {e}", path.display()))
}

impl AccessLog {
    /// Opens (creating, appending) `path` and starts its writer thread.
    pub fn open(path: &Path) -> Result<Arc<AccessLog>, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = open_append(path)?;
        let (tx, rx) = sync_channel::<String>(65_536);
        let reopen = Arc::new(AtomicBool::new(false));
        let asked = reopen.clone();
        let file_path = path.to_path_buf();
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                let name = file_path.display().to_string();
                let mut w = BufWriter::with_capacity(64 * 1024, file);
                loop {
                    if asked.swap(false, Ordering::Relaxed) {
                        let _ = w.flush();
                        // A failed reopen keeps writing to the old file rather than losing lines.
                        match open_append(&file_path) {
                            Ok(f) => w = BufWriter::with_capacity(64 * 1024, f),
                            Err(e) => tracing::warn!(log = %name, "access log not reopened: {e}"),
                        }
                    }
                    match rx.recv_timeout(Duration::from_millis(200)) {
                        Ok(line) => {
                            if let Err(e) = w.write_all(line.as_bytes()) {
                                tracing::warn!(log = %name, "access log write failed: {e}");
                            }
                        }
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                            let _ = w.flush();
                        }
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                            let _ = w.flush();
                            return;
                        }
                    }
                }
            })
            .map_err(|e| format!("cannot start access log writer: {e}"))?;
        Ok(Arc::new(AccessLog {
            path: path.to_path_buf(),
            tx,
            dropped: AtomicU64::new(0),
            reopen,
        }))
    }

    /// Asks the writer to flush and reopen the path (within 200 ms, or before its next line).
    pub fn reopen(&self) {
        self.reopen.store(true, Ordering::Relaxed);
        // Wake an idle writer now; a full channel means it is busy and will see the flag anyway.
        let _ = self.tx.try_send(String::new());
    }

    pub fn write(&self, line: String) {
        match self.tx.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Serialises a record as one JSON line (with the trailing newline).
pub fn to_line(r: &Record<'_>) -> String {
    let mut s = serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
