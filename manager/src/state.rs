//! Everything a request handler needs, built once at startup and passed to the router.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::nonce::NonceCache;
use crate::sites::publish::Publisher;
use crate::web::ratelimit::LoginLimiter;

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub cfg: Config,
    pub db: Db,
    pub nonces: NonceCache,
    pub metrics: Metrics,
    pub publisher: Publisher,
    pub logins: LoginLimiter,
    pub ui: crate::web::render::Ui,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(cfg: Config, db: Db, publisher: Publisher) -> anyhow::Result<Self> {
        let nonces = NonceCache::new(cfg.limits.nonce_cache);
        let logins = LoginLimiter::new(cfg.limits.login_failures, cfg.limits.login_window);
        let ui = crate::web::render::Ui::new().map_err(|e| anyhow::anyhow!("built-in templates: {e}"))?;
        Ok(AppState(Arc::new(Inner {
            cfg,
            db,
            nonces,
            metrics: Metrics::default(),
            publisher,
            logins,
            ui,
        })))
    }
}
