//! Prometheus metrics of the server, in one registry passed to whoever counts (no global state).

use prometheus::{Encoder, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }
}

/// Hot-path counters of one transport, resolved once.
#[derive(Clone)]
pub struct TransportCounters {
    pub received: IntCounter,
    pub parsed: IntCounter,
    pub oversized: IntCounter,
    pub malformed: IntCounter,
}

#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub udp: TransportCounters,
    pub tcp: TransportCounters,
    pub tls: TransportCounters,
    pub events: IntCounterVec,
    pub decisions: IntCounterVec,
    pub alarms: IntCounterVec,
    pub output_sent: IntCounterVec,
    pub output_failures: IntCounterVec,
    pub output_rejected: IntCounterVec,
    pub output_dropped: IntCounter,
    pub spool_bytes: IntGauge,
    pub reloads: IntCounterVec,
    pub buckets: IntGauge,
    pub buckets_evicted: IntGauge,
    pub tcp_connections: IntGauge,
}

fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).unwrap_or_else(|e| unreachable!("metric {name}: {e}"));
    // Names are fixed and unique here, so registration cannot collide.
    let _ = r.register(Box::new(c.clone()));
    c
}

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).unwrap_or_else(|e| unreachable!("metric {name}: {e}"));
    let _ = r.register(Box::new(g.clone()));
    g
}

impl Metrics {
    pub fn new() -> Self {
        let r = Registry::new();
        let received = counter_vec(
            &r,
            "server_messages_received_total",
            "Syslog messages received",
            &["transport"],
        );
        let parsed = counter_vec(
            &r,
            "server_messages_parsed_total",
            "Messages whose syslog header was recognised",
            &["transport"],
        );
        let dropped = counter_vec(
            &r,
            "server_messages_dropped_total",
            "Messages dropped (oversized, malformed)",
            &["transport", "reason"],
        );
        let per = |t: &str| TransportCounters {
            received: received.with_label_values(&[t]),
            parsed: parsed.with_label_values(&[t]),
            oversized: dropped.with_label_values(&[t, "oversized"]),
            malformed: dropped.with_label_values(&[t, "malformed"]),
        };
        Self {
            udp: per("udp"),
            tcp: per("tcp"),
            tls: per("tls"),
            events: counter_vec(&r, "server_events_total", "Detected events", &["service", "kind"]),
            decisions: counter_vec(
                &r,
                "server_decisions_total",
                "Decisions emitted",
                &["scenario", "service"],
            ),
            alarms: counter_vec(&r, "server_alarms_total", "Honeypot alarms sent", &["type"]),
            output_sent: counter_vec(
                &r,
                "server_output_batches_sent_total",
                "Batches accepted by the manager",
                &["endpoint"],
            ),
            output_failures: counter_vec(
                &r,
                "server_output_failures_total",
                "Failed deliveries to the manager (retried)",
                &["endpoint"],
            ),
            output_rejected: counter_vec(
                &r,
                "server_output_rejected_total",
                "Batches the manager refused as invalid (not retried)",
                &["endpoint"],
            ),
            output_dropped: {
                let c = IntCounter::new("server_output_dropped_total", "Items dropped: spool full or queue full")
                    .unwrap_or_else(|e| unreachable!("{e}"));
                let _ = r.register(Box::new(c.clone()));
                c
            },
            spool_bytes: gauge(&r, "server_spool_bytes", "Bytes waiting in the on-disk spool"),
            reloads: counter_vec(&r, "server_rules_reloads_total", "Rule reloads", &["result"]),
            buckets: gauge(&r, "server_buckets", "Live leaky buckets"),
            buckets_evicted: gauge(
                &r,
                "server_buckets_evicted",
                "Buckets evicted early because the table was full",
            ),
            tcp_connections: gauge(&r, "server_tcp_connections", "Open syslog TCP connections"),
            registry: r,
        }
    }

    pub fn transport(&self, t: Transport) -> &TransportCounters {
        match t {
            Transport::Udp => &self.udp,
            Transport::Tcp => &self.tcp,
            Transport::Tls => &self.tls,
        }
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
