//! Redis `MONITOR` reader: connect, `AUTH`, `MONITOR`, parse the RESP stream frame by frame, forward each
//! command line; reconnect with exponential backoff.
//!
//! Each monitored command arrives as a RESP simple string
//! (`+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`), forwarded verbatim without the `+`.
//! Limits (see README): MONITOR roughly halves Redis throughput, and Redis never shows `CONFIG`, `DEBUG`,
//! `SLAVEOF`/`REPLICAOF` and other administrative commands in it; `AUTH` appears with its arguments redacted.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use crate::spool::{Record, Spool, SpoolError};
use crate::syslog;
use crate::ModeCell;

/// Longest RESP line or bulk string accepted; a peer sending more is cut off.
const MAX_FRAME: usize = 16 * 1024 * 1024;
const MAX_DEPTH: usize = 8;

/// A RESP value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Value>>),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RespError {
    #[error("protocol error: {0}")]
    Protocol(String),
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

fn int_of(b: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| RespError::Protocol(format!("bad integer {:?}", String::from_utf8_lossy(b))))
}

/// Parses one value from the start of `b`: `Ok(None)` if more bytes are needed, else the value and its length.
pub fn parse(b: &[u8]) -> Result<Option<(Value, usize)>, RespError> {
    parse_at(b, 0)
}

fn parse_at(b: &[u8], depth: usize) -> Result<Option<(Value, usize)>, RespError> {
    if depth > MAX_DEPTH {
        return Err(RespError::Protocol("nesting too deep".into()));
    }
    let Some(&t) = b.first() else { return Ok(None) };
    let Some(e) = find_crlf(&b[1..]) else {
        if b.len() > MAX_FRAME {
            return Err(RespError::Protocol("line too long".into()));
        }
        return Ok(None);
    };
    let line = &b[1..1 + e];
    let after = 1 + e + 2;
    match t {
        b'+' => Ok(Some((Value::Simple(line.to_vec()), after))),
        b'-' => Ok(Some((Value::Error(line.to_vec()), after))),
        b':' => Ok(Some((Value::Int(int_of(line)?), after))),
        b'$' => {
            let n = int_of(line)?;
            if n < 0 {
                return Ok(Some((Value::Bulk(None), after)));
            }
            let n = n as usize;
            if n > MAX_FRAME {
                return Err(RespError::Protocol("bulk string too long".into()));
            }
            if b.len() < after + n + 2 {
                return Ok(None);
            }
            if &b[after + n..after + n + 2] != b"\r\n" {
                return Err(RespError::Protocol("bulk string not terminated by CRLF".into()));
            }
            Ok(Some((Value::Bulk(Some(b[after..after + n].to_vec())), after + n + 2)))
        }
        b'*' => {
            let n = int_of(line)?;
            if n < 0 {
                return Ok(Some((Value::Array(None), after)));
            }
            if n as usize > MAX_FRAME {
                return Err(RespError::Protocol("array too long".into()));
            }
            let mut items = Vec::new();
            let mut at = after;
            for _ in 0..n {
                match parse_at(&b[at..], depth + 1)? {
                    Some((v, used)) => {
                        items.push(v);
                        at += used;
                    }
                    None => return Ok(None),
                }
            }
            Ok(Some((Value::Array(Some(items)), at)))
        }
        other => Err(RespError::Protocol(format!("unexpected type byte 0x{other:02x}"))),
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Connection settings resolved from config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub service: String,
}

/// Buffered frame reader over a socket with a read timeout (so the stop flag is checked).
struct Conn {
    sock: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Next value; `Ok(None)` on a read timeout with no complete frame.
    fn next(&mut self) -> io::Result<Option<Value>> {
        loop {
            match parse(&self.buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))? {
                Some((v, used)) => {
                    self.buf.drain(..used);
                    return Ok(Some(v));
                }
                None => {
                    let mut tmp = [0u8; 16 * 1024];
                    match self.sock.read(&mut tmp) {
                        Ok(0) => {
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "redis closed the connection",
                            ))
                        }
                        Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                            return Ok(None)
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// Waits for one reply, up to `tries` read timeouts.
    fn reply(&mut self, tries: usize) -> io::Result<Value> {
        for _ in 0..tries {
            if let Some(v) = self.next()? {
                return Ok(v);
            }
        }
        Err(io::Error::new(io::ErrorKind::TimedOut, "no reply from redis"))
    }
}

fn connect(s: &Settings) -> io::Result<Conn> {
    let addr = s
        .addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "redis address does not resolve"))?;
    let sock = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    sock.set_read_timeout(Some(Duration::from_millis(300)))?;
    sock.set_write_timeout(Some(Duration::from_secs(5)))?;
    // MONITOR may be silent for hours: keepalive notices a vanished server.
    let ka = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(10));
    let _ = socket2::SockRef::from(&sock).set_tcp_keepalive(&ka);
    let mut c = Conn { sock, buf: Vec::new() };
    if let Some(pw) = &s.password {
        let cmd = match &s.username {
            Some(u) => command(&[b"AUTH", u.as_bytes(), pw.as_bytes()]),
            None => command(&[b"AUTH", pw.as_bytes()]),
        };
        c.sock.write_all(&cmd)?;
        match c.reply(20)? {
            Value::Simple(_) => {}
            Value::Error(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("AUTH refused: {}", String::from_utf8_lossy(&e)),
                ))
            }
            v => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("AUTH: unexpected {v:?}"),
                ))
            }
        }
    }
    c.sock.write_all(&command(&[b"MONITOR"]))?;
    match c.reply(20)? {
        Value::Simple(ok) if ok == b"OK" => Ok(c),
        Value::Error(e) => Err(io::Error::other(format!(
            "MONITOR refused: {}",
            String::from_utf8_lossy(&e)
        ))),
        v => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("MONITOR: unexpected {v:?}"),
        )),
    }
}

