//! Engine behaviour on the shipped rules: sessions, pending/release pairing, host names, honeypot decisions.

use std::path::PathBuf;

use crate::engine::{EngineConfig, Verdict};
use crate::replay;
use crate::rules::{load_dir, RuleSet};

fn shipped() -> RuleSet {
    load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services")).unwrap()
}

fn ips(lines: &[&str]) -> (Vec<(usize, String)>, Vec<Verdict>) {
    let r = replay::run(&shipped(), &EngineConfig::default(), None, lines);
    (r.events.into_iter().map(|(n, e)| (n, e.src_ip)).collect(), r.verdicts)
}

#[test]
fn pam_failure_is_counted_once_or_on_accepted() {
    let (ev, _) = ips(&[
        "Mar  7 18:53:22 bar sshd[1558]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.114  user=root",
        "Mar  7 18:53:23 bar sshd[1558]: Failed password for root from 192.0.2.114 port 52100 ssh2",
        "Mar  7 18:53:24 bar sshd[1559]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.115",
        "Mar  7 18:53:25 bar sshd[1559]: Accepted password for known from 192.0.2.115 port 52100 ssh2",
        "Mar  7 18:53:26 bar sshd[1560]: Accepted password for known from 192.0.2.116 port 52100 ssh2",
    ]);
    assert_eq!(ev, vec![(2, "192.0.2.114".into()), (4, "192.0.2.115".into())]);
}

#[test]
fn address_comes_from_the_session() {
    let (ev, _) = ips(&[
        "Feb 12 04:09:18 h sshd[26713]: Connection from 115.249.163.77 port 51353",
        "Feb 12 04:09:21 h sshd[26713]: Disconnecting: Too many authentication failures [preauth]",
        "Feb 12 04:09:22 other sshd[26713]: Disconnecting: Too many authentication failures [preauth]",
        "2016-11-20T00:24:00.110+0100 [conn56] Failed to authenticate root@admin with mechanism MONGODB-CR: AuthenticationFailed key mismatch",
        "2016-11-20T00:24:00.111+0100 [conn56] end connection 192.0.2.1:53276 (0 connections now open)",
        "2016-11-20T00:24:00.111+0100 [conn57] end connection 192.0.2.2:53276 (0 connections now open)",
    ]);
    assert_eq!(ev, vec![(2, "115.249.163.77".into()), (5, "192.0.2.1".into())]);
}

/// The fail2ban sample lines whose only address is in an earlier line of the same sshd process (the dev corpus
/// samples them without that line, so there they cannot be attributed): with it, they are.
#[test]
fn preauth_failures_take_the_address_of_their_connection() {
    let (ev, _) = ips(&[
        "Nov 26 15:03:30 host sshd[22440]: Connection from 192.0.2.3 port 52844 on 192.0.2.2 port 22",
        "Nov 26 15:03:31 host sshd[22440]: fatal: Unable to negotiate a key exchange method [preauth]",
        "Oct 25 19:37:08 hostname sshd[22477]: Connection from 192.0.2.1 port 41542 on 192.0.2.2 port 22",
        "Oct 25 19:37:09 hostname sshd[22477]: fatal: no matching mac found: client hmac-xxx server hmac-yyy [preauth]",
        "Feb 17 17:40:17 host sshd[19725]: Connection from 192.0.2.10 port 62004 on 192.0.2.10 port 22",
        "Feb 17 17:40:18 host sshd[19725]: error: kex_exchange_identification: Connection closed by remote host",
    ]);
    assert_eq!(
        ev,
        vec![
            (2, "192.0.2.3".into()),
            (4, "192.0.2.1".into()),
            (6, "192.0.2.10".into())
        ]
    );
}

#[test]
fn host_names_are_events_but_never_decisions() {
    let lines: Vec<String> = (0..10)
        .map(|i| {
            format!("May 29 20:56:5{i} imago sshd[28732]: error: PAM: Authentication failure for u{i} from example.com")
        })
        .collect();
    let r = replay::run(&shipped(), &EngineConfig::default(), None, &lines);
    assert_eq!(r.events.len(), 10);
    assert!(r.events.iter().all(|(_, e)| e.src_ip == "example.com"));
    assert!(r.verdicts.is_empty());
}

#[test]
fn honeypot_connection_is_an_event_and_a_decision() {
    let (ev, v) = ips(&[
        "<38>1 2026-11-28T01:00:00Z real sshd 9 - - Connection from 192.0.2.80 port 5555 on 10.0.0.1 port 22",
        "<38>1 2026-11-28T01:00:00Z trap sshd 9 - [jhsy@0 mode=\"honeypot\"] Connection from 192.0.2.81 port 5555 on 10.0.0.2 port 22",
        "<38>1 2026-11-28T01:00:01Z trap sshd 9 - [jhsy@0 mode=\"honeypot\"] Connection from 192.0.2.81 port 5556 on 10.0.0.2 port 22",
    ]);
    assert_eq!(ev, vec![(2, "192.0.2.81".into()), (3, "192.0.2.81".into())]);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].decision.reason, "honeypot-touch");
}

#[test]
fn redis_dangerous_command_decides_at_once() {
    let (_, v) = ips(&[r#"1764291723.107412 [0 203.0.113.50:6379] "CONFIG" "SET" "dir" "/var/spool/cron""#]);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].decision.value, "203.0.113.50");
    assert_eq!(v[0].decision.reason, "redis-dangerous");
    assert_eq!(v[0].decision.service, "redis");
}

#[test]
fn mysql_general_log_thread_carries_the_client() {
    let (ev, v) = ips(&[
        "2021-04-03T10:56:15.157431Z\t   10 Connect\troot@172.17.0.9 on web_test using TCP/IP",
        "2021-04-03T10:56:16.158251Z\t   10 Query\tSELECT '<?php system($_GET[1]); ?>' INTO OUTFILE '/var/www/x.php'",
        "2021-04-03T10:56:17.158251Z\t   11 Query\tSELECT load_file('/etc/passwd')",
    ]);
    assert_eq!(ev, vec![(2, "172.17.0.9".into())]);
    assert_eq!(v[0].decision.reason, "mysql-dangerous");
}
