//! Compiles parsed rules into matcher groups: one group per (target, transform chain), holding one `RegexSet`,
//! one Aho-Corasick automaton and the libinjection rules of that group. Everything is built once at load.

use std::collections::{BTreeMap, HashMap, HashSet};

use aho_corasick::AhoCorasick;
use ipnet::IpNet;
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::rule_file::{Action, Check, Detect, LibinjectionKind, LocatedRule, RateDef};
use crate::target::TargetKind;
use crate::transform::Transform;
use crate::RuleError;

/// Size limits for compiled regexes: generous, since rule files are trusted configuration.
const REGEX_SIZE_LIMIT: usize = 64 << 20;
const DFA_SIZE_LIMIT: usize = 64 << 20;

/// One rule after compilation (the matcher lives in its groups).
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: u32,
    pub msg: String,
    pub tags: Vec<String>,
    pub score: u32,
    pub paranoia: u8,
    pub action: Action,
}

/// Matchers for one (target, transform chain).
#[derive(Debug)]
pub struct Group {
    pub chain: usize,
    pub set: Option<RegexSet>,
    /// Rule index and the single regex (to extract the matched text) per pattern of `set`.
    pub set_rules: Vec<(usize, Regex)>,
    pub negated: Vec<(usize, Regex)>,
    pub literals: Option<AhoCorasick>,
    pub literal_rules: Vec<usize>,
    pub sqli: Vec<usize>,
    pub xss: Vec<usize>,
}

/// Groups for every target, split by name filter.
#[derive(Debug, Default)]
pub struct Groups {
    pub by_kind: BTreeMap<TargetKind, Vec<Group>>,
    /// `header:NAME` groups, by lower-case header name.
    pub by_header: HashMap<Vec<u8>, Vec<Group>>,
    /// `args:NAME` groups, by argument name.
    pub by_arg: HashMap<Vec<u8>, Vec<Group>>,
}

impl Groups {
    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty() && self.by_header.is_empty() && self.by_arg.is_empty()
    }
}

/// The whole compiled rule set.
#[derive(Debug, Default)]
pub struct Compiled {
    pub rules: Vec<CompiledRule>,
    pub chains: Vec<Vec<Transform>>,
    /// Allowlist matchers, run before anything else.
    pub allow: Groups,
    pub main: Groups,
    pub ip_rules: Vec<(usize, Vec<IpNet>)>,
    pub rate_rules: Vec<(usize, RateDef)>,
    pub checks: Vec<(usize, Check)>,
}

#[derive(Default)]
struct GroupBuilder {
    regexes: Vec<(usize, String)>,
    negated: Vec<(usize, Regex)>,
    literals: Vec<(usize, String)>,
    sqli: Vec<usize>,
    xss: Vec<usize>,
}

fn regex_error(r: &LocatedRule, e: &regex::Error) -> RuleError {
    let text = e.to_string();
    let hint = if text.contains("look-around") || text.contains("backreferences") {
        " (look-around and backreferences need backtracking; rules must run in linear time)"
    } else {
        ""
    };
    RuleError {
        file: r.file.clone(),
        line: r.line,
        message: format!("rule {}: invalid regex{hint}: {text}", r.def.id),
    }
}

