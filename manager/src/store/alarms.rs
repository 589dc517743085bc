//! Alarms: what a person should look at — honeypot touches and new automatic bans. Repeats of an open alarm for
//! the same address and kind are folded into it (count, last_at) until someone acknowledges it.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::db::{now, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct AlarmRow {
    pub id: i64,
    pub first_at: i64,
    pub last_at: i64,
    pub kind: String,
    pub src_ip: String,
    pub summary: String,
    pub count: i64,
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
}

/// Raises an alarm or folds it into the open one for the same address and kind.
pub fn raise(conn: &Connection, kind: &str, src_ip: &str, summary: &str, at: i64) -> Result<(), DbError> {
    let open: Option<i64> = conn
        .query_row(
            "SELECT id FROM alarms WHERE acked_at IS NULL AND src_ip = ?1 AND kind = ?2",
            params![src_ip, kind],
            |r| r.get(0),
        )
        .optional()?;
    match open {
        Some(id) => {
            conn.execute(
                "UPDATE alarms SET count = count + 1, last_at = MAX(last_at, ?2), summary = ?3 WHERE id = ?1",
                params![id, at, summary],
            )?;
        }
        None => {
            conn.execute(
                "INSERT INTO alarms (first_at, last_at, kind, src_ip, summary, count) VALUES (?1, ?1, ?2, ?3, ?4, 1)",
                params![at, kind, src_ip, summary],
            )?;
        }
    }
    Ok(())
}

pub fn list(conn: &Connection, open_only: bool, limit: usize) -> Result<Vec<AlarmRow>, DbError> {
    let sql = format!(
        "SELECT id, first_at, last_at, kind, src_ip, summary, count, acked_by, acked_at FROM alarms {} \
         ORDER BY last_at DESC LIMIT ?1",
        if open_only { "WHERE acked_at IS NULL" } else { "" }
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([limit as i64], |r| {
        Ok(AlarmRow {
            id: r.get(0)?,
            first_at: r.get(1)?,
            last_at: r.get(2)?,
            kind: r.get(3)?,
            src_ip: r.get(4)?,
            summary: r.get(5)?,
            count: r.get(6)?,
            acked_by: r.get(7)?,
            acked_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count_open(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM alarms WHERE acked_at IS NULL", [], |r| r.get(0))?)
}

/// Returns false when the alarm does not exist or was already acknowledged.
pub fn ack(conn: &Connection, id: i64, user: &str) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE alarms SET acked_by = ?2, acked_at = ?3 WHERE id = ?1 AND acked_at IS NULL",
        params![id, user, now()],
    )? > 0)
}
