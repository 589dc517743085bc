//! Assembles the pingora server: proxy service on every listener, admin service, background tasks.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use pingora_core::server::configuration::{Opt, ServerConf};
use pingora_core::server::Server;
use pingora_core::services::background::background_service;
use pingora_core::services::listening::Service;

use crate::admin::Admin;
use crate::background::{BadGuyKeeper, HealthChecker, Watcher};
use crate::config::GatewayConfig;
use crate::pool::BackendRegistry;
use crate::proxy::Gateway;
use crate::state::{load_snapshot, Shared};
use pingora_core::listeners::tls::TlsSettings;

/// Validates `gateway.toml`, every site and every rule file; returns the error lines.
pub fn check(config_path: &Path) -> Result<String, Vec<String>> {
    let cfg = GatewayConfig::load(config_path).map_err(|e| vec![e.to_string()])?;
    let snap = load_snapshot(&cfg, &BackendRegistry::default(), 1)
        .map_err(|errs| errs.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    Ok(format!(
        "{}: ok ({} sites, {} rules)",
        config_path.display(),
        snap.router.sites.len(),
        snap.engine.rule_count()
    ))
}

/// Loads everything and runs until a shutdown signal. `upgrade` takes the listeners over from a running
/// gateway (pingora's graceful upgrade: start the new one with `--upgrade`, then SIGQUIT the old one).
pub fn run(config_path: &Path, upgrade: bool) -> anyhow::Result<()> {
    let cfg = GatewayConfig::load(config_path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let registry = BackendRegistry::default();
    let watched = crate::background::config_fingerprint(&cfg);
    let snapshot = load_snapshot(&cfg, &registry, 1).map_err(|errs| {
        for e in &errs {
            tracing::error!("{e}");
        }
        anyhow::anyhow!("{} configuration error(s); not starting", errs.len())
    })?;

    let mut listeners: Vec<SocketAddr> = cfg.listen.clone();
    for l in snapshot.router.site_listeners() {
        if !listeners.contains(l) {
            listeners.push(*l);
        }
    }

    let mut conf = ServerConf {
        threads: cfg.threads,
        pid_file: cfg.pid_file.display().to_string(),
        upgrade_sock: cfg.upgrade_sock.display().to_string(),
        grace_period_seconds: Some(1),
        graceful_shutdown_timeout_seconds: Some(5),
        ..ServerConf::default()
    };
    // One current-thread runtime per worker (pingora's "no steal" mode): no cross-thread wake-ups per request.
    conf.work_stealing = false;
    let opt = Opt {
        upgrade,
        ..Opt::default()
    };
    let mut server = Server::new_with_opt_and_conf(opt, conf);
    server.bootstrap();

    let shared =
        Arc::new(Shared::new(cfg.clone(), snapshot, registry, listeners.clone()).map_err(|e| anyhow::anyhow!(e))?);

    let mut proxy = pingora_proxy::http_proxy_service_with_name(
        &server.configuration,
        Gateway { shared: shared.clone() },
        "gateway",
    );
    for l in &listeners {
        proxy.add_tcp(&l.to_string());
    }
    if !cfg.tls_listen.is_empty() && !shared.snapshot.load().router.sites.iter().any(|s| s.tls.is_some()) {
        tracing::warn!(listen = ?cfg.tls_listen, "tls_listen is set but no site has a [tls] certificate: handshakes will fail until one does");
    }
    for l in &cfg.tls_listen {
        let mut tls = TlsSettings::intermediate("", "").map_err(|e| anyhow::anyhow!("TLS settings: {e}"))?;
        tls.set_cert_resolver(shared.tls.clone());
        // ALPN offers h2 then http/1.1, as nginx's `listen 443 ssl http2` does.
        tls.enable_h2();
        proxy.add_tls_with_settings(&l.to_string(), None, tls);
    }
    let mut admin = Service::new("admin".to_string(), Admin { shared: shared.clone() });
    admin.add_tcp(&cfg.admin_listen.to_string());

    server.add_service(proxy);
    server.add_service(admin);
    server.add_service(background_service("watcher", Watcher::new(shared.clone(), watched)));
    server.add_service(background_service("badguys", BadGuyKeeper { shared: shared.clone() }));
    server.add_service(background_service("health", HealthChecker { shared: shared.clone() }));
    if cfg.decisions.manager.is_some() {
        let sync = crate::manager_sync::ManagerSync::new(shared.clone()).context("manager sync")?;
        server.add_service(background_service("manager-sync", sync));
    }
    tracing::info!(listen = ?listeners, tls_listen = ?cfg.tls_listen, admin = %cfg.admin_listen, threads = cfg.threads, "gateway starting");
    server.run_forever()
}
