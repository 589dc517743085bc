//! Sites: what a person enters (name, hosts, real and cloned backends, WAF mode, TTL, TLS on/off with certificate
//! and key paths), field-level validation, and publication as one rendered TOML file per site in the gateways' `sites_dir` (see `sites/publish.rs`).

pub mod publish;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// WAF modes of DESIGN.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WafMode {
    Off,
    Detect,
    Block,
    Redirect,
    #[default]
    Deceive,
}

impl WafMode {
    pub const ALL: [&'static str; 5] = ["off", "detect", "block", "redirect", "deceive"];
}

/// One site as stored in the database and fed to the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    pub name: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub listen: Vec<String>,
    /// Largest request body the gateway accepts, bytes; 0 keeps the gateway's default.
    #[serde(default)]
    pub max_body_size: u64,
    #[serde(default)]
    pub backends: Vec<String>,
    #[serde(default)]
    pub unreal_backends: Vec<String>,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default = "default_max_fails")]
    pub max_fails: u32,
    #[serde(default = "default_fail_timeout")]
    pub fail_timeout: String,
    #[serde(default)]
    pub waf_mode: WafMode,
    #[serde(default)]
    pub redirect_url: String,
    #[serde(default)]
    pub block_page: String,
    #[serde(default = "default_ttl")]
    pub bad_guy_ttl: String,
    /// Serve the site on the gateway's `tls_listen` too (rendered as `[tls]`); off by default.
    #[serde(default)]
    pub tls: bool,
    /// PEM certificate chain, a path on the gateway host (relative paths are relative to `sites_dir`).
    /// Kept but ignored while `tls` is off, so switching TLS off and on again does not lose it.
    #[serde(default)]
    pub tls_cert: String,
    /// PEM private key, a path like `tls_cert`.
    #[serde(default)]
    pub tls_key: String,
}

fn default_max_fails() -> u32 {
    3
}
fn default_fail_timeout() -> String {
    "20s".into()
}
fn default_ttl() -> String {
    "10m".into()
}

/// Field name → message. Empty means valid.
pub type FieldErrors = BTreeMap<String, String>;

fn valid_host(h: &str) -> bool {
    let h = h.strip_prefix("*.").unwrap_or(h);
    if protocol::ip::parse(h).is_some() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Why `p` cannot be a certificate or key path in a site file, if it cannot. Relative paths are resolved by the
/// gateway against the site file's directory; they must stay inside it, because that is also where the
/// manager's `gateway check` finds them (see `publish.rs`).
fn tls_path_problem(p: &str) -> Option<&'static str> {
    if p.is_empty() {
        return Some("required when TLS is on (a PEM file path on the gateway host; absolute paths recommended)");
    }
    if p.len() > 4096 {
        return Some("at most 4096 bytes");
    }
    if p.chars().any(char::is_control) {
        return Some("a single-line path without control characters");
    }
    if p.ends_with(".toml") {
        return Some("a PEM file, not *.toml (the gateway reads *.toml in sites_dir as site files)");
    }
    let path = std::path::Path::new(p);
    if !path.is_absolute() && path.components().any(|c| c == std::path::Component::ParentDir) {
        return Some("a relative path is looked up in sites_dir and may not contain '..' (use an absolute path)");
    }
    None
}

/// `ip:port`, `[v6]:port` or `name:port`.
pub fn valid_backend(b: &str) -> bool {
    if b.parse::<std::net::SocketAddr>().is_ok() {
        return true;
    }
    match b.rsplit_once(':') {
        Some((host, port)) => {
            !host.starts_with('*') && valid_host(host) && matches!(port.parse::<u16>(), Ok(p) if p > 0)
        }
        None => false,
    }
}

