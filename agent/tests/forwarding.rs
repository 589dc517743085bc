//! Log lines from files and Redis MONITOR reach a real syslog receiver on loopback: every line exactly once,
//! in order, across rotation (rename and copytruncate), partial lines, agent restarts and a 30 s server outage.

#[path = "support/proc.rs"]
mod proc;
#[path = "support/sink.rs"]
mod sink;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proc::{wait_for, Guard};
use sink::Sink;

struct Agent {
    dir: tempfile::TempDir,
    cfg: PathBuf,
    log: PathBuf,
}

impl Agent {
    fn new(body: &str) -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("agent.toml");
        fs::write(
            &cfg,
            format!("hostname = \"testhost\"\nstate_dir = \"state\"\ntail_poll = \"50ms\"\n{body}"),
        )
        .unwrap();
        let log = dir.path().join("agent.log");
        Agent { cfg, log, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn start(&self) -> Guard {
        let log = OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        Guard::spawn(
            "agent",
            Command::new(env!("CARGO_BIN_EXE_agent"))
                .args(["-c", "start", "--config", self.cfg.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(log),
        )
    }

    fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn append(f: &mut File, line: &str) {
    f.write_all(line.as_bytes()).unwrap();
    f.write_all(b"\n").unwrap();
}

fn open_append(p: &Path) -> File {
    OpenOptions::new().create(true).append(true).open(p).unwrap()
}

fn wait_count(sink: &Sink, app: &str, n: usize, limit: Duration, agent: &Agent) -> Vec<String> {
    let ok = wait_for(limit, || sink.bodies(app).len() >= n);
    let got = sink.bodies(app);
    assert!(
        ok,
        "{app}: got {} of {n} lines; last: {:?}\nagent log:\n{}",
        got.len(),
        got.last(),
        agent.log_text()
    );
    got
}

fn expect_seq(got: &[String], prefix: &str, range: std::ops::Range<usize>) {
    let want: Vec<String> = range.map(|i| format!("{prefix}{i}")).collect();
    if got != want.as_slice() {
        let first_diff = got.iter().zip(&want).position(|(a, b)| a != b);
        panic!(
            "{prefix}: {} lines, want {}; first difference at {first_diff:?}: got {:?}",
            got.len(),
            want.len(),
            first_diff.map(|i| &got[i])
        );
    }
}

#[test]
fn files_follow_rename_copytruncate_late_files_and_partial_lines() {
    let sink = Sink::tcp(0);
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[[files]]\npath = \"a.log\"\nservice = \"vsftpd\"\n[[files]]\npath = \"b.log\"\nservice = \"rsyncd\"\n[[files]]\npath = \"c.log\"\nservice = \"sshd\"\n",
        sink.port
    ));
    // History from before the agent existed is not sent (tail -F semantics).
    let mut fa = open_append(&a.path("a.log"));
    let mut fb = open_append(&a.path("b.log"));
    for i in 0..5 {
        append(&mut fa, &format!("old-a-{i}"));
        append(&mut fb, &format!("old-b-{i}"));
    }
    let _agent = a.start();
    // The tailer takes the files' ends at its first poll, and saves them: lines written before that are history.
    let offsets = a.path("state/offsets.json");
    assert!(
        wait_for(Duration::from_secs(15), || {
            let t = std::fs::read_to_string(&offsets).unwrap_or_default();
            t.contains("a.log\"") && t.contains("b.log\"")
        }),
        "{}",
        a.log_text()
    );

    let pa = a.path("a.log");
    let writer_a = std::thread::spawn(move || {
        let mut f = fa;
        for i in 0..600 {
            if i == 100 {
                // A partial line completed later must arrive as one line.
                f.write_all(b"a-100").unwrap();
                std::thread::sleep(Duration::from_millis(300));
                f.write_all(b"\n").unwrap();
                continue;
            }
            if i == 200 || i == 400 {
                // Rotation by rename; the writer keeps its old descriptor for a few lines, then reopens.
                fs::rename(&pa, pa.with_extension(format!("log.{i}"))).unwrap();
                for j in 0..5 {
                    append(&mut f, &format!("a-{}", i + j));
                    std::thread::sleep(Duration::from_millis(5));
                }
                f = open_append(&pa);
                for j in 5..10 {
                    append(&mut f, &format!("a-{}", i + j));
                }
            }
            if (200..210).contains(&i) || (400..410).contains(&i) {
                continue;
            }
            append(&mut f, &format!("a-{i}"));
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let pb = a.path("b.log");
    let sink_msgs = sink.msgs.clone();
    let writer_b = std::thread::spawn(move || {
        let mut f = fb;
        let mut i = 0;
        while i < 1000 {
            if i == 200 || i == 600 {
                // copytruncate: once the agent has the last line, copy and truncate, then write a burst larger
                // than the old content before the agent looks again (only the fingerprint can tell).
                let last = format!("] b-{}", i - 1);
                let t = Instant::now();
                while !sink_msgs.lock().unwrap().iter().any(|m| m.ends_with(&last))
                    && t.elapsed() < Duration::from_secs(10)
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                fs::copy(&pb, pb.with_extension(format!("log.{i}"))).unwrap();
                f.set_len(0).unwrap();
                let mut burst = String::new();
                for j in i..i + 250 {
                    burst.push_str(&format!("b-{j}\n"));
                }
                f.write_all(burst.as_bytes()).unwrap();
                i += 250;
                continue;
            }
            append(&mut f, &format!("b-{i}"));
            i += 1;
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    // A file that appears after the agent started is read from its first line.
    std::thread::sleep(Duration::from_millis(300));
    let mut fc = open_append(&a.path("c.log"));
    for i in 0..50 {
        append(&mut fc, &format!("c-{i}"));
    }
    writer_a.join().unwrap();
    writer_b.join().unwrap();

    let got_a = wait_count(&sink, "vsftpd", 600, Duration::from_secs(20), &a);
    let got_b = wait_count(&sink, "rsyncd", 1000, Duration::from_secs(20), &a);
    let got_c = wait_count(&sink, "sshd", 50, Duration::from_secs(20), &a);
    std::thread::sleep(Duration::from_millis(500));
    expect_seq(&got_a, "a-", 0..600);
    expect_seq(&got_b, "b-", 0..1000);
    expect_seq(&got_c, "c-", 0..50);
    assert_eq!(sink.bodies("vsftpd").len(), 600, "nothing sent twice");
    assert!(
        sink.errors.lock().unwrap().is_empty(),
        "{:?}",
        sink.errors.lock().unwrap()
    );
    // The exact RFC 5424 shape the server parses.
    let m = sink.messages().into_iter().find(|m| m.ends_with("] a-0")).unwrap();
    let (head, _) = m
        .split_once(" testhost vsftpd - - [jhsy@0 mode=\"honeypot\" host=\"testhost\"] a-0")
        .unwrap();
    assert!(head.starts_with("<134>1 20") && head.ends_with('Z'), "{m}");
}

#[test]
fn restart_resumes_after_the_last_line_even_if_rotated_meanwhile() {
    let sink = Sink::tcp(0);
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[[files]]\npath = \"m.log\"\nservice = \"mysql\"\nstart_at = \"beginning\"\n",
        sink.port
    ));
    let p = a.path("m.log");
    let mut f = open_append(&p);
    for i in 0..50 {
        append(&mut f, &format!("m-{i}"));
    }
    let mut agent = a.start();
    wait_count(&sink, "mysql", 50, Duration::from_secs(10), &a);
    assert!(agent.term(Duration::from_secs(10)), "agent stops on SIGTERM");
    // While the agent is down: more lines, a rename rotation, lines in the new file, a partial line.
    for i in 50..70 {
        append(&mut f, &format!("m-{i}"));
    }
    fs::rename(&p, a.path("m.log.1")).unwrap();
    let mut f = open_append(&p);
    for i in 70..90 {
        append(&mut f, &format!("m-{i}"));
    }
    f.write_all(b"m-9").unwrap();
    let _agent = a.start();
    let got = wait_count(&sink, "mysql", 90, Duration::from_secs(10), &a);
    std::thread::sleep(Duration::from_millis(400));
    f.write_all(b"0\n").unwrap();
    let got2 = wait_count(&sink, "mysql", 91, Duration::from_secs(10), &a);
    assert_eq!(got.len(), 90, "partial line not sent early");
    expect_seq(&got2, "m-", 0..91);
}

#[test]
fn thirty_second_server_outage_loses_nothing_and_duplicates_nothing() {
    let mut sink = Sink::tcp(0);
    let port = sink.port;
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{port}\"\n[[files]]\npath = \"s.log\"\nservice = \"vsftpd\"\nstart_at = \"beginning\"\n"
    ));
    let p = a.path("s.log");
    fs::write(&p, "").unwrap();
    let _agent = a.start();
    let writer = std::thread::spawn(move || {
        let mut f = open_append(&p);
        let t = Instant::now();
        let mut i = 0;
        while t.elapsed() < Duration::from_secs(37) {
            append(&mut f, &format!("s-{i}"));
            i += 1;
            std::thread::sleep(Duration::from_millis(25));
        }
        i
    });
    std::thread::sleep(Duration::from_secs(3));
    let before = sink.bodies("vsftpd").len();
    assert!(before > 20, "lines flow before the outage ({before})");
    sink.stop();
    let first = sink.bodies("vsftpd");
    std::thread::sleep(Duration::from_secs(30));
    let sink2 = Sink::tcp(port);
    let total = writer.join().unwrap();
    let rest = wait_count(&sink2, "vsftpd", total - first.len(), Duration::from_secs(30), &a);
    let mut all = first.clone();
    all.extend(rest);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink2.bodies("vsftpd").len() + first.len(), total, "nothing twice");
    expect_seq(&all, "s-", 0..total);
    assert!(a.log_text().contains("queueing on disk"), "{}", a.log_text());
}

#[test]
fn udp_transport_delivers_rfc5424_datagrams() {
    let sink = Sink::udp(0);
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\ntransport = \"udp\"\n[[files]]\npath = \"u.log\"\nservice = \"mongodb\"\nstart_at = \"beginning\"\n",
        sink.port
    ));
    let mut f = open_append(&a.path("u.log"));
    for i in 0..100 {
        append(&mut f, &format!("u-{i}"));
    }
    let _agent = a.start();
    let got = wait_count(&sink, "mongodb", 100, Duration::from_secs(10), &a);
    expect_seq(&got, "u-", 0..100);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_server(port: u16, dir: &Path) -> Guard {
    let g = Guard::spawn(
        "redis-server",
        Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--requirepass",
                "s3cret",
            ])
            .args(["--save", "", "--appendonly", "no", "--dir", dir.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    assert!(
        wait_for(Duration::from_secs(10), || redis_cli(port, &["ping"]).contains("PONG")),
        "redis-server did not start"
    );
    g
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let o = Command::new("redis-cli")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-a",
            "s3cret",
            "--no-auth-warning",
        ])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn redis_monitor_lines_are_forwarded_and_the_agent_reconnects() {
    if !proc::have("redis-server") || !proc::have("redis-cli") {
        println!("SKIP redis_monitor: redis-server/redis-cli not installed");
        return;
    }
    let sink = Sink::tcp(0);
    let port = free_port();
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[redis]\naddr = \"127.0.0.1:{port}\"\npassword_file = \"redis.pw\"\n",
        sink.port
    ));
    fs::write(a.path("redis.pw"), "s3cret\n").unwrap();
    let mut redis = redis_server(port, a.dir.path());
    let _agent = a.start();
    assert!(
        wait_for(Duration::from_secs(10), || a.log_text().contains("redis: monitoring")),
        "{}",
        a.log_text()
    );
    redis_cli(port, &["set", "k1", "hello world"]);
    redis_cli(port, &["config", "set", "dbfilename", "evil.rdb"]);
    redis_cli(port, &["get", "k1"]);
    let has = |s: &str| sink.bodies("redis").iter().any(|b| b.contains(s));
    assert!(
        wait_for(Duration::from_secs(10), || has(r#""get" "k1""#)),
        "{:?}",
        sink.messages()
    );
    assert!(has(r#""set" "k1" "hello world""#), "{:?}", sink.bodies("redis"));
    // Documented limitation: Redis never shows CONFIG in MONITOR (what the README says).
    assert!(!has("dbfilename"), "redis 7 showed CONFIG: update the README");
    assert!(
        has(r#""AUTH" "(redacted)""#) || has(r#""auth" "(redacted)""#),
        "{:?}",
        sink.bodies("redis")
    );

    // Redis restarts: the agent reconnects with backoff and keeps forwarding.
    redis.term(Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(700));
    let _redis = redis_server(port, a.dir.path());
    let ok = wait_for(Duration::from_secs(20), || {
        redis_cli(port, &["set", "k2", "after-restart"]);
        has(r#""set" "k2" "after-restart""#)
    });
    assert!(ok, "no MONITOR lines after a redis restart\n{}", a.log_text());
}

#[test]
fn every_server_gets_every_line_and_a_down_one_catches_up() {
    let up = Sink::tcp(0);
    let mut down = Sink::tcp(0);
    let down_port = down.port;
    down.stop();
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[[servers]]\naddr = \"127.0.0.1:{down_port}\"\n[[files]]\npath = \"f.log\"\nservice = \"proftpd\"\nstart_at = \"beginning\"\n",
        up.port
    ));
    let mut f = open_append(&a.path("f.log"));
    for i in 0..300 {
        append(&mut f, &format!("f-{i}"));
    }
    let _agent = a.start();
    let got = wait_count(&up, "proftpd", 300, Duration::from_secs(10), &a);
    expect_seq(&got, "f-", 0..300);
    let late = Sink::tcp(down_port);
    let got = wait_count(&late, "proftpd", 300, Duration::from_secs(15), &a);
    expect_seq(&got, "f-", 0..300);
    assert_eq!(up.bodies("proftpd").len(), 300);
}

/// A fake Redis: refuses AUTH on the first connection, then sends a MONITOR line and garbage, then behaves.
#[test]
fn redis_auth_refusal_and_protocol_garbage_are_survived() {
    use std::io::{BufRead, BufReader};
    let sink = Sink::tcp(0);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (n, c) in l.incoming().flatten().enumerate() {
            let mut r = BufReader::new(c.try_clone().unwrap());
            let mut w = c;
            // Read one RESP array command (AUTH or MONITOR): "*N", then N pairs of "$len" + data.
            let read_cmd = |r: &mut BufReader<std::net::TcpStream>| {
                let mut head = String::new();
                r.read_line(&mut head).unwrap_or(0);
                let n: usize = head.trim().trim_start_matches('*').parse().unwrap_or(0);
                for _ in 0..2 * n {
                    let mut s = String::new();
                    r.read_line(&mut s).unwrap_or(0);
                }
            };
            read_cmd(&mut r);
            if n == 0 {
                let _ = w.write_all(b"-WRONGPASS invalid username-password pair\r\n");
                continue;
            }
            let _ = w.write_all(b"+OK\r\n");
            read_cmd(&mut r);
            let _ = w.write_all(b"+OK\r\n");
            let line = format!("+1700000000.000001 [0 127.0.0.1:5{n}] \"get\" \"conn{n}\"\r\n");
            // Split across writes: framing must not depend on read boundaries.
            let (x, y) = line.split_at(10);
            let _ = w.write_all(x.as_bytes());
            std::thread::sleep(Duration::from_millis(50));
            let _ = w.write_all(y.as_bytes());
            if n == 1 {
                let _ = w.write_all(b"?garbage\r\n");
            } else {
                std::thread::sleep(Duration::from_secs(30));
            }
        }
    });
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[redis]\naddr = \"127.0.0.1:{port}\"\npassword = \"x\"\n",
        sink.port
    ));
    let _agent = a.start();
    let has = |s: &str| sink.bodies("redis").iter().any(|b| b.contains(s));
    assert!(
        wait_for(Duration::from_secs(15), || has("\"conn1\"") && has("\"conn2\"")),
        "{:?}\n{}",
        sink.messages(),
        a.log_text()
    );
    let log = a.log_text();
    assert!(log.contains("AUTH refused"), "{log}");
    assert!(log.contains("protocol error"), "{log}");
}

