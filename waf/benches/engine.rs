//! Criterion benchmark of the full default rule set: a typical benign browser GET and a 4 KiB JSON POST.
//! Run: `cargo bench -p waf --bench engine`.

use std::hint::black_box;
use std::net::IpAddr;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use waf::{Engine, RateLimiter, RequestView, SitePolicy};

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    Engine::load_dir(&dir).unwrap_or_else(|e| panic!("rules: {e:?}"))
}

const GET_HEADERS: &[(&str, &[u8])] = &[
    ("host", b"shop.example.com"),
    ("user-agent", b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"),
    ("accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
    ("accept-language", b"en-US,en;q=0.9,de;q=0.8"),
    ("accept-encoding", b"gzip, deflate, br"),
    ("referer", b"https://shop.example.com/catalog?page=2"),
    ("cookie", b"_ga=GA1.2.1234567890.1700000000; session=3f9a1c2b7d8e4f60a1b2c3d4e5f60718; theme=dark"),
    ("upgrade-insecure-requests", b"1"),
];

fn json_body() -> Vec<u8> {
    let mut s = String::from("{\"order\":{\"id\":\"A-1001\",\"customer\":{\"name\":\"Jane O'Neil\",\"email\":\"jane@example.com\"},\"items\":[");
    let mut n = 0;
    while s.len() < 4000 {
        s.push_str(&format!(
            "{{\"sku\":\"SKU-{n:05}\",\"qty\":{},\"note\":\"gift wrap, please\"}},",
            n % 7 + 1
        ));
        n += 1;
    }
    s.pop();
    s.push_str("]},\"coupon\":null,\"total\":129.5}");
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let engine = engine();
    let site = SitePolicy::default();
    let rate = RateLimiter::default();
    let ip: IpAddr = "127.0.0.2".parse().unwrap();
    let get = RequestView {
        method: "GET",
        uri: "/catalog/item.php?id=1042&color=navy%20blue&q=%22summer+dress%22",
        headers: GET_HEADERS,
        client_ip: ip,
        body: b"",
        body_complete: true,
        body_only: false,
        body_offset: 0,
    };
    assert!(!engine.evaluate(&get, &site, &rate).attack);
    c.bench_function("benign_get", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&get), &site, &rate)))
    });
    // Cold: header and cookie values never seen before (the engine remembers clean repeated values).
    let mut n = 0u64;
    c.bench_function("benign_get_cold_headers", |b| {
        b.iter_batched(
            || {
                n += 1;
                (
                    format!("Mozilla/5.0 (X11; Linux x86_64; rv:{n}.0) Gecko/20100101 Firefox/{n}.0"),
                    format!("https://shop.example.com/catalog?page={n}"),
                    format!("_ga=GA1.2.{n}.1700000000; session={n:032x}; theme=dark"),
                )
            },
            |(ua, referer, cookie)| {
                let mut h: Vec<(&str, &[u8])> = GET_HEADERS.to_vec();
                h[1] = ("user-agent", ua.as_bytes());
                h[5] = ("referer", referer.as_bytes());
                h[6] = ("cookie", cookie.as_bytes());
                let r = RequestView {
                    headers: &h,
                    ..get.clone()
                };
                black_box(engine.evaluate(black_box(&r), &site, &rate))
            },
            BatchSize::SmallInput,
        )
    });
    for skip in ["user-agent", "referer", "accept", "cookie", "host"] {
        let h: Vec<(&str, &[u8])> = GET_HEADERS.iter().filter(|(n, _)| *n != skip).copied().collect();
        let r = RequestView {
            headers: &h,
            ..get.clone()
        };
        c.bench_function(&format!("get_without_{skip}"), |b| {
            b.iter(|| black_box(engine.evaluate(black_box(&r), &site, &rate)))
        });
    }
    let r = RequestView {
        uri: "/catalog/item.php",
        headers: &[],
        ..get.clone()
    };
    c.bench_function("get_bare", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&r), &site, &rate)))
    });

    let body = json_body();
    let len = body.len().to_string();
    let mut headers: Vec<(&str, &[u8])> = GET_HEADERS.to_vec();
    headers.push(("content-type", b"application/json"));
    headers.push(("content-length", len.as_bytes()));
    let post = RequestView {
        method: "POST",
        uri: "/api/v1/orders",
        headers: &headers,
        body: &body,
        ..get.clone()
    };
    assert!(!engine.evaluate(&post, &site, &rate).attack);
    c.bench_function("json_post_4k", |b| {
        b.iter(|| black_box(engine.evaluate(black_box(&post), &site, &rate)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
