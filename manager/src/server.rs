//! Serving: startup (database, first admin, site files), the HTTP listener with API, UI and metrics, the
//! retention task and graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{self, Db};
use crate::sites::publish::Publisher;
use crate::state::AppState;
use crate::store;

pub fn run(cfg: Config) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(serve(cfg))
}

/// Creates the first admin from `JHSY_ADMIN_PASSWORD`, or prints a one-time setup link. Never a default password.
fn first_admin(cfg: &Config, db: &Db, local: SocketAddr) -> anyhow::Result<()> {
    if db.blocking(|c| store::users::count(c))? > 0 {
        return Ok(());
    }
    if let Ok(pw) = std::env::var("JHSY_ADMIN_PASSWORD") {
        let name = std::env::var("JHSY_ADMIN_USER").unwrap_or_else(|_| "admin".into());
        db.blocking(|c| {
            store::users::create(c, &name, &pw, store::users::Role::Admin)?;
            store::audit::record(
                c,
                "startup",
                "user.add",
                &format!("{name} (admin) from JHSY_ADMIN_PASSWORD"),
                "",
            )
        })
        .map_err(|e| anyhow::anyhow!("JHSY_ADMIN_PASSWORD: {e}"))?;
        tracing::info!(user = %name, "created the first admin from JHSY_ADMIN_PASSWORD");
        return Ok(());
    }
    let token = db.blocking(|c| store::users::new_setup_token(c, 24 * 3600))?;
    let base = match &cfg.public_url {
        Some(_) => cfg.base_url(),
        None => format!("http://{local}"),
    };
    let link = format!("{base}/setup?token={token}");
    tracing::warn!("no users yet: create the first admin within 24 h at {link}");
    println!("setup link: {link}");
    Ok(())
}

/// Rewrites every stored site into `sites_dir` so the directory matches the database after a restart.
async fn publish_all(state: &AppState) {
    let sites = match state.db.call(|c| store::sites::list(c)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "listing sites");
            return;
        }
    };
    for s in sites {
        let p = state.publisher.clone();
        let name = s.name.clone();
        match tokio::task::spawn_blocking(move || p.publish(&s)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(site = %name, "publishing site: {e}"),
            Err(e) => tracing::error!(site = %name, "publishing site: {e}"),
        }
    }
}

async fn retention(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let r = state.cfg.retention.clone();
        let res = state
            .db
            .call(move |c| {
                let e = store::events::prune(c, r.events.as_secs() as i64, r.max_events)?;
                let d = store::decisions::prune(c, r.decisions.as_secs() as i64)?;
                let a = store::audit::prune(c, r.audit.as_secs() as i64)?;
                Ok((e, d, a))
            })
            .await;
        match res {
            Ok((0, 0, 0)) => {}
            Ok((e, d, a)) => tracing::info!(events = e, decisions = d, audit = a, "retention pruned rows"),
            Err(e) => tracing::error!(error = %e, "retention"),
        }
    }
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(crate::api::router(state.clone()))
        .merge(crate::web::router(state.clone()))
        .with_state(state)
}

async fn serve(cfg: Config) -> anyhow::Result<()> {
    let db = Db::new(db::open(&cfg.database)?);
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listen {}: {e}", cfg.listen))?;
    let local = listener.local_addr()?;
    first_admin(&cfg, &db, local)?;
    let publisher = Publisher::new(
        cfg.sites_dir.clone(),
        cfg.site_templates.as_deref(),
        cfg.gateway_bin.clone(),
    )?;
    let state = AppState::new(cfg, db, publisher)?;
    publish_all(&state).await;
    tokio::spawn(retention(state.clone()));
    tracing::info!(%local, "manager listening");
    println!("listening on {local}");
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    tracing::info!("manager stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
