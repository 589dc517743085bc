//! Agents: registry (key, hostname, mode, last pull and heartbeat, online/offline), policy assignment, and the
//! list of machine keys with their last decision-stream pull.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::base;
use crate::db::now;
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    let offline = state.cfg.agent_offline_after.as_secs() as i64;
    let (agents, policies, keys, cursors) = state
        .db
        .call(|c| {
            let mut st = c.prepare("SELECT key_id, pulled_at FROM stream_cursors")?;
            let cursors: std::collections::BTreeMap<String, i64> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok((
                store::agents::list(c)?,
                store::agents::policies(c)?,
                store::keys::list(c)?,
                cursors,
            ))
        })
        .await?;
    let now = now();
    let rows: Vec<_> = agents
        .iter()
        .map(|g| context! { g => g, online => g.last_seen.is_some_and(|t| now - t < offline) })
        .collect();
    let keys: Vec<_> = keys
        .iter()
        .map(|k| context! { k => k, stream_pull => cursors.get(&k.name).copied() })
        .collect();
    state.ui.page(
        "agents.html",
        context! { agents => rows, policies => policies, keys => keys, ..base(&a, "agents") },
    )
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    /// Empty: back to the default policy.
    #[serde(default)]
    policy_id: String,
}

pub async fn assign(
    State(state): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
    Form(f): Form<AssignForm>,
) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let pid = match f.policy_id.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| WebError::not_found("policy"))?),
    };
    let ok = a
        .audited(&state.db, "agent.assign", move |c| {
            if let Some(id) = pid {
                if store::agents::policy(c, id)?.is_none() {
                    return Ok((false, None));
                }
            }
            let ok = store::agents::assign(c, &name, pid)?;
            Ok((ok, ok.then(|| format!("{name} -> {pid:?}"))))
        })
        .await?;
    if !ok {
        return Err(WebError::not_found("agent or policy"));
    }
    Ok(Redirect::to("/agents").into_response())
}
