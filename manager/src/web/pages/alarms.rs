//! Alarms: open ones first, acknowledgement by users (recorded with name and time).

use super::CsrfForm;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;

use super::base;
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    let (open, all) = state
        .db
        .call(|c| Ok((store::alarms::list(c, true, 500)?, store::alarms::list(c, false, 200)?)))
        .await?;
    let acked: Vec<_> = all.into_iter().filter(|x| x.acked_at.is_some()).collect();
    state.ui.page(
        "alarms.html",
        context! { open => open, acked => acked, ..base(&a, "alarms") },
    )
}

/// Viewers may acknowledge too: acknowledging is watching, not configuring.
pub async fn ack(State(state): State<AppState>, a: Authed, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> WebResult {
    a.check_csrf(&f.csrf)?;
    let actor = a.name().to_string();
    let ok = a
        .audited(&state.db, "alarm.ack", move |c| {
            let ok = store::alarms::ack(c, id, &actor)?;
            Ok((ok, ok.then(|| id.to_string())))
        })
        .await?;
    if !ok {
        return Err(WebError::not_found("open alarm"));
    }
    Ok(Redirect::to("/alarms").into_response())
}
