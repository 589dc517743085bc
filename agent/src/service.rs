//! The long-lived agent: starts the readers, the senders and the policy loop as threads, waits for SIGTERM or
//! SIGINT, stops them in order and optionally removes the firewall table. Also `agent -c stop`.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use protocol::policy::PolicyMode;

use crate::config::Config;
use crate::firewall::Firewall;
use crate::policy::pull::Puller;
use crate::policy::source::{load_cache, PolicyLoop, Source};
use crate::spool::Spool;
use crate::tail::Tailer;
use crate::{forward, redis, ModeCell};

/// How often counters are logged.
const STATUS_EVERY: Duration = Duration::from_secs(60);

fn pid_path(cfg: &Config) -> PathBuf {
    cfg.state_dir.join("agent.pid")
}

fn read_pid(p: &Path) -> Option<i32> {
    std::fs::read_to_string(p).ok()?.trim().parse().ok()
}

/// Whether `pid` is a live process (a zombie waiting for its parent counts as gone).
fn alive(pid: i32) -> bool {
    if kill(Pid::from_raw(pid), None).is_err() {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // Field 3, after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| state != "Z" && state != "X"),
        Err(_) => true,
    }
}

fn redis_password(r: &crate::config::RedisConfig) -> Result<Option<String>> {
    if let Some(f) = &r.password_file {
        let t = std::fs::read_to_string(f).with_context(|| format!("redis.password_file {}", f.display()))?;
        return Ok(t.lines().next().map(|l| l.trim().to_string()));
    }
    Ok(r.password.clone())
}

