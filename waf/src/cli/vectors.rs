//! Rule test vectors: short TOML files listing attack values that must be blocked and benign values that must
//! pass, each placed in a request part (`in = "query"`, `"form"`, `"json"` …) of an ordinary browser request.
//! `waf/tests/vectors.rs` holds the default rules to them, and `gateway waf-eval --corpus FILE.toml` reports on
//! them like on a JSONL corpus, so a rule file can be tuned with the released binary alone.
//!
//! ```toml
//! [[case]]
//! in = "query"            # query | form | json | path | cookie | filename | header:NAME | body:CONTENT-TYPE
//! attack = ["; cat /etc/passwd"]
//! benign = ["top 10 cat food brands"]
//! paranoia = 1            # optional: the level the attacks are blocked at (default 1)
//! ```

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use super::corpus::{RawParts, Record};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(rename = "in")]
    place: String,
    #[serde(default)]
    attack: Vec<String>,
    #[serde(default)]
    benign: Vec<String>,
    #[serde(default = "one")]
    paranoia: u64,
}

fn one() -> u64 {
    1
}

/// Where a vector's value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// `GET /search?q=VALUE` (percent-encoded).
    Query,
    /// `POST /submit`, urlencoded `q=VALUE`.
    Form,
    /// `POST /api/items`, `{"q": VALUE}`.
    Json,
    /// `GET VALUE` (used as the request target as written).
    Path,
    /// `Cookie: q=VALUE` (as written).
    Cookie,
    /// A multipart upload whose file is named VALUE.
    FileName,
    /// A request header with this (lower-case) name.
    Header(String),
    /// `POST /submit` with this Content-Type and VALUE as the body.
    Body(String),
}

impl Place {
    pub fn parse(s: &str) -> Option<Place> {
        Some(match s {
            "query" => Place::Query,
            "form" => Place::Form,
            "json" => Place::Json,
            "path" => Place::Path,
            "cookie" => Place::Cookie,
            "filename" => Place::FileName,
            _ => {
                if let Some(h) = s.strip_prefix("header:") {
                    Place::Header(h.to_ascii_lowercase())
                } else if let Some(ct) = s.strip_prefix("body:") {
                    Place::Body(ct.to_string())
                } else {
                    return None;
                }
            }
        })
    }
}

/// Percent-encodes everything but RFC 3986 unreserved bytes.
fn pct(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const BOUNDARY: &str = "----VectorBoundary7MA4YWxkTrZu0gW";

/// The request a value becomes: method, target, headers, body.
pub fn request(place: &Place, value: &str) -> RawParts {
    let mut headers: Vec<(String, Vec<u8>)> = [
        ("host", "shop.example.com"),
        (
            "user-agent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("accept-language", "en-US,en;q=0.9"),
        ("accept-encoding", "gzip, deflate, br"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
    .collect();
    let mut post = |ct: &str, body: Vec<u8>| {
        headers.push(("content-type".into(), ct.as_bytes().to_vec()));
        headers.push(("content-length".into(), body.len().to_string().into_bytes()));
        ("POST".to_string(), "/submit".to_string(), body)
    };
    let (method, uri, body) = match place {
        Place::Query => ("GET".into(), format!("/search?q={}", pct(value)), Vec::new()),
        Place::Form => post(
            "application/x-www-form-urlencoded",
            format!("q={}", pct(value)).into_bytes(),
        ),
        Place::Json => post(
            "application/json",
            serde_json::json!({ "q": value }).to_string().into_bytes(),
        ),
        Place::Body(ct) => post(ct, value.as_bytes().to_vec()),
        Place::FileName => post(
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{value}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\nhello\r\n--{BOUNDARY}--\r\n"
            )
            .into_bytes(),
        ),
        Place::Path => ("GET".into(), value.to_string(), Vec::new()),
        Place::Cookie => {
            headers.push(("cookie".into(), format!("q={value}").into_bytes()));
            ("GET".into(), "/".into(), Vec::new())
        }
        Place::Header(name) => {
            headers.retain(|(n, _)| n != name);
            headers.push((name.clone(), value.as_bytes().to_vec()));
            ("GET".into(), "/".into(), Vec::new())
        }
    };
    (method, uri, headers, body)
}

/// Reads a vector file into labelled records (`pl` is the case's paranoia level; benign values carry none).
pub fn read(path: &Path) -> anyhow::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading vectors {}", path.display()))?;
    let file: File = toml::from_str(&text).with_context(|| format!("parsing vectors {}", path.display()))?;
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let mut out = Vec::new();
    for (ci, case) in file.case.iter().enumerate() {
        let place = Place::parse(&case.place)
            .with_context(|| format!("{}: case {}: unknown place {:?}", path.display(), ci + 1, case.place))?;
        let labelled = case
            .attack
            .iter()
            .map(|v| (v, true))
            .chain(case.benign.iter().map(|v| (v, false)));
        for (vi, (value, attack)) in labelled.enumerate() {
            let (method, uri, headers, body) = request(&place, value);
            out.push(Record {
                id: format!("{stem}#{}.{} {} {value:?}", ci + 1, vi + 1, case.place),
                method,
                uri,
                headers,
                body,
                expect_trigger: attack,
                family: format!("{stem} {}", if attack { "attack" } else { "benign" }),
                pl: attack.then_some(case.paranoia),
                is_crs: false,
            });
        }
    }
    Ok(out)
}
