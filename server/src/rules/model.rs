//! The typed form of one rule file; this is the reference for its keys.

use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

/// One file: one detector (a daemon such as `vsftpd`) and optional counting scenarios.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileModel {
    /// Detector name, used by `server replay --service NAME` (`sshd`, `vsftpd`, …).
    pub name: String,
    /// Service reported in events and decisions (`ssh`, `ftp`, `mysql`, …).
    pub service: String,
    /// Syslog program names (tags) this detector reads. A tag matches when equal or when it starts with the
    /// name followed by `-`, `(` or `_` (`sshd-session`, `vsftpd(pam_unix)`).
    #[serde(default)]
    pub programs: Vec<String>,
    /// Other names accepted by `--service`.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleModel>,
    #[serde(default, rename = "scenario")]
    pub scenarios: Vec<ScenarioModel>,
}

/// What a matching line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Emit an event (source from `src_ip`, else from the line's session). Drops the session's pending event,
    /// since this line reports the same attempt.
    #[default]
    Event,
    /// Keep the event pending on the session; a later `release` line emits it (sshd's PAM failure followed by
    /// `Accepted`, MongoDB < 4.4 `Failed to authenticate` followed by `end connection <ip>`).
    Pending,
    /// Emit the session's pending event, if any, attributed to this line.
    Release,
    /// Only remember the session's source address (`Connection from <ip>`).
    Remember,
}

/// Which lines belong to the same session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SessionKey {
    /// Host + program + syslog pid (the `[pid N]` of a bare vsftpd line is not used).
    #[default]
    Pid,
    /// Host + the rule's `sid` named capture (`[conn5]`).
    Capture,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleModel {
    pub id: Spanned<String>,
    /// `auth_failure`, `user_enum`, `module_listing`, `upload`, `download`, `dangerous_command`, …
    pub kind: String,
    /// Regex over the message (after the syslog header). Named captures: `src_ip` (address or `[v6]`;
    /// `::ffff:` is folded), `user`, `sid` (session id). The whole line is evidence.
    pub regex: Spanned<String>,
    #[serde(default)]
    pub action: Action,
    #[serde(default)]
    pub session: SessionKey,
    /// Emit only when the line comes from a honeypot or sandbox host; elsewhere behave as `remember`
    /// (connection lines: harmless on a real host, hostile on a trap).
    #[serde(default)]
    pub honeypot_only: bool,
    #[serde(default)]
    pub description: String,
}

/// A leaky bucket per source address over this service's events (CrowdSec's `leaky` scenario).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioModel {
    pub id: Spanned<String>,
    /// Services whose events pour into it; default: this file's service.
    #[serde(default)]
    pub services: Vec<String>,
    /// Event kinds that pour; empty means all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Events the bucket holds; the next one overflows. 0 = every event overflows at once.
    pub capacity: u32,
    /// Time for one event to leak out.
    #[serde(with = "humantime_serde")]
    pub leak: Duration,
    /// Count only distinct values of this capture (`user`): user enumeration.
    #[serde(default)]
    pub distinct: Option<String>,
    /// How long the decision lasts.
    #[serde(with = "humantime_serde", default = "default_ttl")]
    pub ttl: Duration,
    /// After an overflow the same source cannot overflow this scenario again for this long; default `ttl`.
    #[serde(with = "humantime_serde", default)]
    pub blackhole: Option<Duration>,
}

fn default_ttl() -> Duration {
    Duration::from_secs(4 * 3600)
}
