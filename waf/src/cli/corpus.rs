//! Reads JSONL request corpora (`../shared/corpus/README.md` format) into owned requests the engine can inspect.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

/// One labelled request from a corpus.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub method: String,
    pub uri: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub expect_trigger: bool,
    /// CRS family (`942 SQLI`) or the corpus label (`csic normal`).
    pub family: String,
    /// CRS paranoia level of the rule under test.
    pub pl: Option<u64>,
    pub is_crs: bool,
}

/// Latin-1 strings (as the corpora store them) back to bytes; other characters as UTF-8.
fn latin1(s: &str) -> Vec<u8> {
    if s.chars().all(|c| (c as u32) < 256) {
        s.chars().map(|c| c as u32 as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    crate::decode::base64_decode(&clean)
}

/// Method, target, headers and body of a raw request.
pub(crate) type RawParts = (String, String, Vec<(String, Vec<u8>)>, Vec<u8>);

fn parse_raw(raw: &[u8]) -> Option<RawParts> {
    let head_end = memchr::memmem::find(raw, b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| memchr::memmem::find(raw, b"\n\n").map(|p| (p, p + 2)));
    let (head, body) = match head_end {
        Some((h, b)) => (&raw[..h], raw[b..].to_vec()),
        None => (raw, Vec::new()),
    };
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = String::from_utf8_lossy(lines.next()?).into_owned();
    let mut parts = first.split(' ');
    let method = parts.next()?.to_string();
    let uri = parts.next().unwrap_or("/").to_string();
    let headers = lines
        .filter_map(|l| {
            let c = memchr::memchr(b':', l)?;
            Some((
                String::from_utf8_lossy(&l[..c]).trim().to_ascii_lowercase(),
                l[c + 1..].trim_ascii().to_vec(),
            ))
        })
        .collect();
    Some((method, uri, headers, body))
}

fn headers_of(v: &Value) -> Vec<(String, Vec<u8>)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        latin1(v.as_str().map_or(v.to_string(), str::to_string).as_str()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Converts one JSON record.
pub fn record(v: &Value) -> Option<Record> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let is_crs = v.get("rule").is_some();
    let id = s("id").map_or_else(|| v.get("id").map(Value::to_string).unwrap_or_default(), str::to_string);
    let (method, uri, headers, body) = if v.get("encoded").and_then(Value::as_bool) == Some(true) {
        parse_raw(&b64(s("raw_request_b64")?)?)?
    } else {
        let hdrs = if is_crs {
            v.get("headers_wire").unwrap_or(&Value::Null)
        } else {
            v.get("headers")?
        };
        let body = if is_crs { s("body_wire") } else { s("body") };
        (
            s("method")?.to_string(),
            s("uri")?.to_string(),
            headers_of(hdrs),
            body.map(latin1).unwrap_or_default(),
        )
    };
    let family = match s("family") {
        Some(f) => f.to_string(),
        None => format!(
            "{} {}",
            if id.starts_with("csic") { "csic" } else { "corpus" },
            s("label").unwrap_or(if v.get("expect_trigger").and_then(Value::as_bool) == Some(true) {
                "attack"
            } else {
                "benign"
            })
        ),
    };
    Some(Record {
        id,
        method,
        uri,
        headers,
        body,
        expect_trigger: v.get("expect_trigger").and_then(Value::as_bool).unwrap_or(false),
        family,
        pl: v.get("pl").and_then(Value::as_u64),
        is_crs,
    })
}

/// Reads a JSONL file; unparsable lines are counted, not fatal.
pub fn read(path: &Path) -> anyhow::Result<(Vec<Record>, usize)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading corpus {}", path.display()))?;
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Value>(line).ok().as_ref().and_then(record) {
            Some(r) => out.push(r),
            None => bad += 1,
        }
    }
    Ok((out, bad))
}
