//! `agent.toml`: the typed configuration. The structs are the reference documentation of every key.
//!
//! Relative paths are resolved against the directory of the config file, like nginx's `include`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Parse { path: String, line: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The whole `agent.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Host name put in every syslog message; default: the kernel's host name.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Offsets, spool, cached policy and pid file live here.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// Syslog receivers (the detection servers). Every line goes to every server.
    #[serde(default)]
    pub servers: Vec<ServerConfig>,
    /// Log files to follow like `tail -F`.
    #[serde(default)]
    pub files: Vec<FileConfig>,
    /// How often the followed files are checked for new lines, rotation and truncation.
    #[serde(default = "default_tail_poll", with = "humantime_serde")]
    pub tail_poll: Duration,
    /// Redis whose `MONITOR` stream is forwarded.
    #[serde(default)]
    pub redis: Option<RedisConfig>,
    /// Manager to pull the signed policy from (`POST /api/v1/policy`).
    #[serde(default)]
    pub manager: Option<ManagerConfig>,
    /// Standalone policy (the same JSON the manager returns); re-read when it changes. Used when `[manager]` is absent.
    #[serde(default)]
    pub policy_file: Option<PathBuf>,
    #[serde(default)]
    pub firewall: FirewallConfig,
    #[serde(default)]
    pub spool: SpoolConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// RFC 6587 octet-counted framing over TCP; lines queue on disk while the server is away.
    #[default]
    Tcp,
    /// One message per datagram (RFC 5426); fire and forget.
    Udp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// `host:port` of the syslog receiver.
    pub addr: String,
    #[serde(default)]
    pub transport: Transport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StartAt {
    /// A file that already exists when the agent first sees it is read from its end (like `tail -F`); files that
    /// appear later and rotated files are always read from their start.
    #[default]
    End,
    Beginning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LineFormat {
    /// A line starting with a syslog header (`Jul  3 14:59:17 host sshd[1571]: ...`, as in auth.log) is sent as
    /// its message with the PID as PROCID; any other line is sent as it is.
    #[default]
    Auto,
    /// Every line is sent exactly as it is.
    Raw,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub path: PathBuf,
    /// Syslog APP-NAME (the server picks its detector by it): `vsftpd`, `sshd`, `mysql`, `rsyncd`, `mongodb`, ...
    pub service: String,
    #[serde(default)]
    pub start_at: StartAt,
    #[serde(default)]
    pub format: LineFormat,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `host:port`.
    pub addr: String,
    /// ACL user (Redis 6+); without it `AUTH password` is sent.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// File holding the password (first line); preferred over `password`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_redis_service")]
    pub service: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagerConfig {
    /// Base URL, e.g. `http://10.0.0.5:9000`.
    pub url: String,
    pub key_id: String,
    /// File whose first line is the secret printed by `manager key add`.
    pub key_file: PathBuf,
    #[serde(default = "default_http_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallConfig {
    /// Name of the one `inet` table the agent owns.
    #[serde(default = "default_table")]
    pub table: String,
    /// Remove the table when the service stops on SIGTERM (`agent -c stop` always removes it).
    #[serde(default)]
    pub remove_rules_on_stop: bool,
    /// Lifetime of black-set elements; refreshed while the policy keeps them, so bans expire if the agent dies.
    #[serde(default = "default_black_ttl", with = "humantime_serde")]
    pub black_ttl: Duration,
    /// Source-NAT connections sent to the sandbox, for a sandbox whose replies would not route back via this host.
    /// Off by default so the sandbox sees the attacker's real address.
    #[serde(default)]
    pub masquerade_sandbox: bool,
    /// `nft` binary.
    #[serde(default = "default_nft")]
    pub nft: PathBuf,
}

impl Default for FirewallConfig {
    fn default() -> Self {
        Self {
            table: default_table(),
            remove_rules_on_stop: false,
            black_ttl: default_black_ttl(),
            masquerade_sandbox: false,
            nft: default_nft(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolConfig {
    /// Upper bound of queued, undelivered data on disk. When full, file tailers pause (the lines stay in the
    /// files) and Redis MONITOR lines are dropped and counted.
    #[serde(default = "default_spool_max")]
    pub max_bytes: u64,
    #[serde(default = "default_segment")]
    pub segment_bytes: u64,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        Self {
            max_bytes: default_spool_max(),
            segment_bytes: default_segment(),
        }
    }
}

fn default_state_dir() -> PathBuf {
    PathBuf::from("/var/lib/jinghuashuiyue-agent")
}
fn default_tail_poll() -> Duration {
    Duration::from_millis(200)
}
fn default_redis_service() -> String {
    "redis".into()
}
fn default_http_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_table() -> String {
    "jhsy".into()
}
fn default_black_ttl() -> Duration {
    Duration::from_secs(3600)
}
fn default_nft() -> PathBuf {
    PathBuf::from("nft")
}
fn default_spool_max() -> u64 {
    256 * 1024 * 1024
}
fn default_segment() -> u64 {
    4 * 1024 * 1024
}

/// A syslog APP-NAME: 1..=48 printable US-ASCII characters (RFC 5424 §6.2.5).
pub fn valid_app_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 48 && s.bytes().all(|b| (33..=126).contains(&b))
}

/// An nft identifier we are willing to put in a ruleset.
fn valid_table(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Config {
    /// Reads, parses and validates `path`. Errors carry `file:line: message`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let mut cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        cfg.resolve_paths(&base);
        cfg.validate()
            .map_err(|message| ConfigError::Invalid { path: shown, message })?;
        Ok(cfg)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let abs = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        abs(&mut self.state_dir);
        for f in &mut self.files {
            abs(&mut f.path);
        }
        if let Some(p) = &mut self.policy_file {
            abs(p);
        }
        if let Some(m) = &mut self.manager {
            abs(&mut m.key_file);
        }
        if let Some(r) = &mut self.redis {
            if let Some(p) = &mut r.password_file {
                abs(p);
            }
        }
    }

    fn validate(&self) -> Result<(), String> {
        for (i, s) in self.servers.iter().enumerate() {
            if !s.addr.contains(':') {
                return Err(format!("servers[{i}].addr {:?} must be host:port", s.addr));
            }
        }
        for (i, f) in self.files.iter().enumerate() {
            if !valid_app_name(&f.service) {
                return Err(format!(
                    "files[{i}].service {:?} must be 1-48 printable ASCII characters without spaces",
                    f.service
                ));
            }
            if self.files[..i].iter().any(|g| g.path == f.path) {
                return Err(format!("files[{i}].path {} is listed twice", f.path.display()));
            }
        }
        if let Some(r) = &self.redis {
            if !r.addr.contains(':') {
                return Err(format!("redis.addr {:?} must be host:port", r.addr));
            }
            if !valid_app_name(&r.service) {
                return Err(format!("redis.service {:?} is not a valid syslog APP-NAME", r.service));
            }
        }
        if let Some(m) = &self.manager {
            if !(m.url.starts_with("http://") || m.url.starts_with("https://")) {
                return Err(format!("manager.url {:?} must start with http:// or https://", m.url));
            }
            if m.key_id.is_empty() {
                return Err("manager.key_id is empty".into());
            }
        }
        if self.manager.is_some() && self.policy_file.is_some() {
            return Err("set either [manager] or policy_file, not both".into());
        }
        if !valid_table(&self.firewall.table) {
            return Err(format!(
                "firewall.table {:?} must be a letter followed by letters, digits or _",
                self.firewall.table
            ));
        }
        if self.firewall.black_ttl < Duration::from_secs(10) {
            return Err("firewall.black_ttl must be at least 10s".into());
        }
        if self.spool.segment_bytes < 4096 || self.spool.max_bytes < 2 * self.spool.segment_bytes {
            return Err("spool.segment_bytes must be >= 4096 and spool.max_bytes >= 2 * segment_bytes".into());
        }
        if let Some(h) = &self.hostname {
            if h.is_empty() || h.len() > 255 || !h.bytes().all(|b| (33..=126).contains(&b)) {
                return Err(format!("hostname {h:?} must be printable ASCII without spaces"));
            }
        }
        Ok(())
    }

    /// The configured host name, or the kernel's, reduced to what RFC 5424 allows.
    pub fn hostname(&self) -> String {
        let raw = match &self.hostname {
            Some(h) => h.clone(),
            None => std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default(),
        };
        let clean: String = raw.trim().chars().filter(|c| c.is_ascii_graphic()).take(255).collect();
        if clean.is_empty() {
            "-".into()
        } else {
            clean
        }
    }
}

/// 1-based line number of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_example_and_resolves_paths() {
        let c = Config::parse(
            r#"
state_dir = "state"
policy_file = "policy.json"
[[servers]]
addr = "127.0.0.1:514"
transport = "udp"
[[files]]
path = "/var/log/vsftpd.log"
service = "vsftpd"
[redis]
addr = "127.0.0.1:6379"
password = "pw"
[firewall]
table = "jhsy"
remove_rules_on_stop = true
black_ttl = "30m"
"#,
            Path::new("/etc/jhsy/agent.toml"),
        )
        .unwrap();
        assert_eq!(c.state_dir, PathBuf::from("/etc/jhsy/state"));
        assert_eq!(c.policy_file.unwrap(), PathBuf::from("/etc/jhsy/policy.json"));
        assert_eq!(c.servers[0].transport, Transport::Udp);
        assert_eq!(c.firewall.black_ttl, Duration::from_secs(1800));
    }

    #[test]
    fn errors_carry_file_and_line() {
        let e = Config::parse("state_dir = \"x\"\n\n[firewall]\ntabel = \"x\"\n", Path::new("a.toml")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("a.toml:4: "), "{s}");
        let e = Config::parse(
            "[[files]]\npath = \"/x\"\nservice = \"has space\"\n",
            Path::new("a.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("files[0].service"), "{e}");
        let e = Config::parse("[firewall]\ntable = \"x; flush ruleset\"\n", Path::new("a.toml")).unwrap_err();
        assert!(e.to_string().contains("firewall.table"), "{e}");
    }
}
