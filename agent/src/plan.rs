//! `agent --dry-run` and `agent check`: show what the agent would do, change nothing.
//!
//! The dry-run output is itself a valid `nft -f` script: the forwarding plan is printed as `#` comments above
//! the ruleset, so `agent --dry-run | nft -c -f -` checks it.

use std::fmt::Write as _;
use std::path::Path;

use protocol::policy::{Policy, PolicyMode, PolicyRequest};

use crate::config::{Config, StartAt, Transport};
use crate::firewall::Firewall;
use crate::policy::pull::Puller;
use crate::policy::resolve;
use crate::policy::source::{load_cache, read_policy_file};
use crate::syslog;

/// The policy the agent would start with, and where it came from.
pub fn current_policy(cfg: &Config, hostname: &str, cli_mode: Option<PolicyMode>) -> (Option<Policy>, String) {
    if let Some(m) = &cfg.manager {
        let pulled = Puller::new(m).and_then(|p| {
            p.pull(&PolicyRequest {
                hostname: hostname.to_string(),
                mode: cli_mode,
                version: env!("CARGO_PKG_VERSION").to_string(),
            })
        });
        return match pulled {
            Ok(p) => (Some(p), format!("manager {} (signed response verified)", m.url)),
            Err(e) => match load_cache(&cfg.state_dir) {
                Some(p) => (Some(p), format!("cached last good policy (manager: {e})")),
                None => (None, format!("none (manager: {e}; no cached policy)")),
            },
        };
    }
    if let Some(f) = &cfg.policy_file {
        return match read_policy_file(f) {
            Ok(p) => (Some(p), format!("policy_file {}", f.display())),
            Err(e) => (None, format!("none ({e})")),
        };
    }
    (
        None,
        "none (no [manager] and no policy_file): the firewall is not managed".into(),
    )
}

/// The full dry-run text.
pub fn dry_run(cfg: &Config, cli_mode: Option<PolicyMode>) -> String {
    let host = cfg.hostname();
    let (policy, from) = current_policy(cfg, &host, cli_mode);
    let mode = cli_mode
        .or(policy.as_ref().map(|p| p.mode))
        .unwrap_or(PolicyMode::Honeypot);
    let mut o = String::new();
    let _ = writeln!(o, "# jinghuashuiyue agent dry run: nothing is changed");
    let _ = writeln!(o, "# host {host}, mode {}", syslog::mode_name(mode));
    let _ = writeln!(o, "# policy from: {from}");
    let _ = writeln!(o, "#\n# forwarding plan");
    if cfg.servers.is_empty() {
        let _ = writeln!(o, "#   no [[servers]]: nothing is forwarded");
    }
    for s in &cfg.servers {
        let how = match s.transport {
            Transport::Tcp => "TCP, RFC 5424, RFC 6587 octet-counted, spooled while unreachable",
            Transport::Udp => "UDP, RFC 5424, one datagram per line",
        };
        let _ = writeln!(o, "#   -> {} ({how})", s.addr);
    }
    for f in &cfg.files {
        let start = match f.start_at {
            StartAt::End => "new lines",
            StartAt::Beginning => "from the beginning",
        };
        let _ = writeln!(
            o,
            "#   file {} as {} ({start}, follows rotation)",
            f.path.display(),
            f.service
        );
    }
    if let Some(r) = &cfg.redis {
        let auth = if r.password.is_some() || r.password_file.is_some() {
            "with AUTH"
        } else {
            "no AUTH"
        };
        let _ = writeln!(o, "#   redis MONITOR {} as {} ({auth})", r.addr, r.service);
    }
    let _ = writeln!(
        o,
        "#   spool {} (max {} bytes)",
        cfg.state_dir.join("spool").display(),
        cfg.spool.max_bytes
    );
    let example = syslog::format(time::OffsetDateTime::now_utc(), &host, "SERVICE", mode, b"LINE");
    let _ = writeln!(o, "#   message: {example}");
    let _ = writeln!(o, "#\n# nftables ruleset");
    match policy.as_ref().map(|p| resolve(p, cli_mode)) {
        Some(Ok(r)) => {
            for w in &r.warnings {
                let _ = writeln!(o, "# warning: {w}");
            }
            o.push_str(&Firewall::new(&cfg.firewall).render(&r));
        }
        Some(Err(e)) => {
            let _ = writeln!(o, "# policy rejected: {e}");
        }
        None => {
            let _ = writeln!(o, "# (no policy, no ruleset)");
        }
    }
    o
}

/// `agent check`: returns the problems found (empty = fine) and notes.
pub fn check(path: &Path) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let cfg = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            errors.push(e.to_string());
            return (errors, notes);
        }
    };
    if let Some(f) = &cfg.policy_file {
        match read_policy_file(f) {
            Ok(p) => match resolve(&p, None) {
                Ok(r) => {
                    notes.push(format!(
                        "policy_file {}: mode {}, {} black, {} white, {} white ports",
                        f.display(),
                        syslog::mode_name(r.mode),
                        r.black.len(),
                        r.white.len(),
                        r.white_ports.len()
                    ));
                    for w in r.warnings {
                        notes.push(format!("{}: warning: {w}", f.display()));
                    }
                }
                Err(e) => errors.push(format!("{}: {e}", f.display())),
            },
            Err(e) => errors.push(e),
        }
    }
    if let Some(m) = &cfg.manager {
        if let Err(e) = Puller::new(m) {
            errors.push(format!("{}: manager: {e}", path.display()));
        }
    }
    if let Some(r) = &cfg.redis {
        if let Some(pf) = &r.password_file {
            if let Err(e) = std::fs::read_to_string(pf) {
                errors.push(format!("{}: redis.password_file {}: {e}", path.display(), pf.display()));
            }
        }
    }
    match std::process::Command::new(&cfg.firewall.nft).arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => notes.push(format!(
            "warning: {} not runnable; the firewall cannot be managed",
            cfg.firewall.nft.display()
        )),
    }
    for f in &cfg.files {
        if !f.path.exists() {
            notes.push(format!(
                "file {} does not exist yet (it will be followed when it appears)",
                f.path.display()
            ));
        }
    }
    (errors, notes)
}
