//! A policy checked and parsed into what the firewall needs: addresses split by family and by single/range,
//! the sandbox as an address, the pull interval as a duration.
//!
//! A bad black/white entry is skipped with a warning (one typo must not switch protection off); a policy whose
//! mode needs a sandbox but names none, or names an unusable one, is rejected so the previous one stays.

pub mod pull;
pub mod source;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use protocol::policy::{Policy, PolicyMode};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("mode {0:?} needs a sandbox (host[:port])")]
    NoSandbox(PolicyMode),
    #[error("sandbox {0:?}: {1}")]
    BadSandbox(String, String),
    #[error("policy JSON: {0}")]
    Json(String),
}

/// Where sandboxed connections go. Without a port each connection keeps its destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sandbox {
    pub ip: IpAddr,
    pub port: Option<u16>,
}

/// Addresses of one list, split the way nft sets want them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrList {
    pub v4: Vec<Ipv4Addr>,
    pub v4_nets: Vec<Ipv4Net>,
    pub v6: Vec<Ipv6Addr>,
    pub v6_nets: Vec<Ipv6Net>,
}

impl AddrList {
    pub fn len(&self) -> usize {
        self.v4.len() + self.v4_nets.len() + self.v6.len() + self.v6_nets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parses addresses and CIDR ranges; returns the list and the entries that were not understood.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a String>) -> (AddrList, Vec<String>) {
        let mut l = AddrList::default();
        let mut bad = Vec::new();
        for raw in items {
            let s = raw.trim();
            if let Some(ip) = protocol::ip::parse(s) {
                l.push_ip(ip);
            } else if let Ok(net) = s.parse::<IpNet>() {
                match net.trunc() {
                    IpNet::V4(n) if n.prefix_len() == 32 => l.v4.push(n.addr()),
                    IpNet::V6(n) if n.prefix_len() == 128 => l.push_ip(IpAddr::V6(n.addr())),
                    IpNet::V4(n) => l.v4_nets.push(n),
                    IpNet::V6(n) => l.v6_nets.push(n),
                }
            } else {
                bad.push(raw.clone());
            }
        }
        // Sorted and unique so equal policies render equal rulesets (and nft rejects duplicate elements).
        l.v4.sort_unstable();
        l.v4.dedup();
        l.v6.sort_unstable();
        l.v6.dedup();
        l.v4_nets = Ipv4Net::aggregate(&l.v4_nets);
        l.v6_nets = Ipv6Net::aggregate(&l.v6_nets);
        (l, bad)
    }

    fn push_ip(&mut self, ip: IpAddr) {
        match protocol::ip::canonical(ip) {
            IpAddr::V4(a) => self.v4.push(a),
            IpAddr::V6(a) => self.v6.push(a),
        }
    }
}

/// A policy ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub mode: PolicyMode,
    pub white: AddrList,
    pub white_ports: Vec<u16>,
    pub black: AddrList,
    pub sandbox: Option<Sandbox>,
    pub interval: Duration,
    /// Human-readable notes about skipped entries, for the log and `--dry-run`.
    pub warnings: Vec<String>,
}

/// Parses `host[:port]`, `[v6]:port` or a bare v6 address; host names are resolved now.
pub fn parse_sandbox(s: &str) -> Result<Sandbox, PolicyError> {
    let s = s.trim();
    let bad = |m: &str| PolicyError::BadSandbox(s.to_string(), m.to_string());
    if let Some(ip) = protocol::ip::parse(s) {
        if ip.is_unspecified() {
            return Err(bad("unspecified address"));
        }
        return Ok(Sandbox { ip, port: None });
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            let port: u16 = p.parse().map_err(|_| bad("port out of range"))?;
            if port == 0 {
                return Err(bad("port 0"));
            }
            (h, Some(port))
        }
        _ => (s, None),
    };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host.is_empty() {
        return Err(bad("empty host"));
    }
    let ip = match protocol::ip::parse(host) {
        Some(ip) => ip,
        None => (host, 0)
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve: {e}")))?
            .map(|a| a.ip())
            .next()
            .ok_or_else(|| bad("name has no address"))?,
    };
    if ip.is_unspecified() {
        return Err(bad("unspecified address"));
    }
    Ok(Sandbox { ip, port })
}

