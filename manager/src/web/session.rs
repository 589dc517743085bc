//! Session cookies and CSRF: the `Authed` extractor loads the logged-in user (or redirects to the login page),
//! `check_csrf` verifies the per-session token every form posts, `cookie` builds the Set-Cookie value.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use rusqlite::Connection;

use super::WebError;
use crate::db::{Db, DbError};
use crate::state::AppState;
use crate::store::users::{Role, Session};

pub const COOKIE: &str = "jhsy_session";

/// A request from a logged-in user.
pub struct Authed {
    pub session: Session,
    pub addr: String,
}

impl Authed {
    pub fn admin(&self) -> Result<(), WebError> {
        if self.session.user.role == Role::Admin {
            Ok(())
        } else {
            Err(WebError::forbidden())
        }
    }

    pub fn name(&self) -> &str {
        &self.session.user.username
    }

    /// Runs `change` and writes its audit line (this user, this address, `action`) in the same database call, so
    /// no other request's change lands between the two. `change` returns its result and the line's detail, or
    /// `None` when it changed nothing and so there is nothing to record.
    pub async fn audited<R, F>(&self, db: &Db, action: &'static str, change: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<(R, Option<String>), DbError> + Send + 'static,
    {
        let (actor, addr) = (self.name().to_string(), self.addr.clone());
        db.call(move |c| {
            let (r, detail) = change(c)?;
            if let Some(detail) = detail {
                crate::store::audit::record(c, &actor, action, &detail, &addr)?;
            }
            Ok(r)
        })
        .await
    }

    /// Checks the form's CSRF token against the session's, in constant time.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if ct_eq(token.as_bytes(), self.session.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::Status(
                StatusCode::FORBIDDEN,
                "form token is missing or stale; reload the page and try again".into(),
            ))
        }
    }
}

pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` value; an empty token with max_age 0 clears the cookie.
pub fn cookie(token: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn client_addr(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| protocol::ip::canonical(c.0.ip()).to_string())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let addr = client_addr(parts);
        let login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            WebError::Redirect(format!("/login?next={}", super::render::url_encode(next)))
        };
        let Some(token) = cookie_token(&parts.headers) else {
            return Err(login());
        };
        match state.db.call(move |c| crate::store::users::session(c, &token)).await? {
            Some(session) => Ok(Authed { session, addr }),
            None => Err(login()),
        }
    }
}

/// The client address, for handlers that do not need a session.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}
