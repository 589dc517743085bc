//! Tests of rule loading (errors located to file:line) and of the shipped rules on hand-written lines.

use super::*;
use crate::syslog;
use std::path::PathBuf;

fn shipped() -> RuleSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services");
    load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}"))
}

fn hit(set: &RuleSet, line: &str) -> Option<(String, Option<String>, Option<String>)> {
    let rec = syslog::parse(line, 1.8e9);
    let h = set.find(&rec, None, true)?;
    let det = &set.detectors[h.detector];
    Some((det.rules[h.rule].kind.clone(), h.src, h.user))
}

#[test]
fn shipped_rules_load() {
    let set = shipped();
    for name in [
        "sshd",
        "vsftpd",
        "proftpd",
        "pure-ftpd",
        "mysql",
        "redis",
        "rsync",
        "mongodb",
    ] {
        assert!(set.detector_by_name(name).is_some(), "{name}");
    }
    assert_eq!(set.detector_by_name("mysqld-auth"), set.detector_by_name("mysql"));
}

#[test]
fn sshd_takes_the_last_from() {
    let set = shipped();
    let l = "Jul 17 23:04:00 srv sshd[1300]: Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 198.51.100.23 port 40001 ssh2";
    assert_eq!(hit(&set, l).unwrap().1.as_deref(), Some("198.51.100.23"));
    let l = "Jul 17 23:04:00 srv sshd[1300]: Invalid user a from 6.6.6.6 port 1 from 203.0.113.9 port 2";
    assert_eq!(hit(&set, l).unwrap().1.as_deref(), Some("203.0.113.9"));
    let l = "Jul 17 23:04:00 srv sshd[1300]: Connection closed by authenticating user admin 127.0.0.9 198.51.100.23 port 40001 [preauth]";
    assert_eq!(hit(&set, l).unwrap().1.as_deref(), Some("198.51.100.23"));
}

#[test]
fn mapped_v6_is_folded_and_services_match() {
    let set = shipped();
    let l = "Mon Jun 8 12:08:53 2020 [pid 27244] [user] FAIL LOGIN: Client \"::ffff:93.24.101.89\"";
    assert_eq!(
        hit(&set, l),
        Some(("auth_failure".into(), Some("93.24.101.89".into()), Some("user".into())))
    );
    let l = "<13>Nov 28 01:00:00 db1 mysqld: 2020-04-16T05:13:40.861934Z 344 [Note] Access denied for user 'ro'@'x'@'27.155.87.54' (using password: YES)";
    assert_eq!(hit(&set, l).unwrap().1.as_deref(), Some("27.155.87.54"));
    let l = "2022/03/02 13:43:10 [27739] module-list request from UNKNOWN (192.168.123.41)";
    assert_eq!(hit(&set, l).unwrap().0, "module_listing");
    let l = "2022/03/02 13:43:10 [27739] auth failed on module m from h (192.0.2.5) for bob: password mismatch";
    assert_eq!(hit(&set, l).unwrap().0, "auth_failure");
}

#[test]
fn redis_dangerous_commands() {
    let set = shipped();
    for cmd in [
        r#""config" "set" "dir" "/root/.ssh""#,
        r#""SLAVEOF" "203.0.113.5" "6379""#,
        r#""module" "load" "/tmp/exp.so""#,
        r#""FLUSHALL""#,
        r#""eval" "local io_l = package.loadlib('/usr/lib/liblua.so', 'luaopen_io')" "0""#,
        r#""eval" "os.execute('id')" "0""#,
        r#""system.exec" "id""#,
    ] {
        let l = format!("1339518083.107412 [0 192.0.2.7:60866] {cmd}");
        assert_eq!(
            hit(&set, &l).map(|h| (h.0, h.1)),
            Some(("dangerous_command".into(), Some("192.0.2.7".into()))),
            "{cmd}"
        );
    }
    // Harmless commands hit only the honeypot-only catch-all rule.
    for cmd in [r#""slaveof" "no" "one""#, r#""get" "x""#] {
        let l = format!("1339518083.107412 [0 192.0.2.7:60866] {cmd}");
        assert_eq!(hit(&set, &l).map(|h| h.0), Some("command".into()), "{cmd}");
    }
    let l = r#"<13>Nov 28 01:00:00 r1 redis-monitor: 1339518083.107412 [0 [2001:db8::7]:6379] "auth" "x""#;
    assert_eq!(hit(&set, l).map(|h| h.1), Some(Some("2001:db8::7".into())));
}

#[test]
fn broken_file_reports_file_and_line() {
    let src = vec![(
        "bad.toml".to_string(),
        "name = \"x\"\nservice = \"x\"\nprograms = [\"x\"]\n[[rule]]\nid = \"a\"\nkind = \"k\"\nregex = '(unclosed'\n"
            .to_string(),
    )];
    let errs = compile::compile(&src).unwrap_err();
    assert_eq!(errs[0].file, "bad.toml");
    assert_eq!(errs[0].line, 7);
    assert!(
        errs[0].to_string().starts_with("bad.toml:7: rule a: bad regex"),
        "{}",
        errs[0]
    );
    let src = vec![(
        "t.toml".to_string(),
        "name = \"x\"\nservice = \"x\"\nbogus = 1\n".to_string(),
    )];
    let errs = compile::compile(&src).unwrap_err();
    assert_eq!(errs[0].line, 3, "{}", errs[0]);
}