/// Counters shared with the service for logging.
#[derive(Debug, Default)]
pub struct Stats {
    pub forwarded: AtomicU64,
    pub dropped: AtomicU64,
}

/// Runs the MONITOR loop until `stop` is set.
pub fn run(
    s: Settings,
    spool: Arc<Spool>,
    host: String,
    mode: Arc<ModeCell>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
) {
    let mut backoff = Duration::from_millis(500);
    let max_backoff = Duration::from_secs(30);
    while !stop.load(Ordering::Relaxed) {
        let mut conn = match connect(&s) {
            Ok(c) => {
                tracing::info!(addr = %s.addr, "redis: monitoring");
                backoff = Duration::from_millis(500);
                c
            }
            Err(e) => {
                tracing::warn!(addr = %s.addr, error = %e, retry_in = ?backoff, "redis: cannot monitor");
                sleep_unless(&stop, backoff);
                backoff = (backoff * 2).min(max_backoff);
                continue;
            }
        };
        while !stop.load(Ordering::Relaxed) {
            let mut batch = Vec::new();
            let err = loop {
                match conn.next() {
                    Ok(Some(Value::Simple(line))) => {
                        let msg = syslog::format(time::OffsetDateTime::now_utc(), &host, &s.service, mode.get(), &line);
                        batch.push(Record { msg, source: None });
                        if batch.len() >= 512 {
                            break None;
                        }
                    }
                    Ok(Some(Value::Error(e))) => {
                        break Some(io::Error::other(format!(
                            "redis error: {}",
                            String::from_utf8_lossy(&e)
                        )))
                    }
                    Ok(Some(other)) => tracing::debug!(?other, "redis: ignoring non-monitor reply"),
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            if !batch.is_empty() {
                let n = batch.len() as u64;
                match spool.append(&batch) {
                    Ok(()) => {
                        stats.forwarded.fetch_add(n, Ordering::Relaxed);
                    }
                    Err(SpoolError::Full) => {
                        let total = stats.dropped.fetch_add(n, Ordering::Relaxed) + n;
                        tracing::warn!(dropped = n, total, "redis: spool full, MONITOR lines dropped");
                    }
                    Err(e) => {
                        stats.dropped.fetch_add(n, Ordering::Relaxed);
                        tracing::error!(error = %e, "redis: cannot queue lines");
                    }
                }
            }
            if let Some(e) = err {
                tracing::warn!(addr = %s.addr, error = %e, "redis: connection lost; reconnecting");
                sleep_unless(&stop, backoff);
                backoff = (backoff * 2).min(max_backoff);
                break;
            }
        }
    }
}

/// Sleeps `d` in short steps, returning early when `stop` is set.
pub fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let step = Duration::from_millis(100);
    let mut left = d;
    while !stop.load(Ordering::Relaxed) && !left.is_zero() {
        let s = left.min(step);
        std::thread::sleep(s);
        left -= s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type_incrementally() {
        let wire = b"+OK\r\n-ERR no\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n*-1\r\n";
        let mut vals = Vec::new();
        let mut at = 0;
        // Feed byte by byte: every prefix must be "need more" or a whole value.
        let mut end = 1;
        while at < wire.len() {
            match parse(&wire[at..end]).unwrap() {
                Some((v, used)) => {
                    vals.push(v);
                    at += used;
                }
                None => end += 1,
            }
            end = end.max(at + 1).min(wire.len());
        }
        assert_eq!(
            vals,
            vec![
                Value::Simple(b"OK".to_vec()),
                Value::Error(b"ERR no".to_vec()),
                Value::Int(42),
                Value::Bulk(Some(b"he\r\nl".to_vec())),
                Value::Bulk(None),
                Value::Array(Some(vec![Value::Bulk(Some(b"a".to_vec())), Value::Int(1)])),
                Value::Array(None),
            ]
        );
    }

    #[test]
    fn monitor_line_with_spaces_and_escapes_is_one_frame() {
        let wire = b"+1339518083.107412 [0 127.0.0.1:60866] \"set\" \"a b\" \"\\x00\\r\\n\"\r\n+x";
        let (v, used) = parse(wire).unwrap().unwrap();
        assert_eq!(
            v,
            Value::Simple(br#"1339518083.107412 [0 127.0.0.1:60866] "set" "a b" "\x00\r\n""#.to_vec())
        );
        assert_eq!(parse(&wire[used..]).unwrap(), None);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert!(parse(b"?what\r\n").is_err());
        assert!(parse(b"$abc\r\n").is_err());
        assert!(parse(b"$3\r\nabcXY").is_err());
        assert!(parse(b"$99999999999\r\n").is_err());
        let deep = "*1\r\n".repeat(20);
        assert!(parse(deep.as_bytes()).is_err());
        assert_eq!(command(&[b"AUTH", b"pw"]), b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
    }
}
