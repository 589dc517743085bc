//! Host → site resolution, nginx `server_name` style: exact names first, then the longest `*.suffix` wildcard,
//! then the default site. Sites that name their own `listen` addresses are only reachable on those.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::site::Site;

/// Host table of one group of listeners.
#[derive(Debug, Default)]
struct HostTable {
    exact: HashMap<String, Arc<Site>>,
    /// `(".suffix", site)`, longest suffix first.
    wildcard: Vec<(String, Arc<Site>)>,
    default: Option<Arc<Site>>,
}

impl HostTable {
    fn add(&mut self, site: &Arc<Site>) -> Result<(), String> {
        for h in &site.hosts {
            if let Some(suffix) = h.strip_prefix('*') {
                if let Some((_, other)) = self.wildcard.iter().find(|(s, _)| s == suffix) {
                    return Err(format!("host {h} is already served by site {}", other.name));
                }
                self.wildcard.push((suffix.to_string(), site.clone()));
            } else if let Some(other) = self.exact.insert(h.clone(), site.clone()) {
                return Err(format!("host {h} is already served by site {}", other.name));
            }
        }
        if site.default {
            if let Some(other) = &self.default {
                return Err(format!("site {} is already the default site", other.name));
            }
            self.default = Some(site.clone());
        }
        self.wildcard.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        Ok(())
    }

    fn lookup(&self, host: &str) -> Option<&Arc<Site>> {
        if let Some(s) = self.exact.get(host) {
            return Some(s);
        }
        // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com" (nginx semantics).
        self.wildcard
            .iter()
            .find(|(suffix, _)| host.len() > suffix.len() && host.ends_with(suffix.as_str()))
            .map(|(_, s)| s)
            .or(self.default.as_ref())
    }
}

/// Every site of a snapshot, indexed for lookup.
#[derive(Debug, Default)]
pub struct Router {
    shared: HostTable,
    per_listener: HashMap<SocketAddr, HostTable>,
    pub sites: Vec<Arc<Site>>,
}

impl Router {
    /// Indexes `sites`; conflicting host names or two default sites on one listener are errors.
    pub fn build(sites: Vec<Arc<Site>>) -> Result<Router, (Arc<Site>, String)> {
        let mut r = Router::default();
        for s in &sites {
            let res = if s.listen.is_empty() {
                r.shared.add(s)
            } else {
                s.listen
                    .iter()
                    .try_for_each(|l| r.per_listener.entry(*l).or_default().add(s))
            };
            res.map_err(|m| (s.clone(), m))?;
        }
        r.sites = sites;
        Ok(r)
    }

    /// The site for `host` (already lower-cased, port stripped) on the listener `local`.
    pub fn lookup(&self, local: Option<SocketAddr>, host: &str) -> Option<&Arc<Site>> {
        if let Some(t) = local.and_then(|l| self.per_listener.get(&l)) {
            return t.lookup(host);
        }
        self.shared.lookup(host)
    }

    /// Every listener a site asks for beyond the gateway's own.
    pub fn site_listeners(&self) -> impl Iterator<Item = &SocketAddr> {
        self.per_listener.keys()
    }
}

/// Lower-cases the `Host` header value and strips the port and a trailing dot.
pub fn normalize_host(raw: &str) -> String {
    let raw = raw.trim();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        // [v6]:port
        rest.split(']').next().unwrap_or("")
    } else {
        raw.rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map_or(raw, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_normalisation() {
        assert_eq!(normalize_host("Shop.Example.COM:8080"), "shop.example.com");
        assert_eq!(normalize_host("[::1]:80"), "::1");
        assert_eq!(normalize_host("example.com."), "example.com");
    }
}
