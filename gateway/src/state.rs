//! Process-wide state: the current config snapshot (sites + compiled rules, swapped atomically on reload), the
//! bad-guy table, backend health, CC counters and metrics. Each request pins one snapshot at its start, so a
//! reload never changes a request halfway.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::access_log::AccessLog;
use crate::badguys::BadGuyTable;
use crate::config::GatewayConfig;
use crate::error::ConfigError;
use crate::metrics::Metrics;
use crate::outbox::Outbox;
use crate::pool::BackendRegistry;
use crate::router::Router;
use crate::site::Site;
use crate::tls::{CertTable, SniResolver};

/// Everything a reload replaces at once.
pub struct Snapshot {
    pub router: Router,
    pub engine: Arc<waf::Engine>,
    pub generation: u64,
}

pub struct Shared {
    pub config: GatewayConfig,
    pub snapshot: ArcSwap<Snapshot>,
    pub badguys: BadGuyTable,
    pub registry: BackendRegistry,
    pub rate: waf::RateLimiter,
    pub metrics: Metrics,
    pub access_log: Option<Arc<AccessLog>>,
    /// Listeners bound at start; a site asking for another one needs a graceful restart.
    pub bound: Vec<SocketAddr>,
    /// Decisions and events waiting to be pushed to the manager.
    pub outbox: Outbox,
    /// Certificates for `tls_listen`, refreshed on reload.
    pub tls: Arc<SniResolver>,
    reload_lock: Mutex<()>,
}

/// `*.toml` files of a directory, sorted so load order (and error order) is stable.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let rd = std::fs::read_dir(dir).map_err(|e| ConfigError::io(dir, &e))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Loads every site and the rule set. All errors are collected, not just the first.
pub fn load_snapshot(
    cfg: &GatewayConfig,
    registry: &BackendRegistry,
    generation: u64,
) -> Result<Snapshot, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut sites = Vec::new();
    match toml_files(&cfg.sites_dir) {
        Ok(files) => {
            for f in files {
                match Site::load(&f, registry) {
                    Ok(s) => sites.push(Arc::new(s)),
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    let mut names = HashSet::new();
    for s in &sites {
        if !names.insert(s.name.clone()) {
            errors.push(ConfigError::at(
                &s.file,
                1,
                format!("site name {:?} is used by another file", s.name),
            ));
        }
    }
    let engine = match waf::Engine::load_dir(&cfg.rules_dir) {
        Ok(e) => Some(e),
        Err(errs) => {
            errors.extend(errs.into_iter().map(|e| ConfigError {
                file: e.file,
                line: e.line,
                message: e.message,
            }));
            None
        }
    };
    if sites.is_empty() && errors.is_empty() {
        tracing::warn!(dir = %cfg.sites_dir.display(), "no site files: every request will get 421");
    }
    let router = match Router::build(sites) {
        Ok(r) => r,
        Err((site, msg)) => {
            errors.push(ConfigError::at(&site.file, 1, msg));
            Router::default()
        }
    };
    match engine {
        Some(engine) if errors.is_empty() => Ok(Snapshot {
            router,
            engine: Arc::new(engine),
            generation,
        }),
        _ => Err(errors),
    }
}

/// Certificates of every site that has one, indexed like the router.
pub fn cert_table(router: &Router) -> CertTable {
    let mut t = CertTable::default();
    for s in &router.sites {
        if let Some(key) = &s.tls {
            t.add(&s.hosts, s.default, key);
        }
    }
    t
}

impl Shared {
    pub fn new(
        config: GatewayConfig,
        snapshot: Snapshot,
        registry: BackendRegistry,
        bound: Vec<SocketAddr>,
    ) -> Result<Shared, String> {
        let access_log = match &config.access_log {
            Some(p) => Some(AccessLog::open(p)?),
            None => None,
        };
        let badguys = BadGuyTable::new(config.badguys.max_entries);
        if let Some(p) = &config.state_file {
            match badguys.load(p, crate::badguys::unix_now()) {
                Ok((n, r)) => tracing::info!(entries = n, ranges = r, file = %p.display(), "bad-guy table restored"),
                Err(e) => tracing::warn!("bad-guy state not restored: {e}"),
            }
        }
        let outbox = Outbox::new(config.decisions.manager.is_some());
        let tls = Arc::new(SniResolver::default());
        tls.replace(cert_table(&snapshot.router));
        Ok(Shared {
            config,
            snapshot: ArcSwap::from_pointee(snapshot),
            badguys,
            registry,
            rate: waf::RateLimiter::default(),
            metrics: Metrics::new(),
            access_log,
            bound,
            outbox,
            tls,
            reload_lock: Mutex::new(()),
        })
    }

    /// Re-reads sites and rules. On any error the running snapshot stays and every error is logged as
    /// `file:line: message`.
    pub fn reload(&self, why: &str) -> Result<u64, Vec<ConfigError>> {
        let Ok(_guard) = self.reload_lock.lock() else {
            return Err(vec![ConfigError::at(Path::new("-"), 0, "reload lock poisoned")]);
        };
        // Every reload (SIGHUP above all) reopens the access logs, even when the new files turn out broken.
        let current = self.snapshot.load_full();
        for log in self
            .access_log
            .iter()
            .chain(current.router.sites.iter().flat_map(|s| s.access_log.iter()))
        {
            log.reopen();
        }
        let generation = current.generation + 1;
        match load_snapshot(&self.config, &self.registry, generation) {
            Ok(snap) => {
                for l in snap.router.site_listeners() {
                    if !self.bound.contains(l) {
                        tracing::warn!(listen = %l, "a site asks for a listener that is not bound: it needs a graceful restart (SIGQUIT + gateway --upgrade)");
                    }
                }
                let in_use: HashSet<SocketAddr> = snap
                    .router
                    .sites
                    .iter()
                    .flat_map(|s| {
                        s.real
                            .backends
                            .iter()
                            .chain(s.unreal.iter().flat_map(|u| u.backends.iter()))
                    })
                    .map(|b| b.addr)
                    .collect();
                let sites = snap.router.sites.len();
                let rules = snap.engine.rule_count();
                self.tls.replace(cert_table(&snap.router));
                self.snapshot.store(Arc::new(snap));

                self.registry.retain(&in_use);
                self.metrics.reloads.with_label_values(&["ok"]).inc();
                tracing::info!(why, generation, sites, rules, "configuration reloaded");
                Ok(generation)
            }
            Err(errors) => {
                self.metrics.reloads.with_label_values(&["error"]).inc();
                self.metrics.reload_errors.inc();
                for e in &errors {
                    tracing::error!("{e}");
                }
                tracing::error!(
                    why,
                    errors = errors.len(),
                    "reload rejected; the previous configuration keeps serving"
                );
                Err(errors)
            }
        }
    }
}
