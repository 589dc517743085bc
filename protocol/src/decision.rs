//! Decisions: "treat this address as an attacker until then", produced by the gateway WAF, the detection server
//! or a person, merged by the manager and streamed to gateways and agents (CrowdSec's bouncer contract).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What `value` names: one address or a CIDR range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Ip,
    Range,
}

/// Which kind of program made the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Waf,
    Server,
    Manual,
}

/// One decision, as it travels between programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// An IP address (`scope = ip`) or CIDR (`scope = range`).
    pub value: String,
    pub scope: Scope,
    pub origin: Origin,
    /// Rule id or scenario name that caused it.
    pub reason: String,
    /// `http`, `ftp`, `ssh`, … — where the offence was seen.
    pub service: String,
    /// When the decision stops applying.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// How many offences led to it.
    #[serde(default)]
    pub hits: u64,
}

impl Decision {
    /// True once `until` is in the past.
    pub fn expired_at(&self, now: OffsetDateTime) -> bool {
        self.until <= now
    }
}

/// Answer of `GET /api/v1/decisions/stream`: what appeared and what went away since the caller's last pull
/// (everything current when `startup=true`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionStream {
    #[serde(default)]
    pub new: Vec<Decision>,
    #[serde(default)]
    pub deleted: Vec<Decision>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_round_trips_in_the_contract_shape() {
        let json = r#"{"value":"203.0.113.7","scope":"ip","origin":"waf","reason":"942100","service":"http","until":"2026-11-28T10:00:00Z","hits":3}"#;
        let d: Decision = serde_json::from_str(json).unwrap();
        assert_eq!(d.scope, Scope::Ip);
        assert_eq!(d.origin, Origin::Waf);
        assert_eq!(d.hits, 3);
        let back = serde_json::to_string(&d).unwrap();
        assert!(back.contains(r#""until":"2026-11-28T10:00:00Z""#), "{back}");
    }

    #[test]
    fn unknown_fields_and_bad_enums_are_rejected() {
        let bad_scope = r#"{"value":"1.2.3.4","scope":"host","origin":"waf","reason":"x","service":"http","until":"2026-11-28T10:00:00Z"}"#;
        assert!(serde_json::from_str::<Decision>(bad_scope).is_err());
        let extra = r#"{"value":"1.2.3.4","scope":"ip","origin":"waf","reason":"x","service":"http","until":"2026-11-28T10:00:00Z","evil":1}"#;
        assert!(serde_json::from_str::<Decision>(extra).is_err());
    }
}
