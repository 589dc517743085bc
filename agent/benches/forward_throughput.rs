//! End-to-end forwarding rate: a log file of 200,000 lines → the agent binary (tail, spool, RFC 5424, TCP
//! octet-counted) → a syslog receiver on 127.0.0.1 counting frames. `cargo bench -p agent --bench forward_throughput`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LINES: usize = 200_000;

fn main() {
    let dir = std::env::temp_dir().join(format!("jhsy-agent-fwd-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("vsftpd.log");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&log).unwrap());
        for i in 0..LINES {
            writeln!(
                f,
                "Mon Oct 22 14:11:43 2012 [pid 2675] [abc] FTP response: Client \"172.31.208.36\", \"530 Login incorrect.\" {i}"
            )
            .unwrap();
        }
    }
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let bytes = Arc::new(AtomicUsize::new(0));
    let (c2, b2) = (count.clone(), bytes.clone());
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let mut buf = vec![0u8; 1 << 20];
            let mut pending: Vec<u8> = Vec::new();
            while let Ok(n) = c.read(&mut buf) {
                if n == 0 {
                    break;
                }
                b2.fetch_add(n, Ordering::Relaxed);
                pending.extend_from_slice(&buf[..n]);
                let mut at = 0;
                while let Some(sp) = pending[at..].iter().position(|&b| b == b' ') {
                    let Ok(len) = std::str::from_utf8(&pending[at..at + sp])
                        .unwrap_or("x")
                        .parse::<usize>()
                    else {
                        panic!("bad frame")
                    };
                    if pending.len() < at + sp + 1 + len {
                        break;
                    }
                    at += sp + 1 + len;
                    c2.fetch_add(1, Ordering::Relaxed);
                }
                pending.drain(..at);
            }
        }
    });
    let cfg = dir.join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            "hostname = \"bench\"\nstate_dir = \"state\"\ntail_poll = \"50ms\"\n[[servers]]\naddr = \"127.0.0.1:{port}\"\n[[files]]\npath = \"vsftpd.log\"\nservice = \"vsftpd\"\nstart_at = \"beginning\"\n"
        ),
    )
    .unwrap();
    let t = Instant::now();
    let mut agent = Command::new(env!("CARGO_BIN_EXE_agent"))
        .args(["-c", "start", "--config", cfg.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while count.load(Ordering::Relaxed) < LINES && t.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = t.elapsed();
    let got = count.load(Ordering::Relaxed);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(agent.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = agent.wait();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "forward_throughput: {got}/{LINES} lines in {:.2} s = {:.0} lines/s, {:.1} MB/s of syslog (agent start included)",
        took.as_secs_f64(),
        got as f64 / took.as_secs_f64(),
        bytes.load(Ordering::Relaxed) as f64 / took.as_secs_f64() / 1e6
    );
}
