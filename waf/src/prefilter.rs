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

pub(crate) static PLAIN: [bool; 256] = plain_table();

/// True when every byte of `v` is plain.
pub fn is_plain(v: &[u8]) -> bool {
    v.iter().all(|&b| PLAIN[b as usize])
}

/// True when libinjection's SQL tokenizer cannot fingerprint `v` as injection: a single token of word
/// characters (no spaces, quotes, operators or comment starts).
pub fn sqli_impossible(v: &[u8]) -> bool {
    v.iter().all(|&b| is_sql_word_byte(b) || b == b'.')
}

/// A byte libinjection's tokenizer keeps inside a word (or number): ASCII letters and digits, `_`, and bytes
/// above 0x7f except 0xA0, which it takes for white space.
fn is_sql_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || (b >= 0x80 && b != NBSP)
}

const NBSP: u8 = 0xa0;

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
/// of words, numbers, spaces, commas and dots, plus either single dashes or `@` or quotes (one kind only),
/// tokenizes to barewords, numbers, commas, dots and operators, variables or strings unless one of these words
/// occurs, and no fingerprint on libinjection's blacklist consists of those alone (checked against its table);
/// so such text needs no libinjection run unless a keyword appears as a whole word.
#[derive(Debug)]
pub struct SqlKeywords {
    /// The keywords (lower case), grouped by bucket: `index[bucket(w)]` is the range of the ones that can equal
    /// `w`. Comparing a word with the one to three keywords of its bucket is cheaper than hashing it.
    words: Vec<Box<[u8]>>,
    /// `words[i]` packed into a `u64` when it is at most 8 bytes long: one integer compare per candidate.
    packed: Vec<u64>,
    index: Box<[(u16, u16); BUCKETS]>,
    longest: usize,
    /// Per lower-cased first byte, and per lower-cased last byte, a bit per keyword length (< 64): most words
    /// of ordinary text fail one of the two and never reach a comparison.
    shapes: Box<[u64; 256]>,
    ends: Box<[u64; 256]>,
}

/// Buckets of [`SqlKeywords`]: five bits of the first byte (case folds away) by the length (< 64).
const BUCKETS: usize = 32 * 64;

/// The (lower-cased) bytes of a word of at most 8 bytes, little-endian in a `u64`.
fn pack_lower(w: &[u8]) -> u64 {
    w.iter()
        .enumerate()
        .fold(0, |x, (i, b)| x | (u64::from(b.to_ascii_lowercase()) << (8 * i)))
}

fn bucket(w: &[u8]) -> usize {
    ((w[0] & 0x1f) as usize) << 6 | w.len()
}

impl SqlKeywords {
    pub fn new() -> Result<SqlKeywords, String> {
        let mut words: Vec<Box<[u8]>> = libinjectionrs::sqli::sqli_data::SQL_KEYWORDS
            .iter()
            .filter(|k| k.token_type != b'F' && k.token_type != b'n')
            // Multi-word keywords ("LOCK IN SHARE") are looked up by their first word, and so are dotted ones
            // ("DBMS_LOCK.SLEEP"): libinjection reads "a.b" as one word, which `sqli_possible` splits at the dot.
            .filter_map(|k| k.word.split([' ', '\t', '.']).next())
            .map(|w| w.to_ascii_lowercase().into_bytes().into_boxed_slice())
            // Words are split on non-word bytes, so a keyword containing another one could never be found
            // whole anyway (and its non-word byte makes `sqli_possible` say yes); the length limit keeps the
            // buckets addressable.
            .filter(|w| !w.is_empty() && w.len() < 64)
            .collect();
        words.sort_by_key(|w| (bucket(w), w.clone()));
        words.dedup();
        if words.is_empty() {
            return Err("libinjection keyword table is empty".into());
        }
        let longest = words.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut index = Box::new([(0u16, 0u16); BUCKETS]);
        let mut shapes = Box::new([0u64; 256]);
        let mut ends = Box::new([0u64; 256]);
        for (i, w) in words.iter().enumerate() {
            let slot = &mut index[bucket(w)];
            if slot.1 == slot.0 {
                *slot = (i as u16, i as u16);
            }
            slot.1 += 1;
            let bit = 1u64 << w.len();
            shapes[w[0] as usize] |= bit;
            ends[w[w.len() - 1] as usize] |= bit;
        }
        let packed = words
            .iter()
            .map(|w| if w.len() <= 8 { pack_lower(w) } else { 0 })
            .collect();
        Ok(SqlKeywords {
            words,
            packed,
            index,
            longest,
            shapes,
            ends,
        })
    }

