//! Request phase: site by Host → client IP → limits → early body read → WAF verdict → bad-guy table → pool.
//! Whatever is decided here decides which pool answers; a request the gateway answers itself ends here.

use std::net::IpAddr;

use bytes::{Bytes, BytesMut};
use pingora_error::Result;
use pingora_proxy::Session;

use super::ctx::{Action, Ctx};
use super::respond;
use crate::badguys::{unix_now, Source};
use crate::pool::PoolKind;
use crate::router::normalize_host;
use crate::site::{Site, WafMode};
use crate::state::Shared;

/// pingora replays an early-read body from a retry buffer of this size; reading past it would lose the bytes.
const RETRY_BUFFER: u64 = 64 * 1024;

pub async fn filter(shared: &Shared, session: &mut Session, ctx: &mut Ctx) -> Result<bool> {
    let req = session.req_header();
    let raw_host = req
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    ctx.host = normalize_host(raw_host);
    let local = session.server_addr().and_then(|a| a.as_inet()).copied();
    let Some(site) = ctx.snapshot.router.lookup(local, &ctx.host).cloned() else {
        ctx.action = Action::Reject;
        respond::page(session, ctx, None, 421).await?;
        return Ok(true);
    };
    ctx.site = Some(site.clone());

    let peer = session
        .client_addr()
        .and_then(|a| a.as_inet())
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let client = if site.trusted_proxies.is_empty() {
        protocol::ip::canonical(peer)
    } else {
        let h = &session.req_header().headers;
        crate::client_ip::resolve(
            peer,
            &site.trusted_proxies,
            h.get("x-forwarded-for").map(|v| v.as_bytes()),
            h.get("x-real-ip").map(|v| v.as_bytes()),
        )
    };
    ctx.client_ip = Some(client);

    let declared = content_length(session);
    if declared.is_some_and(|n| n > site.max_body_size) {
        ctx.action = Action::Reject;
        session.set_keepalive(None);
        respond::page(session, ctx, Some(&site), 413).await?;
        return Ok(true);
    }

    if site.mode == WafMode::Off {
        return Ok(false);
    }

    // A body that cannot be read (broken chunking, Content-Length with Transfer-Encoding) is the client's fault.
    let body = read_body_prefix(session, declared).await.map_err(|e| {
        pingora_error::Error::because(pingora_error::ErrorType::HTTPStatus(400), "reading request body", e)
    })?;
    if session.as_ref().retry_buffer_truncated() {
        // More body came in with the headers than pingora can replay (only possible behind more than 64 KiB of
        // headers): the backend would get the body without it, and the late pass would count from the wrong byte.
        ctx.action = Action::Reject;
        session.set_keepalive(None);
        respond::page(session, ctx, Some(&site), 431).await?;
        return Ok(true);
    }
    let complete = session.is_body_done();
    let now = unix_now();
    let verdict = {
        let headers = collect_headers(session);
        let req = session.req_header();
        let uri = req.uri.path_and_query().map_or("/", |p| p.as_str());
        let view = waf::RequestView {
            method: req.method.as_str(),
            uri,
            headers: &headers,
            client_ip: client,
            body: &body,
            body_complete: complete,
            body_only: false,
            body_offset: 0,
        };
        ctx.snapshot.engine.evaluate(&view, &site.policy, &shared.rate)
    };
    if !complete {
        // The rest of the body is inspected as it streams through (see `body.rs`), from the part or field the
        // early read cut through; sized up front so the copy is not moved again at every doubling.
        if let Some(resume) = &verdict.body_resume {
            let expected = declared.unwrap_or(0).min(site.policy.inspect_body_limit as u64) as usize;
            ctx.start_late_pass(resume, expected.saturating_sub(resume.offset));
        }
    }
    ctx.score = verdict.score;
    ctx.rule_ids = verdict.matches.iter().map(|m| m.id).collect();

    if verdict.allowlisted {
        ctx.action = Action::Allow;
        ctx.late_body = None;
        return Ok(false);
    }
    if verdict.attack {
        for m in &verdict.matches {
            tracing::debug!(request_id = %ctx.request_id, rule = m.id, target = %m.target, value = %m.value, "waf match");
        }
        return act_on_attack(shared, session, ctx, &site, client, verdict.primary_rule(), now).await;
    }
    if shared.badguys.hit(client, now) {
        return act_on_badguy(session, ctx, &site).await;
    }
    Ok(false)
}

