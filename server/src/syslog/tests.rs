//! Conformance tests of the header parser: RFC 5424 / 3164 shapes as `logger` and rsyslog send them, and the
//! bare service log forms the replay command reads.

use super::*;

const NOW: f64 = 1_795_000_000.0; // 2026-11-18

#[test]
fn rfc5424_as_logger_sends_it() {
    let r = parse(
        "<13>1 2026-11-28T01:02:03.123456+00:00 web01 sshd 4242 - [timeQuality tzKnown=\"1\" isSynced=\"0\"] Failed password for root from 192.0.2.1 port 22 ssh2",
        NOW,
    );
    assert_eq!(r.pri, Some(13));
    assert_eq!(r.host, Some("web01"));
    assert_eq!(r.program, Some("sshd"));
    assert_eq!(r.pid, Some("4242"));
    assert_eq!(r.msg, "Failed password for root from 192.0.2.1 port 22 ssh2");
    assert_eq!(r.time.map(|t| t.floor() as i64), Some(1_795_827_723));
    assert_eq!(r.mode, HostMode::Normal);
}

#[test]
fn rfc5424_jhsy_mode_and_nil_fields() {
    let r = parse(
        "<38>1 2019-07-08T17:40:16.954167-04:00 h sshd - - [jhsy@0 mode=\"honeypot\"][x@1 a=\"b\\\"]\"] hello",
        NOW,
    );
    assert_eq!(r.mode, HostMode::Honeypot);
    assert_eq!(r.pid, None);
    assert_eq!(r.msg, "hello");
    let r = parse("<38>1 - - - - - - hi", NOW);
    assert_eq!((r.host, r.program, r.time, r.msg), (None, None, None, "hi"));
    let r = parse(
        "<38>1 2019-07-08T17:40:16Z h app - - [jhsy@32473 mode=\"sandbox\"] x",
        NOW,
    );
    assert_eq!(r.mode, HostMode::Sandbox);
}

#[test]
fn rfc3164_forms() {
    let r = parse(
        "<27>Oct 22 14:11:48 web01 vsftpd-server: Mon Oct 22 14:11:48 2012 [pid 2675] x",
        NOW,
    );
    assert_eq!((r.host, r.program, r.pid), (Some("web01"), Some("vsftpd-server"), None));
    assert!(r.msg.starts_with("Mon Oct 22"));
    let r = parse(
        "Feb 1 00:00:00 myhost proftpd[12345] myhost.domain.com (a[1.2.3.4]): USER x",
        NOW,
    );
    assert_eq!(
        (r.host, r.program, r.pid),
        (Some("myhost"), Some("proftpd"), Some("12345"))
    );
    assert_eq!(r.msg, "myhost.domain.com (a[1.2.3.4]): USER x");
    let r = parse("Nov 23 21:50:37 sshd[7148]: Connection closed by 61.0.0.1", NOW);
    assert_eq!((r.host, r.program, r.pid), (None, Some("sshd"), Some("7148")));
    let r = parse("Mar  3 00:17:22 [sshd]: User root from 1.2.3.4 not allowed", NOW);
    assert_eq!((r.host, r.program), (None, Some("sshd")));
    let r = parse(
        "Feb 6 12:02:29 server vsftpd(pam_unix)[15522]: authentication failure;",
        NOW,
    );
    assert_eq!(r.program, Some("vsftpd(pam_unix)"));
    let r = parse("<13>Nov 28 01:02:03 host tag: [jhsy@0 mode=\"honeypot\"] msg", NOW);
    assert_eq!((r.mode, r.msg), (HostMode::Honeypot, "msg"));
}

#[test]
fn solaris_and_kernel_prefixes_are_stripped() {
    let r = parse(
        "Mar 29 05:59:23 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive",
        NOW,
    );
    assert_eq!(r.msg, "Failed keyboard-interactive");
    let r = parse(
        "srv sshd[20878]: kernel:[  970.699396]: Failed keyboard-interactive",
        NOW,
    );
    assert_eq!(r.msg, "Failed keyboard-interactive");
}