#[test]
fn auth_log_lines_are_sent_without_their_own_syslog_header() {
    let sink = Sink::tcp(0);
    let a = Agent::new(&format!(
        "[[servers]]\naddr = \"127.0.0.1:{}\"\n[[files]]\npath = \"auth.log\"\nservice = \"sshd\"\nstart_at = \"beginning\"\n[[files]]\npath = \"raw.log\"\nservice = \"sshd-raw\"\nstart_at = \"beginning\"\nformat = \"raw\"\n",
        sink.port
    ));
    let line = "Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port 56502 ssh2";
    fs::write(a.path("auth.log"), format!("{line}\n")).unwrap();
    fs::write(a.path("raw.log"), format!("{line}\n")).unwrap();
    let _agent = a.start();
    wait_count(&sink, "sshd", 1, Duration::from_secs(10), &a);
    wait_count(&sink, "sshd-raw", 1, Duration::from_secs(10), &a);
    let msgs = sink.messages();
    let m = msgs.iter().find(|m| m.split(' ').nth(3) == Some("sshd")).unwrap();
    assert!(
        m.ends_with(" testhost sshd 1571 - [jhsy@0 mode=\"honeypot\" host=\"testhost\"] Failed password for root from 192.0.2.1 port 56502 ssh2"),
        "{m}"
    );
    assert_eq!(sink.bodies("sshd-raw"), vec![line.to_string()]);
}
