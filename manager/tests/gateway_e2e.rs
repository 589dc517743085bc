//! End to end with the real gateway: a site added in the manager is served by a gateway watching `sites_dir`; a
//! decision posted by a "server" reaches the gateway through the signed decision stream and moves that client
//! to the cloned pool; an unban in the UI moves it back; a WAF hit on the gateway shows up in the manager's
//! attack list. Skips (with a message) when target/debug/gateway has not been built.

#[path = "support/harness.rs"]
mod harness;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::{decision, Manager, ADMIN_PW};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A tiny HTTP backend answering `body` to everything, for at most two minutes.
fn backend(body: &'static str) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(120);
        while Instant::now() < end {
            match l.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).ok();
                    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut chunk) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(resp.as_bytes());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    addr
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn get(from: &str, port: u16, path: &str) -> Option<String> {
    let c = reqwest::blocking::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let r = c
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header("host", "shop.test")
        .send()
        .ok()?;
    r.text().ok()
}

/// Polls until `from` gets `want`, for up to 15 s.
fn wait_for(from: &str, port: u16, want: &str) {
    let end = Instant::now() + Duration::from_secs(15);
    let mut last = None;
    while Instant::now() < end {
        last = get(from, port, "/");
        if last.as_deref() == Some(want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{from} never got {want:?}; last answer {last:?}");
}

#[test]
fn manager_site_and_decisions_drive_a_running_gateway() {
    let Some(gw) = harness::gateway_bin() else {
        eprintln!("SKIP: target/debug/gateway not built (cargo build -p gateway); end-to-end test not run");
        return;
    };
    let m = Manager::start_with(&format!("gateway_bin = {:?}\n", gw.display().to_string()), true);
    let secret = m.key("gw1");
    let srv = m.key("srv1");
    let (real, clone) = (backend("real"), backend("clone"));

    let s = m.login("admin", ADMIN_PW);
    let csrf = s.csrf("/sites/new");
    let (real_s, clone_s) = (real.to_string(), clone.to_string());
    let (code, page) = s.post(
        "/sites",
        &[
            ("csrf", csrf.as_str()),
            ("name", "shop"),
            ("hosts", "shop.test"),
            ("backends", &real_s),
            ("unreal_backends", &clone_s),
            ("waf_mode", "deceive"),
            ("bad_guy_ttl", "10m"),
            ("max_fails", "3"),
            ("fail_timeout", "20s"),
        ],
    );
    assert_eq!(code, 303, "{page}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gw1.key"), &secret).unwrap();
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    let rules = if rules.is_dir() {
        rules.canonicalize().unwrap()
    } else {
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        dir.path().join("rules")
    };
    let (port, admin) = (free_port(), free_port());
    let cfg = format!(
        "listen = [\"127.0.0.1:{port}\"]\nadmin_listen = \"127.0.0.1:{admin}\"\nsites_dir = {sites:?}\nrules_dir = {rules:?}\n\
         threads = 1\nwatch_interval = \"200ms\"\nupgrade_sock = \"upgrade.sock\"\npid_file = \"gateway.pid\"\n\
         [decisions]\nmanager = \"http://{addr}\"\nkey_id = \"gw1\"\nkey_file = \"gw1.key\"\npull_interval = \"200ms\"\n",
        sites = m.dir.path().join("sites").display().to_string(),
        rules = rules.display().to_string(),
        addr = m.addr,
    );
    std::fs::write(dir.path().join("gateway.toml"), cfg).unwrap();
    let _g = Kill(
        Command::new(&gw)
            .arg("--config")
            .arg(dir.path().join("gateway.toml"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let end = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < end,
            "gateway did not start listening (stale target/debug/gateway? cargo build -p gateway)"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    wait_for("127.0.0.2", port, "real");
    // A detection server bans 127.0.0.2: the gateway pulls it and routes that client to the clone.
    let r = m.signed(
        "srv1",
        &srv,
        "POST",
        "/api/v1/decisions",
        &serde_json::json!([decision("127.0.0.2", 600, "ssh-bf")]).to_string(),
    );
    assert_eq!(r.status, 200);
    wait_for("127.0.0.2", port, "clone");
    assert_eq!(
        get("127.0.0.3", port, "/").as_deref(),
        Some("real"),
        "other clients stay on the real site"
    );

    // Unban in the UI: back to the real site.
    let (code, _) = s.post("/decisions/unban", &[("csrf", &csrf), ("value", "127.0.0.2")]);
    assert_eq!(code, 303);
    wait_for("127.0.0.2", port, "real");

    // A range decision (CrowdSec's `Range` scope) moves every client of that network, and only them.
    let mut range = decision("127.0.0.16/30", 600, "scan from a /30");
    range["scope"] = "range".into();
    let r = m.signed(
        "srv1",
        &srv,
        "POST",
        "/api/v1/decisions",
        &serde_json::json!([range]).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    wait_for("127.0.0.17", port, "clone");
    wait_for("127.0.0.19", port, "clone");
    assert_eq!(
        get("127.0.0.20", port, "/").as_deref(),
        Some("real"),
        "outside the range"
    );
    let (code, _) = s.post("/decisions/unban", &[("csrf", &csrf), ("value", "127.0.0.16/30")]);
    assert_eq!(code, 303);
    wait_for("127.0.0.17", port, "real");

    // A WAF hit on the gateway reaches the manager's attack log.
    let _ = get(
        "127.0.0.4",
        port,
        "/?id=1%27%20or%201=1--%20&q=%3Cscript%3Ealert(1)%3C/script%3E",
    );
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, page) = s.get("/attacks?ip=127.0.0.4&range=1h");
        if page.contains("/ip/127.0.0.4") {
            break;
        }
        assert!(Instant::now() < end, "gateway's attack event never reached the manager");
        std::thread::sleep(Duration::from_millis(200));
    }
}
