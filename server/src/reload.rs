//! Live reload of the rules directory: polled for changes (names, sizes, times) and on SIGHUP. A directory
//! that does not compile is reported `file:line: message` and the running rules stay in force.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::metrics::Metrics;
use crate::rules::{self, RuleSet};

pub async fn watch(dir: PathBuf, every: Duration, current: Arc<ArcSwap<RuleSet>>, metrics: Metrics) {
    let mut seen = rules::fingerprint(&dir);
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let forced = match hup.as_mut() {
            Some(h) => tokio::select! { _ = tick.tick() => false, _ = h.recv() => true },
            None => {
                tick.tick().await;
                false
            }
        };
        #[cfg(not(unix))]
        let forced = {
            tick.tick().await;
            false
        };
        let now = rules::fingerprint(&dir);
        if now == seen && !forced {
            continue;
        }
        seen = now;
        match rules::load_dir(&dir) {
            Ok(set) => {
                let n: usize = set.detectors.iter().map(|d| d.rules.len()).sum();
                tracing::info!(dir = %dir.display(), rules = n, scenarios = set.scenarios.len(), "rules reloaded");
                current.store(Arc::new(set));
                metrics.reloads.with_label_values(&["ok"]).inc();
            }
            Err(errs) => {
                for e in &errs {
                    tracing::error!("{e}");
                }
                tracing::error!(dir = %dir.display(), "rules not reloaded; previous rules stay in force");
                metrics.reloads.with_label_values(&["error"]).inc();
            }
        }
    }
}
