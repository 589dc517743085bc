//! Integration: a private rsyslogd (own config, pid file and work dir, loopback ports only) receives lines from
//! `logger` and forwards them to the server the way an agent's rsyslog would: sshd over TCP with RFC 6587
//! octet-counted framing and the traditional template, vsftpd over TCP with LF framing and RFC 5424
//! (`RSYSLOG_SyslogProtocol23Format`). Skipped when rsyslogd or logger is missing.

mod support;

use std::process::{Command, Stdio};
use support::*;

struct Rsyslogd(std::process::Child);

impl Drop for Rsyslogd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rsyslogd_bin() -> Option<String> {
    ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
        .or_else(|| have("rsyslogd").then(|| "rsyslogd".to_string()))
}

#[test]
fn rsyslog_forwarding_octet_counted_and_rfc5424() {
    let Some(bin) = rsyslogd_bin() else {
        eprintln!("SKIP: rsyslogd not installed");
        return;
    };
    if !have("logger") {
        eprintln!("SKIP: util-linux logger not installed");
        return;
    }
    let sink = Sink::start();
    let dir = tempfile::tempdir().unwrap();
    let extra = sink.decisions_toml(dir.path());
    let srv = Server::start_in(dir, &extra, None);
    let work = tempfile::tempdir().unwrap();
    let in_port = free_port();
    let conf = work.path().join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            r#"global(workDirectory="{w}" net.enableDNS="off")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{in_port}")
if $programname == 'sshd' then {{
  action(type="omfwd" target="127.0.0.1" port="{p}" protocol="tcp" TCP_Framing="octet-counted"
         template="RSYSLOG_TraditionalForwardFormat")
  stop
}}
if $programname == 'vsftpd' then {{
  action(type="omfwd" target="127.0.0.1" port="{p}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format")
  stop
}}
"#,
            w = work.path().display(),
            p = srv.port
        ),
    )
    .unwrap();
    let check = Command::new(&bin).args(["-N1", "-f"]).arg(&conf).output().unwrap();
    assert!(
        check.status.success(),
        "rsyslog config: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _rs = Rsyslogd(
        Command::new(&bin)
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(work.path().join("rsyslogd.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // rsyslogd needs a moment to open its UDP input; resend the first line until it is forwarded.
    let first = |i: usize| format!("Failed password for invalid user a{i} from 198.51.100.31 port 4{i} ssh2");
    let seen = wait_until(20, || {
        logger(in_port, "--udp", &["--rfc3164"], "sshd", &first(0));
        std::thread::sleep(std::time::Duration::from_millis(200));
        metric(
            &srv.metrics(),
            "server_events_total{kind=\"auth_failure\",service=\"ssh\"}",
        ) >= 1.0
    });
    assert!(seen, "rsyslog did not forward: {}", srv.log());
    for i in 1..8 {
        logger(in_port, "--udp", &["--rfc3164"], "sshd", &first(i));
        logger(
            in_port,
            "--udp",
            &["--rfc3164"],
            "vsftpd",
            "[pid 9] [x] FAIL LOGIN: Client \"::ffff:198.51.100.32\"",
        );
    }
    let ok = wait_until(20, || {
        let d = sink.decided();
        d.iter().any(|d| d.value == "198.51.100.31" && d.reason == "ssh-bf")
            && d.iter().any(|d| d.value == "198.51.100.32" && d.reason == "ftp-bf")
    });
    assert!(ok, "decisions {:?}\n{}\n{}", sink.decided(), srv.metrics(), srv.log());
    let m = srv.metrics();
    assert_eq!(
        metric(
            &m,
            "server_messages_dropped_total{reason=\"oversized\",transport=\"tcp\"}"
        ),
        0.0
    );
    assert_eq!(
        metric(
            &m,
            "server_messages_dropped_total{reason=\"malformed\",transport=\"tcp\"}"
        ),
        0.0
    );
    // Every forwarded message had a recognised header (PRI and tag).
    assert_eq!(
        metric(&m, "server_messages_parsed_total{transport=\"tcp\"}"),
        metric(&m, "server_messages_received_total{transport=\"tcp\"}")
    );
    // The RFC 5424 frames kept the host name rsyslog put in (events carry it).
    assert!(sink
        .events()
        .iter()
        .any(|e| e.src_ip == "198.51.100.32" && !e.host.is_empty()));
}
