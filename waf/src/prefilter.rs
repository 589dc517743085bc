//! Cheap per-value prefilters. Most request values (ids, names, numbers, e-mail addresses, plain words) are
//! made only of "plain" bytes, and most attack patterns cannot match without at least one other byte (a quote,
//! a bracket, `<`, `$`, `;` …). At load time each regex is analysed once: patterns that need a non-plain byte go
//! into a set that plain values skip, so ordinary traffic costs a byte scan instead of a regex run.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Bytes that ordinary values are made of. Non-ASCII bytes count as plain (names in any language), except the
/// lead bytes of overlong encodings.
const fn plain_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        // 0xC0, 0xC1 and 0xE0 start overlong UTF-8 forms, which `utf8_fix` turns into ASCII punctuation.
        t[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b' ' | b'.' | b',' | b'-' | b'@' | b'/')
            || (c >= 0x80 && !matches!(c, 0xc0 | 0xc1 | 0xe0));
        b += 1;
    }
    t
}

static PLAIN: [bool; 256] = plain_table();

/// True when every byte of `v` is plain.
pub fn is_plain(v: &[u8]) -> bool {
    v.iter().all(|&b| PLAIN[b as usize])
}

/// True when libinjection's SQL tokenizer cannot fingerprint `v` as injection: a single token of word
/// characters (no spaces, quotes, operators or comment starts).
pub fn sqli_impossible(v: &[u8]) -> bool {
    v.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b >= 0x80)
}

/// FNV-1a: keyword lookups hash short words on the request path, where SipHash's setup dominates.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fnv;

pub struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// libinjection's SQL keywords (every word its tokenizer gives a type other than "bareword"). Text made only
/// of words, numbers, spaces, commas and dots, plus single dashes or `@` (not both), tokenizes to barewords,
/// numbers, commas and operators or variables unless one of these words occurs, and no fingerprint on
/// libinjection's blacklist consists of those alone (checked against its table); so such text needs no
/// libinjection run unless a keyword appears as a whole word.
#[derive(Debug)]
pub struct SqlKeywords {
    words: std::collections::HashSet<Vec<u8>, Fnv>,
    longest: usize,
    /// Per lower-cased first byte, and per lower-cased last byte, a bit per keyword length (< 64): most words
    /// of ordinary text fail one of the two and never pay for lower-casing and hashing.
    shapes: Box<[u64; 256]>,
    ends: Box<[u64; 256]>,
}

impl SqlKeywords {
    pub fn new() -> Result<SqlKeywords, String> {
        let words: std::collections::HashSet<Vec<u8>, Fnv> = libinjectionrs::sqli::sqli_data::SQL_KEYWORDS
            .iter()
            .filter(|k| k.token_type != b'F' && k.token_type != b'n')
            // Multi-word keywords ("LOCK IN SHARE") are looked up by their first word.
            .filter_map(|k| k.word.split([' ', '\t']).next())
            .map(|w| w.to_ascii_lowercase().into_bytes())
            .collect();
        if words.is_empty() {
            return Err("libinjection keyword table is empty".into());
        }
        let longest = words.iter().map(Vec::len).max().unwrap_or(0);
        let mut shapes = Box::new([0u64; 256]);
        let mut ends = Box::new([0u64; 256]);
        for w in &words {
            if let (Some(&first), Some(&last)) = (w.first(), w.last()) {
                // A keyword of 64 bytes or more cannot be recorded in the masks: admit every length for its
                // bytes, so the masks never reject a real keyword.
                let bit = if w.len() < 64 { 1u64 << w.len() } else { u64::MAX };
                shapes[first as usize] |= bit;
                ends[last as usize] |= bit;
            }
        }
        Ok(SqlKeywords {
            words,
            longest,
            shapes,
            ends,
        })
    }

