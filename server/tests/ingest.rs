//! Integration: the real server binary receives real syslog from util-linux `logger` (UDP, TCP, octet
//! counting, RFC 3164 and 5424) and raw sockets, and its decisions reach a manager stand-in with valid
//! signatures.

mod support;

use support::*;

#[test]
fn logger_brute_force_becomes_one_signed_decision() {
    if !have("logger") {
        eprintln!("SKIP: util-linux logger not installed");
        return;
    }
    let sink = Sink::start();
    let dir = tempfile::tempdir().unwrap();
    let extra = sink.decisions_toml(dir.path());
    let srv = Server::start_in(dir, &extra, None);
    // Six failures from one address over UDP (RFC 5424, logger's default) → one ssh-bf decision.
    for i in 0..6 {
        assert!(logger(
            srv.port,
            "--udp",
            &[],
            "sshd",
            &format!("Failed password for invalid user u{i} from 10.1.1.1 port 22 from 198.51.100.7 port 4{i} ssh2")
        ));
    }
    // Five from another address over TCP with octet counting, RFC 3164: below the threshold.
    for _ in 0..5 {
        assert!(logger(
            srv.port,
            "--tcp",
            &["--octet-count", "--rfc3164"],
            "sshd",
            "Failed password for root from 198.51.100.8 port 22 ssh2"
        ));
    }
    // vsftpd over TCP, LF framing, mapped IPv6.
    for _ in 0..6 {
        assert!(logger(
            srv.port,
            "--tcp",
            &[],
            "vsftpd",
            "[pid 2675] [abc] FAIL LOGIN: Client \"::ffff:203.0.113.77\""
        ));
    }
    let ok = wait_until(15, || {
        let d = sink.decided();
        d.iter().any(|d| d.value == "198.51.100.7" && d.reason == "ssh-bf")
            && d.iter().any(|d| d.value == "203.0.113.77" && d.reason == "ftp-bf")
    });
    assert!(ok, "decisions: {:?}\nlog: {}", sink.decided(), srv.log());
    std::thread::sleep(std::time::Duration::from_millis(600));
    let d = sink.decided();
    assert_eq!(
        d.iter()
            .filter(|d| d.value == "198.51.100.7" && d.reason == "ssh-bf")
            .count(),
        1
    );
    assert!(
        !d.iter().any(|d| d.value == "198.51.100.8" || d.value == "10.1.1.1"),
        "{d:?}"
    );
    let x = d.iter().find(|d| d.value == "198.51.100.7").unwrap();
    assert_eq!(x.service, "ssh");
    assert_eq!(x.hits, 6);
    assert!(x.until > time::OffsetDateTime::now_utc() + time::Duration::hours(3));
    assert_eq!(sink.bad_signatures(), 0);
    // Evidence events arrived too.
    assert!(wait_until(5, || sink
        .events()
        .iter()
        .filter(|e| e.src_ip == "198.51.100.8")
        .count()
        == 5));
    let m = srv.metrics();
    assert_eq!(
        metric(&m, "server_messages_received_total{transport=\"udp\"}"),
        6.0,
        "{m}"
    );
    assert_eq!(
        metric(&m, "server_messages_received_total{transport=\"tcp\"}"),
        11.0,
        "{m}"
    );
    assert_eq!(
        metric(&m, "server_decisions_total{scenario=\"ssh-bf\",service=\"ssh\"}"),
        1.0,
        "{m}"
    );
    assert!(
        metric(&m, "server_events_total{kind=\"auth_failure\",service=\"ssh\"}") == 11.0,
        "{m}"
    );
}

#[test]
fn malformed_and_oversized_input_is_counted_and_survived() {
    let srv = Server::start("");
    // Oversized octet-counted frame, oversized LF line, invalid UTF-8, garbage, then a good message on the
    // same connection: the good one must still be processed.
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"9000 ");
    bytes.extend(std::iter::repeat_n(b'a', 9000));
    bytes.extend(std::iter::repeat_n(b'b', 5000));
    bytes.push(b'\n');
    bytes.extend_from_slice(b"<13>\xff\xfe bad utf8\n");
    bytes.extend_from_slice(b"<999>1 - - - - [unclosed\n\0\0\n");
    bytes.extend_from_slice(b"<13>Nov 28 01:00:00 h sshd[1]: Invalid user x from 192.0.2.9 port 1\n");
    srv.send_tcp(&bytes);
    srv.send_udp(&vec![b'x'; 5000]);
    srv.send_udp(b"<13>Nov 28 01:00:00 h sshd[1]: Invalid user y from 192.0.2.9 port 1");
    let ok = wait_until(10, || {
        let m = srv.metrics();
        metric(&m, "server_events_total{kind=\"user_enum\",service=\"ssh\"}") == 2.0
            && metric(
                &m,
                "server_messages_dropped_total{reason=\"oversized\",transport=\"tcp\"}",
            ) == 2.0
            && metric(
                &m,
                "server_messages_dropped_total{reason=\"oversized\",transport=\"udp\"}",
            ) == 1.0
            && metric(
                &m,
                "server_messages_dropped_total{reason=\"malformed\",transport=\"tcp\"}",
            ) == 1.0
    });
    assert!(ok, "{}\n{}", srv.metrics(), srv.log());
    assert!(srv.log().contains("syslog message dropped"), "{}", srv.log());
    // Many half-open connections and a reset do not stop the listener.
    let conns: Vec<_> = (0..50)
        .map(|_| std::net::TcpStream::connect(srv.udp()).unwrap())
        .collect();
    drop(conns);
    srv.send_udp(b"<13>Nov 28 01:00:00 h sshd[1]: Invalid user z from 192.0.2.9 port 1");
    assert!(wait_until(5, || metric(
        &srv.metrics(),
        "server_events_total{kind=\"user_enum\",service=\"ssh\"}"
    ) == 3.0));
}
