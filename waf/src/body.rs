//! Request body parsers by content type. Each parser is iterative and linear in the body size, tolerates
//! truncated input (a body cut at the inspection limit), and falls back to raw inspection when it cannot parse.

mod json;
mod multipart;
mod resume;
mod xml;

use std::borrow::Cow;

pub use multipart::boundary as multipart_boundary;
pub use resume::{BodyResume, DelimiterSkip, LineDelimiter};

use crate::target::{urlencoded_fields, Field, TargetKind};

/// Kind of body parser chosen by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    UrlEncoded,
    Multipart,
    Json,
    Xml,
    /// Media, archives, office files, serialisations (see `is_binary`): not text, so not inspected.
    Binary,
    Raw,
}

/// Chooses the parser for a `Content-Type` header value.
pub fn kind_of(content_type: &[u8]) -> BodyKind {
    let ct = content_type.trim_ascii_start();
    let main = ct.split(|&b| b == b';').next().unwrap_or(b"").trim_ascii();
    let lower = main.to_ascii_lowercase();
    if lower == b"application/x-www-form-urlencoded" {
        BodyKind::UrlEncoded
    } else if lower.starts_with(b"multipart/") {
        BodyKind::Multipart
    } else if lower.ends_with(b"/json")
        || lower.ends_with(b"+json")
        || lower == b"application/x-ndjson"
        || lower == b"application/csp-report"
    {
        BodyKind::Json
    } else if lower.ends_with(b"/xml") || lower.ends_with(b"+xml") {
        BodyKind::Xml
    } else if is_binary(&lower) {
        BodyKind::Binary
    } else {
        BodyKind::Raw
    }
}

/// Media types whose bodies are not text: media, archives and office files, serialisations (protobuf,
/// msgpack, CBOR, gRPC) and resumable-upload chunks. Their bytes only make regexes find noise, and their
/// strings are not what a server-side parser hands the application as text. (Lower-case type without
/// parameters.)
fn is_binary(t: &[u8]) -> bool {
    let starts = |p: &[u8]| t.starts_with(p);
    let ends = |p: &[u8]| t.ends_with(p);
    let has = |p: &[u8]| t.windows(p.len()).any(|w| w == p);
    [&b"image/"[..], b"audio/", b"video/", b"font/", b"model/"]
        .iter()
        .any(|p| starts(p))
        || has(b"octet-stream")
        || [
            &b"+proto"[..],
            b"+zip",
            b"+gzip",
            b"-compressed",
            b"msgpack",
            b"+cbor",
            b"/cbor",
        ]
        .iter()
        .any(|p| ends(p))
        || starts(b"application/grpc")
        || starts(b"application/vnd.openxmlformats-officedocument.")
        || starts(b"application/vnd.oasis.opendocument.")
        || starts(b"application/vnd.ms-")
        || [
            &b"application/zip"[..],
            b"application/gzip",
            b"application/x-gzip",
            b"application/x-bzip2",
            b"application/x-xz",
            b"application/zstd",
            b"application/x-rar",
            b"application/vnd.rar",
            b"application/x-tar",
            b"application/x-7z-compressed",
            b"application/java-archive",
            b"application/vnd.android.package-archive",
            b"application/msword",
            b"application/pdf",
            b"application/x-protobuf",
            b"application/protobuf",
            b"application/wasm",
            b"application/x-msdownload",
            b"application/x-apple-diskimage",
            b"application/x-iso9660-image",
            b"application/vnd.sqlite3",
            b"application/x-sqlite3",
        ]
        .contains(&t)
}

/// What a body labelled as text or binary really is when it is a JSON document or a form. Many backends parse a
/// body whatever its `Content-Type` (Go's `json.Decoder`, Express with `type: '*/*'`, Flask's
/// `get_json(force=True)`, PHP reading `php://input`), so relabelling a payload `text/plain` or
/// `application/octet-stream` must not take it past the rules on arguments. Only text qualifies (a prefix with
/// no control bytes other than tab and line ends), so media, archives and protobuf keep their kind.
fn sniff(body: &[u8]) -> Option<BodyKind> {
    const PREFIX: usize = 512;
    let head = &body[..body.len().min(PREFIX)];
    if head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f)
    {
        return None;
    }
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if matches!(head[start], b'{' | b'[') {
        return Some(BodyKind::Json);
    }
    // A form is one line of printable ASCII (spaces travel as `+`) that starts with `name=`.
    let eq = memchr::memchr(b'=', head)?;
    let name_ok = eq > 0
        && head[..eq]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']' | b'%'));
    (name_ok && body.iter().all(|&b| b.is_ascii_graphic())).then_some(BodyKind::UrlEncoded)
}

fn raw<'a>(body: &'a [u8], f: &mut dyn FnMut(Field<'_>)) {
    f(Field {
        kind: TargetKind::Body,
        name: Cow::Borrowed(&b""[..]),
        value: Cow::Borrowed(body),
    });
}