    /// True when libinjection must look at `v`.
    pub fn sqli_possible(&self, v: &[u8]) -> bool {
        // Barewords, numbers and commas never make a blacklisted fingerprint, and neither do they with
        // operators ('-') or with variables ('@') added, but operator plus variable can ("1-@a"): checked
        // against libinjection's fingerprint table. "--" starts a comment.
        let texty = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b',' | b'.' | b'_') || b >= 0x80;
        let mut dash = false;
        let mut at = false;
        for &b in v {
            match b {
                b'-' => dash = true,
                b'@' => at = true,
                _ if texty(b) => {}
                _ => return true,
            }
        }
        if (dash && at) || memchr::memmem::find(v, b"--").is_some() {
            return true;
        }
        let mut buf = [0u8; 64];
        v.split(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
            .any(|w| {
                if w.is_empty() || w.len() > self.longest || w.len() > buf.len() {
                    return false;
                }
                if w.len() < 64 {
                    let bit = 1u64 << w.len();
                    let last = w[w.len() - 1].to_ascii_lowercase();
                    if self.shapes[w[0].to_ascii_lowercase() as usize] & bit == 0 || self.ends[last as usize] & bit == 0
                    {
                        return false;
                    }
                }
                let lower = &mut buf[..w.len()];
                lower.copy_from_slice(w);
                lower.make_ascii_lowercase();
                self.words.contains(&lower[..])
            })
    }
}

/// True when libinjection's HTML parser cannot find script in `v`: it reports only tags (which need `<`) and
/// attributes given a value (which need `=`), in whatever quoting context the value is placed.
pub fn xss_impossible(v: &[u8]) -> bool {
    memchr::memchr2(b'<', b'=', v).is_none()
}

fn range_has_plain(start: u32, end: u32) -> bool {
    if end >= 0x80 {
        return true;
    }
    (start..=end).any(|c| PLAIN[c as usize])
}

/// True when every match of `hir` must contain at least one non-plain byte.
fn needs_special(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(|&b| !PLAIN[b as usize]),
        HirKind::Class(Class::Unicode(c)) => !c
            .ranges()
            .iter()
            .any(|r| range_has_plain(r.start() as u32, r.end() as u32)),
        HirKind::Class(Class::Bytes(c)) => !c
            .ranges()
            .iter()
            .any(|r| range_has_plain(u32::from(r.start()), u32::from(r.end()))),
        HirKind::Repetition(r) => r.min > 0 && needs_special(&r.sub),
        HirKind::Capture(c) => needs_special(&c.sub),
        HirKind::Concat(v) => v.iter().any(needs_special),
        HirKind::Alternation(v) => v.iter().all(needs_special),
    }
}

/// True when `pattern` can only match values that contain a non-plain byte (false when unsure).
pub fn pattern_needs_special(pattern: &str) -> bool {
    let mut parser = regex_syntax::ParserBuilder::new().utf8(false).build();
    parser.parse(pattern).map(|h| needs_special(&h)).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis() {
        assert!(pattern_needs_special(r"<\s*script"));
        assert!(pattern_needs_special(r"(?i)\$\{jndi:|['\x22]\s*or"));
        assert!(!pattern_needs_special(r"(?i)\bunion\s+select\b"));
        assert!(!pattern_needs_special(r"a|<b"));
        assert!(!pattern_needs_special(r"(?:^|;)\s*id\b"));
        assert!(pattern_needs_special(r"(?:\||;)\s*id\b"));
        assert!(!pattern_needs_special(r"x*"));
        assert!(!pattern_needs_special(r"[^a]"));
    }

    #[test]
    fn sql_keyword_prefilter() {
        let k = SqlKeywords::new().unwrap();
        assert!(!k.sqli_possible(b"gift wrap, please"));
        assert!(!k.sqli_possible(b"reunion selection"));
        assert!(k.sqli_possible(b"1 union select 1"));
        assert!(k.sqli_possible(b"x OR 1"));
        assert!(k.sqli_possible(b"1'"));
        assert!(k.sqli_possible(b"1--"));
        assert!(!k.sqli_possible(b"SKU-00001 2024-01-02"));
        assert!(!k.sqli_possible(b"jane@example.com"));
        assert!(k.sqli_possible(b"1-@a"));
        for v in [&b"gift wrap, please"[..], b"summer dress 2024", b"Jane Doe, London"] {
            assert!(!libinjectionrs::detect_sqli(v).is_injection());
        }
    }

    #[test]
    fn value_classes() {
        assert!(is_plain(b"Jane O Neil, jane@example.com 42 /a/b jam\xc3\xb3n"));
        assert!(!is_plain(b"1'"));
        assert!(!is_plain(b"\xc0\xbcscript\xc0\xbe"));
        assert!(sqli_impossible(b"SKU00001"));
        assert!(!sqli_impossible(b"1 or 1"));
        assert!(xss_impossible(b"gift wrap, please"));
        for v in [
            &b"Mozilla/5.0 (X11; Linux x86_64) \"quoted\" 'single' `back` javascript:alert(1)"[..],
            b"&lt;x&gt;",
        ] {
            assert!(xss_impossible(v) && !libinjectionrs::detect_xss(v).is_injection());
        }
        assert!(!xss_impossible(b"x onerror=alert"));
    }
}

