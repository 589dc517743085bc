//! Attack events: batched inserts, filtered listing, the per-IP timeline and the aggregates behind the charts.

use protocol::event::Event;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};
use serde::{Deserialize, Serialize};

use crate::db::{now, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub time: i64,
    pub src_ip: String,
    pub service: String,
    pub kind: String,
    pub rule: String,
    pub site: String,
    pub host: String,
    pub evidence: String,
    pub honeypot: bool,
    pub source: String,
}

/// Filters of the attack list and its exports; every field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventFilter {
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    pub ip: String,
    pub service: String,
    pub rule: String,
    pub site: String,
    pub kind: String,
}

const MAX_FIELD: usize = 4096;

/// Checks a batch before anything is stored: addresses must parse; over-long fields are clipped, not refused.
pub fn validate(batch: &mut [Event]) -> Result<(), String> {
    for (i, e) in batch.iter_mut().enumerate() {
        let ip =
            protocol::ip::parse(&e.src_ip).ok_or_else(|| format!("event {i}: src_ip {:?} is not an IP", e.src_ip))?;
        e.src_ip = ip.to_string();
        if e.service.is_empty() || e.kind.is_empty() {
            return Err(format!("event {i}: service and kind must not be empty"));
        }
        for f in [&mut e.service, &mut e.kind, &mut e.rule, &mut e.site, &mut e.host] {
            *f = f[..f.floor_char_boundary(256)].to_string();
        }
        e.evidence = e.evidence[..e.evidence.floor_char_boundary(MAX_FIELD)].to_string();
    }
    Ok(())
}

/// Stores a validated batch in one transaction.
pub fn insert(conn: &mut Connection, batch: &[Event], source: &str) -> Result<usize, DbError> {
    let now = now();
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO events (time, src_ip, service, kind, rule, site, host, evidence, honeypot, source, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for e in batch {
            st.execute(params![
                e.time.unix_timestamp(),
                e.src_ip,
                e.service,
                e.kind,
                e.rule,
                e.site,
                e.host,
                e.evidence,
                e.honeypot,
                source,
                now
            ])?;
        }
    }
    tx.commit()?;
    Ok(batch.len())
}

fn row(r: &Row) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        time: r.get(1)?,
        src_ip: r.get(2)?,
        service: r.get(3)?,
        kind: r.get(4)?,
        rule: r.get(5)?,
        site: r.get(6)?,
        host: r.get(7)?,
        evidence: r.get(8)?,
        honeypot: r.get(9)?,
        source: r.get(10)?,
    })
}

fn where_clause(f: &EventFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(from) = f.from {
        sql.push_str(" AND time >= ?");
        args.push(Value::Integer(from));
    }
    if let Some(to) = f.to {
        sql.push_str(" AND time < ?");
        args.push(Value::Integer(to));
    }
    for (col, v) in [
        ("src_ip", &f.ip),
        ("service", &f.service),
        ("rule", &f.rule),
        ("site", &f.site),
        ("kind", &f.kind),
    ] {
        let v = v.trim();
        if !v.is_empty() {
            sql.push_str(&format!(" AND {col} = ?"));
            let v = if col == "src_ip" {
                protocol::ip::parse(v)
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| v.to_string())
            } else {
                v.to_string()
            };
            args.push(Value::Text(v));
        }
    }
    (sql, args)
}

const FIELDS: &str = "id, time, src_ip, service, kind, rule, site, host, evidence, honeypot, source";

