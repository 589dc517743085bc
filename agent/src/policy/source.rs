//! Where the policy comes from — the manager (signed pull every `interval`) or `policy_file` (re-read when it
//! changes) — and the loop that keeps the firewall on the last good policy.
//!
//! A pulled policy is cached in `state_dir/policy.json` after its signature checked out, so after a restart
//! with the manager down the host is protected by the last good policy straight away.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::policy::{Policy, PolicyMode, PolicyRequest};

use super::pull::Puller;
use super::{parse_json, resolve, Resolved};
use crate::firewall::Firewall;
use crate::sleep_unless;
use crate::spool::write_atomic;
use crate::ModeCell;

pub enum Source {
    Manager(Puller),
    File(PathBuf),
}

/// Reads a policy file; errors are `file:line: message`.
pub fn read_policy_file(path: &Path) -> Result<Policy, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_json(&bytes).map_err(|e| {
        let s = e.to_string();
        // "policy JSON: line N: msg" -> "file:N: msg"
        match s.strip_prefix("policy JSON: line ").and_then(|r| r.split_once(": ")) {
            Some((n, m)) => format!("{}:{n}: {m}", path.display()),
            None => format!("{}: {s}", path.display()),
        }
    })
}

pub fn cache_path(state_dir: &Path) -> PathBuf {
    state_dir.join("policy.json")
}

pub fn load_cache(state_dir: &Path) -> Option<Policy> {
    let b = std::fs::read(cache_path(state_dir)).ok()?;
    parse_json(&b).ok()
}

/// Everything the loop needs.
pub struct PolicyLoop {
    pub source: Source,
    pub cli_mode: Option<PolicyMode>,
    pub firewall: Firewall,
    pub mode: Arc<ModeCell>,
    pub state_dir: PathBuf,
    pub hostname: String,
}

impl PolicyLoop {
    fn adopt(&mut self, p: &Policy, current: &mut Option<(Policy, Resolved)>) -> bool {
        match resolve(p, self.cli_mode) {
            Ok(r) => {
                for w in &r.warnings {
                    tracing::warn!("policy: {w}");
                }
                self.mode.set(r.mode);
                match self.firewall.ensure(&r) {
                    Ok(_) => {
                        *current = Some((p.clone(), r));
                        true
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "policy not applied; keeping the previous table");
                        false
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "policy rejected; keeping the previous one");
                false
            }
        }
    }

    /// Runs until `stop` is set.
    pub fn run(mut self, stop: Arc<AtomicBool>) {
        let mut current: Option<(Policy, Resolved)> = None;
        if let Source::Manager(_) = self.source {
            if let Some(p) = load_cache(&self.state_dir) {
                tracing::info!("applying cached last good policy until the manager answers");
                self.adopt(&p, &mut current);
            }
        }
        let mut last_file: Option<Vec<u8>> = None;
        let mut manager_ok = true;
        let mut next_pull = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            match &self.source {
                Source::Manager(puller) if Instant::now() >= next_pull => {
                    let req = PolicyRequest {
                        hostname: self.hostname.clone(),
                        mode: Some(self.mode.get()),
                        version: env!("CARGO_PKG_VERSION").to_string(),
                    };
                    match puller.pull(&req) {
                        Ok(p) => {
                            if !manager_ok {
                                tracing::info!("manager reachable again");
                            }
                            manager_ok = true;
                            if current.as_ref().map(|(c, _)| c) != Some(&p) && self.adopt(&p, &mut current) {
                                if let Ok(b) = serde_json::to_vec_pretty(&p) {
                                    if let Err(e) = write_atomic(&cache_path(&self.state_dir), &b) {
                                        tracing::warn!(error = %e, "cannot cache policy");
                                    }
                                }
                            }
                        }
                        Err(e) => {
                            if manager_ok {
                                tracing::warn!(error = %e, "policy pull failed; keeping the last good policy");
                            }
                            manager_ok = false;
                        }
                    }
                    let interval = current.as_ref().map_or(Duration::from_secs(10), |(_, r)| r.interval);
                    next_pull = Instant::now() + interval;
                }
                Source::File(path) => {
                    let path = path.clone();
                    match std::fs::read(&path) {
                        Ok(b) if last_file.as_ref() != Some(&b) => {
                            last_file = Some(b);
                            match read_policy_file(&path) {
                                Ok(p) => {
                                    if self.adopt(&p, &mut current) {
                                        tracing::info!(file = %path.display(), "policy file loaded");
                                    }
                                }
                                Err(e) => tracing::error!("{e} (keeping the previous policy)"),
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            if last_file.take().is_some() {
                                tracing::error!(file = %path.display(), error = %e, "cannot read policy file; keeping the previous policy");
                            }
                        }
                    }
                }
                Source::Manager(_) => {}
            }
            // Renew timeouts / restore a flushed table.
            if let Some((_, r)) = &current {
                if let Err(e) = self.firewall.ensure(r) {
                    tracing::error!(error = %e, "cannot refresh nftables table");
                }
            }
            sleep_unless(&stop, Duration::from_secs(1));
        }
    }
}