/// What an attack verdict leads to under the site's mode.
async fn act_on_attack(
    shared: &Shared,
    session: &mut Session,
    ctx: &mut Ctx,
    site: &Site,
    client: IpAddr,
    rule: Option<u32>,
    now: u64,
) -> Result<bool> {
    let rule_s = rule.map_or_else(|| "-".to_string(), |r| r.to_string());
    match site.mode {
        WafMode::Off => Ok(false),
        WafMode::Detect => {
            ctx.action = Action::Detect;
            Ok(false)
        }
        WafMode::Block => {
            ctx.action = Action::Block;
            ctx.late_body = None;
            respond::block(session, ctx, site, &rule_s).await?;
            Ok(true)
        }
        WafMode::Redirect => {
            ctx.action = Action::Redirect;
            ctx.late_body = None;
            respond::redirect(session, ctx, site).await?;
            Ok(true)
        }
        WafMode::Deceive => {
            mark(shared, site, client, &rule_s, now);
            ctx.action = Action::Deceive;
            ctx.pool = PoolKind::Unreal;
            ctx.late_body = None;
            Ok(false)
        }
    }
}

/// What a client already in the bad-guy table gets under the site's mode.
async fn act_on_badguy(session: &mut Session, ctx: &mut Ctx, site: &Site) -> Result<bool> {
    ctx.late_body = None;
    match site.mode {
        WafMode::Off | WafMode::Detect => Ok(false),
        WafMode::Block => {
            ctx.action = Action::Block;
            respond::block(session, ctx, site, "badguy").await?;
            Ok(true)
        }
        WafMode::Redirect => {
            ctx.action = Action::Redirect;
            respond::redirect(session, ctx, site).await?;
            Ok(true)
        }
        WafMode::Deceive => {
            ctx.action = Action::BadGuy;
            ctx.pool = PoolKind::Unreal;
            Ok(false)
        }
    }
}

/// Marks `client` for the site's TTL and queues the decision for the manager.
pub fn mark(shared: &Shared, site: &Site, client: IpAddr, rule: &str, now: u64) {
    let until = now + site.bad_guy_ttl.as_secs();
    shared.badguys.mark(client, until, rule, Source::Waf, now);
    shared.outbox.push_decision(protocol::Decision {
        value: client.to_string(),
        scope: protocol::Scope::Ip,
        origin: protocol::Origin::Waf,
        reason: rule.to_string(),
        service: "http".into(),
        until: time::OffsetDateTime::from_unix_timestamp(until as i64).unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        hits: 1,
    });
}

fn content_length(session: &Session) -> Option<u64> {
    session
        .req_header()
        .headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Reads as much of the body as pingora can replay to the backend: all of it when `declared` (Content-Length) fits the
/// retry buffer, otherwise the first read only. The rest streams later. A body that came in one read is not copied:
/// pingora's retry buffer holds the same bytes. (A first read can exceed the buffer when the body came in with more
/// than 64 KiB of headers; the caller refuses that request.)
async fn read_body_prefix(session: &mut Session, declared: Option<u64>) -> Result<Bytes> {
    if session.is_body_empty() {
        return Ok(Bytes::new());
    }
    session.enable_retry_buffering();
    let fits = declared.is_some_and(|n| n <= RETRY_BUFFER);
    let mut first: Option<Bytes> = None;
    let mut more = BytesMut::new();
    loop {
        match session.read_request_body().await? {
            Some(chunk) if first.is_none() => first = Some(chunk),
            Some(chunk) => {
                if more.is_empty() {
                    more.extend_from_slice(first.as_deref().unwrap_or_default());
                }
                more.extend_from_slice(&chunk);
            }
            None => break,
        }
        if !fits || session.is_body_done() {
            break;
        }
    }
    Ok(if more.is_empty() {
        first.unwrap_or_default()
    } else {
        more.freeze()
    })
}

/// Header pairs borrowed from the request, names lower-case as `http` stores them.
pub(super) fn collect_headers(session: &Session) -> Vec<(&str, &[u8])> {
    session
        .req_header()
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_bytes()))
        .collect()
}
