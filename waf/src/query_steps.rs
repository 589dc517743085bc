//! The query string's transform steps read off the request target's. The query is the tail of the target, and
//! the decoding steps the query's rules use never look back past a byte: on `path?query`, with a path that
//! holds nothing they act on, each step's output is the path (same length), `?`, then that step's output on the
//! query alone. So the target's step outputs, computed anyway for the target's own rules, hold the query's as
//! their tails, and the same hundred-odd bytes of a long query are not decoded twice per request.

use crate::compile::GroupList;
use crate::transform::Transform;

/// Transforms `t` with `t(p + "?" + q) == t(p) + "?" + t(q)` and `t(p).len() == p.len()` for every `q` and every
/// path `p` that [`inert`] accepts: they act on escapes that start at `%`, `&` or `\`, on NUL, on bytes above
/// 0x7f, or on ASCII letters one for one.
fn keeps_tail(t: Transform) -> bool {
    matches!(
        t,
        Transform::UrlDecode
            | Transform::Utf8Fix
            | Transform::HtmlEntityDecode
            | Transform::JsDecode
            | Transform::CssDecode
            | Transform::RemoveNulls
            | Transform::Lowercase
    )
}

/// True when no transform of [`keeps_tail`] changes any byte of `path` but the case of its letters: ASCII
/// without NUL, `%`, `&`, `+` or `\`.
pub fn inert(path: &[u8]) -> bool {
    path.iter()
        .all(|&b| b != 0 && b < 0x80 && !matches!(b, b'%' | b'&' | b'+' | b'\\'))
}

/// Per step of `query`: the step of `uri` that applies the same chain, when every step of `query` keeps tails
/// and has such a twin (the default rules' query chains are all prefixes of target chains).
pub fn twins(uri: &GroupList, query: &GroupList) -> Option<Vec<usize>> {
    let chain = |list: &GroupList, mut step: Option<usize>| {
        let mut c = Vec::new();
        while let Some(n) = step {
            c.push(list.steps[n].transform);
            step = list.steps[n].parent;
        }
        c
    };
    (0..query.steps.len())
        .map(|n| {
            let want = chain(query, Some(n));
            if !want.iter().all(|&t| keeps_tail(t)) {
                return None;
            }
            (0..uri.steps.len()).find(|&m| chain(uri, Some(m)) == want)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::apply_chain;
    use proptest::prelude::*;

    const KEEPS_TAIL: [Transform; 7] = [
        Transform::UrlDecode,
        Transform::Utf8Fix,
        Transform::HtmlEntityDecode,
        Transform::JsDecode,
        Transform::CssDecode,
        Transform::RemoveNulls,
        Transform::Lowercase,
    ];

    fn path() -> impl Strategy<Value = Vec<u8>> {
        let atoms: Vec<&'static [u8]> = vec![
            b"/", b"a", b"Z", b"0", b"9", b".", b"..", b"-", b"_", b"~", b";", b":", b"=", b"#", b"'", b"<", b"*",
            b"!", b"$", b"(", b"?", b" ", b"\t", b"u", b"x", b"lt", b"amp", b"search",
        ];
        proptest::collection::vec(proptest::sample::select(atoms), 0..8)
            .prop_map(|v| v.concat())
            .prop_filter("inert", |p| inert(p))
    }

    /// Query fragments that every transform of the set acts on, also broken off at the end.
    fn query() -> impl Strategy<Value = Vec<u8>> {
        let atoms: Vec<&'static [u8]> = vec![
            b"a",
            b"B",
            b"1",
            b"f",
            b"=",
            b"&",
            b";",
            b"#",
            b"x",
            b"u",
            b"%",
            b"%2",
            b"%25",
            b"%41",
            b"%u00",
            b"%u0041",
            b"%uff0e",
            b"%c0%ae",
            b"%e0",
            b"&lt",
            b"&lt;",
            b"&#",
            b"&#x3c;",
            b"&#60",
            b"&amp;",
            b"&auml;",
            b"\\",
            b"\\x3",
            b"\\x3c",
            b"\\u00",
            b"\\u{41}",
            b"\\101",
            b"\\3c ",
            b"\\00003c",
            b"\0",
            b"\xc0",
            b"\xae",
            b"\xe0\x80",
            b"\xc3\xa9",
            b"\xff",
            b"+",
            b" ",
            b"?",
        ];
        proptest::collection::vec(proptest::sample::select(atoms), 0..12).prop_map(|v| v.concat())
    }

    fn chain() -> impl Strategy<Value = Vec<Transform>> {
        proptest::collection::vec(proptest::sample::select(KEEPS_TAIL.to_vec()), 1..6)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn the_query_steps_are_the_targets_tails(p in path(), q in query(), c in chain()) {
            let uri = [&p[..], b"?", &q].concat();
            let whole = apply_chain(&c, &uri);
            let alone = apply_chain(&c, &q);
            prop_assert!(whole.len() > p.len());
            prop_assert_eq!(&whole[p.len() + 1..], &alone[..], "{:?}", String::from_utf8_lossy(&uri));
        }
    }

    #[test]
    fn inert_paths() {
        assert!(inert(b"/search"));
        assert!(inert(b"/a/b;c=d/E.php"));
        for p in [&b"/a%2f"[..], b"/a&b", b"/a+b", b"/a\\b", b"/a\0", b"/caf\xc3\xa9"] {
            assert!(!inert(p), "{:?}", String::from_utf8_lossy(p));
        }
    }
}
