//! Integration: events from a honeypot-mode host (RFC 5424 structured data `[jhsy@0 mode="honeypot"]`, or the
//! same element leading an RFC 3164 message) raise an alarm at once — to the manager, a webhook and by SMTP —
//! and a flood from one source yields one alarm plus a summary, not one per line.

mod support;

use support::*;

#[test]
fn honeypot_touch_alarms_everywhere_and_is_throttled() {
    let sink = Sink::start();
    let smtp = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "{}[alarms]\nthrottle = \"2s\"\nwebhooks = [\"{}/hook\"]\n[alarms.smtp]\nserver = \"127.0.0.1\"\nport = {}\nfrom = \"jhsy@localhost\"\nto = [\"soc@localhost\"]\n",
        sink.decisions_toml(dir.path()),
        sink.url(),
        smtp.port
    );
    let srv = Server::start_in(dir, &extra, None);
    // A connection line alone is no offence on a real host...
    srv.send_udp(
        b"<38>1 2026-11-28T01:00:00Z real1 sshd 9 - - Connection from 192.0.2.80 port 5555 on 10.0.0.1 port 22",
    );
    // ...but on a honeypot it is an alarm; 200 more lines from the same source are summarised.
    srv.send_udp(b"<38>1 2026-11-28T01:00:00Z trap1 sshd 9 - [jhsy@0 mode=\"honeypot\"] Connection from 192.0.2.81 port 5555 on 10.0.0.2 port 22");
    // On one TCP connection: 200 datagrams in a burst can overflow the socket's receive buffer when the server
    // is not scheduled in time, and a lost line would never make the count.
    let flood: String = (0..200)
        .map(|i| {
            format!("<13>Nov 28 01:00:00 trap1 vsftpd: [jhsy@0 mode=\"honeypot\"] [pid 1] [u{i}] FAIL LOGIN: Client \"192.0.2.81\"\n")
        })
        .collect();
    srv.send_tcp(flood.as_bytes());
    let got = wait_until(15, || !smtp.mails().is_empty() && !sink.hooks().is_empty());
    assert!(got, "{}", srv.log());
    let hooks = sink.hooks();
    assert_eq!(hooks[0]["kind"], "first");
    assert_eq!(hooks[0]["src_ip"], "192.0.2.81");
    assert!(smtp.mails()[0].contains("192.0.2.81"), "{:?}", smtp.mails());
    // Summary after the throttle window.
    assert!(
        wait_until(15, || sink
            .hooks()
            .iter()
            .any(|h| h["kind"] == "summary" && h["count"] == 200)),
        "{:?}",
        sink.hooks()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        sink.hooks().len(),
        2,
        "one first alarm, one summary: {:?}",
        sink.hooks()
    );
    assert!(!sink.hooks().iter().any(|h| h["src_ip"] == "192.0.2.80"));
    // The manager got alarm events and an immediate decision for the honeypot visitor.
    assert!(wait_until(10, || sink
        .events()
        .iter()
        .any(|e| e.kind == "alarm" && e.src_ip == "192.0.2.81")));
    assert!(wait_until(10, || sink
        .decided()
        .iter()
        .any(|d| d.value == "192.0.2.81" && d.reason == "honeypot-touch")));
    assert!(!sink.decided().iter().any(|d| d.value == "192.0.2.80"));
    assert!(sink
        .events()
        .iter()
        .filter(|e| e.src_ip == "192.0.2.81")
        .all(|e| e.honeypot));
}