/// Newest first.
pub fn list(conn: &Connection, f: &EventFilter, limit: usize, offset: usize) -> Result<Vec<EventRow>, DbError> {
    let (w, mut args) = where_clause(f);
    args.push(Value::Integer(limit as i64));
    args.push(Value::Integer(offset as i64));
    let mut st = conn.prepare(&format!(
        "SELECT {FIELDS} FROM events{w} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    let rows = st.query_map(params_from_iter(args), row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count(conn: &Connection, f: &EventFilter) -> Result<i64, DbError> {
    let (w, args) = where_clause(f);
    Ok(conn.query_row(
        &format!("SELECT COUNT(*) FROM events{w}"),
        params_from_iter(args),
        |r| r.get(0),
    )?)
}

/// Event counts per `bucket`-second slot from `from` on (missing slots are zero).
pub fn histogram(
    conn: &Connection,
    f: &EventFilter,
    from: i64,
    bucket: i64,
    slots: usize,
) -> Result<Vec<i64>, DbError> {
    let mut f = f.clone();
    f.from = Some(from);
    f.to = Some(from + bucket * slots as i64);
    let (w, mut args) = where_clause(&f);
    let mut all = vec![Value::Integer(from), Value::Integer(bucket)];
    all.append(&mut args);
    let mut st = conn.prepare(&format!(
        "SELECT (time - ?) / ? AS slot, COUNT(*) FROM events{w} GROUP BY slot"
    ))?;
    let mut out = vec![0; slots];
    for r in st.query_map(params_from_iter(all), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (slot, n) = r?;
        if let Some(v) = usize::try_from(slot).ok().and_then(|s| out.get_mut(s)) {
            *v = n;
        }
    }
    Ok(out)
}

/// The `n` most frequent values of `column` (one of src_ip, rule, service, site) under the filter.
pub fn top(conn: &Connection, f: &EventFilter, column: &str, n: usize) -> Result<Vec<(String, i64)>, DbError> {
    let col = match column {
        "src_ip" | "rule" | "service" | "site" => column,
        _ => return Err(DbError::Other(format!("cannot group by {column}"))),
    };
    let (w, mut args) = where_clause(f);
    args.push(Value::Integer(n as i64));
    let mut st = conn.prepare(&format!(
        "SELECT {col}, COUNT(*) AS c FROM events{w} AND {col} != '' GROUP BY {col} ORDER BY c DESC, {col} LIMIT ?"
    ))?;
    let rows = st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes events older than `keep_secs` and beyond the newest `max_rows`.
pub fn prune(conn: &Connection, keep_secs: i64, max_rows: u64) -> Result<usize, DbError> {
    let mut n = conn.execute("DELETE FROM events WHERE time < ?1", [now() - keep_secs])?;
    n += conn.execute(
        "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        [max_rows as i64],
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ip: &str, age_secs: i64) -> Event {
        Event {
            time: time::OffsetDateTime::now_utc() - time::Duration::seconds(age_secs),
            src_ip: ip.into(),
            service: "ftp".into(),
            kind: "auth_failure".into(),
            rule: "ftp-bf".into(),
            site: String::new(),
            host: String::new(),
            evidence: "x".repeat(10_000),
            honeypot: false,
        }
    }

    #[test]
    fn retention_by_age_and_by_count_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = crate::db::open(&dir.path().join("t.db")).unwrap();
        let mut batch = vec![
            event("::ffff:192.0.2.1", 100 * 86400),
            event("192.0.2.2", 10),
            event("192.0.2.3", 5),
        ];
        validate(&mut batch).unwrap();
        assert_eq!(batch[0].src_ip, "192.0.2.1", "mapped v6 folded");
        assert_eq!(batch[0].evidence.len(), MAX_FIELD, "evidence clipped, not refused");
        insert(&mut c, &batch, "t").unwrap();
        let f = EventFilter {
            ip: "::ffff:192.0.2.2".into(),
            ..Default::default()
        };
        assert_eq!(count(&c, &f).unwrap(), 1, "filter canonicalises the address too");
        assert_eq!(
            prune(&c, 30 * 86400, 1).unwrap(),
            2,
            "one too old, one over the row cap"
        );
        let left = list(&c, &EventFilter::default(), 10, 0).unwrap();
        assert_eq!(
            left.iter().map(|e| e.src_ip.as_str()).collect::<Vec<_>>(),
            vec!["192.0.2.3"]
        );
        let mut bad = vec![event("not-an-ip", 0)];
        assert!(validate(&mut bad).unwrap_err().contains("event 0"));
    }
}
