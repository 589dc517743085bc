//! Decisions in force, with manual ban and unban. Both go through the same store as machine decisions, so they
//! reach gateways (decision stream) and agents (policy black list) the same way.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use protocol::{Decision, Origin, Scope};
use serde::Deserialize;

use super::base;
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    let rows = state.db.call(|c| store::decisions::active(c, 1000)).await?;
    state.ui.page(
        "decisions.html",
        context! { decisions => rows, error => "", value => "", ..base(&a, "decisions") },
    )
}

#[derive(Debug, Deserialize)]
pub struct BanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    reason: String,
}

pub async fn ban(State(state): State<AppState>, a: Authed, Form(f): Form<BanForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let value = f.value.trim();
    let scope = if value.contains('/') { Scope::Range } else { Scope::Ip };
    let parsed = store::decisions::canonical_value(scope, value).and_then(|v| {
        let d = humantime::parse_duration(f.duration.trim()).map_err(|e| format!("duration: {e} (e.g. \"4h\")"))?;
        let secs = i64::try_from(d.as_secs())
            .unwrap_or(i64::MAX)
            .clamp(1, 10 * 365 * 86400);
        Ok((v, secs))
    });
    let (value, secs) = match parsed {
        Ok(x) => x,
        Err(e) => {
            let rows = state.db.call(|c| store::decisions::active(c, 1000)).await?;
            let mut r = state.ui.page(
                "decisions.html",
                context! { decisions => rows, error => e, value => f.value, ..base(&a, "decisions") },
            )?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    let reason = match f.reason.trim() {
        "" => format!("manual ban by {}", a.name()),
        r => r.chars().take(200).collect(),
    };
    let d = Decision {
        value,
        scope,
        origin: Origin::Manual,
        reason,
        service: "any".into(),
        until: time::OffsetDateTime::now_utc() + time::Duration::seconds(secs),
        hits: 0,
    };
    let source = format!("user:{}", a.name());
    a.audited(&state.db, "decision.ban", move |c| {
        store::decisions::ingest(c, std::slice::from_ref(&d), &source)?;
        Ok(((), Some(format!("{} for {secs}s: {}", d.value, d.reason))))
    })
    .await?;
    Ok(Redirect::to("/decisions").into_response())
}

#[derive(Debug, Deserialize)]
pub struct UnbanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

pub async fn unban(State(state): State<AppState>, a: Authed, Form(f): Form<UnbanForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let value = f.value.trim().to_string();
    let n = a
        .audited(&state.db, "decision.unban", move |c| {
            let n = store::decisions::unban(c, &value)?;
            Ok((n, (n > 0).then_some(value)))
        })
        .await?;
    if n == 0 {
        return Err(WebError::not_found("active decision for that value"));
    }
    Ok(Redirect::to("/decisions").into_response())
}
