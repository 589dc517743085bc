//! Decision sharing with the manager (DESIGN.md §4): pulls the decision stream about every `pull_interval` into
//! the bad-guy table and pushes this gateway's own WAF decisions and attack events in batches. Every call is
//! signed and every answer's signature checked. When the manager is away the gateway keeps serving on what it
//! has, retries with backoff and says so in its log and metrics.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pingora_core::server::ShutdownWatch;
use pingora_core::services::background::BackgroundService;
use protocol::signing;
use protocol::{DecisionStream, Scope};

use crate::badguys::{unix_now, Source};
use crate::state::Shared;

const BATCH: usize = 500;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub struct ManagerSync {
    shared: Arc<Shared>,
    base: String,
    key_id: String,
    secret: String,
    client: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("manager answered {0}: {1}")]
    Status(u16, String),
    #[error("response signature: {0}")]
    Signature(String),
    #[error("invalid response body: {0}")]
    Body(#[from] serde_json::Error),
}

impl ManagerSync {
    pub fn new(shared: Arc<Shared>) -> anyhow::Result<ManagerSync> {
        let d = &shared.config.decisions;
        let base = d.manager.clone().unwrap_or_default().trim_end_matches('/').to_string();
        let key_id = d.key_id.clone().unwrap_or_default();
        let key_file = d.key_file.clone().unwrap_or_default();
        let secret = std::fs::read_to_string(&key_file)
            .map_err(|e| anyhow::anyhow!("cannot read key_file {}: {e}", key_file.display()))?
            .trim()
            .to_string();
        if secret.is_empty() {
            anyhow::bail!("key_file {} is empty", key_file.display());
        }
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(ManagerSync {
            shared,
            base,
            key_id,
            secret,
            client,
        })
    }

    /// One signed call; returns the verified body.
    async fn call(&self, method: reqwest::Method, path_and_query: &str, body: Vec<u8>) -> Result<Vec<u8>, SyncError> {
        let h = signing::sign_request(
            &self.key_id,
            self.secret.as_bytes(),
            method.as_str(),
            path_and_query,
            &body,
        );
        let mut req = self.client.request(method, format!("{}{}", self.base, path_and_query));
        for (k, v) in h.pairs() {
            req = req.header(k, v);
        }
        if !body.is_empty() {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let signature = signing::ResponseSignature::from_headers(resp.headers());
        let bytes = resp.bytes().await?.to_vec();
        if !(200..300).contains(&status) {
            return Err(SyncError::Status(
                status,
                String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            ));
        }
        signature
            .verify(self.secret.as_bytes(), status, &h.nonce, &bytes)
            .map_err(|e| SyncError::Signature(e.to_string()))?;
        Ok(bytes)
    }

    async fn pull(&self, startup: bool) -> Result<(usize, usize), SyncError> {
        let path = if startup {
            "/api/v1/decisions/stream?startup=true"
        } else {
            "/api/v1/decisions/stream"
        };
        let body = self.call(reqwest::Method::GET, path, Vec::new()).await?;
        let stream: DecisionStream = serde_json::from_slice(&body)?;
        let now = unix_now();
        let table = &self.shared.badguys;
        let mut added = 0;
        // What a full (startup) pull lists is everything the manager still holds.
        let mut listed_ips = std::collections::HashSet::new();
        let mut listed_nets = std::collections::HashSet::new();
        for d in &stream.new {
            let until = d.until.unix_timestamp().max(0) as u64;
            if until <= now {
                continue;
            }
            match d.scope {
                Scope::Ip => {
                    let Some(ip) = protocol::ip::parse(&d.value) else {
                        tracing::warn!(value = %d.value, "decision with an unparsable address skipped");
                        continue;
                    };
                    table.mark(ip, until, &d.reason, Source::Manager, now);
                    listed_ips.insert(protocol::ip::canonical(ip));
                }
                Scope::Range => {
                    let Ok(net) = d.value.trim().parse::<ipnet::IpNet>() else {
                        tracing::warn!(value = %d.value, "range decision with an unparsable CIDR skipped");
                        continue;
                    };
                    table.ranges.add(net, until, &d.reason, Source::Manager, now);
                    listed_nets.insert(crate::badguys::ranges::canonical(net));
                }
            }
            added += 1;
        }
        let mut removed = 0;
        if startup {
            // Decisions lifted on the manager while this gateway was down come back from `state_file` but not
            // in the stream's `deleted` (a startup pull lists only what is live): drop them here.
            removed += table.keep_manager_entries(&listed_ips) + table.ranges.keep_manager_ranges(&listed_nets);
        }
        for d in &stream.deleted {
            let gone = match d.scope {
                Scope::Ip => protocol::ip::parse(&d.value).is_some_and(|ip| table.remove(ip)),
                Scope::Range => d
                    .value
                    .trim()
                    .parse::<ipnet::IpNet>()
                    .is_ok_and(|n| table.ranges.remove(n)),
            };
            removed += usize::from(gone);
        }
        Ok((added, removed))
    }

    async fn push(&self) -> Result<usize, SyncError> {
        let (decisions, events) = self.shared.outbox.take(BATCH);
        let n = decisions.len() + events.len();
        if n == 0 {
            return Ok(0);
        }
        let mut res = Ok(());
        if !decisions.is_empty() {
            let body = serde_json::to_vec(&decisions)?;
            res = self
                .call(reqwest::Method::POST, "/api/v1/decisions", body)
                .await
                .map(|_| ());
        }
        if res.is_ok() && !events.is_empty() {
            let body = serde_json::to_vec(&protocol::event::EventBatch { events: events.clone() })?;
            if let Err(e) = self.call(reqwest::Method::POST, "/api/v1/events", body).await {
                self.shared.outbox.restore(Vec::new(), events);
                return Err(e);
            }
        }
        if let Err(e) = res {
            self.shared.outbox.restore(decisions, events);
            return Err(e);
        }
        Ok(n)
    }
}

#[async_trait]
impl BackgroundService for ManagerSync {
    async fn start(&self, mut shutdown: ShutdownWatch) {
        let interval = self.shared.config.decisions.pull_interval;
        let mut startup = true;
        let mut backoff = interval;
        let mut healthy = true;
        loop {
            let result = async {
                let (added, removed) = self.pull(startup).await?;
                let pushed = self.push().await?;
                Ok::<_, SyncError>((added, removed, pushed))
            }
            .await;
            let m = &self.shared.metrics.manager_sync;
            match result {
                Ok((added, removed, pushed)) => {
                    m.with_label_values(&["sync", "ok"]).inc();
                    if !healthy || startup {
                        tracing::info!(manager = %self.base, "manager reachable; decisions in sync");
                    }
                    if added + removed + pushed > 0 {
                        tracing::debug!(added, removed, pushed, "decision sync");
                    }
                    startup = false;
                    healthy = true;
                    backoff = interval;
                }
                Err(e) => {
                    m.with_label_values(&["sync", "error"]).inc();
                    if healthy {
                        tracing::warn!(manager = %self.base, "manager unreachable, serving on last known decisions: {e}");
                    }
                    healthy = false;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(if healthy { interval } else { backoff }) => {}
            }
        }
    }
}
