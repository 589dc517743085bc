//! The stateful half of detection: turns rule hits into events (resolving sessions and pending events), pours
//! events into the scenarios' leaky buckets and returns decisions. Matching itself is stateless (`rules`), so
//! listeners match in parallel and only lines that hit a rule take the engine's lock.

use std::time::Duration;

use protocol::event::Event;
use protocol::{Decision, Origin, Scope};
use time::OffsetDateTime;

use crate::bucket::{Buckets, Overflow};
use crate::rules::{Action, Hit, RuleSet, Scenario, SessionKey};
use crate::session::{Pending, Sessions};
use crate::syslog::{HostMode, Record};

/// Longest evidence line kept (bytes).
pub const EVIDENCE_MAX: usize = 1024;

/// Engine limits and the honeypot policy.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub max_buckets: usize,
    pub max_sessions: usize,
    pub session_idle: Duration,
    /// Decision length for a source that touched a honeypot or sandbox; None = alarm only.
    pub honeypot_ttl: Option<Duration>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_buckets: 100_000,
            max_sessions: 50_000,
            session_idle: Duration::from_secs(600),
            honeypot_ttl: Some(Duration::from_secs(24 * 3600)),
        }
    }
}

/// A decision with the lines that led to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    pub evidence: Vec<String>,
}

/// What one line produced.
#[derive(Debug, Default)]
pub struct Output {
    pub events: Vec<Event>,
    pub verdicts: Vec<Verdict>,
}

pub struct Engine {
    sessions: Sessions,
    buckets: Buckets,
    honeypot: Option<Scenario>,
}

fn datetime(t: f64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos((t * 1e9) as i128).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl Engine {
    pub fn new(cfg: &EngineConfig) -> Self {
        Self {
            sessions: Sessions::new(cfg.max_sessions, cfg.session_idle.as_secs_f64()),
            buckets: Buckets::new(cfg.max_buckets),
            honeypot: cfg.honeypot_ttl.map(|ttl| Scenario {
                id: "honeypot-touch".into(),
                services: Vec::new(),
                kinds: Vec::new(),
                capacity: 0,
                leak: Duration::from_secs(1),
                distinct: None,
                ttl,
                blackhole: ttl,
            }),
        }
    }

    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }

    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    pub fn evicted(&self) -> u64 {
        self.buckets.evicted()
    }

    /// Periodic housekeeping.
    pub fn sweep(&mut self, rules: &RuleSet, t: f64) {
        let max_idle = rules
            .scenarios
            .iter()
            .map(|s| s.leak.as_secs_f64() * f64::from(s.capacity + 1))
            .fold(60.0, f64::max);
        self.buckets.sweep(t, max_idle);
        self.sessions.sweep(t);
    }

    /// Handles one hit of `rec` (whose full text is `line`) at time `t`.
    pub fn handle(&mut self, rules: &RuleSet, hit: Hit, rec: &Record<'_>, line: &str, t: f64, out: &mut Output) {
        let Some(det) = rules.detectors.get(hit.detector) else {
            return;
        };
        let Some(rule) = det.rules.get(hit.rule) else { return };
        let trap = matches!(rec.mode, HostMode::Honeypot | HostMode::Sandbox);
        let sid = match rule.session {
            SessionKey::Pid => rec.pid,
            SessionKey::Capture => hit.sid.as_deref(),
        };
        let key = sid.map(|s| format!("{}\x1f{}\x1f{}", det.name, rec.host.unwrap_or(""), s));
        let evidence = &line[..line.floor_char_boundary(EVIDENCE_MAX)];
        if let (Some(k), Some(src)) = (&key, &hit.src) {
            self.sessions.remember(k, src, t);
        }
        let action = if rule.honeypot_only && !trap {
            Action::Remember
        } else {
            rule.action
        };
        let pending = match action {
            Action::Remember => return,
            Action::Pending => {
                if let Some(k) = &key {
                    let p = Pending {
                        detector: hit.detector,
                        rule: hit.rule,
                        src: hit.src,
                        user: hit.user,
                        fields: hit.fields,
                        evidence: evidence.to_string(),
                    };
                    self.sessions.set_pending(k, p, t);
                }
                return;
            }
            Action::Release => match key.as_deref().and_then(|k| self.sessions.take_pending(k)) {
                Some(mut p) => {
                    p.src = p.src.or(hit.src);
                    p
                }
                None => return,
            },
            Action::Event => {
                if let Some(k) = &key {
                    self.sessions.take_pending(k);
                }
                let src = hit
                    .src
                    .or_else(|| key.as_deref().and_then(|k| self.sessions.src(k, t)).map(str::to_string));
                Pending {
                    detector: hit.detector,
                    rule: hit.rule,
                    src,
                    user: hit.user,
                    fields: hit.fields,
                    evidence: evidence.to_string(),
                }
            }
        };
        self.emit(rules, pending, rec, evidence, trap, t, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rules: &RuleSet,
        p: Pending,
        rec: &Record<'_>,
        line: &str,
        trap: bool,
        t: f64,
        out: &mut Output,
    ) {
        let Some(src) = p.src else { return };
        let det = &rules.detectors[p.detector];
        let rule = &det.rules[p.rule];
        let is_ip = protocol::ip::parse(&src).is_some();
        out.events.push(Event {
            time: datetime(t),
            src_ip: src.clone(),
            service: det.service.clone(),
            kind: rule.kind.clone(),
            rule: rule.id.clone(),
            site: String::new(),
            host: rec.host.unwrap_or("").to_string(),
            evidence: line.to_string(),
            honeypot: trap,
        });
        if !is_ip {
            // A host name is reported as an event but never becomes a decision: the server does not resolve
            // attacker-controlled names.
            return;
        }
        let mut verdict = |sc: &Scenario, o: Overflow| {
            out.verdicts.push(Verdict {
                decision: Decision {
                    value: src.clone(),
                    scope: Scope::Ip,
                    origin: Origin::Server,
                    reason: sc.id.clone(),
                    service: det.service.clone(),
                    until: datetime(t + sc.ttl.as_secs_f64()),
                    hits: o.hits,
                },
                evidence: o.evidence,
            })
        };
        if trap {
            if let Some(sc) = &self.honeypot {
                if let Some(o) = self.buckets.pour(usize::MAX, sc, &src, None, t, line) {
                    verdict(sc, o);
                }
            }
        }
        for (i, sc) in rules.scenarios.iter().enumerate() {
            if !sc.accepts(&det.service, &rule.kind) {
                continue;
            }
            let distinct = sc.distinct.as_deref().and_then(|d| match d {
                "user" => p.user.as_deref(),
                other => p.fields.iter().find(|(n, _)| n == other).map(|(_, v)| v.as_str()),
            });
            if let Some(o) = self.buckets.pour(i, sc, &src, distinct, t, line) {
                verdict(sc, o);
            }
        }
    }
}

#[cfg(test)]
mod tests;
