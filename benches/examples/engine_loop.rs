//! Runs the WAF engine over one of the benchmark mixes in a loop, for profilers and quick before/after timing:
//! `cargo run --release -p benches --example engine_loop -- get-10-args 20000 [evict-KiB]`, or under
//! `valgrind --tool=callgrind` / `perf record`. Prints the median and quartiles of the per-request time.
//!
//! With an eviction size, that much memory is written between requests, so the rule automata start each request
//! out of cache as they do in the gateway, where the kernel's network stack and pingora run in between (there
//! the same engine costs more per request than in a tight loop).

use std::time::Instant;

#[path = "../src/mixes.rs"]
#[allow(dead_code)]
mod mixes;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map_or("get-10-args", String::as_str);
    let n: usize = args.get(2).map_or(Ok(20_000), |s| s.parse())?.max(1);
    let evict_kib: usize = args.get(3).map_or(Ok(0), |s| s.parse())?;
    // `WAF_RULES=DIR` runs another rule set, e.g. a copy with one rule's targets cut, to see what that rule costs.
    let rules = std::env::var_os("WAF_RULES").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf"),
        std::path::PathBuf::from,
    );
    let engine = waf::Engine::load_dir(&rules)
        .map_err(|errs| anyhow::anyhow!(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    let Some(mix) = mixes::all().into_iter().find(|m| m.name == name) else {
        anyhow::bail!("no mix {name}");
    };
    let site = waf::SitePolicy::default();
    let rate = waf::RateLimiter::default();
    // What the benchmark's load generator sends.
    let content_type = mix.content_type.clone().unwrap_or_default();
    let length = mix.body.len().to_string();
    let mut headers: Vec<(&str, &[u8])> = vec![
        ("host", b"bench.local"),
        ("user-agent", b"jhsy-bench/1.0"),
        ("accept", b"*/*"),
    ];
    if mix.content_type.is_some() {
        headers.push(("content-type", content_type.as_bytes()));
    }
    if !mix.body.is_empty() {
        headers.push(("content-length", length.as_bytes()));
    }
    let client = std::net::IpAddr::from([127, 0, 0, 2]);
    let mut junk = vec![0u8; evict_kib * 1024];
    let mut times = Vec::with_capacity(n);
    let mut matches = 0;
    for i in 0..n {
        for j in (0..junk.len()).step_by(64) {
            junk[j] = junk[j].wrapping_add(i as u8);
        }
        let t = Instant::now();
        let view = waf::RequestView {
            method: mix.method,
            uri: &mix.path,
            headers: &headers,
            client_ip: client,
            body: &mix.body,
            body_complete: true,
            body_only: false,
            body_offset: 0,
        };
        let v = engine.evaluate(std::hint::black_box(&view), &site, &rate);
        times.push(t.elapsed().as_nanos() as u64);
        matches += v.matches.len();
    }
    std::hint::black_box(&junk);
    times.sort_unstable();
    let q = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{name}: {n} requests, {matches} rule matches, {evict_kib} KiB evicted between requests: \
         p25 {} ns, median {} ns, p75 {} ns",
        q(0.25),
        q(0.5),
        q(0.75)
    );
    Ok(())
}
