//! What every received message goes through: header parse, stateless rule match against the current rule set
//! snapshot, and — only for lines that hit a rule — the engine (sessions, buckets) under a short lock. Results
//! go to the output queue (manager) and honeypot events to the alarm queue; a full queue drops and counts,
//! it never blocks a listener.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use protocol::event::Event;
use tokio::sync::mpsc;

use crate::engine::{Engine, Output, Verdict};
use crate::metrics::{Metrics, Transport};
use crate::rules::RuleSet;
use crate::syslog;

/// Items for the manager.
#[derive(Debug)]
pub enum Outbound {
    Event(Event),
    Verdict(Verdict),
}

pub struct Pipeline {
    pub rules: Arc<ArcSwap<RuleSet>>,
    engine: Mutex<Engine>,
    pub metrics: Metrics,
    out: Option<mpsc::Sender<Outbound>>,
    alarms: Option<mpsc::Sender<Event>>,
    untagged_all: bool,
    drops_logged: AtomicU64,
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Pipeline {
    pub fn new(
        rules: Arc<ArcSwap<RuleSet>>,
        engine: Engine,
        metrics: Metrics,
        out: Option<mpsc::Sender<Outbound>>,
        alarms: Option<mpsc::Sender<Event>>,
        untagged_all: bool,
    ) -> Self {
        Self {
            rules,
            engine: Mutex::new(engine),
            metrics,
            out,
            alarms,
            untagged_all,
            drops_logged: AtomicU64::new(0),
        }
    }

    fn engine(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Logs dropped input sparingly (1st, 2nd, 4th, 8th, … drop) so a flood cannot flood the log.
    pub fn log_drop(&self, transport: Transport, reason: &str, peer: std::net::SocketAddr) {
        let n = self.drops_logged.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_power_of_two() {
            tracing::warn!(
                transport = transport.as_str(),
                reason,
                %peer,
                dropped_so_far = n,
                "syslog message dropped"
            );
        }
    }

    /// Processes one received message.
    pub fn process(&self, raw: &[u8], transport: Transport, peer: std::net::SocketAddr) {
        let c = self.metrics.transport(transport);
        c.received.inc();
        let Ok(line) = std::str::from_utf8(raw) else {
            c.malformed.inc();
            self.log_drop(transport, "invalid UTF-8", peer);
            return;
        };
        let t = now();
        let rec = syslog::parse(line, t);
        if rec.pri.is_some() || rec.program.is_some() {
            c.parsed.inc();
        }
        let rules = self.rules.load();
        let Some(hit) = rules.find(&rec, None, self.untagged_all) else {
            return;
        };
        let mut out = Output::default();
        self.engine().handle(&rules, hit, &rec, line, t, &mut out);
        self.dispatch(out);
    }

    fn dispatch(&self, out: Output) {
        for e in out.events {
            self.metrics.events.with_label_values(&[&e.service, &e.kind]).inc();
            if e.honeypot {
                if let Some(a) = &self.alarms {
                    if a.try_send(e.clone()).is_err() {
                        self.metrics.output_dropped.inc();
                    }
                }
            }
            self.send(Outbound::Event(e));
        }
        for v in out.verdicts {
            let d = &v.decision;
            self.metrics.decisions.with_label_values(&[&d.reason, &d.service]).inc();
            tracing::info!(ip = %d.value, scenario = %d.reason, service = %d.service, hits = d.hits, "decision");
            self.send(Outbound::Verdict(v));
        }
    }

    fn send(&self, item: Outbound) {
        if let Some(tx) = &self.out {
            if tx.try_send(item).is_err() {
                self.metrics.output_dropped.inc();
            }
        }
    }

    /// Housekeeping: expire buckets and sessions, publish gauges.
    pub fn sweep(&self) {
        let rules = self.rules.load();
        let mut e = self.engine();
        e.sweep(&rules, now());
        self.metrics.buckets.set(e.buckets() as i64);
        self.metrics.buckets_evicted.set(e.evicted() as i64);
    }
}
