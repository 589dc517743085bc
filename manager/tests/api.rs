//! Machine API against the real manager on loopback: signing, replay protection, decision stream semantics,
//! events, policy pulls and the agent registry.

#[path = "support/harness.rs"]
mod harness;

use std::time::Duration;

use harness::{decision, send, values, Manager};
use protocol::signing;
use serde_json::json;

#[test]
fn signed_calls_are_accepted_and_answers_signed() {
    let m = Manager::start();
    let secret = m.key("gw1");
    let r = m.signed(
        "gw1",
        &secret,
        "POST",
        "/api/v1/decisions",
        &json!([decision("203.0.113.7", 600, "942100")]).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["created"], 1);
    // A single object is accepted as well.
    let r = m.signed(
        "gw1",
        &secret,
        "POST",
        "/api/v1/decisions",
        &decision("203.0.113.8", 600, "x").to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = m.signed("gw1", &secret, "GET", "/api/v1/decisions/stream?startup=true", "");
    assert_eq!(r.status, 200);
    assert_eq!(values(&r.json["new"]), vec!["203.0.113.7", "203.0.113.8"]);
}

#[test]
fn replayed_stale_tampered_and_unknown_calls_get_401() {
    let m = Manager::start();
    let secret = m.key("gw1");
    let path = "/api/v1/decisions/stream?startup=true";
    let h = signing::sign_request("gw1", secret.as_bytes(), "GET", path, b"");
    assert_eq!(send(&m.url(path), "GET", "", &h.pairs()).status().as_u16(), 200);
    // The very same request again: replayed nonce.
    let r = send(&m.url(path), "GET", "", &h.pairs());
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().unwrap();
    assert!(body["error"].as_str().unwrap().contains("nonce"), "{body}");

    // Correctly signed but 400 s old.
    let old = signing::now_unix() - 400;
    let h = signing::sign_request_at("gw1", secret.as_bytes(), "GET", path, b"", old, signing::new_nonce());
    let r = send(&m.url(path), "GET", "", &h.pairs());
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().unwrap().contains("timestamp"));

    // Body changed after signing.
    let body = json!([decision("198.51.100.1", 60, "x")]).to_string();
    let h = signing::sign_request("gw1", secret.as_bytes(), "POST", "/api/v1/decisions", body.as_bytes());
    let tampered = body.replace("198.51.100.1", "198.51.100.2");
    let r = send(&m.url("/api/v1/decisions"), "POST", &tampered, &h.pairs());
    assert_eq!(r.status().as_u16(), 401);
    // Path changed after signing.
    let r = send(&m.url("/api/v1/events"), "POST", &body, &h.pairs());
    assert_eq!(r.status().as_u16(), 401);
    // Wrong secret, unknown key, no headers at all.
    let h = signing::sign_request("gw1", b"not-the-secret", "GET", path, b"");
    assert_eq!(send(&m.url(path), "GET", "", &h.pairs()).status().as_u16(), 401);
    let h = signing::sign_request("nobody", secret.as_bytes(), "GET", path, b"");
    assert_eq!(send(&m.url(path), "GET", "", &h.pairs()).status().as_u16(), 401);
    assert_eq!(send(&m.url(path), "GET", "", &[]).status().as_u16(), 401);
    // Nothing was stored by the refused calls.
    let r = m.signed("gw1", &secret, "GET", path, "");
    assert_eq!(values(&r.json["new"]), Vec::<String>::new());

    // A revoked key stops working at once, while the manager runs.
    let (ok, _, err) = m.cli(&["key", "revoke", "--name", "gw1"]);
    assert!(ok, "{err}");
    let h = signing::sign_request("gw1", secret.as_bytes(), "GET", path, b"");
    assert_eq!(send(&m.url(path), "GET", "", &h.pairs()).status().as_u16(), 401);
    let (_, list, _) = m.cli(&["key", "list"]);
    assert!(list.contains("gw1") && list.contains("revoked"), "{list}");
    // Auth failures are counted in /metrics.
    let metrics = reqwest::blocking::get(m.url("/metrics")).unwrap().text().unwrap();
    assert!(
        metrics.contains("manager_api_auth_failures_total{reason=\"replayed\"} 1"),
        "{metrics}"
    );
}

