//! The agent's one nftables table: rendered as a whole from a policy and applied with a single `nft -f`
//! transaction, so a change is atomic and never touches any other table.
//!
//! The script first declares the table (a no-op if it exists), deletes it and defines it again, all in one
//! transaction: the old and new table are swapped atomically. Established connections keep going because NAT
//! bindings live in conntrack, not in the rules; only new connections see the new sets.
//!
//! Layout (`table inet <name>`):
//! - sets `white4`/`white6` (interval), `white_ports` (interval), `black4`/`black6` (hash, per-element timeout)
//!   and `black4_net`/`black6_net` (interval + timeout, for CIDR ranges). Plain addresses sit in hash sets
//!   because interval sets are about twice as slow to load.
//! - `prerouting` nat chain at `dstnat - 10` for the DNAT modes: white sources and white ports return first;
//!   DNAT happens only for locally destined TCP (`fib daddr type local`), so a router's transit traffic is safe.
//! - `postrouting` nat chain: `back` mode masquerades reflected connections (the attacker would drop a packet
//!   whose source is its own address); `masquerade_sandbox` source-NATs sandboxed connections.
//! - `filter` chain on prerouting at priority -150 for `firewall` mode drops black sources.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use protocol::policy::PolicyMode;
use thiserror::Error;

use crate::policy::{AddrList, Resolved};

#[derive(Debug, Error)]
pub enum NftError {
    #[error("cannot run {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("nft failed: {0}")]
    Failed(String),
}

/// What the table is built from besides the policy.
#[derive(Debug, Clone)]
pub struct TableSpec<'a> {
    pub table: &'a str,
    pub black_ttl: Duration,
    pub masquerade_sandbox: bool,
}

fn join<T: std::fmt::Display>(items: &[T], out: &mut String) {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{it}");
    }
}

fn set(out: &mut String, name: &str, ty: &str, flags: &str, timeout: Option<u64>, elems: impl FnOnce(&mut String)) {
    let _ = write!(out, "\tset {name} {{\n\t\ttype {ty}\n");
    if !flags.is_empty() {
        let _ = writeln!(out, "\t\tflags {flags}");
    }
    if flags.contains("interval") {
        out.push_str("\t\tauto-merge\n");
    }
    if let Some(t) = timeout {
        let _ = writeln!(out, "\t\ttimeout {t}s");
    }
    let mut e = String::new();
    elems(&mut e);
    if !e.is_empty() {
        let _ = writeln!(out, "\t\telements = {{ {e} }}");
    }
    out.push_str("\t}\n");
}

fn addr_sets(out: &mut String, prefix: &str, l: &AddrList, timeout: Option<u64>) {
    let tf = if timeout.is_some() { "timeout" } else { "" };
    let itf = if timeout.is_some() {
        "interval, timeout"
    } else {
        "interval"
    };
    if timeout.is_some() {
        set(out, &format!("{prefix}4"), "ipv4_addr", tf, timeout, |e| join(&l.v4, e));
        set(out, &format!("{prefix}4_net"), "ipv4_addr", itf, timeout, |e| {
            join(&l.v4_nets, e)
        });
        set(out, &format!("{prefix}6"), "ipv6_addr", tf, timeout, |e| join(&l.v6, e));
        set(out, &format!("{prefix}6_net"), "ipv6_addr", itf, timeout, |e| {
            join(&l.v6_nets, e)
        });
    } else {
        // White lists are small: one interval set per family holds addresses and ranges.
        set(out, &format!("{prefix}4"), "ipv4_addr", itf, None, |e| {
            join(&l.v4, e);
            if !l.v4.is_empty() && !l.v4_nets.is_empty() {
                e.push_str(", ");
            }
            join(&l.v4_nets, e);
        });
        set(out, &format!("{prefix}6"), "ipv6_addr", itf, None, |e| {
            join(&l.v6, e);
            if !l.v6.is_empty() && !l.v6_nets.is_empty() {
                e.push_str(", ");
            }
            join(&l.v6_nets, e);
        });
    }
}

