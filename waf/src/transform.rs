//! Rule transforms (`transforms = [...]` in a rule file) and the application of a transform chain to one value.
//! A chain is applied once per request value and shared by every rule that names the same chain.

use std::borrow::Cow;

use serde::Deserialize;

use crate::decode;

/// How many rounds of URL decoding `url_decode` applies at most (double/triple encoding).
const URL_DECODE_ROUNDS: usize = 4;

/// One normalisation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// `%XX` and `%uXXXX`, repeated until stable (bounded).
    UrlDecode,
    /// HTML character references (`&#x3c;`, `&lt;` …).
    HtmlEntityDecode,
    /// JavaScript escapes (`\x3c`, `\u003c`, octal).
    JsDecode,
    /// CSS escapes (`\3c `).
    CssDecode,
    /// Base64, when the whole value is base64.
    Base64Decode,
    Lowercase,
    /// Runs of whitespace become one space.
    CompressWhitespace,
    RemoveWhitespace,
    /// SQL/C comments become one space.
    ReplaceComments,
    /// `/./`, `//`, `/x/../` resolved.
    NormalizePath,
    /// As `normalize_path`, with backslashes treated as slashes.
    NormalizePathWin,
    RemoveNulls,
    /// Overlong UTF-8 decoded, other invalid UTF-8 replaced.
    Utf8Fix,
    /// Shell command-line normalisation (CRS `cmdLine`).
    Cmdline,
}

impl Transform {
    /// Applies one step; `None` when the value is unchanged.
    pub fn apply(self, v: &[u8]) -> Option<Vec<u8>> {
        match self {
            Transform::UrlDecode => decode::url_decode_repeat(v, URL_DECODE_ROUNDS),
            Transform::HtmlEntityDecode => decode::html_entity_decode(v),
            Transform::JsDecode => decode::js_decode(v),
            Transform::CssDecode => decode::css_decode(v),
            Transform::Base64Decode => decode::base64_decode(v),
            Transform::Lowercase => {
                if has_uppercase(v) {
                    Some(v.to_ascii_lowercase())
                } else {
                    None
                }
            }
            Transform::CompressWhitespace => decode::compress_whitespace(v),
            Transform::RemoveWhitespace => decode::remove_whitespace(v),
            Transform::ReplaceComments => decode::replace_comments(v),
            Transform::NormalizePath => decode::normalize_path(v, false),
            Transform::NormalizePathWin => decode::normalize_path(v, true),
            Transform::RemoveNulls => decode::remove_nulls(v),
            Transform::Utf8Fix => decode::utf8_fix(v),
            Transform::Cmdline => decode::cmdline(v),
        }
    }
}

/// True when `v` holds an ASCII capital. Checked in blocks without an early exit inside a block, which the
/// compiler turns into vector compares: every value of every lower-casing chain comes here, most of them with no
/// capital at all, and a byte-at-a-time `any` cost a few percent of a request.
fn has_uppercase(v: &[u8]) -> bool {
    v.chunks(32)
        .any(|c| c.iter().fold(false, |found, b| found | b.is_ascii_uppercase()))
}

/// Applies a chain of transforms, borrowing the input when no step changes it.
pub fn apply_chain<'a>(chain: &[Transform], v: &'a [u8]) -> Cow<'a, [u8]> {
    let mut cur: Cow<'a, [u8]> = Cow::Borrowed(v);
    for t in chain {
        if let Some(next) = t.apply(&cur) {
            cur = Cow::Owned(next);
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_borrows_when_unchanged() {
        let chain = [Transform::UrlDecode, Transform::Lowercase];
        assert!(matches!(apply_chain(&chain, b"plain"), Cow::Borrowed(_)));
        assert_eq!(&*apply_chain(&chain, b"%3CScRiPt"), b"<script");
    }

    #[test]
    fn names_parse() {
        #[derive(Deserialize)]
        struct T {
            t: Vec<Transform>,
        }
        let t: T =
            toml::from_str(r#"t = ["url_decode", "html_entity_decode", "normalize_path_win", "cmdline"]"#).unwrap();
        assert_eq!(t.t.len(), 4);
    }
}
