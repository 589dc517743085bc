//! XML body scanner: visits text nodes and CDATA (as values of their element), attribute names and values, and
//! DOCTYPE declarations (where XXE lives). Iterative, no tree, no entity expansion.

use std::borrow::Cow;

use crate::decode;
use crate::target::{Field, TargetKind};

fn emit<'a>(f: &mut dyn FnMut(Field<'_>), kind: TargetKind, name: &'a [u8], value: &'a [u8]) {
    if value.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    // Character and entity references are part of XML itself: decode them once, as the application's parser will.
    let value = value.trim_ascii();
    let value = match decode::html_entity_decode(value) {
        Some(d) => Cow::Owned(d),
        None => Cow::Borrowed(value),
    };
    f(Field {
        kind,
        name: Cow::Borrowed(name),
        value,
    });
}

fn attributes<'a>(tag: &'a [u8], f: &mut dyn FnMut(Field<'_>)) {
    let mut i = tag.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(tag.len());
    while i < tag.len() {
        while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < tag.len() && tag[i] != b'=' && !tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &tag[ns..i];
        while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'=') {
            i += 1;
        }
        if name.is_empty() {
            i += 1;
            continue;
        }
        emit(f, TargetKind::ArgName, name, name);
        if let Some(&q @ (b'"' | b'\'')) = tag.get(i) {
            let vs = i + 1;
            let ve = memchr::memchr(q, &tag[vs..]).map_or(tag.len(), |e| vs + e);
            emit(f, TargetKind::ArgValue, name, &tag[vs..ve]);
            i = ve + 1;
        }
    }
}

/// Visits the document. Returns false when the body does not look like XML at all.
#[inline(never)]
pub fn parse<'a>(body: &'a [u8], f: &mut dyn FnMut(Field<'_>)) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    if body.get(start) != Some(&b'<') {
        return false;
    }
    let mut i = start;
    let mut element: &'a [u8] = b"";
    while i < body.len() {
        let Some(lt) = memchr::memchr(b'<', &body[i..]).map(|p| i + p) else {
            emit(f, TargetKind::ArgValue, element, &body[i..]);
            break;
        };
        emit(f, TargetKind::ArgValue, element, &body[i..lt]);
        let rest = &body[lt..];
        if rest.starts_with(b"<![CDATA[") {
            let s = lt + 9;
            let e = memchr::memmem::find(&body[s..], b"]]>").map_or(body.len(), |p| s + p);
            emit(f, TargetKind::ArgValue, element, &body[s..e]);
            i = (e + 3).min(body.len());
        } else if rest.starts_with(b"<!--") {
            let e = memchr::memmem::find(&body[lt + 4..], b"-->").map_or(body.len(), |p| lt + 4 + p);
            i = (e + 3).min(body.len());
        } else if rest.starts_with(b"<!") {
            // DOCTYPE with internal subset: up to the first "]>" or ">".
            let e = memchr::memmem::find(rest, b"]>")
                .or_else(|| memchr::memchr(b'>', rest))
                .map_or(body.len(), |p| lt + p);
            emit(f, TargetKind::ArgValue, b"!doctype", &body[lt..e]);
            i = (e + 2).min(body.len());
        } else {
            let e = memchr::memchr(b'>', rest).map_or(body.len(), |p| lt + p);
            let tag = &body[lt + 1..e];
            if !tag.starts_with(b"/") && !tag.starts_with(b"?") {
                let name_end = tag
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'/')
                    .unwrap_or(tag.len());
                element = &tag[..name_end];
                attributes(tag, f);
            } else if tag.starts_with(b"?") {
                attributes(tag.strip_suffix(b"?").unwrap_or(tag), f);
            }
            i = e + 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_attrs_cdata_doctype() {
        let body = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r a="1' or 1=1"><b>hi &x;</b><![CDATA[<script>]]></r>"#;
        let mut vals = Vec::new();
        assert!(parse(body, &mut |fl| {
            if fl.kind == TargetKind::ArgValue {
                vals.push(String::from_utf8_lossy(&fl.value).into_owned())
            }
        }));
        assert!(vals.iter().any(|v| v.contains("file:///etc/passwd")));
        assert!(vals.contains(&"1' or 1=1".to_string()));
        assert!(!vals.iter().any(|v| v.contains("&x;") && v.contains("&amp;")));
        assert!(vals.contains(&"hi &x;".to_string()));
        assert!(vals.contains(&"<script>".to_string()));
    }

    #[test]
    fn not_xml() {
        assert!(!parse(b"plain text", &mut |_| {}));
    }
}