/// `dnat ip to 10.0.0.9` / `dnat ip6 to [2001:db8::9]:22`.
fn dnat_to(ip: IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V4(a), None) => format!("dnat ip to {a}"),
        (IpAddr::V4(a), Some(p)) => format!("dnat ip to {a}:{p}"),
        (IpAddr::V6(a), None) => format!("dnat ip6 to {a}"),
        (IpAddr::V6(a), Some(p)) => format!("dnat ip6 to [{a}]:{p}"),
    }
}

/// The complete `nft -f` script for a policy.
pub fn render(spec: &TableSpec<'_>, p: &Resolved) -> String {
    let t = spec.table;
    let ttl = spec.black_ttl.as_secs().max(1);
    let mut o = String::with_capacity(64 + p.black.len() * 18);
    let _ = writeln!(o, "table inet {t} {{}}\ndelete table inet {t}\ntable inet {t} {{");
    addr_sets(&mut o, "white", &p.white, None);
    set(&mut o, "white_ports", "inet_service", "interval", None, |e| {
        join(&p.white_ports, e)
    });
    addr_sets(&mut o, "black", &p.black, Some(ttl));

    let exempt = "\t\tip saddr @white4 return\n\t\tip6 saddr @white6 return\n\t\tmeta l4proto { tcp, udp } th dport @white_ports return\n";
    let nat_head = |o: &mut String| {
        o.push_str("\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat - 10; policy accept;\n");
        o.push_str(exempt);
    };
    let sources = |fam: &str| -> [String; 2] {
        let f = if fam == "4" { "ip" } else { "ip6" };
        [format!("{f} saddr @black{fam}"), format!("{f} saddr @black{fam}_net")]
    };
    match p.mode {
        PolicyMode::Honeypot => {
            nat_head(&mut o);
            if let Some(sb) = p.sandbox {
                let (f, fam) = if sb.ip.is_ipv4() { ("ip", "ip") } else { ("ip6", "ip6") };
                // The sandbox's own new connections must not loop back to it.
                let _ = writeln!(
                    o,
                    "\t\tfib daddr type local meta nfproto {} {f} saddr != {} meta l4proto tcp {}",
                    if fam == "ip" { "ipv4" } else { "ipv6" },
                    sb.ip,
                    dnat_to(sb.ip, sb.port)
                );
            }
            o.push_str("\t}\n");
        }
        PolicyMode::Unreal => {
            nat_head(&mut o);
            if let Some(sb) = p.sandbox {
                let fam = if sb.ip.is_ipv4() { "4" } else { "6" };
                for src in sources(fam) {
                    let _ = writeln!(
                        o,
                        "\t\tfib daddr type local {src} meta l4proto tcp {}",
                        dnat_to(sb.ip, sb.port)
                    );
                }
            }
            o.push_str("\t}\n");
        }
        PolicyMode::Back => {
            nat_head(&mut o);
            for (fam, f) in [("4", "ip"), ("6", "ip6")] {
                for src in sources(fam) {
                    let _ = writeln!(
                        o,
                        "\t\tfib daddr type local {src} meta l4proto tcp dnat {f} to {f} saddr"
                    );
                }
            }
            o.push_str("\t}\n");
        }
        PolicyMode::Firewall => {
            o.push_str("\n\tchain filter {\n\t\ttype filter hook prerouting priority -150; policy accept;\n");
            o.push_str(&exempt.replace("return", "accept"));
            for fam in ["4", "6"] {
                for src in sources(fam) {
                    let _ = writeln!(o, "\t\t{src} drop");
                }
            }
            o.push_str("\t}\n");
        }
    }
    let back = p.mode == PolicyMode::Back;
    let masq_sb = spec.masquerade_sandbox && matches!(p.mode, PolicyMode::Honeypot | PolicyMode::Unreal);
    if back || masq_sb {
        o.push_str("\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat + 10; policy accept;\n");
        if back {
            // After the reflecting DNAT both ends are the attacker's address.
            for (fam, f) in [("4", "ip"), ("6", "ip6")] {
                for sfx in ["", "_net"] {
                    let _ = writeln!(
                        o,
                        "\t\tct status dnat {f} saddr @black{fam}{sfx} {f} daddr @black{fam}{sfx} masquerade"
                    );
                }
            }
        }
        if let (true, Some(sb)) = (masq_sb, p.sandbox) {
            let f = if sb.ip.is_ipv4() { "ip" } else { "ip6" };
            let _ = writeln!(o, "\t\tct status dnat {f} daddr {} masquerade", sb.ip);
        }
        o.push_str("\t}\n");
    }
    o.push_str("}\n");
    o
}

