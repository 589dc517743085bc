//! Redis `MONITOR` reader: connect, `AUTH`, `MONITOR`, parse the RESP stream frame by frame, forward each
//! command line; reconnect with exponential backoff.
//!
//! Each monitored command arrives as a RESP simple string
//! (`+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`), forwarded verbatim without the `+`.
//! Limits (see README): MONITOR roughly halves Redis throughput, and Redis never shows `CONFIG`, `DEBUG`,
//! `SLAVEOF`/`REPLICAOF` and other administrative commands in it; `AUTH` appears with its arguments redacted.

pub mod resp;

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use resp::{command, parse, Value};

use crate::spool::{Record, Spool, SpoolError};
use crate::syslog;
use crate::{sleep_unless, ModeCell};

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
