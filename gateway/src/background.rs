//! Background tasks of the gateway: the config watcher (polling mtimes, plus SIGHUP), the bad-guy table's sweeper
//! and saver, and the active health checker.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use pingora_core::server::ShutdownWatch;
use pingora_core::services::background::BackgroundService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::badguys::unix_now;
use crate::pool::now_ms;
use crate::state::Shared;

/// `(path, mtime, len)` of every file in the watched directories: any change means "reload".
pub type Fingerprint = Vec<(PathBuf, Option<SystemTime>, u64)>;

/// The fingerprint of the directories the watcher follows: `sites_dir` and `rules_dir`, less editors' scratch files.
pub fn config_fingerprint(cfg: &crate::config::GatewayConfig) -> Fingerprint {
    let mut out = Vec::new();
    for d in [cfg.sites_dir.as_path(), cfg.rules_dir.as_path()] {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                if is_scratch_file(&e.file_name()) {
                    continue;
                }
                if let Ok(md) = e.metadata() {
                    out.push((e.path(), md.modified().ok(), md.len()));
                }
            }
        }
    }
    out.sort();
    out
}

/// Files editors write beside the one being edited: swap and lock files (`.s.toml.swp`, `.#s.toml`, vim's `4913`
/// probe), backups (`s.toml~`) and auto-saves (`#s.toml#`). Vim rewrites its swap file every few seconds while
/// someone types; each rewrite would otherwise recompile every rule (about a second of CPU). Other files still
/// count, since sites may keep their certificates and pages beside them.
fn is_scratch_file(name: &std::ffi::OsStr) -> bool {
    let n = name.as_encoded_bytes();
    n.starts_with(b".") || n.starts_with(b"#") || n.ends_with(b"~") || n == b"4913"
}

/// Reloads when a file under `sites_dir` or `rules_dir` changes, or on SIGHUP.
pub struct Watcher {
    shared: Arc<Shared>,
    /// The directories as they were just before the configuration was loaded from them
    /// ([`config_fingerprint`]), so an edit made while the server starts up is seen as one.
    initial: Fingerprint,
}

impl Watcher {
    pub fn new(shared: Arc<Shared>, initial: Fingerprint) -> Watcher {
        Watcher { shared, initial }
    }
}

#[async_trait]
impl BackgroundService for Watcher {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let cfg = &self.shared.config;
        let mut last = self.initial.clone();
        let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("cannot listen for SIGHUP: {e}");
                None
            }
        };
        let mut tick = tokio::time::interval(cfg.watch_interval);
        loop {
            let sighup = async {
                match hup.as_mut() {
                    Some(h) => h.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = sighup => {
                    let _ = self.shared.reload("SIGHUP");
                    last = config_fingerprint(cfg);
                }
                _ = tick.tick() => {
                    let now = config_fingerprint(cfg);
                    if now != last {
                        // Let an editor finish writing (rename-over or several writes) before reading.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        last = config_fingerprint(cfg);
                        let _ = self.shared.reload("file change");
                    }
                }
            }
        }
    }
}

/// Purges expired bad-guy entries and saves the table to `state_file`.
pub struct BadGuyKeeper {
    pub shared: Arc<Shared>,
}

impl BadGuyKeeper {
    fn save(&self) {
        if let Some(p) = &self.shared.config.state_file {
            if let Err(e) = self.shared.badguys.save_if_dirty(p, unix_now()) {
                tracing::warn!(file = %p.display(), "saving bad-guy table failed: {e}");
            }
        }
    }
}

#[async_trait]
impl BackgroundService for BadGuyKeeper {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut tick = tokio::time::interval(self.shared.config.badguys.save_interval);
        loop {
            tokio::select! {
                _ = shutdown.changed() => {
                    self.save();
                    return;
                }
                _ = tick.tick() => {
                    let purged = self.shared.badguys.purge_expired(unix_now());
                    if purged > 0 {
                        tracing::debug!(purged, "expired bad-guy entries removed");
                    }
                    self.save();
                }
            }
        }
    }
}

/// Active HTTP health checks of pools that configure `check_path`.
pub struct HealthChecker {
    pub shared: Arc<Shared>,
}

/// One `GET path` to `addr`; healthy on a 2xx/3xx status line within `timeout`.
async fn probe(addr: std::net::SocketAddr, path: &str, timeout: Duration) -> bool {
    let run = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        let req =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: jhsy-health\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.ok()?;
        let line = std::str::from_utf8(&buf[..n]).ok()?;
        let code: u16 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some((200..400).contains(&code))
    };
    tokio::time::timeout(timeout, run).await.ok().flatten().unwrap_or(false)
}

#[async_trait]
impl BackgroundService for HealthChecker {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tick.tick() => {}
            }
            let snap = self.shared.snapshot.load_full();
            let now = now_ms();
            for site in &snap.router.sites {
                for pool in std::iter::once(&site.real).chain(site.unreal.iter()) {
                    let Some(check) = &pool.active else { continue };
                    for b in &pool.backends {
                        let last = b.last_check_ms.load(std::sync::atomic::Ordering::Relaxed);
                        if now.saturating_sub(last) < check.interval.as_millis() as u64 {
                            continue;
                        }
                        b.last_check_ms.store(now, std::sync::atomic::Ordering::Relaxed);
                        let (b, check, pool_name) = (b.clone(), check.clone(), pool.name.clone());
                        tokio::spawn(async move {
                            let ok = probe(b.addr, &check.path, check.timeout).await;
                            if b.set_active_ok(ok) {
                                if ok {
                                    tracing::info!(pool = %pool_name, backend = %b.addr, "backend passed its health check: back in");
                                } else {
                                    tracing::warn!(pool = %pool_name, backend = %b.addr, "backend failed its health check: taken out");
                                }
                            }
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_scratch_file;
    use std::ffi::OsStr;

    #[test]
    fn editor_scratch_files_are_not_config() {
        for n in [
            ".s.toml.swp",
            ".s.toml.swx",
            ".#s.toml",
            "#s.toml#",
            "s.toml~",
            "4913",
            ".hidden",
        ] {
            assert!(is_scratch_file(OsStr::new(n)), "{n}");
        }
        for n in [
            "s.toml",
            "942-sqli.toml",
            "site.pem",
            "block.html",
            "s.toml.bak",
            "49130",
        ] {
            assert!(!is_scratch_file(OsStr::new(n)), "{n}");
        }
    }
}
