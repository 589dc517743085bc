//! `server.toml`, typed. This struct is the reference for the keys; see `examples/server.toml` in README.
//! Relative paths are relative to the directory of the config file.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::engine::EngineConfig;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory of detector rule files (`rules/services`).
    pub rules_dir: PathBuf,
    /// How often the rules directory is checked for edits.
    #[serde(with = "humantime_serde", default = "d_reload")]
    pub reload_interval: Duration,
    /// What to do with lines whose program matches no detector.
    #[serde(default)]
    pub untagged: Untagged,
    #[serde(default)]
    pub syslog: SyslogConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub decisions: DecisionsConfig,
    #[serde(default)]
    pub engine: EngineSection,
    #[serde(default)]
    pub honeypot: HoneypotConfig,
    #[serde(default)]
    pub alarms: AlarmsConfig,
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Untagged {
    /// Try every detector (bare service lines, unknown tags).
    #[default]
    All,
    /// Ignore them.
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
    #[serde(default = "d_listen")]
    pub udp: Vec<SocketAddr>,
    #[serde(default = "d_listen")]
    pub tcp: Vec<SocketAddr>,
    /// Longest accepted message in bytes (rsyslog's default is 8 KiB); longer ones are counted and dropped.
    #[serde(default = "d_max_message")]
    pub max_message: usize,
    /// Most simultaneous TCP connections.
    #[serde(default = "d_max_conns")]
    pub max_connections: usize,
    /// A TCP peer silent for this long is disconnected.
    #[serde(with = "humantime_serde", default = "d_idle")]
    pub idle_timeout: Duration,
    /// Syslog over TLS (RFC 5425, same framing as TCP); off unless configured.
    pub tls: Option<TlsConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// e.g. `["0.0.0.0:6514"]`.
    pub listen: Vec<SocketAddr>,
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl Default for SyslogConfig {
    fn default() -> Self {
        Self {
            udp: d_listen(),
            tcp: d_listen(),
            max_message: d_max_message(),
            max_connections: d_max_conns(),
            idle_timeout: d_idle(),
            tls: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// `GET /metrics` (Prometheus text) and `GET /healthz`; empty string disables.
    #[serde(default = "d_metrics")]
    pub listen: Option<SocketAddr>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { listen: d_metrics() }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionsConfig {
    /// Manager base URL (`http://127.0.0.1:9000`); unset = decisions are only logged and counted.
    pub manager: Option<String>,
    #[serde(default)]
    pub key_id: String,
    /// File holding the key secret (as printed by `manager key add`).
    pub key_file: Option<PathBuf>,
    /// Where batches wait while the manager is away.
    #[serde(default = "d_spool")]
    pub spool_dir: PathBuf,
    /// Upper bound of the spool; the oldest batches are dropped (and counted) beyond it.
    #[serde(default = "d_spool_max")]
    pub spool_max_bytes: u64,
    /// Most items per POST.
    #[serde(default = "d_batch")]
    pub batch_max: usize,
    /// Longest an item waits before its batch is written.
    #[serde(with = "humantime_serde", default = "d_flush")]
    pub flush_interval: Duration,
    /// Also send every event (evidence) to `/api/v1/events`.
    #[serde(default = "d_true")]
    pub send_events: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EngineSection {
    pub max_buckets: Option<usize>,
    pub max_sessions: Option<usize>,
    #[serde(with = "humantime_serde", default)]
    pub session_idle: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoneypotConfig {
    /// Decision length for a source that touched a honeypot or sandbox; "0s" = alarm only.
    #[serde(with = "humantime_serde", default = "d_honeypot_ttl")]
    pub decision_ttl: Duration,
}

impl Default for HoneypotConfig {
    fn default() -> Self {
        Self {
            decision_ttl: d_honeypot_ttl(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmsConfig {
    /// After an alarm for a source, further events of that source within this window are summarised in one
    /// alarm at its end.
    #[serde(with = "humantime_serde", default = "d_throttle")]
    pub throttle: Duration,
    /// Most sources tracked at once; beyond it events are folded into one flood summary.
    #[serde(default = "d_alarm_sources")]
    pub max_sources: usize,
    /// Send alarms to the manager as events of kind `alarm`.
    #[serde(default = "d_true")]
    pub manager: bool,
    /// URLs that receive each alarm as a JSON POST.
    #[serde(default)]
    pub webhooks: Vec<String>,
    pub smtp: Option<SmtpConfig>,
}

impl Default for AlarmsConfig {
    fn default() -> Self {
        Self {
            throttle: d_throttle(),
            max_sources: d_alarm_sources(),
            manager: true,
            webhooks: Vec::new(),
            smtp: None,
        }
    }
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub server: String,
    #[serde(default = "d_smtp_port")]
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
}

fn d_reload() -> Duration {
    Duration::from_secs(2)
}
fn d_listen() -> Vec<SocketAddr> {
    vec![SocketAddr::from(([0, 0, 0, 0], 514))]
}
fn d_max_message() -> usize {
    8192
}
fn d_max_conns() -> usize {
    1024
}
fn d_idle() -> Duration {
    Duration::from_secs(600)
}
fn d_metrics() -> Option<SocketAddr> {
    Some(SocketAddr::from(([127, 0, 0, 1], 9514)))
}
fn d_spool() -> PathBuf {
    PathBuf::from("spool")
}
fn d_spool_max() -> u64 {
    64 * 1024 * 1024
}
fn d_batch() -> usize {
    500
}
fn d_flush() -> Duration {
    Duration::from_secs(1)
}
fn d_true() -> bool {
    true
}
fn d_honeypot_ttl() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn d_throttle() -> Duration {
    Duration::from_secs(600)
}
fn d_alarm_sources() -> usize {
    10_000
}
fn d_smtp_port() -> u16 {
    25
}

impl Config {
    /// Reads and validates; errors are `file:line: message`.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut cfg: Config = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| crate::rules::line_of(&text, s.start)).unwrap_or(1);
            anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let abs = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        abs(&mut cfg.rules_dir);
        abs(&mut cfg.decisions.spool_dir);
        if let Some(t) = cfg.syslog.tls.as_mut() {
            abs(&mut t.cert);
            abs(&mut t.key);
        }
        if let Some(k) = cfg.decisions.key_file.as_mut() {
            abs(k);
        }
        if let Some(p) = cfg.alarms.smtp.as_mut().and_then(|s| s.password_file.as_mut()) {
            abs(p);
        }
        if cfg.decisions.manager.is_some() && (cfg.decisions.key_id.is_empty() || cfg.decisions.key_file.is_none()) {
            anyhow::bail!("{}: [decisions] manager needs key_id and key_file", path.display());
        }
        if cfg.syslog.max_message < 64 {
            anyhow::bail!("{}: [syslog] max_message must be at least 64", path.display());
        }
        Ok(cfg)
    }

    pub fn engine(&self) -> EngineConfig {
        let d = EngineConfig::default();
        EngineConfig {
            max_buckets: self.engine.max_buckets.unwrap_or(d.max_buckets),
            max_sessions: self.engine.max_sessions.unwrap_or(d.max_sessions),
            session_idle: self.engine.session_idle.unwrap_or(d.session_idle),
            honeypot_ttl: (!self.honeypot.decision_ttl.is_zero()).then_some(self.honeypot.decision_ttl),
        }
    }

    /// The key secret (trimmed file contents).
    pub fn secret(&self) -> anyhow::Result<Option<String>> {
        match &self.decisions.key_file {
            Some(p) => {
                let s = std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                let s = s.trim().to_string();
                if s.is_empty() {
                    anyhow::bail!("{}: empty key file", p.display());
                }
                Ok(Some(s))
            }
            None => Ok(None),
        }
    }
}
