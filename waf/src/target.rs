//! Request targets: splits a [`RequestView`] into the values rules inspect (method, path, query, every argument,
//! cookies, headers, body fields by content type), handed one at a time to a visitor so nothing is collected.

use std::borrow::Cow;

use crate::body;
use crate::decode;
use crate::RequestView;

/// The kind of request part a value comes from. Rule files name them (see [`TargetKind::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetKind {
    Method,
    /// Path as sent (percent-encoding untouched).
    Path,
    /// Whole request target as sent.
    Uri,
    /// Query string as sent.
    Query,
    /// Argument names: query, urlencoded/multipart fields, JSON keys, XML element/attribute names.
    ArgName,
    /// Argument values (decoded once by their own encoding).
    ArgValue,
    CookieName,
    CookieValue,
    HeaderName,
    /// Header values (except `cookie`, which is split into cookies).
    HeaderValue,
    /// Multipart file names.
    FileName,
    /// Headers inside multipart parts (`content-type`, `content-disposition` …).
    PartHeader,
    /// Body of a content type with no parser (text, unknown), or of a body its parser rejected.
    Body,
}

impl TargetKind {
    pub const ALL: [TargetKind; 13] = [
        TargetKind::Method,
        TargetKind::Path,
        TargetKind::Uri,
        TargetKind::Query,
        TargetKind::ArgName,
        TargetKind::ArgValue,
        TargetKind::CookieName,
        TargetKind::CookieValue,
        TargetKind::HeaderName,
        TargetKind::HeaderValue,
        TargetKind::FileName,
        TargetKind::PartHeader,
        TargetKind::Body,
    ];

    /// Parses a rule-file target name: `method`, `path`, `uri`, `query`, `args`, `args_names`, `cookies`,
    /// `cookie_names`, `headers`, `header_names`, `files`, `part_headers`, `body`; `header:NAME` selects one header
    /// (returned as `HeaderValue` with a name filter).
    pub fn parse(s: &str) -> Option<(TargetKind, Option<String>)> {
        if let Some(name) = s.strip_prefix("header:") {
            return Some((TargetKind::HeaderValue, Some(name.to_ascii_lowercase())));
        }
        if let Some(name) = s.strip_prefix("args:") {
            return Some((TargetKind::ArgValue, Some(name.to_string())));
        }
        let k = match s {
            "method" => TargetKind::Method,
            "path" => TargetKind::Path,
            "uri" => TargetKind::Uri,
            "query" => TargetKind::Query,
            "args" => TargetKind::ArgValue,
            "args_names" => TargetKind::ArgName,
            "cookies" => TargetKind::CookieValue,
            "cookie_names" => TargetKind::CookieName,
            "headers" => TargetKind::HeaderValue,
            "header_names" => TargetKind::HeaderName,
            "files" => TargetKind::FileName,
            "part_headers" => TargetKind::PartHeader,
            "body" => TargetKind::Body,
            _ => return None,
        };
        Some((k, None))
    }

    /// Label used in [`crate::RuleMatch::target`], CRS style.
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Method => "REQUEST_METHOD",
            TargetKind::Path => "REQUEST_FILENAME",
            TargetKind::Uri => "REQUEST_URI",
            TargetKind::Query => "QUERY_STRING",
            TargetKind::ArgName => "ARGS_NAMES",
            TargetKind::ArgValue => "ARGS",
            TargetKind::CookieName => "REQUEST_COOKIES_NAMES",
            TargetKind::CookieValue => "REQUEST_COOKIES",
            TargetKind::HeaderName => "REQUEST_HEADERS_NAMES",
            TargetKind::HeaderValue => "REQUEST_HEADERS",
            TargetKind::FileName => "FILES",
            TargetKind::PartHeader => "MULTIPART_PART_HEADERS",
            TargetKind::Body => "REQUEST_BODY",
        }
    }

    /// True for targets that come from the body (inspected again on the body-only pass).
    pub fn from_body(self) -> bool {
        matches!(self, TargetKind::Body | TargetKind::FileName | TargetKind::PartHeader)
    }
}

/// One value to inspect.
#[derive(Debug)]
pub struct Field<'a> {
    pub kind: TargetKind,
    /// Argument / header / cookie name where there is one (empty otherwise).
    pub name: Cow<'a, [u8]>,
    pub value: Cow<'a, [u8]>,
}

/// Splits `a=1&b=2` into decoded (name, value) pairs. A part without `=` is a name with an empty value. Decoded
/// names and values are lent from two buffers reused for every pair: a query string or form holds dozens of
/// escaped values, and each used to be a new allocation.
pub fn split_urlencoded(s: &[u8], mut f: impl FnMut(&[u8], &[u8])) {
    let (mut name_buf, mut value_buf) = (Vec::new(), Vec::new());
    for part in s.split(|&b| b == b'&') {
        if part.is_empty() {
            continue;
        }
        let (n, v) = match memchr::memchr(b'=', part) {
            Some(eq) => (&part[..eq], &part[eq + 1..]),
            None => (part, &b""[..]),
        };
        f(decoded(n, &mut name_buf), decoded(v, &mut value_buf));
    }
}

