//! Agents (one per key that pulls a policy) and the policies assignable to them. An agent without an assigned
//! policy gets the one named `default`.

use std::collections::BTreeMap;

use protocol::policy::{Policy, PolicyMode, PolicyRequest};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::db::{now, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    pub name: String,
    pub hostname: String,
    pub mode: String,
    pub version: String,
    pub addr: String,
    pub policy_id: Option<i64>,
    pub policy_name: Option<String>,
    pub last_pull: Option<i64>,
    pub last_seen: Option<i64>,
}

/// A policy as people edit it; the wire `Policy` adds the current `black_ips`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicySpec {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub mode: PolicyMode,
    #[serde(default)]
    pub white_ips: Vec<String>,
    #[serde(default)]
    pub white_ports: Vec<u16>,
    #[serde(default)]
    pub sandbox: String,
    #[serde(default = "default_interval")]
    pub interval: String,
}

fn default_interval() -> String {
    "10s".into()
}

pub fn mode_str(m: PolicyMode) -> &'static str {
    match m {
        PolicyMode::Honeypot => "honeypot",
        PolicyMode::Unreal => "unreal",
        PolicyMode::Back => "back",
        PolicyMode::Firewall => "firewall",
    }
}

pub fn parse_mode(s: &str) -> Option<PolicyMode> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// Field-level validation; keys of the map are field names.
pub fn validate_policy(p: &PolicySpec) -> BTreeMap<&'static str, String> {
    let mut errs = BTreeMap::new();
    if !crate::store::keys::valid_name(&p.name) {
        errs.insert("name", "1-64 letters, digits, '-', '_' or '.'".into());
    }
    for ip in &p.white_ips {
        if protocol::ip::parse(ip).is_none() && ip.trim().parse::<ipnet::IpNet>().is_err() {
            errs.insert("white_ips", format!("{ip:?} is neither an IP address nor a CIDR range"));
        }
    }
    if p.white_ports.contains(&0) {
        errs.insert("white_ports", "port 0 is not a port".into());
    }
    if let Err(e) = validate_sandbox(&p.sandbox) {
        errs.insert("sandbox", e);
    } else if p.sandbox.is_empty() && matches!(p.mode, PolicyMode::Honeypot | PolicyMode::Unreal) {
        errs.insert("sandbox", format!("mode {} needs a sandbox address", mode_str(p.mode)));
    }
    match humantime::parse_duration(&p.interval) {
        Ok(d) if d.as_secs() >= 1 && d.as_secs() <= 3600 => {}
        Ok(_) => {
            errs.insert("interval", "between 1s and 1h".into());
        }
        Err(e) => {
            errs.insert("interval", format!("{e} (e.g. \"10s\")"));
        }
    }
    errs
}

/// `host[:port]` where host is an IP (v6 in brackets when a port follows) or a DNS name.
fn validate_sandbox(s: &str) -> Result<(), String> {
    if s.is_empty() || protocol::ip::parse(s).is_some() || s.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u16>(), Ok(n) if n > 0) {
            return Err(format!("{p:?} is not a port"));
        }
    }
    let name_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if name_ok {
        Ok(())
    } else {
        Err(format!("{s:?} is not host[:port]"))
    }
}

fn policy_row(r: &rusqlite::Row) -> rusqlite::Result<PolicySpec> {
    let white_ips: String = r.get(3)?;
    let white_ports: String = r.get(4)?;
    let mode: String = r.get(2)?;
    Ok(PolicySpec {
        id: r.get(0)?,
        name: r.get(1)?,
        mode: parse_mode(&mode).unwrap_or(PolicyMode::Unreal),
        white_ips: serde_json::from_str(&white_ips).unwrap_or_default(),
        white_ports: serde_json::from_str(&white_ports).unwrap_or_default(),
        sandbox: r.get(5)?,
        interval: r.get(6)?,
    })
}

const POLICY_FIELDS: &str = "id, name, mode, white_ips, white_ports, sandbox, interval";

