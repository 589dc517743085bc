//! Decisions: merged per value (longest expiry wins), expiring by themselves, and the per-caller change stream
//! (CrowdSec bouncer contract). Every change takes the next number of a global sequence; a caller's cursor is the
//! last number it was sent, so a delta is "rows changed after my cursor" plus "rows that expired since my pull".

use std::collections::HashSet;

use protocol::{Decision, DecisionStream, Origin, Scope};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use time::OffsetDateTime;

use crate::db::{now, DbError};

/// A stored decision as the UI shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub id: i64,
    pub value: String,
    pub scope: String,
    pub origin: String,
    pub reason: String,
    pub service: String,
    pub until: i64,
    pub hits: i64,
    pub source: String,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Default, Serialize)]
pub struct IngestOutcome {
    /// Decisions that created a new ban.
    pub created: usize,
    /// Decisions that extended an existing ban.
    pub extended: usize,
    /// Decisions already covered by a longer ban (their hits were added).
    pub merged: usize,
    /// Decisions whose `until` had already passed.
    pub expired: usize,
}

const FIELDS: &str = "id, value, scope, origin, reason, service, until, hits, source, created_at, deleted_at";

fn row(r: &Row) -> rusqlite::Result<DecisionRow> {
    Ok(DecisionRow {
        id: r.get(0)?,
        value: r.get(1)?,
        scope: r.get(2)?,
        origin: r.get(3)?,
        reason: r.get(4)?,
        service: r.get(5)?,
        until: r.get(6)?,
        hits: r.get(7)?,
        source: r.get(8)?,
        created_at: r.get(9)?,
        deleted_at: r.get(10)?,
    })
}

fn scope_str(s: Scope) -> &'static str {
    match s {
        Scope::Ip => "ip",
        Scope::Range => "range",
    }
}

fn origin_str(o: Origin) -> &'static str {
    match o {
        Origin::Waf => "waf",
        Origin::Server => "server",
        Origin::Manual => "manual",
    }
}

impl DecisionRow {
    /// Back to the wire type.
    pub fn to_decision(&self) -> Decision {
        Decision {
            value: self.value.clone(),
            scope: if self.scope == "range" { Scope::Range } else { Scope::Ip },
            origin: match self.origin.as_str() {
                "waf" => Origin::Waf,
                "server" => Origin::Server,
                _ => Origin::Manual,
            },
            reason: self.reason.clone(),
            service: self.service.clone(),
            until: OffsetDateTime::from_unix_timestamp(self.until).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            hits: self.hits.max(0) as u64,
        }
    }
}

/// Canonical form of a decision value, or why it is not acceptable.
pub fn canonical_value(scope: Scope, value: &str) -> Result<String, String> {
    match scope {
        Scope::Ip => protocol::ip::parse(value)
            .map(|ip| ip.to_string())
            .ok_or_else(|| format!("{value:?} is not an IP address")),
        Scope::Range => value
            .trim()
            .parse::<ipnet::IpNet>()
            .map(|n| n.trunc().to_string())
            .map_err(|_| format!("{value:?} is not a CIDR range")),
    }
}

/// Checks every decision of a batch before any is stored, so a bad batch changes nothing.
pub fn validate(batch: &mut [Decision]) -> Result<(), String> {
    for (i, d) in batch.iter_mut().enumerate() {
        d.value = canonical_value(d.scope, &d.value).map_err(|e| format!("decision {i}: value: {e}"))?;
        if d.reason.len() > 256 || d.service.len() > 64 {
            return Err(format!(
                "decision {i}: reason (max 256) or service (max 64 bytes) too long"
            ));
        }
    }
    Ok(())
}

fn next_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "UPDATE meta SET value = value + 1 WHERE key = 'decision_seq' RETURNING value",
        [],
        |r| r.get(0),
    )
}

/// Merges validated decisions in one transaction.
pub fn ingest(conn: &mut Connection, batch: &[Decision], source: &str) -> Result<IngestOutcome, DbError> {
    let now = now();
    let tx = conn.transaction()?;
    let mut out = IngestOutcome::default();
    for d in batch {
        let until = d.until.unix_timestamp();
        if until <= now {
            out.expired += 1;
            continue;
        }
        let current: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, until FROM decisions WHERE value = ?1 AND deleted_at IS NULL AND until > ?2
                 ORDER BY until DESC LIMIT 1",
                params![d.value, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let hits = d.hits.min(i64::MAX as u64) as i64;
        match current {
            Some((id, old_until)) if until > old_until => {
                let seq = next_seq(&tx)?;
                tx.execute(
                    "UPDATE decisions SET until = ?2, origin = ?3, reason = ?4, service = ?5, hits = hits + ?6,
                     source = ?7, seq = ?8 WHERE id = ?1",
                    params![id, until, origin_str(d.origin), d.reason, d.service, hits, source, seq],
                )?;
                out.extended += 1;
            }
            Some((id, _)) => {
                tx.execute("UPDATE decisions SET hits = hits + ?2 WHERE id = ?1", params![id, hits])?;
                out.merged += 1;
            }
            None => {
                let seq = next_seq(&tx)?;
                tx.execute(
                    "INSERT INTO decisions (value, scope, origin, reason, service, until, hits, source, created_at,
                     deleted_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10)",
                    params![
                        d.value,
                        scope_str(d.scope),
                        origin_str(d.origin),
                        d.reason,
                        d.service,
                        until,
                        hits,
                        source,
                        now,
                        seq
                    ],
                )?;
                out.created += 1;
            }
        }
    }
    tx.commit()?;
    Ok(out)
}

