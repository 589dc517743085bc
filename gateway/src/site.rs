//! One site file (`sites_dir/*.toml`): its typed form as written by users and the compiled [`Site`] the request
//! path reads (host patterns, both pools, WAF mode, pages, limits).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

use crate::access_log::AccessLog;
use crate::error::{line_of_key, ConfigError};
use crate::pages::Pages;
use crate::pool::{BackendRegistry, Pool, PoolKind};

/// A backend as written: `"127.0.0.1:9001"` or `{ addr = "127.0.0.1:9001", weight = 3 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BackendSpec {
    Plain(String),
    Weighted(WeightedBackend),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedBackend {
    pub addr: String,
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

/// What the WAF does with an attack on this site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WafMode {
    /// No inspection, no bad-guy routing.
    Off,
    /// Inspect, log and count; never act.
    Detect,
    /// Answer 403 with the block page.
    Block,
    /// Answer 302 to `redirect_url`.
    Redirect,
    /// Mark the client and send it, from this request on, to the cloned pool.
    Deceive,
}

impl WafMode {
    pub fn as_str(self) -> &'static str {
        match self {
            WafMode::Off => "off",
            WafMode::Detect => "detect",
            WafMode::Block => "block",
            WafMode::Redirect => "redirect",
            WafMode::Deceive => "deceive",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSection {
    /// nginx `max_fails`: failures within `fail_timeout` that take a backend out.
    #[serde(default = "default_max_fails")]
    pub max_fails: u32,
    /// nginx `fail_timeout`: the counting window and how long the backend stays out.
    #[serde(default = "default_fail_timeout", with = "humantime_serde")]
    pub fail_timeout: Duration,
    /// Optional active check: `GET check_path` every `check_interval`.
    #[serde(default)]
    pub check_path: Option<String>,
    #[serde(default = "default_check_interval", with = "humantime_serde")]
    pub check_interval: Duration,
    #[serde(default = "default_check_timeout", with = "humantime_serde")]
    pub check_timeout: Duration,
}

impl Default for HealthSection {
    fn default() -> Self {
        HealthSection {
            max_fails: default_max_fails(),
            fail_timeout: default_fail_timeout(),
            check_path: None,
            check_interval: default_check_interval(),
            check_timeout: default_check_timeout(),
        }
    }
}

fn default_max_fails() -> u32 {
    1
}
fn default_fail_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_check_interval() -> Duration {
    Duration::from_secs(5)
}
fn default_check_timeout() -> Duration {
    Duration::from_secs(2)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WafSection {
    #[serde(default = "default_mode")]
    pub mode: WafMode,
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// HTML template answered in `block` mode; `{client_ip}` `{rule_id}` `{request_id}` are filled in.
    #[serde(default)]
    pub block_page: Option<PathBuf>,
    #[serde(default = "default_ttl", with = "humantime_serde")]
    pub bad_guy_ttl: Duration,
    /// CRS-style paranoia level (1–4).
    #[serde(default = "default_paranoia")]
    pub paranoia: u8,
    /// Anomaly score at which a request is an attack.
    #[serde(default = "default_threshold")]
    pub threshold: u32,
    /// Rule exclusions for tuning false positives (see `waf::WafSiteSettings`).
    #[serde(default)]
    pub exclusions: Vec<waf::ExclusionSettings>,
    /// Bytes of request body inspected; the rest is forwarded uninspected.
    #[serde(default = "default_inspect_limit")]
    pub inspect_body_limit: usize,
}

impl Default for WafSection {
    fn default() -> Self {
        WafSection {
            mode: default_mode(),
            redirect_url: None,
            block_page: None,
            bad_guy_ttl: default_ttl(),
            paranoia: default_paranoia(),
            threshold: default_threshold(),
            exclusions: Vec::new(),
            inspect_body_limit: default_inspect_limit(),
        }
    }
}

fn default_inspect_limit() -> usize {
    waf::DEFAULT_INSPECT_BODY_LIMIT
}

fn default_mode() -> WafMode {
    WafMode::Block
}
fn default_ttl() -> Duration {
    Duration::from_secs(600)
}
// The engine owns these defaults; the site file only repeats its fields (serde cannot flatten them under
// deny_unknown_fields).
fn default_paranoia() -> u8 {
    waf::WafSiteSettings::default().paranoia
}
fn default_threshold() -> u32 {
    waf::WafSiteSettings::default().threshold
}

/// Custom error pages: status → HTML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorPagesSection {
    #[serde(default, rename = "404")]
    pub not_found: Option<PathBuf>,
    #[serde(default, rename = "413")]
    pub too_large: Option<PathBuf>,
    #[serde(default, rename = "502")]
    pub bad_gateway: Option<PathBuf>,
    #[serde(default, rename = "503")]
    pub unavailable: Option<PathBuf>,
    #[serde(default, rename = "504")]
    pub timeout: Option<PathBuf>,
}

/// Certificate of the site for `tls_listen` (PEM files, relative to the site file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A site file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    pub name: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    /// The catch-all site for hosts no other site names.
    #[serde(default)]
    pub default: bool,
    /// Extra listeners of this site; empty = the gateway's `listen`.
    #[serde(default)]
    pub listen: Vec<SocketAddr>,
    pub backends: Vec<BackendSpec>,
    #[serde(default)]
    pub unreal_backends: Vec<BackendSpec>,
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    /// Largest request body accepted (bytes); 413 beyond. nginx's default is 1 MiB.
    #[serde(default = "default_max_body")]
    pub max_body_size: u64,
    /// Per-site JSON access log.
    #[serde(default)]
    pub access_log: Option<PathBuf>,
    #[serde(default)]
    pub health: HealthSection,
    #[serde(default)]
    pub waf: WafSection,
    #[serde(default)]
    pub error_pages: ErrorPagesSection,
    #[serde(default)]
    pub tls: Option<TlsSection>,
}

fn default_max_body() -> u64 {
    1024 * 1024
}

/// A compiled site, shared by every request that resolves to it until the next reload.
#[derive(Debug)]
pub struct Site {
    pub name: String,
    pub file: PathBuf,
    pub hosts: Vec<String>,
    pub default: bool,
    pub listen: Vec<SocketAddr>,
    pub real: Pool,
    pub unreal: Option<Pool>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_body_size: u64,
    pub mode: WafMode,
    pub redirect_url: Option<String>,
    pub bad_guy_ttl: Duration,
    pub policy: waf::SitePolicy,
    pub pages: Pages,
    pub access_log: Option<Arc<AccessLog>>,
    /// Served on `tls_listen` to clients asking (SNI) for one of `hosts`.
    pub tls: Option<Arc<pingora_core::tls::sign::CertifiedKey>>,
    pub metrics: crate::metrics::SiteRequestMetrics,
}

impl Site {
    /// Parses and compiles one site file. `registry` keeps backend health across reloads.
    pub fn load(path: &Path, registry: &BackendRegistry) -> Result<Site, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, &e))?;
        let file: SiteFile = toml::from_str(&text).map_err(|e| ConfigError::toml(path, &text, &e))?;
        Site::compile(path, &text, file, registry)
    }

    fn compile(path: &Path, text: &str, f: SiteFile, registry: &BackendRegistry) -> Result<Site, ConfigError> {
        let err = |key: &str, msg: String| ConfigError::at(path, line_of_key(text, key), msg);
        if f.name.is_empty()
            || !f
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(err(
                "name",
                format!("site name {:?} must be non-empty [A-Za-z0-9_-]", f.name),
            ));
        }
        if f.hosts.is_empty() && !f.default {
            return Err(err("hosts", "a site needs `hosts` or `default = true`".into()));
        }
        let mut hosts = Vec::with_capacity(f.hosts.len());
        for h in &f.hosts {
            hosts.push(normalize_host_pattern(h).map_err(|m| err("hosts", m))?);
        }
        if f.backends.is_empty() {
            return Err(err("backends", "`backends` needs at least one address".into()));
        }
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let real_backends = resolve_backends(&f.backends).map_err(|m| err("backends", m))?;
        let real = Pool::new(
            format!("proxy_{}", f.name),
            PoolKind::Real,
            real_backends,
            &f.health,
            registry,
        );
        let unreal = if f.unreal_backends.is_empty() {
            None
        } else {
            let b = resolve_backends(&f.unreal_backends).map_err(|m| err("unreal_backends", m))?;
            Some(Pool::new(
                format!("unreal_{}", f.name),
                PoolKind::Unreal,
                b,
                &f.health,
                registry,
            ))
        };
        if f.waf.mode == WafMode::Deceive && unreal.is_none() {
            return Err(err("mode", "waf.mode = \"deceive\" needs `unreal_backends`".into()));
        }
        if f.waf.mode == WafMode::Redirect {
            match f.waf.redirect_url.as_deref() {
                Some(u) if u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/') => {}
                _ => {
                    return Err(err(
                        "redirect_url",
                        "waf.mode = \"redirect\" needs an http(s) or /path `redirect_url`".into(),
                    ))
                }
            }
        }
        let policy = waf::SitePolicy::compile(&waf::WafSiteSettings {
            paranoia: f.waf.paranoia,
            threshold: f.waf.threshold,
            exclusions: f.waf.exclusions.clone(),
            inspect_body_limit: f.waf.inspect_body_limit,
        })
        .map_err(|m| err("exclusions", m))?;
        let pages = Pages::load(base, f.waf.block_page.as_deref(), &f.error_pages).map_err(|m| err("block_page", m))?;
        let tls = match &f.tls {
            Some(t) => Some(
                crate::tls::load_certified_key(
                    &crate::config::resolve(base, &t.cert),
                    &crate::config::resolve(base, &t.key),
                )
                .map_err(|m| err("cert", m))?,
            ),
            None => None,
        };
        let access_log = match &f.access_log {
            Some(p) => Some(AccessLog::open(&crate::config::resolve(base, p)).map_err(|m| err("access_log", m))?),
            None => None,
        };
        Ok(Site {
            name: f.name,
            file: path.to_path_buf(),
            hosts,
            default: f.default,
            listen: f.listen,
            real,
            unreal,
            trusted_proxies: f.trusted_proxies,
            max_body_size: f.max_body_size,
            mode: f.waf.mode,
            redirect_url: f.waf.redirect_url,
            bad_guy_ttl: f.waf.bad_guy_ttl,
            policy,
            pages,
            access_log,
            tls,
            metrics: Default::default(),
        })
    }

    /// True when `peer` may set `X-Forwarded-For` / `X-Real-IP`.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&peer))
    }
}

