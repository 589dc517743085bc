//! Site resolution by Host, upstream request headers, client-IP resolution and weighted round-robin.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn hosts_exact_wildcard_default_and_unknown() {
    let (a, b, d) = (backend("a").await, backend("b").await, backend("d").await);
    let sites = [
        (
            "a.toml",
            site("a", "hosts = [\"shop.example.com\"]", &[a.addr], &[], "off", ""),
        ),
        (
            "b.toml",
            site("b", "hosts = [\"*.shop.example.com\"]", &[b.addr], &[], "off", ""),
        ),
    ];
    let gw = Gateway::prepare(&sites, &[("t.toml", TEST_RULES)], "").start();
    let c = client("127.0.0.2");
    let get = |host: &'static str| {
        let c = c.clone();
        let url = gw.url("/echo");
        async move {
            let r = c.get(url).header("host", host).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert!(get("Shop.Example.com:8080").await.1.contains("\"backend\":\"a\""));
    assert!(get("x.y.shop.example.com").await.1.contains("\"backend\":\"b\""));
    let (status, body) = get("other.test").await;
    assert_eq!(status, 421, "unknown host without a default site");
    assert!(body.contains("421"));

    // Adding a default site makes it the catch-all, live.
    let g = gw.generation().await;
    write(
        &gw.path("sites/d.toml"),
        &site("d", "default = true", &[d.addr], &[], "off", ""),
    );
    gw.wait_reload(g, std::time::Duration::from_secs(10)).await;
    assert!(get("other.test").await.1.contains("\"backend\":\"d\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_gets_forwarding_headers_and_the_original_host() {
    let real = backend("real").await;
    let gw = Gateway::prepare(
        &[("s.toml", site("s", "default = true", &[real.addr], &[], "detect", ""))],
        &[("t.toml", TEST_RULES)],
        "",
    )
    .start();
    let c = client("127.0.0.7");
    let v = json_of(
        c.get(gw.url("/echo?x=1"))
            .header("host", "www.example.org")
            .header("x-forwarded-for", "6.6.6.6"),
    )
    .await;
    let h = &v["headers"];
    assert_eq!(h["host"], "www.example.org");
    assert_eq!(
        h["x-real-ip"], "127.0.0.7",
        "untrusted peer: its X-Forwarded-For is not believed"
    );
    assert_eq!(h["x-forwarded-for"], "6.6.6.6, 127.0.0.7", "nginx-style append");
    assert_eq!(h["x-scheme"], "http");
    assert_eq!(h["x-request-id"].as_str().unwrap().len(), 32);
    assert_eq!(v["uri"], "/echo?x=1");
}

#[tokio::test(flavor = "multi_thread")]
async fn spoofed_forwarded_for_from_untrusted_peer_changes_nothing() {
    let (real, clone) = (backend("real").await, backend("clone").await);
    let sites = [(
        "s.toml",
        site(
            "s",
            "default = true",
            &[real.addr],
            &[clone.addr],
            "deceive",
            "trusted_proxies = [\"127.0.0.8/32\"]",
        ),
    )];
    let gw = Gateway::prepare(&sites, &[("t.toml", TEST_RULES)], "").start();
    // An attacker writing someone else's address gets itself marked, not the victim.
    let attacker = client("127.0.0.2");
    let r = attacker
        .get(gw.url("/echo?q=EVILMARKER"))
        .header("x-forwarded-for", "127.0.0.3")
        .header("x-real-ip", "127.0.0.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(who(&client("127.0.0.3"), &gw.url("/echo")).await.1, "real");
    assert_eq!(who(&attacker, &gw.url("/echo")).await.1, "clone");
    // Through the trusted proxy, the rightmost untrusted hop is the client.
    let proxy = client("127.0.0.8");
    let r = proxy
        .get(gw.url("/echo?q=EVILMARKER"))
        .header("x-forwarded-for", "10.9.9.9, 127.0.0.4")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v = json_of(proxy.get(gw.url("/echo")).header("x-forwarded-for", "127.0.0.4")).await;
    assert_eq!(v["backend"], "clone", "127.0.0.4 was marked");
    assert_eq!(v["headers"]["x-real-ip"], "127.0.0.4");
    let v = json_of(proxy.get(gw.url("/echo")).header("x-forwarded-for", "127.0.0.5")).await;
    assert_eq!(v["backend"], "real", "the proxy itself was not marked");
}

#[tokio::test(flavor = "multi_thread")]
async fn weighted_round_robin() {
    let (a, b) = (backend("a").await, backend("b").await);
    let text = format!(
        "name = \"w\"\ndefault = true\nbackends = [{{ addr = \"{}\", weight = 3 }}, \"{}\"]\n[waf]\nmode = \"off\"\n",
        a.addr, b.addr
    );
    let gw = Gateway::prepare(&[("w.toml", text)], &[("t.toml", TEST_RULES)], "").start();
    let c = client("127.0.0.2");
    for _ in 0..40 {
        assert_eq!(c.get(gw.url("/")).send().await.unwrap().status(), 200);
    }
    let (ha, hb) = (
        a.hits.load(std::sync::atomic::Ordering::Relaxed),
        b.hits.load(std::sync::atomic::Ordering::Relaxed),
    );
    assert_eq!((ha, hb), (30, 10));
}
