//! Syslog listeners: UDP (one datagram, one message) and TCP (RFC 6587 framing, see `framing`). Input never
//! stops a listener: bad frames are counted and dropped, I/O errors end only that connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::Semaphore;

use crate::framing::{Decoder, Item};
use crate::metrics::Transport;
use crate::pipeline::Pipeline;

/// Serves one UDP socket until the task is dropped.
pub async fn udp(sock: UdpSocket, p: Arc<Pipeline>, max: usize) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, peer) = match sock.recv_from(&mut buf).await {
            Ok(x) => x,
            Err(e) => {
                // ICMP errors and the like: keep serving.
                tracing::debug!(error = %e, "udp receive error");
                continue;
            }
        };
        if n > max {
            p.metrics.udp.received.inc();
            p.metrics.udp.oversized.inc();
            p.log_drop(Transport::Udp, "oversized", peer);
            continue;
        }
        let mut msg = &buf[..n];
        while let Some((last, rest)) = msg.split_last() {
            if matches!(last, b'\n' | b'\r' | b'\0') {
                msg = rest;
            } else {
                break;
            }
        }
        if msg.is_empty() {
            continue;
        }
        p.process(msg, Transport::Udp, peer);
    }
}

/// Accepts TCP connections until the task is dropped.
pub async fn tcp(listener: TcpListener, p: Arc<Pipeline>, max: usize, max_conns: usize, idle: Duration) {
    let slots = Arc::new(Semaphore::new(max_conns.max(1)));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "tcp accept error");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many syslog connections; refusing");
            continue;
        };
        let p = p.clone();
        tokio::spawn(async move {
            p.metrics.tcp_connections.inc();
            connection(stream, peer, &p, max, idle, Transport::Tcp).await;
            p.metrics.tcp_connections.dec();
            drop(permit);
        });
    }
}

/// Reads one connection, decoding frames as they complete.
pub async fn connection<S: AsyncRead + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    p: &Pipeline,
    max: usize,
    idle: Duration,
    transport: Transport,
) {
    let c = p.metrics.transport(transport);
    let mut dec = Decoder::new(max);
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match tokio::time::timeout(idle, stream.read(&mut chunk)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "syslog connection error");
                break;
            }
            Err(_) => {
                tracing::debug!(%peer, "idle syslog connection closed");
                break;
            }
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut pos = 0;
        while let Some((used, item)) = dec.next(&buf[pos..]) {
            match item {
                Item::Message(r) => {
                    let start = pos + r.start;
                    p.process(&buf[start..pos + r.end], transport, peer);
                }
                Item::Dropped(_) => {
                    c.received.inc();
                    c.oversized.inc();
                    p.log_drop(transport, "oversized", peer);
                }
                Item::Skip => {}
            }
            pos += used;
        }
        buf.drain(..pos);
    }
    if let Some(Item::Message(r)) = dec.finish(&buf) {
        p.process(&buf[r], transport, peer);
    }
}
