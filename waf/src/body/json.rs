//! JSON body scanner: visits every object key (as an argument name) and every string value (as an argument
//! value named by its nearest key), at any nesting depth, without recursion and without building a tree.

use std::borrow::Cow;

use crate::target::{Field, TargetKind};

fn hex4(s: &[u8]) -> Option<u32> {
    if s.len() < 4 {
        return None;
    }
    s[..4]
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc << 4 | (b as char).to_digit(16)?))
}

/// Index of the first `"` or `\\` at or after `start` (`body.len()` when there is none), eight bytes per step.
fn quote_or_backslash(body: &[u8], start: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    // High bit set exactly in the bytes of `x` that are zero.
    let zero_bytes = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let mut i = start;
    while let Some(chunk) = body.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w);
        let hits = zero_bytes(x ^ (ONES * u64::from(b'"'))) | zero_bytes(x ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < body.len() && body[i] != b'"' && body[i] != b'\\' {
        i += 1;
    }
    i
}

/// Decodes the string starting after its opening quote; returns (value, index after the closing quote).
fn string(body: &[u8], start: usize) -> (Cow<'_, [u8]>, usize) {
    let mut i = quote_or_backslash(body, start);
    if i >= body.len() || body[i] == b'"' {
        return (Cow::Borrowed(&body[start..i]), i + 1);
    }
    let mut out = body[start..i].to_vec();
    while i < body.len() {
        match body[i] {
            b'"' => return (Cow::Owned(out), i + 1),
            b'\\' if i + 1 < body.len() => {
                let e = body[i + 1];
                i += 2;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'u' => match hex4(&body[i..]) {
                        Some(mut cp) => {
                            i += 4;
                            if (0xd800..0xdc00).contains(&cp) && body[i..].starts_with(b"\\u") {
                                if let Some(lo) = hex4(&body[i + 2..]).filter(|lo| (0xdc00..0xe000).contains(lo)) {
                                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                    i += 6;
                                }
                            }
                            let c = char::from_u32(cp).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        None => out.push(b'u'),
                    },
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (Cow::Owned(out), i)
}

/// Visits keys and string values. Returns false when the body is not JSON-shaped (bare words, stray bytes), so
/// the caller inspects it raw as well.
// Kept out of `extract`: inlined there, it shared registers with the other parsers and ran ~25 % slower.
#[inline(never)]
pub fn parse<'a>(body: &'a [u8], f: &mut dyn FnMut(Field<'_>)) -> bool {
    let mut i = 0;
    let mut key: Cow<'a, [u8]> = Cow::Borrowed(&b""[..]);
    let mut valid = true;
    while i < body.len() {
        match body[i] {
            b'"' => {
                let (s, next) = string(body, i + 1);
                i = next;
                let mut j = i;
                while j < body.len() && body[j].is_ascii_whitespace() {
                    j += 1;
                }
                if body.get(j) == Some(&b':') {
                    f(Field {
                        kind: TargetKind::ArgName,
                        name: s.clone(),
                        value: s.clone(),
                    });
                    key = s;
                    i = j + 1;
                } else {
                    f(Field {
                        kind: TargetKind::ArgValue,
                        name: key.clone(),
                        value: s,
                    });
                }
            }
            b'{' | b'}' | b'[' | b']' | b',' | b':' | b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'-' | b'+' | b'.' | b'0'..=b'9' | b'e' | b'E' => i += 1,
            b't' if body[i..].starts_with(b"true") => i += 4,
            b'f' if body[i..].starts_with(b"false") => i += 5,
            b'n' if body[i..].starts_with(b"null") => i += 4,
            _ => {
                valid = false;
                i += 1;
            }
        }
    }
    valid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(body: &[u8]) -> (Vec<(TargetKind, String, String)>, bool) {
        let mut v = Vec::new();
        let ok = parse(body, &mut |fl| {
            v.push((
                fl.kind,
                String::from_utf8_lossy(&fl.name).into(),
                String::from_utf8_lossy(&fl.value).into(),
            ))
        });
        (v, ok)
    }

    #[test]
    fn nested_keys_and_values() {
        let (v, ok) = collect(br#"{"a":{"b":["x\u0027y",1,true,{"c":"d\"e"}]},"f":null}"#);
        assert!(ok);
        let vals: Vec<_> = v
            .iter()
            .filter(|x| x.0 == TargetKind::ArgValue)
            .map(|x| (x.1.as_str(), x.2.as_str()))
            .collect();
        assert_eq!(vals, [("b", "x'y"), ("c", "d\"e")]);
        let keys: Vec<_> = v
            .iter()
            .filter(|x| x.0 == TargetKind::ArgName)
            .map(|x| x.2.as_str())
            .collect();
        assert_eq!(keys, ["a", "b", "c", "f"]);
    }

    #[test]
    fn deep_nesting_is_linear() {
        let mut body = vec![b'['; 1_000_000];
        body.extend_from_slice(br#""deep' or 1=1""#);
        let (v, ok) = collect(&body);
        assert!(ok);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn strings_of_every_length_end_at_their_quote() {
        for n in 0..40 {
            for tail in ["\"", "\\\"x\"", ""] {
                let text = "a".repeat(n);
                let body = format!("[\"{text}{tail}]");
                let (v, _) = collect(body.as_bytes());
                let want = match tail {
                    "\"" => text.clone(),
                    "\\\"x\"" => format!("{text}\"x"),
                    _ => format!("{text}]"),
                };
                assert_eq!(v.first().map(|x| x.2.clone()), Some(want), "{body}");
            }
        }
    }

    #[test]
    fn not_json() {
        let (_, ok) = collect(b"id=1 union select");
        assert!(!ok);
        let (v, _) = collect(br#"{"unterminated": "abc"#);
        assert_eq!(v.last().unwrap().2, "abc");
    }
}
