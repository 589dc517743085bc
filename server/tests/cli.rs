//! Integration: `server check`, `server replay` (DESIGN.md §4 JSON shape, windows following the time stamps
//! in the lines) and `server eval-corpus` on the shared corpus (skipped with a message when it is absent).

mod support;

use std::path::PathBuf;
use std::process::Command;
use support::*;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_server"))
}

#[test]
fn check_accepts_shipped_rules_and_locates_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("server.toml");
    std::fs::write(&cfg, format!("rules_dir = {:?}\n", rules_dir())).unwrap();
    let out = server().args(["check", "--config"]).arg(&cfg).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("8 detectors"));

    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("bad.toml"),
        "name = \"x\"\nservice = \"x\"\nprograms = [\"x\"]\n\n[[rule]]\nid = \"r\"\nkind = \"k\"\nregex = '(?P<src_ip>['\n",
    )
    .unwrap();
    std::fs::write(&cfg, "rules_dir = \"rules\"\n").unwrap();
    let out = server().args(["check", "--config"]).arg(&cfg).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:8: rule r: bad regex"), "{err}");

    std::fs::write(&cfg, "rules_dir = \"rules\"\nbogus_key = 1\n").unwrap();
    let out = server().args(["check", "--config"]).arg(&cfg).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("server.toml:2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn replay_follows_line_time_and_prints_the_contract_shape() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("vsftpd.log");
    // Six failures 5 s apart: 6 within capacity 5 / leak 10 s → overflow on the 6th... only if close enough.
    // First burst: one every 5 s (leaks 0.5 per event) → level 3.5 at the 6th: no decision.
    // Second burst: six within 2 s from another address → one decision.
    let mut lines = Vec::new();
    for i in 0..6 {
        lines.push(format!(
            "Mon Jun  8 12:{:02}:{:02} 2020 [pid 1] [u] FAIL LOGIN: Client \"::ffff:192.0.2.1\"",
            i * 5 / 60,
            i * 5 % 60
        ));
    }
    lines.push("garbage line".to_string());
    for i in 0..6 {
        lines.push(format!(
            "Mon Jun  8 13:00:0{} 2020 [pid 2] [u] FAIL LOGIN: Client \"192.0.2.2\"",
            i / 3
        ));
    }
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let out = server()
        .args(["replay", "--json", "--service", "vsftpd", "--rules"])
        .arg(rules_dir())
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let objs: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let events: Vec<_> = objs.iter().filter(|o| o.get("line").is_some()).collect();
    let decisions: Vec<_> = objs.iter().filter(|o| o.get("decision").is_some()).collect();
    assert_eq!(events.len(), 12, "{text}");
    assert_eq!(events[0]["line"], 1);
    assert_eq!(events[0]["service"], "ftp");
    assert_eq!(events[0]["kind"], "auth_failure");
    assert_eq!(events[0]["src_ip"], "192.0.2.1");
    assert_eq!(events[6]["line"], 8, "line numbers are 1-based and count every line");
    assert_eq!(decisions.len(), 1, "{text}");
    let d = &decisions[0]["decision"];
    assert_eq!(d["value"], "192.0.2.2");
    assert_eq!(d["reason"], "ftp-bf");
    assert_eq!(d["hits"], 6);
    // The decision's end follows the log's time, not the wall clock: 2020-06-08 13:00:01 + 4 h.
    assert_eq!(d["until"], "2020-06-08T17:00:01Z");
    // Decisions come after all events.
    let last_event = objs.iter().rposition(|o| o.get("line").is_some()).unwrap();
    let first_decision = objs.iter().position(|o| o.get("decision").is_some()).unwrap();
    assert!(last_event < first_decision);
}

#[test]
fn eval_corpus_meets_the_floor() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/services");
    if !dir.exists() {
        eprintln!(
            "SKIP: {} not found (the shared corpus is not checked out here)",
            dir.display()
        );
        return;
    }
    let out = server()
        .args(["eval-corpus", "--json", "--rules"])
        .arg(rules_dir())
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let json_end = text.rfind('}').unwrap();
    let r: serde_json::Value = serde_json::from_str(&text[..=json_end]).unwrap();
    let t = &r["total"];
    let rate = t["detected"].as_f64().unwrap() / t["positives"].as_f64().unwrap();
    let fp = t["false_positives"].as_f64().unwrap() / t["negatives"].as_f64().unwrap().max(1.0);
    eprintln!(
        "eval-corpus: detected {:.1}% of match lines, {:.1}% false positives",
        rate * 100.0,
        fp * 100.0
    );
    // Lines whose address only an earlier line of the same session gives (and that earlier line is not in the
    // sampled file) cannot be detected; the floor is what the shipped rules reach on the dev set.
    assert!(rate >= 0.92, "{text}");
    assert!(fp <= 0.01, "{text}");
    for h in r["hub"].as_array().unwrap() {
        assert_eq!(h["ok"], true, "{h}");
    }
    for svc in ["vsftpd", "proftpd", "pure-ftpd", "mysqld-auth"] {
        assert_eq!(r["services"][svc]["detected"], r["services"][svc]["positives"], "{svc}");
    }
}
