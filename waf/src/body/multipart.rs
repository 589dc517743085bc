//! `multipart/form-data` parser: visits each part's headers, field name, file name and (for non-file parts) the
//! field value. Linear in the body size whatever the boundaries look like.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem;

use super::resume::{BodyResume, LineDelimiter};
use crate::target::{Field, TargetKind};

/// The searchers for a part's blank line, built once: `memmem::find` builds one per call, which cost more than
/// the search in a small part's headers.
static BLANK_CRLF: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"\r\n\r\n"));
static BLANK_LF: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"\n\n"));

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

/// A part's header lines as (name, value), trimmed; lines without a colon are skipped.
fn header_lines(head: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    head.split(|&c| c == b'\n').filter_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let colon = memchr::memchr(b':', line)?;
        Some((line[..colon].trim_ascii(), line[colon + 1..].trim_ascii()))
    })
}

fn file_name(disposition: &[u8]) -> Option<&[u8]> {
    param(disposition, b"filename").or_else(|| param(disposition, b"filename*"))
}

/// Parses the body; `None` when there is no usable boundary or no part. Otherwise the resume point (see
/// [`crate::body::extract`]): just before the delimiter of the last part, which a cut through the body may have
/// left unfinished, or, when that part is a file whose headers are all here, just before the first place a
/// delimiter cut by the end of `body` can start (file content is not inspected, so only the next delimiter
/// matters). `resumed`: `body` starts at such a point, so its first byte is not the start of a line.
///
/// A delimiter counts only at the start of a line, as backends read it (RFC 2046: CRLF, then `--boundary`): a
/// client picks the boundary, and `--boundary--` inside a field value must not end the parse for the WAF only.
/// A part's headers end at its first blank line, CRLF or bare LF, whichever comes first, as LF-tolerant backends
/// (PHP, busboy) read them.
pub fn parse<'a>(
    content_type: &'a [u8],
    body: &'a [u8],
    resumed: bool,
    f: &mut dyn FnMut(Field<'_>),
) -> Option<BodyResume> {
    let b = boundary(content_type)?;
    // `\n--boundary`: the searcher is built once per body and handed on in the resume point.
    let line_delim = LineDelimiter::new(&[&b"\n--"[..], b].concat());
    let delim = &line_delim.bytes()[1..];
    // The next delimiter at or after `from` that starts a line; at the very start of a body that is not a
    // resumed tail, it needs no line break before it.
    let next_delim = |from: usize| {
        if from == 0 && !resumed && body.starts_with(delim) {
            return Some(0);
        }
        let start = from.saturating_sub(1);
        line_delim.find(&body[start..]).map(|p| start + p + 1)
    };
    let mut at = next_delim(0)?;
    let mut parts = 0usize;
    let resume = loop {
        let pos = at + delim.len();
        if body[pos..].starts_with(b"--") {
            break BodyResume::at(at.saturating_sub(1));
        }
        // Skip the rest of the delimiter line.
        let Some(nl) = memchr::memchr(b'\n', &body[pos..]) else {
            break BodyResume::at(at.saturating_sub(1));
        };
        let start = pos + nl + 1;
        let next = next_delim(start);
        let end = next.unwrap_or(body.len());
        let part = &body[start..end];
        // Content ends before the CRLF that precedes the next delimiter.
        let part = part
            .strip_suffix(b"\r\n")
            .or_else(|| part.strip_suffix(b"\n"))
            .unwrap_or(part);
        // A bare-LF blank line counts only before the first CRLF one: searched there, not through a file's content.
        let crlf = BLANK_CRLF.find(part);
        let lf_zone = crlf.map_or(part, |p| &part[..p + 2]);
        let blank = match BLANK_LF.find(lf_zone) {
            Some(p) => Some((p, p + 2)),
            None => crlf.map(|p| (p, p + 4)),
        };
        let (head, content) = match blank {
            Some((h, c)) => (&part[..h], &part[c..]),
            None => (part, &b""[..]),
        };
        let mut name: &[u8] = b"";
        let mut filename: Option<&[u8]> = None;
        for (hname, hval) in header_lines(head) {
            f(field(TargetKind::PartHeader, hname, hval));
            if hname.eq_ignore_ascii_case(b"content-disposition") {
                name = param(hval, b"name").unwrap_or(b"");
                filename = file_name(hval);
            }
        }
        f(field(TargetKind::ArgName, name, name));
        match filename {
            Some(fname) => f(field(TargetKind::FileName, name, fname)),
            None => f(field(TargetKind::ArgValue, name, content)),
        }
        parts += 1;
        match (next, blank) {
            (Some(n), _) => at = n,
            (None, Some((_, content_at))) if filename.is_some() => {
                // A blank line wholly before the cut is the first one of the whole part too. One byte before the
                // earliest delimiter the cut can go through, or before the content: the line start it needs.
                let content_start = start + content_at;
                break BodyResume {
                    offset: (body.len().saturating_sub(delim.len())).max(content_start - 1),
                    skip_to: Some(line_delim.clone()),
                };
            }
            // One byte back: the second pass sees that the delimiter starts a line.
            (None, _) => break BodyResume::at(at.saturating_sub(1)),
        }
    };
    (parts > 0).then_some(resume)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files() {
        let ct = b"multipart/form-data; boundary=\"XyZ\"";
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1' or '1'='1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"shell;.php\"\r\nContent-Type: text/plain\r\n\r\nGIF89a<?php\r\n--XyZ--\r\n";
        let mut got = Vec::new();
        assert!(parse(ct, body, false, &mut |fl| got
            .push((fl.kind, String::from_utf8_lossy(&fl.value).into_owned())))
        .is_some());
        assert!(got.contains(&(TargetKind::ArgValue, "1' or '1'='1".into())));
        assert!(got.contains(&(TargetKind::FileName, "shell;.php".into())));
        assert!(got.contains(&(TargetKind::PartHeader, "text/plain".into())));
        assert!(!got.iter().any(|g| g.1.contains("GIF89a")));
    }

    /// A body of text fields and files, cut at every offset: the first pass over the prefix and a second pass
    /// from the resume point together see every field the whole body has.
    #[test]
    fn resuming_at_every_cut_sees_every_field() {
        let ct = b"multipart/form-data; boundary=b0undary";
        let body = b"preamble\r\n--b0undary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday\r\n\
--b0undary\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\
JFIFdata--b0undar not yet--b0undary--X\r\nmore data\r\n\
--b0undary\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n1' or '1'='1 --b0undary-- still q\r\n\
--b0undary\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"e.txt\"\r\n\r\n\
--b0undary\r\nContent-Disposition: form-data; name=\"lf\"; filename=\"f.txt\"\n\nX-Note: 1\r\n\
Content-Disposition: form-data; name=\"sneaky\"\r\n\r\nfile text\r\n\
--b0undary\r\nContent-Disposition: form-data; name=\"up2\"; filename=\"shell.php\"\r\n\r\n<?php\r\n\
--b0undary--\r\n";
        let fields = |b: &[u8], resumed: bool| {
            let mut v = Vec::new();
            let r = crate::body::extract(ct, b, false, resumed, &mut |f| {
                v.push((f.kind, f.name.into_owned(), f.value.into_owned()))
            });
            (v, r)
        };
        let whole = fields(body, false).0;
        // A delimiter in the middle of a line is field text; the first blank line ends a part's headers.
        let has = |kind: TargetKind, v: &[u8]| whole.iter().any(|f| f.0 == kind && f.2 == v);
        assert!(has(TargetKind::ArgValue, b"1' or '1'='1 --b0undary-- still q"));
        assert!(has(TargetKind::FileName, b"f.txt"));
        assert!(has(TargetKind::FileName, b"e.txt"));
        assert!(has(TargetKind::FileName, b"shell.php"));
        assert!(!whole.iter().any(|f| f.2 == b"file text"));
        for cut in 1..body.len() {
            let (first, resume) = fields(&body[..cut], false);
            let resume = resume.unwrap_or(BodyResume::at(0));
            let r = resume.offset;
            assert!(r <= cut, "cut {cut}: resume {r}");
            // The second pass from the resume point, and, inside a file's content, from the next delimiter line
            // (what a streaming caller keeps): both see every field the first pass missed.
            let mut starts = vec![r];
            if let Some(d) = &resume.skip_to {
                starts.push(d.find(&body[r..]).map_or(body.len(), |p| r + p));
            }
            for start in starts {
                let mut seen = first.clone();
                seen.extend(fields(&body[start..], start > 0).0);
                for f in &whole {
                    assert!(seen.contains(f), "cut {cut}, resume {r}, start {start}: {f:?} not seen");
                }
            }
        }
        // Past a file part's headers the second pass skips its content.
        let cut = memmem::find(body, b"data--b0undar not").unwrap_or(0) + 4;
        let resume = fields(&body[..cut], false).1.unwrap_or(BodyResume::at(0));
        assert!(resume.offset > cut - 12);
        assert_eq!(
            resume.skip_to.as_ref().map(LineDelimiter::bytes),
            Some(&b"\n--b0undary"[..])
        );
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
        assert!(parse(b"multipart/form-data", b"--x\r\n\r\n", false, &mut |_| {}).is_none());
        assert!(parse(b"multipart/form-data; boundary=q", b"nothing here", false, &mut |_| {}).is_none());
    }

    #[test]
    fn pathological_boundaries_are_linear() {
        let body = b"--a\n".repeat(200_000);
        let mut n = 0;
        assert!(parse(b"multipart/form-data; boundary=a", &body, false, &mut |_| n += 1).is_some());
        assert!(n > 0);
    }
}
