//! Login, logout and first-run setup.

use super::CsrfForm;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use crate::state::AppState;
use crate::store::{self, users::Role};
use crate::web::session::{cookie, Authed, ClientAddr};
use crate::web::{WebError, WebResult};

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths, so the login form cannot be used as an open redirect.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

pub async fn login_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> WebResult {
    state.ui.page("login.html", context! { next => q.next, error => "" })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(State(state): State<AppState>, ClientAddr(addr): ClientAddr, Form(f): Form<LoginForm>) -> WebResult {
    if let Some(wait) = state.logins.blocked(&addr, &f.username) {
        state.metrics.inc("manager_logins_total", "result=\"limited\"".into());
        let mut r = state.ui.page(
            "login.html",
            context! { next => f.next, error => format!("Too many failed logins; try again in {wait} s.") },
        )?;
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    let (user, pw) = (f.username.clone(), f.password.clone());
    let ttl = state.cfg.session_ttl.as_secs() as i64;
    let a = addr.clone();
    let token = state
        .db
        .call(move |c| match store::users::authenticate(c, &user, &pw)? {
            Some(u) => {
                let t = store::users::start_session(c, u.id, ttl)?;
                store::audit::record(c, &u.username, "login", "", &a)?;
                Ok(Some(t))
            }
            None => {
                store::audit::record(c, &user, "login.failed", "", &a)?;
                Ok(None)
            }
        })
        .await?;
    match token {
        Some(t) => {
            state.logins.succeeded(&f.username);
            state.metrics.inc("manager_logins_total", "result=\"ok\"".into());
            let c = cookie(&t, state.cfg.session_ttl.as_secs(), state.cfg.cookies_secure());
            Ok(([(header::SET_COOKIE, c)], Redirect::to(safe_next(&f.next))).into_response())
        }
        None => {
            state.logins.failed(&addr, &f.username);
            state.metrics.inc("manager_logins_total", "result=\"failed\"".into());
            let mut r = state.ui.page(
                "login.html",
                context! { next => f.next, error => "Wrong user name or password." },
            )?;
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(r)
        }
    }
}

pub async fn logout(State(state): State<AppState>, a: Authed, Form(f): Form<CsrfForm>) -> WebResult {
    a.check_csrf(&f.csrf)?;
    let uid = a.session.user.id;
    a.audited(&state.db, "logout", move |c| {
        c.execute("DELETE FROM sessions WHERE user_id = ?1", [uid])?;
        Ok(((), Some(String::new())))
    })
    .await?;
    let c = cookie("", 0, state.cfg.cookies_secure());
    Ok(([(header::SET_COOKIE, c)], Redirect::to("/login")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn setup_allowed(state: &AppState, token: String) -> Result<bool, WebError> {
    Ok(state
        .db
        .call(move |c| Ok(store::users::count(c)? == 0 && store::users::check_setup_token(c, &token)?))
        .await?)
}

pub async fn setup_form(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> WebResult {
    if !setup_allowed(&state, q.token.clone()).await? {
        return Err(WebError::Status(
            StatusCode::FORBIDDEN,
            "this setup link is invalid, expired or already used".into(),
        ));
    }
    state.ui.page(
        "setup.html",
        context! { token => q.token, errors => context!{}, username => "admin" },
    )
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    token: String,
    username: String,
    password: String,
    password2: String,
}

pub async fn setup(State(state): State<AppState>, ClientAddr(addr): ClientAddr, Form(f): Form<SetupForm>) -> WebResult {
    if !setup_allowed(&state, f.token.clone()).await? {
        return Err(WebError::Status(
            StatusCode::FORBIDDEN,
            "this setup link is invalid, expired or already used".into(),
        ));
    }
    let mut errors: std::collections::BTreeMap<&str, String> =
        store::users::validate(&f.username, &f.password).into_iter().collect();
    if f.password != f.password2 {
        errors.insert("password2", "the passwords differ".into());
    }
    if !errors.is_empty() {
        let mut r = state.ui.page(
            "setup.html",
            context! { token => f.token, errors => errors, username => f.username },
        )?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let ttl = state.cfg.session_ttl.as_secs() as i64;
    let token = state
        .db
        .call(move |c| {
            let id = store::users::create(c, &f.username, &f.password, Role::Admin)?;
            store::users::consume_setup_tokens(c)?;
            store::audit::record(c, &f.username, "user.add", "first admin via setup link", &addr)?;
            store::users::start_session(c, id, ttl)
        })
        .await?;
    let c = cookie(&token, state.cfg.session_ttl.as_secs(), state.cfg.cookies_secure());
    Ok(([(header::SET_COOKIE, c)], Redirect::to("/")).into_response())
}