    /// True when `w` (any case) is a keyword.
    fn is_keyword(&self, w: &[u8]) -> bool {
        if w.is_empty() || w.len() > self.longest {
            return false;
        }
        let bit = 1u64 << w.len();
        if self.shapes[w[0].to_ascii_lowercase() as usize] & bit == 0
            || self.ends[w[w.len() - 1].to_ascii_lowercase() as usize] & bit == 0
        {
            return false;
        }
        let (start, end) = (self.index[bucket(w)].0 as usize, self.index[bucket(w)].1 as usize);
        if w.len() <= 8 {
            // The bucket fixes the length, so equal packed words are equal words.
            let p = pack_lower(w);
            return self.packed[start..end].contains(&p);
        }
        self.words[start..end].iter().any(|k| k.eq_ignore_ascii_case(w))
    }

    /// True when libinjection must look at `v`.
    pub fn sqli_possible(&self, v: &[u8]) -> bool {
        // Barewords, numbers and commas never make a blacklisted fingerprint, and neither do they with
        // operators ('-') or with variables ('@') added, but operator plus variable can ("1-@a"): checked
        // against libinjection's fingerprint table. "--" starts a comment. Quotes add strings, and no
        // blacklisted fingerprint is made of barewords, numbers, commas, dots and strings alone (none of
        // its entries is spelled with `n`, `1`, `,`, `.` and `s` only), so "Jane O'Neil" needs no run; a string next
        // to an operator or a variable can be one ("'-'", "'1@"). One pass: byte classes, then each word
        // against the keywords as it ends.
        let mut dash = false;
        let mut at = false;
        let mut quote = false;
        let mut prev_dash = false;
        let mut word_start = 0;
        let mut keyword = false;
        for (i, &b) in v.iter().enumerate() {
            if !is_sql_word_byte(b) {
                if !keyword && i > word_start {
                    keyword = self.word_has_keyword(v, word_start, i);
                }
                word_start = i + 1;
                match b {
                    b'-' if prev_dash => return true,
                    b'-' => dash = true,
                    b'@' => at = true,
                    b'\'' | b'"' => quote = true,
                    // libinjection reads a lone 0xA0 (Latin-1 no-break space) as white space.
                    b' ' | b',' | b'.' | NBSP => {}
                    _ => return true,
                }
            }
            prev_dash = b == b'-';
        }
        if (dash && at) || (quote && (dash || at)) {
            return true;
        }
        keyword || (word_start < v.len() && self.word_has_keyword(v, word_start, v.len()))
    }

    /// True when libinjection could read a keyword in `v[start..end]`, one run of word bytes. It reads a number
    /// only up to its first byte that cannot continue it, and a number may run on past a dot ("1.e1", "1.5f"),
    /// so in a word that starts with a digit ("1union", "0xunion", "1e1union", "1_utf8") or follows a digit and
    /// a dot ("1.funion", "1.eand") any later letter or `_` may start a keyword that runs to the end of the word.
    fn word_has_keyword(&self, v: &[u8], start: usize, end: usize) -> bool {
        let w = &v[start..end];
        let in_number = w.first().is_some_and(u8::is_ascii_digit)
            || (start >= 2 && v[start - 1] == b'.' && v[start - 2].is_ascii_digit());
        self.is_keyword(w)
            || (in_number
                && (1..w.len()).any(|i| (w[i].is_ascii_alphabetic() || w[i] == b'_') && self.is_keyword(&w[i..])))
    }
}

/// True when libinjection's HTML parser cannot find script in `v`: it reports only tags (which need `<`) and
/// attributes given a value (which need `=`), in whatever quoting context the value is placed.
pub fn xss_impossible(v: &[u8]) -> bool {
    memchr::memchr2(b'<', b'=', v).is_none()
}

