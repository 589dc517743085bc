//! Agent policies: list, editor with field-level validation (mode, white IPs/ports, sandbox, interval), delete.

use super::CsrfForm;
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use protocol::policy::PolicyMode;
use serde::Deserialize;

use super::{base, split_list};
use crate::state::AppState;
use crate::store::{self, agents::PolicySpec};
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

const MODES: [&str; 4] = ["honeypot", "unreal", "back", "firewall"];

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    let (policies, agents) = state
        .db
        .call(|c| Ok((store::agents::policies(c)?, store::agents::list(c)?)))
        .await?;
    let rows: Vec<_> = policies
        .iter()
        .map(|p| {
            let users = agents
                .iter()
                .filter(|g| g.policy_id == Some(p.id) || (g.policy_id.is_none() && p.name == "default"))
                .count();
            context! { p => p, mode => store::agents::mode_str(p.mode), agents => users }
        })
        .collect();
    state
        .ui
        .page("policies.html", context! { policies => rows, ..base(&a, "policies") })
}

fn form_page(state: &AppState, a: &Authed, p: &PolicySpec, errors: &BTreeMap<String, String>) -> WebResult {
    state.ui.page(
        "policy_form.html",
        context! { p => p, mode => store::agents::mode_str(p.mode), modes => MODES, white_ports => p.white_ports.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "), errors => errors, ..base(a, "policies") },
    )
}

pub async fn new_form(State(state): State<AppState>, a: Authed) -> WebResult {
    a.admin()?;
    let p = PolicySpec {
        id: 0,
        name: String::new(),
        mode: PolicyMode::Unreal,
        white_ips: vec![],
        white_ports: vec![],
        sandbox: String::new(),
        interval: "10s".into(),
    };
    form_page(&state, &a, &p, &BTreeMap::new())
}

pub async fn edit_form(State(state): State<AppState>, a: Authed, Path(id): Path<i64>) -> WebResult {
    a.admin()?;
    let p = state
        .db
        .call(move |c| store::agents::policy(c, id))
        .await?
        .ok_or_else(|| WebError::not_found("policy"))?;
    form_page(&state, &a, &p, &BTreeMap::new())
}

#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    white_ips: String,
    #[serde(default)]
    white_ports: String,
    #[serde(default)]
    sandbox: String,
    #[serde(default)]
    interval: String,
}

pub async fn save(State(state): State<AppState>, a: Authed, Form(f): Form<PolicyForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let mut errors = BTreeMap::new();
    let mode = store::agents::parse_mode(f.mode.trim()).unwrap_or_else(|| {
        errors.insert("mode".to_string(), format!("one of {}", MODES.join(", ")));
        PolicyMode::Unreal
    });
    let mut white_ports = Vec::new();
    for p in split_list(&f.white_ports) {
        match p.parse::<u16>() {
            Ok(n) => white_ports.push(n),
            Err(_) => {
                errors.insert("white_ports".to_string(), format!("{p:?} is not a port number"));
            }
        }
    }
    let p = PolicySpec {
        id: f.id,
        name: f.name.trim().to_string(),
        mode,
        white_ips: split_list(&f.white_ips),
        white_ports,
        sandbox: f.sandbox.trim().to_string(),
        interval: f.interval.trim().to_string(),
    };
    for (k, v) in store::agents::validate_policy(&p) {
        errors.entry(k.to_string()).or_insert(v);
    }
    let existing = state.db.call(|c| store::agents::policies(c)).await?;
    if existing.iter().any(|o| o.name == p.name && o.id != p.id) {
        errors.insert("name".into(), format!("a policy named {:?} already exists", p.name));
    }
    if p.id != 0
        && existing
            .iter()
            .any(|o| o.id == p.id && o.name == "default" && p.name != "default")
    {
        errors.insert("name".into(), "the default policy keeps its name".into());
    }
    if !errors.is_empty() {
        let mut r = form_page(&state, &a, &p, &errors)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    a.audited(&state.db, "policy.save", move |c| {
        store::agents::save_policy(c, &p)?;
        Ok(((), Some(serde_json::to_string(&p).unwrap_or_default())))
    })
    .await?;
    Ok(Redirect::to("/policies").into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let done = a
        .audited(&state.db, "policy.delete", move |c| {
            let done = store::agents::delete_policy(c, id)?;
            Ok((done, done.then(|| id.to_string())))
        })
        .await?;
    if !done {
        return Err(WebError::Status(
            StatusCode::BAD_REQUEST,
            "no such policy, or it is the default".into(),
        ));
    }
    Ok(Redirect::to("/policies").into_response())
}
