//! `gateway.toml`: the process-wide settings (listeners, directories, threads, state, decisions). Sites and rules
//! live in their own directories and reload live; this file is read once at start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Plain-HTTP listeners shared by every site.
    #[serde(default = "default_listen")]
    pub listen: Vec<SocketAddr>,
    /// TLS listeners; each site's `[tls]` certificate is chosen by SNI.
    #[serde(default)]
    pub tls_listen: Vec<SocketAddr>,
    /// Admin API and metrics.
    #[serde(default = "default_admin_listen")]
    pub admin_listen: SocketAddr,
    /// Bearer token for the admin API; required when `admin_listen` is not loopback.
    #[serde(default)]
    pub admin_token: Option<String>,
    pub sites_dir: PathBuf,
    pub rules_dir: PathBuf,
    /// Worker threads of the proxy service.
    #[serde(default = "default_threads")]
    pub threads: usize,
    /// Process-wide JSON access log (one line per request); sites may add their own.
    #[serde(default)]
    pub access_log: Option<PathBuf>,
    /// Where the bad-guy table is kept across restarts.
    #[serde(default)]
    pub state_file: Option<PathBuf>,
    /// How often the config directories are checked for changes.
    #[serde(default = "default_watch_interval", with = "humantime_serde")]
    pub watch_interval: Duration,
    #[serde(default)]
    pub badguys: BadGuyConfig,
    #[serde(default)]
    pub decisions: DecisionsConfig,
    #[serde(default)]
    pub upstream: UpstreamConfig,
    /// Pingora's upgrade socket for graceful restarts (`gateway --upgrade` on SIGQUIT hand-over).
    #[serde(default = "default_upgrade_sock")]
    pub upgrade_sock: PathBuf,
    #[serde(default = "default_pid_file")]
    pub pid_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadGuyConfig {
    /// Upper bound of the table; when full the entries that expire soonest are evicted.
    #[serde(default = "default_max_entries")]
    pub max_entries: usize,
    /// How often the table is written to `state_file` when it changed.
    #[serde(default = "default_save_interval", with = "humantime_serde")]
    pub save_interval: Duration,
}

impl Default for BadGuyConfig {
    fn default() -> Self {
        BadGuyConfig {
            max_entries: default_max_entries(),
            save_interval: default_save_interval(),
        }
    }
}

/// Where decisions are shared with other programs (DESIGN.md §4).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionsConfig {
    /// Manager base URL, e.g. `http://127.0.0.1:9000`.
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Shared Redis for scale-out (not used by this build).
    #[serde(default)]
    pub redis: Option<String>,
    #[serde(default = "default_pull_interval", with = "humantime_serde")]
    pub pull_interval: Duration,
}

/// Timeouts towards backends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    #[serde(default = "default_connect_timeout", with = "humantime_serde")]
    pub connect_timeout: Duration,
    #[serde(default = "default_read_timeout", with = "humantime_serde")]
    pub read_timeout: Duration,
    #[serde(default = "default_read_timeout", with = "humantime_serde")]
    pub write_timeout: Duration,
    #[serde(default = "default_idle_timeout", with = "humantime_serde")]
    pub idle_timeout: Duration,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            connect_timeout: default_connect_timeout(),
            read_timeout: default_read_timeout(),
            write_timeout: default_read_timeout(),
            idle_timeout: default_idle_timeout(),
        }
    }
}

fn default_listen() -> Vec<SocketAddr> {
    vec![SocketAddr::from(([127, 0, 0, 1], 8080))]
}
fn default_admin_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9180))
}
fn default_threads() -> usize {
    1
}
fn default_watch_interval() -> Duration {
    Duration::from_millis(500)
}
fn default_max_entries() -> usize {
    1_000_000
}
fn default_save_interval() -> Duration {
    Duration::from_secs(10)
}
fn default_pull_interval() -> Duration {
    Duration::from_secs(1)
}
fn default_connect_timeout() -> Duration {
    Duration::from_secs(3)
}
fn default_read_timeout() -> Duration {
    Duration::from_secs(60)
}
fn default_idle_timeout() -> Duration {
    Duration::from_secs(60)
}
fn default_upgrade_sock() -> PathBuf {
    PathBuf::from("/tmp/jhsy_gateway_upgrade.sock")
}
fn default_pid_file() -> PathBuf {
    PathBuf::from("/tmp/jhsy_gateway.pid")
}

impl GatewayConfig {
    /// Reads and validates `gateway.toml`. Relative directories are taken relative to the file's directory.
    pub fn load(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, &e))?;
        let mut cfg: GatewayConfig = toml::from_str(&text).map_err(|e| ConfigError::toml(path, &text, &e))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        for p in [&mut cfg.sites_dir, &mut cfg.rules_dir] {
            *p = resolve(base, p);
        }
        for p in [&mut cfg.access_log, &mut cfg.state_file, &mut cfg.decisions.key_file]
            .into_iter()
            .flatten()
        {
            *p = resolve(base, p);
        }
        cfg.validate(path)?;
        Ok(cfg)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let fail = |msg: String| Err(ConfigError::at(path, 1, msg));
        if self.listen.is_empty() {
            return fail("`listen` needs at least one address".into());
        }
        if self.threads == 0 {
            return fail("`threads` must be at least 1".into());
        }
        if !self.admin_listen.ip().is_loopback() && self.admin_token.as_deref().unwrap_or("").is_empty() {
            return fail(format!(
                "admin_listen {} is not loopback: set `admin_token`",
                self.admin_listen
            ));
        }
        if self.badguys.max_entries == 0 {
            return fail("`badguys.max_entries` must be at least 1".into());
        }
        if self.decisions.manager.is_some() && (self.decisions.key_id.is_none() || self.decisions.key_file.is_none()) {
            return fail("`[decisions] manager` needs `key_id` and `key_file`".into());
        }
        Ok(())
    }
}

/// Makes `p` absolute against `base` when it is relative.
pub fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}
