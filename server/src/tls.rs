//! Syslog over TLS (RFC 5425): a rustls acceptor built from PEM files; connections then use the TCP framing.

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::rustls::{self, pki_types::CertificateDer};
use tokio_rustls::TlsAcceptor;

use crate::listen;
use crate::metrics::Transport;
use crate::pipeline::Pipeline;

/// Loads the certificate chain and key; errors name the file.
pub fn acceptor(cert: &Path, key: &Path) -> anyhow::Result<TlsAcceptor> {
    let open = |p: &Path| {
        std::fs::File::open(p)
            .map(BufReader::new)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut open(cert)?)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{}: no certificate in PEM file", cert.display());
    }
    let key_der = rustls_pemfile::private_key(&mut open(key)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?
        .ok_or_else(|| anyhow::anyhow!("{}: no private key in PEM file", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("tls: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| anyhow::anyhow!("{} / {}: {e}", cert.display(), key.display()))?;
    Ok(TlsAcceptor::from(Arc::new(cfg)))
}

/// Accepts TLS connections until the task is dropped; a failed handshake ends only that connection.
pub async fn serve(l: TcpListener, acc: TlsAcceptor, p: Arc<Pipeline>, max: usize, max_conns: usize, idle: Duration) {
    let slots = Arc::new(Semaphore::new(max_conns.max(1)));
    loop {
        let (stream, peer) = match l.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "tls accept error");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many syslog connections; refusing");
            continue;
        };
        let (p, acc) = (p.clone(), acc.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await {
                Ok(Ok(s)) => {
                    p.metrics.tcp_connections.inc();
                    listen::connection(s, peer, &p, max, idle, Transport::Tls).await;
                    p.metrics.tcp_connections.dec();
                }
                Ok(Err(e)) => tracing::info!(%peer, error = %e, "tls handshake failed"),
                Err(_) => tracing::info!(%peer, "tls handshake timed out"),
            }
            drop(permit);
        });
    }
}
