//! End to end with the real manager: the server's signed decisions land in the manager and come out of its
//! decision stream (what gateways and agents pull). Needs the `manager` binary of this workspace, which
//! `cargo test --workspace` builds; skipped with a message when it is not there (`cargo test -p server` alone).

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use protocol::signing;
use protocol::DecisionStream;
use support::*;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn manager_bin() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let p = exe.parent()?.parent()?.join("manager");
    p.exists().then_some(p)
}

fn stream(addr: &str, key: &str, secret: &str) -> Option<DecisionStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let path = "/api/v1/decisions/stream?startup=true";
        let h = signing::sign_request(key, secret.as_bytes(), "GET", path, b"");
        let mut req = reqwest::Client::new().get(format!("http://{addr}{path}"));
        for (k, v) in h.pairs() {
            req = req.header(k, v);
        }
        let resp = req.send().await.ok()?;
        let status = resp.status().as_u16();
        let signature = signing::ResponseSignature::from_headers(resp.headers());
        let body = resp.bytes().await.ok()?;
        signature.verify(secret.as_bytes(), status, &h.nonce, &body).ok()?;
        serde_json::from_slice(&body).ok()
    })
}

#[test]
fn decisions_reach_the_real_manager_and_its_stream() {
    let Some(bin) = manager_bin() else {
        eprintln!("SKIP: manager binary not built (run `cargo test --workspace` or `cargo build -p manager`)");
        return;
    };
    let mdir = tempfile::tempdir().unwrap();
    let mcfg = mdir.path().join("manager.toml");
    std::fs::write(
        &mcfg,
        "listen = \"127.0.0.1:0\"\ndatabase = \"manager.db\"\nsites_dir = \"sites\"\n",
    )
    .unwrap();
    let mut child = Command::new(&bin)
        .arg("--config")
        .arg(&mcfg)
        .env("JHSY_ADMIN_PASSWORD", "correct horse battery")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let _m = Proc(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let l = rx.recv_timeout(Duration::from_secs(30)).expect("manager did not start");
        if let Some(a) = l.strip_prefix("listening on ") {
            break a.to_string();
        }
    };
    let key = Command::new(&bin)
        .arg("--config")
        .arg(&mcfg)
        .args(["key", "add", "--name", "server-e2e"])
        .output()
        .unwrap();
    assert!(key.status.success(), "{}", String::from_utf8_lossy(&key.stderr));
    let secret = String::from_utf8_lossy(&key.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mkey"), &secret).unwrap();
    let extra = format!(
        "[decisions]\nmanager = \"http://{addr}\"\nkey_id = \"server-e2e\"\nkey_file = {:?}\nflush_interval = \"100ms\"\n",
        dir.path().join("mkey")
    );
    let srv = Server::start_in(dir, &extra, None);
    for i in 0..6 {
        srv.send_udp(
            format!("<38>1 2026-11-28T01:00:00Z web1 sshd 7 - - Failed password for invalid user u{i} from 198.51.100.200 port 4{i} ssh2")
                .as_bytes(),
        );
    }
    // A host-name event must not spoil the batch it travels in.
    srv.send_udp(
        b"<38>1 2026-11-28T01:00:00Z web1 sshd 8 - - error: PAM: Authentication failure for x from attacker.example",
    );
    let mut last = None;
    let ok = wait_until(30, || {
        last = stream(&addr, "server-e2e", &secret);
        last.as_ref().is_some_and(|s| {
            s.new
                .iter()
                .any(|d| d.value == "198.51.100.200" && d.reason == "ssh-bf")
        })
    });
    assert!(ok, "stream: {last:?}\n{}", srv.log());
    let d = last
        .unwrap()
        .new
        .into_iter()
        .find(|d| d.value == "198.51.100.200")
        .unwrap();
    assert_eq!(d.origin, protocol::Origin::Server);
    assert_eq!(d.service, "ssh");
    assert!(wait_until(10, || metric(
        &srv.metrics(),
        "server_output_batches_sent_total{endpoint=\"events\"}"
    ) >= 1.0));
    let m = srv.metrics();
    assert_eq!(
        metric(&m, "server_output_rejected_total{endpoint=\"events\"}"),
        0.0,
        "{m}"
    );
    assert_eq!(
        metric(&m, "server_output_rejected_total{endpoint=\"decisions\"}"),
        0.0,
        "{m}"
    );
}
