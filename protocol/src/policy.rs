//! Agent policy: what `POST /api/v1/policy` returns and what `policy_file` holds for a standalone agent.

use serde::{Deserialize, Serialize};

/// The four firewall modes of DESIGN.md §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyMode {
    /// Everything but white IPs/ports goes to the sandbox.
    Honeypot,
    /// Only black IPs go to the sandbox (the deception mode).
    Unreal,
    /// Black IPs are sent back to themselves.
    Back,
    /// Black IPs are dropped.
    Firewall,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub mode: PolicyMode,
    #[serde(default)]
    pub white_ips: Vec<String>,
    #[serde(default)]
    pub white_ports: Vec<u16>,
    /// `host[:port]`; without a port each connection keeps its destination port.
    #[serde(default)]
    pub sandbox: String,
    #[serde(default)]
    pub black_ips: Vec<String>,
    /// Pull interval, humantime (`"10s"`).
    #[serde(default = "default_interval")]
    pub interval: String,
}

fn default_interval() -> String {
    "10s".to_string()
}

/// Body an agent sends with `POST /api/v1/policy` so the manager can keep its registry current.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub mode: Option<PolicyMode>,
    #[serde(default)]
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_parses_contract_json() {
        let p: Policy = serde_json::from_str(
            r#"{"mode":"unreal","white_ips":["10.0.0.1"],"white_ports":[22],"sandbox":"10.0.0.9","black_ips":["203.0.113.7"],"interval":"10s"}"#,
        )
        .unwrap();
        assert_eq!(p.mode, PolicyMode::Unreal);
        assert_eq!(p.white_ports, vec![22]);
        assert!(serde_json::from_str::<Policy>(r#"{"mode":"open"}"#).is_err());
    }
}
