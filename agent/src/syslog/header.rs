//! Recognising a syslog header at the start of a tailed line (`/var/log/auth.log`, `/var/log/secure`, files written
//! by rsyslog): `Jul  3 14:59:17 host sshd[1571]: msg` or `2015-04-16T18:02:50.321974+00:00 host sshd[2716]: msg`.
//! Forwarding such a line whole would nest one syslog header inside another, so the server would look for
//! `Failed password` in `Jul  3 … sshd[1571]: Failed password …`; the header is taken apart instead: the PID
//! becomes PROCID and the rest becomes MSG.

/// A line split into the syslog header's PID and the message after `TAG[PID]: `.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub pid: Option<&'a str>,
    pub msg: &'a [u8],
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Length of an RFC 3164 timestamp (`Mmm dd hh:mm:ss `, day space-padded) at the start of `b`.
fn bsd_time(b: &[u8]) -> Option<usize> {
    if b.len() < 16 || !MONTHS.contains(&&b[..3]) || b[3] != b' ' {
        return None;
    }
    let day_ok = (b[4] == b' ' || b[4].is_ascii_digit()) && b[5].is_ascii_digit();
    let t = &b[7..15];
    let time_ok = t.iter().enumerate().all(|(i, c)| {
        if i == 2 || i == 5 {
            *c == b':'
        } else {
            c.is_ascii_digit()
        }
    });
    (day_ok && b[6] == b' ' && time_ok && b[15] == b' ').then_some(16)
}

/// Length of an RFC 3339 timestamp with its trailing space (`2015-04-16T18:02:50… `) at the start of `b`.
fn iso_time(b: &[u8]) -> Option<usize> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let end = b.iter().position(|&c| c == b' ')?;
    Some(end + 1)
}

/// Splits `line` if it starts with `TIMESTAMP HOST TAG[PID]: ` (or `TAG: `).
pub fn split(line: &[u8]) -> Option<Split<'_>> {
    let at = bsd_time(line).or_else(|| iso_time(line))?;
    let rest = &line[at..];
    let host_end = rest.iter().position(|&c| c == b' ')?;
    if host_end == 0 {
        return None;
    }
    let rest = &rest[host_end + 1..];
    // TAG: no spaces, ends at '[' or ':'; at most 48 characters (the APP-NAME limit).
    let tag_end = rest
        .iter()
        .take(49)
        .position(|&c| c == b'[' || c == b':' || c == b' ')?;
    if tag_end == 0 || rest[tag_end] == b' ' {
        return None;
    }
    let mut i = tag_end;
    let mut pid = None;
    if rest[i] == b'[' {
        let close = rest[i..].iter().take(12).position(|&c| c == b']')? + i;
        let p = std::str::from_utf8(&rest[i + 1..close]).ok()?;
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        pid = Some(p);
        i = close + 1;
    }
    if rest.get(i) != Some(&b':') {
        return None;
    }
    let msg = &rest[i + 1..];
    let msg = msg.strip_prefix(b" ").unwrap_or(msg);
    Some(Split { pid, msg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_log_lines_are_split() {
        let s =
            split(b"Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port 56502 ssh2")
                .unwrap();
        assert_eq!(s.pid, Some("1571"));
        assert_eq!(s.msg, b"Failed password for root from 192.0.2.1 port 56502 ssh2");
        let s = split(b"2015-04-16T18:02:50.321974+00:00 host sshd[2716]: pam_unix(sshd:auth): authentication failure")
            .unwrap();
        assert_eq!(s.pid, Some("2716"));
        assert_eq!(s.msg, b"pam_unix(sshd:auth): authentication failure");
        let s = split(b"Jan 31 16:54:07 desktop pure-ftpd: (?@24.79.92.194) [WARNING] Authentication failed").unwrap();
        assert_eq!(s.pid, None);
        assert_eq!(s.msg, b"(?@24.79.92.194) [WARNING] Authentication failed");
    }

    #[test]
    fn service_own_formats_are_left_alone() {
        for l in [
            &b"Mon Oct 22 14:11:43 2012 [pid 2675] FTP command: Client \"172.31.208.36\", \"USER abc\""[..],
            b"2022/03/02 13:43:10 [27739] connect from drlmcli1 (192.168.123.41)",
            b"2020-07-25T14:41:25.299556Z\t    8 Connect\tAccess denied for user 'root'@'localhost' (using password: YES)",
            b"2019-01-03T08:50:04.634875Z 113 [Note] [MY-010926] [Server] Access denied for user 'root'@'192.0.2.1'",
            b"{\"t\":{\"$date\":\"2022-07-28T18:00:00.903+02:00\"},\"s\":\"I\"}",
            b"1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"",
            b"Jul  3 14:59:17 host",
            b"",
        ] {
            assert_eq!(split(l), None, "{}", String::from_utf8_lossy(l));
        }
    }
}
