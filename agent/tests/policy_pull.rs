//! Signed policy pull against a stand-in manager on loopback: genuine answers are applied; unsigned, forged,
//! stale or replayed answers are rejected; the last good policy stays in force while the manager misbehaves or
//! is down, and is restored from the cache after a restart.

#[path = "support/manager.rs"]
mod manager;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/proc.rs"]
mod proc;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use agent::config::ManagerConfig;
use agent::policy::pull::{PullError, Puller};
use manager::{Answer, Manager, KEY_ID, SECRET};
use netns::{Lab, BLACK, CLEAN, HOST, SANDBOX};
use proc::{wait_for, Guard};
use protocol::policy::{PolicyMode, PolicyRequest};
use protocol::signing::SignError;

fn policy(black: &str) -> String {
    format!(r#"{{"mode":"unreal","sandbox":"{SANDBOX}","black_ips":["{black}"],"interval":"1s"}}"#)
}

fn puller(url: &str, dir: &std::path::Path) -> Puller {
    let key = dir.join("key");
    fs::write(&key, format!("{SECRET}\n")).unwrap();
    Puller::new(&ManagerConfig {
        url: url.to_string(),
        key_id: KEY_ID.to_string(),
        key_file: key,
        timeout: Duration::from_secs(3),
    })
    .unwrap()
}

#[test]
fn only_genuine_fresh_answers_to_our_request_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let m = Manager::start(Answer::Good(policy(BLACK)));
    let p = puller(&m.url, dir.path());
    let req = PolicyRequest {
        hostname: "h1".into(),
        mode: Some(PolicyMode::Unreal),
        version: "t".into(),
    };
    let got = p.pull(&req).unwrap();
    assert_eq!(got.black_ips, vec![BLACK.to_string()]);
    assert_eq!(
        m.bad_requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "our request signature verifies"
    );
    assert!(m.last_body.lock().unwrap().contains("\"hostname\":\"h1\""));

    m.set(Answer::Unsigned(policy(CLEAN)));
    assert!(matches!(p.pull(&req), Err(PullError::Unsigned(_))));
    m.set(Answer::WrongKey(policy(CLEAN)));
    assert!(matches!(
        p.pull(&req),
        Err(PullError::BadSignature(SignError::Mismatch))
    ));
    m.set(Answer::OtherNonce(policy(CLEAN)));
    assert!(
        matches!(p.pull(&req), Err(PullError::BadSignature(SignError::Mismatch))),
        "replayed answer"
    );
    m.set(Answer::Stale(policy(CLEAN)));
    assert!(matches!(
        p.pull(&req),
        Err(PullError::BadSignature(SignError::Stale(_)))
    ));
    m.set(Answer::Hangup);
    assert!(matches!(p.pull(&req), Err(PullError::Http(_))));
    m.set(Answer::Good("{\"mode\":\"open\"}".into()));
    assert!(
        matches!(p.pull(&req), Err(PullError::Body(_))),
        "signed but invalid policy"
    );

    // A wrong key on our side: the manager answers 401.
    fs::write(dir.path().join("key2"), "wrong\n").unwrap();
    let bad = Puller::new(&ManagerConfig {
        url: m.url.clone(),
        key_id: KEY_ID.into(),
        key_file: dir.path().join("key2"),
        timeout: Duration::from_secs(3),
    })
    .unwrap();
    assert!(matches!(bad.pull(&req), Err(PullError::Status(401, _))));
}

