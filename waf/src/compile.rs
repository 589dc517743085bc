//! Compiles parsed rules into matcher groups: one group per (target, transform chain), holding one `RegexSet`,
//! one Aho-Corasick automaton and the libinjection rules of that group. Everything is built once at load.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aho_corasick::AhoCorasick;
use ipnet::IpNet;
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::gate::Gate;
use crate::gate_literals::{bounds_at, required_literals, GateLit, LEFT, RIGHT};
use crate::prefilter;
use crate::required_bytes::required_bytes;
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

/// One `RegexSet` with, per pattern, the rule index and the single regex (to extract the matched text).
#[derive(Debug)]
pub struct Set {
    pub set: RegexSet,
    pub rules: Vec<(usize, Regex)>,
    /// For a set no literal gates: bytes one of which a value needs for any of its patterns to match (see
    /// [`crate::required_bytes`]).
    pub needs: Option<Box<[bool; 256]>>,
}

/// Matchers for one (target, transform chain).
#[derive(Debug)]
pub struct Group {
    pub chain: usize,
    /// Patterns that can match plain values (see [`crate::prefilter`]): `[gated, always run]`.
    pub any: [Option<Set>; 2],
    /// Patterns that need a non-plain byte, skipped for plain values: `[gated, always run]`.
    pub special: [Option<Set>; 2],
    /// Required literals of the gated sets with their bit (1: `any[0]`, 2: `special[0]`); compiled into the
    /// list's gate.
    pub gate_lits: Vec<(GateLit, u8)>,
    /// Required literals of `any[0]` (for the list-level plain gate).
    pub plain_lits: Vec<GateLit>,
    pub negated: Vec<(usize, Regex)>,
    pub literals: Option<AhoCorasick>,
    pub literal_rules: Vec<usize>,
    pub sqli: Vec<usize>,
    pub xss: Vec<usize>,
}

/// The groups one value goes through (one per transform chain), with a whole-list gate for plain values: a
/// plain value (see [`crate::prefilter`]) is only transformed and matched when `plain_always` is set or
/// `plain_gate` finds one of the required literals of the list's plain-capable patterns (or libinjection
/// might fire).
#[derive(Debug, Default)]
pub struct GroupList {
    pub groups: Vec<Group>,
    pub plain_gate: Option<Gate>,
    /// Per `plain_gate` pattern: the word boundaries ([`crate::gate_literals`]) a hit needs to count.
    plain_bounds: Vec<u8>,
    /// All gated sets' required literals of the list in one automaton (case-insensitive, overlapping
    /// matches): `gate_bits[pattern][bounds]` has bit `2 * group` for the group's `any[0]` and `2 * group + 1`
    /// for its `special[0]`, for the literals that need the word boundaries `bounds`. Chains that leave a value
    /// unchanged share one scan.
    pub gate: Option<Gate>,
    gate_bits: Vec<[u64; 4]>,
    pub plain_always: bool,
    /// Some chain base64-decodes, which can turn a plain value into anything.
    pub base64: bool,
    pub sqli: bool,
    /// The distinct non-empty prefixes of the groups' chains, parents first: step `n` applies its transform
    /// to the value of step `parent` (the raw value when `None`). Chains share their decoding steps
    /// (`url_decode, utf8_fix, html_entity_decode …`), so a value is transformed once per distinct prefix
    /// instead of once per chain.
    pub steps: Vec<Step>,
    /// Per group: the step whose value its chain gives (`None`: the raw value).
    pub step_of: Vec<Option<usize>>,
}

/// One node of a [`GroupList`]'s transform prefixes.
#[derive(Debug)]
pub struct Step {
    pub parent: Option<usize>,
    pub transform: Transform,
}

