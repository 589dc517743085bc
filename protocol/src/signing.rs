//! HMAC-SHA256 signing of machine-to-machine calls (DESIGN.md §4).
//!
//! Request: `X-Signature = hex(HMAC(secret, METHOD \n PATH_AND_QUERY \n TIMESTAMP \n NONCE \n hex(SHA256(body))))`
//! with `X-Key-Id`, `X-Timestamp`, `X-Nonce`. Response: `X-Signature = hex(HMAC(secret, STATUS \n TIMESTAMP \n
//! REQUEST_NONCE \n hex(SHA256(body))))` with `X-Timestamp`, so a caller can tell a fresh answer to its own
//! request from a replayed or forged one. Verification compares MACs in constant time (`Mac::verify_slice`).
//!
//! The HMAC key is the secret exactly as `manager key add` prints it and as key files hold it (its ASCII bytes,
//! surrounding whitespace trimmed, not hex-decoded): callers pass `secret.trim().as_bytes()`.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use thiserror::Error;

pub const HEADER_KEY_ID: &str = "x-key-id";
pub const HEADER_TIMESTAMP: &str = "x-timestamp";
pub const HEADER_NONCE: &str = "x-nonce";
pub const HEADER_SIGNATURE: &str = "x-signature";

/// Accepted clock difference between caller and callee, in seconds.
pub const MAX_SKEW_SECS: i64 = 300;
/// Shortest nonce accepted (hex characters).
pub const MIN_NONCE_LEN: usize = 16;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignError {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("timestamp is not a unix time in seconds")]
    BadTimestamp,
    #[error("timestamp is {0} s away from now (allowed ±{MAX_SKEW_SECS} s)")]
    Stale(i64),
    #[error("nonce must be at least {MIN_NONCE_LEN} hex characters")]
    BadNonce,
    #[error("signature is not hex")]
    BadSignatureEncoding,
    #[error("signature does not match")]
    Mismatch,
}

/// The headers a signed request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub key_id: String,
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
}

impl SignedHeaders {
    /// As `(name, value)` pairs, ready to add to any HTTP client's request.
    pub fn pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_KEY_ID, self.key_id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// A fresh random nonce: 32 hex characters.
pub fn new_nonce() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A fresh random key secret: 64 hex characters.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Current unix time in seconds.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

fn mac(secret: &[u8], parts: &[&str]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            m.update(b"\n");
        }
        m.update(p.as_bytes());
    }
    m
}

fn request_mac(secret: &[u8], method: &str, path_and_query: &str, ts: i64, nonce: &str, body: &[u8]) -> HmacSha256 {
    mac(
        secret,
        &[
            &method.to_ascii_uppercase(),
            path_and_query,
            &ts.to_string(),
            nonce,
            &body_hash(body),
        ],
    )
}

fn response_mac(secret: &[u8], status: u16, ts: i64, request_nonce: &str, body: &[u8]) -> HmacSha256 {
    mac(
        secret,
        &[&status.to_string(), &ts.to_string(), request_nonce, &body_hash(body)],
    )
}

/// Signs a request at time `ts` with `nonce`.
pub fn sign_request_at(
    key_id: &str,
    secret: &[u8],
    method: &str,
    path_and_query: &str,
    body: &[u8],
    ts: i64,
    nonce: String,
) -> SignedHeaders {
    let signature = hex::encode(
        request_mac(secret, method, path_and_query, ts, &nonce, body)
            .finalize()
            .into_bytes(),
    );
    SignedHeaders {
        key_id: key_id.to_string(),
        timestamp: ts,
        nonce,
        signature,
    }
}

/// Signs a request now with a fresh nonce.
pub fn sign_request(key_id: &str, secret: &[u8], method: &str, path_and_query: &str, body: &[u8]) -> SignedHeaders {
    sign_request_at(key_id, secret, method, path_and_query, body, now_unix(), new_nonce())
}

fn check_fresh(ts: i64, now: i64) -> Result<(), SignError> {
    let skew = ts - now;
    if skew.abs() > MAX_SKEW_SECS {
        return Err(SignError::Stale(skew));
    }
    Ok(())
}

