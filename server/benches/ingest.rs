//! Throughput of the whole receive path on one core: a client thread writes syslog over TCP loopback, the
//! server (in-process, single-threaded tokio runtime) frames, parses and matches every line against the
//! shipped rules, and counts into buckets. Reports lines per second for LF and octet-counted framing.
//!
//! `cargo bench -p server --bench ingest` (env BENCH_LINES to change the line count).

use std::io::Write;
use std::time::{Duration, Instant};

use prometheus::core::Collector;
use server::config::Config;

fn lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let (a, b, c) = ((i / 65536) % 256, (i / 256) % 256, i % 256);
            match i % 20 {
                0..=7 => format!(
                    "<38>Nov 28 01:02:03 web{} sshd[{}]: Failed password for invalid user admin{} from 10.{a}.{b}.{c} port {} ssh2",
                    i % 7,
                    1000 + i % 5000,
                    i % 13,
                    1024 + i % 60000
                ),
                8..=9 => format!(
                    "<38>Nov 28 01:02:03 web1 sshd[{}]: Accepted publickey for deploy from 192.0.2.{} port 5122 ssh2: ED25519 SHA256:abcdef",
                    2000 + i % 100,
                    i % 250
                ),
                10..=11 => "<78>Nov 28 01:02:03 web1 CRON[4242]: (root) CMD (run-parts --report /etc/cron.hourly)".to_string(),
                12 => "<4>Nov 28 01:02:03 web1 kernel: [12345.678901] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex".to_string(),
                13..=15 => format!(
                    "<27>Nov 28 01:02:03 ftp1 vsftpd: [pid {}] [user{}] FAIL LOGIN: Client \"::ffff:172.16.{b}.{c}\"",
                    i % 30000,
                    i % 9
                ),
                16 => format!(
                    "<27>Nov 28 01:02:03 db1 mysqld[77]: 2026-11-28T01:02:03.123456Z 344 [Note] Access denied for user 'root'@'10.9.{b}.{c}' (using password: YES)"
                ),
                17 => format!("<14>Nov 28 01:02:03 r1 redis-monitor: 1764291723.107412 [0 10.8.{b}.{c}:6{}] \"get\" \"session:{i}\"", i % 1000),
                18 => format!(
                    "<14>1 2026-11-28T01:02:03.000Z web1 sshd {} - - Connection closed by 10.7.{b}.{c} port 4222",
                    i % 30000
                ),
                _ => "<30>Nov 28 01:02:03 web1 systemd[1]: Started Session 42 of user deploy.".to_string(),
            }
        })
        .collect()
}

fn run(label: &str, payload: Vec<u8>, n: u64) -> f64 {
    let rules = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services");
    let cfg: Config = toml::from_str(&format!(
        "rules_dir = {rules:?}\n[syslog]\nudp = []\ntcp = [\"127.0.0.1:0\"]\nmax_message = 8192\n[metrics]\nlisten = \"127.0.0.1:0\"\n[honeypot]\ndecision_ttl = \"0s\"\n"
    ))
    .expect("bench config");
    let set = server::rules::load_dir(&cfg.rules_dir).expect("rules");
    // One core for the server: a current-thread runtime on this thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let running = server::serve::start(&cfg, set).await.expect("start");
        let addr = running.tcp[0];
        let p = running.pipeline.clone();
        let start = Instant::now();
        let client = std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).expect("connect");
            for chunk in payload.chunks(256 * 1024) {
                s.write_all(chunk).expect("write");
            }
        });
        let deadline = Instant::now() + Duration::from_secs(300);
        while p.metrics.tcp.received.get() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let secs = start.elapsed().as_secs_f64();
        let _ = client.join();
        let got = p.metrics.tcp.received.get();
        let events: u64 = p.metrics.events.collect()[0].get_metric().iter().map(|m| m.get_counter().value() as u64).sum();
        let decisions: u64 =
            p.metrics.decisions.collect()[0].get_metric().iter().map(|m| m.get_counter().value() as u64).sum();
        let rate = got as f64 / secs;
        println!(
            "{label:<14} {got} lines in {secs:.2} s = {rate:>10.0} lines/s on one core ({events} events, {decisions} decisions, {} buckets live)",
            p.metrics.buckets.get()
        );
        drop(p);
        running.shutdown().await;
        rate
    })
}

fn main() {
    let n: usize = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let ls = lines(n);
    let mut lf = Vec::new();
    let mut oc = Vec::new();
    for l in &ls {
        lf.extend_from_slice(l.as_bytes());
        lf.push(b'\n');
        oc.extend_from_slice(format!("{} {l}", l.len()).as_bytes());
    }
    let avg = lf.len() as f64 / n as f64;
    println!("server ingest bench: {n} syslog lines, mean {avg:.0} bytes, shipped rules, TCP loopback");
    let a = run("LF framing", lf, n as u64);
    let b = run("octet-counted", oc, n as u64);
    println!(
        "target 200000 lines/s: {}",
        if a.min(b) >= 200_000.0 { "met" } else { "NOT met" }
    );
}
