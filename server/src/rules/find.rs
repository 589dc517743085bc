//! Matching one parsed message against the rule set: pick the detectors by program (or all of them for an
//! untagged line), run each detector's `RegexSet` once, and take the first matching rule in file order.

use super::compile::RuleSet;
use crate::syslog::Record;

/// A rule that matched, with its normalised captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub detector: usize,
    pub rule: usize,
    /// Canonical address (`::ffff:` folded) or, when the service logged only a name, that lower-cased name.
    pub src: Option<String>,
    pub user: Option<String>,
    pub sid: Option<String>,
    /// Other named captures (for `distinct`).
    pub fields: Vec<(String, String)>,
}

/// Normalises a captured source: `[v6]`, `::ffff:a.b.c.d`, trailing dot. Host names are kept (lower-cased) so
/// the event is reported; only addresses become decisions.
pub fn normalize_src(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('.');
    if let Some(ip) = protocol::ip::parse(s) {
        return Some(ip.to_string());
    }
    let host_like = !s.is_empty()
        && s.len() <= 253
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !s.starts_with('-');
    host_like.then(|| s.to_ascii_lowercase())
}

impl RuleSet {
    /// Detectors for a syslog program name: exact, then the basename, then the part before `-`, `(` or `_`.
    pub fn detectors_for_program(&self, program: &str) -> Option<&[usize]> {
        let lower;
        let mut p = program;
        if p.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = p.to_ascii_lowercase();
            p = &lower;
        }
        if let Some(v) = self.programs.get(p) {
            return Some(v);
        }
        if let Some(i) = p.rfind('/') {
            p = &p[i + 1..];
            if let Some(v) = self.programs.get(p) {
                return Some(v);
            }
        }
        let cut = p.find(['-', '(', '_']).map(|i| &p[..i])?;
        self.programs.get(cut).map(Vec::as_slice)
    }

    /// A detector by name, alias, service or program (for `--service`).
    pub fn detector_by_name(&self, name: &str) -> Option<usize> {
        let d = &self.detectors;
        d.iter()
            .position(|x| x.name.eq_ignore_ascii_case(name))
            .or_else(|| {
                d.iter()
                    .position(|x| x.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
            })
            .or_else(|| self.detectors_for_program(name).and_then(|v| v.first().copied()))
            .or_else(|| d.iter().position(|x| x.service.eq_ignore_ascii_case(name)))
    }

    /// Matches a message. `only` forces one detector (a file whose lines carry no tag); otherwise the line's
    /// program chooses, and an untagged or unknown program tries every detector when `untagged_all`.
    pub fn find(&self, rec: &Record<'_>, only: Option<usize>, untagged_all: bool) -> Option<Hit> {
        if let Some(d) = only {
            return self.find_in(d, rec.msg);
        }
        match rec.program.and_then(|p| self.detectors_for_program(p)) {
            Some(ds) => ds.iter().find_map(|&d| self.find_in(d, rec.msg)),
            None if untagged_all => (0..self.detectors.len()).find_map(|d| self.find_in(d, rec.msg)),
            None => None,
        }
    }

    fn find_in(&self, d: usize, msg: &str) -> Option<Hit> {
        let det = self.detectors.get(d)?;
        let matches = det.set.matches(msg);
        if !matches.matched_any() {
            return None;
        }
        for r in matches.iter() {
            let rule = &det.rules[r];
            let Some(caps) = rule.regex.captures(msg) else { continue };
            let src = match caps.name("src_ip") {
                Some(m) => match normalize_src(m.as_str()) {
                    Some(s) => Some(s),
                    None => continue,
                },
                None => None,
            };
            return Some(Hit {
                detector: d,
                rule: r,
                src,
                user: caps.name("user").map(|m| m.as_str().to_string()),
                sid: caps.name("sid").map(|m| m.as_str().to_string()),
                fields: rule
                    .regex
                    .capture_names()
                    .flatten()
                    .filter(|n| !matches!(*n, "src_ip" | "user" | "sid"))
                    .filter_map(|n| caps.name(n).map(|m| (n.to_string(), m.as_str().to_string())))
                    .collect(),
            });
        }
        None
    }
}