/// Parses the timestamp header value.
pub fn parse_timestamp(v: &str) -> Result<i64, SignError> {
    v.trim().parse::<i64>().map_err(|_| SignError::BadTimestamp)
}

/// Verifies a request's signature and freshness. Nonce replay must be checked by the caller (it needs state):
/// do that only after this returns `Ok`, so forged requests cannot fill the nonce cache.
#[allow(clippy::too_many_arguments)]
pub fn verify_request(
    secret: &[u8],
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
    signature_hex: &str,
    now: i64,
) -> Result<(), SignError> {
    check_fresh(timestamp, now)?;
    if nonce.len() < MIN_NONCE_LEN || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SignError::BadNonce);
    }
    let sig = hex::decode(signature_hex.trim()).map_err(|_| SignError::BadSignatureEncoding)?;
    request_mac(secret, method, path_and_query, timestamp, nonce, body)
        .verify_slice(&sig)
        .map_err(|_| SignError::Mismatch)
}

/// Signs a response to the request that carried `request_nonce`. Returns `(timestamp, signature)`.
pub fn sign_response(secret: &[u8], status: u16, request_nonce: &str, body: &[u8]) -> (i64, String) {
    let ts = now_unix();
    (
        ts,
        hex::encode(
            response_mac(secret, status, ts, request_nonce, body)
                .finalize()
                .into_bytes(),
        ),
    )
}

/// Verifies a response against the nonce of the request it answers.
pub fn verify_response(
    secret: &[u8],
    status: u16,
    request_nonce: &str,
    body: &[u8],
    timestamp: i64,
    signature_hex: &str,
    now: i64,
) -> Result<(), SignError> {
    check_fresh(timestamp, now)?;
    let sig = hex::decode(signature_hex.trim()).map_err(|_| SignError::BadSignatureEncoding)?;
    response_mac(secret, status, timestamp, request_nonce, body)
        .verify_slice(&sig)
        .map_err(|_| SignError::Mismatch)
}

/// The raw `X-Timestamp` and `X-Signature` values of an answer, taken from its headers before the body is read
/// (reading it consumes the client's response), then checked against that body with [`Self::verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseSignature {
    pub timestamp: Option<String>,
    pub signature: Option<String>,
}

impl ResponseSignature {
    pub fn from_headers(headers: &http::HeaderMap) -> ResponseSignature {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        ResponseSignature {
            timestamp: get(HEADER_TIMESTAMP),
            signature: get(HEADER_SIGNATURE),
        }
    }

    /// [`verify_response_headers`] with these header values.
    pub fn verify(&self, secret: &[u8], status: u16, request_nonce: &str, body: &[u8]) -> Result<(), SignError> {
        verify_response_headers(
            secret,
            status,
            request_nonce,
            body,
            self.timestamp.as_deref(),
            self.signature.as_deref(),
        )
    }
}

