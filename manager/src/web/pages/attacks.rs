//! Attack log: filtered list (time range, IP, service, rule, site, kind) with charts, CSV/JSON export of the same
//! selection, and the per-IP timeline (every event, decision and alarm of one address, oldest first).

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::db::now;
use crate::state::AppState;
use crate::store::{self, events::EventFilter};
use crate::web::charts;
use crate::web::session::Authed;
use crate::web::{WebError, WebResult};

const PAGE: usize = 100;
const EXPORT_MAX: usize = 100_000;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AttackQuery {
    /// Preset (`1h`, `24h`, `7d`, `30d`, `all`); ignored when `from`/`to` are given.
    range: String,
    /// `YYYY-MM-DDTHH:MM` UTC (an HTML datetime-local value).
    from: String,
    to: String,
    ip: String,
    service: String,
    rule: String,
    site: String,
    kind: String,
    page: usize,
    format: String,
}

fn parse_local(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_s = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, &fmt)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &fmt_s))
        .map(|t| Some(t.assume_utc().unix_timestamp()))
        .map_err(|_| format!("{s:?} is not a time (YYYY-MM-DDTHH:MM, UTC)"))
}

impl AttackQuery {
    fn filter(&self) -> Result<EventFilter, String> {
        let mut from = parse_local(&self.from)?;
        let to = parse_local(&self.to)?;
        if from.is_none() && to.is_none() {
            from = match self.range.trim() {
                "" => Some(now() - 86400),
                "all" => None,
                r => Some(
                    now()
                        - humantime::parse_duration(r)
                            .map_err(|e| format!("range: {e}"))?
                            .as_secs() as i64,
                ),
            };
        }
        Ok(EventFilter {
            from,
            to,
            ip: self.ip.trim().to_string(),
            service: self.service.trim().to_string(),
            rule: self.rule.trim().to_string(),
            site: self.site.trim().to_string(),
            kind: self.kind.trim().to_string(),
        })
    }

    /// The query string of this selection (for export links and paging).
    fn qs(&self) -> String {
        let mut q = self.clone();
        q.page = 0;
        q.format.clear();
        let pairs = [
            ("range", &q.range),
            ("from", &q.from),
            ("to", &q.to),
            ("ip", &q.ip),
            ("service", &q.service),
            ("rule", &q.rule),
            ("site", &q.site),
            ("kind", &q.kind),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::web::render::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub async fn list(State(state): State<AppState>, a: Authed, Query(q): Query<AttackQuery>) -> WebResult {
    let f = match q.filter() {
        Ok(f) => f,
        Err(e) => return Err(WebError::Status(StatusCode::BAD_REQUEST, e)),
    };
    let page = q.page;
    let data = state
        .db
        .call(move |c| {
            let events = store::events::list(c, &f, PAGE, page * PAGE)?;
            let total = store::events::count(c, &f)?;
            let end = f.to.unwrap_or_else(now).max(1);
            let start = f.from.unwrap_or_else(|| {
                c.query_row("SELECT MIN(time) FROM events", [], |r| r.get::<_, Option<i64>>(0))
                    .ok()
                    .flatten()
                    .unwrap_or(end - 86400)
            });
            let slots = 48usize;
            let bucket = ((end - start) / slots as i64).max(1);
            let hist = store::events::histogram(c, &f, start, bucket, slots)?;
            Ok(context! {
                events, total,
                timeline => charts::timeline(&hist, start, bucket),
                attackers => charts::bars(&store::events::top(c, &f, "src_ip", 8)?, Some("/ip/")),
                rules => charts::bars(&store::events::top(c, &f, "rule", 8)?, None),
                services => charts::bars(&store::events::top(c, &f, "service", 8)?, None),
            })
        })
        .await?;
    let qs = q.qs();
    state.ui.page(
        "attacks.html",
        context! { q => q, qs => qs, page => page, page_size => PAGE, ..minijinja::value::merge_maps([base(&a, "attacks"), data]) },
    )
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas in attacker-controlled text.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn export(State(state): State<AppState>, _a: Authed, Query(q): Query<AttackQuery>) -> WebResult {
    let f = q.filter().map_err(|e| WebError::Status(StatusCode::BAD_REQUEST, e))?;
    let events = state
        .db
        .call(move |c| store::events::list(c, &f, EXPORT_MAX, 0))
        .await?;
    if q.format == "json" {
        let body = serde_json::to_string(&events)
            .map_err(|e| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"attacks.json\""),
            ],
            body,
        )
            .into_response());
    }
    let mut out = String::from("time,src_ip,service,kind,rule,site,host,honeypot,source,evidence\n");
    for e in &events {
        let row = [
            store::rfc3339(e.time),
            e.src_ip.clone(),
            e.service.clone(),
            e.kind.clone(),
            e.rule.clone(),
            e.site.clone(),
            e.host.clone(),
            e.honeypot.to_string(),
            e.source.clone(),
            e.evidence.clone(),
        ];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"attacks.csv\""),
        ],
        out,
    )
        .into_response())
}

pub async fn timeline(State(state): State<AppState>, a: Authed, Path(ip): Path<String>) -> WebResult {
    let ip = protocol::ip::parse(&ip)
        .map(|i| i.to_string())
        .ok_or_else(|| WebError::Status(StatusCode::BAD_REQUEST, format!("{ip:?} is not an IP address")))?;
    let value = ip.clone();
    let data = state
        .db
        .call(move |c| {
            let f = EventFilter {
                ip: value.clone(),
                ..Default::default()
            };
            let mut events = store::events::list(c, &f, 2000, 0)?;
            events.reverse();
            let decisions = store::decisions::history(c, &value)?;
            let alarms: Vec<_> = store::alarms::list(c, false, 10_000)?
                .into_iter()
                .filter(|al| al.src_ip == value)
                .collect();
            let services = store::events::top(c, &f, "service", 20)?;
            let first = events.first().map(|e| e.time);
            let last = events.last().map(|e| e.time);
            let active = decisions.iter().any(|d| d.deleted_at.is_none() && d.until > now());
            Ok(context! { events, decisions, alarms, first, last, active,
            services => charts::bars(&services, None) })
        })
        .await?;
    state.ui.page(
        "timeline.html",
        context! { ip => ip, ..minijinja::value::merge_maps([base(&a, "attacks"), data]) },
    )
}
