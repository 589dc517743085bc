//! Sites: list, add/edit form with field-level errors, delete, and a preview of the rendered file. Saving renders
//! the template, checks it and publishes it to `sites_dir` before the database is changed, so a failure changes
//! nothing.

use super::CsrfForm;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::{base, split_list};
use crate::sites::{FieldErrors, SiteSpec, WafMode};
use crate::state::AppState;
use crate::store;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

pub async fn list(State(state): State<AppState>, a: Authed) -> WebResult {
    let sites = state.db.call(|c| store::sites::list(c)).await?;
    let rows: Vec<_> = sites
        .iter()
        .map(|s| {
            let path = state.publisher.path_of(&s.name);
            context! { site => s, file => path.display().to_string(), published => path.exists() }
        })
        .collect();
    state.ui.page(
        "sites.html",
        context! { sites => rows, sites_dir => state.publisher.sites_dir.display().to_string(), ..base(&a, "sites") },
    )
}

fn form_page(state: &AppState, a: &Authed, site: &SiteSpec, original: &str, errors: &FieldErrors) -> WebResult {
    state.ui.page(
        "site_form.html",
        context! { site => site, original => original, errors => errors, modes => WafMode::ALL, ..base(a, "sites") },
    )
}

fn blank() -> SiteSpec {
    SiteSpec {
        name: String::new(),
        hosts: vec![],
        default: false,
        listen: vec![],
        max_body_size: 0,
        backends: vec![],
        unreal_backends: vec![],
        trusted_proxies: vec![],
        max_fails: 3,
        fail_timeout: "20s".into(),
        waf_mode: WafMode::Deceive,
        redirect_url: String::new(),
        block_page: String::new(),
        bad_guy_ttl: "10m".into(),
        tls: false,
        tls_cert: String::new(),
        tls_key: String::new(),
    }
}

pub async fn new_form(State(state): State<AppState>, a: Authed) -> WebResult {
    a.admin()?;
    form_page(&state, &a, &blank(), "", &FieldErrors::new())
}

pub async fn edit_form(State(state): State<AppState>, a: Authed, Path(name): Path<String>) -> WebResult {
    a.admin()?;
    let n = name.clone();
    let site = state
        .db
        .call(move |c| store::sites::get(c, &n))
        .await?
        .ok_or_else(|| WebError::not_found("site"))?;
    form_page(&state, &a, &site, &name, &FieldErrors::new())
}

#[derive(Debug, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    original: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    hosts: String,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    listen: String,
    #[serde(default)]
    max_body_size: String,
    #[serde(default)]
    backends: String,
    #[serde(default)]
    unreal_backends: String,
    #[serde(default)]
    trusted_proxies: String,
    #[serde(default)]
    max_fails: String,
    #[serde(default)]
    fail_timeout: String,
    #[serde(default)]
    waf_mode: String,
    #[serde(default)]
    redirect_url: String,
    #[serde(default)]
    block_page: String,
    #[serde(default)]
    bad_guy_ttl: String,
    /// Checkbox: present (any value) means on.
    #[serde(default)]
    tls: Option<String>,
    #[serde(default)]
    tls_cert: String,
    #[serde(default)]
    tls_key: String,
}

fn from_form(f: &SiteForm) -> (SiteSpec, FieldErrors) {
    let mut errs = FieldErrors::new();
    let waf_mode =
        serde_json::from_value(serde_json::Value::String(f.waf_mode.trim().to_string())).unwrap_or_else(|_| {
            errs.insert("waf_mode".into(), format!("one of {}", WafMode::ALL.join(", ")));
            WafMode::Deceive
        });
    let max_fails = f.max_fails.trim().parse().unwrap_or_else(|_| {
        errs.insert("max_fails".into(), "a whole number".into());
        3
    });
    let max_body_size = match f.max_body_size.trim() {
        "" => 0,
        v => v.parse().unwrap_or_else(|_| {
            errs.insert(
                "max_body_size".into(),
                "bytes, a whole number (empty: gateway default)".into(),
            );
            0
        }),
    };
    let mut s = SiteSpec {
        name: f.name.clone(),
        hosts: split_list(&f.hosts),
        default: f.default.is_some(),
        listen: split_list(&f.listen),
        max_body_size,
        backends: split_list(&f.backends),
        unreal_backends: split_list(&f.unreal_backends),
        trusted_proxies: split_list(&f.trusted_proxies),
        max_fails,
        fail_timeout: f.fail_timeout.clone(),
        waf_mode,
        redirect_url: f.redirect_url.clone(),
        block_page: f.block_page.clone(),
        bad_guy_ttl: f.bad_guy_ttl.clone(),
        tls: f.tls.is_some(),
        tls_cert: f.tls_cert.clone(),
        tls_key: f.tls_key.clone(),
    };
    s.normalise();
    (s, errs)
}

pub async fn save(State(state): State<AppState>, a: Authed, Form(f): Form<SiteForm>) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    let (site, mut errs) = from_form(&f);
    let original = f.original.trim().to_string();
    let others = state.db.call(|c| store::sites::list(c)).await?;
    let others: Vec<SiteSpec> = others.into_iter().filter(|o| o.name != original).collect();
    if (original.is_empty() || original != site.name) && others.iter().any(|o| o.name == site.name) {
        errs.insert("name".into(), format!("a site named {:?} already exists", site.name));
    }
    for (k, v) in site.validate(&others) {
        errs.entry(k).or_insert(v);
    }
    if errs.is_empty() {
        let p = state.publisher.clone();
        let s = site.clone();
        let published = tokio::task::spawn_blocking(move || p.publish(&s))
            .await
            .map_err(|e| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        if let Err(e) = published {
            errs.insert("publish".into(), e);
        }
    }
    if !errs.is_empty() {
        let mut r = form_page(&state, &a, &site, &original, &errs)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    if !original.is_empty() && original != site.name {
        state
            .publisher
            .remove(&original)
            .map_err(|e| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    }
    let s = site.clone();
    a.audited(&state.db, "site.save", move |c| {
        if !original.is_empty() && original != s.name {
            store::sites::delete(c, &original)?;
        }
        store::sites::save(c, &s)?;
        Ok(((), Some(serde_json::to_string(&s).unwrap_or_default())))
    })
    .await?;
    Ok(Redirect::to("/sites").into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    a: Authed,
    Path(name): Path<String>,
    Form(f): Form<CsrfForm>,
) -> WebResult {
    a.admin()?;
    a.check_csrf(&f.csrf)?;
    state
        .publisher
        .remove(&name)
        .map_err(|e| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let found = a
        .audited(&state.db, "site.delete", move |c| {
            let found = store::sites::delete(c, &name)?;
            Ok((found, found.then_some(name)))
        })
        .await?;
    if !found {
        return Err(WebError::not_found("site"));
    }
    Ok(Redirect::to("/sites").into_response())
}

pub async fn preview(State(state): State<AppState>, _a: Authed, Path(name): Path<String>) -> WebResult {
    let site = state
        .db
        .call(move |c| store::sites::get(c, &name))
        .await?
        .ok_or_else(|| WebError::not_found("site"))?;
    let text = state
        .publisher
        .render(&site)
        .map_err(|e| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