/// Lower-cases a host pattern and checks its shape: `name`, `*.suffix`.
fn normalize_host_pattern(h: &str) -> Result<String, String> {
    let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
    let body = h.strip_prefix("*.").unwrap_or(&h);
    if body.is_empty() || body.contains('*') || body.contains('/') || body.contains(' ') {
        return Err(format!("host pattern {h:?} must be a name or *.suffix"));
    }
    Ok(h)
}

/// Resolves each backend to one socket address (host names are looked up once, at load, like nginx).
fn resolve_backends(specs: &[BackendSpec]) -> Result<Vec<(SocketAddr, u32)>, String> {
    let mut out = Vec::with_capacity(specs.len());
    for s in specs {
        let (addr, weight) = match s {
            BackendSpec::Plain(a) => (a.as_str(), 1),
            BackendSpec::Weighted(w) => (w.addr.as_str(), w.weight),
        };
        if weight == 0 || weight > 1000 {
            return Err(format!("backend {addr}: weight must be 1–1000"));
        }
        let sa = match addr.parse::<SocketAddr>() {
            Ok(sa) => sa,
            Err(_) => addr
                .to_socket_addrs()
                .map_err(|e| format!("backend {addr:?}: {e}"))?
                .next()
                .ok_or_else(|| format!("backend {addr:?}: no address"))?,
        };
        out.push((sa, weight));
    }
    Ok(out)
}
