//! The metrics endpoint: `GET /metrics` (Prometheus text) and `GET /healthz`.

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::metrics::Metrics;

pub async fn serve(l: TcpListener, m: Metrics) {
    let app = Router::new()
        .route(
            "/metrics",
            get(move || {
                let m = m.clone();
                async move { ([("content-type", "text/plain; version=0.0.4")], m.render()) }
            }),
        )
        .route("/healthz", get(|| async { "ok\n" }));
    if let Err(e) = axum::serve(l, app).await {
        tracing::error!(error = %e, "metrics endpoint stopped");
    }
}
