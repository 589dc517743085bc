//! WAF detection engine: loads rule files, inspects one request and returns a verdict. Independent of the proxy,
//! so the gateway, `gateway waf-eval` and the benchmarks all run the same code.
//!
//! API contract used by the gateway (keep these names and shapes; extend freely):
//! - [`Engine::load_dir`] compiles every `*.toml` rule file of a directory, or returns every error as
//!   `file:line: message`.
//! - [`Engine::evaluate`] inspects a [`RequestView`] under a site's [`SitePolicy`] and returns a [`Verdict`].
//! - [`RateLimiter`] holds CC (per IP+URI request-rate) counters; it is owned by the caller so counters survive a
//!   rule reload.
//! - [`cli`] holds the `gateway waf-eval` and `gateway rules import` sub-commands.
#![forbid(unsafe_code)]

pub mod cli;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// One rule-loading error, printed as `file:line: message`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct RuleError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// What the engine sees of one request. Borrowed from the proxy's own buffers: building one allocates nothing
/// but the header slice.
#[derive(Debug, Clone)]
pub struct RequestView<'a> {
    pub method: &'a str,
    /// Request target exactly as received (origin form: path and query, percent-encoding untouched).
    pub uri: &'a str,
    /// Every request header in arrival order (names lower-case).
    pub headers: &'a [(&'a str, &'a [u8])],
    pub client_ip: IpAddr,
    /// The part of the body available now (possibly empty).
    pub body: &'a [u8],
    /// True when `body` is the whole body.
    pub body_complete: bool,
    /// True on the second pass over a large body: only body targets are inspected.
    pub body_only: bool,
}

/// Per-site engine settings, compiled once when the site file loads.
#[derive(Debug, Clone)]
pub struct SitePolicy {
    pub paranoia: u8,
    pub threshold: u32,
}

impl Default for SitePolicy {
    fn default() -> Self {
        SitePolicy {
            paranoia: 1,
            threshold: 5,
        }
    }
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    pub id: u32,
    pub msg: String,
    pub score: u32,
    /// Which part of the request matched (`ARGS:id`, `REQUEST_HEADERS:user-agent`, …).
    pub target: String,
    /// The matched value, truncated for the log.
    pub value: String,
}

/// The engine's answer for one request.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// An allowlist rule (IP or URL) matched: pass, and never mark this client.
    pub allowlisted: bool,
    /// The summed score of the rules that fired reached the site's threshold (or a deny rule fired).
    pub attack: bool,
    pub score: u32,
    pub matches: Vec<RuleMatch>,
}

impl Verdict {
    /// The id of the rule that best explains the verdict (highest score, first on ties).
    pub fn primary_rule(&self) -> Option<u32> {
        self.matches.iter().max_by_key(|m| m.score).map(|m| m.id)
    }
}

/// Per client IP + URI request counters for rate-limit rules.
#[derive(Debug, Default)]
pub struct RateLimiter {}

/// A compiled rule set.
#[derive(Debug, Default)]
pub struct Engine {}

impl Engine {
    /// Loads and compiles every `*.toml` file in `dir`.
    pub fn load_dir(_dir: &Path) -> Result<Engine, Vec<RuleError>> {
        Ok(Engine {})
    }

    /// Inspects one request.
    pub fn evaluate(&self, _req: &RequestView<'_>, _site: &SitePolicy, _rate: &RateLimiter) -> Verdict {
        Verdict::default()
    }

    /// Number of rules loaded.
    pub fn rule_count(&self) -> usize {
        0
    }
}
