//! Users (admin only to change): list, add with role, delete (never the last admin); and the audit log.

use super::CsrfForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::base;
use crate::state::AppState;
use crate::store::{self, users::Role};
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    a.admin()?;
    let users = state.db.call(|c| store::users::list(c)).await?;
    state.ui.page(
        "users.html",
        context! { users => users, errors => context!{}, username => "", ..base(&a, "users") },
    )
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

pub async fn add(State(state): State<AppState>, a: Authed, Form(f): Form<AddForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let username = f.username.trim().to_string();
    let mut errors: std::collections::BTreeMap<&str, String> =
        store::users::validate(&username, &f.password).into_iter().collect();
    let role = Role::parse(&f.role).unwrap_or_else(|| {
        errors.insert("role", "admin or viewer".into());
        Role::Viewer
    });
    let existing = state.db.call(|c| store::users::list(c)).await?;
    if existing.iter().any(|u| u.username == username) {
        errors.insert("username", "already taken".into());
    }
    if !errors.is_empty() {
        let mut r = state.ui.page(
            "users.html",
            context! { users => existing, errors => errors, username => username, ..base(&a, "users") },
        )?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    a.audited(&state.db, "user.add", move |c| {
        store::users::create(c, &username, &f.password, role)?;
        Ok(((), Some(format!("{username} ({})", role.as_str()))))
    })
    .await?;
    Ok(Redirect::to("/users").into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let r = a
        .audited(&state.db, "user.delete", move |c| {
            let r = store::users::delete(c, id)?;
            let detail = r.is_ok().then(|| id.to_string());
            Ok((r, detail))
        })
        .await?;
    r.map_err(|m| WebError::Status(StatusCode::BAD_REQUEST, m))?;
    Ok(Redirect::to("/users").into_response())
}

pub async fn audit(State(state): State<AppState>, a: Authed) -> WebResult {
    let rows = state.db.call(|c| store::audit::list(c, 500)).await?;
    state
        .ui
        .page("audit.html", context! { rows => rows, ..base(&a, "audit") })
}
