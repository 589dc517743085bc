//! The web UI: server-rendered pages (minijinja templates compiled into the binary), a little vanilla JS, inline
//! SVG charts, session login with CSRF-protected forms, plus `/metrics` and `/healthz`.

pub mod charts;
pub mod pages;
pub mod ratelimit;
pub mod render;
pub mod session;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::db::DbError;
use crate::state::AppState;

/// An error page.
#[derive(Debug)]
pub enum WebError {
    Status(StatusCode, String),
    Redirect(String),
}

impl WebError {
    pub fn forbidden() -> Self {
        WebError::Status(StatusCode::FORBIDDEN, "your role may not do this (admin only)".into())
    }
    pub fn not_found(what: &str) -> Self {
        WebError::Status(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Redirect(to) => Redirect::to(&to).into_response(),
            WebError::Status(code, msg) => {
                let body = format!(
                    "<!doctype html><meta charset=utf-8><title>{code}</title><link rel=stylesheet href=/static/style.css>\
                     <main class=narrow><h1>{code}</h1><p class=error>{}</p><p><a href=/>Back to the dashboard</a></p></main>",
                    render::escape(&msg)
                );
                (code, Html(body)).into_response()
            }
        }
    }
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Other(m) => WebError::Status(StatusCode::BAD_REQUEST, m),
            e => {
                tracing::error!(error = %e, "database error in web request");
                WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "internal database error".into())
            }
        }
    }
}

impl From<minijinja::Error> for WebError {
    fn from(e: minijinja::Error) -> Self {
        tracing::error!(error = %e, "template error");
        WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "template error".into())
    }
}

pub type WebResult = Result<Response, WebError>;

const STYLE: &str = include_str!("../templates/style.css");
const SCRIPT: &str = include_str!("../templates/app.js");

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

pub fn router(_state: AppState) -> Router<AppState> {
    use pages::*;
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_form).post(auth::setup))
        .route("/sites", get(sites::list).post(sites::save))
        .route("/sites/new", get(sites::new_form))
        .route("/sites/{name}/edit", get(sites::edit_form))
        .route("/sites/{name}/delete", post(sites::delete))
        .route("/sites/{name}/preview", get(sites::preview))
        .route("/policies", get(policies::list).post(policies::save))
        .route("/policies/new", get(policies::new_form))
        .route("/policies/{id}/edit", get(policies::edit_form))
        .route("/policies/{id}/delete", post(policies::delete))
        .route("/agents", get(agents::list))
        .route("/agents/{name}/policy", post(agents::assign))
        .route("/keys", post(keys::add))
        .route("/keys/{name}/revoke", post(keys::revoke))
        .route("/account", get(account::show))
        .route("/account/password", post(account::password))
        .route("/decisions", get(decisions::list))
        .route("/decisions/ban", post(decisions::ban))
        .route("/decisions/unban", post(decisions::unban))
        .route("/attacks", get(attacks::list))
        .route("/attacks/export", get(attacks::export))
        .route("/ip/{ip}", get(attacks::timeline))
        .route("/alarms", get(alarms::list))
        .route("/alarms/{id}/ack", post(alarms::ack))
        .route("/users", get(users::list).post(users::add))
        .route("/users/{id}/delete", post(users::delete))
        .route("/audit", get(users::audit))
        .route("/metrics", get(dashboard::metrics))
        .route("/healthz", get(healthz))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
}
