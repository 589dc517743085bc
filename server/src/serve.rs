//! Running the server: bind the listeners, start the pipeline, the rule reloader, the manager output, the
//! alarm sinks and the metrics endpoint; on SIGINT/SIGTERM stop accepting, flush what is queued to the spool
//! and exit. `start` is also what the benchmark uses in-process.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use crate::client::ManagerClient;
use crate::config::{Config, Untagged};
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::output::{self, BatchConfig};
use crate::pipeline::Pipeline;
use crate::rules::{self, RuleSet};
use crate::spool::Spool;

/// A started server.
pub struct Running {
    pub udp: Vec<SocketAddr>,
    pub tcp: Vec<SocketAddr>,
    pub tls: Vec<SocketAddr>,
    pub metrics_addr: Option<SocketAddr>,
    pub pipeline: Arc<Pipeline>,
    listeners: Vec<JoinHandle<()>>,
    batcher: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops listening and writes queued items to the spool (bounded wait).
    pub async fn shutdown(self) {
        for t in &self.listeners {
            t.abort();
        }
        for t in self.listeners {
            let _ = t.await;
        }
        drop(self.pipeline);
        if let Some(b) = self.batcher {
            let _ = tokio::time::timeout(Duration::from_secs(5), b).await;
        }
        for t in self.background {
            t.abort();
        }
    }
}

pub fn main(config: &Path) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cfg = Config::load(config)?;
    let set = rules::load_dir(&cfg.rules_dir).map_err(|errs| {
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("rules do not load:\n{}", msg.join("\n"))
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let running = start(&cfg, set).await?;
        tracing::info!(udp = ?running.udp, tcp = ?running.tcp, tls = ?running.tls, metrics = ?running.metrics_addr, "server running");
        wait_for_signal().await;
        tracing::info!("shutting down: flushing queued decisions and events to the spool");
        running.shutdown().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Binds everything and spawns the tasks.
pub async fn start(cfg: &Config, set: RuleSet) -> anyhow::Result<Running> {
    let metrics = Metrics::new();
    let rules = Arc::new(ArcSwap::from_pointee(set));
    let mut background = Vec::new();

    let (out_tx, batcher) = match &cfg.decisions.manager {
        Some(url) => {
            let secret = cfg.secret()?.unwrap_or_default();
            let spool = Arc::new(
                Spool::open(&cfg.decisions.spool_dir, cfg.decisions.spool_max_bytes)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", cfg.decisions.spool_dir.display()))?,
            );
            let waiting = spool.list().len();
            if waiting > 0 {
                tracing::info!(
                    batches = waiting,
                    "spool holds batches from before; delivering them first"
                );
            }
            let notify = Arc::new(Notify::new());
            let (tx, rx) = mpsc::channel(100_000);
            let bc = BatchConfig {
                batch_max: cfg.decisions.batch_max.max(1),
                flush: cfg.decisions.flush_interval,
                send_events: cfg.decisions.send_events,
            };
            let b = tokio::spawn(output::batcher(rx, spool.clone(), bc, notify.clone(), metrics.clone()));
            let client = ManagerClient::new(url, &cfg.decisions.key_id, &secret);
            background.push(tokio::spawn(output::sender(spool, client, notify, metrics.clone())));
            (Some(tx), Some(b))
        }
        None => (None, None),
    };

    let (alarm_tx, alarm_rx) = mpsc::channel(10_000);
    let smtp_password = match cfg.alarms.smtp.as_ref().and_then(|s| s.password_file.as_ref()) {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    let alarms_cfg = crate::config::AlarmsConfig {
        throttle: cfg.alarms.throttle,
        max_sources: cfg.alarms.max_sources,
        manager: cfg.alarms.manager,
        webhooks: cfg.alarms.webhooks.clone(),
        smtp: cfg.alarms.smtp.clone(),
    };
    background.push(tokio::spawn(crate::alarm::run(
        alarm_rx,
        alarms_cfg,
        smtp_password,
        out_tx.clone(),
        metrics.clone(),
    )));

    let pipeline = Arc::new(Pipeline::new(
        rules.clone(),
        Engine::new(&cfg.engine()),
        metrics.clone(),
        out_tx,
        Some(alarm_tx),
        cfg.untagged == Untagged::All,
    ));

    let mut listeners = Vec::new();
    let mut udp_addrs = Vec::new();
    for a in &cfg.syslog.udp {
        let s = UdpSocket::bind(a).await.map_err(|e| anyhow::anyhow!("udp {a}: {e}"))?;
        udp_addrs.push(s.local_addr()?);
        listeners.push(tokio::spawn(crate::listen::udp(
            s,
            pipeline.clone(),
            cfg.syslog.max_message,
        )));
    }
    let mut tcp_addrs = Vec::new();
    for a in &cfg.syslog.tcp {
        let l = TcpListener::bind(a)
            .await
            .map_err(|e| anyhow::anyhow!("tcp {a}: {e}"))?;
        tcp_addrs.push(l.local_addr()?);
        listeners.push(tokio::spawn(crate::listen::tcp(
            l,
            pipeline.clone(),
            cfg.syslog.max_message,
            cfg.syslog.max_connections,
            cfg.syslog.idle_timeout,
        )));
    }

    let mut tls_addrs = Vec::new();
    if let Some(t) = &cfg.syslog.tls {
        let acc = crate::tls::acceptor(&t.cert, &t.key)?;
        for a in &t.listen {
            let l = TcpListener::bind(a)
                .await
                .map_err(|e| anyhow::anyhow!("tls {a}: {e}"))?;
            tls_addrs.push(l.local_addr()?);
            listeners.push(tokio::spawn(crate::tls::serve(
                l,
                acc.clone(),
                pipeline.clone(),
                cfg.syslog.max_message,
                cfg.syslog.max_connections,
                cfg.syslog.idle_timeout,
            )));
        }
    }

    {
        let p = pipeline.clone();
        listeners.push(tokio::spawn(async move {
            let mut t = tokio::time::interval(Duration::from_secs(5));
            loop {
                t.tick().await;
                p.sweep();
            }
        }));
    }
    background.push(tokio::spawn(crate::reload::watch(
        cfg.rules_dir.clone(),
        cfg.reload_interval,
        rules,
        metrics.clone(),
    )));

    let metrics_addr = match cfg.metrics.listen {
        Some(a) => {
            let l = TcpListener::bind(a)
                .await
                .map_err(|e| anyhow::anyhow!("metrics {a}: {e}"))?;
            let addr = l.local_addr()?;
            background.push(tokio::spawn(crate::http::serve(l, metrics.clone())));
            Some(addr)
        }
        None => None,
    };

    Ok(Running {
        udp: udp_addrs,
        tcp: tcp_addrs,
        tls: tls_addrs,
        metrics_addr,
        pipeline,
        listeners,
        batcher,
        background,
    })
}
