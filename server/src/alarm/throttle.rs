//! Per-source alarm throttling (no clock of its own: callers pass `now`, so it is tested without sleeping).

use std::collections::{BTreeMap, HashMap};

use protocol::event::Event;

use super::sinks::Alarm;

struct Window {
    start: f64,
    suppressed: u64,
    kinds: BTreeMap<String, u64>,
    last: Event,
}

pub struct Throttle {
    window: f64,
    max: usize,
    map: HashMap<String, Window>,
    flood_start: f64,
    flood_events: u64,
    flood_sample: Vec<String>,
}

impl Throttle {
    pub fn new(window_secs: f64, max_sources: usize) -> Self {
        Self {
            window: window_secs,
            max: max_sources.max(1),
            map: HashMap::new(),
            flood_start: 0.0,
            flood_events: 0,
            flood_sample: Vec::new(),
        }
    }

    /// An event arrives; returns the immediate alarm if this source has none in its window yet.
    pub fn event(&mut self, e: &Event, now: f64) -> Option<Alarm> {
        if let Some(w) = self.map.get_mut(&e.src_ip) {
            if now - w.start < self.window {
                w.suppressed += 1;
                *w.kinds.entry(e.kind.clone()).or_default() += 1;
                w.last = e.clone();
                return None;
            }
        }
        if !self.map.contains_key(&e.src_ip) && self.map.len() >= self.max {
            if self.flood_events == 0 {
                self.flood_start = now;
            }
            self.flood_events += 1;
            if self.flood_sample.len() < 20 && !self.flood_sample.contains(&e.src_ip) {
                self.flood_sample.push(e.src_ip.clone());
            }
            return None;
        }
        self.map.insert(
            e.src_ip.clone(),
            Window {
                start: now,
                suppressed: 0,
                kinds: BTreeMap::new(),
                last: e.clone(),
            },
        );
        Some(Alarm::first(e))
    }

    /// Ends windows that are over; returns their summaries.
    pub fn tick(&mut self, now: f64) -> Vec<Alarm> {
        let window = self.window;
        let mut out = Vec::new();
        let ended: Vec<String> = self
            .map
            .iter()
            .filter(|(_, w)| now - w.start >= window)
            .map(|(k, _)| k.clone())
            .collect();
        for k in ended {
            if let Some(w) = self.map.remove(&k) {
                if w.suppressed > 0 {
                    out.push(Alarm::summary(&w.last, w.suppressed, w.kinds, window));
                }
            }
        }
        if self.flood_events > 0 && now - self.flood_start >= window {
            out.push(Alarm::flood(
                self.flood_events,
                std::mem::take(&mut self.flood_sample),
                window,
            ));
            self.flood_events = 0;
        }
        out
    }

    pub fn sources(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ip: &str) -> Event {
        Event {
            time: time::OffsetDateTime::UNIX_EPOCH,
            src_ip: ip.into(),
            service: "ssh".into(),
            kind: "auth_failure".into(),
            rule: "r".into(),
            site: String::new(),
            host: "trap".into(),
            evidence: "line".into(),
            honeypot: true,
        }
    }

    #[test]
    fn flood_from_one_source_is_one_alarm_then_one_summary() {
        let mut t = Throttle::new(60.0, 100);
        let alarms: Vec<_> = (0..10_000)
            .filter_map(|i| t.event(&ev("192.0.2.1"), f64::from(i) * 0.001))
            .collect();
        assert_eq!(alarms.len(), 1);
        assert!(t.tick(30.0).is_empty());
        let s = t.tick(61.0);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].count, 9_999);
        assert!(s[0].summary);
        assert!(t.event(&ev("192.0.2.1"), 62.0).is_some(), "a new window alarms again");
    }

    #[test]
    fn spray_of_sources_is_bounded() {
        let mut t = Throttle::new(60.0, 10);
        let n = (0..1000)
            .filter(|i| t.event(&ev(&format!("10.0.{}.{}", i / 256, i % 256)), 1.0).is_some())
            .count();
        assert_eq!(n, 10);
        assert_eq!(t.sources(), 10);
        let s = t.tick(100.0);
        assert!(s.iter().any(|a| a.kind == "flood" && a.count == 990));
    }
}
