//! Signed calls to the manager (DESIGN.md §4): each request carries `X-Key-Id`, `X-Timestamp`, `X-Nonce`,
//! `X-Signature`; an answer counts only if its own signature binds it to our nonce.

use protocol::signing;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SendError {
    /// Worth retrying: network, 5xx, 401 (key not yet known), 429, bad response signature.
    #[error("{0}")]
    Retry(String),
    /// The manager refused the batch as invalid (4xx): retrying cannot help.
    #[error("{0}")]
    Rejected(String),
}

pub struct ManagerClient {
    base: String,
    key_id: String,
    secret: String,
    http: reqwest::Client,
}

impl ManagerClient {
    pub fn new(base: &str, key_id: &str, secret: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            base: base.trim_end_matches('/').to_string(),
            key_id: key_id.to_string(),
            secret: secret.to_string(),
            http,
        }
    }

    /// POSTs a JSON body to `path` and checks the signed answer.
    pub async fn post(&self, path: &str, body: Vec<u8>) -> Result<(), SendError> {
        let h = signing::sign_request(&self.key_id, self.secret.as_bytes(), "POST", path, &body);
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        for (k, v) in h.pairs() {
            req = req.header(k, v);
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("POST {path}: {e}")))?;
        let status = resp.status().as_u16();
        let signature = signing::ResponseSignature::from_headers(resp.headers());
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SendError::Retry(format!("POST {path}: {e}")))?;
        let verified = signature.verify(self.secret.as_bytes(), status, &h.nonce, &bytes);
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        match status {
            200..=299 => verified.map_err(|e| SendError::Retry(format!("POST {path}: answer not genuine: {e}"))),
            401 | 408 | 429 => Err(SendError::Retry(format!("POST {path}: {status} {text}"))),
            400..=499 => Err(SendError::Rejected(format!("POST {path}: {status} {text}"))),
            _ => Err(SendError::Retry(format!("POST {path}: {status} {text}"))),
        }
    }
}
