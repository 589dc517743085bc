//! Prometheus counters kept by the manager, rendered as text at `GET /metrics` together with gauges read from
//! the database at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
}

/// Help text of every counter, in output order.
const COUNTERS: &[(&str, &str)] = &[
    (
        "manager_api_requests_total",
        "Signed API requests by endpoint and status.",
    ),
    (
        "manager_api_auth_failures_total",
        "Signed API requests refused before reaching a handler, by reason.",
    ),
    ("manager_events_ingested_total", "Attack events stored."),
    ("manager_decisions_ingested_total", "Decisions received, by outcome."),
    ("manager_logins_total", "Web logins by result."),
];

impl Metrics {
    /// Adds `n` to `name{labels}`; `labels` is the inside of the braces, already escaped.
    pub fn add(&self, name: &'static str, labels: String, n: u64) {
        let mut g = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *g.entry((name, labels)).or_insert(0) += n;
    }

    pub fn inc(&self, name: &'static str, labels: String) {
        self.add(name, labels, 1);
    }

    /// Text exposition format; `gauges` are `(name, help, value)`.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let g = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        for (name, help) in COUNTERS {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((n, labels), v) in g.iter() {
                if n == name {
                    if labels.is_empty() {
                        let _ = writeln!(out, "{name} {v}");
                    } else {
                        let _ = writeln!(out, "{name}{{{labels}}} {v}");
                    }
                }
            }
        }
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}

/// Escapes a label value.
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
