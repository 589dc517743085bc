//! `benches`: runs every contestant on loopback with the same load and prints requests/s, latency percentiles,
//! errors, CPU and memory per request mix (`benches compare [--quick] [--json FILE]`). It also serves as the
//! origin (`benches origin`) and runs the gateway (`benches gateway --config`), so one release build is measured.

mod bare;
mod contestants;
mod load;
mod mixes;
mod origin;
mod procstat;
mod report;
mod waf_cost;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::{Parser, Subcommand};

// Same allocator as the `gateway` binary, so the gateway contestants measure the same program.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use contestants::{Env, Kind};
use load::{Pattern, Plan};
use report::{Report, Row};

#[derive(Debug, Parser)]
#[command(name = "benches")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Compare every contestant.
    Compare {
        /// About a minute in all.
        #[arg(long)]
        quick: bool,
        /// Also write the results as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write the Markdown table.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Worker threads/processes of each proxy.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Seconds per measurement phase (default 5, quick 1).
        #[arg(long)]
        duration: Option<f64>,
        /// Concurrent connections of the closed-loop phase.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Requests/s of the open-loop latency phase.
        #[arg(long, default_value_t = 1000.0)]
        rate: f64,
        /// Only these contestants (comma-separated names).
        #[arg(long)]
        only: Option<String>,
        /// Only these mixes (comma-separated names).
        #[arg(long)]
        mixes: Option<String>,
        /// Rule directory of the gateway.
        #[arg(long, default_value = "rules/waf")]
        rules: PathBuf,
        /// Use wrk (when installed) for the throughput phase.
        #[arg(long)]
        wrk: bool,
    },
    /// The default rules' cost in the gateway: rules on against rules off, driven in alternating rounds.
    WafCost {
        /// Runs with fresh gateway processes; their rounds are pooled.
        #[arg(long, default_value_t = 3)]
        restarts: usize,
        /// Rounds per mix and run (each runs both gateways once).
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Seconds of load per gateway per round.
        #[arg(long, default_value_t = 2.0)]
        duration: f64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Only these mixes (comma-separated names).
        #[arg(long)]
        mixes: Option<String>,
        #[arg(long, default_value = "rules/waf")]
        rules: PathBuf,
        #[arg(long)]
        json: Option<PathBuf>,
        #[arg(long)]
        markdown: Option<PathBuf>,
    },
    /// Serve as the benchmark origin.
    Origin {
        #[arg(long)]
        addr: SocketAddr,
    },
    /// Run the smallest pingora proxy (the `pingora-bare` contestant).
    BarePingora {
        #[arg(long)]
        listen: SocketAddr,
        #[arg(long)]
        upstream: SocketAddr,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Run the gateway (same code as the `gateway` binary).
    Gateway {
        #[arg(long)]
        config: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Origin { addr } => origin::serve(addr),
        Cmd::BarePingora {
            listen,
            upstream,
            threads,
        } => bare::run(listen, upstream, threads),
        Cmd::Gateway { config } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
            gateway::app::run(&config, false)
        }
        Cmd::WafCost {
            restarts,
            rounds,
            duration,
            connections,
            mixes,
            rules,
            json,
            markdown,
        } => {
            let o = waf_cost::Opts {
                restarts: restarts.max(1),
                rounds: rounds.max(1),
                duration,
                connections,
                mixes,
                json,
                markdown,
            };
            let (mut origin, env) = start_origin(1, &rules)?;
            let rows = waf_cost::run(&env, &o);
            let _ = origin.kill();
            let _ = origin.wait();
            let _ = std::fs::remove_dir_all(&env.dir);
            let rows = rows?;
            let md = waf_cost::markdown(&rows, &o);
            println!("{md}");
            if let Some(p) = &o.markdown {
                std::fs::write(p, &md)?;
            }
            if let Some(p) = &o.json {
                std::fs::write(p, serde_json::to_vec_pretty(&rows)?)?;
            }
            Ok(())
        }
        Cmd::Compare {
            quick,
            json,
            markdown,
            threads,
            duration,
            connections,
            rate,
            only,
            mixes,
            rules,
            wrk,
        } => {
            let duration = duration.unwrap_or(if quick { 1.0 } else { 5.0 });
            compare(CompareOpts {
                json,
                markdown,
                threads,
                duration,
                connections,
                rate,
                only,
                mixes,
                rules,
                wrk,
            })
        }
    }
}

struct CompareOpts {
    json: Option<PathBuf>,
    markdown: Option<PathBuf>,
    threads: usize,
    duration: f64,
    connections: usize,
    rate: f64,
    only: Option<String>,
    mixes: Option<String>,
    rules: PathBuf,
    wrk: bool,
}