/// Runs until SIGTERM/SIGINT.
pub fn run(cfg: Config, cli_mode: Option<PolicyMode>) -> Result<()> {
    // The spool holds log lines (user names, queries): keep it private.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&cfg.state_dir)
        .with_context(|| format!("state_dir {}", cfg.state_dir.display()))?;
    let pidf = pid_path(&cfg);
    if let Some(pid) = read_pid(&pidf) {
        if pid != std::process::id() as i32 && alive(pid) {
            bail!("another agent (pid {pid}) uses state_dir {}", cfg.state_dir.display());
        }
    }
    std::fs::write(&pidf, format!("{}\n", std::process::id())).with_context(|| format!("{}", pidf.display()))?;

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, stop.clone()).context("installing signal handler")?;
    }
    // A stray SIGHUP (terminal gone, `systemctl reload`) must not kill the agent: nothing to reload by signal,
    // the policy file is watched and the config needs a restart.
    let hup = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, hup.clone()).context("installing signal handler")?;
    let host = cfg.hostname();
    let start_mode = cli_mode
        .or_else(|| {
            cfg.policy_file
                .as_ref()
                .and_then(|f| crate::policy::source::read_policy_file(f).ok())
                .map(|p| p.mode)
        })
        .or_else(|| {
            cfg.manager
                .as_ref()
                .and_then(|_| load_cache(&cfg.state_dir))
                .map(|p| p.mode)
        })
        .unwrap_or(PolicyMode::Honeypot);
    let mode = Arc::new(ModeCell::new(start_mode));
    let consumers: Vec<String> = cfg.servers.iter().map(forward::consumer_name).collect();
    let spool = Arc::new(
        Spool::open(
            &cfg.state_dir.join("spool"),
            cfg.spool.max_bytes,
            cfg.spool.segment_bytes,
            &consumers,
        )
        .context("opening spool")?,
    );
    let mut threads: Vec<(&str, JoinHandle<()>)> = Vec::new();
    let mut sent: Vec<(String, Arc<forward::Stats>)> = Vec::new();
    let mut redis_stats: Option<Arc<redis::Stats>> = None;

    // Policy first, so the firewall is up before anything else.
    let source = if let Some(m) = &cfg.manager {
        Some(Source::Manager(Puller::new(m).context("manager")?))
    } else {
        cfg.policy_file.clone().map(Source::File)
    };
    match source {
        Some(source) => {
            let pl = PolicyLoop {
                source,
                cli_mode,
                firewall: Firewall::new(&cfg.firewall),
                mode: mode.clone(),
                state_dir: cfg.state_dir.clone(),
                hostname: host.clone(),
            };
            let st = stop.clone();
            threads.push(("policy", std::thread::spawn(move || pl.run(st))));
        }
        None => tracing::warn!("no [manager] and no policy_file: the firewall is not managed"),
    }

    if cfg.servers.is_empty() {
        tracing::warn!("no [[servers]]: logs are not read or forwarded");
    } else {
        for s in &cfg.servers {
            let stats = Arc::new(forward::Stats::default());
            sent.push((forward::consumer_name(s), stats.clone()));
            let (s, sp, st) = (s.clone(), spool.clone(), stop.clone());
            threads.push(("sender", std::thread::spawn(move || forward::run(s, sp, stats, st))));
        }
        if !cfg.files.is_empty() {
            let tailer = Tailer::new(&cfg.files, &cfg.state_dir, spool.clone(), host.clone(), mode.clone());
            let (poll, st) = (cfg.tail_poll, stop.clone());
            threads.push(("tailer", std::thread::spawn(move || tailer.run(poll, st))));
        }
        if let Some(r) = &cfg.redis {
            let settings = redis::Settings {
                addr: r.addr.clone(),
                username: r.username.clone(),
                password: redis_password(r)?,
                service: r.service.clone(),
            };
            let (sp, h, m, st) = (spool.clone(), host.clone(), mode.clone(), stop.clone());
            let stats = Arc::new(redis::Stats::default());
            redis_stats = Some(stats.clone());
            threads.push((
                "redis",
                std::thread::spawn(move || redis::run(settings, sp, h, m, stats, st)),
            ));
        }
    }
    tracing::info!(host = %host, mode = ?mode.get(), servers = cfg.servers.len(), files = cfg.files.len(), "agent started");

    let mut last_status = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if hup.swap(false, Ordering::Relaxed) {
            tracing::info!("SIGHUP ignored (the policy file is watched; restart to reload agent.toml)");
        }
        if last_status.elapsed() >= STATUS_EVERY {
            last_status = Instant::now();
            for (name, st) in &sent {
                tracing::info!(server = %name, sent = st.sent.load(Ordering::Relaxed), "status");
            }
            if let Some(r) = &redis_stats {
                tracing::info!(
                    forwarded = r.forwarded.load(Ordering::Relaxed),
                    dropped = r.dropped.load(Ordering::Relaxed),
                    "redis status"
                );
            }
            tracing::info!(spool_bytes = spool.total_bytes(), "spool status");
        }
    }
    tracing::info!("stopping");
    spool.wake_all();
    for (name, t) in threads {
        if t.join().is_err() {
            tracing::error!(thread = name, "thread panicked");
        }
    }
    if cfg.firewall.remove_rules_on_stop {
        match Firewall::new(&cfg.firewall).remove() {
            Ok(()) => tracing::info!(table = %cfg.firewall.table, "nftables table removed"),
            Err(e) => tracing::error!(error = %e, "cannot remove nftables table"),
        }
    }
    let _ = std::fs::remove_file(&pidf);
    tracing::info!("stopped");
    Ok(())
}

/// `agent -c stop`: SIGTERM to the running agent (if any), then remove exactly the agent's table.
pub fn stop(cfg: &Config) -> Result<()> {
    let pidf = pid_path(cfg);
    if let Some(pid) = read_pid(&pidf) {
        if alive(pid) {
            kill(Pid::from_raw(pid), Signal::SIGTERM).with_context(|| format!("signalling pid {pid}"))?;
            let t = Instant::now();
            while alive(pid) && t.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if alive(pid) {
                bail!("agent pid {pid} did not stop within 20 s");
            }
            println!("stopped agent pid {pid}");
        }
    }
    Firewall::new(&cfg.firewall)
        .remove()
        .with_context(|| format!("removing table inet {}", cfg.firewall.table))?;
    println!("removed table inet {} (if it existed)", cfg.firewall.table);
    Ok(())
}
