//! Handlers of the machine API. Bodies are parsed here (not by extractors) so a malformed body gets a JSON error
//! naming what is wrong, and a batch is validated whole before anything is stored.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use protocol::event::EventBatch;
use protocol::policy::{Policy, PolicyRequest};
use protocol::{Decision, DecisionStream, Origin};
use serde::Deserialize;
use serde_json::{json, Value};

use super::signed::Caller;
use super::ApiError;
use crate::state::AppState;
use crate::store;

fn parse_decisions(body: &[u8]) -> Result<Vec<Decision>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    if v.is_array() {
        serde_json::from_value(v).map_err(|e| format!("expected [Decision, ...]: {e}"))
    } else {
        serde_json::from_value(v)
            .map(|d| vec![d])
            .map_err(|e| format!("expected a Decision or an array of them: {e}"))
    }
}

/// `POST /api/v1/decisions`: `[Decision, ...]` or one Decision.
pub async fn post_decisions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut batch = parse_decisions(&body).map_err(ApiError::bad_request)?;
    if batch.len() > state.cfg.limits.max_batch {
        return Err(ApiError::bad_request(format!(
            "{} decisions in one call; at most {}",
            batch.len(),
            state.cfg.limits.max_batch
        )));
    }
    store::decisions::validate(&mut batch).map_err(ApiError::bad_request)?;
    let source = caller.key_id.clone();
    let n = batch.len() as u64;
    let out = state
        .db
        .call(move |c| {
            let out = store::decisions::ingest(c, &batch, &source)?;
            let now = crate::db::now();
            for d in batch
                .iter()
                .filter(|d| d.origin != Origin::Manual && d.until.unix_timestamp() > now)
            {
                let summary = format!("banned by {source} ({}): {} on {}", d.reason, d.value, d.service);
                store::alarms::raise(c, "decision", &d.value, &summary, now)?;
            }
            Ok(out)
        })
        .await?;
    state.metrics.add(
        "manager_decisions_ingested_total",
        "outcome=\"created\"".into(),
        out.created as u64,
    );
    state.metrics.add(
        "manager_decisions_ingested_total",
        "outcome=\"extended\"".into(),
        out.extended as u64,
    );
    state.metrics.add(
        "manager_decisions_ingested_total",
        "outcome=\"merged\"".into(),
        n - out.created as u64 - out.extended as u64,
    );
    Ok(Json(
        json!({ "accepted": n, "created": out.created, "extended": out.extended,
                    "merged": out.merged, "expired": out.expired }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    #[serde(default)]
    startup: bool,
}

/// `GET /api/v1/decisions/stream[?startup=true]`.
pub async fn stream(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DecisionStream>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(format!("query: {e}")))?;
    let key = caller.key_id;
    let out = state
        .db
        .call(move |c| store::decisions::stream(c, &key, q.startup))
        .await?;
    Ok(Json(out))
}

/// `POST /api/v1/events`: `{"events": [Event, ...]}`.
pub async fn post_events(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut batch: EventBatch = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("expected {{\"events\":[...]}}: {e}")))?;
    if batch.events.len() > state.cfg.limits.max_batch {
        return Err(ApiError::bad_request(format!(
            "{} events in one batch; at most {}",
            batch.events.len(),
            state.cfg.limits.max_batch
        )));
    }
    store::events::validate(&mut batch.events).map_err(ApiError::bad_request)?;
    let source = caller.key_id;
    let events = batch.events;
    let n = state
        .db
        .call(move |c| {
            let n = store::events::insert(c, &events, &source)?;
            for e in events.iter().filter(|e| e.honeypot) {
                let summary = format!("{} touched honeypot {} ({} {})", e.src_ip, e.site, e.service, e.kind);
                store::alarms::raise(c, "honeypot", &e.src_ip, &summary, e.time.unix_timestamp())?;
            }
            Ok(n)
        })
        .await?;
    state
        .metrics
        .add("manager_events_ingested_total", String::new(), n as u64);
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n }))))
}

/// `POST /api/v1/policy`: body `PolicyRequest` (may be empty) → the caller's `Policy`.
pub async fn policy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Json<Policy>, ApiError> {
    let req: PolicyRequest = if body.iter().all(|b| b.is_ascii_whitespace()) {
        PolicyRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("expected PolicyRequest JSON: {e}")))?
    };
    if req.hostname.len() > 255 || req.version.len() > 64 {
        return Err(ApiError::bad_request(
            "hostname (max 255) or version (max 64 bytes) too long",
        ));
    }
    let p = state
        .db
        .call(move |c| store::agents::pull(c, &caller.key_id, &req, &caller.addr))
        .await?;
    Ok(Json(p))
}

/// `POST /api/v1/heartbeat`: marks the caller alive without fetching anything.
pub async fn heartbeat(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    state
        .db
        .call(move |c| store::agents::seen(c, &caller.key_id, &caller.addr))
        .await?;
    Ok(Json(json!({ "ok": true })))
}

/// `GET /api/v1/sites`: every site rendered exactly as published to `sites_dir`, for gateways on hosts that do not
/// share that directory: `{"sites":[{"name","file","toml"}]}`.
pub async fn sites(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let sites = state.db.call(|c| store::sites::list(c)).await?;
    let mut out = Vec::new();
    for s in &sites {
        match state.publisher.render(s) {
            Ok(t) => out.push(json!({ "name": s.name, "file": format!("{}.toml", s.name), "toml": t })),
            Err(e) => tracing::error!(site = %s.name, "rendering site for /api/v1/sites: {e}"),
        }
    }
    Ok(Json(json!({ "sites": out })))
}
