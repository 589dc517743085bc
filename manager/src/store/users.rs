//! People: argon2id password hashes, roles, server-side sessions (only a hash of the cookie token is stored)
//! and the one-time setup token used when no user exists yet.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{now, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May change everything.
    Admin,
    /// May look at everything, change nothing.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub created_at: i64,
}

/// A logged-in user with the session's CSRF token.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

pub const MIN_PASSWORD: usize = 10;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, DbError> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| DbError::Other(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DbError::Other(format!("hashing password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Field-level checks for a new user or a password change.
pub fn validate(username: &str, password: &str) -> Vec<(&'static str, String)> {
    let mut errs = Vec::new();
    if !crate::store::keys::valid_name(username) {
        errs.push(("username", "1-64 letters, digits, '-', '_' or '.'".to_string()));
    }
    if password.chars().count() < MIN_PASSWORD {
        errs.push(("password", format!("at least {MIN_PASSWORD} characters")));
    }
    errs
}

pub fn count(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

pub fn create(conn: &Connection, username: &str, password: &str, role: Role) -> Result<i64, DbError> {
    if let Some((field, msg)) = validate(username, password).into_iter().next() {
        return Err(DbError::Other(format!("{field}: {msg}")));
    }
    let hash = hash_password(password)?;
    conn.execute(
        "INSERT INTO users (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![username, hash, role.as_str(), now()],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            DbError::Other(format!("user {username:?} already exists"))
        }
        e => e.into(),
    })?;
    Ok(conn.last_insert_rowid())
}

pub fn list(conn: &Connection) -> Result<Vec<User>, DbError> {
    let mut st = conn.prepare("SELECT id, username, role, created_at FROM users ORDER BY username")?;
    let rows = st.query_map([], |r| {
        let role: String = r.get(2)?;
        Ok(User {
            id: r.get(0)?,
            username: r.get(1)?,
            role: Role::parse(&role).unwrap_or(Role::Viewer),
            created_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Refuses to remove the last admin.
pub fn delete(conn: &Connection, id: i64) -> Result<Result<(), String>, DbError> {
    let admins: i64 = conn.query_row(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND id != ?1",
        [id],
        |r| r.get(0),
    )?;
    if admins == 0 {
        return Ok(Err("the last admin cannot be removed".into()));
    }
    conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(Ok(()))
}

pub fn set_password(conn: &Connection, id: i64, password: &str) -> Result<(), DbError> {
    let hash = hash_password(password)?;
    conn.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![id, hash])?;
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    Ok(())
}

/// Checks a password; returns the user on success.
pub fn authenticate(conn: &Connection, username: &str, password: &str) -> Result<Option<User>, DbError> {
    let row: Option<(i64, String, String, i64)> = conn
        .query_row(
            "SELECT id, password_hash, role, created_at FROM users WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match row {
        Some((id, hash, role, created_at)) if verify_password(password, &hash) => Ok(Some(User {
            id,
            username: username.to_string(),
            role: Role::parse(&role).unwrap_or(Role::Viewer),
            created_at,
        })),
        Some(_) => Ok(None),
        None => {
            // Costs what a real check costs, so timing does not reveal which names exist.
            let _ = hash_password(password);
            Ok(None)
        }
    }
}

/// Starts a session; returns the cookie token.
pub fn start_session(conn: &Connection, user_id: i64, ttl_secs: i64) -> Result<String, DbError> {
    let token = random_token();
    conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [now()])?;
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash(&token), user_id, random_token(), now() + ttl_secs],
    )?;
    Ok(token)
}

pub fn session(conn: &Connection, token: &str) -> Result<Option<Session>, DbError> {
    Ok(conn
        .query_row(
            "SELECT u.id, u.username, u.role, u.created_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            params![token_hash(token), now()],
            |r| {
                let role: String = r.get(2)?;
                Ok(Session {
                    user: User {
                        id: r.get(0)?,
                        username: r.get(1)?,
                        role: Role::parse(&role).unwrap_or(Role::Viewer),
                        created_at: r.get(3)?,
                    },
                    csrf: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn end_session(conn: &Connection, token: &str) -> Result<(), DbError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash(token)])?;
    Ok(())
}

/// Issues the one-time setup token printed on first start (valid `ttl_secs`).
pub fn new_setup_token(conn: &Connection, ttl_secs: i64) -> Result<String, DbError> {
    let token = random_token();
    conn.execute("DELETE FROM setup_tokens", [])?;
    conn.execute(
        "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?1, ?2)",
        params![token_hash(&token), now() + ttl_secs],
    )?;
    Ok(token)
}

/// True when the token is valid; it stays valid until `consume_setup_token`.
pub fn check_setup_token(conn: &Connection, token: &str) -> Result<bool, DbError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = ?1 AND expires_at > ?2",
        params![token_hash(token), now()],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn consume_setup_tokens(conn: &Connection) -> Result<(), DbError> {
    conn.execute("DELETE FROM setup_tokens", [])?;
    Ok(())
}
