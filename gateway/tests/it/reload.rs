//! Live reload: site and rule edits under load take effect with zero failed requests; a broken file keeps the old
//! config serving and is reported as `file:line`; `gateway check`, `POST /api/reload` and SIGHUP.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn edits_under_load_take_effect_without_failed_requests() {
    let (a, b, clone) = (backend("a").await, backend("b").await, backend("clone").await);
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[a.addr], &[clone.addr], "deceive", ""),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut loops = Vec::new();
    for i in 0..4 {
        let (stop, ok, failed, url) = (stop.clone(), ok.clone(), failed.clone(), gw.url("/echo"));
        let c = client(&format!("127.0.1.{}", i + 1));
        loops.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 20_000 {
                n += 1;
                match c.get(&url).send().await {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let probe = client("127.0.0.2");
    // 1. the site now points at backend b
    let g = gw.generation().await;
    write(
        &gw.path("sites/s.toml"),
        &site("s", "default = true", &[b.addr], &[clone.addr], "deceive", ""),
    );
    let g = gw.wait_reload(g, Duration::from_secs(10)).await;
    assert_eq!(who(&probe, &gw.url("/echo")).await.1, "b");
    // 2. a new rule file makes NEWMARKER an attack
    let rule = "[[rule]]\nid = 990100\nmsg = \"new rule\"\ntargets = [\"args\"]\ndetect = { regex = 'NEWMARKER' }\n";
    write(&gw.path("rules/new.toml"), rule);
    let g = gw.wait_reload(g, Duration::from_secs(10)).await;
    assert_eq!(who(&probe, &gw.url("/echo?x=NEWMARKER")).await.1, "clone");
    // 3. deleting the rule file removes the rule
    std::fs::remove_file(gw.path("rules/new.toml")).unwrap();
    gw.wait_reload(g, Duration::from_secs(10)).await;
    assert_eq!(who(&client("127.0.0.3"), &gw.url("/echo?x=NEWMARKER")).await.1, "b");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for l in loops {
        l.await.unwrap();
    }
    assert!(ok.load(Ordering::Relaxed) > 100, "the load loop ran");
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no request failed during reloads");
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_files_keep_the_previous_config() {
    let (a, clone) = (backend("a").await, backend("clone").await);
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[a.addr], &[clone.addr], "deceive", ""),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.2");
    let g = gw.generation().await;
    // A syntax error on line 3 of a site file.
    write(
        &gw.path("sites/s.toml"),
        "name = \"s\"\ndefault = true\nbackends = [\"127.0.0.1:1\"\n",
    );
    let log = gw.log_with("s.toml:").await;
    assert_eq!(gw.generation().await, g, "broken file rejected");
    assert_eq!(
        who(&c, &gw.url("/echo")).await,
        (200, "a".into()),
        "old config still serving"
    );
    assert!(
        log.contains("s.toml:3:") || log.contains("s.toml:4:"),
        "file:line in the log: {log}"
    );
    let m = gw.metrics().await;
    assert!(m.contains("gateway_config_reload_errors_total 1"), "{m}");

    // `gateway check` reports the same, offline, and fails.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("check")
        .arg("--config")
        .arg(gw.path("gateway.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sites/s.toml:"), "{text}");

    // A broken rule (invalid regex) is rejected too, with the old rules kept.
    write(
        &gw.path("sites/s.toml"),
        &site("s", "default = true", &[a.addr], &[clone.addr], "deceive", ""),
    );
    let g = gw.wait_reload(g, Duration::from_secs(10)).await;
    write(
        &gw.path("rules/bad.toml"),
        "[[rule]]\nid = 990200\nmsg = \"bad\"\ntargets = [\"args\"]\ndetect = { regex = '(unclosed' }\n",
    );
    let log = gw.log_with("bad.toml:").await;
    assert_eq!(gw.generation().await, g);
    assert!(log.contains("bad.toml:"), "{log}");
    assert_eq!(
        who(&c, &gw.url("/echo?q=EVILMARKER")).await.1,
        "clone",
        "old rules still apply"
    );

    // POST /api/reload reports the errors as JSON.
    let r = reqwest::Client::new()
        .post(gw.admin_url("/api/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["errors"][0].as_str().unwrap().contains("bad.toml:"), "{v}");
    std::fs::remove_file(gw.path("rules/bad.toml")).unwrap();
    let r = reqwest::Client::new()
        .post(gw.admin_url("/api/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// An editor's swap and backup files beside a site or rule file do not reload the configuration; the edit itself
/// does.
#[tokio::test(flavor = "multi_thread")]
async fn editor_scratch_files_do_not_reload() {
    let (a, b) = (backend("a").await, backend("b").await);
    let gw = Gateway::prepare(
        &[("s.toml", site("s", "default = true", &[a.addr], &[], "off", ""))],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let g = gw.generation().await;
    for f in ["sites/.s.toml.swp", "sites/4913", "rules/t.toml~", "rules/#t.toml#"] {
        write(&gw.path(f), "scratch");
    }
    // Five watch intervals (200 ms in the harness) and the 100 ms settle delay.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(gw.generation().await, g, "scratch files reloaded the config");
    write(
        &gw.path("sites/s.toml"),
        &site("s", "default = true", &[b.addr], &[], "off", ""),
    );
    gw.wait_reload(g, Duration::from_secs(10)).await;
    assert_eq!(who(&client("127.0.0.2"), &gw.url("/echo")).await.1, "b");
}

/// logrotate's `create` mode: the log is moved away, the gateway gets SIGHUP and goes on in a fresh file at the
/// configured path, nothing lost on either side.
#[tokio::test(flavor = "multi_thread")]
async fn sighup_reopens_a_rotated_access_log() {
    let (_real, _clone, gw) = one_site("s", "deceive", "").await;
    let c = client("127.0.0.2");
    assert_eq!(who(&c, &gw.url("/echo?before=rotation")).await.0, 200);
    assert!(
        line_containing(&gw.path("access.log"), "before=rotation")
            .await
            .is_some(),
        "first line written"
    );
    std::fs::rename(gw.path("access.log"), gw.path("access.log.1")).unwrap();
    let g = gw.generation().await;
    gw.signal("HUP");
    gw.wait_reload(g, Duration::from_secs(10)).await;
    assert_eq!(who(&c, &gw.url("/echo?after=rotation")).await.0, 200);
    assert!(
        line_containing(&gw.path("access.log"), "after=rotation")
            .await
            .is_some(),
        "new file at the configured path"
    );
    let old = std::fs::read_to_string(gw.path("access.log.1")).unwrap();
    assert!(
        old.contains("before=rotation") && !old.contains("after=rotation"),
        "{old}"
    );
}

#[test]
fn shipped_example_config_validates() {
    let cfg = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/gateway.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("check")
        .arg("--config")
        .arg(cfg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_accepts_a_good_config() {
    let a = backend("a").await;
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[a.addr], &[a.addr], "deceive", ""),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("check")
        .arg("--config")
        .arg(gw.path("gateway.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 sites"));
    // The shipped default rules validate too.
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    let cfg = std::fs::read_to_string(gw.path("gateway.toml")).unwrap().replace(
        "rules_dir = \"rules\"",
        &format!("rules_dir = {:?}", rules.display().to_string()),
    );
    std::fs::write(gw.path("gateway.toml"), cfg).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("check")
        .arg("--config")
        .arg(gw.path("gateway.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
