//! Delivery to the manager: a batcher turns the output queue into spool files (decisions as a JSON array for
//! `POST /api/v1/decisions`, events as an `EventBatch` for `POST /api/v1/events`), and a sender posts the spool
//! oldest first, removing a file only once the manager accepted it, with exponential backoff while it is away.

use std::sync::Arc;
use std::time::Duration;

use protocol::event::EventBatch;
use protocol::Decision;
use rand::Rng;
use tokio::sync::{mpsc, Notify};

use crate::client::{ManagerClient, SendError};
use crate::metrics::Metrics;
use crate::pipeline::Outbound;
use crate::spool::{Endpoint, Spool};

pub struct BatchConfig {
    pub batch_max: usize,
    pub flush: Duration,
    pub send_events: bool,
}

pub async fn batcher(
    mut rx: mpsc::Receiver<Outbound>,
    spool: Arc<Spool>,
    cfg: BatchConfig,
    notify: Arc<Notify>,
    metrics: Metrics,
) {
    let mut decisions: Vec<Decision> = Vec::new();
    let mut events = EventBatch::default();
    let mut tick = tokio::time::interval(cfg.flush);
    loop {
        let closed = tokio::select! {
            item = rx.recv() => match item {
                Some(Outbound::Verdict(v)) => { decisions.push(v.decision); false }
                Some(Outbound::Event(e)) => {
                    // The manager keys everything by address: events naming only a host (sshd with UseDNS,
                    // MySQL 'localhost') stay local, or they would get the whole batch refused.
                    if (cfg.send_events || e.kind == "alarm") && protocol::ip::parse(&e.src_ip).is_some() {
                        events.events.push(e);
                    }
                    false
                }
                None => true,
            },
            _ = tick.tick() => {
                flush(&spool, &mut decisions, &mut events, &notify, &metrics);
                false
            }
        };
        if decisions.len() >= cfg.batch_max || events.events.len() >= cfg.batch_max || closed {
            flush(&spool, &mut decisions, &mut events, &notify, &metrics);
        }
        if closed {
            return;
        }
    }
}

fn flush(spool: &Spool, decisions: &mut Vec<Decision>, events: &mut EventBatch, notify: &Notify, m: &Metrics) {
    let mut wrote = false;
    if !decisions.is_empty() {
        wrote |= store(
            spool,
            Endpoint::Decisions,
            serde_json::to_vec(&*decisions),
            decisions.len(),
            m,
        );
        decisions.clear();
    }
    if !events.events.is_empty() {
        wrote |= store(
            spool,
            Endpoint::Events,
            serde_json::to_vec(&*events),
            events.events.len(),
            m,
        );
        events.events.clear();
    }
    if wrote {
        notify.notify_one();
    }
}

fn store(spool: &Spool, ep: Endpoint, body: serde_json::Result<Vec<u8>>, n: usize, m: &Metrics) -> bool {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise batch");
            return false;
        }
    };
    match spool.push(ep, &body) {
        Ok(dropped) => {
            m.output_dropped.inc_by(dropped as u64);
            true
        }
        Err(e) => {
            tracing::error!(error = %e, items = n, endpoint = ep.name(), "cannot write spool; batch lost");
            m.output_dropped.inc_by(n as u64);
            false
        }
    }
}

/// Posts spooled batches forever.
pub async fn sender(spool: Arc<Spool>, client: ManagerClient, notify: Arc<Notify>, metrics: Metrics) {
    const MIN: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(30);
    let mut backoff = MIN;
    let mut down_since: Option<std::time::Instant> = None;
    loop {
        let files = spool.list();
        metrics.spool_bytes.set(spool.bytes() as i64);
        if files.is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(1), notify.notified()).await;
            continue;
        }
        for (path, ep) in files {
            let body = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "unreadable spool file dropped");
                    spool.remove(&path);
                    continue;
                }
            };
            match client.post(ep.path(), body).await {
                Ok(()) => {
                    spool.remove(&path);
                    metrics.output_sent.with_label_values(&[ep.name()]).inc();
                    if let Some(t) = down_since.take() {
                        tracing::info!(after = ?t.elapsed(), "manager reachable again; spool draining");
                    }
                    backoff = MIN;
                }
                Err(SendError::Rejected(e)) => {
                    tracing::error!(error = %e, file = %path.display(), "manager rejected batch; dropped");
                    metrics.output_rejected.with_label_values(&[ep.name()]).inc();
                    spool.remove(&path);
                }
                Err(SendError::Retry(e)) => {
                    metrics.output_failures.with_label_values(&[ep.name()]).inc();
                    if down_since.is_none() {
                        down_since = Some(std::time::Instant::now());
                        tracing::warn!(error = %e, "manager unavailable; keeping batches in the spool and retrying");
                    } else {
                        tracing::debug!(error = %e, ?backoff, "retrying manager");
                    }
                    let jitter = rand::thread_rng().gen_range(0..=backoff.as_millis() as u64 / 4);
                    tokio::time::sleep(backoff + Duration::from_millis(jitter)).await;
                    backoff = (backoff * 2).min(MAX);
                    break;
                }
            }
        }
    }
}
