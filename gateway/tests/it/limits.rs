//! Body limits and integrity: `max_body_size` gives 413, and a large upload reaches the backend byte for byte.

use sha2::{Digest, Sha256};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn too_large_body_gets_413() {
    let real = backend("real").await;
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site(
                "s",
                "default = true",
                &[real.addr],
                &[],
                "detect",
                "max_body_size = 1000",
            ),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.2");
    let r = c.post(gw.url("/echo")).body(vec![b'a'; 2000]).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let r = c.post(gw.url("/echo")).body(vec![b'a'; 900]).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_mib_upload_reaches_backend_unchanged() {
    let (real, clone) = (backend("real").await, backend("clone").await);
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site(
                "s",
                "default = true",
                &[real.addr],
                &[clone.addr],
                "deceive",
                "max_body_size = 20000000",
            ),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let body: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let want = hex::encode(Sha256::digest(&body));
    let c = client("127.0.0.2");
    let v = json_of(
        c.post(gw.url("/echo"))
            .header("content-type", "application/octet-stream")
            .body(body.clone()),
    )
    .await;
    assert_eq!(v["body_len"], body.len());
    assert_eq!(v["body_sha256"], want.as_str());
    assert_eq!(v["backend"], "real");
    // Chunked (no Content-Length) too.
    let stream = futures_stream(body.clone());
    let v = json_of(c.post(gw.url("/echo")).body(reqwest::Body::wrap_stream(stream))).await;
    assert_eq!(v["body_sha256"], want.as_str());
}

/// A gateway with one `block`-mode site in front of `real` and the test rules.
fn block_site(real: &gateway::demo::Backend) -> Gateway {
    Gateway::prepare(
        &[("s.toml", site("s", "default = true", &[real.addr], &[], "block", ""))],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start()
}

/// The body in 64 KiB pieces, sent chunked.
fn futures_stream(body: Vec<u8>) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(65_536).map(|c| Ok(c.to_vec())).collect();
    tokio_stream::iter(chunks)
}

/// A 300 KiB form post whose attack sits past what is read before the pool is chosen.
fn late_attack_body() -> String {
    let mut body = String::from("a=");
    body.push_str(&"x".repeat(300 * 1024));
    body.push_str("&b=BODYMARKER");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn late_body_attack_ends_the_request_and_marks_the_client() {
    let (_real, _clone, gw) = one_site("s", "deceive", "").await;
    let c = client("127.0.0.2");
    let r = c
        .post(gw.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(late_attack_body())
        .send()
        .await;
    assert!(
        r.map(|r| r.status() != 200).unwrap_or(true),
        "the request carrying the attack is not completed"
    );
    assert_eq!(
        who(&c, &gw.url("/echo")).await.1,
        "clone",
        "the next request goes to the clone"
    );
    assert_eq!(who(&client("127.0.0.3"), &gw.url("/echo")).await.1, "real");
}

#[tokio::test(flavor = "multi_thread")]
async fn late_body_attack_is_blocked_in_block_mode() {
    let real = backend("real").await;
    let gw = block_site(&real);
    let c = client("127.0.0.2");
    let r = c
        .post(gw.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(late_attack_body())
        .send()
        .await;
    assert!(r.map(|r| r.status() != 200).unwrap_or(true));
    // A clean large post passes.
    let r = c
        .post(gw.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("a={}", "y".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A multipart upload: a 300 KiB file part, then a text field holding `tail` (the field sits past what is read
/// before the pool is chosen, so the late pass finds it after skipping the file's content).
fn late_multipart(tail: &str) -> (String, Vec<u8>) {
    let b = "----late7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    // File bytes that hold parts of the delimiter but never all of it, across every read boundary.
    let filler = format!("--{}", &b[..b.len() - 1]);
    while body.len() < 300 * 1024 {
        body.extend_from_slice(filler.as_bytes());
        body.push(b'a' + (body.len() % 20) as u8);
    }
    body.extend_from_slice(
        format!("\r\n--{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n{tail}\r\n--{b}--\r\n").as_bytes(),
    );
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn late_multipart_field_after_a_large_file_is_inspected() {
    let real = backend("real").await;
    let gw = block_site(&real);
    let c = client("127.0.0.2");
    let (ct, body) = late_multipart("see BODYMARKER here");
    let r = c
        .post(gw.url("/echo"))
        .header("content-type", &ct)
        .body(body)
        .send()
        .await;
    assert!(
        r.map(|r| r.status() != 200).unwrap_or(true),
        "the field after the file is inspected"
    );
    // The same upload with a clean field reaches the backend byte for byte.
    let (ct, body) = late_multipart("just a note");
    let want = hex::encode(Sha256::digest(&body));
    let v = json_of(c.post(gw.url("/echo")).header("content-type", &ct).body(body.clone())).await;
    assert_eq!(v["body_len"], body.len());
    assert_eq!(v["body_sha256"], want.as_str());
}

/// Sends `head` and the first `first` bytes of `body`, pauses so that the gateway's early read ends there, then
/// the rest; returns the whole answer.
fn send_in_two(port: u16, head: &str, body: &[u8], first: usize) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let _ = s.write_all(&[head.as_bytes(), &body[..first]].concat());
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = s.write_all(&body[first..]);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn late_pass_resumes_inside_a_file_part() {
    let real = backend("real").await;
    let gw = block_site(&real);
    let port = gw.port;
    // The early read ends 20 KiB into the file's content: the late pass starts there, skips to the next delimiter
    // and must still see the field after the file.
    for (tail, blocked) in [("see BODYMARKER here", true), ("just a note", false)] {
        let (ct, body) = late_multipart(tail);
        let head = format!(
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let want = hex::encode(Sha256::digest(&body));
        let answer = tokio::task::spawn_blocking(move || send_in_two(port, &head, &body, 20 * 1024))
            .await
            .unwrap();
        let ok = answer.starts_with("HTTP/1.1 200");
        if blocked {
            assert!(
                !ok,
                "the field after the file is inspected: {}",
                &answer[..answer.len().min(200)]
            );
        } else {
            assert!(
                ok && answer.contains(&want),
                "clean upload forwarded whole: {}",
                &answer[..answer.len().min(200)]
            );
        }
    }
}
