//! Responses the gateway writes itself: block page, redirect, error pages (site file or built-in), and the
//! answer after a proxy failure. They carry only what nginx would send, so they reveal nothing about the pools.

use bytes::Bytes;
use pingora_error::{Error, ErrorSource, ErrorType, Result};
use pingora_http::ResponseHeader;
use pingora_proxy::{FailToProxy, Session};

use super::ctx::{Action, Ctx};
use crate::site::Site;

async fn send(session: &mut Session, ctx: &mut Ctx, status: u16, body: Bytes, location: Option<&str>) -> Result<()> {
    let mut h = ResponseHeader::build(status, Some(4))?;
    h.insert_header("content-type", "text/html; charset=utf-8")?;
    h.insert_header("content-length", body.len().to_string())?;
    if let Some(l) = location {
        h.insert_header("location", l)?;
    }
    if !session.is_body_done() {
        // An unread body would be parsed as the next request: close instead of reusing the connection.
        session.set_keepalive(None);
    }
    ctx.own_status = Some(status);
    session.write_response_header(Box::new(h), false).await?;
    session.write_response_body(Some(body), true).await?;
    Ok(())
}

/// An error page of the site (or the built-in one when no site resolved).
pub async fn page(session: &mut Session, ctx: &mut Ctx, site: Option<&Site>, status: u16) -> Result<()> {
    let body = site.map_or_else(|| crate::pages::builtin(status), |s| s.pages.error(status));
    if status == 400 {
        session.set_keepalive(None);
    }
    send(session, ctx, status, body, None).await
}

pub async fn block(session: &mut Session, ctx: &mut Ctx, site: &Site, rule: &str) -> Result<()> {
    let ip = ctx.client_ip.map(|i| i.to_string()).unwrap_or_default();
    let body = site.pages.block(&ip, rule, &ctx.request_id);
    send(session, ctx, 403, body, None).await
}

pub async fn redirect(session: &mut Session, ctx: &mut Ctx, site: &Site) -> Result<()> {
    let url = site.redirect_url.clone().unwrap_or_else(|| "/".into());
    let body = crate::pages::builtin(302);
    send(session, ctx, 302, body, Some(&url)).await
}

/// Status for a proxy error: timeouts are 504, our own verdicts keep their status, the rest 502.
fn status_for(e: &Error) -> u16 {
    match e.etype() {
        ErrorType::HTTPStatus(code) => *code,
        ErrorType::ConnectTimedout | ErrorType::ReadTimedout | ErrorType::WriteTimedout => 504,
        _ => match e.esource() {
            ErrorSource::Upstream => 502,
            ErrorSource::Downstream => match e.etype() {
                ErrorType::WriteError | ErrorType::ReadError | ErrorType::ConnectionClosed => 0,
                _ => 400,
            },
            ErrorSource::Internal | ErrorSource::Unset => 500,
        },
    }
}

pub async fn fail_to_proxy(session: &mut Session, e: &Error, ctx: &mut Ctx) -> FailToProxy {
    let code = status_for(e);
    if code > 0 && session.response_written().is_none() {
        // The connection is not reused after a proxy failure: say so, or the client's next request on it fails.
        session.set_keepalive(None);
        let site = ctx.site.clone();
        let res = match (code, site.as_deref()) {
            (403, Some(site)) if ctx.action == Action::Block => {
                let rule = ctx.rule_ids.last().map_or_else(|| "-".into(), |r| r.to_string());
                block(session, ctx, site, &rule).await
            }
            (c, s) => page(session, ctx, s, c).await,
        };
        if let Err(err) = res {
            tracing::debug!("could not send error page: {err}");
        }
    }
    FailToProxy {
        error_code: code,
        can_reuse_downstream: false,
    }
}
