//! Admin listener: `GET /metrics`, `GET /healthz`, the bad-guy table API (`GET`/`POST /api/badguys`,
//! `DELETE /api/badguys/{ip}`; `ip` may also be a CIDR range, as with `cscli decisions add --range`) and
//! `POST /api/reload`. Token-protected when `admin_token` is set.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::{Response, StatusCode};
use pingora_core::apps::http_app::ServeHttp;
use pingora_core::protocols::http::ServerSession;
use serde::Deserialize;

use crate::badguys::{unix_now, Source};
use crate::state::Shared;

const MAX_BODY: usize = 64 * 1024;

pub struct Admin {
    pub shared: Arc<Shared>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BanRequest {
    /// An address, or a CIDR range.
    ip: String,
    /// Seconds, or humantime text (`"10m"`).
    #[serde(default)]
    ttl: Option<serde_json::Value>,
    #[serde(default)]
    reason: Option<String>,
}

fn json(status: StatusCode, v: serde_json::Value) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(&v).unwrap_or_default();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response<Vec<u8>> {
    json(status, serde_json::json!({ "error": msg.into() }))
}

fn parse_ttl(v: Option<&serde_json::Value>) -> Result<Duration, String> {
    match v {
        None => Ok(Duration::from_secs(600)),
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .map(Duration::from_secs)
            .ok_or_else(|| "ttl must be a positive number of seconds".into()),
        Some(serde_json::Value::String(s)) => humantime::parse_duration(s).map_err(|e| format!("ttl: {e}")),
        Some(_) => Err("ttl must be seconds or a duration like \"10m\"".into()),
    }
}

async fn read_body(session: &mut ServerSession) -> Result<Vec<u8>, Response<Vec<u8>>> {
    let mut body = Vec::new();
    loop {
        match session.read_request_body().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(error(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(error(StatusCode::BAD_REQUEST, format!("reading body: {e}"))),
        }
    }
}

impl Admin {
    fn authorized(&self, session: &ServerSession) -> bool {
        let Some(token) = self.shared.config.admin_token.as_deref().filter(|t| !t.is_empty()) else {
            return true;
        };
        let got = session
            .req_header()
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let got = got.strip_prefix("Bearer ").unwrap_or("");
        // Constant-time compare, so the token cannot be guessed byte by byte from timing.
        got.len() == token.len() && got.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    async fn route(&self, session: &mut ServerSession) -> Response<Vec<u8>> {
        let method = session.req_header().method.clone();
        let path = session.req_header().uri.path().to_string();
        if path == "/healthz" {
            return json(
                StatusCode::OK,
                serde_json::json!({"status": "ok", "generation": self.shared.snapshot.load().generation}),
            );
        }
        if !self.authorized(session) {
            return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        }
        let now = unix_now();
        match (method.as_str(), path.as_str()) {
            ("GET", "/metrics") => {
                let m = &self.shared.metrics;
                m.badguys.set(self.shared.badguys.len() as i64);
                m.badguys_evicted
                    .set(self.shared.badguys.evicted.load(std::sync::atomic::Ordering::Relaxed) as i64);
                let dropped = self
                    .shared
                    .access_log
                    .as_ref()
                    .map_or(0, |l| l.dropped.load(std::sync::atomic::Ordering::Relaxed));
                m.access_log_dropped.set(dropped as i64);
                m.outbox_dropped
                    .set(self.shared.outbox.dropped.load(std::sync::atomic::Ordering::Relaxed) as i64);
                let body = m.render();
                Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "text/plain; version=0.0.4")
                    .header("content-length", body.len())
                    .body(body)
                    .unwrap_or_else(|_| Response::new(Vec::new()))
            }
            ("GET", "/api/badguys") => {
                let limit = query_param(session, "limit")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1000usize);
                let entries = self.shared.badguys.list(now, limit);
                let ranges = self.shared.badguys.ranges.live(now);
                json(
                    StatusCode::OK,
                    serde_json::json!({"total": self.shared.badguys.len(), "entries": entries, "ranges": ranges}),
                )
            }
            ("POST", "/api/badguys") => {
                let body = match read_body(session).await {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                let req: BanRequest = match serde_json::from_slice(&body) {
                    Ok(r) => r,
                    Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")),
                };
                let Some(target) = BanTarget::parse(&req.ip) else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("not an IP address or CIDR range: {:?}", req.ip),
                    );
                };
                let ttl = match parse_ttl(req.ttl.as_ref()) {
                    Ok(t) => t,
                    Err(e) => return error(StatusCode::BAD_REQUEST, e),
                };
                let reason = req.reason.unwrap_or_else(|| "manual".into());
                let until = now.saturating_add(ttl.as_secs());
                let until = match target {
                    BanTarget::Ip(ip) => {
                        self.shared.badguys.mark(ip, until, &reason, Source::Manual, now);
                        until
                    }
                    BanTarget::Range(net) if net.prefix_len() < min_prefix(net) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            format!(
                                "range {net} is broader than /{}: it would move most of the Internet to the clone",
                                min_prefix(net)
                            ),
                        );
                    }
                    BanTarget::Range(net) => self.shared.badguys.ranges.add(net, until, &reason, Source::Manual, now),
                };
                tracing::info!(target = %target, ttl = ?ttl, %reason, "manual ban");
                json(
                    StatusCode::CREATED,
                    serde_json::json!({"ip": target.to_string(), "until": until}),
                )
            }
            ("DELETE", p) if p.starts_with("/api/badguys/") => {
                let raw = &p["/api/badguys/".len()..];
                let Some(target) = BanTarget::parse(&percent_decode(raw)) else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("not an IP address or CIDR range: {raw:?}"),
                    );
                };
                let removed = match target {
                    BanTarget::Ip(ip) => self.shared.badguys.remove(ip),
                    BanTarget::Range(net) => self.shared.badguys.ranges.remove(net),
                };
                if removed {
                    tracing::info!(target = %target, "unbanned");
                    json(StatusCode::OK, serde_json::json!({"deleted": target.to_string()}))
                } else {
                    error(StatusCode::NOT_FOUND, format!("{target} is not in the table"))
                }
            }
            ("POST", "/api/reload") => match self.shared.reload("api") {
                Ok(generation) => json(
                    StatusCode::OK,
                    serde_json::json!({"status": "ok", "generation": generation}),
                ),
                Err(errors) => json(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    serde_json::json!({"status": "rejected", "errors": errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()}),
                ),
            },
            (_, "/metrics" | "/api/badguys" | "/api/reload") => {
                error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            }
            _ => error(StatusCode::NOT_FOUND, "no such endpoint"),
        }
    }
}