pub fn policies(conn: &Connection) -> Result<Vec<PolicySpec>, DbError> {
    let mut st = conn.prepare(&format!("SELECT {POLICY_FIELDS} FROM policies ORDER BY name"))?;
    let rows = st.query_map([], policy_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn policy(conn: &Connection, id: i64) -> Result<Option<PolicySpec>, DbError> {
    Ok(conn
        .query_row(
            &format!("SELECT {POLICY_FIELDS} FROM policies WHERE id = ?1"),
            [id],
            policy_row,
        )
        .optional()?)
}

/// Inserts (id 0) or updates a validated policy; returns its id.
pub fn save_policy(conn: &Connection, p: &PolicySpec) -> Result<i64, DbError> {
    let ips = serde_json::to_string(&p.white_ips).unwrap_or_else(|_| "[]".into());
    let ports = serde_json::to_string(&p.white_ports).unwrap_or_else(|_| "[]".into());
    if p.id == 0 {
        conn.execute(
            "INSERT INTO policies (name, mode, white_ips, white_ports, sandbox, interval, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![p.name, mode_str(p.mode), ips, ports, p.sandbox, p.interval, now()],
        )?;
        Ok(conn.last_insert_rowid())
    } else {
        conn.execute(
            "UPDATE policies SET name = ?2, mode = ?3, white_ips = ?4, white_ports = ?5, sandbox = ?6, interval = ?7,
             updated_at = ?8 WHERE id = ?1",
            params![p.id, p.name, mode_str(p.mode), ips, ports, p.sandbox, p.interval, now()],
        )?;
        Ok(p.id)
    }
}

/// The `default` policy cannot be deleted: every unassigned agent uses it.
pub fn delete_policy(conn: &Connection, id: i64) -> Result<bool, DbError> {
    Ok(conn.execute("DELETE FROM policies WHERE id = ?1 AND name != 'default'", [id])? > 0)
}

/// Records a policy pull and returns the agent's policy with the current black list.
pub fn pull(conn: &Connection, agent: &str, req: &PolicyRequest, addr: &str) -> Result<Policy, DbError> {
    let now = now();
    conn.execute(
        "INSERT INTO agents (name, hostname, mode, version, addr, last_pull, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT(name) DO UPDATE SET hostname = excluded.hostname, mode = excluded.mode,
         version = excluded.version, addr = excluded.addr, last_pull = excluded.last_pull, last_seen = excluded.last_seen",
        params![agent, req.hostname, req.mode.map(mode_str).unwrap_or(""), req.version, addr, now],
    )?;
    let spec = conn
        .query_row(
            &format!(
                "SELECT {POLICY_FIELDS} FROM policies WHERE id = (SELECT policy_id FROM agents WHERE name = ?1)
                 OR (name = 'default' AND NOT EXISTS
                    (SELECT 1 FROM agents a JOIN policies p ON p.id = a.policy_id WHERE a.name = ?1))
                 ORDER BY name = 'default' LIMIT 1"
            ),
            [agent],
            policy_row,
        )
        .optional()?;
    let spec = spec.ok_or_else(|| DbError::Other("no policy named default".into()))?;
    Ok(Policy {
        mode: spec.mode,
        white_ips: spec.white_ips,
        white_ports: spec.white_ports,
        sandbox: spec.sandbox,
        black_ips: crate::store::decisions::active_values(conn)?,
        interval: spec.interval,
    })
}

/// Any signed call counts as a heartbeat of its key.
pub fn seen(conn: &Connection, agent: &str, addr: &str) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO agents (name, addr, last_seen) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET addr = excluded.addr, last_seen = excluded.last_seen",
        params![agent, addr, now()],
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<AgentRow>, DbError> {
    let mut st = conn.prepare(
        "SELECT a.name, a.hostname, a.mode, a.version, a.addr, a.policy_id, p.name, a.last_pull, a.last_seen
         FROM agents a LEFT JOIN policies p ON p.id = a.policy_id ORDER BY a.name",
    )?;
    let rows = st.query_map([], |r| {
        Ok(AgentRow {
            name: r.get(0)?,
            hostname: r.get(1)?,
            mode: r.get(2)?,
            version: r.get(3)?,
            addr: r.get(4)?,
            policy_id: r.get(5)?,
            policy_name: r.get(6)?,
            last_pull: r.get(7)?,
            last_seen: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `None` unassigns (the agent falls back to `default`). Returns false for an unknown agent.
pub fn assign(conn: &Connection, agent: &str, policy_id: Option<i64>) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE agents SET policy_id = ?2 WHERE name = ?1",
        params![agent, policy_id],
    )? > 0)
}
