//! Built-in load generator: keep-alive HTTP/1.1 connections from chosen loopback source addresses, closed loop
//! (as fast as answers come: throughput) or open loop (a fixed schedule: a request held back by a slow answer is
//! timed from when it was due, so a stalled server cannot hide its stall — no coordinated omission). Latencies go
//! to an HDR histogram.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

use crate::mixes::Mix;

#[derive(Debug, Clone)]
pub struct LoadResult {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Microseconds.
    pub hist: Histogram<u64>,
}

impl LoadResult {
    fn new() -> LoadResult {
        LoadResult {
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            hist: new_hist(),
        }
    }

    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn merge(&mut self, o: &LoadResult) {
        self.ok += o.ok;
        self.errors += o.errors;
        let _ = self.hist.add(&o.hist);
    }
}

fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()))
}

/// One load pattern.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// As fast as possible for the duration.
    Closed,
    /// `rate` requests per second in total, spread over the connections.
    Open { rate: f64 },
}

/// Who sends what: most connections send the mix; `attack_every`-th connections (from their own source addresses)
/// send `attack` instead.
#[derive(Clone)]
pub struct Plan {
    pub target: SocketAddr,
    pub host: String,
    pub mix: Mix,
    pub attack: Option<(usize, Mix)>,
    pub conns: usize,
    pub duration: Duration,
    pub pattern: Pattern,
}

async fn connect(target: SocketAddr, src: IpAddr) -> std::io::Result<SendRequest<Full<Bytes>>> {
    let sock = tokio::net::TcpSocket::new_v4()?;
    sock.bind(SocketAddr::new(src, 0))?;
    let stream = sock.connect(target).await?;
    stream.set_nodelay(true)?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(send)
}

fn request(mix: &Mix, host: &str) -> hyper::Request<Full<Bytes>> {
    let mut b = hyper::Request::builder()
        .method(mix.method)
        .uri(mix.path.as_str())
        .header("host", host)
        .header("user-agent", "jhsy-bench/1.0");
    if let Some(ct) = &mix.content_type {
        b = b.header("content-type", ct.as_str());
    }
    if !mix.body.is_empty() {
        b = b.header("content-length", mix.body.len());
    }
    b.body(Full::new(mix.body.clone()))
        .unwrap_or_else(|_| hyper::Request::new(Full::new(Bytes::new())))
}

async fn one_connection(plan: Arc<Plan>, idx: usize, deadline: Instant, start: Instant) -> LoadResult {
    let mut res = LoadResult::new();
    let (mix, src) = match &plan.attack {
        Some((every, attack)) if idx.is_multiple_of(*every) => {
            (attack.clone(), IpAddr::from([127, 0, 1, (idx % 250) as u8 + 2]))
        }
        _ => (plan.mix.clone(), IpAddr::from([127, 0, 0, 1])),
    };
    let accept = |status: u16| (200..400).contains(&status) || (mix.attack && status == 403);
    let interval = match plan.pattern {
        Pattern::Open { rate } => Some(Duration::from_secs_f64(plan.conns as f64 / rate.max(1.0))),
        Pattern::Closed => None,
    };
    // Spread the connections' schedules over one interval so they do not fire in lockstep.
    let mut due = start + interval.map_or(Duration::ZERO, |i| i.mul_f64(idx as f64 / plan.conns as f64));
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    while Instant::now() < deadline {
        // Open loop: a request that waited for the previous answer counts from when it was due (the server's
        // stall is charged to the server). One that waited on the timer counts from when it went out: tokio's
        // timer wakes up to a millisecond late, and that lateness is the load generator's, not the server's.
        let mut sent_at = Instant::now();
        if interval.is_some() {
            if due >= deadline {
                break;
            }
            if due > sent_at {
                tokio::time::sleep_until(due.into()).await;
                sent_at = Instant::now();
            } else {
                sent_at = due;
            }
        }
        if sender.as_ref().is_none_or(|s| s.is_closed()) {
            sender = match connect(plan.target, src).await {
                Ok(s) => Some(s),
                Err(_) => {
                    res.errors += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    if let Some(iv) = interval {
                        due += iv;
                    }
                    continue;
                }
            };
        }
        let Some(s) = sender.as_mut() else { continue };
        let outcome = async {
            s.ready().await.ok()?;
            let resp = s.send_request(request(&mix, &plan.host)).await.ok()?;
            let status = resp.status().as_u16();
            resp.into_body().collect().await.ok()?;
            Some(status)
        }
        .await;
        match outcome {
            Some(status) if accept(status) => {
                res.ok += 1;
                let us = sent_at.elapsed().as_micros() as u64;
                let _ = res.hist.record(us.max(1));
            }
            Some(_) => res.errors += 1,
            None => {
                res.errors += 1;
                sender = None;
            }
        }
        if let Some(iv) = interval {
            due += iv;
        }
    }
    res
}

/// Runs one plan to completion on the current runtime.
pub async fn run(plan: Plan) -> LoadResult {
    let plan = Arc::new(plan);
    let start = Instant::now();
    let deadline = start + plan.duration;
    let tasks: Vec<_> = (0..plan.conns)
        .map(|i| tokio::spawn(one_connection(plan.clone(), i, deadline, start)))
        .collect();
    let mut total = LoadResult::new();
    for t in tasks {
        if let Ok(r) = t.await {
            total.merge(&r);
        }
    }
    total.elapsed = start.elapsed();
    total
}
