//! Audit log: who changed what, from where. Written for every change made through the UI or CLI.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::db::{now, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub time: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub addr: String,
}

pub fn record(conn: &Connection, actor: &str, action: &str, detail: &str, addr: &str) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO audit (time, actor, action, detail, addr) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now(), actor, action, detail, addr],
    )?;
    Ok(())
}

pub fn list(conn: &Connection, limit: usize) -> Result<Vec<AuditRow>, DbError> {
    let mut st = conn.prepare("SELECT time, actor, action, detail, addr FROM audit ORDER BY id DESC LIMIT ?1")?;
    let rows = st.query_map([limit as i64], |r| {
        Ok(AuditRow {
            time: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
            addr: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn prune(conn: &Connection, keep_secs: i64) -> Result<usize, DbError> {
    Ok(conn.execute("DELETE FROM audit WHERE time < ?1", [now() - keep_secs])?)
}