impl GroupList {
    fn new(
        groups: Vec<Group>,
        chains: &[Vec<Transform>],
        chain_unplains: &[bool],
        shared: &mut Shared,
    ) -> Result<GroupList, String> {
        let plain_always = groups
            .iter()
            .any(|g| g.any[1].is_some() || !g.negated.is_empty() || g.literals.is_some());
        // A literal needed by several patterns counts wherever the least demanding of them allows. A literal
        // with a byte no plain value holds (`$bash`, `#context`, `::`) cannot occur in one, transformed or not:
        // 287 of the 2457 argument-value literals, and with them a fifth of the automaton's states.
        let mut plain: BTreeMap<&[u8], u8> = BTreeMap::new();
        for l in groups
            .iter()
            .flat_map(|g| &g.plain_lits)
            .filter(|l| prefilter::is_plain(&l.bytes))
        {
            *plain.entry(&l.bytes).or_insert(LEFT | RIGHT) &= l.bounds;
        }
        let plain_gate = if plain.is_empty() {
            None
        } else {
            Some(shared.automaton(plain.keys().map(|k| k.to_vec()).collect())?)
        };
        let mut all: BTreeMap<Vec<u8>, [u64; 4]> = BTreeMap::new();
        for (gi, g) in groups.iter().enumerate().take(32) {
            for (lit, bit) in &g.gate_lits {
                let mut mask = 0u64;
                if bit & 1 != 0 {
                    mask |= 1 << (2 * gi);
                }
                if bit & 2 != 0 {
                    mask |= 1 << (2 * gi + 1);
                }
                all.entry(lit.bytes.clone()).or_default()[lit.bounds as usize] |= mask;
            }
        }
        if groups.len() > 32 {
            return Err("more than 32 transform chains for one target".into());
        }
        let gate = if all.is_empty() {
            None
        } else {
            Some(shared.automaton(all.keys().cloned().collect())?)
        };
        let mut steps: Vec<Step> = Vec::new();
        let mut known: HashMap<(Option<usize>, Transform), usize> = HashMap::new();
        let step_of = groups
            .iter()
            .map(|g| {
                chains[g.chain].iter().fold(None, |parent, &transform| {
                    Some(*known.entry((parent, transform)).or_insert_with(|| {
                        steps.push(Step { parent, transform });
                        steps.len() - 1
                    }))
                })
            })
            .collect();
        Ok(GroupList {
            steps,
            step_of,
            gate,
            gate_bits: all.into_values().collect(),
            base64: groups.iter().any(|g| chain_unplains[g.chain]),
            plain_always,
            plain_gate,
            plain_bounds: plain.into_values().collect(),
            sqli: groups.iter().any(|g| !g.sqli.is_empty()),
            groups,
        })
    }

    /// True when the plain gate finds a literal of a plain-capable pattern in `v` with the word boundaries
    /// that pattern puts around it.
    pub fn plain_gate_hit(&self, v: &[u8]) -> bool {
        self.plain_gate.as_ref().is_some_and(|g| {
            g.scan(v, |pattern, start, end| {
                let need = self.plain_bounds[pattern];
                need == 0 || bounds_at(v, start, end) & need == need
            })
        })
    }

    /// The gate bits (see `gate`) that hits in `v` open, restricted to `mask`; stops once all of `mask` is open.
    pub fn gate_open(&self, v: &[u8], mask: u64) -> u64 {
        let Some(gate) = &self.gate else { return 0 };
        let mut open = 0u64;
        gate.scan(v, |pattern, start, end| {
            let bits = &self.gate_bits[pattern];
            open |= bits[0];
            if bits[1] | bits[2] | bits[3] != 0 {
                let found = bounds_at(v, start, end);
                for (need, b) in bits.iter().enumerate().skip(1) {
                    if found & need as u8 == need as u8 {
                        open |= b;
                    }
                }
            }
            open & mask == mask
        });
        open & mask
    }
}

/// One optional [`GroupList`] per [`TargetKind`], indexed by the kind: looked up for every value of every
/// request, where a map search showed in profiles.
#[derive(Debug, Default)]
pub struct ByKind(Vec<Option<GroupList>>);

impl ByKind {
    pub fn get(&self, kind: TargetKind) -> Option<&GroupList> {
        self.0.get(kind as usize).and_then(Option::as_ref)
    }

    fn insert(&mut self, kind: TargetKind, list: GroupList) {
        if self.0.len() <= kind as usize {
            self.0.resize_with(kind as usize + 1, || None);
        }
        self.0[kind as usize] = Some(list);
    }

