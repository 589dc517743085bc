//! Signed `POST /api/v1/policy` to the manager (DESIGN.md §4), with the response's signature and freshness
//! checked against the nonce of our own request: an unsigned, forged, replayed or stale answer is rejected.

use std::time::Duration;

use protocol::policy::{Policy, PolicyRequest};
use protocol::signing::{sign_request, ResponseSignature, SignError};
use thiserror::Error;

use crate::config::ManagerConfig;

#[derive(Debug, Error)]
pub enum PullError {
    #[error("key file {0}: {1}")]
    Key(String, String),
    #[error("manager url {0:?}: {1}")]
    Url(String, String),
    #[error("manager unreachable: {0}")]
    Http(String),
    #[error("manager answered {0}: {1}")]
    Status(u16, String),
    #[error("response is not signed (missing {0})")]
    Unsigned(&'static str),
    #[error("response signature rejected: {0}")]
    BadSignature(SignError),
    #[error("response body: {0}")]
    Body(String),
}

/// A configured manager client.
pub struct Puller {
    client: reqwest::blocking::Client,
    url: reqwest::Url,
    path_and_query: String,
    key_id: String,
    secret: Vec<u8>,
}

impl Puller {
    pub fn new(cfg: &ManagerConfig) -> Result<Puller, PullError> {
        let kf = cfg.key_file.display().to_string();
        let text = std::fs::read_to_string(&cfg.key_file).map_err(|e| PullError::Key(kf.clone(), e.to_string()))?;
        let secret = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if secret.is_empty() {
            return Err(PullError::Key(kf, "empty".into()));
        }
        let base = reqwest::Url::parse(&cfg.url).map_err(|e| PullError::Url(cfg.url.clone(), e.to_string()))?;
        let joined = format!("{}/api/v1/policy", base.as_str().trim_end_matches('/'));
        let url = reqwest::Url::parse(&joined).map_err(|e| PullError::Url(cfg.url.clone(), e.to_string()))?;
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(5).min(cfg.timeout))
            .build()
            .map_err(|e| PullError::Http(e.to_string()))?;
        Ok(Puller {
            client,
            url,
            path_and_query,
            key_id: cfg.key_id.clone(),
            secret: secret.as_bytes().to_vec(),
        })
    }

    /// One signed pull. Only a genuine, fresh 200 answer to this very request yields a policy.
    pub fn pull(&self, req: &PolicyRequest) -> Result<Policy, PullError> {
        let body = serde_json::to_vec(req).map_err(|e| PullError::Body(e.to_string()))?;
        let h = sign_request(&self.key_id, &self.secret, "POST", &self.path_and_query, &body);
        let mut rb = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in h.pairs() {
            rb = rb.header(k, v);
        }
        let resp = rb.send().map_err(|e| PullError::Http(e.to_string()))?;
        let status = resp.status().as_u16();
        let signature = ResponseSignature::from_headers(resp.headers());
        let bytes = resp.bytes().map_err(|e| PullError::Http(e.to_string()))?;
        if status != 200 {
            let text: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
            return Err(PullError::Status(status, text));
        }
        signature
            .verify(&self.secret, status, &h.nonce, &bytes)
            .map_err(|e| match e {
                SignError::MissingHeader(h) => PullError::Unsigned(h),
                e => PullError::BadSignature(e),
            })?;
        super::parse_json(&bytes).map_err(|e| PullError::Body(e.to_string()))
    }
}
