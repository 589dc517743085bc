//! Page handlers, one file per section of the UI.

pub mod account;
pub mod agents;
pub mod alarms;
pub mod attacks;
pub mod auth;
pub mod dashboard;
pub mod decisions;
pub mod keys;
pub mod policies;
pub mod sites;
pub mod users;

use minijinja::{context, Value};

use super::session::Authed;

/// A form that carries only the CSRF token (delete, revoke, acknowledge, logout buttons).
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// What every logged-in page needs: the user, the CSRF token, the active menu entry.
pub fn base(a: &Authed, nav: &str) -> Value {
    context! {
        me => a.session.user,
        is_admin => a.session.user.role == crate::store::users::Role::Admin,
        csrf => a.session.csrf,
        nav => nav,
    }
}

/// Splits a textarea or comma list into entries.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['\n', ',', '\r'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}
