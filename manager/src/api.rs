//! The machine API under `/api/v1/` (DESIGN.md §4). Every route sits behind `signed::layer`, which verifies the
//! caller's HMAC signature and nonce and signs the answer.

pub mod handlers;
pub mod signed;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::db::DbError;
use crate::state::AppState;

/// A JSON error answer: `{"error": "...", "status": N}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl ApiError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        ApiError(StatusCode::BAD_REQUEST, msg.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.1, "status": self.0.as_u16() });
        (self.0, Json(body)).into_response()
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "database error in API call");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal database error".into())
    }
}

pub fn router(state: AppState) -> Router<AppState> {
    let limit = state.cfg.limits.max_body;
    Router::new()
        .route("/api/v1/decisions", post(handlers::post_decisions))
        .route("/api/v1/decisions/stream", get(handlers::stream))
        .route("/api/v1/events", post(handlers::post_events))
        .route("/api/v1/policy", post(handlers::policy))
        .route("/api/v1/heartbeat", post(handlers::heartbeat))
        .route("/api/v1/sites", get(handlers::sites))
        .route_layer(axum::middleware::from_fn_with_state(state, signed::layer))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
}
