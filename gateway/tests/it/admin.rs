//! Admin API: manual ban/unban of addresses and ranges through `/api/badguys`, the table and its ranges
//! surviving a restart via `state_file`.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread")]
async fn manual_ban_unban_and_restart() {
    let (_real, _clone, mut gw) = one_site("s", "deceive", "").await;
    let admin = reqwest::Client::new();
    let r = admin
        .post(gw.admin_url("/api/badguys"))
        .body(r#"{"ip":"127.0.0.2","ttl":"10m","reason":"manual test"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = admin
        .post(gw.admin_url("/api/badguys"))
        .body(r#"{"ip":"::ffff:127.0.0.3","ttl":600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = admin
        .post(gw.admin_url("/api/badguys"))
        .body(r#"{"ip":"not-an-ip"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = admin
        .post(gw.admin_url("/api/badguys"))
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(who(&client("127.0.0.2"), &gw.url("/echo")).await.1, "clone");
    assert_eq!(
        who(&client("127.0.0.3"), &gw.url("/echo")).await.1,
        "clone",
        "IPv4-mapped form folds to the same key"
    );

    let r = admin
        .delete(gw.admin_url("/api/badguys/127.0.0.3"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        admin
            .delete(gw.admin_url("/api/badguys/127.0.0.3"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(who(&client("127.0.0.3"), &gw.url("/echo")).await.1, "real");

    // A range: every client inside it goes to the clone, and only those.
    for (body, status) in [
        (r#"{"ip":"127.0.0.17/30","ttl":"10m","reason":"scan"}"#, 201),
        (r#"{"ip":"127.0.0.16/33"}"#, 400),
        (r#"{"ip":"0.0.0.0/0"}"#, 400),
    ] {
        let r = admin
            .post(gw.admin_url("/api/badguys"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{body}");
    }
    assert_eq!(who(&client("127.0.0.18"), &gw.url("/echo")).await.1, "clone");
    assert_eq!(who(&client("127.0.0.20"), &gw.url("/echo")).await.1, "real");

    // Restart: the table and its ranges come back from state_file.
    gw.stop();
    gw.spawn();
    assert_eq!(
        who(&client("127.0.0.2"), &gw.url("/echo")).await.1,
        "clone",
        "mark survived the restart"
    );
    assert_eq!(
        who(&client("127.0.0.19"), &gw.url("/echo")).await.1,
        "clone",
        "range survived the restart"
    );
    let v = json_of(admin.get(gw.admin_url("/api/badguys"))).await;
    assert_eq!(v["entries"][0]["reason"], "manual test");
    assert_eq!(v["ranges"][0]["net"], "127.0.0.16/30");
    let r = admin
        .delete(gw.admin_url("/api/badguys/127.0.0.16/30"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(who(&client("127.0.0.19"), &gw.url("/echo")).await.1, "real");
    assert_eq!(admin.get(gw.admin_url("/nope")).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn table_stays_bounded_under_an_ip_spray() {
    let real = backend("real").await;
    let gw = Gateway::prepare(
        &[(
            "s.toml",
            site("s", "default = true", &[real.addr], &[real.addr], "deceive", ""),
        )],
        &[("t.toml", TEST_RULES)],
        "[badguys]\nmax_entries = 500\n",
    )
    .start();
    let admin = reqwest::Client::new();
    for i in 0..2_000u32 {
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i);
        let r = admin
            .post(gw.admin_url("/api/badguys"))
            .body(format!(r#"{{"ip":"{ip}","ttl":{}}}"#, 600 + i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let v = json_of(admin.get(gw.admin_url("/api/badguys?limit=1"))).await;
    assert!(v["total"].as_u64().unwrap() <= 500, "{v}");
    assert_eq!(v["entries"][0]["ip"], "10.0.7.207", "the longest-lived entry is kept");
}
