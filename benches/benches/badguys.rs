//! Criterion benchmarks of the bad-guy table: lookup of an unmarked and a marked client, insert, lookups in a
//! table of 1 M entries, and lookups from 2 threads while a third inserts.

use std::net::IpAddr;
use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use gateway::badguys::{BadGuyTable, Source};

fn ip(i: u32) -> IpAddr {
    IpAddr::from(i.to_be_bytes())
}

fn bench(c: &mut Criterion) {
    let t = BadGuyTable::new(1_000_000);
    c.bench_function("badguys/lookup-empty", |b| b.iter(|| t.hit(black_box(ip(7)), 10)));
    for i in 0..1_000_000u32 {
        t.mark(ip(0x0a00_0000 + i), 1_000_000, "bench", Source::Waf, 1);
    }
    c.bench_function("badguys/lookup-miss-1M", |b| {
        b.iter(|| t.hit(black_box(ip(0x0b00_0000)), 10))
    });
    c.bench_function("badguys/lookup-hit-1M", |b| {
        b.iter(|| t.hit(black_box(ip(0x0a00_1234)), 10))
    });
    let t2 = BadGuyTable::new(2_000_000);
    let mut n = 0u32;
    c.bench_function("badguys/insert", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            t2.mark(ip(0x0c00_0000 + (n % 1_500_000)), 1_000_000, "bench", Source::Waf, 1)
        })
    });
    let full = BadGuyTable::new(100_000);
    for i in 0..100_000u32 {
        full.mark(ip(0x0d00_0000 + i), 1_000 + u64::from(i), "bench", Source::Waf, 1);
    }
    let mut m = 0u32;
    c.bench_function("badguys/insert-into-full-table-100k", |b| {
        b.iter(|| {
            m = m.wrapping_add(1);
            full.mark(ip(0x0e00_0000 + m), 2_000_000 + u64::from(m), "bench", Source::Waf, 1)
        })
    });
    let shared = Arc::new(t);
    c.bench_function("badguys/lookup-1M-with-concurrent-writer", |b| {
        let w = shared.clone();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s2 = stop.clone();
        let writer = std::thread::spawn(move || {
            let mut k = 0u32;
            while !s2.load(std::sync::atomic::Ordering::Relaxed) {
                k = k.wrapping_add(1);
                w.mark(ip(0x0a00_0000 + (k % 1_000_000)), 1_000_000, "bench", Source::Waf, 1);
            }
        });
        b.iter(|| shared.hit(black_box(ip(0x0a00_4321)), 10));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = writer.join();
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
