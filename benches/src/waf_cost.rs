//! `benches waf-cost`: what the default rules cost the gateway, as the ratio of its requests/s with rules on to
//! the same gateway with `waf.mode = "off"`. Both run side by side and are driven in alternation, a short round
//! each, mix by mix: on a shared machine the load left by other tenants drifts over minutes, and `compare`, which
//! measures one contestant after the other, lets that drift into the ratio (it moved by several points between
//! runs). Each round gives one on/off ratio; the median round is reported with the spread. Runs of the same
//! build also differ by process (where the big rule automata land in memory): `--restarts` repeats everything
//! with fresh processes and pools the rounds.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::contestants::{self, Env, Kind};
use crate::load::{self, Pattern, Plan};
use crate::mixes;
use crate::procstat;

pub struct Opts {
    pub restarts: usize,
    pub rounds: usize,
    pub duration: f64,
    pub connections: usize,
    pub mixes: Option<String>,
    pub json: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
}

/// One mix's figures (medians over the rounds).
#[derive(Debug, Serialize)]
pub struct MixCost {
    pub mix: String,
    pub rounds: usize,
    pub off_rps: f64,
    pub on_rps: f64,
    /// Median of the per-round ratios on/off.
    pub ratio: f64,
    pub ratio_min: f64,
    pub ratio_max: f64,
    pub off_cpu_us: f64,
    pub on_cpu_us: f64,
    /// Median of the per-round differences of CPU µs per request.
    pub added_cpu_us: f64,
    pub errors: u64,
}

struct Round {
    rps: f64,
    cpu_us: f64,
    errors: u64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

pub fn run(env: &Env, o: &Opts) -> anyhow::Result<Vec<MixCost>> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let dur = Duration::from_secs_f64(o.duration);
    let wanted: Vec<mixes::Mix> = mixes::all()
        .into_iter()
        .filter(|m| !m.attack && crate::listed(m.name, &o.mixes))
        .collect();
    let mut pairs: Vec<Vec<(Round, Round)>> = wanted.iter().map(|_| Vec::new()).collect();
    for restart in 0..o.restarts {
        let off = contestants::start(Kind::GatewayOff, env)?;
        let on = contestants::start(Kind::Gateway, env)?;
        for (m, out) in wanted.iter().zip(pairs.iter_mut()) {
            let round = |target: &contestants::Running, d: Duration, conns: usize| {
                let plan = Plan {
                    target: target.addr,
                    host: "bench.local".into(),
                    mix: m.clone(),
                    attack: None,
                    conns,
                    duration: d,
                    pattern: Pattern::Closed,
                };
                let cpu0 = procstat::cpu_seconds(target.pid).unwrap_or(0.0);
                let r = rt.block_on(load::run(plan));
                let cpu = procstat::cpu_seconds(target.pid).unwrap_or(0.0) - cpu0;
                Round {
                    rps: r.rps(),
                    cpu_us: cpu * 1e6 / r.ok.max(1) as f64,
                    errors: r.errors,
                }
            };
            for g in [&off, &on] {
                round(g, Duration::from_millis(300), 8);
            }
            for i in 0..o.rounds {
                // Alternate which one goes first, so neither always follows the other's cache and socket state.
                if i % 2 == 0 {
                    let a = round(&off, dur, o.connections);
                    out.push((a, round(&on, dur, o.connections)));
                } else {
                    let b = round(&on, dur, o.connections);
                    out.push((round(&off, dur, o.connections), b));
                }
            }
            eprintln!("restart {restart}: {} done", m.name);
        }
    }
    let mut rows = Vec::new();
    for (m, pairs) in wanted.iter().zip(&pairs) {
        let ratios: Vec<f64> = pairs.iter().map(|p| p.1.rps / p.0.rps.max(1e-9)).collect();
        let cost = MixCost {
            mix: m.name.into(),
            rounds: pairs.len(),
            off_rps: median(pairs.iter().map(|p| p.0.rps).collect()),
            on_rps: median(pairs.iter().map(|p| p.1.rps).collect()),
            ratio: median(ratios.clone()),
            ratio_min: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratio_max: ratios.iter().copied().fold(0.0, f64::max),
            off_cpu_us: median(pairs.iter().map(|p| p.0.cpu_us).collect()),
            on_cpu_us: median(pairs.iter().map(|p| p.1.cpu_us).collect()),
            added_cpu_us: median(pairs.iter().map(|p| p.1.cpu_us - p.0.cpu_us).collect()),
            errors: pairs.iter().map(|p| p.0.errors + p.1.errors).sum(),
        };
        eprintln!(
            "{:>14}: on/off {:.2} (rounds {:.2}–{:.2}), CPU added {:.1} µs/req",
            cost.mix, cost.ratio, cost.ratio_min, cost.ratio_max, cost.added_cpu_us
        );
        rows.push(cost);
    }
    Ok(rows)
}

pub fn markdown(rows: &[MixCost], o: &Opts) -> String {
    let mut s = format!(
        "WAF cost in the gateway: default rules (`block`) against `waf.mode = \"off\"`, {} × {} alternating rounds \
         of {} s per mix (fresh processes for each of the {} runs), {} connections, closed loop.\n\n\
         | mix | off req/s | on req/s | on/off (median round) | rounds min–max | off CPU µs/req | on CPU µs/req | \
         added µs/req | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        o.restarts, o.rounds, o.duration, o.restarts, o.connections
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.2} | {:.2}–{:.2} | {:.1} | {:.1} | {:.1} | {} |\n",
            r.mix,
            r.off_rps,
            r.on_rps,
            r.ratio,
            r.ratio_min,
            r.ratio_max,
            r.off_cpu_us,
            r.on_cpu_us,
            r.added_cpu_us,
            r.errors
        ));
    }
    s
}
