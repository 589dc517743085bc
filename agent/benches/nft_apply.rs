//! How long the agent takes to put 100,000 black IPs into nftables: render the table and apply it with one
//! `nft -f` transaction, in a network namespace of its own (real kernel, real nft). Run as root:
//! `cargo bench -p agent --bench nft_apply`. Prints figures; skips with a message without root/nft/ip.

use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use agent::nft::{self, TableSpec};
use agent::policy::resolve;
use protocol::policy::{Policy, PolicyMode};

/// Deterministic spread of addresses (xorshift), no duplicates guaranteed by construction is not needed:
/// the agent dedups, and we count what it kept.
fn ips(n: usize, seed: u64) -> Vec<String> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Ipv4Addr::from((x as u32) | 0x0100_0000).to_string()
        })
        .collect()
}

fn main() {
    let ns = format!("jhsyagentbench{}", std::process::id());
    let ok = Command::new("ip")
        .args(["netns", "add", &ns])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("SKIP nft_apply: cannot create a network namespace (needs root, iproute2, nftables)");
        return;
    }
    struct Del(String);
    impl Drop for Del {
        fn drop(&mut self) {
            let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
        }
    }
    let _del = Del(ns.clone());
    let dir = std::env::temp_dir().join(format!("jhsy-agent-nft-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrapper = dir.join("nft");
    std::fs::write(&wrapper, format!("#!/bin/sh\nexec ip netns exec {ns} nft \"$@\"\n")).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let spec = TableSpec {
        table: "jhsy",
        black_ttl: Duration::from_secs(3600),
        masquerade_sandbox: false,
    };
    let n = 100_000;
    let mut rows = Vec::new();
    for (round, mode) in [
        PolicyMode::Unreal,
        PolicyMode::Unreal,
        PolicyMode::Firewall,
        PolicyMode::Unreal,
    ]
    .into_iter()
    .enumerate()
    {
        let p = Policy {
            mode,
            white_ips: vec!["10.0.0.0/8".into()],
            white_ports: (1..=100).collect(),
            sandbox: "10.9.9.9".into(),
            black_ips: ips(n, 0x9e37_79b9 + round as u64),
            interval: "10s".into(),
        };
        let t0 = Instant::now();
        let r = resolve(&p, None).unwrap();
        let script = nft::render(&spec, &r);
        let render = t0.elapsed();
        let t1 = Instant::now();
        if let Err(e) = nft::apply(&wrapper, &script) {
            println!("nft failed: {e}");
            std::process::exit(1);
        }
        let apply = t1.elapsed();
        rows.push((round, mode, r.black.len(), render, apply, script.len()));
    }
    // The same no-op check the service does between pulls.
    let t = Instant::now();
    let exists = nft::table_exists(&wrapper, "jhsy").unwrap();
    let check = t.elapsed();
    let t = Instant::now();
    nft::apply(&wrapper, &nft::render_remove("jhsy")).unwrap();
    let remove = t.elapsed();
    let _ = std::fs::remove_dir_all(&dir);

    println!("nft_apply: {n} black IPs per policy, one `nft -f` transaction replacing table inet jhsy");
    for (round, mode, kept, render, apply, bytes) in rows {
        let what = if round == 0 {
            "first apply"
        } else {
            "replace (new set contents)"
        };
        println!(
            "  round {round} {mode:?} {what}: {kept} addresses, render {:.1} ms, nft apply {:.0} ms ({:.0} IPs/s), script {} KiB",
            render.as_secs_f64() * 1e3,
            apply.as_secs_f64() * 1e3,
            kept as f64 / apply.as_secs_f64(),
            bytes / 1024
        );
    }
    println!(
        "  table-exists check: {:.1} ms (exists={exists}); remove table: {:.0} ms",
        check.as_secs_f64() * 1e3,
        remove.as_secs_f64() * 1e3
    );
}
