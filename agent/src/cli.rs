//! Command line, compatible with the original agent: `agent -m MODE -c start|stop --config agent.toml`,
//! plus `--dry-run` and `agent check`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use protocol::policy::PolicyMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Everything but white IPs and ports goes to the sandbox.
    Honeypot,
    /// Only black IPs go to the sandbox (deception).
    Unreal,
    /// Black IPs are sent back to themselves.
    Back,
    /// Black IPs are dropped.
    Firewall,
}

impl From<ModeArg> for PolicyMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Honeypot => PolicyMode::Honeypot,
            ModeArg::Unreal => PolicyMode::Unreal,
            ModeArg::Back => PolicyMode::Back,
            ModeArg::Firewall => PolicyMode::Firewall,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Action {
    /// Run as a service (until SIGTERM).
    Start,
    /// Stop a running agent and remove exactly the agent's nftables table.
    Stop,
}

#[derive(Debug, Parser)]
#[command(
    name = "agent",
    version,
    about = "jinghuashuiyue host agent: log forwarding and nftables policy"
)]
pub struct Cli {
    /// Firewall mode; overrides the policy's mode. Without it the policy's mode is used (honeypot if none).
    #[arg(short = 'm', long = "mode", value_enum, global = true)]
    pub mode: Option<ModeArg>,
    /// start (default) or stop.
    #[arg(short = 'c', long = "command", value_enum, default_value = "start")]
    pub action: Action,
    #[arg(long, default_value = "agent.toml", global = true)]
    pub config: PathBuf,
    /// Print the nftables ruleset and the forwarding plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(subcommand)]
    pub sub: Option<Sub>,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Validate agent.toml (and the policy file, key file, nft) and exit non-zero on errors.
    Check,
}
