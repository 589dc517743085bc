//! Integration: rules are reloaded live; a broken rule file is reported `file:line: message` and the
//! previous rules stay in force.

mod support;

use support::*;

#[test]
fn live_reload_and_broken_file_keeps_old_rules() {
    let rules = tempfile::tempdir().unwrap();
    let good = "name = \"demo\"\nservice = \"demo\"\nprograms = [\"demo\"]\n\n[[rule]]\nid = \"demo-fail\"\nkind = \"auth_failure\"\nregex = '^bad login from (?P<src_ip>\\S+)$'\n";
    std::fs::write(rules.path().join("demo.toml"), good).unwrap();
    let srv = Server::start_in(tempfile::tempdir().unwrap(), "", Some(rules.path()));
    let events = |s: &Server| {
        metric(
            &s.metrics(),
            "server_events_total{kind=\"auth_failure\",service=\"demo\"}",
        )
    };
    srv.send_udp(b"<13>Nov 28 01:00:00 h demo: bad login from 192.0.2.1");
    assert!(wait_until(5, || events(&srv) == 1.0));
    // Break the file: error with file:line in the log, old rules still match.
    std::fs::write(
        rules.path().join("demo.toml"),
        good.replace("(?P<src_ip>\\S+)$'", "(?P<src_ip>\\S+$'"),
    )
    .unwrap();
    assert!(
        wait_until(10, || srv.log().contains("demo.toml:8: rule demo-fail: bad regex")),
        "{}",
        srv.log()
    );
    srv.send_udp(b"<13>Nov 28 01:00:00 h demo: bad login from 192.0.2.1");
    assert!(wait_until(5, || events(&srv) == 2.0));
    // Fix it with a new pattern: the new rule is live.
    std::fs::write(
        rules.path().join("demo.toml"),
        good.replace("bad login", "wrong password"),
    )
    .unwrap();
    assert!(wait_until(10, || metric(
        &srv.metrics(),
        "server_rules_reloads_total{result=\"ok\"}"
    ) >= 1.0));
    srv.send_udp(b"<13>Nov 28 01:00:00 h demo: wrong password from 192.0.2.1");
    assert!(wait_until(5, || events(&srv) == 3.0), "{}", srv.metrics());
}