/// What a ban names: one address (`/32` and `/128` count as one) or a range.
#[derive(Debug, Clone, Copy)]
enum BanTarget {
    Ip(std::net::IpAddr),
    Range(ipnet::IpNet),
}

impl BanTarget {
    fn parse(s: &str) -> Option<BanTarget> {
        if !s.contains('/') {
            return protocol::ip::parse(s).map(BanTarget::Ip);
        }
        let net = crate::badguys::ranges::canonical(s.trim().parse().ok()?);
        Some(if net.prefix_len() == net.max_prefix_len() {
            BanTarget::Ip(net.addr())
        } else {
            BanTarget::Range(net)
        })
    }
}

/// Shortest prefix a manual range ban may have: `0.0.0.0/0` is a typo, not a ban.
fn min_prefix(net: ipnet::IpNet) -> u8 {
    match net {
        ipnet::IpNet::V4(_) => 8,
        ipnet::IpNet::V6(_) => 16,
    }
}

impl std::fmt::Display for BanTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BanTarget::Ip(ip) => ip.fmt(f),
            BanTarget::Range(net) => net.fmt(f),
        }
    }
}

fn query_param(session: &ServerSession, key: &str) -> Option<String> {
    session.req_header().uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// Decodes `%3A`-style escapes (IPv6 addresses in a path).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait]
impl ServeHttp for Admin {
    async fn response(&self, session: &mut ServerSession) -> Response<Vec<u8>> {
        self.route(session).await
    }
}
