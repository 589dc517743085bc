//! Integration: decisions and events survive a manager outage and a server restart (on-disk spool), and are
//! delivered signed once the manager is back.

mod support;

use std::sync::{Arc, Mutex};
use support::*;

fn brute(srv: &Server, ip: &str, n: usize) {
    for i in 0..n {
        srv.send_udp(
            format!("<38>1 2026-11-28T01:00:00Z web1 sshd 77 - - Invalid user u{i} from {ip} port 2{i}").as_bytes(),
        );
    }
}

#[test]
fn nothing_is_lost_across_manager_outage_and_server_restart() {
    // The manager's port is known but nothing listens there yet.
    let mport = free_port();
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "[decisions]\nmanager = \"http://127.0.0.1:{mport}\"\nkey_id = \"{KEY_ID}\"\nkey_file = {:?}\nflush_interval = \"100ms\"\n",
        dir.path().join("key")
    );
    let mut srv = Server::start_in(dir, &extra, None);
    brute(&srv, "192.0.2.61", 6);
    let spool = srv.dir.path().join("spool");
    let spooled = wait_until(10, || {
        std::fs::read_dir(&spool)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().ends_with("decisions.json"))
            })
            .unwrap_or(false)
    });
    assert!(spooled, "{}", srv.log());
    assert!(wait_until(10, || metric(
        &srv.metrics(),
        "server_output_failures_total{endpoint=\"decisions\"}"
    ) >= 1.0));
    // Restart the server while the manager is still away; then queue one more decision.
    srv.restart();
    brute(&srv, "192.0.2.62", 6);
    std::thread::sleep(std::time::Duration::from_millis(500));
    // Manager comes up.
    let state = Arc::new(Mutex::new(SinkState::default()));
    let sink = Sink::start_on(mport, state);
    let ok = wait_until(60, || {
        let d = sink.decided();
        d.iter().any(|d| d.value == "192.0.2.61") && d.iter().any(|d| d.value == "192.0.2.62")
    });
    assert!(ok, "decisions: {:?}\n{}", sink.decided(), srv.log());
    assert!(wait_until(10, || sink
        .events()
        .iter()
        .filter(|e| e.src_ip == "192.0.2.61")
        .count()
        == 6));
    assert_eq!(sink.bad_signatures(), 0);
    assert!(wait_until(10, || std::fs::read_dir(&spool)
        .map(|d| d.count() == 0)
        .unwrap_or(false)));
    let d = sink.decided();
    assert_eq!(
        d.iter()
            .filter(|d| d.value == "192.0.2.61" && d.reason == "ssh-bf")
            .count(),
        1,
        "{d:?}"
    );
}

#[test]
fn forged_manager_answer_is_not_taken_for_delivery() {
    // A "manager" that answers 200 without a valid signature: the batch must stay in the spool.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for c in l.incoming().take(50) {
            let Ok(mut c) = c else { continue };
            let mut buf = [0u8; 65536];
            let _ = c.set_read_timeout(Some(std::time::Duration::from_millis(300)));
            let _ = c.read(&mut buf);
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-timestamp: 1\r\nx-signature: 00\r\nconnection: close\r\n\r\n{}");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "[decisions]\nmanager = \"http://127.0.0.1:{port}\"\nkey_id = \"{KEY_ID}\"\nkey_file = {:?}\nflush_interval = \"100ms\"\n",
        dir.path().join("key")
    );
    let srv = Server::start_in(dir, &extra, None);
    brute(&srv, "192.0.2.63", 6);
    assert!(wait_until(10, || metric(
        &srv.metrics(),
        "server_output_failures_total{endpoint=\"decisions\"}"
    ) >= 1.0));
    let n = std::fs::read_dir(srv.dir.path().join("spool")).unwrap().count();
    assert!(n >= 1, "batch must stay spooled");
    assert_eq!(
        metric(
            &srv.metrics(),
            "server_output_batches_sent_total{endpoint=\"decisions\"}"
        ),
        0.0
    );
}

#[test]
fn sigterm_flushes_the_queue_to_the_spool() {
    let mport = free_port();
    let dir = tempfile::tempdir().unwrap();
    // A long flush interval: only the shutdown path can write the batch.
    let extra = format!(
        "[decisions]\nmanager = \"http://127.0.0.1:{mport}\"\nkey_id = \"{KEY_ID}\"\nkey_file = {:?}\nflush_interval = \"1h\"\n",
        dir.path().join("key")
    );
    let mut srv = Server::start_in(dir, &extra, None);
    brute(&srv, "192.0.2.64", 6);
    assert!(wait_until(5, || metric(
        &srv.metrics(),
        "server_decisions_total{scenario=\"ssh-bf\",service=\"ssh\"}"
    ) == 1.0));
    let spool = srv.dir.path().join("spool");
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
    srv.terminate();
    let files: Vec<String> = std::fs::read_dir(&spool)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        files.iter().any(|f| f.contains("192.0.2.64") && f.contains("ssh-bf")),
        "{files:?}\n{}",
        srv.log()
    );
}
