//! Per-component API keys (`manager key add/list/revoke`). The secret is stored as issued because HMAC
//! verification needs it; the database file must be protected like a key file.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::db::{now, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Key names are used in headers, file names and logs: keep them short and plain.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Creates a key and returns its secret. A revoked key of the same name is replaced; an active one is an error.
pub fn add(conn: &Connection, name: &str) -> Result<String, DbError> {
    if !valid_name(name) {
        return Err(DbError::Other(format!(
            "invalid key name {name:?}: use 1-64 letters, digits, '-', '_' or '.'"
        )));
    }
    let active: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM keys WHERE name = ?1 AND revoked_at IS NULL",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    if active.is_some() {
        return Err(DbError::Other(format!(
            "key {name:?} already exists; revoke it first to issue a new secret"
        )));
    }
    let secret = protocol::signing::new_secret();
    conn.execute(
        "INSERT INTO keys (name, secret, created_at, revoked_at) VALUES (?1, ?2, ?3, NULL)
         ON CONFLICT(name) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, revoked_at = NULL",
        params![name, secret, now()],
    )?;
    Ok(secret)
}

pub fn list(conn: &Connection) -> Result<Vec<KeyInfo>, DbError> {
    let mut st = conn.prepare("SELECT name, created_at, revoked_at FROM keys ORDER BY name")?;
    let rows = st.query_map([], |r| {
        Ok(KeyInfo {
            name: r.get(0)?,
            created_at: r.get(1)?,
            revoked_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Returns false when no active key has that name.
pub fn revoke(conn: &Connection, name: &str) -> Result<bool, DbError> {
    let n = conn.execute(
        "UPDATE keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now()],
    )?;
    Ok(n > 0)
}

/// Secret of an active key.
pub fn secret(conn: &Connection, name: &str) -> Result<Option<String>, DbError> {
    Ok(conn
        .query_row(
            "SELECT secret FROM keys WHERE name = ?1 AND revoked_at IS NULL",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}