/// True when `name` is in the comma-separated `filter` (`--only`, `--mixes`), or there is no filter.
fn listed(name: &str, filter: &Option<String>) -> bool {
    filter.as_ref().is_none_or(|f| f.split(',').any(|x| x.trim() == name))
}

/// Starts the origin (this binary's `origin` command) and describes the environment contestants start in.
fn start_origin(threads: usize, rules: &std::path::Path) -> anyhow::Result<(std::process::Child, Env)> {
    let exe = std::env::current_exe()?;
    let dir = std::env::temp_dir().join(format!("jhsy-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let origin_addr = contestants::free_addr()?;
    let origin = Command::new(&exe)
        .arg("origin")
        .arg("--addr")
        .arg(origin_addr.to_string())
        .stdout(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(300));
    let env = Env {
        dir,
        origin: origin_addr,
        threads,
        rules: std::fs::canonicalize(rules)?,
        exe,
    };
    Ok((origin, env))
}

fn compare(o: CompareOpts) -> anyhow::Result<()> {
    let (mut origin, env) = start_origin(o.threads, &o.rules)?;
    let dir = env.dir.clone();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let use_wrk = o.wrk && Command::new("wrk").arg("--version").output().is_ok();
    let gen = if use_wrk {
        "wrk (throughput) + built-in open loop (latency)"
    } else {
        "built-in (hyper, closed loop for req/s, open loop for latency)"
    };
    let mut rows = Vec::new();
    let all_mixes = mixes::all();
    let attack_mix = all_mixes.iter().find(|m| m.attack).cloned();
    let dur = Duration::from_secs_f64(o.duration);
    for kind in Kind::ALL.into_iter().filter(|k| listed(k.name(), &o.only)) {
        if let Some(why) = contestants::skipped(kind) {
            eprintln!("{}: skipped ({why})", kind.name());
            for m in all_mixes.iter().filter(|m| listed(m.name, &o.mixes)) {
                rows.push(skipped_row(kind.name(), m.name, &why));
            }
            continue;
        }
        let mut running = contestants::start(kind, &env)?;
        let pid = if kind == Kind::Direct { origin.id() } else { running.pid };
        for m in all_mixes.iter().filter(|m| listed(m.name, &o.mixes)) {
            let attack = (kind == Kind::GatewayDeceive)
                .then(|| attack_mix.clone().map(|a| (10usize, a)))
                .flatten();
            let plan = |pattern, conns| Plan {
                target: running.addr,
                host: "bench.local".into(),
                mix: m.clone(),
                attack: attack.clone(),
                conns,
                duration: dur,
                pattern,
            };
            // Warm-up: connections, caches, and (deceive) the attackers' first marks.
            rt.block_on(load::run(Plan {
                duration: Duration::from_millis(300),
                ..plan(Pattern::Closed, 8)
            }));
            let cpu0 = procstat::cpu_seconds(pid).unwrap_or(0.0);
            let thr = rt.block_on(load::run(plan(Pattern::Closed, o.connections)));
            // CPU per answered request while saturated: the proxy's efficiency, whatever the load generator and
            // the origin leave it of the machine's cores.
            let cpu_thr = procstat::cpu_seconds(pid).unwrap_or(0.0) - cpu0;
            let cpu_us_per_req = cpu_thr * 1e6 / thr.ok.max(1) as f64;
            let rps = if use_wrk && attack.is_none() {
                wrk_rps(running.addr, m, o.connections, o.duration).unwrap_or(thr.rps())
            } else {
                thr.rps()
            };
            let lat = rt.block_on(load::run(plan(Pattern::Open { rate: o.rate }, 16)));
            let cpu = procstat::cpu_seconds(pid).unwrap_or(0.0) - cpu0;
            let h = &lat.hist;
            let row = Row {
                contestant: kind.name().into(),
                mix: m.name.into(),
                rps,
                p50_us: h.value_at_quantile(0.5),
                p90_us: h.value_at_quantile(0.9),
                p99_us: h.value_at_quantile(0.99),
                p999_us: h.value_at_quantile(0.999),
                errors: thr.errors + lat.errors,
                cpu_s: cpu,
                cpu_us_per_req,
                peak_rss_kib: procstat::peak_rss_kib(pid).unwrap_or(0),
                rps_ratio_direct: None,
                p99_added_us: None,
                skipped: None,
            };
            eprintln!(
                "{:>18} {:>14}: {:>8.0} req/s  p50 {:>6} µs  p99 {:>6} µs  errors {}",
                row.contestant, row.mix, row.rps, row.p50_us, row.p99_us, row.errors
            );
            rows.push(row);
        }
        running.stop();
    }
    let reload = if listed("gateway", &o.only) {
        Some(reload_under_load(&rt, &env, o.duration.max(2.0), o.rate)?)
    } else {
        None
    };
    let _ = origin.kill();
    let _ = origin.wait();
    report::add_ratios(&mut rows);
    let rep = Report {
        machine: report::machine(o.threads, o.duration, o.rate, o.connections, gen),
        results: rows,
        reload,
    };
    let md = report::markdown(&rep);
    println!("{md}");
    if let Some(p) = &o.markdown {
        std::fs::write(p, &md)?;
    }
    if let Some(p) = &o.json {
        std::fs::write(p, serde_json::to_vec_pretty(&rep)?)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn skipped_row(contestant: &str, mix: &str, why: &str) -> Row {
    Row {
        contestant: contestant.into(),
        mix: mix.into(),
        rps: 0.0,
        p50_us: 0,
        p90_us: 0,
        p99_us: 0,
        p999_us: 0,
        errors: 0,
        cpu_s: 0.0,
        cpu_us_per_req: 0.0,
        peak_rss_kib: 0,
        rps_ratio_direct: None,
        p99_added_us: None,
        skipped: Some(why.into()),
    }
}

/// Throughput with wrk (a Lua script sets method, headers and body).
fn wrk_rps(addr: SocketAddr, m: &mixes::Mix, conns: usize, secs: f64) -> Option<f64> {
    let script = std::env::temp_dir().join(format!("jhsy-wrk-{}.lua", std::process::id()));
    let body = String::from_utf8_lossy(&m.body)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\r', "\\r")
        .replace('\n', "\\n");
    let ct = m.content_type.clone().unwrap_or_default();
    std::fs::write(&script, format!("wrk.method = \"{}\"\nwrk.body = \"{body}\"\nwrk.headers[\"Content-Type\"] = \"{ct}\"\nwrk.headers[\"Host\"] = \"bench.local\"\n", m.method)).ok()?;
    let out = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{conns}"),
            &format!("-d{}s", secs.ceil() as u64),
            "-s",
        ])
        .arg(&script)
        .arg(format!("http://{addr}{}", m.path))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Open-loop load on the gateway (default rules) while its rule directory is rewritten 10 times.
fn reload_under_load(
    rt: &tokio::runtime::Runtime,
    env: &Env,
    secs: f64,
    rate: f64,
) -> anyhow::Result<report::ReloadResult> {
    // The gateway reads a private copy of the rules, so rewriting them does not touch the repository.
    let rules = env.dir.join("reload-rules");
    std::fs::create_dir_all(&rules)?;
    for e in std::fs::read_dir(&env.rules)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "toml") {
            if let Some(name) = p.file_name() {
                std::fs::copy(&p, rules.join(name))?;
            }
        }
    }
    let env2 = Env {
        dir: env.dir.join("reload"),
        origin: env.origin,
        threads: env.threads,
        rules: rules.clone(),
        exe: env.exe.clone(),
    };
    let mut running = contestants::start(Kind::Gateway, &env2)?;
    let mix = mixes::all()
        .into_iter()
        .find(|m| m.name == "get-10-args")
        .ok_or_else(|| anyhow::anyhow!("mix missing"))?;
    let plan = |d: f64| Plan {
        target: running.addr,
        host: "bench.local".into(),
        mix: mix.clone(),
        attack: None,
        conns: 16,
        duration: Duration::from_secs_f64(d),
        pattern: Pattern::Open { rate },
    };
    let quiet = rt.block_on(load::run(plan(secs)));
    let total = secs * 2.0;
    let files: Vec<PathBuf> = std::fs::read_dir(&rules)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let handle = rt.spawn(load::run(plan(total)));
    for i in 0..10 {
        std::thread::sleep(Duration::from_secs_f64(total / 11.0));
        for f in &files {
            let text = std::fs::read_to_string(f)?;
            std::fs::write(f, format!("{}\n# reload {i}\n", text.trim_end()))?;
        }
    }
    let during = rt.block_on(handle)?;
    running.stop();
    Ok(report::ReloadResult {
        reloads: 10,
        requests: during.ok + during.errors,
        failed: during.errors,
        p99_us: during.hist.value_at_quantile(0.99),
        p99_us_without_reload: quiet.hist.value_at_quantile(0.99),
    })
}
