//! The origin every contestant proxies to (and the `direct` baseline): a hyper server on one thread that reads
//! each request body fully and answers a small fixed page.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const PAGE: &[u8] =
    b"<!DOCTYPE html><html><head><title>bench</title></head><body><h1>origin</h1><p>ok</p></body></html>\n";

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let _ = req.into_body().collect().await;
    Ok(Response::builder()
        .header("content-type", "text/html")
        .body(Full::new(Bytes::from_static(PAGE)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// Serves forever on `addr` with a single-threaded runtime.
pub fn serve(addr: SocketAddr) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(handle);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    })
}