/// Ends every active decision on `value` now; they appear in the next delta's `deleted`. Returns how many.
pub fn unban(conn: &mut Connection, value: &str) -> Result<usize, DbError> {
    let now = now();
    let tx = conn.transaction()?;
    let ids: Vec<i64> = {
        let mut st = tx.prepare("SELECT id FROM decisions WHERE value = ?1 AND deleted_at IS NULL AND until > ?2")?;
        let ids = st.query_map(params![value, now], |r| r.get(0))?;
        ids.collect::<Result<_, _>>()?
    };
    for id in &ids {
        let seq = next_seq(&tx)?;
        tx.execute(
            "UPDATE decisions SET deleted_at = ?2, seq = ?3 WHERE id = ?1",
            params![id, now, seq],
        )?;
    }
    tx.commit()?;
    Ok(ids.len())
}

/// Decisions in force now, longest-lived first.
pub fn active(conn: &Connection, limit: usize) -> Result<Vec<DecisionRow>, DbError> {
    let mut st = conn.prepare(&format!(
        "SELECT {FIELDS} FROM decisions WHERE deleted_at IS NULL AND until > ?1 ORDER BY until DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![now(), limit as i64], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every decision ever recorded for one value (per-IP timeline).
pub fn history(conn: &Connection, value: &str) -> Result<Vec<DecisionRow>, DbError> {
    let mut st = conn.prepare(&format!(
        "SELECT {FIELDS} FROM decisions WHERE value = ?1 ORDER BY created_at DESC LIMIT 500"
    ))?;
    let rows = st.query_map([value], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count_active(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM decisions WHERE deleted_at IS NULL AND until > ?1",
        [now()],
        |r| r.get(0),
    )?)
}

/// The decision stream for `key_id`: everything in force when `startup` (or on its first call), otherwise the
/// changes since its previous pull. The cursor moves forward in the same transaction.
pub fn stream(conn: &mut Connection, key_id: &str, startup: bool) -> Result<DecisionStream, DbError> {
    let now = now();
    let tx = conn.transaction()?;
    let seq: i64 = tx.query_row("SELECT value FROM meta WHERE key = 'decision_seq'", [], |r| r.get(0))?;
    let cursor: Option<(i64, i64)> = tx
        .query_row(
            "SELECT seq, pulled_at FROM stream_cursors WHERE key_id = ?1",
            [key_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut out = DecisionStream::default();
    match cursor {
        Some((last_seq, pulled_at)) if !startup => {
            let mut st = tx.prepare(&format!(
                "SELECT {FIELDS} FROM decisions WHERE seq > ?1 AND seq <= ?2 AND deleted_at IS NULL AND until > ?3"
            ))?;
            for r in st.query_map(params![last_seq, seq, now], row)? {
                out.new.push(r?.to_decision());
            }
            let fresh: HashSet<String> = out.new.iter().map(|d| d.value.clone()).collect();
            let mut st = tx.prepare(&format!(
                "SELECT {FIELDS} FROM decisions WHERE (deleted_at IS NOT NULL AND seq > ?1 AND seq <= ?2)
                 OR (deleted_at IS NULL AND until > ?3 AND until <= ?4)"
            ))?;
            for r in st.query_map(params![last_seq, seq, pulled_at, now], row)? {
                let d = r?.to_decision();
                // A value unbanned and banned again between two pulls must stay banned.
                if !fresh.contains(&d.value) {
                    out.deleted.push(d);
                }
            }
        }
        _ => {
            let mut st = tx.prepare(&format!(
                "SELECT {FIELDS} FROM decisions WHERE deleted_at IS NULL AND until > ?1 ORDER BY id"
            ))?;
            for r in st.query_map([now], row)? {
                out.new.push(r?.to_decision());
            }
        }
    }
    tx.execute(
        "INSERT INTO stream_cursors (key_id, seq, pulled_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key_id) DO UPDATE SET seq = excluded.seq, pulled_at = excluded.pulled_at",
        params![key_id, seq, now],
    )?;
    tx.commit()?;
    Ok(out)
}

/// Values of every active decision (an agent policy's `black_ips`).
pub fn active_values(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut st =
        conn.prepare("SELECT DISTINCT value FROM decisions WHERE deleted_at IS NULL AND until > ?1 ORDER BY value")?;
    let rows = st.query_map([now()], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes decisions that ended more than `keep_secs` ago.
pub fn prune(conn: &Connection, keep_secs: i64) -> Result<usize, DbError> {
    let cutoff = now() - keep_secs;
    Ok(conn.execute(
        "DELETE FROM decisions WHERE until < ?1 OR (deleted_at IS NOT NULL AND deleted_at < ?1)",
        [cutoff],
    )?)
}
