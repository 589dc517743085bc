//! TLS termination on `tls_listen`: certificates come from the site files (`[tls] cert`, `key`) and are chosen
//! per connection by SNI with the same host rules as plain HTTP (exact name, longest `*.suffix`, default site).
//! The resolver is created once and its table swapped on every reload, so certificate changes apply live.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use pingora_core::tls::sign::CertifiedKey;
use pingora_core::tls::{ClientHello, CryptoProvider, ResolvesServerCert};

/// Reads a PEM certificate chain and private key into a key rustls can serve.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>, String> {
    pingora_core::tls::install_default_crypto_provider();
    let (c, k) = (cert.display().to_string(), key.display().to_string());
    let (chain, key_der) = match pingora_core::tls::load_certs_and_key_files(&c, &k) {
        Ok(Some(pair)) => pair,
        Ok(None) => return Err(format!("no certificate in {c} or no private key in {k}")),
        Err(e) => return Err(format!("cannot read {c} / {k}: {e}")),
    };
    let provider = CryptoProvider::get_default().ok_or_else(|| "no TLS crypto provider".to_string())?;
    let signing = provider
        .key_provider
        .load_private_key(key_der)
        .map_err(|e| format!("unusable private key {k}: {e}"))?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}

/// Certificates by host pattern.
#[derive(Debug, Default)]
pub struct CertTable {
    exact: HashMap<String, Arc<CertifiedKey>>,
    /// `(".suffix", key)`, longest first.
    wildcard: Vec<(String, Arc<CertifiedKey>)>,
    default: Option<Arc<CertifiedKey>>,
}

impl CertTable {
    pub fn add(&mut self, hosts: &[String], default: bool, key: &Arc<CertifiedKey>) {
        for h in hosts {
            match h.strip_prefix('*') {
                Some(suffix) => self.wildcard.push((suffix.to_string(), key.clone())),
                None => {
                    self.exact.insert(h.clone(), key.clone());
                }
            }
        }
        if default || self.default.is_none() {
            self.default = Some(key.clone());
        }
        self.wildcard.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
    }

    fn lookup(&self, sni: Option<&str>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = sni.map(|s| s.trim_end_matches('.').to_ascii_lowercase()) else {
            return self.default.clone();
        };
        if let Some(k) = self.exact.get(&name) {
            return Some(k.clone());
        }
        self.wildcard
            .iter()
            .find(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix.as_str()))
            .map(|(_, k)| k.clone())
            .or_else(|| self.default.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_none()
    }
}

/// SNI certificate resolver handed to pingora's TLS listener.
#[derive(Debug, Default)]
pub struct SniResolver {
    table: ArcSwap<CertTable>,
}

impl SniResolver {
    pub fn replace(&self, table: CertTable) {
        self.table.store(Arc::new(table));
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.table.load().lookup(hello.server_name())
    }
}
