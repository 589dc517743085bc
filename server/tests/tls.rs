//! Integration: syslog over TLS (RFC 5425) with a certificate the test generates; a client that does not
//! speak TLS fails its handshake without disturbing the listener.

mod support;

use std::io::Write;
use std::sync::Arc;

use support::*;
use tokio_rustls::rustls;

#[test]
fn tls_listener_accepts_octet_counted_syslog() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.path().join("tls.crt"), ck.cert.pem()).unwrap();
    std::fs::write(dir.path().join("tls.key"), ck.key_pair.serialize_pem()).unwrap();
    let tport = free_port();
    let extra = format!("[syslog.tls]\nlisten = [\"127.0.0.1:{tport}\"]\ncert = \"tls.crt\"\nkey = \"tls.key\"\n");
    let srv = Server::start_in(dir, &extra, None);

    // Plain text on the TLS port: handshake fails, nothing is counted, the listener lives on.
    let mut plain = std::net::TcpStream::connect(("127.0.0.1", tport)).unwrap();
    let _ = plain.write_all(b"<13>Nov 28 01:00:00 h sshd[1]: Invalid user x from 192.0.2.99 port 1\n");
    drop(plain);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(ck.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", tport)).await.unwrap();
        let conn = tokio_rustls::TlsConnector::from(Arc::new(cfg));
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut s = conn.connect(name, tcp).await.unwrap();
        for i in 0..6 {
            let m = format!("<38>1 2026-11-28T01:00:00Z h sshd 5 - - Invalid user u{i} from 192.0.2.98 port 4{i}");
            s.write_all(format!("{} {m}", m.len()).as_bytes()).await.unwrap();
        }
        s.shutdown().await.unwrap();
    });
    let ok = wait_until(10, || {
        let m = srv.metrics();
        metric(&m, "server_messages_received_total{transport=\"tls\"}") == 6.0
            && metric(&m, "server_decisions_total{scenario=\"ssh-bf\",service=\"ssh\"}") == 1.0
    });
    assert!(ok, "{}\n{}", srv.metrics(), srv.log());
    assert!(srv.log().contains("tls handshake failed"), "{}", srv.log());
}