// Neither byte `xss_impossible` looks for is plain, so a plain value never needs libinjection's XSS check: the
// engine skips the check, and its scan, for plain values.
const _: () = assert!(!plain_table()[b'<' as usize] && !plain_table()[b'=' as usize]);

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
    let mut parser = crate::compile::rule_parser();
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

    /// What `sqli_possible` relies on to let quotes through: libinjection flags only fingerprints on its
    /// blacklist (type `F` entries of its keyword table, stored as `0` + the fingerprint), and none is spelled
    /// with barewords (`n`), numbers (`1`), commas, dots and strings (`s`) alone.
    #[test]
    fn no_blacklisted_fingerprint_is_words_and_strings() {
        let fingerprints: Vec<&str> = libinjectionrs::sqli::sqli_data::SQL_KEYWORDS
            .iter()
            .filter(|k| k.token_type == b'F')
            .map(|k| k.word)
            .collect();
        assert!(fingerprints.len() > 1000, "{}", fingerprints.len());
        assert!(fingerprints.contains(&"0SOS"));
        let words_and_strings = |f: &&&str| f[1..].bytes().all(|b| matches!(b, b'N' | b'1' | b',' | b'.' | b'S'));
        assert_eq!(fingerprints.iter().find(words_and_strings), None);
    }

    #[test]
    fn sql_keyword_prefilter() {
        let k = SqlKeywords::new().unwrap();
        assert!(!k.sqli_possible(b"gift wrap, please"));
        assert!(!k.sqli_possible(b"reunion selection"));
        assert!(k.sqli_possible(b"1 union select 1"));
        // Where libinjection's tokens are not plain words: a number ends at a letter or runs on past a dot, 0xA0
        // is white space, a dotted function name is one word, a keyword may start with `_`.
        for v in [
            &b"-1union"[..],
            b"1union",
            b"0xunion",
            b"1e1union",
            b"1_utf8",
            b"1\xa0union\xa0select\xa01,2",
            b"x ctxsys.drithsx.sn",
            b"-1.funion",
            b"1.e1having 1",
            b"1.eand-0x9",
        ] {
            assert!(k.sqli_possible(v), "{}", String::from_utf8_lossy(v));
        }
        assert!(libinjectionrs::detect_sqli(b"-1union").is_injection());
        assert!(libinjectionrs::detect_sqli(b"1\xa0union\xa0select\xa01,2").is_injection());
        assert!(!sqli_impossible(b"x\xa0union"));
        for v in [&b"4f3a2b9e"[..], b"2nd", b"10am", b"8f14e45f"] {
            assert!(!k.sqli_possible(v), "{}", String::from_utf8_lossy(v));
        }
        assert!(k.sqli_possible(b"x OR 1"));
        // Quotes alone add strings, which need an operator, a variable or a keyword to be an injection.
        for v in [&b"Jane O'Neil"[..], b"1'", b"\"Best of\" 2024, vol. 2", b"'"] {
            assert!(!k.sqli_possible(v), "{}", String::from_utf8_lossy(v));
            assert!(!libinjectionrs::detect_sqli(v).is_injection());
        }
        let possible = |v: &&[u8]| assert!(k.sqli_possible(v), "{}", String::from_utf8_lossy(v));
        [
            &b"'-'"[..],
            b"'1@",
            b"O'Neil-Smith",
            b"1' or '1",
            b"1'='1",
            b"a' union select 1",
        ]
        .iter()
        .for_each(possible);
        assert!(
            libinjectionrs::detect_sqli(b"'-'").is_injection() && libinjectionrs::detect_sqli(b"'1@").is_injection()
        );
        assert!(k.sqli_possible(b"1--"));
        assert!(!k.sqli_possible(b"SKU-00001 2024-01-02"));
        assert!(!k.sqli_possible(b"jane@example.com"));
        assert!(k.sqli_possible(b"1-@a"));
        assert!(k.sqli_possible(b"x UnIoN y") && k.sqli_possible(b"a_b or c"));
        // Every keyword is found in any case, and nothing else of its bucket is.
        for w in &k.words {
            assert!(k.is_keyword(w) && k.is_keyword(&w.to_ascii_uppercase()), "{w:?}");
            let mut other = w.to_vec();
            *other.last_mut().unwrap() = b'~';
            assert!(!k.is_keyword(&other));
        }
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
