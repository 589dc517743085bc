//! Byte gates for the patterns no literal gates (see [`crate::gate_literals`]): a set of bytes one of which every
//! match contains. `(?-u:[\x01-\x08\x0e-\x1f\x7f])` needs a control byte, `(?:[;|&\n\r]|\$\()\s*…` a
//! separator, `javascript:…|data:…|@import…` a `:` or `@`. A value with none of them cannot match, and the
//! regex set (the costliest step for a short value with a quote or a bracket in it) does not run.

use regex_syntax::hir::{Class, ClassBytes, Hir, HirKind};

/// Which bytes a value must contain for the pattern to match, or `None` when no small set is known.
pub fn required_bytes(pattern: &str) -> Option<Box<[bool; 256]>> {
    let hir = crate::compile::rule_parser().parse(pattern).ok()?;
    let set = required(&hir)?;
    let mut t = Box::new([false; 256]);
    for b in set {
        t[usize::from(b)] = true;
    }
    Some(t)
}

/// How often a byte turns up in ordinary values, roughly: the analysis picks the set a value is least likely to
/// hold.
fn frequency(b: u8) -> u32 {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' | b' ' => 100,
        b'0'..=b'9' => 60,
        b'.' | b',' | b'-' => 50,
        b'\'' | b'"' | b'/' | b':' | b'(' | b')' | b'_' => 30,
        0x21..=0x7e => 10,
        _ => 5,
    }
}

fn cost(set: &[u8]) -> u32 {
    set.iter().map(|&b| frequency(b)).sum()
}

/// Classes wider than this (`\S`, `[^a]`) say nothing useful.
const MAX_CLASS: usize = 64;

/// The bytes of a class, when there are few enough of them to say something.
fn small_class(c: &ClassBytes) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = c.iter().flat_map(|r| r.start()..=r.end()).take(MAX_CLASS + 1).collect();
    (bytes.len() <= MAX_CLASS).then_some(bytes)
}

/// Bytes one of which every match of `hir` contains (sorted, deduplicated).
fn required(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        // Every byte of a literal is in every match: the rarest one will do.
        HirKind::Literal(lit) => lit.0.iter().copied().min_by_key(|&b| frequency(b)).map(|b| vec![b]),
        HirKind::Class(Class::Bytes(c)) => small_class(c),
        // A non-ASCII character is several bytes in UTF-8: only all-ASCII classes are read as bytes.
        HirKind::Class(Class::Unicode(c)) => small_class(&c.to_byte_class()?),
        HirKind::Repetition(r) if r.min > 0 => required(&r.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(c) => required(&c.sub),
        // A match holds a match of every part: the part with the rarest set decides.
        HirKind::Concat(parts) => parts.iter().filter_map(required).min_by_key(|s| cost(s)),
        // A match holds a match of one branch: every branch must have a set, and any of their bytes will do.
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for b in branches {
                all.extend(required(b)?);
            }
            all.sort_unstable();
            all.dedup();
            (all.len() <= MAX_CLASS).then_some(all)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes(p: &str) -> Option<Vec<u8>> {
        required_bytes(p).map(|t| (0..=255u8).filter(|&b| t[usize::from(b)]).collect())
    }

    #[test]
    fn sets_of_rule_shapes() {
        assert_eq!(bytes(r"(?-u:[\x01-\x03\x7f])"), Some(vec![1, 2, 3, 0x7f]));
        assert_eq!(bytes(r"(?:[;|]|\$\()\s*id"), Some(b"$;|".to_vec()));
        assert_eq!(bytes(r"javascript:x|data:|@import"), Some(b":@".to_vec()));
        assert_eq!(bytes(r"(?i)union"), Some(b"Uu".to_vec()));
        assert_eq!(bytes(r"(?u:[a-c])"), Some(b"abc".to_vec()));
        assert_eq!(bytes(r"(?u:[aé])"), None);
        for none in [r"x*", r"\S+", r"^", r"a|\w*", r"[^a]"] {
            assert_eq!(bytes(none), None, "{none}");
        }
    }

    /// Patterns of the shapes rules use, against values: a match always holds one of the bytes.
    const PATTERNS: [&str; 6] = [
        r"(?:^|[;|&]|\$\()\s*(?:cat|id)\b",
        r"(?i)(?:\W|^)(?:javascript:|data:\s*[;,]|@\W*?import)",
        r#"["'`][\[{][^#\]}]*[\]}]+["'`](?:->>?|[<>=])|\bjson_extract\b[^(]*\("#,
        r"(?-u:[\x01-\x08\x0e-\x1f\x7f])",
        r"a+b?(?:c|d{2,})",
        r"(?i)x(?:y|z)\s+w",
    ];

    const ATOMS: &[&[u8]] = &[
        b"cat",
        b"ID",
        b";",
        b"|",
        b"$(",
        b" ",
        b"javascript:",
        b"data:",
        b"@import",
        b"'",
        b"[{",
        b"}]",
        b"->",
        b"json_extract(",
        b"\x02",
        b"a",
        b"b",
        b"dd",
        b"c",
        b"xZ w",
        b"X",
    ];

    proptest! {
        #[test]
        fn every_match_holds_a_required_byte(v in proptest::collection::vec(proptest::sample::select(ATOMS), 0..8)) {
            let v = v.concat();
            for p in PATTERNS {
                let re = regex::bytes::RegexBuilder::new(p).unicode(false).build().unwrap();
                if let (Some(t), true) = (required_bytes(p), re.is_match(&v)) {
                    prop_assert!(v.iter().any(|&b| t[usize::from(b)]), "{} on {:?}", p, String::from_utf8_lossy(&v));
                }
            }
        }
    }
}
