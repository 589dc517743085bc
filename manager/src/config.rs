//! `manager.toml`: typed configuration with embedded defaults, so an empty file (or none) runs a working manager.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the HTTP listener (API, web UI, /metrics).
    pub listen: SocketAddr,
    /// SQLite database file, relative to the config file's directory.
    pub database: PathBuf,
    /// Directory the gateways watch; rendered site files are written here.
    pub sites_dir: PathBuf,
    /// Directory with `site.toml.j2`; when unset the template compiled into the binary is used.
    pub site_templates: Option<PathBuf>,
    /// Path of a `gateway` binary; when set, every rendered site must pass `gateway check` before it is published.
    pub gateway_bin: Option<PathBuf>,
    /// Base URL people use to reach the UI (printed in the setup link). Defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// Set when a TLS-terminating proxy sits in front: session cookies then carry `Secure` (implied by an
    /// https `public_url`).
    pub secure_cookies: bool,
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    pub retention: Retention,
    pub limits: Limits,
    /// An agent that has made no signed call for this long is shown offline.
    #[serde(with = "humantime_serde")]
    pub agent_offline_after: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Attack events older than this are deleted.
    #[serde(with = "humantime_serde")]
    pub events: Duration,
    /// Expired or deleted decisions are kept this long for the record, then deleted.
    #[serde(with = "humantime_serde")]
    pub decisions: Duration,
    /// Audit log entries older than this are deleted.
    #[serde(with = "humantime_serde")]
    pub audit: Duration,
    /// Upper bound on stored events; the oldest go first.
    pub max_events: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest accepted request body (bytes).
    pub max_body: usize,
    /// Most nonces remembered at once; beyond it signed calls get 503 rather than risking a replay.
    pub nonce_cache: usize,
    /// Failed logins allowed per client address and per user name within `login_window`.
    pub login_failures: u32,
    #[serde(with = "humantime_serde")]
    pub login_window: Duration,
    /// Events accepted in one batch.
    pub max_batch: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 9000)),
            database: PathBuf::from("manager.db"),
            sites_dir: PathBuf::from("sites"),
            site_templates: None,
            gateway_bin: None,
            public_url: None,
            secure_cookies: false,
            session_ttl: Duration::from_secs(12 * 3600),
            retention: Retention::default(),
            limits: Limits::default(),
            agent_offline_after: Duration::from_secs(60),
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            events: Duration::from_secs(30 * 86400),
            decisions: Duration::from_secs(7 * 86400),
            audit: Duration::from_secs(365 * 86400),
            max_events: 5_000_000,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 8 * 1024 * 1024,
            nonce_cache: 1_000_000,
            login_failures: 5,
            login_window: Duration::from_secs(300),
            max_batch: 10_000,
        }
    }
}

impl Config {
    /// Reads and validates a config file; relative paths inside it are resolved against its directory.
    /// A missing file is an error only when `must_exist`.
    pub fn load(path: &Path, must_exist: bool) -> anyhow::Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => String::new(),
            Err(e) => anyhow::bail!("{}: {e}", path.display()),
        };
        let mut cfg: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(0);
            anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
        })?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        cfg.database = base.join(&cfg.database);
        cfg.sites_dir = base.join(&cfg.sites_dir);
        cfg.site_templates = cfg.site_templates.map(|p| base.join(p));
        cfg.gateway_bin = cfg.gateway_bin.map(|p| base.join(p));
        cfg.validate().map_err(|m| anyhow::anyhow!("{}: {m}", path.display()))?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        if self.limits.nonce_cache < 1000 {
            return Err("limits.nonce_cache must be at least 1000".into());
        }
        if self.limits.max_batch == 0 || self.limits.max_body < 1024 {
            return Err("limits.max_batch must be > 0 and limits.max_body at least 1024".into());
        }
        if self.session_ttl < Duration::from_secs(60) {
            return Err("session_ttl must be at least 1m".into());
        }
        Ok(())
    }

    /// Session cookies carry `Secure` when asked to, or when people reach the manager over https.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies || self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }
}
