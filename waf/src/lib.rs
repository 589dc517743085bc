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
//! - Site files embed [`WafSiteSettings`] (paranoia, threshold, exclusions, inspect_body_limit) and build the
//!   site's policy once with [`SitePolicy::compile`].
//!
//! How a request is inspected (see `engine.rs`): allowlists (IP, URL) first, then IP denylists, protocol checks
//! and rate limits; then every value of the request (method, path, query, each argument — query,
//! urlencoded, multipart, JSON at any depth, XML — cookies, headers, raw bodies) goes through the rule groups of
//! its target, one group per transform chain ([`transform`]), each with one `RegexSet`, one Aho-Corasick
//! automaton and the libinjection rules. [`prefilter`] keeps ordinary values cheap: patterns that need special
//! characters are skipped for plain values, and sets are gated by literals every match must contain. Rules
//! that fire add their score; the request is an attack when the score reaches the site's threshold.
#![forbid(unsafe_code)]

mod body;
mod clean_cache;
pub mod cli;
mod compile;
pub mod decode;
mod engine;
mod gate;
mod gate_literals;
mod policy;
pub mod prefilter;
mod query_steps;
mod rate;
mod required_bytes;
mod rule_file;
mod target;
pub mod transform;

pub use body::{extract as extract_body, kind_of as body_kind, BodyKind, BodyResume, DelimiterSkip, LineDelimiter};
pub use engine::Engine;
pub use policy::{ExclusionSettings, SitePolicy, WafSiteSettings, DEFAULT_INSPECT_BODY_LIMIT};
pub use rate::RateLimiter;
pub use rule_file::{Action, Check, Detect, LibinjectionKind, RuleDef, Severity};
pub use target::{Field, TargetKind};

use std::net::IpAddr;
use std::path::PathBuf;

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
    /// Where `body` starts in the whole body: on a second pass that resumes at the first pass's
    /// [`Verdict::body_resume`] instead of going over its bytes again, non-zero.
    pub body_offset: usize,
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
    /// For a body seen only in part (`body_complete` false): where in the body a second pass over the rest must
    /// start so that the two passes together see every field; `None` when the rest needs no inspection (binary
    /// types) or the body was not looked at (allowlisted request).
    pub body_resume: Option<BodyResume>,
}

impl Verdict {
    /// The id of the rule that best explains the verdict (highest score, first on ties).
    pub fn primary_rule(&self) -> Option<u32> {
        self.matches.iter().max_by_key(|m| m.score).map(|m| m.id)
    }
}
