//! Page rendering: the minijinja environment with every template compiled into the binary (no files needed at
//! run time, no build step) and the filters the templates use.

use axum::response::{Html, IntoResponse};
use minijinja::{Environment, Value};

use super::WebResult;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("setup.html", include_str!("../../templates/setup.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("sites.html", include_str!("../../templates/sites.html")),
    ("site_form.html", include_str!("../../templates/site_form.html")),
    ("policies.html", include_str!("../../templates/policies.html")),
    ("policy_form.html", include_str!("../../templates/policy_form.html")),
    ("agents.html", include_str!("../../templates/agents.html")),
    ("decisions.html", include_str!("../../templates/decisions.html")),
    ("attacks.html", include_str!("../../templates/attacks.html")),
    ("timeline.html", include_str!("../../templates/timeline.html")),
    ("alarms.html", include_str!("../../templates/alarms.html")),
    ("users.html", include_str!("../../templates/users.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("key_created.html", include_str!("../../templates/key_created.html")),
    ("account.html", include_str!("../../templates/account.html")),
];

pub struct Ui {
    env: Environment<'static>,
}

/// `YYYY-MM-DD HH:MM:SS` UTC.
pub fn fmt_time(ts: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| ts.to_string())
}

fn ts_filter(v: Value) -> String {
    match i64::try_from(v) {
        Ok(t) => fmt_time(t),
        Err(_) => "—".into(),
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

impl Ui {
    pub fn new() -> Result<Ui, minijinja::Error> {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src)?;
        }
        env.add_filter("ts", ts_filter);
        env.add_filter("urlenc", |s: String| url_encode(&s));
        env.add_filter("truncate", |s: String, n: usize| {
            if s.chars().count() <= n {
                s
            } else {
                let mut t: String = s.chars().take(n).collect();
                t.push('…');
                t
            }
        });
        env.add_filter("join_lines", |v: Vec<String>| v.join("\n"));
        Ok(Ui { env })
    }

    pub fn page(&self, name: &str, ctx: Value) -> WebResult {
        let html = self.env.get_template(name)?.render(ctx)?;
        Ok(Html(html).into_response())
    }
}
