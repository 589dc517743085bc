//! `gateway demo`: a self-contained demo on loopback — two small built-in web servers (the real shop and its
//! clone, visibly different) behind the gateway in `deceive` mode, with the repository's default rules.
//! [`Backend`] is also what the integration tests use as a real HTTP origin.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

/// A small origin server: `/echo` answers what it received as JSON (headers, body length and SHA-256),
/// `/healthz` answers 200 (503 while `healthy` is false), every other path the page given at start. Counts
/// requests. Dropping it closes the listener and every open connection, like a process that died.
pub struct Backend {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicU64>,
    pub healthy: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}

#[derive(Clone)]
struct Origin {
    name: Arc<str>,
    page: Arc<str>,
    hits: Arc<AtomicU64>,
    healthy: Arc<AtomicBool>,
}

async fn handle(o: Origin, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    o.hits.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let resp = if parts.uri.path() == "/echo" {
        let headers: serde_json::Map<String, serde_json::Value> = parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    serde_json::Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
                )
            })
            .collect();
        let v = serde_json::json!({
            "backend": &*o.name,
            "method": parts.method.as_str(),
            "uri": parts.uri.to_string(),
            "headers": headers,
            "body_len": body.len(),
            "body_sha256": hex::encode(Sha256::digest(&body)),
        });
        Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(v.to_string())))
    } else if parts.uri.path() == "/healthz" {
        let status = if o.healthy.load(Ordering::Relaxed) { 200 } else { 503 };
        Response::builder()
            .status(status)
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from_static(b"ok\n")))
    } else {
        Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(Full::new(Bytes::from(o.page.to_string())))
    };
    Ok(resp.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

impl Backend {
    /// Starts serving on `addr` (port 0 picks a free port) in the current tokio runtime.
    pub async fn start(addr: SocketAddr, name: &str, page: &str) -> std::io::Result<Backend> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let origin = Origin {
            name: Arc::from(name),
            page: Arc::from(page),
            hits: Arc::new(AtomicU64::new(0)),
            healthy: Arc::new(AtomicBool::new(true)),
        };
        let (hits, healthy) = (origin.hits.clone(), origin.healthy.clone());
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (o, mut stop_rx) = (origin.clone(), stop_rx.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(o.clone(), req));
                    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop_rx.changed() => {}
                    }
                });
            }
        });
        Ok(Backend {
            addr,
            hits,
            healthy,
            task,
            stop,
        })
    }
}

const REAL_PAGE: &str = "<!DOCTYPE html><html><head><title>ACME Shop</title></head><body style=\"background:#eef6ee\">\
<h1>ACME Shop</h1><p>Welcome to the <b>real</b> shop. Orders: 1,024. Customers: 377.</p></body></html>\n";
const CLONE_PAGE: &str =
    "<!DOCTYPE html><html><head><title>ACME Shop</title></head><body style=\"background:#f6eeee\">\
<h1>ACME Shop</h1><p>Welcome to the shop. [clone: this is the unreal_ site an attacker is kept in]</p></body></html>\n";

/// Writes the demo's config into `dir` and returns the path of its `gateway.toml`.
pub fn write_config(
    dir: &Path,
    listen: SocketAddr,
    admin: SocketAddr,
    real: SocketAddr,
    clone: SocketAddr,
    rules: &Path,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir.join("sites"))?;
    let rules = std::fs::canonicalize(rules)?;
    let cfg = format!(
        "listen = [\"{listen}\"]\nadmin_listen = \"{admin}\"\nsites_dir = \"sites\"\nrules_dir = {rules:?}\n\
         access_log = \"access.log\"\nstate_file = \"badguys.json\"\nthreads = 1\n\
         upgrade_sock = \"upgrade.sock\"\npid_file = \"gateway.pid\"\n",
        rules = rules.display().to_string()
    );
    std::fs::write(dir.join("gateway.toml"), cfg)?;
    let site = format!(
        "name = \"shop\"\ndefault = true\nhosts = [\"localhost\", \"127.0.0.1\"]\nbackends = [\"{real}\"]\n\
         unreal_backends = [\"{clone}\"]\n\n[health]\nmax_fails = 3\nfail_timeout = \"20s\"\n\n\
         [waf]\nmode = \"deceive\"\nbad_guy_ttl = \"10m\"\n"
    );
    std::fs::write(dir.join("sites").join("shop.toml"), site)?;
    Ok(dir.join("gateway.toml"))
}

/// Starts both demo backends on their own thread and runs the gateway in front of them (never returns on success).
pub fn run(dir: &Path, listen: SocketAddr, admin: SocketAddr, rules: &Path) -> anyhow::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("demo-backends".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let lo = SocketAddr::from(([127, 0, 0, 1], 0));
                let started = async {
                    Ok::<_, std::io::Error>((
                        Backend::start(lo, "real", REAL_PAGE).await?,
                        Backend::start(lo, "clone", CLONE_PAGE).await?,
                    ))
                }
                .await;
                match started {
                    Ok((real, clone)) => {
                        let _ = tx.send(Ok((real.addr, clone.addr)));
                        std::future::pending::<()>().await;
                        drop((real, clone));
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })?;
    let (real, clone) = rx.recv()??;
    let config = write_config(dir, listen, admin, real, clone, rules)?;
    println!("demo: real site on http://{real}/ , clone on http://{clone}/");
    println!(
        "demo: gateway on http://{listen}/ (admin http://{admin}/metrics), config in {}",
        dir.display()
    );
    println!("demo: try  curl http://{listen}/  then  curl 'http://{listen}/?id=1%20union%20select%201,2'  then  curl http://{listen}/ again");
    crate::app::run(&config, false)
}
