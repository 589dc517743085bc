//! Criterion benchmarks of the WAF engine with the shipped default rules, per request type.

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion};

// The bodies the `compare` harness sends, so these figures and its req/s describe the same requests.
#[path = "../src/mixes.rs"]
#[allow(dead_code)]
mod mixes;

fn bench(c: &mut Criterion) {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    let engine = match waf::Engine::load_dir(&rules) {
        Ok(e) => e,
        Err(errs) => panic!(
            "default rules do not load: {}",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        ),
    };
    let site = waf::SitePolicy::default();
    let rate = waf::RateLimiter::default();
    let ip: std::net::IpAddr = "203.0.113.9".parse().unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    let browser: Vec<(&str, &[u8])> = vec![
        ("host", b"shop.example.com"),
        (
            "user-agent",
            b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        ),
        (
            "accept",
            b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ),
        ("accept-language", b"en-US,en;q=0.9"),
        ("accept-encoding", b"gzip, deflate, br"),
        ("cookie", b"session=3f2a9c1e8b7d4a6f; theme=dark; cart=12"),
        ("referer", b"https://shop.example.com/catalog?page=2"),
    ];
    let cases = [
        Case {
            name: "benign-get",
            method: "GET",
            uri: "/catalog/garden/item-1042?color=green&size=m&ref=homepage",
            body: Vec::new(),
            content_type: None,
        },
        Case {
            name: "get-10-args",
            method: "GET",
            uri: "/search?q=garden+hose&cat=tools&min=10&max=50&sort=price&page=2&per=24&brand=acme&stock=1&ship=free",
            body: Vec::new(),
            content_type: None,
        },
        mix_case("json-post-4k"),
        mix_case("multipart-64k"),
        Case {
            name: "sqli-get",
            method: "GET",
            uri: "/item?id=1%20union%20select%201,2,password%20from%20users--",
            body: Vec::new(),
            content_type: None,
        },
    ];
    for Case {
        name,
        method,
        uri,
        body,
        content_type: ct,
    } in &cases
    {
        let mut headers = browser.clone();
        if let Some(ct) = ct {
            headers.push(("content-type", ct));
        }
        c.bench_function(&format!("waf/{name}"), |b| {
            b.iter(|| {
                let view = waf::RequestView {
                    method,
                    uri,
                    headers: &headers,
                    client_ip: ip,
                    body,
                    body_complete: true,
                    body_only: false,
                    body_offset: 0,
                };
                black_box(engine.evaluate(black_box(&view), &site, &rate))
            })
        });
    }
}

/// One request type to time.
struct Case {
    name: &'static str,
    method: &'static str,
    uri: &'static str,
    body: Vec<u8>,
    content_type: Option<&'static [u8]>,
}

/// A request type of the `compare` harness, by name.
fn mix_case(name: &'static str) -> Case {
    let mix = mixes::all()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no mix {name}"));
    Case {
        name,
        method: mix.method,
        uri: mix.path.leak(),
        body: mix.body.to_vec(),
        content_type: mix.content_type.map(|c| &*c.into_bytes().leak()),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