/// Verifies a response from its raw header values, as an HTTP client hands them over: a missing `X-Timestamp` or
/// `X-Signature` is [`SignError::MissingHeader`], then as [`verify_response`] at the current time.
pub fn verify_response_headers(
    secret: &[u8],
    status: u16,
    request_nonce: &str,
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
) -> Result<(), SignError> {
    let ts = timestamp.ok_or(SignError::MissingHeader(HEADER_TIMESTAMP))?;
    let sig = signature.ok_or(SignError::MissingHeader(HEADER_SIGNATURE))?;
    verify_response(
        secret,
        status,
        request_nonce,
        body,
        parse_timestamp(ts)?,
        sig,
        now_unix(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn signed_request_verifies_and_tampering_fails() {
        let now = 1_800_000_000;
        let h = sign_request_at(
            "gw1",
            SECRET,
            "post",
            "/api/v1/decisions",
            b"{}",
            now,
            "00112233445566778899aabbccddeeff".into(),
        );
        assert_eq!(
            verify_request(
                SECRET,
                "POST",
                "/api/v1/decisions",
                b"{}",
                now,
                &h.nonce,
                &h.signature,
                now + 10
            ),
            Ok(())
        );
        assert_eq!(
            verify_request(
                SECRET,
                "POST",
                "/api/v1/decisions",
                b"{ }",
                now,
                &h.nonce,
                &h.signature,
                now
            ),
            Err(SignError::Mismatch)
        );
        assert_eq!(
            verify_request(
                SECRET,
                "POST",
                "/api/v1/decisions?x=1",
                b"{}",
                now,
                &h.nonce,
                &h.signature,
                now
            ),
            Err(SignError::Mismatch)
        );
        assert_eq!(
            verify_request(
                b"other",
                "POST",
                "/api/v1/decisions",
                b"{}",
                now,
                &h.nonce,
                &h.signature,
                now
            ),
            Err(SignError::Mismatch)
        );
        assert!(matches!(
            verify_request(
                SECRET,
                "POST",
                "/api/v1/decisions",
                b"{}",
                now,
                &h.nonce,
                &h.signature,
                now + 301
            ),
            Err(SignError::Stale(_))
        ));
        assert_eq!(
            verify_request(
                SECRET,
                "POST",
                "/api/v1/decisions",
                b"{}",
                now,
                "short",
                &h.signature,
                now
            ),
            Err(SignError::BadNonce)
        );
    }

    #[test]
    fn known_answer_vector() {
        // Fixed vector so every implementation (including non-Rust callers) can check itself against it.
        let h = sign_request_at(
            "k",
            b"secret",
            "GET",
            "/api/v1/decisions/stream?startup=true",
            b"",
            1_700_000_000,
            "0123456789abcdef".into(),
        );
        let msg = "GET\n/api/v1/decisions/stream?startup=true\n1700000000\n0123456789abcdef\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let mut m = HmacSha256::new_from_slice(b"secret").unwrap();
        m.update(msg.as_bytes());
        assert_eq!(h.signature, hex::encode(m.finalize().into_bytes()));
    }

    #[test]
    fn response_signature_is_read_from_a_header_map() {
        let (ts, sig) = sign_response(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x");
        let mut h = http::HeaderMap::new();
        h.insert(HEADER_TIMESTAMP, ts.to_string().parse().unwrap());
        h.insert(HEADER_SIGNATURE, sig.parse().unwrap());
        let s = ResponseSignature::from_headers(&h);
        assert_eq!(s.verify(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x"), Ok(()));
        assert_eq!(
            s.verify(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"y"),
            Err(SignError::Mismatch)
        );
        h.remove(HEADER_SIGNATURE);
        assert_eq!(
            ResponseSignature::from_headers(&h).verify(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x"),
            Err(SignError::MissingHeader(HEADER_SIGNATURE))
        );
    }

    #[test]
    fn response_headers_must_both_be_present() {
        let (ts, sig) = sign_response(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x");
        let ts = ts.to_string();
        assert_eq!(
            verify_response_headers(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x", Some(&ts), Some(&sig)),
            Ok(())
        );
        assert_eq!(
            verify_response_headers(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x", None, Some(&sig)),
            Err(SignError::MissingHeader(HEADER_TIMESTAMP))
        );
        assert_eq!(
            verify_response_headers(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"x", Some("soon"), Some(&sig)),
            Err(SignError::BadTimestamp)
        );
    }

    #[test]
    fn response_signature_binds_request_nonce() {
        let (ts, sig) = sign_response(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"{\"new\":[]}");
        assert_eq!(
            verify_response(SECRET, 200, "aaaaaaaaaaaaaaaaaaaa", b"{\"new\":[]}", ts, &sig, ts),
            Ok(())
        );
        assert_eq!(
            verify_response(SECRET, 200, "bbbbbbbbbbbbbbbbbbbb", b"{\"new\":[]}", ts, &sig, ts),
            Err(SignError::Mismatch)
        );
        assert_eq!(
            verify_response(SECRET, 500, "aaaaaaaaaaaaaaaaaaaa", b"{\"new\":[]}", ts, &sig, ts),
            Err(SignError::Mismatch)
        );
    }
}
