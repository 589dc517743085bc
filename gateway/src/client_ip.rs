//! The real client address: the TCP peer, unless that peer is a trusted proxy of the site; then the rightmost
//! address in `X-Forwarded-For` that is not itself a trusted proxy (or `X-Real-IP`). Headers from untrusted peers
//! are ignored, so nobody can get another address flagged or unflagged by writing a header.

use std::net::IpAddr;

use ipnet::IpNet;

/// Resolves the client address for one request.
pub fn resolve(peer: IpAddr, trusted: &[IpNet], xff: Option<&[u8]>, x_real_ip: Option<&[u8]>) -> IpAddr {
    let peer = protocol::ip::canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if trusted.is_empty() || !is_trusted(&peer) {
        return peer;
    }
    if let Some(xff) = xff.and_then(|v| std::str::from_utf8(v).ok()) {
        let mut last_trusted = None;
        for part in xff.rsplit(',') {
            match parse_hop(part) {
                Some(ip) if is_trusted(&ip) => last_trusted = Some(ip),
                Some(ip) => return ip,
                // An unparsable hop ends the chain of trust: what is left of it was written by someone we cannot vouch for.
                None => return last_trusted.unwrap_or(peer),
            }
        }
        if let Some(ip) = last_trusted {
            return ip;
        }
    }
    x_real_ip
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(parse_hop)
        .unwrap_or(peer)
}

/// One `X-Forwarded-For` element: an address, possibly `[v6]` or `v4:port`.
fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if let Some(ip) = protocol::ip::parse(s) {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().and_then(protocol::ip::parse);
    }
    s.rsplit_once(':').and_then(|(h, _)| protocol::ip::parse(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            resolve(ip("127.0.0.5"), &trusted, Some(b"1.2.3.4"), Some(b"5.6.7.8")),
            ip("127.0.0.5")
        );
        assert_eq!(resolve(ip("127.0.0.5"), &[], Some(b"1.2.3.4"), None), ip("127.0.0.5"));
    }

    #[test]
    fn rightmost_untrusted_hop_wins() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // spoofed leftmost value is ignored: the trusted proxy appended the real client
        assert_eq!(
            resolve(ip("10.0.0.1"), &trusted, Some(b"6.6.6.6, 1.2.3.4, 10.0.0.7"), None),
            ip("1.2.3.4")
        );
        assert_eq!(
            resolve(ip("10.0.0.1"), &trusted, Some(b"[2001:db8::1]:443"), None),
            ip("2001:db8::1")
        );
        assert_eq!(
            resolve(ip("10.0.0.1"), &trusted, Some(b"1.2.3.4:5678"), None),
            ip("1.2.3.4")
        );
        assert_eq!(resolve(ip("10.0.0.1"), &trusted, None, Some(b"9.9.9.9")), ip("9.9.9.9"));
        assert_eq!(
            resolve(ip("10.0.0.1"), &trusted, Some(b"garbage, 10.0.0.2"), None),
            ip("10.0.0.2")
        );
        assert_eq!(
            resolve(ip("::ffff:10.0.0.1"), &trusted, Some(b"::ffff:1.2.3.4"), None),
            ip("1.2.3.4")
        );
    }
}