/// Script that removes the table if it exists and does nothing otherwise.
pub fn render_remove(table: &str) -> String {
    format!("table inet {table} {{}}\ndelete table inet {table}\n")
}

/// Runs `nft -f -` with `script` on stdin.
pub fn apply(nft: &Path, script: &str) -> Result<(), NftError> {
    let mut child = Command::new(nft)
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| NftError::Spawn(nft.display().to_string(), e))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A write error shows up as nft's own error below.
        let _ = stdin.write_all(script.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| NftError::Spawn(nft.display().to_string(), e))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        // nft echoes the offending line; keep the report short for 100k-element scripts.
        let short: String = err
            .lines()
            .take(6)
            .map(|l| format!("{}\n", &l[..l.len().min(300)]))
            .collect();
        Err(NftError::Failed(short.trim_end().to_string()))
    }
}

/// Whether `table inet <name>` currently exists.
pub fn table_exists(nft: &Path, table: &str) -> Result<bool, NftError> {
    let out = Command::new(nft)
        .args(["list", "tables"])
        .output()
        .map_err(|e| NftError::Spawn(nft.display().to_string(), e))?;
    if !out.status.success() {
        return Err(NftError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let want = format!("table inet {table}");
    Ok(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == want))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::resolve;
    use protocol::policy::Policy;

    fn spec() -> TableSpec<'static> {
        TableSpec {
            table: "jhsy",
            black_ttl: Duration::from_secs(3600),
            masquerade_sandbox: false,
        }
    }

    fn policy(mode: PolicyMode) -> Resolved {
        resolve(
            &Policy {
                mode,
                white_ips: vec!["10.0.0.1".into(), "10.2.0.0/16".into()],
                white_ports: (1..=40).collect(),
                sandbox: "10.9.9.9".into(),
                black_ips: vec!["203.0.113.7".into(), "198.51.100.0/24".into()],
                interval: "10s".into(),
            },
            None,
        )
        .unwrap()
    }

    #[test]
    fn unreal_dnats_black_sets_to_sandbox_keeping_port() {
        let s = render(&spec(), &policy(PolicyMode::Unreal));
        assert!(s.starts_with("table inet jhsy {}\ndelete table inet jhsy\ntable inet jhsy {\n"));
        assert!(s.contains("fib daddr type local ip saddr @black4 meta l4proto tcp dnat ip to 10.9.9.9\n"));
        assert!(s.contains("ip saddr @black4_net meta l4proto tcp dnat ip to 10.9.9.9\n"));
        assert!(s.contains("elements = { 203.0.113.7 }"));
        assert!(s.contains("elements = { 198.51.100.0/24 }"));
        assert!(s.contains("timeout 3600s"));
        // All 40 white ports in one set: no 15-port multiport split.
        assert!(s.contains("elements = { 1, 2, 3,") && s.contains(" 40 }"));
        assert!(!s.contains("chain postrouting"));
    }

    #[test]
    fn each_mode_has_its_action() {
        assert!(render(&spec(), &policy(PolicyMode::Honeypot)).contains(
            "fib daddr type local meta nfproto ipv4 ip saddr != 10.9.9.9 meta l4proto tcp dnat ip to 10.9.9.9"
        ));
        let back = render(&spec(), &policy(PolicyMode::Back));
        assert!(back.contains("ip saddr @black4 meta l4proto tcp dnat ip to ip saddr"));
        assert!(back.contains("ct status dnat ip saddr @black4 ip daddr @black4 masquerade"));
        let fw = render(&spec(), &policy(PolicyMode::Firewall));
        assert!(fw.contains("type filter hook prerouting priority -150"));
        assert!(fw.contains("ip saddr @black4 drop") && fw.contains("ip6 saddr @black6_net drop"));
        assert!(!fw.contains("dnat"));
    }

    #[test]
    fn same_policy_same_script() {
        assert_eq!(
            render(&spec(), &policy(PolicyMode::Unreal)),
            render(&spec(), &policy(PolicyMode::Unreal))
        );
    }
}