/// Literals (ASCII-lowercased) at least one of which appears in every match of the pattern, or `None` when no
/// such set is known. Used to gate a `RegexSet` behind one Aho-Corasick scan.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let mut parser = regex_syntax::ParserBuilder::new().utf8(false).build();
    let hir = parser.parse(pattern).ok()?;
    let set = required(&hir)?;
    // A single plain character would gate nothing: demand two bytes, or one byte that plain values never hold.
    // (Non-ASCII bytes are rare enough in attack-relevant positions to gate on.)
    let selective = |l: &Vec<u8>| l.len() >= 2 || l.first().is_some_and(|&b| !PLAIN[b as usize] || b >= 0x80);
    let mut set = set;
    set.sort();
    set.dedup();
    (set.iter().all(selective) && set.len() <= 2000).then_some(set)
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
/// ordinary words), not over longer ones. Ties go to the longer shortest literal, then to fewer literals.
fn quality(set: &[Vec<u8>]) -> (usize, usize, std::cmp::Reverse<usize>) {
    let min = set.iter().map(Vec::len).min().unwrap_or(0);
    let special = set.iter().all(|l| l.iter().any(|&b| !PLAIN[b as usize]));
    let rank = if special { 7 } else { min.min(6) * 2 };
    (rank, min, std::cmp::Reverse(set.len()))
}

fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(l) => Some(vec![l.0.to_ascii_lowercase()]),
        HirKind::Class(_) => class_byte(hir).map(|b| vec![vec![b]]),
        HirKind::Repetition(r) => {
            if r.min == 0 {
                None
            } else if let (true, Some(b)) = (r.min >= 2, class_byte(&r.sub)) {
                Some(vec![vec![b; (r.min as usize).min(4)]])
            } else {
                required(&r.sub)
            }
        }
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Alternation(v) => {
            let mut out = Vec::new();
            for h in v {
                out.extend(required(h)?);
            }
            out.sort();
            out.dedup();
            Some(out)
        }
        HirKind::Concat(v) => {
            let mut best: Option<Vec<Vec<u8>>> = None;
            let mut consider = |cand: Vec<Vec<u8>>| {
                if best.as_ref().is_none_or(|b| quality(&cand) > quality(b)) {
                    best = Some(cand);
                }
            };
            // Runs of children with a small finite set of exact matches combine into longer literals.
            let mut runs: Vec<Vec<u8>> = vec![Vec::new()];
            for h in v {
                match exact(h).filter(|e| e.len() * runs.len() <= 256) {
                    Some(e) => {
                        runs = runs
                            .iter()
                            .flat_map(|r| e.iter().map(move |x| [r.as_slice(), x].concat()))
                            .collect();
                    }
                    None => {
                        if runs.iter().all(|r| !r.is_empty()) {
                            consider(std::mem::replace(&mut runs, vec![Vec::new()]));
                        } else {
                            runs = vec![Vec::new()];
                        }
                        if let Some(s) = required(h) {
                            consider(s);
                        }
                    }
                }
            }
            if runs.iter().all(|r| !r.is_empty()) {
                consider(runs);
            }
            best
        }
    }
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
                out = out
                    .iter()
                    .flat_map(|r| e.iter().map(move |x| [r.as_slice(), x].concat()))
                    .collect();
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod literal_tests {
    use super::required_literals;

    fn lits(p: &str) -> Option<Vec<String>> {
        required_literals(p).map(|v| v.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
    }

    #[test]
    fn extraction() {
        assert_eq!(lits(r"(?i)\bunion\s+select\b"), Some(vec!["select".into()]));
        assert_eq!(
            lits(r"\b(?:sleep|benchmark)\s*\("),
            Some(vec!["benchmark".into(), "sleep".into()])
        );
        assert_eq!(lits(r"a|\w+"), None);
        assert_eq!(lits(r"x?"), None);
        assert_eq!(lits(r"(?i)<\s*script"), Some(vec!["script".into()]));
        assert_eq!(
            lits(r"(?i)\b(?:nc|ncat|netcat)\s+\d"),
            Some(vec!["nc".into(), "ncat".into(), "netcat".into()])
        );
    }
}
