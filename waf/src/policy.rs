//! Per-site engine settings: the serde table a site file embeds ([`WafSiteSettings`]) and its compiled form
//! ([`SitePolicy`]), including rule exclusions for tuning false positives.

use ipnet::IpNet;
use regex::Regex;
use serde::Deserialize;

use crate::compile::CompiledRule;
use crate::target::TargetKind;

/// Default body inspection limit: 1 MiB.
pub const DEFAULT_INSPECT_BODY_LIMIT: usize = 1 << 20;

/// Site-file settings of the engine (embed these fields in the site's `[waf]` table).
///
/// ```toml
/// paranoia = 1
/// threshold = 5
/// inspect_body_limit = 1048576
/// [[waf.exclusions]]
/// rules = [942100]          # and/or tags = ["sqli"]; neither = every rule
/// path_prefix = "/editor/"  # optional conditions, all must hold:
/// path_regex = "^/api/v[0-9]+/notes$"
/// client = ["10.0.0.0/8"]
/// arg = "content"           # optional scope: only this argument (or `header = "referer"`)
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WafSiteSettings {
    #[serde(default = "default_paranoia")]
    pub paranoia: u8,
    #[serde(default = "default_threshold")]
    pub threshold: u32,
    #[serde(default)]
    pub exclusions: Vec<ExclusionSettings>,
    /// Bytes of request body inspected (the rest is forwarded uninspected).
    #[serde(default = "default_limit")]
    pub inspect_body_limit: usize,
}

fn default_paranoia() -> u8 {
    1
}
fn default_threshold() -> u32 {
    5
}
fn default_limit() -> usize {
    DEFAULT_INSPECT_BODY_LIMIT
}

impl Default for WafSiteSettings {
    fn default() -> Self {
        WafSiteSettings {
            paranoia: 1,
            threshold: 5,
            exclusions: Vec::new(),
            inspect_body_limit: DEFAULT_INSPECT_BODY_LIMIT,
        }
    }
}

/// One exclusion as written in a site file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExclusionSettings {
    #[serde(default)]
    pub rules: Vec<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub path_prefix: Option<String>,
    pub path_regex: Option<String>,
    #[serde(default)]
    pub client: Vec<IpNet>,
    /// Only for this argument name (query, form, JSON key, multipart field).
    pub arg: Option<String>,
    /// Only for this request header (case-insensitive).
    pub header: Option<String>,
}

/// A compiled exclusion.
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub rules: Vec<u32>,
    pub tags: Vec<String>,
    pub path_prefix: Option<String>,
    pub path_regex: Option<Regex>,
    pub client: Vec<IpNet>,
    pub arg: Option<Vec<u8>>,
    pub header: Option<Vec<u8>>,
}

impl Exclusion {
    /// True when the request-level conditions (path, client) hold.
    pub fn applies(&self, path: &str, ip: std::net::IpAddr) -> bool {
        self.path_prefix.as_ref().is_none_or(|p| path.starts_with(p.as_str()))
            && self.path_regex.as_ref().is_none_or(|r| r.is_match(path))
            && (self.client.is_empty() || self.client.iter().any(|n| n.contains(&ip)))
    }

    /// True when this (already applying) exclusion removes `rule` for a value of `kind` named `name`.
    pub fn removes(&self, rule: &CompiledRule, kind: TargetKind, name: &[u8]) -> bool {
        let rule_hit = (self.rules.is_empty() && self.tags.is_empty())
            || self.rules.contains(&rule.id)
            || self.tags.iter().any(|t| rule.tags.iter().any(|rt| rt == t));
        if !rule_hit {
            return false;
        }
        if let Some(a) = &self.arg {
            return matches!(kind, TargetKind::ArgName | TargetKind::ArgValue | TargetKind::FileName)
                && name == a.as_slice();
        }
        if let Some(h) = &self.header {
            return matches!(kind, TargetKind::HeaderName | TargetKind::HeaderValue) && name.eq_ignore_ascii_case(h);
        }
        true
    }
}

/// Per-site engine settings, compiled once when the site file loads.
#[derive(Debug, Clone)]
pub struct SitePolicy {
    pub paranoia: u8,
    pub threshold: u32,
    pub exclusions: Vec<Exclusion>,
    pub inspect_body_limit: usize,
}

impl Default for SitePolicy {
    fn default() -> Self {
        SitePolicy {
            paranoia: 1,
            threshold: 5,
            exclusions: Vec::new(),
            inspect_body_limit: DEFAULT_INSPECT_BODY_LIMIT,
        }
    }
}

impl SitePolicy {
    /// Compiles site settings; the error names the bad field (the caller adds file and line).
    pub fn compile(s: &WafSiteSettings) -> Result<SitePolicy, String> {
        if !(1..=4).contains(&s.paranoia) {
            return Err(format!("paranoia must be 1..=4, got {}", s.paranoia));
        }
        if s.threshold == 0 {
            return Err("threshold must be at least 1".into());
        }
        let mut exclusions = Vec::with_capacity(s.exclusions.len());
        for (n, e) in s.exclusions.iter().enumerate() {
            let path_regex = match &e.path_regex {
                Some(p) => Some(Regex::new(p).map_err(|err| format!("exclusions[{n}].path_regex: {err}"))?),
                None => None,
            };
            if e.arg.is_some() && e.header.is_some() {
                return Err(format!("exclusions[{n}]: give `arg` or `header`, not both"));
            }
            exclusions.push(Exclusion {
                rules: e.rules.clone(),
                tags: e.tags.clone(),
                path_prefix: e.path_prefix.clone(),
                path_regex,
                client: e.client.clone(),
                arg: e.arg.as_ref().map(|a| a.as_bytes().to_vec()),
                header: e.header.as_ref().map(|h| h.to_ascii_lowercase().into_bytes()),
            });
        }
        Ok(SitePolicy {
            paranoia: s.paranoia,
            threshold: s.threshold,
            exclusions,
            inspect_body_limit: s.inspect_body_limit,
        })
    }
}
