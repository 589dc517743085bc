//! Machine keys from the UI (admin): create one (the secret is shown once, on the answer page) and revoke.

use super::CsrfForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::base;
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn add(State(state): State<AppState>, a: Authed, Form(f): Form<AddForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let name = f.name.trim().to_string();
    let n = name.clone();
    let secret = a
        .audited(&state.db, "key.add", move |c| Ok((store::keys::add(c, &n)?, Some(n))))
        .await
        .map_err(|e| WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let mut r = state.ui.page(
        "key_created.html",
        context! { name => name, secret => secret, manager_url => state.cfg.base_url(), ..base(&a, "agents") },
    )?;
    // The secret must not be kept by caches or shown again by "back".
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

pub async fn revoke(
    State(state): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
    Form(f): Form<CsrfForm>,
) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let done = a
        .audited(&state.db, "key.revoke", move |c| {
            let done = store::keys::revoke(c, &name)?;
            Ok((done, done.then_some(name)))
        })
        .await?;
    if !done {
        return Err(WebError::not_found("active key"));
    }
    Ok(Redirect::to("/agents").into_response())
}
