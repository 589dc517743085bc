//! Stored sites: the spec as JSON, keyed by name. Publishing to `sites_dir` is `sites::publish`'s job.

use rusqlite::{params, Connection, OptionalExtension};

use crate::db::{now, DbError};
use crate::sites::SiteSpec;

pub fn list(conn: &Connection) -> Result<Vec<SiteSpec>, DbError> {
    let mut st = conn.prepare("SELECT spec FROM sites ORDER BY name")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        let spec: SiteSpec = serde_json::from_str(&r?).map_err(|e| DbError::Other(format!("stored site: {e}")))?;
        out.push(spec);
    }
    Ok(out)
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<SiteSpec>, DbError> {
    let spec: Option<String> = conn
        .query_row("SELECT spec FROM sites WHERE name = ?1", [name], |r| r.get(0))
        .optional()?;
    spec.map(|s| serde_json::from_str(&s).map_err(|e| DbError::Other(format!("stored site: {e}"))))
        .transpose()
}

pub fn save(conn: &Connection, site: &SiteSpec) -> Result<(), DbError> {
    let spec = serde_json::to_string(site).map_err(|e| DbError::Other(e.to_string()))?;
    conn.execute(
        "INSERT INTO sites (name, spec, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
        params![site.name, spec, now()],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, name: &str) -> Result<bool, DbError> {
    Ok(conn.execute("DELETE FROM sites WHERE name = ?1", [name])? > 0)
}
