//! Upstream phase: pick a backend of the chosen pool, retry a failed connect on the next backend for idempotent
//! requests, feed passive health, and add the forwarding headers backends expect from an nginx front.

use pingora_core::upstreams::peer::{HttpPeer, Peer};
use pingora_error::{Error, ErrorType, Result};
use pingora_http::RequestHeader;
use pingora_proxy::Session;

use super::ctx::Ctx;
use crate::pool::{Pool, PoolKind};
use crate::state::Shared;

fn pool(ctx: &Ctx) -> Option<&Pool> {
    let site = ctx.site.as_ref()?;
    match ctx.pool {
        PoolKind::Real => Some(&site.real),
        PoolKind::Unreal => site.unreal.as_ref(),
    }
}

pub fn peer(shared: &Shared, _session: &mut Session, ctx: &mut Ctx) -> Result<Box<HttpPeer>> {
    if !ctx.tried.is_empty() {
        // A retry replays the body from the start.
        ctx.body_seen = 0;
        if let (Some(resume), true) = (ctx.late_resume.clone(), ctx.late_body.is_some()) {
            ctx.start_late_pass(&resume, 0);
        }
    }
    let Some(pool) = pool(ctx) else {
        return Error::e_explain(ErrorType::HTTPStatus(502), "site has no pool for this request");
    };
    let Some(backend) = pool.select(&ctx.tried) else {
        shared.metrics.no_live_upstream.with_label_values(&[&pool.name]).inc();
        tracing::warn!(pool = %pool.name, tried = ctx.tried.len(), "no live upstream");
        return Error::e_explain(ErrorType::HTTPStatus(502), format!("no live upstream in {}", pool.name));
    };
    let addr = backend.addr;
    ctx.tried.push(addr);
    ctx.upstream = Some(addr);
    let up = &shared.config.upstream;
    let mut peer = HttpPeer::new(addr, false, String::new());
    peer.options.connection_timeout = Some(up.connect_timeout);
    peer.options.read_timeout = Some(up.read_timeout);
    peer.options.write_timeout = Some(up.write_timeout);
    peer.options.idle_timeout = Some(up.idle_timeout);
    Ok(Box::new(peer))
}

pub fn request_headers(session: &mut Session, req: &mut RequestHeader, ctx: &Ctx) -> Result<()> {
    let peer = session
        .client_addr()
        .and_then(|a| a.as_inet())
        .map(|a| protocol::ip::canonical(a.ip()));
    // Formatting an address is most of this phase's cost, and the client usually is the peer.
    let peer_s = peer.map(|p| p.to_string());
    let real_ip = match (ctx.client_ip, &peer_s) {
        (Some(ip), Some(s)) if Some(ip) == peer => Some(s.clone()),
        (ip, _) => ip.map(|ip| ip.to_string()),
    };
    if let Some(peer) = peer_s {
        // nginx's $proxy_add_x_forwarded_for: what came in, plus the address we saw.
        let xff = match req.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(prev) if !prev.trim().is_empty() => format!("{prev}, {peer}"),
            _ => peer,
        };
        req.insert_header("x-forwarded-for", xff)?;
    }
    if let Some(ip) = real_ip {
        req.insert_header("x-real-ip", ip)?;
    }
    req.insert_header("x-request-id", ctx.request_id.as_str())?;
    let tls = session.digest().is_some_and(|d| d.ssl_digest.is_some());
    req.insert_header("x-scheme", if tls { "https" } else { "http" })?;
    Ok(())
}

pub fn fail_to_connect(
    shared: &Shared,
    session: &mut Session,
    peer: &HttpPeer,
    ctx: &mut Ctx,
    mut e: Box<Error>,
) -> Box<Error> {
    let addr = peer.address().as_inet().copied();
    if let (Some(pool), Some(addr)) = (pool(ctx), addr) {
        shared
            .metrics
            .upstream_failures
            .with_label_values(&[&pool.name, &addr.to_string(), "connect"])
            .inc();
        if pool.record_failure(addr) {
            tracing::warn!(pool = %pool.name, backend = %addr, "backend taken out after max_fails failures");
        }
        // Nothing reached the backend, but only idempotent requests are retried (nginx's non_idempotent default).
        let retry = session.req_header().method.is_idempotent() && ctx.tried.len() < pool.len();
        e.set_retry(retry);
    }
    e
}

pub fn error_while_proxy(
    shared: &Shared,
    peer: &HttpPeer,
    session: &mut Session,
    e: Box<Error>,
    ctx: &mut Ctx,
    client_reused: bool,
) -> Box<Error> {
    let mut e = e.more_context(format!("peer: {peer}"));
    let upstream_fault = matches!(e.esource(), pingora_error::ErrorSource::Upstream);
    if let (Some(pool), Some(addr), true) = (pool(ctx), peer.address().as_inet().copied(), upstream_fault) {
        // A failure on a reused keepalive connection says little about the backend (it may just have closed it).
        if !client_reused {
            shared
                .metrics
                .upstream_failures
                .with_label_values(&[&pool.name, &addr.to_string(), "proxy"])
                .inc();
            pool.record_failure(addr);
        }
    }
    if !session.req_header().method.is_idempotent() || session.as_ref().retry_buffer_truncated() || ctx.ended_on_purpose
    {
        e.set_retry(false);
    } else {
        e.retry.decide_reuse(client_reused);
    }
    e
}
