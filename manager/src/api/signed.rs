//! Request signature verification and response signing for the machine API. Order matters: freshness and the
//! MAC are checked before the nonce is recorded, so forged requests cannot fill the nonce cache; every refusal
//! is a 401 with a JSON reason (503 when the nonce cache is full).

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use protocol::signing::{self, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP};

use super::ApiError;
use crate::metrics::label;
use crate::nonce::NonceError;
use crate::state::AppState;

/// Who made a verified call; handlers take it as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub addr: String,
}

fn header<'a>(h: &'a HeaderMap, name: &'static str) -> Result<&'a str, String> {
    h.get(name)
        .ok_or_else(|| format!("missing header {name}"))?
        .to_str()
        .map_err(|_| format!("header {name} is not text"))
}

fn refuse(state: &AppState, reason: &'static str, msg: String) -> Response {
    state
        .metrics
        .inc("manager_api_auth_failures_total", format!("reason=\"{reason}\""));
    tracing::warn!(reason, "refused signed call: {msg}");
    ApiError(StatusCode::UNAUTHORIZED, msg).into_response()
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| protocol::ip::canonical(c.0.ip()).to_string())
        .unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    let body = match to_bytes(body, state.cfg.limits.max_body).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {} bytes or unreadable", state.cfg.limits.max_body),
            )
            .into_response()
        }
    };
    let h = &parts.headers;
    let fields = (|| -> Result<_, String> {
        Ok((
            header(h, HEADER_KEY_ID)?.to_string(),
            header(h, HEADER_TIMESTAMP)?.to_string(),
            header(h, HEADER_NONCE)?.to_string(),
            header(h, HEADER_SIGNATURE)?.to_string(),
        ))
    })();
    let (key_id, ts, nonce, sig) = match fields {
        Ok(f) => f,
        Err(m) => return refuse(&state, "missing_header", m),
    };
    let ts = match signing::parse_timestamp(&ts) {
        Ok(t) => t,
        Err(e) => return refuse(&state, "bad_timestamp", e.to_string()),
    };
    let lookup = key_id.clone();
    let secret = match state.db.call(move |c| crate::store::keys::secret(c, &lookup)).await {
        Ok(Some(s)) => s,
        Ok(None) => return refuse(&state, "unknown_key", format!("unknown or revoked key {key_id:?}")),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let now = signing::now_unix();
    if let Err(e) = signing::verify_request(
        secret.as_bytes(),
        parts.method.as_str(),
        &path_and_query,
        &body,
        ts,
        &nonce,
        &sig,
        now,
    ) {
        let reason = match e {
            signing::SignError::Stale(_) => "stale",
            signing::SignError::BadNonce => "bad_nonce",
            _ => "bad_signature",
        };
        return refuse(&state, reason, e.to_string());
    }
    match state.nonces.check_and_insert(&key_id, &nonce, now) {
        Ok(()) => {}
        Err(NonceError::Replayed) => return refuse(&state, "replayed", "nonce already used".into()),
        Err(NonceError::Full) => {
            return ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many requests in flight; retry".into(),
            )
            .into_response()
        }
    }
    let endpoint = parts.uri.path().to_string();
    parts.extensions.insert(Caller {
        key_id: key_id.clone(),
        addr,
    });
    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut rparts, rbody) = resp.into_parts();
    let rbody = match to_bytes(rbody, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "reading response body to sign it");
            return ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into()).into_response();
        }
    };
    state.metrics.inc(
        "manager_api_requests_total",
        format!(
            "endpoint=\"{}\",status=\"{}\"",
            label(&endpoint),
            rparts.status.as_u16()
        ),
    );
    let (rts, rsig) = signing::sign_response(secret.as_bytes(), rparts.status.as_u16(), &nonce, &rbody);
    if let (Ok(t), Ok(s)) = (HeaderValue::from_str(&rts.to_string()), HeaderValue::from_str(&rsig)) {
        rparts.headers.insert(HEADER_TIMESTAMP, t);
        rparts.headers.insert(HEADER_SIGNATURE, s);
    }
    Response::from_parts(rparts, Body::from(rbody))
}
