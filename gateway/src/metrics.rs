//! Prometheus metrics of the gateway, registered in one registry that `GET /metrics` renders.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    pub registry: Registry,
    /// By site, pool (`real`/`unreal`/`gateway` when answered by the gateway) and status class (`2xx`…).
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    /// By site, rule id and action taken.
    pub waf_hits: IntCounterVec,
    pub badguys: IntGauge,
    pub badguys_evicted: IntGauge,
    /// By result (`ok`/`error`).
    pub reloads: IntCounterVec,
    pub reload_errors: IntCounter,
    /// By backend address and kind (`connect`/`proxy`).
    pub upstream_failures: IntCounterVec,
    /// Requests answered 502 because every backend of the pool was down.
    pub no_live_upstream: IntCounterVec,
    pub access_log_dropped: IntGauge,
    /// Decisions and events dropped because the manager stayed away until the outbox was full.
    pub outbox_dropped: IntGauge,
    /// By direction (`pull`/`push`) and result.
    pub manager_sync: IntCounterVec,
    /// `requests` and `latency` of the requests no site took (site `-`).
    pub unrouted: SiteRequestMetrics,
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(r: &Registry, c: T) -> T {
    // Names are fixed at compile time and unique, so registration cannot collide.
    if let Err(e) = r.register(Box::new(c.clone())) {
        tracing::error!("metric registration failed: {e}");
    }
    c
}

impl Metrics {
    pub fn new() -> Metrics {
        let r = Registry::new();
        let cv = |name: &str, help: &str, labels: &[&str]| {
            IntCounterVec::new(Opts::new(name, help), labels).unwrap_or_else(|e| panic!("metric {name}: {e}"))
        };
        let g = |name: &str, help: &str| IntGauge::new(name, help).unwrap_or_else(|e| panic!("metric {name}: {e}"));
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "gateway_request_duration_seconds",
                "Request duration, first byte in to last byte out",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["site", "pool"],
        )
        .unwrap_or_else(|e| panic!("latency metric: {e}"));
        Metrics {
            requests: reg(
                &r,
                cv(
                    "gateway_requests_total",
                    "Requests by site, pool and status class",
                    &["site", "pool", "class"],
                ),
            ),
            latency: reg(&r, latency),
            waf_hits: reg(
                &r,
                cv(
                    "gateway_waf_hits_total",
                    "WAF rule hits by site, rule and action",
                    &["site", "rule", "action"],
                ),
            ),
            badguys: reg(&r, g("gateway_badguys_entries", "Entries in the bad-guy table")),
            badguys_evicted: reg(
                &r,
                g(
                    "gateway_badguys_evicted",
                    "Bad-guy entries evicted because the table was full",
                ),
            ),
            reloads: reg(
                &r,
                cv(
                    "gateway_config_reloads_total",
                    "Configuration reloads by result",
                    &["result"],
                ),
            ),
            reload_errors: reg(
                &r,
                IntCounter::new(
                    "gateway_config_reload_errors_total",
                    "Reloads rejected because a file was broken",
                )
                .unwrap_or_else(|e| panic!("{e}")),
            ),
            upstream_failures: reg(
                &r,
                cv(
                    "gateway_upstream_failures_total",
                    "Upstream failures by backend and kind",
                    &["pool", "backend", "kind"],
                ),
            ),
            no_live_upstream: reg(
                &r,
                cv(
                    "gateway_no_live_upstream_total",
                    "Requests failed because every backend of the pool was down",
                    &["pool"],
                ),
            ),
            access_log_dropped: reg(
                &r,
                g(
                    "gateway_access_log_dropped",
                    "Access-log lines dropped because the writer fell behind",
                ),
            ),
            outbox_dropped: reg(
                &r,
                g(
                    "gateway_manager_outbox_dropped",
                    "Decisions and events dropped because the manager was away until the outbox filled",
                ),
            ),
            manager_sync: reg(
                &r,
                cv(
                    "gateway_manager_sync_total",
                    "Calls to the manager by direction and result",
                    &["direction", "result"],
                ),
            ),
            unrouted: SiteRequestMetrics::default(),
            registry: r,
        }
    }

    pub fn render(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!("metrics encoding failed: {e}");
        }
        buf
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

const CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

fn class_index(status: u16) -> usize {
    match status {
        100..=599 => usize::from(status / 100 - 1),
        _ => 5,
    }
}

/// Who answered a request, as the `pool` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolLabel {
    Real,
    Unreal,
    /// The gateway itself (block page, redirect, 413, 421 …).
    Gateway,
}

impl PoolLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolLabel::Real => "real",
            PoolLabel::Unreal => "unreal",
            PoolLabel::Gateway => "gateway",
        }
    }
}

/// One site's request counters and latency histograms, looked up by label on the site's first requests and
/// kept: `with_label_values` hashes every label on each call, a cost the request path need not pay. A reload
/// builds new sites, which look up the same series again.
#[derive(Default)]
pub struct SiteRequestMetrics {
    requests: [[OnceLock<IntCounter>; CLASSES.len()]; 3],
    latency: [OnceLock<Histogram>; 3],
}

impl std::fmt::Debug for SiteRequestMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteRequestMetrics")
    }
}

impl SiteRequestMetrics {
    /// Counts one finished request of `site` and records how long it took.
    pub fn observe(&self, m: &Metrics, site: &str, pool: PoolLabel, status: u16, secs: f64) {
        let class = class_index(status);
        self.requests[pool as usize][class]
            .get_or_init(|| m.requests.with_label_values(&[site, pool.as_str(), CLASSES[class]]))
            .inc();
        self.latency[pool as usize]
            .get_or_init(|| m.latency.with_label_values(&[site, pool.as_str()]))
            .observe(secs);
    }
}
