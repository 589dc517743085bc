//! Request body parsers by content type. Each parser is iterative and linear in the body size, tolerates
//! truncated input (a body cut at the inspection limit), and falls back to raw inspection when it cannot parse.

mod json;
mod multipart;
mod xml;

use std::borrow::Cow;

pub use multipart::boundary as multipart_boundary;

use crate::target::{split_urlencoded, Field, TargetKind};

/// Kind of body parser chosen by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    UrlEncoded,
    Multipart,
    Json,
    Xml,
    /// Media and archives (images, audio, video, fonts, octet streams, protobuf, zip, pdf): not text, so not
    /// inspected — regexes over compressed bytes only find noise.
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
    } else if lower.ends_with(b"/json") || lower.ends_with(b"+json") || lower == b"application/x-ndjson" {
        BodyKind::Json
    } else if lower.ends_with(b"/xml") || lower.ends_with(b"+xml") {
        BodyKind::Xml
    } else if [&b"image/"[..], b"audio/", b"video/", b"font/"]
        .iter()
        .any(|p| lower.starts_with(p))
        || [
            &b"application/octet-stream"[..],
            b"application/zip",
            b"application/gzip",
            b"application/x-gzip",
            b"application/pdf",
            b"application/x-protobuf",
            b"application/protobuf",
            b"application/grpc",
            b"application/grpc+proto",
            b"application/x-tar",
            b"application/x-7z-compressed",
            b"application/wasm",
        ]
        .contains(&lower.as_slice())
    {
        BodyKind::Binary
    } else {
        BodyKind::Raw
    }
}

fn raw<'a>(body: &'a [u8], f: &mut dyn FnMut(Field<'a>)) {
    f(Field {
        kind: TargetKind::Body,
        name: Cow::Borrowed(&b""[..]),
        value: Cow::Borrowed(body),
    });
}

/// Parses `body` by its content type and visits every field. `truncated` says the body was cut short.
pub fn extract<'a>(content_type: &'a [u8], body: &'a [u8], truncated: bool, f: &mut dyn FnMut(Field<'a>)) {
    match kind_of(content_type) {
        BodyKind::UrlEncoded => split_urlencoded(body, |n, v| {
            f(Field {
                kind: TargetKind::ArgName,
                name: n.clone(),
                value: n.clone(),
            });
            f(Field {
                kind: TargetKind::ArgValue,
                name: n,
                value: v,
            });
        }),
        BodyKind::Multipart => {
            if !multipart::parse(content_type, body, f) {
                raw(body, f);
            }
        }
        BodyKind::Json => {
            if !json::parse(body, f) && !truncated {
                raw(body, f);
            }
        }
        BodyKind::Xml => {
            if !xml::parse(body, f) {
                raw(body, f);
            }
        }
        BodyKind::Binary => {}
        BodyKind::Raw => raw(body, f),
    }
}
