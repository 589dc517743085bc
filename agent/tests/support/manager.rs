//! A stand-in for the manager's `POST /api/v1/policy` on loopback: checks the request signature like the real
//! one and answers with a policy signed per DESIGN.md §4, or with one of the faults a caller must reject.
#![allow(dead_code, reason = "shared by several test crates, each of which uses a part")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use protocol::signing::{now_unix, sign_response, verify_request};

pub const KEY_ID: &str = "agent-test";
pub const SECRET: &str = "5ecret-5ecret-5ecret";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A correctly signed 200 with this body.
    Good(String),
    /// 200 with this body but no signature headers.
    Unsigned(String),
    /// 200 signed with the wrong secret.
    WrongKey(String),
    /// 200 signed correctly but 1000 s in the past.
    Stale(String),
    /// 200 signed for another request's nonce (a replayed answer).
    OtherNonce(String),
    /// Connection closed without an answer.
    Hangup,
}

pub struct Manager {
    pub url: String,
    pub answer: Arc<Mutex<Answer>>,
    pub requests: Arc<AtomicUsize>,
    /// Requests whose signature did not verify.
    pub bad_requests: Arc<AtomicUsize>,
    pub last_body: Arc<Mutex<String>>,
}

fn respond(w: &mut impl Write, status: u16, headers: &[(String, String)], body: &str) {
    let mut s = format!(
        "HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    let _ = w.write_all(s.as_bytes());
}

impl Manager {
    pub fn start(answer: Answer) -> Manager {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let m = Manager {
            url,
            answer: Arc::new(Mutex::new(answer)),
            requests: Arc::default(),
            bad_requests: Arc::default(),
            last_body: Arc::default(),
        };
        let (ans, reqs, bad, last) = (
            m.answer.clone(),
            m.requests.clone(),
            m.bad_requests.clone(),
            m.last_body.clone(),
        );
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let mut r = BufReader::new(c.try_clone().unwrap());
                let mut w = c;
                let mut start = String::new();
                if r.read_line(&mut start).is_err() {
                    continue;
                }
                let mut headers = std::collections::HashMap::new();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                    }
                }
                let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                let mut body = vec![0u8; len];
                let _ = r.read_exact(&mut body);
                reqs.fetch_add(1, Ordering::SeqCst);
                *last.lock().unwrap() = String::from_utf8_lossy(&body).to_string();
                let path = start.split_whitespace().nth(1).unwrap_or("").to_string();
                let h = |k: &str| headers.get(k).cloned().unwrap_or_default();
                let ts: i64 = h("x-timestamp").parse().unwrap_or(0);
                let nonce = h("x-nonce");
                let ok = h("x-key-id") == KEY_ID
                    && verify_request(
                        SECRET.as_bytes(),
                        "POST",
                        &path,
                        &body,
                        ts,
                        &nonce,
                        &h("x-signature"),
                        now_unix(),
                    )
                    .is_ok();
                if !ok {
                    bad.fetch_add(1, Ordering::SeqCst);
                    respond(&mut w, 401, &[], "{\"error\":\"bad signature\"}");
                    continue;
                }
                let answer = ans.lock().unwrap().clone();
                let signed = |secret: &str, nonce: &str, body: &str| {
                    let (ts, sig) = sign_response(secret.as_bytes(), 200, nonce, body.as_bytes());
                    vec![
                        ("x-timestamp".to_string(), ts.to_string()),
                        ("x-signature".to_string(), sig),
                    ]
                };
                match answer {
                    Answer::Good(b) => respond(&mut w, 200, &signed(SECRET, &nonce, &b), &b),
                    Answer::Unsigned(b) => respond(&mut w, 200, &[], &b),
                    Answer::WrongKey(b) => respond(&mut w, 200, &signed("not-the-secret", &nonce, &b), &b),
                    Answer::OtherNonce(b) => {
                        respond(&mut w, 200, &signed(SECRET, "00112233445566778899aabbccddeeff", &b), &b)
                    }
                    Answer::Stale(b) => {
                        // Sign as if 1000 s ago: recompute by hand with the protocol's message layout.
                        let ts = now_unix() - 1000;
                        let sig = stale_sig(&nonce, &b, ts);
                        respond(
                            &mut w,
                            200,
                            &[("x-timestamp".into(), ts.to_string()), ("x-signature".into(), sig)],
                            &b,
                        )
                    }
                    Answer::Hangup => drop(w),
                }
            }
        });
        m
    }

    pub fn set(&self, a: Answer) {
        *self.answer.lock().unwrap() = a;
    }
}

fn stale_sig(nonce: &str, body: &str, ts: i64) -> String {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let mut m = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    let msg = format!("200\n{ts}\n{nonce}\n{}", hex::encode(Sha256::digest(body.as_bytes())));
    m.update(msg.as_bytes());
    hex::encode(m.finalize().into_bytes())
}
