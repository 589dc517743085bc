//! Address normalisation shared by every program: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is folded to IPv4 so one
//! attacker has one key whichever socket family saw them.

use std::net::IpAddr;

/// Folds IPv4-mapped IPv6 addresses to IPv4; everything else is returned unchanged.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Parses an address, tolerating surrounding whitespace and `[v6]` brackets, and canonicalises it.
pub fn parse(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    s.parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_v6_folds_to_v4() {
        assert_eq!(parse("::ffff:1.2.3.4"), parse("1.2.3.4"));
        assert_eq!(parse("[2001:db8::1]").map(|i| i.is_ipv6()), Some(true));
        assert_eq!(parse("not-an-ip"), None);
    }
}