fn build_regex(p: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(p)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

/// Compiles located rules; returns every error found.
pub fn compile(rules: Vec<LocatedRule>) -> Result<Compiled, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut out = Compiled::default();
    let mut seen: HashMap<u32, (std::path::PathBuf, usize)> = HashMap::new();
    // (allow?, kind, name filter, chain) -> builder
    type Key = (bool, TargetKind, Option<Vec<u8>>, usize);
    let mut builders: BTreeMap<Key, GroupBuilder> = BTreeMap::new();
    for r in &rules {
        let d = &r.def;
        let err = |message: String| RuleError {
            file: r.file.clone(),
            line: r.line,
            message,
        };
        if let Some((f, l)) = seen.get(&d.id) {
            errors.push(err(format!(
                "duplicate rule id {} (first defined at {}:{l})",
                d.id,
                f.display()
            )));
            continue;
        }
        seen.insert(d.id, (r.file.clone(), r.line));
        if !(1..=4).contains(&d.paranoia) {
            errors.push(err(format!("rule {}: paranoia must be 1..=4", d.id)));
            continue;
        }
        let idx = out.rules.len();
        let needs_targets = matches!(
            d.detect,
            Detect::Regex(_) | Detect::Literals(_) | Detect::Libinjection(_)
        );
        let mut targets = Vec::new();
        for t in &d.targets {
            match TargetKind::parse(t) {
                Some(k) => targets.push(k),
                None => errors.push(err(format!("rule {}: unknown target {t:?}", d.id))),
            }
        }
        if needs_targets && d.targets.is_empty() {
            errors.push(err(format!("rule {}: `targets` is required for this detector", d.id)));
            continue;
        }
        let chain = match out.chains.iter().position(|c| *c == d.transforms) {
            Some(c) => c,
            None => {
                out.chains.push(d.transforms.clone());
                out.chains.len() - 1
            }
        };
        let allow = d.action == Action::Allow;
        let mut ok = true;
        match &d.detect {
            Detect::Regex(p) => match build_regex(p) {
                Ok(re) => {
                    for (k, name) in &targets {
                        let b = builders
                            .entry((allow, *k, name.as_ref().map(|n| n.as_bytes().to_vec()), chain))
                            .or_default();
                        if d.negate {
                            b.negated.push((idx, re.clone()));
                        } else {
                            b.regexes.push((idx, p.clone()));
                        }
                    }
                }
                Err(e) => {
                    errors.push(regex_error(r, &e));
                    ok = false;
                }
            },
            Detect::Literals(list) => {
                if list.is_empty() || list.iter().any(String::is_empty) {
                    errors.push(err(format!("rule {}: literals must be non-empty strings", d.id)));
                    ok = false;
                }
                for (k, name) in &targets {
                    let b = builders
                        .entry((allow, *k, name.as_ref().map(|n| n.as_bytes().to_vec()), chain))
                        .or_default();
                    b.literals.extend(list.iter().map(|l| (idx, l.clone())));
                }
            }
            Detect::Libinjection(kind) => {
                for (k, name) in &targets {
                    let b = builders
                        .entry((allow, *k, name.as_ref().map(|n| n.as_bytes().to_vec()), chain))
                        .or_default();
                    match kind {
                        LibinjectionKind::Sqli => b.sqli.push(idx),
                        LibinjectionKind::Xss => b.xss.push(idx),
                    }
                }
            }
            Detect::Ip(nets) => out.ip_rules.push((idx, nets.clone())),
            Detect::Rate(rate) => {
                if rate.requests == 0 || rate.window.is_zero() {
                    errors.push(err(format!(
                        "rule {}: rate needs requests > 0 and a non-zero window",
                        d.id
                    )));
                    ok = false;
                }
                out.rate_rules.push((idx, rate.clone()));
            }
            Detect::Check(c) => out.checks.push((idx, *c)),
        }
        if !ok {
            continue;
        }
        out.rules.push(CompiledRule {
            id: d.id,
            msg: d.msg.clone(),
            tags: d.tags.clone(),
            score: d.score.unwrap_or_else(|| d.severity.score()),
            paranoia: d.paranoia,
            action: d.action,
        });
    }
    for ((allow, kind, name, chain), b) in builders {
        let group = match build_group(chain, b) {
            Ok(g) => g,
            Err(e) => {
                errors.push(RuleError {
                    file: "<rules>".into(),
                    line: 0,
                    message: format!("regex set: {e}"),
                });
                continue;
            }
        };
        let groups = if allow { &mut out.allow } else { &mut out.main };
        match (kind, name) {
            (TargetKind::HeaderValue, Some(n)) => groups.by_header.entry(n).or_default().push(group),
            (TargetKind::ArgValue, Some(n)) => groups.by_arg.entry(n).or_default().push(group),
            (k, _) => groups.by_kind.entry(k).or_default().push(group),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn build_group(chain: usize, b: GroupBuilder) -> Result<Group, String> {
    let set = if b.regexes.is_empty() {
        None
    } else {
        let set = RegexSetBuilder::new(b.regexes.iter().map(|(_, p)| p.as_str()))
            .size_limit(REGEX_SIZE_LIMIT * 4)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map_err(|e| e.to_string())?;
        Some(set)
    };
    let mut set_rules = Vec::with_capacity(b.regexes.len());
    for (idx, p) in &b.regexes {
        set_rules.push((*idx, build_regex(p).map_err(|e| e.to_string())?));
    }
    let mut dedup = HashSet::new();
    let literals: Vec<(usize, String)> = b.literals.into_iter().filter(|l| dedup.insert(l.clone())).collect();
    let ac = if literals.is_empty() {
        None
    } else {
        Some(AhoCorasick::new(literals.iter().map(|(_, l)| l.as_bytes())).map_err(|e| e.to_string())?)
    };
    Ok(Group {
        chain,
        set,
        set_rules,
        negated: b.negated,
        literals: ac,
        literal_rules: literals.into_iter().map(|(i, _)| i).collect(),
        sqli: b.sqli,
        xss: b.xss,
    })
}
