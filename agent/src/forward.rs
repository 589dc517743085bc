//! One sender per syslog server: reads its own cursor of the spool and delivers in order.
//!
//! TCP: RFC 6587 octet-counted frames. The cursor only moves after a batch was written, so while a server is
//! away lines wait on disk and go out in order when it returns. Syslog over TCP has no application-level
//! acknowledgement, so before every batch the connection is checked for a FIN/RST from the server (a restarted
//! server closes its old connections): nothing is written into a dead connection. A batch whose write fails is
//! sent again on the next connection. UDP: one datagram per message, no delivery guarantee; a refused send
//! (ICMP port unreachable) holds the queue for a retry.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::config::{ServerConfig, Transport};
use crate::sleep_unless;
use crate::spool::Spool;
use crate::syslog::{octet_frame, MAX_UDP};

const BATCH: usize = 512;

/// Spool consumer name of a server.
pub fn consumer_name(s: &ServerConfig) -> String {
    let t = match s.transport {
        Transport::Tcp => "tcp",
        Transport::Udp => "udp",
    };
    format!("{t}-{}", s.addr)
}

enum Link {
    Tcp(TcpStream),
    Udp(UdpSocket),
}

fn resolve(addr: &str) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "address does not resolve"))
}

fn connect(s: &ServerConfig) -> io::Result<Link> {
    let addr = resolve(&s.addr)?;
    match s.transport {
        Transport::Tcp => {
            let t = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
            t.set_write_timeout(Some(Duration::from_secs(15)))?;
            t.set_nodelay(true)?;
            Ok(Link::Tcp(t))
        }
        Transport::Udp => {
            let bind: SocketAddr = if addr.is_ipv4() {
                ([0, 0, 0, 0], 0).into()
            } else {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            };
            let u = UdpSocket::bind(bind)?;
            u.connect(addr)?;
            Ok(Link::Udp(u))
        }
    }
}

/// True if the server has closed (or reset) the connection. Servers do not talk back on syslog, so any
/// readable data is discarded.
fn peer_closed(t: &mut TcpStream) -> bool {
    if t.set_nonblocking(true).is_err() {
        return true;
    }
    let mut b = [0u8; 512];
    let closed = loop {
        match t.read(&mut b) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break true,
        }
    };
    t.set_nonblocking(false).is_err() || closed
}

fn send(link: &mut Link, msgs: &[String]) -> io::Result<()> {
    match link {
        Link::Tcp(t) => {
            if peer_closed(t) {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "server closed the connection",
                ));
            }
            let mut buf = Vec::with_capacity(msgs.iter().map(|m| m.len() + 8).sum());
            for m in msgs {
                octet_frame(m, &mut buf);
            }
            t.write_all(&buf)?;
            t.flush()
        }
        Link::Udp(u) => {
            for m in msgs {
                let b = m.as_bytes();
                u.send(&b[..b.len().min(MAX_UDP)])?;
            }
            Ok(())
        }
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    pub sent: AtomicU64,
}

/// Delivers the spool to one server until `stop` is set.
pub fn run(server: ServerConfig, spool: Arc<Spool>, stats: Arc<Stats>, stop: Arc<AtomicBool>) {
    let name = consumer_name(&server);
    let mut link: Option<Link> = None;
    let mut backoff = Duration::from_millis(200);
    let mut down_since: Option<std::time::Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let Some(pos) = spool.cursor(&name) else {
            tracing::error!(server = %name, "no spool cursor; sender stops");
            return;
        };
        let (msgs, next) = match spool.read(pos, BATCH) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(server = %name, error = %e, "cannot read spool");
                sleep_unless(&stop, Duration::from_secs(1));
                continue;
            }
        };
        if msgs.is_empty() {
            // Idle: let go of a connection the server has closed (restart), so it can finish shutting down.
            if let Some(Link::Tcp(t)) = link.as_mut() {
                if peer_closed(t) {
                    tracing::info!(server = %name, "syslog server closed the connection");
                    link = None;
                }
            }
            spool.wait(Duration::from_millis(500));
            continue;
        }
        if link.is_none() {
            match connect(&server) {
                Ok(l) => link = Some(l),
                Err(e) => {
                    if down_since.is_none() {
                        tracing::warn!(server = %name, error = %e, "syslog server unreachable; queueing on disk");
                        down_since = Some(std::time::Instant::now());
                    }
                    sleep_unless(&stop, backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
        }
        let Some(l) = link.as_mut() else { continue };
        match send(l, &msgs) {
            Ok(()) => {
                if let Some(t) = down_since.take() {
                    tracing::info!(server = %name, after = ?t.elapsed(), "syslog server back; delivering queue");
                }
                backoff = Duration::from_millis(200);
                stats.sent.fetch_add(msgs.len() as u64, Ordering::Relaxed);
                if let Err(e) = spool.commit(&name, next) {
                    tracing::error!(server = %name, error = %e, "cannot save spool cursor");
                }
            }
            Err(e) => {
                if down_since.is_none() {
                    tracing::warn!(server = %name, error = %e, "syslog send failed; queueing on disk");
                    down_since = Some(std::time::Instant::now());
                }
                link = None;
                sleep_unless(&stop, backoff);
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}