/// Checks a policy. `mode` overrides the policy's own mode (the `-m` flag).
pub fn resolve(p: &Policy, mode: Option<PolicyMode>) -> Result<Resolved, PolicyError> {
    let mode = mode.unwrap_or(p.mode);
    let mut warnings = Vec::new();
    let (white, bad_w) = AddrList::parse(&p.white_ips);
    let (black, bad_b) = AddrList::parse(&p.black_ips);
    for b in bad_w {
        warnings.push(format!("white_ips: skipped {b:?} (not an address or CIDR range)"));
    }
    for b in bad_b {
        warnings.push(format!("black_ips: skipped {b:?} (not an address or CIDR range)"));
    }
    let mut white_ports: Vec<u16> = p.white_ports.iter().copied().filter(|&p| p != 0).collect();
    white_ports.sort_unstable();
    white_ports.dedup();
    let needs_sandbox = matches!(mode, PolicyMode::Honeypot | PolicyMode::Unreal);
    let sandbox = if p.sandbox.trim().is_empty() {
        if needs_sandbox {
            return Err(PolicyError::NoSandbox(mode));
        }
        None
    } else {
        Some(parse_sandbox(&p.sandbox)?)
    };
    let interval = match humantime::parse_duration(p.interval.trim()) {
        Ok(d) if d >= Duration::from_secs(1) => d,
        Ok(_) => {
            warnings.push(format!("interval {:?} below 1s, using 1s", p.interval));
            Duration::from_secs(1)
        }
        Err(e) => {
            warnings.push(format!("interval {:?}: {e}; using 10s", p.interval));
            Duration::from_secs(10)
        }
    };
    if let Some(sb) = sandbox {
        if needs_sandbox {
            let other = if sb.ip.is_ipv4() { "IPv6" } else { "IPv4" };
            let n = if sb.ip.is_ipv4() {
                black.v6.len() + black.v6_nets.len()
            } else {
                black.v4.len() + black.v4_nets.len()
            };
            if mode == PolicyMode::Unreal && n > 0 {
                warnings.push(format!(
                    "{n} {other} black entries cannot be DNAT'ed to an {} sandbox; they are left alone",
                    if sb.ip.is_ipv4() { "IPv4" } else { "IPv6" }
                ));
            }
        }
    }
    Ok(Resolved {
        mode,
        white,
        white_ports,
        black,
        sandbox,
        interval,
        warnings,
    })
}

/// Parses policy JSON (from the manager or `policy_file`); errors carry the line.
pub fn parse_json(text: &[u8]) -> Result<Policy, PolicyError> {
    serde_json::from_slice(text).map_err(|e| PolicyError::Json(format!("line {}: {e}", e.line())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(mode: PolicyMode, sandbox: &str) -> Policy {
        Policy {
            mode,
            white_ips: vec!["10.0.0.1".into(), "10.1.0.0/16".into(), "junk".into()],
            white_ports: vec![22, 0, 22, 80],
            sandbox: sandbox.into(),
            black_ips: vec![
                "203.0.113.7".into(),
                "::ffff:203.0.113.8".into(),
                "198.51.100.0/24".into(),
                "198.51.100.0/25".into(),
                "2001:db8::1".into(),
                "203.0.113.7/32".into(),
            ],
            interval: "5s".into(),
        }
    }

    #[test]
    fn splits_and_normalises_lists() {
        let r = resolve(&pol(PolicyMode::Unreal, "10.9.9.9:2222"), None).unwrap();
        assert_eq!(
            r.black.v4,
            vec![Ipv4Addr::new(203, 0, 113, 7), Ipv4Addr::new(203, 0, 113, 8)]
        );
        assert_eq!(r.black.v4_nets, vec!["198.51.100.0/24".parse::<Ipv4Net>().unwrap()]);
        assert_eq!(r.black.v6.len(), 1);
        assert_eq!(r.white_ports, vec![22, 80]);
        assert_eq!(r.sandbox.unwrap().port, Some(2222));
        assert_eq!(r.interval, Duration::from_secs(5));
        assert!(r.warnings.iter().any(|w| w.contains("junk")));
        assert!(r.warnings.iter().any(|w| w.contains("IPv6 black")));
    }

    #[test]
    fn sandbox_forms() {
        assert_eq!(parse_sandbox("10.0.0.9").unwrap().port, None);
        assert_eq!(parse_sandbox("[2001:db8::9]:22").unwrap().port, Some(22));
        assert_eq!(parse_sandbox("2001:db8::9").unwrap().port, None);
        assert!(parse_sandbox("localhost:8022").unwrap().ip.is_loopback());
        assert!(parse_sandbox("10.0.0.9:0").is_err());
        assert!(parse_sandbox("10.0.0.9:70000").is_err());
        assert!(parse_sandbox("0.0.0.0").is_err());
    }

    #[test]
    fn mode_override_and_missing_sandbox() {
        let r = resolve(&pol(PolicyMode::Unreal, ""), Some(PolicyMode::Firewall)).unwrap();
        assert_eq!(r.mode, PolicyMode::Firewall);
        assert_eq!(
            resolve(&pol(PolicyMode::Honeypot, " "), None).unwrap_err(),
            PolicyError::NoSandbox(PolicyMode::Honeypot)
        );
    }
}