/// `x` URL-decoded (`+` as space) into `buf`, or `x` itself when it holds no escape.
fn decoded<'b>(x: &'b [u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
    if decode::url_decode_into(x, true, buf) {
        buf
    } else {
        x
    }
}

/// Visits each argument of `a=1&b=2` as its name (an `ArgName` field) and its value (an `ArgValue` field).
pub fn urlencoded_fields(s: &[u8], f: &mut dyn FnMut(Field<'_>)) {
    split_urlencoded(s, |n, v| {
        f(Field {
            kind: TargetKind::ArgName,
            name: Cow::Borrowed(n),
            value: Cow::Borrowed(n),
        });
        f(Field {
            kind: TargetKind::ArgValue,
            name: Cow::Borrowed(n),
            value: Cow::Borrowed(v),
        });
    });
}

/// Header value by (lower-case) name, first occurrence.
pub fn header<'a>(req: &RequestView<'a>, name: &str) -> Option<&'a [u8]> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// The request-line targets: method, whole target, path and raw query. Returns the query.
pub fn for_each_line_field<'a>(req: &RequestView<'a>, f: &mut dyn FnMut(Field<'_>)) -> Option<&'a [u8]> {
    let uri = req.uri.as_bytes();
    let (path, query) = match memchr::memchr(b'?', uri) {
        Some(q) => (&uri[..q], Some(&uri[q + 1..])),
        None => (uri, None),
    };
    let plain = |kind, value: &'a [u8]| Field {
        kind,
        name: Cow::Borrowed(&b""[..]),
        value: Cow::Borrowed(value),
    };
    f(plain(TargetKind::Method, req.method.as_bytes()));
    f(plain(TargetKind::Uri, uri));
    f(plain(TargetKind::Path, path));
    if let Some(q) = query {
        f(plain(TargetKind::Query, q));
    }
    query
}

/// Visits every inspectable value of the request. `body_limit` caps how much of the body is parsed.
/// Returns the body's resume point (see [`body::extract`]).
pub fn for_each_field(
    req: &RequestView<'_>,
    body_limit: usize,
    f: &mut dyn FnMut(Field<'_>),
) -> Option<body::BodyResume> {
    for_each_head_field(req, f);
    for_each_body_field(req, body_limit, f)
}

/// Visits the values of the request line and headers: method, target, path, query and its arguments, header
/// names and values, cookies. Nothing on the body-only pass.
pub fn for_each_head_field(req: &RequestView<'_>, f: &mut dyn FnMut(Field<'_>)) {
    if !req.body_only {
        if let Some(q) = for_each_line_field(req, f) {
            urlencoded_fields(q, f);
        }
        for (name, value) in req.headers {
            let n = name.as_bytes();
            f(Field {
                kind: TargetKind::HeaderName,
                name: Cow::Borrowed(n),
                value: Cow::Borrowed(n),
            });
            if name.eq_ignore_ascii_case("cookie") {
                for c in value.split(|&b| b == b';') {
                    let c = c.trim_ascii();
                    if c.is_empty() {
                        continue;
                    }
                    let (cn, cv) = match memchr::memchr(b'=', c) {
                        Some(eq) => (&c[..eq], &c[eq + 1..]),
                        None => (c, &b""[..]),
                    };
                    f(Field {
                        kind: TargetKind::CookieName,
                        name: Cow::Borrowed(cn),
                        value: Cow::Borrowed(cn),
                    });
                    f(Field {
                        kind: TargetKind::CookieValue,
                        name: Cow::Borrowed(cn),
                        value: Cow::Borrowed(cv),
                    });
                }
            } else {
                f(Field {
                    kind: TargetKind::HeaderValue,
                    name: Cow::Borrowed(n),
                    value: Cow::Borrowed(value),
                });
            }
        }
    }
}

/// Visits the body's values by content type, parsing at most `body_limit` bytes. Returns the body's resume
/// point (see [`body::extract`]).
pub fn for_each_body_field(
    req: &RequestView<'_>,
    body_limit: usize,
    f: &mut dyn FnMut(Field<'_>),
) -> Option<body::BodyResume> {
    if req.body.is_empty() {
        return Some(body::BodyResume::at(0));
    }
    let body = &req.body[..req.body.len().min(body_limit)];
    let truncated = body.len() < req.body.len() || !req.body_complete;
    let ct = header(req, "content-type").unwrap_or(b"");
    body::extract(ct, body, truncated, req.body_offset > 0, f)
}
