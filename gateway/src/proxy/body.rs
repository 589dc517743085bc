//! Body phase: counts streamed body bytes against `max_body_size` and inspects the part of a large body that
//! arrived after the pool was chosen. A late attack can no longer change the pool, so it ends the request (in
//! `deceive` mode it also marks the client: the next request goes to the clone).

use bytes::Bytes;
use pingora_error::{Error, ErrorType, Result};
use pingora_proxy::Session;

use super::ctx::{Action, Ctx};
use crate::badguys::unix_now;
use crate::site::WafMode;
use crate::state::Shared;

/// Keeps `bytes` (body offset `at` on) for the late pass, up to the inspection `limit`. While the late pass is
/// past a cut inside a file's content, bytes are dropped until the next delimiter line, where it then starts.
fn keep_late(ctx: &mut Ctx, bytes: &[u8], at: usize, limit: usize) {
    let (head, rest) = match ctx.late_skip.as_mut() {
        None => (Vec::new(), bytes),
        Some(skip) => {
            let Some((head, k)) = skip.feed(bytes) else { return };
            ctx.late_skip = None;
            ctx.late_from = at + k - head.len();
            (head, &bytes[k..])
        }
    };
    let Some(buf) = ctx.late_body.as_mut() else { return };
    let start = at + (bytes.len() - rest.len()) - head.len();
    for (part, part_at) in [(&head[..], start), (rest, start + head.len())] {
        let room = limit.saturating_sub(part_at).min(part.len());
        buf.extend_from_slice(&part[..room]);
    }
}

pub fn filter(
    shared: &Shared,
    session: &Session,
    chunk: Option<&Bytes>,
    end_of_stream: bool,
    ctx: &mut Ctx,
) -> Result<()> {
    let Some(site) = ctx.site.clone() else { return Ok(()) };
    if let Some(c) = chunk {
        ctx.body_seen += c.len() as u64;
        if ctx.body_seen > site.max_body_size {
            ctx.ended_on_purpose = true;
            ctx.action = Action::Reject;
            return Error::e_explain(ErrorType::HTTPStatus(413), "request body larger than max_body_size");
        }
        if ctx.late_body.is_some() {
            // This chunk is body[at..at + len]; the late pass wants what lies from late_from on.
            let at = (ctx.body_seen - c.len() as u64) as usize;
            let from = ctx.late_from.max(at) - at;
            if from < c.len() {
                keep_late(ctx, &c[from..], at + from, site.policy.inspect_body_limit);
            }
        }
    }
    if !end_of_stream {
        return Ok(());
    }
    let Some(body) = ctx.late_body.take() else {
        return Ok(());
    };
    if body.is_empty() || ctx.late_resume.as_ref().is_some_and(|r| r.ends_at_close(&body)) {
        return Ok(());
    }
    let Some(client) = ctx.client_ip else { return Ok(()) };
    let verdict = {
        // The headers (Content-Type above all) tell the engine how to parse the body; only body targets are matched.
        let req = session.req_header();
        let headers = super::request::collect_headers(session);
        let view = waf::RequestView {
            method: req.method.as_str(),
            uri: req.uri.path_and_query().map_or("/", |p| p.as_str()),
            headers: &headers,
            client_ip: client,
            body: &body,
            body_complete: ctx.late_from + body.len() < site.policy.inspect_body_limit,
            body_only: true,
            body_offset: ctx.late_from,
        };
        ctx.snapshot.engine.evaluate(&view, &site.policy, &shared.rate)
    };
    if !verdict.attack || verdict.allowlisted {
        return Ok(());
    }
    ctx.score = ctx.score.max(verdict.score);
    ctx.rule_ids.extend(verdict.matches.iter().map(|m| m.id));
    let rule = verdict
        .primary_rule()
        .map_or_else(|| "-".to_string(), |r| r.to_string());
    match site.mode {
        WafMode::Off => Ok(()),
        WafMode::Detect => {
            ctx.action = Action::Detect;
            Ok(())
        }
        WafMode::Block | WafMode::Redirect => {
            ctx.action = Action::Block;
            ctx.ended_on_purpose = true;
            Error::e_explain(ErrorType::HTTPStatus(403), format!("late WAF match {rule}"))
        }
        WafMode::Deceive => {
            super::request::mark(shared, &site, client, &rule, unix_now());
            ctx.action = Action::Deceive;
            ctx.ended_on_purpose = true;
            Error::e_explain(ErrorType::HTTPStatus(502), format!("late WAF match {rule}"))
        }
    }
}
