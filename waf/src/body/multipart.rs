//! `multipart/form-data` parser: visits each part's headers, field name, file name and (for non-file parts) the
//! field value. Linear in the body size whatever the boundaries look like.

use std::borrow::Cow;

use memchr::memmem;

use crate::target::{Field, TargetKind};

/// The `boundary` parameter of a Content-Type value.
pub fn boundary(content_type: &[u8]) -> Option<&[u8]> {
    let lower = content_type.to_ascii_lowercase();
    let p = memmem::find(&lower, b"boundary=")?;
    let v = &content_type[p + 9..];
    let v = if let Some(q) = v.strip_prefix(b"\"") {
        &q[..memchr::memchr(b'"', q)?]
    } else {
        let end = v
            .iter()
            .position(|&b| b == b';' || b == b',' || b.is_ascii_whitespace())
            .unwrap_or(v.len());
        &v[..end]
    };
    (!v.is_empty() && v.len() <= 200).then_some(v)
}

/// Value of `param=` (quoted or not) in a header value such as Content-Disposition. Quoted values may hold `;`.
fn param<'a>(header: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < header.len() {
        while i < header.len() && (header[i] == b';' || header[i].is_ascii_whitespace()) {
            i += 1;
        }
        let ks = i;
        while i < header.len() && header[i] != b'=' && header[i] != b';' {
            i += 1;
        }
        let key = header[ks..i].trim_ascii();
        if header.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < header.len() && header[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if header.get(i) == Some(&b'"') {
            let vs = i + 1;
            let mut j = vs;
            while j < header.len() && header[j] != b'"' {
                j += if header[j] == b'\\' { 2 } else { 1 };
            }
            let ve = j.min(header.len());
            i = (j + 1).min(header.len());
            &header[vs..ve]
        } else {
            let vs = i;
            while i < header.len() && header[i] != b';' {
                i += 1;
            }
            header[vs..i].trim_ascii()
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
    }
    None
}

fn field<'a>(kind: TargetKind, name: &'a [u8], value: &'a [u8]) -> Field<'a> {
    Field {
        kind,
        name: Cow::Borrowed(name),
        value: Cow::Borrowed(value),
    }
}

/// Parses the body; false when there is no usable boundary or no part.
pub fn parse<'a>(content_type: &'a [u8], body: &'a [u8], f: &mut dyn FnMut(Field<'a>)) -> bool {
    let Some(b) = boundary(content_type) else { return false };
    let mut delim = Vec::with_capacity(b.len() + 2);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(b);
    let finder = memmem::Finder::new(&delim);
    let Some(first) = finder.find(body) else { return false };
    let mut pos = first + delim.len();
    let mut parts = 0usize;
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        // Skip the rest of the delimiter line.
        let Some(nl) = memchr::memchr(b'\n', &body[pos..]) else {
            break;
        };
        let start = pos + nl + 1;
        let next = finder.find(&body[start..]).map(|p| start + p);
        let end = next.unwrap_or(body.len());
        let part = &body[start..end];
        // Content ends before the CRLF that precedes the next delimiter.
        let part = part
            .strip_suffix(b"\r\n")
            .or_else(|| part.strip_suffix(b"\n"))
            .unwrap_or(part);
        let (head, content) = match memmem::find(part, b"\r\n\r\n") {
            Some(p) => (&part[..p], &part[p + 4..]),
            None => match memmem::find(part, b"\n\n") {
                Some(p) => (&part[..p], &part[p + 2..]),
                None => (part, &b""[..]),
            },
        };
        let mut name: &[u8] = b"";
        let mut filename: Option<&[u8]> = None;
        for line in head.split(|&c| c == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            let hname = line[..colon].trim_ascii();
            let hval = line[colon + 1..].trim_ascii();
            f(field(TargetKind::PartHeader, hname, hval));
            if hname.eq_ignore_ascii_case(b"content-disposition") {
                name = param(hval, b"name").unwrap_or(b"");
                filename = param(hval, b"filename").or_else(|| param(hval, b"filename*"));
            }
        }
        f(field(TargetKind::ArgName, name, name));
        match filename {
            Some(fname) => f(field(TargetKind::FileName, name, fname)),
            None => f(field(TargetKind::ArgValue, name, content)),
        }
        parts += 1;
        match next {
            Some(n) => pos = n + delim.len(),
            None => break,
        }
    }
    parts > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files() {
        let ct = b"multipart/form-data; boundary=\"XyZ\"";
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1' or '1'='1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"shell;.php\"\r\nContent-Type: text/plain\r\n\r\nGIF89a<?php\r\n--XyZ--\r\n";
        let mut got = Vec::new();
        assert!(parse(ct, body, &mut |fl| got
            .push((fl.kind, String::from_utf8_lossy(&fl.value).into_owned()))));
        assert!(got.contains(&(TargetKind::ArgValue, "1' or '1'='1".into())));
        assert!(got.contains(&(TargetKind::FileName, "shell;.php".into())));
        assert!(got.contains(&(TargetKind::PartHeader, "text/plain".into())));
        assert!(!got.iter().any(|g| g.1.contains("GIF89a")));
    }

    #[test]
    fn quoted_params() {
        let h = b"form-data; name=\";zz=zz\"; filename=\"a b.txt\"";
        assert_eq!(param(h, b"name"), Some(&b";zz=zz"[..]));
        assert_eq!(param(h, b"filename"), Some(&b"a b.txt"[..]));
        assert_eq!(param(b"form-data; name=x", b"name"), Some(&b"x"[..]));
    }

    #[test]
    fn no_boundary() {
        assert!(!parse(b"multipart/form-data", b"--x\r\n\r\n", &mut |_| {}));
        assert!(!parse(b"multipart/form-data; boundary=q", b"nothing here", &mut |_| {}));
    }

    #[test]
    fn pathological_boundaries_are_linear() {
        let body = b"--a\n".repeat(200_000);
        let mut n = 0;
        assert!(parse(b"multipart/form-data; boundary=a", &body, &mut |_| n += 1));
        assert!(n > 0);
    }
}