#[test]
fn decision_stream_startup_then_deltas_per_caller() {
    let m = Manager::start();
    let (gs, ss) = (m.key("gw1"), m.key("srv1"));
    let stream = |startup: bool| {
        let path = if startup {
            "/api/v1/decisions/stream?startup=true"
        } else {
            "/api/v1/decisions/stream"
        };
        let r = m.signed("gw1", &gs, "GET", path, "");
        assert_eq!(r.status, 200, "{}", r.body);
        (values(&r.json["new"]), values(&r.json["deleted"]), r.json)
    };
    let post = |body: serde_json::Value| {
        let r = m.signed("srv1", &ss, "POST", "/api/v1/decisions", &body.to_string());
        assert_eq!(r.status, 200, "{}", r.body);
        r.json
    };
    post(json!([
        decision("192.0.2.1", 600, "ssh-bf"),
        decision("192.0.2.2", 6, "ftp-bf")
    ]));
    let (new, del, _) = stream(true);
    assert_eq!((new, del), (vec!["192.0.2.1".to_string(), "192.0.2.2".into()], vec![]));
    let (new, del, _) = stream(false);
    assert!(new.is_empty() && del.is_empty(), "nothing changed: {new:?} {del:?}");

    // Shorter expiry for the same value merges (no change); a longer one extends and is sent again.
    let out = post(json!([decision("192.0.2.1", 60, "again")]));
    assert_eq!(out["merged"], 1);
    let (new, _, _) = stream(false);
    assert!(new.is_empty(), "{new:?}");
    post(json!([
        decision("192.0.2.1", 7200, "longer"),
        decision("::ffff:192.0.2.3", 600, "mapped")
    ]));
    let (new, _, json) = stream(false);
    assert_eq!(new, vec!["192.0.2.1", "192.0.2.3"], "mapped v6 folded to v4");
    assert_eq!(json["new"][0]["reason"], "longer");

    // Another caller has its own cursor: its first pull gets everything.
    let other = m.signed("srv1", &ss, "GET", "/api/v1/decisions/stream", "");
    assert_eq!(values(&other.json["new"]).len(), 3);

    // Expiry by itself shows up in `deleted`, in exactly one delta: `until` is kept in whole seconds, so a
    // 6 s decision lasts 5 to 6 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let del = loop {
        let (new, del, _) = stream(false);
        assert!(new.is_empty(), "{new:?}");
        if !del.is_empty() || std::time::Instant::now() > deadline {
            break del;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(del, vec!["192.0.2.2"]);

    // Manual unban through the UI flows to the stream as a deletion.
    let s = m.login("admin", harness::ADMIN_PW);
    let csrf = s.csrf("/decisions");
    let (code, _) = s.post("/decisions/unban", &[("csrf", &csrf), ("value", "192.0.2.3")]);
    assert_eq!(code, 303);
    let (new, del, _) = stream(false);
    assert!(new.is_empty());
    assert_eq!(del, vec!["192.0.2.3"]);
    // And a manual ban as an addition.
    let (code, _) = s.post(
        "/decisions/ban",
        &[
            ("csrf", &csrf),
            ("value", "198.51.100.0/24"),
            ("duration", "1h"),
            ("reason", "test"),
        ],
    );
    assert_eq!(code, 303);
    let (_, _, json) = stream(false);
    assert_eq!(json["new"][0]["value"], "198.51.100.0/24");
    assert_eq!(json["new"][0]["scope"], "range");
    assert_eq!(json["new"][0]["origin"], "manual");
    // Startup again returns exactly what is in force.
    let (new, del, _) = stream(true);
    assert_eq!(new, vec!["192.0.2.1", "198.51.100.0/24"]);
    assert!(del.is_empty());
}

#[test]
fn bad_bodies_get_clear_json_errors_and_store_nothing() {
    let m = Manager::start();
    let k = m.key("srv1");
    let bad = json!([decision("192.0.2.10", 60, "ok"), decision("not-an-ip", 60, "bad")]);
    let r = m.signed("srv1", &k, "POST", "/api/v1/decisions", &bad.to_string());
    assert_eq!(r.status, 400);
    assert!(r.json["error"].as_str().unwrap().contains("decision 1"), "{}", r.body);
    let r = m.signed("srv1", &k, "POST", "/api/v1/decisions", "{not json");
    assert_eq!(r.status, 400);
    let r = m.signed(
        "srv1",
        &k,
        "POST",
        "/api/v1/events",
        r#"{"events":[{"time":"2026-01-01T00:00:00Z","src_ip":"x","service":"ftp","kind":"auth_failure"}]}"#,
    );
    assert_eq!(r.status, 400);
    assert!(r.json["error"].as_str().unwrap().contains("src_ip"), "{}", r.body);
    let r = m.signed("srv1", &k, "GET", "/api/v1/decisions/stream?startup=true", "");
    assert!(
        r.json["new"].as_array().unwrap().is_empty(),
        "the valid half of a bad batch was not stored"
    );
}

#[test]
fn events_policy_pull_and_agent_registry() {
    let m = Manager::start();
    let (gw, agent) = (m.key("gw1"), m.key("agent-web1"));
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let batch = json!({"events": [
        {"time": now, "src_ip": "203.0.113.50", "service": "http", "kind": "waf_match", "rule": "942100",
         "site": "shop", "host": "shop.example.com", "evidence": "GET /?id=1' or 1=1--"},
        {"time": now, "src_ip": "203.0.113.50", "service": "ssh", "kind": "auth_failure", "rule": "ssh-bf",
         "site": "web1", "evidence": "Failed password for root", "honeypot": true}
    ]});
    let r = m.signed("gw1", &gw, "POST", "/api/v1/events", &batch.to_string());
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json["accepted"], 2);
    m.signed(
        "gw1",
        &gw,
        "POST",
        "/api/v1/decisions",
        &json!([decision("203.0.113.50", 600, "942100")]).to_string(),
    );

    let r = m.signed(
        "agent-web1",
        &agent,
        "POST",
        "/api/v1/policy",
        r#"{"hostname":"web1","mode":"firewall","version":"0.1.0"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let p: protocol::Policy = serde_json::from_str(&r.body).unwrap();
    assert_eq!(p.mode, protocol::PolicyMode::Firewall);
    assert_eq!(p.black_ips, vec!["203.0.113.50"]);

    // The UI shows the agent online, the events on the attack list and the IP timeline, and an alarm.
    let s = m.login("admin", harness::ADMIN_PW);
    let (_, agents) = s.get("/agents");
    assert!(
        agents.contains("agent-web1") && agents.contains("web1") && agents.contains("online"),
        "{agents}"
    );
    let (_, attacks) = s.get("/attacks?ip=203.0.113.50");
    assert!(
        attacks.contains("942100") && attacks.contains("auth_failure"),
        "{attacks}"
    );
    let (_, tl) = s.get("/ip/203.0.113.50");
    assert!(tl.contains("Failed password for root") && tl.contains("banned"), "{tl}");
    let (_, alarms) = s.get("/alarms");
    assert!(alarms.contains("touched honeypot"), "{alarms}");
    let (code, csv) = s.get("/attacks/export?format=csv&range=all");
    assert_eq!(code, 200);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains("\"'GET /?id=1' or 1=1--\"") || csv.contains("GET /?id=1"),
        "{csv}"
    );
    let (_, js) = s.get("/attacks/export?format=json&service=ssh&range=all");
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);

    // Assign a policy to the agent: its next pull gets it.
    let csrf = s.csrf("/policies/new");
    let (code, page) = s.post(
        "/policies",
        &[
            ("csrf", &csrf),
            ("name", "deceive"),
            ("mode", "unreal"),
            ("white_ips", "10.0.0.0/8"),
            ("white_ports", "22, 443"),
            ("sandbox", "127.0.0.9:2222"),
            ("interval", "5s"),
        ],
    );
    assert_eq!(code, 303, "{page}");
    let (code, page) = s.post(
        "/policies",
        &[
            ("csrf", &csrf),
            ("name", "broken"),
            ("mode", "honeypot"),
            ("white_ips", "nope"),
            ("white_ports", "99999"),
            ("sandbox", ""),
            ("interval", "soon"),
        ],
    );
    assert_eq!(code, 422);
    for f in ["white_ips", "white_ports", "sandbox", "interval"] {
        assert!(page.contains(&format!("data-field=\"{f}\"")), "no error for {f}");
    }
    let (_, policies) = s.get("/policies");
    let id = policies
        .split("/policies/")
        .filter_map(|x| x.split('/').next())
        .filter_map(|x| x.parse::<i64>().ok())
        .max()
        .unwrap();
    let (code, _) = s.post(
        "/agents/agent-web1/policy",
        &[("csrf", &csrf), ("policy_id", &id.to_string())],
    );
    assert_eq!(code, 303);
    let r = m.signed("agent-web1", &agent, "POST", "/api/v1/policy", "");
    let p: protocol::Policy = serde_json::from_str(&r.body).unwrap();
    assert_eq!(p.mode, protocol::PolicyMode::Unreal);
    assert_eq!(p.white_ports, vec![22, 443]);
    assert_eq!(p.sandbox, "127.0.0.9:2222");
    let metrics = reqwest::blocking::get(m.url("/metrics")).unwrap().text().unwrap();
    assert!(metrics.contains("manager_events_ingested_total 2"), "{metrics}");
    assert!(metrics.contains("manager_agents_online 1"), "{metrics}");
}