    pub fn iter(&self) -> impl Iterator<Item = (TargetKind, &GroupList)> {
        TargetKind::ALL.into_iter().filter_map(|k| self.get(k).map(|l| (k, l)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// Groups for every target, split by name filter.
#[derive(Debug, Default)]
pub struct Groups {
    pub by_kind: ByKind,
    /// `header:NAME` groups, by lower-case header name. (Looked up for every header and argument of every
    /// request; the keys come from rule files, so an unkeyed hash cannot be flooded by clients.)
    pub by_header: HashMap<Vec<u8>, GroupList, prefilter::Fnv>,
    /// `args:NAME` groups, by argument name.
    pub by_arg: HashMap<Vec<u8>, GroupList, prefilter::Fnv>,
    /// Per step of the query's list, the request target's step that gives it as a tail (see
    /// [`crate::query_steps`]).
    pub query_in_uri: Option<Vec<usize>>,
}

impl Groups {
    /// The groups a value of `kind` named `name` goes through: a header's or argument's own list when it has
    /// one, the kind's list otherwise.
    pub fn list_for(&self, kind: TargetKind, name: &[u8]) -> Option<&GroupList> {
        let named = match kind {
            TargetKind::HeaderValue => self.by_header.get(name),
            TargetKind::ArgValue if !self.by_arg.is_empty() => self.by_arg.get(name),
            _ => None,
        };
        named.or_else(|| self.by_kind.get(kind))
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty() && self.by_header.is_empty() && self.by_arg.is_empty()
    }
}

/// The whole compiled rule set.
#[derive(Debug, Default)]
pub struct Compiled {
    pub rules: Vec<CompiledRule>,
    pub chains: Vec<Vec<Transform>>,
    /// Per chain: true when it can turn plain bytes into special ones (base64 decoding).
    pub chain_unplains: Vec<bool>,
    /// Allowlist matchers, run before anything else.
    pub allow: Groups,
    pub main: Groups,
    pub ip_rules: Vec<(usize, Vec<IpNet>)>,
    pub rate_rules: Vec<(usize, RateDef)>,
    pub checks: Vec<(usize, Check)>,
    pub sql_keywords: Option<prefilter::SqlKeywords>,
}

#[derive(Default, Clone)]
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

/// Compiled objects shared between target lists. A rule names several targets (`args`, `cookies`, `body` …) and
/// every target gets its own sets, so the same pattern, the same set of patterns and the same gate literals
/// would otherwise be compiled once per target: about ten times the memory and load time. Regexes, sets and
/// automata are reference-counted inside, so sharing is a clone.
#[derive(Default)]
struct Shared {
    regexes: HashMap<String, Regex>,
    sets: HashMap<Vec<String>, RegexSet>,
    automata: HashMap<Vec<Vec<u8>>, Gate>,
}

impl Shared {
    fn regex(&mut self, p: &str) -> Result<Regex, regex::Error> {
        if let Some(re) = self.regexes.get(p) {
            return Ok(re.clone());
        }
        let re = build_regex(p)?;
        self.regexes.insert(p.to_string(), re.clone());
        Ok(re)
    }

    /// A case-insensitive gate over `lits`.
    fn automaton(&mut self, lits: Vec<Vec<u8>>) -> Result<Gate, String> {
        if let Some(a) = self.automata.get(&lits) {
            return Ok(a.clone());
        }
        let a = Gate::new(&lits)?;
        self.automata.insert(lits, a.clone());
        Ok(a)
    }
}

/// Rule patterns match bytes in ASCII mode: `\w`, `\d`, `\s`, `\b` and `(?i)` are ASCII, `.` and negated
/// classes take any byte, a literal non-ASCII character matches its UTF-8 bytes, and `(?u:…)` turns Unicode
/// back on where a pattern needs it. Attack syntax is ASCII, and Unicode classes multiply the automata: the
/// default rules took about twice the memory with them.
pub(crate) fn rule_parser() -> regex_syntax::Parser {
    regex_syntax::ParserBuilder::new().utf8(false).unicode(false).build()
}

fn build_regex(p: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(p)
        .unicode(false)
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
    let mut shared = Shared::default();
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
            Detect::Regex(p) => match shared.regex(p) {
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
    match prefilter::SqlKeywords::new() {
        Ok(k) => out.sql_keywords = Some(k),
        Err(e) => errors.push(RuleError {
            file: "<libinjection>".into(),
            line: 0,
            message: e,
        }),
    }
    out.chain_unplains = out
        .chains
        .iter()
        .map(|c| c.contains(&Transform::Base64Decode))
        .collect();
    // A named header/argument is inspected by its own groups only, so fold the generic rules of its kind in.
    let named: BTreeSet<(bool, TargetKind, Vec<u8>)> = builders
        .keys()
        .filter_map(|(a, k, n, _)| n.clone().map(|n| (*a, *k, n)))
        .collect();
    for (a, k, n) in named {
        let generic: Vec<(usize, GroupBuilder)> = builders
            .iter()
            .filter(|((ga, gk, gn, _), _)| *ga == a && *gk == k && gn.is_none())
            .map(|((_, _, _, c), b)| (*c, b.clone()))
            .collect();
        for (chain, b) in generic {
            let t = builders.entry((a, k, Some(n.clone()), chain)).or_default();
            t.regexes.extend(b.regexes);
            t.negated.extend(b.negated);
            t.literals.extend(b.literals);
            t.sqli.extend(b.sqli);
            t.xss.extend(b.xss);
        }
    }
    let mut lists: BTreeMap<ListKey, Vec<Group>> = BTreeMap::new();
    for ((allow, kind, name, chain), b) in builders {
        match build_group(chain, b, &mut shared) {
            Ok(g) => lists.entry((allow, kind, name)).or_default().push(g),
            Err(e) => errors.push(RuleError {
                file: "<rules>".into(),
                line: 0,
                message: format!("regex set: {e}"),
            }),
        }
    }
    for ((allow, kind, name), groups) in lists {
        let list = match GroupList::new(groups, &out.chains, &out.chain_unplains, &mut shared) {
            Ok(l) => l,
            Err(e) => {
                errors.push(RuleError {
                    file: "<rules>".into(),
                    line: 0,
                    message: format!("gate: {e}"),
                });
                continue;
            }
        };
        let target = if allow { &mut out.allow } else { &mut out.main };
        match (kind, name) {
            (TargetKind::HeaderValue, Some(n)) => target.by_header.insert(n, list),
            (TargetKind::ArgValue, Some(n)) => target.by_arg.insert(n, list),
            (k, _) => {
                target.by_kind.insert(k, list);
                None
            }
        };
    }
    if let (Some(uri), Some(query)) = (
        out.main.by_kind.get(TargetKind::Uri),
        out.main.by_kind.get(TargetKind::Query),
    ) {
        out.main.query_in_uri = crate::query_steps::twins(uri, query);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn build_set(patterns: &[&(usize, String)], shared: &mut Shared) -> Result<Option<Set>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let key: Vec<String> = patterns.iter().map(|(_, p)| p.clone()).collect();
    let set = match shared.sets.get(&key) {
        Some(set) => set.clone(),
        None => {
            let set = RegexSetBuilder::new(&key)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT * 4)
                .dfa_size_limit(DFA_SIZE_LIMIT)
                .build()
                .map_err(|e| e.to_string())?;
            shared.sets.insert(key, set.clone());
            set
        }
    };
    let mut rules = Vec::with_capacity(patterns.len());
    for (idx, p) in patterns {
        rules.push((*idx, shared.regex(p).map_err(|e| e.to_string())?));
    }
    Ok(Some(Set {
        set,
        rules,
        needs: None,
    }))
}

/// (allowlist?, target kind, name filter): one [`GroupList`].
type ListKey = (bool, TargetKind, Option<Vec<u8>>);
/// (rule index, regex source).
type Pattern = (usize, String);

/// Builds the gated and the always-run set of a list of patterns; adds the gate literals to `lits` with `bit`.
fn split_gated(
    patterns: &[&(usize, String)],
    bit: u8,
    lits: &mut BTreeMap<GateLit, u8>,
    shared: &mut Shared,
) -> Result<[Option<Set>; 2], String> {
    let mut gated = Vec::new();
    let mut ungated = Vec::new();
    for p in patterns {
        match required_literals(&p.1) {
            Some(l) => {
                for lit in l {
                    *lits.entry(lit).or_default() |= bit;
                }
                gated.push(*p);
            }
            None => ungated.push(*p),
        }
    }
    let mut always = build_set(&ungated, shared)?;
    if let Some(set) = &mut always {
        set.needs = ungated.iter().try_fold(Box::new([false; 256]), |mut all, p| {
            let needs = required_bytes(&p.1)?;
            all.iter_mut().zip(needs.iter()).for_each(|(a, n)| *a |= n);
            Some(all)
        });
    }
    Ok([build_set(&gated, shared)?, always])
}

fn build_group(chain: usize, b: GroupBuilder, shared: &mut Shared) -> Result<Group, String> {
    let (special, any): (Vec<&Pattern>, Vec<&Pattern>) =
        b.regexes.iter().partition(|(_, p)| prefilter::pattern_needs_special(p));
    let mut dedup = HashSet::new();
    let literals: Vec<(usize, String)> = b.literals.into_iter().filter(|l| dedup.insert(l.clone())).collect();
    let ac = if literals.is_empty() {
        None
    } else {
        Some(
            aho_corasick::AhoCorasickBuilder::new()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(literals.iter().map(|(_, l)| l.as_bytes()))
                .map_err(|e| e.to_string())?,
        )
    };
    let mut lits = BTreeMap::new();
    let any = split_gated(&any, 1, &mut lits, shared)?;
    let special = split_gated(&special, 2, &mut lits, shared)?;
    let gate_lits = lits.iter().map(|(l, b)| (l.clone(), *b)).collect();
    let plain_lits = lits
        .iter()
        .filter(|(_, b)| **b & 1 != 0)
        .map(|(l, _)| l.clone())
        .collect();
    Ok(Group {
        chain,
        any,
        special,
        gate_lits,
        plain_lits,
        negated: b.negated,
        literals: ac,
        literal_rules: literals.into_iter().map(|(i, _)| i).collect(),
        sqli: b.sqli,
        xss: b.xss,
    })
}