/// Parses `body` by its content type and visits every field. `truncated` says the body was cut short;
/// `resumed` that it starts at a resume point, where a multipart tail may hold no delimiter and is still not raw
/// text.
///
/// Returns the resume point: where a second pass over the rest of a body cut at the end of `body` must start so
/// that the two passes together see every field (`None`: the rest of a body of this type is not inspected at
/// all). Multipart and form bodies resume at the part or pair the cut may go through (inside the content of a
/// file part, which is not inspected, at the next delimiter line: see [`BodyResume::skip_to`]); other types are
/// parsed again from the start.
pub fn extract<'a>(
    content_type: &'a [u8],
    body: &'a [u8],
    truncated: bool,
    resumed: bool,
    f: &mut dyn FnMut(Field<'_>),
) -> Option<BodyResume> {
    let declared = kind_of(content_type);
    let kind = match declared {
        BodyKind::Raw | BodyKind::Binary => sniff(body).unwrap_or(declared),
        _ => declared,
    };
    let offset = match kind {
        BodyKind::UrlEncoded => {
            urlencoded_fields(body, f);
            memchr::memrchr(b'&', body).map_or(0, |p| p + 1)
        }
        BodyKind::Multipart => {
            if let Some(r) = multipart::parse(content_type, body, resumed, f) {
                return Some(r);
            }
            // No part: inspected raw, unless this is a resumed tail (the rest of a file's content).
            if !resumed {
                raw(body, f);
            }
            0
        }
        BodyKind::Json => {
            // A declared JSON body cut at the limit may end in a broken token; a sniffed one that does not parse
            // was text that starts with a bracket, and is inspected as such.
            if !json::parse(body, f) && (!truncated || declared != BodyKind::Json) {
                raw(body, f);
            }
            0
        }
        BodyKind::Xml => {
            if !xml::parse(body, f) {
                raw(body, f);
            }
            0
        }
        BodyKind::Binary => return None,
        BodyKind::Raw => {
            raw(body, f);
            0
        }
    };
    Some(BodyResume::at(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_choose_parsers() {
        for (ct, kind) in [
            (&b"application/json; charset=utf-8"[..], BodyKind::Json),
            (b"application/vnd.api+json", BodyKind::Json),
            (b"application/csp-report", BodyKind::Json),
            (b"application/soap+xml", BodyKind::Xml),
            (b"Multipart/Form-Data; boundary=x", BodyKind::Multipart),
            (b"application/x-www-form-urlencoded", BodyKind::UrlEncoded),
            (b"text/plain", BodyKind::Raw),
            (b"application/graphql", BodyKind::Raw),
            (b"application/offset+octet-stream", BodyKind::Binary),
            (b"application/x-zip-compressed", BodyKind::Binary),
            (
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                BodyKind::Binary,
            ),
            (b"application/vnd.ms-excel", BodyKind::Binary),
            (b"application/epub+zip", BodyKind::Binary),
            (b"application/x-msgpack", BodyKind::Binary),
            (b"application/grpc-web+proto", BodyKind::Binary),
            (b"image/png", BodyKind::Binary),
        ] {
            assert_eq!(kind_of(ct), kind, "{}", String::from_utf8_lossy(ct));
        }
    }

    /// Fields and raw bodies `extract` visits, as (kind, name, value) strings.
    fn fields(ct: &str, body: &[u8]) -> Vec<(TargetKind, String, String)> {
        let mut out = Vec::new();
        extract(ct.as_bytes(), body, false, false, &mut |f| {
            out.push((
                f.kind,
                String::from_utf8_lossy(&f.name).into_owned(),
                String::from_utf8_lossy(&f.value).into_owned(),
            ))
        });
        out
    }

    #[test]
    fn relabelled_json_and_forms_are_parsed_as_what_they_are() {
        for ct in ["text/plain", "application/octet-stream", "", "application/x-foo"] {
            let got = fields(ct, b" {\"q\": \"1 union select 1\"}");
            assert!(
                got.contains(&(TargetKind::ArgValue, "q".into(), "1 union select 1".into())),
                "{ct}: {got:?}"
            );
            assert!(
                !got.iter().any(|f| f.0 == TargetKind::Body),
                "{ct}: no raw pass: {got:?}"
            );
            let got = fields(ct, b"user=admin&pass=x%27+or+1%3D1");
            assert!(
                got.contains(&(TargetKind::ArgValue, "pass".into(), "x' or 1=1".into())),
                "{ct}: {got:?}"
            );
        }
    }

    #[test]
    fn binary_and_prose_keep_their_kind() {
        // PNG, protobuf and gzip bytes: not inspected at all.
        for body in [
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
            b"\x08\x96\x01\x12\x07{\"a\":1}",
            b"\x1f\x8b\x08\0{\"q\":1}",
        ] {
            assert!(fields("application/octet-stream", body).is_empty());
        }
        // Text that starts with a bracket but is no JSON is inspected raw, even when cut at the limit.
        let mut got = Vec::new();
        extract(b"text/plain", b"[INFO] ; cat /etc/passwd", true, false, &mut |f| {
            got.push(f.kind)
        });
        assert!(got.contains(&TargetKind::Body), "{got:?}");
        // Text that is no form (spaces, several lines, no `name=`) stays one raw body.
        for body in [&b"hello world"[..], b"v=2&tid=G-1\nv=2&tid=G-2", b"=x&y=1", b"a b=c"] {
            let got = fields("text/plain", body);
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, TargetKind::Body);
        }
    }
}
