//! Offline detection over a log file (`server replay`): the same parser, rules, sessions and buckets as the live
//! server, but windows follow the time stamps in the lines, so an old log replays as it happened. Lines
//! without a time stamp inherit the previous line's.

use std::io::{BufRead, Write};

use protocol::event::Event;
use serde::Serialize;

use crate::engine::{Engine, EngineConfig, Output, Verdict};
use crate::rules::RuleSet;
use crate::syslog;

/// Events (with their 1-based line numbers) and decisions of one run.
#[derive(Debug, Default)]
pub struct Replayed {
    pub events: Vec<(usize, Event)>,
    pub verdicts: Vec<Verdict>,
    pub lines: usize,
}

/// Runs the detectors over lines. `only` forces one detector (`--service`).
pub fn run<I, S>(rules: &RuleSet, cfg: &EngineConfig, only: Option<usize>, lines: I) -> Replayed
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut events = Vec::new();
    let mut res = stream(rules, cfg, only, lines, |n, e| events.push((n, e)));
    res.events = events;
    res
}

/// Like [`run`], handing each event to `on_event` as it is found (decisions are returned at the end), so a
/// large file is never held in memory.
pub fn stream<I, S>(
    rules: &RuleSet,
    cfg: &EngineConfig,
    only: Option<usize>,
    lines: I,
    mut on_event: impl FnMut(usize, Event),
) -> Replayed
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let now = protocol::signing::now_unix() as f64;
    let mut engine = Engine::new(cfg);
    let mut res = Replayed::default();
    let mut last_t: Option<f64> = None;
    let mut out = Output::default();
    for (i, line) in lines.into_iter().enumerate() {
        let line = line.as_ref();
        res.lines = i + 1;
        let rec = syslog::parse(line, now);
        let t = rec.time.or(last_t).unwrap_or(now);
        last_t = Some(t);
        if let Some(hit) = rules.find(&rec, only, true) {
            engine.handle(rules, hit, &rec, line, t, &mut out);
            for e in out.events.drain(..) {
                on_event(i + 1, e);
            }
            res.verdicts.append(&mut out.verdicts);
        }
    }
    res
}

#[derive(Serialize)]
struct EventLine<'a> {
    line: usize,
    service: &'a str,
    kind: &'a str,
    src_ip: &'a str,
    rule: &'a str,
    host: &'a str,
    honeypot: bool,
}

#[derive(Serialize)]
struct DecisionLine<'a> {
    decision: &'a protocol::Decision,
    evidence: &'a [String],
}

/// Reads `input`, prints events then decisions (`--json`: one object per line, DESIGN.md §4).
pub fn print(
    rules: &RuleSet,
    cfg: &EngineConfig,
    only: Option<usize>,
    input: impl BufRead,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<Replayed> {
    let mut err: Option<anyhow::Error> = None;
    let lines = input.split(b'\n').map_while(|l| match l {
        Ok(l) => Some(String::from_utf8_lossy(&l).into_owned()),
        Err(e) => {
            err = Some(e.into());
            None
        }
    });
    let mut write_err: Option<anyhow::Error> = None;
    let res = stream(rules, cfg, only, lines, |n, e| {
        if write_err.is_some() {
            return;
        }
        let r = if json {
            let l = EventLine {
                line: n,
                service: &e.service,
                kind: &e.kind,
                src_ip: &e.src_ip,
                rule: &e.rule,
                host: &e.host,
                honeypot: e.honeypot,
            };
            serde_json::to_string(&l)
                .map_err(anyhow::Error::from)
                .and_then(|s| writeln!(out, "{s}").map_err(Into::into))
        } else {
            writeln!(
                out,
                "line {n}: {} {} from {} (rule {})",
                e.service, e.kind, e.src_ip, e.rule
            )
            .map_err(Into::into)
        };
        if let Err(e) = r {
            write_err = Some(e);
        }
    });
    if let Some(e) = err.or(write_err) {
        return Err(e);
    }
    for v in &res.verdicts {
        if json {
            let d = DecisionLine {
                decision: &v.decision,
                evidence: &v.evidence,
            };
            writeln!(out, "{}", serde_json::to_string(&d)?)?;
        } else {
            let d = &v.decision;
            writeln!(
                out,
                "decision: {} {} ({}, {} hits) until {}",
                d.value,
                d.reason,
                d.service,
                d.hits,
                d.until
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            )?;
        }
    }
    Ok(res)
}