impl SiteSpec {
    /// Trims and lower-cases what people type, drops empty entries.
    pub fn normalise(&mut self) {
        self.name = self.name.trim().to_string();
        for list in [
            &mut self.hosts,
            &mut self.backends,
            &mut self.unreal_backends,
            &mut self.trusted_proxies,
            &mut self.listen,
        ] {
            *list = list
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        for h in &mut self.hosts {
            *h = h.to_ascii_lowercase();
        }
        for s in [
            &mut self.fail_timeout,
            &mut self.bad_guy_ttl,
            &mut self.redirect_url,
            &mut self.block_page,
            &mut self.tls_cert,
            &mut self.tls_key,
        ] {
            *s = s.trim().to_string();
        }
    }

    /// Field-level checks; `others` are the other stored sites (for host and default conflicts).
    pub fn validate(&self, others: &[SiteSpec]) -> FieldErrors {
        let mut e = FieldErrors::new();
        let mut err = |f: &str, m: String| {
            e.entry(f.to_string()).or_insert(m);
        };
        if self.name.is_empty()
            || self.name.len() > 64
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            err(
                "name",
                "1-64 letters, digits, '-' or '_' (it becomes the file name)".into(),
            );
        }
        if self.hosts.is_empty() && !self.default {
            err("hosts", "at least one host name (or make the site the default)".into());
        }
        for h in &self.hosts {
            if !valid_host(h) {
                err(
                    "hosts",
                    format!("{h:?} is not a host name (wildcards only as \"*.example.com\")"),
                );
            }
        }
        if self.backends.is_empty() {
            err("backends", "at least one real backend (host:port)".into());
        }
        for b in &self.backends {
            if !valid_backend(b) {
                err("backends", format!("{b:?} is not host:port"));
            }
        }
        for b in &self.unreal_backends {
            if !valid_backend(b) {
                err("unreal_backends", format!("{b:?} is not host:port"));
            }
        }
        if self.waf_mode == WafMode::Deceive && self.unreal_backends.is_empty() {
            err(
                "unreal_backends",
                "mode deceive needs at least one cloned backend".into(),
            );
        }
        for p in &self.trusted_proxies {
            if protocol::ip::parse(p).is_none() && p.parse::<ipnet::IpNet>().is_err() {
                err(
                    "trusted_proxies",
                    format!("{p:?} is neither an IP address nor a CIDR range"),
                );
            }
        }
        for l in &self.listen {
            if l.parse::<std::net::SocketAddr>().is_err() {
                err("listen", format!("{l:?} is not ip:port"));
            }
        }
        if self.max_fails == 0 || self.max_fails > 1000 {
            err("max_fails", "between 1 and 1000".into());
        }
        for (field, v) in [("fail_timeout", &self.fail_timeout), ("bad_guy_ttl", &self.bad_guy_ttl)] {
            match humantime::parse_duration(v) {
                Ok(d) if d.as_secs() >= 1 => {}
                Ok(_) => err(field, "at least 1s".into()),
                Err(x) => err(field, format!("{v:?}: {x} (e.g. \"10m\")")),
            }
        }
        if self.waf_mode == WafMode::Redirect && self.redirect_url.is_empty() {
            err("redirect_url", "mode redirect needs a URL".into());
        }
        let url = &self.redirect_url;
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            err("redirect_url", "must start with http:// or https://".into());
        }
        if !self.block_page.is_empty()
            && (self.block_page.contains('/') || self.block_page.contains('\\') || self.block_page.starts_with('.'))
        {
            err(
                "block_page",
                "a file name in the gateway's template directory, without a path".into(),
            );
        }
        if self.tls {
            for (field, p) in [("tls_cert", &self.tls_cert), ("tls_key", &self.tls_key)] {
                if let Some(m) = tls_path_problem(p) {
                    err(field, m.into());
                }
            }
        }
        for o in others.iter().filter(|o| o.name != self.name) {
            if let Some(h) = self.hosts.iter().find(|h| o.hosts.contains(h)) {
                err("hosts", format!("{h:?} is already served by site {:?}", o.name));
            }
            if self.default && o.default {
                err("default", format!("site {:?} is already the default", o.name));
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteSpec {
        serde_json::from_value(serde_json::json!({
            "name": "shop", "hosts": ["shop.test"], "backends": ["127.0.0.1:9001"], "waf_mode": "detect"
        }))
        .unwrap()
    }

    #[test]
    fn tls_paths_are_required_only_when_tls_is_on() {
        let mut s = site();
        s.tls_cert = "bad\npath".into();
        assert!(s.validate(&[]).is_empty(), "off: paths are ignored");
        s.tls = true;
        s.tls_cert = String::new();
        let e = s.validate(&[]);
        assert!(e.contains_key("tls_cert") && e.contains_key("tls_key"), "{e:?}");
        for (cert, ok) in [
            ("/etc/tls/shop.crt", true),
            ("shop.crt", true),
            ("./tls/shop.crt", true),
            ("/etc/tls/../shop.crt", true),
            ("../shop.crt", false),
            ("tls/../../shop.crt", false),
            ("shop.crt\nkey = \"x\"", false),
            ("shop\u{0}.crt", false),
            ("other.toml", false),
        ] {
            s.tls_cert = cert.into();
            s.tls_key = "/etc/tls/shop.key".into();
            let e = s.validate(&[]);
            assert_eq!(!e.contains_key("tls_cert"), ok, "{cert:?}: {e:?}");
            assert!(!e.contains_key("tls_key"), "{e:?}");
        }
    }
}
