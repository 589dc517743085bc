//! The embedded SQLite store: opening, schema migrations (tracked in `PRAGMA user_version`) and a handle that runs
//! queries off the async runtime.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

/// Each entry moves the schema one version forward; never edit a shipped entry, append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: everything the first release needs.
    r#"
    CREATE TABLE keys (
        name TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        value TEXT NOT NULL,
        scope TEXT NOT NULL,
        origin TEXT NOT NULL,
        reason TEXT NOT NULL,
        service TEXT NOT NULL,
        until INTEGER NOT NULL,
        hits INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        deleted_at INTEGER,
        seq INTEGER NOT NULL
    );
    CREATE INDEX decisions_value ON decisions(value);
    CREATE INDEX decisions_seq ON decisions(seq);
    CREATE INDEX decisions_until ON decisions(until);
    CREATE TABLE stream_cursors (
        key_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        pulled_at INTEGER NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        src_ip TEXT NOT NULL,
        service TEXT NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        site TEXT NOT NULL,
        host TEXT NOT NULL,
        evidence TEXT NOT NULL,
        honeypot INTEGER NOT NULL,
        source TEXT NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX events_time ON events(time);
    CREATE INDEX events_ip_time ON events(src_ip, time);
    CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        src_ip TEXT NOT NULL,
        summary TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        acked_by TEXT,
        acked_at INTEGER
    );
    CREATE INDEX alarms_open ON alarms(acked_at, src_ip, kind);
    CREATE TABLE policies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        mode TEXT NOT NULL,
        white_ips TEXT NOT NULL,
        white_ports TEXT NOT NULL,
        sandbox TEXT NOT NULL,
        interval TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    INSERT INTO policies (name, mode, white_ips, white_ports, sandbox, interval, updated_at)
        VALUES ('default', 'firewall', '[]', '[]', '', '10s', 0);
    CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        hostname TEXT NOT NULL DEFAULT '',
        mode TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '',
        addr TEXT NOT NULL DEFAULT '',
        policy_id INTEGER REFERENCES policies(id) ON DELETE SET NULL,
        last_pull INTEGER,
        last_seen INTEGER
    );
    CREATE TABLE sites (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        addr TEXT NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('decision_seq', 0);
    CREATE TABLE setup_tokens (
        token_hash TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    );
    "#,
    // 2: TLS per site (issue 6). A site lives in `sites.spec` as one JSON document, so the new fields are added
    // to every stored document, off; the version bump also makes an older manager, whose SiteSpec rejects
    // unknown fields, refuse this database with a clear message instead of failing on the first site.
    r#"
    UPDATE sites SET spec = json_set(spec, '$.tls', json('false'), '$.tls_cert', '', '$.tls_key', '')
        WHERE json_type(spec, '$.tls') IS NULL;
    "#,
];

/// Latest schema version this binary knows.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Opens (creating if needed) the database and brings its schema up to date.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    }
    let mut conn = Connection::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn).map_err(|e| anyhow::anyhow!("{}: migration failed: {e}", path.display()))?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > schema_version() {
        anyhow::bail!(
            "database schema version {current} is newer than this manager understands ({})",
            schema_version()
        );
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied schema migration");
    }
    Ok(())
}

/// Shared handle to the one connection; queries run on the blocking pool so the async workers stay free.
#[derive(Clone)]
pub struct Db(Arc<Mutex<Connection>>);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Other(String),
}

impl Db {
    pub fn new(conn: Connection) -> Db {
        Db(Arc::new(Mutex::new(conn)))
    }

    /// Runs `f` with the connection on the blocking thread pool.
    pub async fn call<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| DbError::Other(format!("database task failed: {e}")))?
    }

    /// Runs `f` on the calling thread (CLI and startup use).
    pub fn blocking<R>(&self, f: impl FnOnce(&mut Connection) -> Result<R, DbError>) -> Result<R, DbError> {
        let mut conn = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written by a version-1 manager gets the TLS fields, off, and its sites still load.
    #[test]
    fn migration_2_turns_tls_off_on_stored_sites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            let old = r#"{"name":"shop","hosts":["shop.test"],"default":false,"listen":[],"max_body_size":0,
                "backends":["127.0.0.1:9001"],"unreal_backends":["127.0.0.1:9101"],"trusted_proxies":[],
                "max_fails":3,"fail_timeout":"20s","waf_mode":"deceive","redirect_url":"","block_page":"",
                "bad_guy_ttl":"10m"}"#;
            conn.execute(
                "INSERT INTO sites (name, spec, updated_at) VALUES ('shop', ?1, 0)",
                [old],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, schema_version());
        let spec: String = conn.query_row("SELECT spec FROM sites", [], |r| r.get(0)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&spec).unwrap();
        assert_eq!(json["tls"], serde_json::Value::Bool(false), "{spec}");
        assert_eq!(json["tls_cert"], "");
        let sites = crate::store::sites::list(&conn).unwrap();
        assert_eq!(sites.len(), 1);
        assert!(!sites[0].tls);
        assert_eq!(sites[0].backends, ["127.0.0.1:9001"]);
    }
}
