//! Attack events: one observed offence (a WAF rule hit, a failed FTP login, a touched honeypot), batched to the
//! manager's `POST /api/v1/events` as evidence for the attack log and per-IP timeline.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub src_ip: String,
    /// `http`, `ftp`, `ssh`, `mysql`, `redis`, `rsync`, `mongodb`, …
    pub service: String,
    /// `waf_match`, `auth_failure`, `user_enum`, `dangerous_command`, …
    pub kind: String,
    /// Rule id or scenario name.
    #[serde(default)]
    pub rule: String,
    /// Site name (gateway) or host name (server/agent) where it was seen.
    #[serde(default)]
    pub site: String,
    /// `Host` header or service host.
    #[serde(default)]
    pub host: String,
    /// The log line or matched request part, truncated by the producer.
    #[serde(default)]
    pub evidence: String,
    /// Set when the event came from a honeypot-mode host or a sandbox.
    #[serde(default)]
    pub honeypot: bool,
}

/// Body of `POST /api/v1/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub events: Vec<Event>,
}
