//! The TOML rule-file format. One file holds any number of `[[rule]]` tables:
//!
//! ```toml
//! [[rule]]
//! id = 942100                      # stable numeric id, unique across the rule directory
//! msg = "SQL injection (libinjection fingerprint)"
//! tags = ["sqli"]                  # first tag is the family; exclusions may name any tag
//! severity = "critical"            # critical=5 error=4 warning=3 notice=2 (or `score = N`)
//! paranoia = 1                     # enabled when the site's paranoia level is >= this
//! targets = ["args", "args_names", "cookies", "header:user-agent"]
//! transforms = ["url_decode", "html_entity_decode", "lowercase"]
//! action = "score"                 # score (default) | deny (attack whatever the score) | allow (allowlist)
//! detect = { libinjection = "sqli" }
//! ```
//!
//! Detectors: `{ regex = "…" }` (linear-time `regex` crate syntax; `negate = true` fires when it does *not*
//! match), `{ literals = ["…", …] }` (substring set), `{ libinjection = "sqli" | "xss" }`, `{ ip = ["CIDR", …] }`
//! (client address), `{ rate = { requests = 10, window = "60s" } }` (per client IP + path) and
//! `{ check = "cl_and_te" | "invalid_transfer_encoding" | "invalid_content_length" | "session_fixation" |
//! "multipart_without_boundary" | "body_on_get_or_head" | "conflicting_singleton_headers" |
//! "too_many_query_args" }` (protocol checks).

use std::path::Path;
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

use crate::transform::Transform;
use crate::RuleError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RuleDef>>,
}

/// Severity names and their anomaly scores (CRS values).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Critical,
    Error,
    Warning,
    Notice,
}

impl Severity {
    pub fn score(self) -> u32 {
        match self {
            Severity::Critical => 5,
            Severity::Error => 4,
            Severity::Warning => 3,
            Severity::Notice => 2,
        }
    }
}

/// What a firing rule does.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Adds the rule's score to the request's anomaly score.
    #[default]
    Score,
    /// Marks the request as an attack whatever the score (denylists).
    Deny,
    /// Allowlist: the request passes and its client is never marked.
    Allow,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LibinjectionKind {
    Sqli,
    Xss,
}

/// Built-in protocol checks.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Both `Content-Length` and `Transfer-Encoding` present (request smuggling sign).
    ClAndTe,
    /// `Transfer-Encoding` other than a plain `chunked` (obfuscated or repeated codings).
    InvalidTransferEncoding,
    /// `Content-Length` not a plain decimal number, or several differing values.
    InvalidContentLength,
    /// A session-id parameter (`jsessionid`, `phpsessid` …) while the Referer is missing or names another host:
    /// someone hands the victim a session id in a link or a cross-site form. Generic names (`sessionId`,
    /// `session_id`) count in the query and form bodies only, since apps post them in JSON with no Referer.
    SessionFixation,
    /// A `multipart/*` Content-Type without a `boundary` parameter: the body cannot be parsed as sent, so
    /// backends and the WAF would disagree about it.
    MultipartWithoutBoundary,
    /// `Content-Type` or `Host` given twice with different values: the WAF reads the first, a backend or framework
    /// may read the last, and parse the body or route the request differently from what was inspected.
    ConflictingSingletonHeaders,
    /// A GET or HEAD request that announces a body (`Content-Length` other than 0, or any `Transfer-Encoding`).
    /// Neither method has body semantics, so servers and caches in the chain disagree on where the next request
    /// starts (CL.0 desync, cache poisoning).
    BodyOnGetOrHead,
    /// 255 or more `&` in the query string (CRS 920380's limit): a count, where the equivalent regex cost every
    /// query string a run of a 255-step automaton.
    TooManyQueryArgs,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateDef {
    pub requests: u32,
    #[serde(with = "humantime_serde")]
    pub window: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Detect {
    Regex(String),
    Literals(Vec<String>),
    Libinjection(LibinjectionKind),
    Ip(Vec<IpNet>),
    Rate(RateDef),
    Check(Check),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: u32,
    pub msg: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub severity: Severity,
    pub score: Option<u32>,
    #[serde(default = "one")]
    pub paranoia: u8,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub transforms: Vec<Transform>,
    #[serde(default)]
    pub action: Action,
    #[serde(default)]
    pub negate: bool,
    pub detect: Detect,
}

fn one() -> u8 {
    1
}

/// A parsed rule with where it came from.
#[derive(Debug, Clone)]
pub struct LocatedRule {
    pub def: RuleDef,
    pub file: std::path::PathBuf,
    pub line: usize,
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one rule file's text.
pub fn parse(file: &Path, text: &str) -> Result<Vec<LocatedRule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError {
        file: file.to_path_buf(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    Ok(parsed
        .rule
        .into_iter()
        .map(|s| {
            let line = line_of(text, s.span().start);
            LocatedRule {
                def: s.into_inner(),
                file: file.to_path_buf(),
                line,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_with_lines() {
        let text = "\n[[rule]]\nid = 1\nmsg = \"x\"\ntargets = [\"args\"]\ndetect = { regex = \"a+\" }\n\n[[rule]]\nid = 2\nmsg = \"y\"\naction = \"deny\"\ndetect = { ip = [\"10.0.0.0/8\"] }\n";
        let rules = parse(Path::new("r.toml"), text).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].line, 2);
        assert_eq!(rules[1].line, 8);
        assert_eq!(rules[1].def.action, Action::Deny);
    }

    #[test]
    fn errors_carry_line() {
        let text = "[[rule]]\nid = 1\nmsg = \"x\"\nbogus = 3\ndetect = { regex = \"a\" }\n";
        let e = parse(Path::new("r.toml"), text).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.to_string().starts_with("r.toml:4: "), "{e}");
    }
}
