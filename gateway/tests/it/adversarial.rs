//! Adversarial input: garbage, broken framing and oversized requests are answered or dropped, and the gateway
//! keeps serving everyone else.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::harness::*;

fn raw(port: u16, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_do_not_hurt_the_gateway() {
    let (_real, _clone, gw) = one_site("s", "deceive", "").await;
    let port = gw.port;
    let answers = tokio::task::spawn_blocking(move || {
        let mut v = vec![
            raw(port, b"\x00\x01\x02garbage\r\n\r\n"),
            raw(port, b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\n0\r\n\r\n"),
            raw(port, b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n\r\n"),
            raw(port, b"GET /\x7f HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n"),
            raw(port, b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\nabc"),
            raw(port, b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd"),
        ];
        // 10,000 junk form fields, then the attack (x-waf stopped looking after the 100th argument).
        let mut form = String::new();
        for i in 0..10_000 {
            form.push_str(&format!("a{i}=1&"));
        }
        form.push_str("q=EVILMARKER");
        let head = format!("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", form.len());
        v.push(raw(port, &[head.as_bytes(), form.as_bytes()].concat()));
        v
    })
    .await
    .unwrap();
    for (i, a) in answers.iter().enumerate() {
        eprintln!("answer {i}: {:?}", a.chars().take(120).collect::<String>());
    }
    for a in &answers[..6] {
        assert!(
            a.is_empty() || a.starts_with("HTTP/1.1 400"),
            "malformed input gets 400 or a closed connection: {a:?}"
        );
    }
    assert!(
        !answers[1].starts_with("HTTP/1.1 2"),
        "Content-Length with Transfer-Encoding is refused, not smuggled: {:?}",
        answers[1]
    );
    // pingora's parser itself refuses a non-numeric or conflicting Content-Length.
    assert!(
        answers[4].starts_with("HTTP/1.1 400") && answers[5].starts_with("HTTP/1.1 400"),
        "{answers:?}"
    );
    // The attack after 10,000 junk arguments was still seen: that client now gets the clone.
    assert_eq!(who(&client("127.0.0.1"), &gw.url("/echo")).await.1, "clone");
    assert_eq!(
        who(&client("127.0.0.2"), &gw.url("/echo")).await,
        (200, "real".into()),
        "still serving"
    );
}
