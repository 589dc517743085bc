//! Typed access to the tables, one file per subject. Functions take a `&Connection` (or transaction) so callers
//! choose where they run: on the blocking pool from handlers, directly from the CLI.

pub mod agents;
pub mod alarms;
pub mod audit;
pub mod decisions;
pub mod events;
pub mod keys;
pub mod sites;
pub mod users;

/// Formats a unix time as RFC 3339 UTC for display and export.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}
