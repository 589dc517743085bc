//! The logged-in user's own account: change password (needs the current one; ends every other session).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::base;
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::WebResult;

pub async fn show(State(state): State<AppState>, a: Authed) -> WebResult {
    state
        .ui
        .page("account.html", context! { errors => context!{}, ..base(&a, "account") })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

pub async fn password(State(state): State<AppState>, a: Authed, Form(f): Form<PasswordForm>) -> WebResult {
    a.check_csrf(&f.csrf)?;
    let name = a.name().to_string();
    let mut errors: std::collections::BTreeMap<&str, String> =
        store::users::validate(&name, &f.password).into_iter().collect();
    if f.password != f.password2 {
        errors.insert("password2", "the passwords differ".into());
    }
    let (n, cur) = (name.clone(), f.current.clone());
    // Guessing the current password from a stolen session is limited like logins.
    if let Some(wait) = state.logins.blocked(&a.addr, &name) {
        errors.insert("current", format!("too many wrong passwords; try again in {wait} s"));
    } else if state
        .db
        .call(move |c| store::users::authenticate(c, &n, &cur))
        .await?
        .is_none()
    {
        state.logins.failed(&a.addr, &name);
        errors.insert("current", "wrong password".into());
    }
    if !errors.is_empty() {
        let mut r = state
            .ui
            .page("account.html", context! { errors => errors, ..base(&a, "account") })?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let id = a.session.user.id;
    a.audited(&state.db, "user.passwd", move |c| {
        store::users::set_password(c, id, &f.password)?;
        Ok(((), Some("own password".into())))
    })
    .await?;
    // Every session of this user ended, this one too: log in again with the new password.
    Ok(Redirect::to("/login").into_response())
}
