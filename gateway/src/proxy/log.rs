//! Logging phase: one JSON access-log line per request (process log and the site's own), metrics, and the attack
//! event for the manager.

use pingora_error::Error;
use pingora_proxy::Session;

use super::ctx::{Action, Ctx};
use crate::access_log::{to_line, Record};
use crate::metrics::PoolLabel;
use crate::pool::PoolKind;
use crate::state::Shared;

pub fn request_done(shared: &Shared, session: &mut Session, e: Option<&Error>, ctx: &mut Ctx) {
    let status = session
        .response_written()
        .map(|r| r.status.as_u16())
        .or(ctx.own_status)
        .unwrap_or(0);
    let elapsed = ctx.start.elapsed();
    let site_name = ctx.site.as_ref().map_or("-", |s| s.name.as_str());
    let pool = match (ctx.own_status, ctx.pool) {
        (Some(_), _) => PoolLabel::Gateway,
        (None, PoolKind::Real) => PoolLabel::Real,
        (None, PoolKind::Unreal) => PoolLabel::Unreal,
    };
    let m = &shared.metrics;
    let site_metrics = ctx.site.as_ref().map_or(&m.unrouted, |s| &s.metrics);
    site_metrics.observe(m, site_name, pool, status, elapsed.as_secs_f64());
    let pool = pool.as_str();
    let attack = matches!(
        ctx.action,
        Action::Detect | Action::Block | Action::Redirect | Action::Deceive
    );
    if attack {
        for id in &ctx.rule_ids {
            m.waf_hits
                .with_label_values(&[site_name, &id.to_string(), ctx.action.as_str()])
                .inc();
        }
    }
    if let Some(err) = e {
        if !ctx.ended_on_purpose {
            tracing::debug!(request_id = %ctx.request_id, "request failed: {err}");
        }
    }

    let site_log = ctx.site.as_ref().and_then(|s| s.access_log.clone());
    if shared.access_log.is_none() && site_log.is_none() && !attack {
        return;
    }
    let req = session.req_header();
    let uri = req.uri.path_and_query().map_or("/", |p| p.as_str());
    let ua = req
        .headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let client = ctx.client_ip.map(|i| i.to_string()).unwrap_or_default();
    if attack {
        shared.outbox.push_event(protocol::event::Event {
            time: time::OffsetDateTime::now_utc(),
            src_ip: client.clone(),
            service: "http".into(),
            kind: format!("waf_{}", ctx.action.as_str()),
            rule: ctx.rule_ids.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(","),
            site: site_name.to_string(),
            host: ctx.host.clone(),
            evidence: format!("{} {}", req.method, &uri[..uri.floor_char_boundary(512)]),
            honeypot: false,
        });
    }
    if shared.access_log.is_none() && site_log.is_none() {
        return;
    }
    let rec = Record {
        time: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        request_id: &ctx.request_id,
        site: site_name,
        client_ip: client,
        method: req.method.as_str(),
        uri,
        host: &ctx.host,
        status,
        bytes: session.body_bytes_sent(),
        duration_ms: elapsed.as_secs_f64() * 1000.0,
        pool,
        upstream: ctx.upstream.map(|a| a.to_string()).unwrap_or_default(),
        rule_ids: &ctx.rule_ids,
        score: ctx.score,
        action: ctx.action.as_str(),
        user_agent: ua,
    };
    let line = to_line(&rec);
    if let Some(l) = &shared.access_log {
        l.write(line.clone());
    }
    if let Some(l) = site_log {
        l.write(line);
    }
}
