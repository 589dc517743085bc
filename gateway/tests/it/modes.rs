//! WAF modes: deceive moves that client (and only it) to the clone until the mark expires; block, redirect and
//! detect behave as specified; an allowlisted client is never marked.

use std::time::Duration;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn deceive_moves_only_the_attacker_until_ttl_ends() {
    let (_real, _clone, gw) = one_site("shop", "deceive", "").await;
    let (attacker, bystander) = (client("127.0.0.2"), client("127.0.0.3"));

    assert_eq!(who(&attacker, &gw.url("/echo")).await, (200, "real".into()));
    // The attack itself is answered by the clone, with a normal status.
    assert_eq!(
        who(&attacker, &gw.url("/echo?q=EVILMARKER")).await,
        (200, "clone".into())
    );
    for _ in 0..3 {
        assert_eq!(
            who(&attacker, &gw.url("/echo")).await,
            (200, "clone".into()),
            "every later request goes to the clone"
        );
        assert_eq!(
            who(&bystander, &gw.url("/echo")).await,
            (200, "real".into()),
            "other clients are untouched"
        );
    }
    let list: serde_json::Value = reqwest::get(gw.admin_url("/api/badguys"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["entries"][0]["ip"], "127.0.0.2");
    assert_eq!(list["entries"][0]["reason"], "990001");

    tokio::time::sleep(Duration::from_millis(5500)).await;
    assert_eq!(
        who(&attacker, &gw.url("/echo")).await,
        (200, "real".into()),
        "mark expired"
    );

    let m = gw.metrics().await;
    assert!(
        m.contains(r#"gateway_waf_hits_total{action="deceive",rule="990001",site="shop"} 1"#),
        "{m}"
    );
    assert!(
        m.contains(r#"gateway_requests_total{class="2xx",pool="unreal",site="shop"} 4"#),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deceive_answers_look_the_same_from_both_pools() {
    let (real, clone) = (backend("same").await, backend("same").await);
    let gw = Gateway::prepare(
        &[(
            "shop.toml",
            site("shop", "default = true", &[real.addr], &[clone.addr], "deceive", ""),
        )],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.4");
    let a = c.get(gw.url("/")).send().await.unwrap();
    let mut names_a: Vec<String> = a
        .headers()
        .keys()
        .map(|k| k.to_string())
        .filter(|k| k != "date")
        .collect();
    let body_a = a.text().await.unwrap();
    let b = c.get(gw.url("/?x=EVILMARKER")).send().await.unwrap();
    let mut names_b: Vec<String> = b
        .headers()
        .keys()
        .map(|k| k.to_string())
        .filter(|k| k != "date")
        .collect();
    let status_b = b.status();
    let body_b = b.text().await.unwrap();
    names_a.sort();
    names_b.sort();
    assert_eq!(status_b, 200);
    assert_eq!(
        names_a, names_b,
        "the gateway adds no header that tells the pools apart"
    );
    assert_eq!(body_a, body_b);
    assert_eq!(clone.hits.load(std::sync::atomic::Ordering::Relaxed), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn block_redirect_detect_modes() {
    let (real, clone) = (backend("real").await, backend("clone").await);
    let gw = Gateway::prepare(
        &[
            (
                "a.toml",
                site(
                    "blk",
                    "hosts = [\"blk.test\"]",
                    &[real.addr],
                    &[clone.addr],
                    "block",
                    "",
                ),
            ),
            (
                "b.toml",
                site(
                    "red",
                    "hosts = [\"red.test\"]",
                    &[real.addr],
                    &[clone.addr],
                    "redirect",
                    "",
                ),
            ),
            (
                "c.toml",
                site(
                    "det",
                    "hosts = [\"det.test\"]",
                    &[real.addr],
                    &[clone.addr],
                    "detect",
                    "",
                ),
            ),
        ],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.5");
    let r = c
        .get(gw.url("/echo?a=EVILMARKER"))
        .header("host", "blk.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("127.0.0.5") && page.contains("990001"),
        "block page fills client and rule: {page}"
    );
    let r = c
        .get(gw.url("/echo?a=EVILMARKER"))
        .header("host", "red.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "https://example.com/");
    let r = c
        .get(gw.url("/echo?a=EVILMARKER"))
        .header("host", "det.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("\"real\""));
    // None of these modes marks the client.
    let r = c.get(gw.url("/echo")).header("host", "blk.test").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(clone.hits.load(std::sync::atomic::Ordering::Relaxed), 0);
    let line = line_containing(&gw.path("access.log"), "\"action\":\"detect\"").await;
    assert!(
        line.is_some(),
        "{}",
        std::fs::read_to_string(gw.path("access.log")).unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn allowlisted_client_is_never_marked() {
    let (_real, _clone, gw) = one_site("shop", "deceive", "").await;
    let c = client("127.0.0.9");
    assert_eq!(who(&c, &gw.url("/echo?q=EVILMARKER")).await, (200, "real".into()));
    assert_eq!(who(&c, &gw.url("/echo")).await, (200, "real".into()));
    let list: serde_json::Value = reqwest::get(gw.admin_url("/api/badguys"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn attack_in_urlencoded_body_is_seen_before_the_pool_is_chosen() {
    let (_real, _clone, gw) = one_site("shop", "deceive", "").await;
    let c = client("127.0.0.6");
    let r = c
        .post(gw.url("/echo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=bob&comment=BODYMARKER")
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["backend"], "clone");
    assert_eq!(
        v["body_len"], 27,
        "the body read for inspection still reaches the backend"
    );
}
