//! Dashboard (counts, events of the last 24 h, top attackers and rules, open alarms) and Prometheus `/metrics`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::base;
use crate::db::now;
use crate::state::AppState;
use crate::store::{self, events::EventFilter};
use crate::web::charts;
use crate::web::session::Authed;
use crate::web::WebResult;

pub async fn show(State(state): State<AppState>, a: Authed) -> WebResult {
    let offline = state.cfg.agent_offline_after.as_secs() as i64;
    let data = state
        .db
        .call(move |c| {
            let now = now();
            let bucket = 1800;
            let from = (now / bucket + 1) * bucket - 48 * bucket;
            let f = EventFilter {
                from: Some(from),
                ..Default::default()
            };
            let hist = store::events::histogram(c, &f, from, bucket, 48)?;
            let attackers = store::events::top(c, &f, "src_ip", 8)?;
            let rules = store::events::top(c, &f, "rule", 8)?;
            let events_24h = store::events::count(c, &f)?;
            let decisions = store::decisions::count_active(c)?;
            let alarms = store::alarms::list(c, true, 8)?;
            let open_alarms = store::alarms::count_open(c)?;
            let agents = store::agents::list(c)?;
            let online = agents
                .iter()
                .filter(|g| g.last_seen.is_some_and(|t| now - t < offline))
                .count();
            let sites = store::sites::list(c)?.len();
            Ok(context! {
                timeline => charts::timeline(&hist, from, bucket),
                attackers => charts::bars(&attackers, Some("/ip/")),
                rules => charts::bars(&rules, Some("/attacks?rule=")),
                events_24h, decisions, alarms, open_alarms, sites,
                agents_total => agents.len(), agents_online => online,
            })
        })
        .await?;
    state.ui.page(
        "dashboard.html",
        minijinja::value::merge_maps([base(&a, "dashboard"), data]),
    )
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let offline = state.cfg.agent_offline_after.as_secs() as i64;
    let gauges = state
        .db
        .call(move |c| {
            let now = now();
            let agents = store::agents::list(c)?;
            let online = agents
                .iter()
                .filter(|g| g.last_seen.is_some_and(|t| now - t < offline))
                .count();
            let events: i64 = c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
            Ok(vec![
                (
                    "manager_decisions_active",
                    "Decisions in force.",
                    store::decisions::count_active(c)? as f64,
                ),
                (
                    "manager_alarms_open",
                    "Alarms not yet acknowledged.",
                    store::alarms::count_open(c)? as f64,
                ),
                ("manager_agents", "Registered agents.", agents.len() as f64),
                ("manager_agents_online", "Agents seen recently.", online as f64),
                ("manager_events_stored", "Attack events in the database.", events as f64),
            ])
        })
        .await
        .unwrap_or_default();
    let mut gauges = gauges;
    gauges.push((
        "manager_nonce_cache_entries",
        "Nonces remembered for replay protection.",
        state.nonces.len() as f64,
    ));
    let body = state.metrics.render(&gauges);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