#[test]
fn a_full_batch_of_ten_thousand_events_is_accepted_and_one_more_refused() {
    let m = Manager::start();
    let k = m.key("gw1");
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ev = json!({"time": now, "src_ip": "192.0.2.77", "service": "http", "kind": "waf_match", "rule": "942100",
                    "site": "shop", "host": "shop.example.com", "evidence": "GET /?q=union+select+password+from+users&page=2&sort=price_asc&utm_source=newsletter"});
    // Sized well above 2 MiB whatever the length of the timestamp's fraction of a second.
    let batch = |n: usize| json!({ "events": vec![ev.clone(); n] }).to_string();
    let body = batch(10_000);
    assert!(
        body.len() > 2 * 1024 * 1024,
        "the batch must exceed axum's default 2 MiB body limit"
    );
    let r = m.signed("gw1", &k, "POST", "/api/v1/events", &body);
    assert_eq!(r.status, 202, "{}", r.body);
    let r = m.signed("gw1", &k, "POST", "/api/v1/events", &batch(10_001));
    assert_eq!(r.status, 400);
    assert!(
        r.json["error"].as_str().unwrap().contains("at most 10000"),
        "{}",
        r.body
    );
}

#[test]
fn broken_config_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("manager.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nlisten_typo = 1\n").unwrap();
    let out = std::process::Command::new(harness::BIN)
        .arg("--config")
        .arg(&cfg)
        .arg("check")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("manager.toml:2") && err.contains("listen_typo"), "{err}");
    // A config file named explicitly must exist.
    let out = std::process::Command::new(harness::BIN)
        .args(["--config", "/nonexistent/manager.toml", "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
