//! The gateway's [`ProxyHttp`] implementation. Each phase lives in its own file under `proxy/`, in the order a
//! request meets them: `request` (site → client IP → verdict → pool), `body` (late body inspection),
//! `upstream` (backend choice, retries, headers), `respond` (pages the gateway answers itself), `log`.

mod body;
mod ctx;
mod log;
mod request;
mod respond;
mod upstream;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use pingora_core::upstreams::peer::HttpPeer;
use pingora_error::{Error, Result};
use pingora_http::RequestHeader;
use pingora_proxy::{FailToProxy, ProxyHttp, Session};

pub use ctx::{Action, Ctx};

use crate::state::Shared;

/// The proxy service.
pub struct Gateway {
    pub shared: Arc<Shared>,
}

#[async_trait]
impl ProxyHttp for Gateway {
    type CTX = Ctx;

    fn new_ctx(&self) -> Ctx {
        Ctx::new(self.shared.snapshot.load_full())
    }

    /// Resolves site and client, inspects the request and chooses the pool, or answers it here.
    async fn request_filter(&self, session: &mut Session, ctx: &mut Ctx) -> Result<bool> {
        request::filter(&self.shared, session, ctx).await
    }

    /// Enforces `max_body_size` on streamed bodies and inspects what arrives after the pool was chosen.
    async fn request_body_filter(
        &self,
        session: &mut Session,
        body: &mut Option<Bytes>,
        end_of_stream: bool,
        ctx: &mut Ctx,
    ) -> Result<()> {
        body::filter(&self.shared, session, body.as_ref(), end_of_stream, ctx)
    }

    async fn upstream_peer(&self, session: &mut Session, ctx: &mut Ctx) -> Result<Box<HttpPeer>> {
        upstream::peer(&self.shared, session, ctx)
    }

    async fn upstream_request_filter(
        &self,
        session: &mut Session,
        req: &mut RequestHeader,
        ctx: &mut Ctx,
    ) -> Result<()> {
        upstream::request_headers(session, req, ctx)
    }

    fn fail_to_connect(&self, session: &mut Session, peer: &HttpPeer, ctx: &mut Ctx, e: Box<Error>) -> Box<Error> {
        upstream::fail_to_connect(&self.shared, session, peer, ctx, e)
    }

    fn error_while_proxy(
        &self,
        peer: &HttpPeer,
        session: &mut Session,
        e: Box<Error>,
        ctx: &mut Ctx,
        client_reused: bool,
    ) -> Box<Error> {
        upstream::error_while_proxy(&self.shared, peer, session, e, ctx, client_reused)
    }

    async fn fail_to_proxy(&self, session: &mut Session, e: &Error, ctx: &mut Ctx) -> FailToProxy {
        respond::fail_to_proxy(session, e, ctx).await
    }

    async fn logging(&self, session: &mut Session, e: Option<&Error>, ctx: &mut Ctx) {
        log::request_done(&self.shared, session, e, ctx);
    }

    fn suppress_error_log(&self, _session: &Session, ctx: &Ctx, _error: &Error) -> bool {
        // Requests the gateway ended on purpose (late WAF block, body too large) are logged by `logging`.
        ctx.ended_on_purpose
    }
}
