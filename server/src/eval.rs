//! `server eval-corpus DIR`: detection agreement with the annotated fail2ban sample logs and the CrowdSec hub
//! tests in `../shared/corpus/services` (corpus README). Each file's lines are replayed in order, as one log;
//! a `match: true` line counts as detected when an event on that line names the annotated host (or any source
//! when the annotation has none); a `match: false` line is a false positive when it yields any event.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::engine::EngineConfig;
use crate::replay;
use crate::rules::{normalize_src, RuleSet};

#[derive(Deserialize)]
struct F2bRecord {
    line: String,
    #[serde(rename = "match")]
    matched: bool,
    host: Option<String>,
    #[serde(default)]
    lineno: usize,
}

#[derive(Deserialize)]
struct HubRecord {
    line: String,
    test: String,
    lineno: usize,
}

#[derive(Deserialize)]
struct HubTest {
    expected_overflows: Option<usize>,
    expected_sources: Vec<String>,
}

/// Figures for one service file.
#[derive(Debug, Default, Serialize, Clone)]
pub struct ServiceScore {
    pub positives: usize,
    pub detected: usize,
    pub negatives: usize,
    pub false_positives: usize,
    pub missed: Vec<String>,
    pub false_lines: Vec<String>,
}

impl ServiceScore {
    pub fn detection_rate(&self) -> f64 {
        if self.positives == 0 {
            1.0
        } else {
            self.detected as f64 / self.positives as f64
        }
    }
    pub fn false_positive_rate(&self) -> f64 {
        if self.negatives == 0 {
            0.0
        } else {
            self.false_positives as f64 / self.negatives as f64
        }
    }
}

#[derive(Debug, Serialize)]
pub struct HubScore {
    pub test: String,
    pub expected_sources: Vec<String>,
    pub decided_sources: Vec<String>,
    pub expected_overflows: Option<usize>,
    pub decisions: usize,
    pub ok: bool,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub services: BTreeMap<String, ServiceScore>,
    pub total: ServiceScore,
    pub hub: Vec<HubScore>,
}

impl Report {
    pub fn detection_rate(&self) -> f64 {
        self.total.detection_rate()
    }
    pub fn false_positive_rate(&self) -> f64 {
        self.total.false_positive_rate()
    }
    pub fn hub_ok(&self) -> bool {
        self.hub.iter().all(|h| h.ok)
    }
}

/// The services the issue measures.
pub const SERVICES: [&str; 6] = ["sshd", "vsftpd", "proftpd", "pure-ftpd", "mysqld-auth", "mongodb-auth"];

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}:{}", path.display(), i + 1)))
        .collect()
}

pub fn evaluate(rules: &RuleSet, dir: &Path) -> anyhow::Result<Report> {
    let cfg = EngineConfig::default();
    let mut services = BTreeMap::new();
    let mut total = ServiceScore::default();
    for svc in SERVICES {
        let path = dir.join(format!("f2b-{svc}-dev.jsonl"));
        if !path.exists() {
            continue;
        }
        let mut recs: Vec<F2bRecord> = read_jsonl(&path)?;
        recs.sort_by_key(|r| r.lineno);
        let res = replay::run(rules, &cfg, None, recs.iter().map(|r| r.line.as_str()));
        let mut by_line: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for (n, e) in &res.events {
            by_line.entry(*n).or_default().push(&e.src_ip);
        }
        let mut s = ServiceScore::default();
        for (i, r) in recs.iter().enumerate() {
            let got = by_line.get(&(i + 1)).cloned().unwrap_or_default();
            if r.matched {
                s.positives += 1;
                let want = r
                    .host
                    .as_deref()
                    .map(|h| normalize_src(h).unwrap_or_else(|| h.to_string()));
                let ok = match &want {
                    Some(h) => got.iter().any(|g| g == h),
                    None => !got.is_empty(),
                };
                if ok {
                    s.detected += 1;
                } else {
                    s.missed.push(format!("{} (want {:?}, got {:?})", r.line, want, got));
                }
            } else {
                s.negatives += 1;
                if !got.is_empty() {
                    s.false_positives += 1;
                    s.false_lines.push(format!("{} (got {:?})", r.line, got));
                }
            }
        }
        total.positives += s.positives;
        total.detected += s.detected;
        total.negatives += s.negatives;
        total.false_positives += s.false_positives;
        services.insert(svc.to_string(), s);
    }
    let hub = evaluate_hub(rules, &cfg, dir)?;
    Ok(Report { services, total, hub })
}

fn evaluate_hub(rules: &RuleSet, cfg: &EngineConfig, dir: &Path) -> anyhow::Result<Vec<HubScore>> {
    let path = dir.join("hub-dev.jsonl");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let recs: Vec<HubRecord> = read_jsonl(&path)?;
    let mut tests: BTreeMap<String, Vec<HubRecord>> = BTreeMap::new();
    for r in recs {
        tests.entry(r.test.clone()).or_default().push(r);
    }
    let mut out = Vec::new();
    for (name, mut lines) in tests {
        lines.sort_by_key(|r| r.lineno);
        let meta_path = dir.join("hub-dev").join(format!("{name}.json"));
        let meta: HubTest = serde_json::from_str(
            &std::fs::read_to_string(&meta_path).with_context(|| format!("reading {}", meta_path.display()))?,
        )
        .with_context(|| format!("parsing {}", meta_path.display()))?;
        let res = replay::run(rules, cfg, None, lines.iter().map(|r| r.line.as_str()));
        let decided: BTreeSet<String> = res.verdicts.iter().map(|v| v.decision.value.clone()).collect();
        let expected: BTreeSet<String> = meta
            .expected_sources
            .iter()
            .map(|s| normalize_src(s).unwrap_or_else(|| s.clone()))
            .collect();
        let count_ok = meta.expected_overflows.is_none_or(|n| n == res.verdicts.len());
        out.push(HubScore {
            test: name,
            ok: decided == expected && count_ok,
            expected_sources: expected.into_iter().collect(),
            decided_sources: decided.into_iter().collect(),
            expected_overflows: meta.expected_overflows,
            decisions: res.verdicts.len(),
        });
    }
    Ok(out)
}

/// Human-readable summary.
pub fn render(r: &Report, verbose: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "{:<14} {:>9} {:>9} {:>9} {:>9}\n",
        "service", "match", "detected", "no-match", "false-pos"
    ));
    for (name, x) in &r.services {
        s.push_str(&format!(
            "{:<14} {:>9} {:>8.1}% {:>9} {:>8.1}%\n",
            name,
            x.positives,
            100.0 * x.detection_rate(),
            x.negatives,
            100.0 * x.false_positive_rate()
        ));
        if verbose {
            for m in &x.missed {
                s.push_str(&format!("    missed: {m}\n"));
            }
            for m in &x.false_lines {
                s.push_str(&format!("    false positive: {m}\n"));
            }
        }
    }
    s.push_str(&format!(
        "{:<14} {:>9} {:>8.1}% {:>9} {:>8.1}%\n",
        "TOTAL",
        r.total.positives,
        100.0 * r.detection_rate(),
        r.total.negatives,
        100.0 * r.false_positive_rate()
    ));
    for h in &r.hub {
        s.push_str(&format!(
            "hub {:<12} expected {:?} x{} got {:?} x{} {}\n",
            h.test,
            h.expected_sources,
            h.expected_overflows
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            h.decided_sources,
            h.decisions,
            if h.ok { "ok" } else { "MISMATCH" }
        ));
    }
    s
}
