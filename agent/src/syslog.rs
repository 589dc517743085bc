//! RFC 5424 messages as the agent sends them, and their framing on the wire.
//!
//! `<134>1 2026-11-28T01:02:03.456789Z web01 vsftpd - - [jhsy@0 mode="honeypot" host="web01"] LINE`
//!
//! A tailed line that carries its own syslog header (`auth.log`) is sent as its message, with the PID as PROCID
//! (see [`header`]).
//!
//! PRI 134 = facility local0, severity info. APP-NAME is the service (the server picks its detector by it).
//! The structured element `jhsy@0` carries the agent's current mode so the server can tell honeypot hosts
//! (every event from one is an alarm) and the host name again in an easy-to-parse place.

pub mod header;

use protocol::policy::PolicyMode;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Facility local0 (16) * 8 + severity info (6).
pub const PRI: u8 = 134;
/// Longest line body we forward; longer lines are cut (the rest follows as the next message).
pub const MAX_LINE: usize = 64 * 1024;
/// Largest UDP payload we send.
pub const MAX_UDP: usize = 65_000;

pub fn mode_name(m: PolicyMode) -> &'static str {
    match m {
        PolicyMode::Honeypot => "honeypot",
        PolicyMode::Unreal => "unreal",
        PolicyMode::Back => "back",
        PolicyMode::Firewall => "firewall",
    }
}

/// Escapes an SD-PARAM value (RFC 5424 §6.3.3: `"`, `\` and `]`).
fn sd_escape(v: &str, out: &mut String) {
    for c in v.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Formats one message. `line` is the raw log line without its newline; invalid UTF-8 is replaced.
pub fn format(now: OffsetDateTime, host: &str, app: &str, mode: PolicyMode, line: &[u8]) -> String {
    format_with_pid(now, host, app, None, mode, line)
}

/// Like [`format`], with a PROCID.
pub fn format_with_pid(
    now: OffsetDateTime,
    host: &str,
    app: &str,
    pid: Option<&str>,
    mode: PolicyMode,
    line: &[u8],
) -> String {
    let ts = now.format(&Rfc3339).unwrap_or_else(|_| "-".into());
    let body = String::from_utf8_lossy(line);
    let mut s = String::with_capacity(96 + body.len());
    s.push('<');
    s.push_str(&PRI.to_string());
    s.push_str(">1 ");
    s.push_str(&ts);
    s.push(' ');
    s.push_str(host);
    s.push(' ');
    s.push_str(app);
    s.push(' ');
    s.push_str(pid.unwrap_or("-"));
    s.push_str(" - [jhsy@0 mode=\"");
    s.push_str(mode_name(mode));
    s.push_str("\" host=\"");
    sd_escape(host, &mut s);
    s.push_str("\"] ");
    // A message is one line: a stray CR (CRLF logs) must not end up inside it.
    s.push_str(body.trim_end_matches('\r'));
    s
}

/// RFC 6587 octet-counting: `LEN SP MSG`.
pub fn octet_frame(msg: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(msg.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(msg.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shape() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let m = format(now, "web01", "vsftpd", PolicyMode::Honeypot, b"hello \xff world\r");
        assert_eq!(
            m,
            "<134>1 2023-11-14T22:13:20Z web01 vsftpd - - [jhsy@0 mode=\"honeypot\" host=\"web01\"] hello \u{fffd} world"
        );
        let mut f = Vec::new();
        octet_frame("abc", &mut f);
        octet_frame("", &mut f);
        assert_eq!(f, b"3 abc0 ");
    }

    #[test]
    fn sd_values_are_escaped() {
        let now = OffsetDateTime::from_unix_timestamp(0).unwrap();
        let m = format(now, "a\"b]c", "x", PolicyMode::Unreal, b"");
        assert!(m.contains(r#"host="a\"b\]c""#), "{m}");
    }
}
