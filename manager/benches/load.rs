//! Load benchmark against the real manager binary on loopback: signed policy pulls per second and attack events
//! ingested per second (batched, signed), each checked for zero errors. Run with
//! `cargo bench -p manager --bench load`; prints throughput and latency percentiles.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use protocol::signing;

const BIN: &str = env!("CARGO_BIN_EXE_manager");

struct Manager {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
    cfg: std::path::PathBuf,
}

impl Drop for Manager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Manager {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("manager.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\n").unwrap();
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&cfg)
        .env("JHSY_ADMIN_PASSWORD", "benchmark-password")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    for line in out.lines().map_while(Result::ok) {
        if let Some(a) = line.strip_prefix("listening on ") {
            addr = Some(a.to_string());
            break;
        }
    }
    Manager {
        child,
        addr: addr.expect("manager did not start"),
        _dir: dir,
        cfg,
    }
}

fn key(m: &Manager, name: &str) -> String {
    let out = Command::new(BIN)
        .args(["--config"])
        .arg(&m.cfg)
        .args(["key", "add", "--name", name])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

struct Run {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

fn pct(l: &mut [Duration], p: f64) -> Duration {
    l.sort();
    l.get(((l.len() as f64 - 1.0) * p) as usize)
        .copied()
        .unwrap_or_default()
}

/// Runs `total` signed calls from `threads` threads, each making its body with `body(i)`; `pace` = calls/s (0 = as
/// fast as possible). Every answer's signature is verified.
fn run(
    m: &Manager,
    (key_id, secret): (&str, &str),
    path: &str,
    threads: usize,
    total: u64,
    pace: u64,
    body: impl Fn(u64) -> Vec<u8> + Sync,
) -> Run {
    let next = AtomicU64::new(0);
    let (ok, errors) = (AtomicU64::new(0), AtomicU64::new(0));
    let lat = Mutex::new(Vec::with_capacity(total as usize));
    let url = format!("http://{}{path}", m.addr);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    if pace > 0 {
                        let due = start + Duration::from_secs_f64(i as f64 / pace as f64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                    }
                    let b = body(i);
                    let t = Instant::now();
                    let h = signing::sign_request(key_id, secret.as_bytes(), "POST", path, &b);
                    let mut req = client.post(&url).header("content-type", "application/json").body(b);
                    for (k, v) in h.pairs() {
                        req = req.header(k, v);
                    }
                    let good = match req.send() {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let ts = r.headers().get("x-timestamp").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
                            let sig = r.headers().get("x-signature").and_then(|v| v.to_str().ok()).map(str::to_string);
                            let text = r.bytes().unwrap_or_default();
                            (200..300).contains(&status)
                                && matches!((ts, sig), (Some(ts), Some(sig)) if signing::verify_response(secret.as_bytes(), status, &h.nonce, &text, ts, &sig, signing::now_unix()).is_ok())
                        }
                        Err(_) => false,
                    };
                    mine.push(t.elapsed());
                    if good {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat.lock().unwrap().extend(mine);
            });
        }
    });
    Run {
        ok: ok.into_inner(),
        errors: errors.into_inner(),
        elapsed: start.elapsed(),
        latencies: lat.into_inner().unwrap(),
    }
}

fn report(name: &str, unit_per_call: u64, mut r: Run) -> f64 {
    let calls = r.ok + r.errors;
    let rate = (r.ok * unit_per_call) as f64 / r.elapsed.as_secs_f64();
    println!(
        "{name}: {calls} calls in {:.2} s, {} errors -> {rate:.0}/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.elapsed.as_secs_f64(),
        r.errors,
        pct(&mut r.latencies, 0.5).as_secs_f64() * 1e3,
        pct(&mut r.latencies, 0.99).as_secs_f64() * 1e3,
        pct(&mut r.latencies, 1.0).as_secs_f64() * 1e3,
    );
    assert_eq!(r.errors, 0, "{name}: errors under load");
    rate
}

fn events_body(i: u64, per_batch: u64) -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let events: Vec<_> = (0..per_batch)
        .map(|j| {
            let n = i * per_batch + j;
            let service = ["http", "ssh", "ftp", "redis"][(n % 4) as usize];
            serde_json::json!({"time": now, "src_ip": format!("198.51.{}.{}", (n / 250) % 250, n % 250 + 1),
                "service": service, "kind": "waf_match",
                "rule": format!("9421{:02}", n % 50), "site": "shop", "host": "shop.example.com",
                "evidence": "GET /?id=1' or 1=1-- HTTP/1.1"})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "events": events })).unwrap()
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run a short smoke pass then.
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { 1 } else { 10 };
    let m = start();
    let agent = key(&m, "agent-bench");
    let gw = key(&m, "gw-bench");
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2)
        * 2;
    println!(
        "manager load benchmark ({threads} client threads, loopback, release={})",
        !cfg!(debug_assertions)
    );

    let body = |_| br#"{"hostname":"bench-host","mode":"unreal","version":"bench"}"#.to_vec();
    let r = run(
        &m,
        ("agent-bench", &agent),
        "/api/v1/policy",
        threads,
        10_000 / scale,
        0,
        body,
    );
    let max = report("policy pulls, unpaced", 1, r);
    let r = run(
        &m,
        ("agent-bench", &agent),
        "/api/v1/policy",
        threads,
        5_000 / scale,
        1_000,
        body,
    );
    report("policy pulls, paced at 1000/s", 1, r);

    let per_batch = 500;
    let r = run(&m, ("gw-bench", &gw), "/api/v1/events", threads, 200 / scale, 0, |i| {
        events_body(i, per_batch)
    });
    let ev_max = report("events (batches of 500), unpaced", per_batch, r);
    let r = run(&m, ("gw-bench", &gw), "/api/v1/events", threads, 100 / scale, 20, |i| {
        events_body(i + 1000, per_batch)
    });
    report("events (batches of 500), paced at 10000/s", per_batch, r);

    let metrics = reqwest::blocking::get(format!("http://{}/metrics", m.addr))
        .unwrap()
        .text()
        .unwrap();
    let stored = metrics
        .lines()
        .find(|l| l.starts_with("manager_events_stored "))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0) as u64;
    let expected = (200 / scale + 100 / scale) * per_batch;
    println!("events stored: {stored} (expected {expected})");
    assert_eq!(stored, expected, "every accepted event is stored");
    println!("summary: policy pulls {max:.0}/s (target 1000/s, ratio {:.1}x); events {ev_max:.0}/s (target 10000/s, ratio {:.1}x)", max / 1000.0, ev_max / 10_000.0);
}
