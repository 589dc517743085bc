//! `gateway waf-eval`: runs the engine in-process over labelled JSONL corpora and reports detection and
//! false-positive rates, per family, with the rules behind every false positive.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use super::corpus::{self, Record};
use super::EvalArgs;
use crate::{Engine, RateLimiter, RequestView, SitePolicy, Verdict};

#[derive(Debug, Default, Serialize, Clone, Copy)]
pub struct Rate {
    pub total: usize,
    pub flagged: usize,
    pub rate: f64,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.flagged += usize::from(hit);
        self.rate = self.flagged as f64 / self.total as f64;
    }
}

#[derive(Debug, Serialize)]
struct Flagged {
    id: String,
    rules: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct CorpusReport {
    file: String,
    records: usize,
    unparsable: usize,
    /// Share of `expect_trigger` records flagged as attacks.
    detection: Rate,
    /// Share of `expect_trigger: false` records flagged (for CRS these are near-misses, not true FPs).
    flagged_negatives: Rate,
    /// CRS: `expect_trigger`, `pl == 1`, families 911–944 (the request-side target).
    crs_request_pl1: Option<Rate>,
    by_family: BTreeMap<String, Rate>,
    by_pl: BTreeMap<String, Rate>,
    false_positives: Vec<Flagged>,
    /// Rule id → number of negative records it fired on.
    fp_rules: BTreeMap<u32, usize>,
    missed: Vec<String>,
}

/// The engine's verdict on one record, as a request from 127.0.0.2.
pub fn inspect(engine: &Engine, site: &SitePolicy, r: &Record) -> Verdict {
    let headers: Vec<(&str, &[u8])> = r.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    let req = RequestView {
        method: &r.method,
        uri: &r.uri,
        headers: &headers,
        client_ip: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        body: &r.body,
        body_complete: true,
        body_only: false,
        body_offset: 0,
    };
    // A fresh limiter per record: corpus replay is not a request-rate test.
    engine.evaluate(&req, site, &RateLimiter::new(64))
}

fn crs_family_num(f: &str) -> Option<u32> {
    f.get(..3)?.parse().ok()
}

fn describe(v: &Verdict) -> Vec<String> {
    v.matches
        .iter()
        .map(|m| format!("{} {} [{}={}]", m.id, m.msg, m.target, m.value))
        .collect()
}

/// Runs `gateway waf-eval`.
pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let engine = match Engine::load_dir(&args.rules) {
        Ok(e) => e,
        Err(errs) => {
            for e in &errs {
                eprintln!("{e}");
            }
            anyhow::bail!("{} error(s) in rule directory {}", errs.len(), args.rules.display());
        }
    };
    let site = SitePolicy {
        paranoia: args.paranoia,
        threshold: args.threshold,
        ..SitePolicy::default()
    };
    let mut verdicts = match &args.verdicts {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let mut reports = Vec::new();
    for path in &args.corpus {
        let (records, unparsable) = if path.extension().is_some_and(|e| e == "toml") {
            (super::vectors::read(path)?, 0)
        } else {
            corpus::read(path)?
        };
        let mut rep = CorpusReport {
            file: path.display().to_string(),
            records: records.len(),
            unparsable,
            ..Default::default()
        };
        for r in &records {
            let v = inspect(&engine, &site, r);
            if let Some(out) = verdicts.as_mut() {
                let rules: Vec<u32> = v.matches.iter().map(|m| m.id).collect();
                let line = serde_json::json!({ "id": r.id, "attack": v.attack, "score": v.score, "rules": rules });
                writeln!(out, "{line}").with_context(|| "writing verdicts")?;
            }
            let hit = v.attack;
            if r.expect_trigger {
                rep.detection.add(hit);
                rep.by_family.entry(r.family.clone()).or_default().add(hit);
                if let Some(pl) = r.pl {
                    rep.by_pl.entry(format!("pl{pl}")).or_default().add(hit);
                }
                let target =
                    r.is_crs && r.pl == Some(1) && crs_family_num(&r.family).is_some_and(|f| (911..=944).contains(&f));
                if target {
                    rep.crs_request_pl1.get_or_insert_with(Rate::default).add(hit);
                }
                if !hit {
                    let mark = if target { " [target]" } else { "" };
                    rep.missed
                        .push(format!("{}{mark} score={} {}", r.id, v.score, describe(&v).join("; ")));
                }
            } else {
                rep.flagged_negatives.add(hit);
                if hit && !r.is_crs {
                    for m in &v.matches {
                        *rep.fp_rules.entry(m.id).or_default() += 1;
                    }
                    rep.false_positives.push(Flagged {
                        id: r.id.clone(),
                        rules: describe(&v),
                    });
                }
            }
        }
        reports.push(rep);
    }
    if let Some(mut out) = verdicts {
        out.flush().with_context(|| "writing verdicts")?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "rules": engine.rule_count(), "paranoia": site.paranoia, "threshold": site.threshold, "corpora": reports })
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "rules loaded: {} (paranoia {}, threshold {})",
        engine.rule_count(),
        site.paranoia,
        site.threshold
    );
    for rep in &reports {
        let pct = |r: &Rate| format!("{}/{} = {:.2}%", r.flagged, r.total, r.rate * 100.0);
        println!(
            "\n== {} ({} records, {} unparsable)",
            rep.file, rep.records, rep.unparsable
        );
        println!("detection (expect_trigger=true): {}", pct(&rep.detection));
        if let Some(t) = &rep.crs_request_pl1 {
            println!("CRS request-side target (pl 1, families 911-944): {}", pct(t));
        }
        println!(
            "flagged expect_trigger=false: {}{}",
            pct(&rep.flagged_negatives),
            if rep.records > 0 && rep.crs_request_pl1.is_some() {
                " (CRS near-misses, not false positives)"
            } else {
                " (false positives)"
            }
        );
        for (f, r) in &rep.by_family {
            println!("  {f:<32} {}", pct(r));
        }
        for (pl, r) in &rep.by_pl {
            println!("  {pl:<32} {}", pct(r));
        }
        if !rep.false_positives.is_empty() {
            println!("false positives by rule:");
            for (id, n) in &rep.fp_rules {
                println!("  {id}: {n}");
            }
            for fp in &rep.false_positives {
                println!("  FP {}: {}", fp.id, fp.rules.join("; "));
            }
        }
        if args.show_misses {
            for m in &rep.missed {
                println!("  MISS {m}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
