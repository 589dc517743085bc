//! Pools under failure: a killed backend is taken out (requests retried on the next one) and comes back; active
//! health checks; every backend down gives the gateway's own 502.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gateway::demo::Backend;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn killed_backend_is_taken_out_and_comes_back() {
    let (a, b) = (backend("a").await, backend("b").await);
    let a_addr = a.addr;
    let health = "[health]\nmax_fails = 1\nfail_timeout = \"1s\"\n";
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[a.addr, b.addr], &[], "detect", health),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.2");
    for _ in 0..4 {
        assert_eq!(who(&c, &gw.url("/echo")).await.0, 200);
    }
    assert!(a.hits.load(Ordering::Relaxed) > 0);
    drop(a);
    gone(a_addr).await;
    // Every GET still succeeds: a connect failure is retried on the other backend.
    for i in 0..20 {
        assert_eq!(who(&c, &gw.url("/echo")).await, (200, "b".to_string()), "request {i}");
    }
    let m = gw.metrics().await;
    assert!(
        m.contains(&format!(
            "gateway_upstream_failures_total{{backend=\"{a_addr}\",kind=\"connect\",pool=\"proxy_s\"}}"
        )),
        "{m}"
    );
    // Same address comes back; after fail_timeout it gets traffic again.
    let a2 = Backend::start(a_addr, "a", "a").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..6 {
        assert_eq!(who(&c, &gw.url("/echo")).await.0, 200);
    }
    assert!(a2.hits.load(Ordering::Relaxed) >= 2, "backend is back in rotation");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_backends_down_gives_gateway_502() {
    let a = backend("a").await;
    let a_addr = a.addr;
    let gw = Gateway::prepare(
        &[("s.toml", site("s", "default = true", &[a.addr], &[], "off", ""))],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    drop(a);
    gone(a_addr).await;
    let c = client("127.0.0.2");
    for _ in 0..3 {
        let r = c.get(gw.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 502);
        assert!(r.text().await.unwrap().contains("502 Bad Gateway"));
    }
    let all_three = r#"gateway_requests_total{class="5xx",pool="gateway",site="s"} 3"#;
    let m = gw.metrics_with(all_three).await;
    assert!(m.contains("gateway_no_live_upstream_total{pool=\"proxy_s\"}"), "{m}");
    assert!(m.contains(all_three), "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn active_check_takes_a_sick_backend_out() {
    let (a, b) = (backend("a").await, backend("b").await);
    let health = "[health]\ncheck_path = \"/healthz\"\ncheck_interval = \"100ms\"\ncheck_timeout = \"1s\"\n";
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[a.addr, b.addr], &[], "off", health),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    a.healthy.store(false, Ordering::Relaxed);
    let c = client("127.0.0.2");
    // Round robin over [a, b]: two answers from b in a row mean a is out. The checker's pace is not the test's.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(who(&c, &gw.url("/echo")).await.1 == "b" && who(&c, &gw.url("/echo")).await.1 == "b") {
        assert!(Instant::now() < deadline, "a never taken out: {}", gw.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for _ in 0..10 {
        assert_eq!(who(&c, &gw.url("/echo")).await.1, "b");
    }
    a.healthy.store(true, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(5);
    while who(&c, &gw.url("/echo")).await.1 != "a" {
        assert!(Instant::now() < deadline, "healthy again: back in rotation");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until nothing accepts connections at `addr`: a dropped test backend's listener closes when the runtime
/// next polls its task, not at once.
async fn gone(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "backend at {addr} still accepting");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
