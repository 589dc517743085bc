//! Syslog message header parsing: RFC 5424, RFC 3164 as rsyslog and util-linux `logger` send it, the short
//! journal form (`host tag[pid]: msg`) and bare service log lines (a raw vsftpd.log, a MySQL error log, a
//! MongoDB JSON log). Borrowing, allocation-free on the hot path; never fails — whatever cannot be recognised
//! stays in `msg`.

mod sd;
pub mod timestamp;

pub use sd::HostMode;

/// One message split into its parts. `msg` is what detector rules match.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    /// Syslog priority (facility * 8 + severity) when the message carried one.
    pub pri: Option<u8>,
    /// Unix time in seconds from the header or, for bare lines, from the service's own time stamp.
    pub time: Option<f64>,
    pub host: Option<&'a str>,
    /// The tag without `[pid]` (`sshd`, `vsftpd(pam_unix)`, `sshd-session`).
    pub program: Option<&'a str>,
    pub pid: Option<&'a str>,
    pub msg: &'a str,
    /// The sending host's mode, from the `jhsy` structured-data element (see README).
    pub mode: HostMode,
}

/// Parses one message. `now` (unix seconds) resolves the year of year-less RFC 3164 stamps.
pub fn parse(line: &str, now: f64) -> Record<'_> {
    let line = line.trim_end_matches(['\n', '\r', '\0']);
    let (pri, rest) = split_pri(line);
    if pri.is_some() {
        if let Some(r) = rest.strip_prefix("1 ") {
            return parse_5424(pri, r, now);
        }
    }
    parse_legacy(pri, rest, now)
}

fn split_pri(s: &str) -> (Option<u8>, &str) {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return (None, s);
    }
    let mut v: u32 = 0;
    for (i, &c) in b.iter().enumerate().skip(1).take(4) {
        match c {
            b'0'..=b'9' => v = v * 10 + u32::from(c - b'0'),
            b'>' if i > 1 && v <= 191 => return (Some(v as u8), &s[i + 1..]),
            _ => break,
        }
    }
    (None, s)
}

/// Next space-delimited token and the rest after one space.
fn token(s: &str) -> (&str, &str) {
    match s.find(' ') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

fn nil(s: &str) -> Option<&str> {
    if s == "-" || s.is_empty() {
        None
    } else {
        Some(s)
    }
}

fn parse_5424(pri: Option<u8>, s: &str, now: f64) -> Record<'_> {
    let (ts, s) = token(s);
    let (host, s) = token(s);
    let (app, s) = token(s);
    let (procid, s) = token(s);
    let (_msgid, s) = token(s);
    let (mode, msg) = sd::split_structured_data(s);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg).trim_start_matches(' ');
    let (mode2, msg) = sd::strip_leading_jhsy(msg);
    Record {
        pri,
        time: timestamp::parse_rfc3339(ts).or_else(|| timestamp::leading(ts, now).map(|(t, _, _)| t)),
        host: nil(host),
        program: nil(app),
        pid: nil(procid),
        msg: strip_noise(msg),
        mode: mode.or(mode2).unwrap_or(HostMode::Normal),
    }
}

fn parse_legacy(pri: Option<u8>, s: &str, now: f64) -> Record<'_> {
    let s = s.trim_start_matches(' ');
    let (time, after, syslogish) = match timestamp::leading(s, now) {
        Some((t, rest, kind)) => (Some(t), rest.trim_start_matches([' ', '\t']), kind.is_syslog_header()),
        None => (json_date(s), s, true),
    };
    let mut rec = Record {
        pri,
        time,
        host: None,
        program: None,
        pid: None,
        msg: after,
        mode: HostMode::Normal,
    };
    if syslogish {
        if let Some((host, program, pid, msg)) = host_and_tag(after) {
            rec.host = host;
            rec.program = Some(program);
            rec.pid = pid;
            rec.msg = msg.trim_start_matches(' ');
        }
    }
    let (mode, msg) = sd::strip_leading_jhsy(rec.msg);
    rec.mode = mode.unwrap_or(HostMode::Normal);
    rec.msg = strip_noise(msg);
    rec
}

/// The time of a MongoDB 4.4+ JSON log line (`{"t":{"$date":"…"}`).
fn json_date(s: &str) -> Option<f64> {
    let rest = s.strip_prefix("{\"t\":{\"$date\":\"")?;
    let end = rest.find('"')?;
    timestamp::parse_rfc3339(&rest[..end])
}

/// `HOST TAG: msg`, `TAG: msg`, `HOST name[pid] msg`. Returns None when the text does not look like a header.
fn host_and_tag(s: &str) -> Option<(Option<&str>, &str, Option<&str>, &str)> {
    let (first, rest) = token(s);
    if let Some((prog, pid, strict)) = tag(first) {
        if strict {
            return Some((None, prog, pid, rest));
        }
    }
    if !is_hostname(first) {
        return None;
    }
    let (second, rest) = token(rest);
    let (prog, pid, strict) = tag(second)?;
    if strict || pid.is_some() {
        return Some((Some(first), prog, pid, rest));
    }
    None
}

/// A syslog tag token: `name:`, `name[pid]:`, `name[pid]` (proftpd omits the colon), `[name]:`. The flag says
/// whether it ended with a colon.
fn tag(t: &str) -> Option<(&str, Option<&str>, bool)> {
    let (t, colon) = match t.strip_suffix(':') {
        Some(x) => (x, true),
        None => (t, false),
    };
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return (colon && valid_tag_name(inner)).then_some((inner, None, true));
    }
    let (name, pid) = match t.find('[') {
        Some(i) => {
            let pid = t[i + 1..].strip_suffix(']')?;
            if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return None;
            }
            (&t[..i], Some(pid))
        }
        None => (t, None),
    };
    if !valid_tag_name(name) {
        return None;
    }
    Some((name, pid, colon))
}

fn valid_tag_name(n: &str) -> bool {
    !n.is_empty()
        && n.as_bytes()[0] != b'-'
        && n.bytes().any(|b| b.is_ascii_alphabetic())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'(' | b')' | b'@'))
}

fn is_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && !h.ends_with(':')
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
}

/// Strips what some platforms wrap around the daemon's own text: rsyslog's `message repeated N times: [ … ]`,
/// Solaris `[ID 800047 auth.info] ` and a kernel-time `kernel:[  970.699396]: `.
fn strip_noise(msg: &str) -> &str {
    let mut m = msg;
    // rsyslog's repeated-message reduction: `message repeated 3 times: [ <msg>]`.
    if let Some(r) = m.strip_prefix("message repeated ") {
        if let Some(i) = r.find(" times: [") {
            if r[..i].bytes().all(|b| b.is_ascii_digit()) {
                let inner = r[i + 9..].trim_start_matches(' ');
                m = inner.strip_suffix(']').unwrap_or(inner);
            }
        }
    }
    if let Some(r) = m.strip_prefix("[ID ") {
        if let Some(end) = r.find("] ") {
            let inner = &r[..end];
            if inner.split(' ').count() == 2
                && inner
                    .split(' ')
                    .next()
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            {
                m = &r[end + 2..];
            }
        }
    }
    if let Some(r) = m.strip_prefix("kernel:").map(|r| r.trim_start_matches(' ')) {
        if let Some(r) = r.strip_prefix('[') {
            if let Some(end) = r.find(']') {
                if r[..end].trim().bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    let r = &r[end + 1..];
                    m = r.strip_prefix(':').unwrap_or(r).trim_start_matches(' ');
                }
            }
        }
    }
    m
}

#[cfg(test)]
mod tests;