#[test]
fn journal_and_iso_forms() {
    let r = parse("srv sshd[2554]: Failed password", NOW);
    assert_eq!((r.host, r.program, r.time), (Some("srv"), Some("sshd"), None));
    let r = parse(
        "2015-04-16T18:02:50.321974+00:00 host sshd[2716]: pam_unix(sshd:auth): x",
        NOW,
    );
    assert_eq!((r.host, r.program), (Some("host"), Some("sshd")));
    assert_eq!(r.time.map(|t| t as i64), Some(1_429_207_370));
    let r = parse(
        "2021-05-28 18:08:34,399 mantis proftpd[498819] mantis (x[1.2.3.4]): USER",
        NOW,
    );
    assert_eq!((r.host, r.program), (Some("mantis"), Some("proftpd")));
}

#[test]
fn bare_service_lines_keep_their_text() {
    let r = parse(
        "Mon Jun 8 12:08:53 2020 [pid 27244] [user] FAIL LOGIN: Client \"::ffff:93.24.101.89\"",
        NOW,
    );
    assert_eq!(r.program, None);
    assert!(r.msg.starts_with("[pid 27244]"));
    assert_eq!(r.time.map(|t| t as i64), Some(1_591_618_133));
    let r = parse(
        "2015-10-07 06:09:42 5907 [Warning] Access denied for user 'root'@'127.0.0.1'",
        NOW,
    );
    assert_eq!(r.program, None);
    assert!(r.msg.starts_with("5907 [Warning]"));
    let r = parse("130324  0:04:00 [Warning] Access denied", NOW);
    assert_eq!(r.msg, "[Warning] Access denied");
    let r = parse(
        "2022/03/02 13:43:10 [27739] module-list request from h (192.168.123.41)",
        NOW,
    );
    assert_eq!(r.msg, "[27739] module-list request from h (192.168.123.41)");
    let r = parse("1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"", NOW);
    assert_eq!(r.time.map(|t| t as i64), Some(1_339_518_083));
    assert!(r.msg.starts_with("[0 127.0.0.1"));
    let r = parse(
        "2016-11-20T00:04:00.110+0100 [conn1] Failed to authenticate root@admin",
        NOW,
    );
    assert_eq!((r.host, r.program), (None, None));
    assert_eq!(r.msg, "[conn1] Failed to authenticate root@admin");
    let r = parse("{\"t\":{\"$date\":\"2022\"}}", NOW);
    assert_eq!(r.msg, "{\"t\":{\"$date\":\"2022\"}}");
}

#[test]
fn year_less_stamp_never_lands_in_the_future() {
    // NOW is mid-November; a December stamp is last year's.
    let r = parse("Dec 24 10:00:00 h p: x", NOW);
    assert_eq!(timestamp::year_of(r.time.unwrap()), 2025);
    let r = parse("Nov 17 10:00:00 h p: x", NOW);
    assert_eq!(timestamp::year_of(r.time.unwrap()), 2026);
}

#[test]
fn garbage_never_panics() {
    for s in [
        "",
        "<",
        "<999>",
        "<1>1",
        "<1>1 ",
        "[",
        "[jhsy",
        "[jhsy@0 mode=\"x",
        "Jan",
        "2020-13-01T00:00:00",
        "\u{feff}",
        "<13>1 - - - - [a",
    ] {
        let _ = parse(s, NOW);
    }
}

#[test]
fn mongodb_json_time() {
    let r = parse("{\"t\":{\"$date\":\"2022-07-28T18:00:00.903+02:00\"},\"s\":\"I\"}", NOW);
    assert_eq!(r.time.map(|t| t as i64), Some(1_659_024_000));
}

#[test]
fn repeated_message_reduction_is_unwrapped() {
    let r = parse(
        "Nov 28 01:00:00 h sshd[1]: message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]",
        NOW,
    );
    assert_eq!(r.msg, "Failed password for root from 192.0.2.1 port 22 ssh2");
}

#[test]
fn mysql_general_log_with_tabs() {
    let r = parse(
        "2020-07-25T14:41:25.299513Z\t    8 Connect\troot@172.17.0.1 on web using TCP/IP",
        NOW,
    );
    assert_eq!(r.program, None);
    assert_eq!(r.msg, "8 Connect\troot@172.17.0.1 on web using TCP/IP");
}
