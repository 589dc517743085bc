//! TLS termination: the site's certificate is chosen by SNI on `tls_listen`, the backend learns the scheme.

use std::process::Command;

use crate::harness::*;

fn curl_available() -> bool {
    Command::new("curl").arg("--version").output().is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn https_is_terminated_with_the_sites_certificate() {
    if !curl_available() {
        eprintln!("SKIP: curl not installed");
        return;
    }
    let real = backend("real").await;
    let cert = rcgen::generate_simple_self_signed(vec!["shop.test".to_string()]).unwrap();
    let tls_port = free_port();
    let site_text = site(
        "s",
        "hosts = [\"shop.test\"]\ndefault = true",
        &[real.addr],
        &[],
        "detect",
        "[tls]\ncert = \"shop.crt\"\nkey = \"shop.key\"\n",
    );
    let gw = Gateway::prepare(
        &[("s.toml", site_text)],
        &[("t.toml", TEST_RULES)],
        &format!("tls_listen = [\"127.0.0.1:{tls_port}\"]"),
    );
    std::fs::write(gw.path("sites/shop.crt"), cert.cert.pem()).unwrap();
    std::fs::write(gw.path("sites/shop.key"), cert.key_pair.serialize_pem()).unwrap();
    let gw = std::sync::Arc::new(gw.start());
    let curl = |args: Vec<String>| {
        let gw = gw.clone();
        tokio::task::spawn_blocking(move || {
            Command::new("curl")
                .args(["-sS", "--cacert"])
                .arg(gw.path("sites/shop.crt"))
                .args(["--resolve", &format!("shop.test:{tls_port}:127.0.0.1")])
                .args(args)
                .output()
                .unwrap()
        })
    };
    let out = curl(vec!["--http1.1".into(), format!("https://shop.test:{tls_port}/echo")])
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["backend"], "real");
    assert_eq!(v["headers"]["x-scheme"], "https");
    assert_eq!(v["headers"]["host"], format!("shop.test:{tls_port}"));

    // HTTP/2 through ALPN, with a request body the WAF inspects (the site is in `detect` mode: it passes,
    // and the access log names the rule).
    let out = curl(vec![
        "--http2".into(),
        "-w".into(),
        "\n%{http_version}".into(),
        "--data".into(),
        "note=BODYMARKER".into(),
        format!("https://shop.test:{tls_port}/echo?over=h2"),
    ])
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "curl --http2: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (body, version) = text.rsplit_once('\n').unwrap();
    assert_eq!(version, "2", "negotiated HTTP/2: {text}");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["backend"], "real");
    assert_eq!(v["body_len"], 15, "the body reached the backend: {v}");
    let line = line_containing(&gw.path("access.log"), "over=h2")
        .await
        .unwrap_or_default();
    assert!(line.contains("990002"), "the WAF inspected the HTTP/2 body: {line}");
}