#[test]
fn agent_keeps_last_good_policy_and_restores_it_from_cache() {
    let lab = match Lab::new() {
        Ok(l) => l,
        Err(e) => {
            println!("SKIP agent_keeps_last_good_policy: {e}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let m = Manager::start(Answer::Good(policy(BLACK)));
    fs::write(dir.path().join("key"), format!("{SECRET}\n")).unwrap();
    // The agent runs here (it reaches the manager on loopback); its nft runs in the lab's host namespace.
    let wrapper = dir.path().join("nft-in-ns");
    fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec ip netns exec {} nft \"$@\"\n", lab.host),
    )
    .unwrap();
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = dir.path().join("agent.toml");
    fs::write(
        &cfg,
        format!(
            "state_dir = \"state\"\n[manager]\nurl = \"{}\"\nkey_id = \"{KEY_ID}\"\nkey_file = \"key\"\ntimeout = \"2s\"\n[firewall]\nnft = \"{}\"\n",
            m.url,
            wrapper.display()
        ),
    )
    .unwrap();
    let log = dir.path().join("agent.log");
    let start = || {
        let l = fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        Guard::spawn(
            "agent",
            Command::new(env!("CARGO_BIN_EXE_agent"))
                .args(["-c", "start", "--config", cfg.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(l),
        )
    };
    let table = || String::from_utf8_lossy(&lab.nft(&["list", "table", "inet", "jhsy"]).stdout).to_string();
    let logtext = || fs::read_to_string(&log).unwrap_or_default();

    // --dry-run pulls once, verifies, prints, changes nothing.
    let o = Command::new(env!("CARGO_BIN_EXE_agent"))
        .args(["--dry-run", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("signed response verified") && out.contains(BLACK), "{out}");
    assert!(table().is_empty());

    let mut agent = start();
    assert!(
        wait_for(Duration::from_secs(10), || table().contains(BLACK)),
        "{}",
        logtext()
    );
    let _sb = Guard::spawn(
        "sandbox",
        lab.cmd(
            &lab.sandbox,
            &[env!("CARGO_BIN_EXE_agent-echo"), "sandbox", "0.0.0.0:8080"],
        )
        .stdout(Stdio::null()),
    );
    let _real = Guard::spawn(
        "real",
        lab.cmd(&lab.host, &[env!("CARGO_BIN_EXE_agent-echo"), "real", "0.0.0.0:8080"])
            .stdout(Stdio::null()),
    );
    let dst = format!("{HOST}:8080");
    assert!(wait_for(Duration::from_secs(5), || lab
        .connect(BLACK, &dst)
        .starts_with("sandbox")));

    // Forged and unsigned answers carrying another policy change nothing.
    let before = m.requests.load(std::sync::atomic::Ordering::SeqCst);
    m.set(Answer::WrongKey(policy(CLEAN)));
    assert!(wait_for(Duration::from_secs(10), || m
        .requests
        .load(std::sync::atomic::Ordering::SeqCst)
        >= before + 2));
    m.set(Answer::Unsigned(policy(CLEAN)));
    let before = m.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(wait_for(Duration::from_secs(10), || m
        .requests
        .load(std::sync::atomic::Ordering::SeqCst)
        >= before + 2));
    assert!(table().contains(BLACK) && !table().contains(CLEAN), "{}", table());
    assert!(logtext().contains("keeping the last good policy"), "{}", logtext());
    assert!(lab.connect(BLACK, &dst).starts_with("sandbox"));
    assert!(lab.connect(CLEAN, &dst).starts_with("real"));

    // Restart while the manager only hangs up: the cached policy is applied again (table removed meanwhile).
    m.set(Answer::Hangup);
    assert!(agent.term(Duration::from_secs(10)));
    assert!(lab.nft(&["delete", "table", "inet", "jhsy"]).status.success());
    let _agent = start();
    assert!(
        wait_for(Duration::from_secs(10), || table().contains(BLACK)),
        "{}",
        logtext()
    );
    assert!(logtext().contains("cached last good policy"));

    // A genuine new policy is applied.
    m.set(Answer::Good(policy(CLEAN)));
    assert!(
        wait_for(Duration::from_secs(10), || table().contains(CLEAN)),
        "{}",
        logtext()
    );
    assert!(wait_for(Duration::from_secs(5), || lab
        .connect(CLEAN, &dst)
        .starts_with("sandbox")));
    assert!(lab.connect(BLACK, &dst).starts_with("real"));
}
