//! `gateway waf-eval` and `gateway rules import`: the engine's offline sub-commands.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gateway waf-eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Rule directory.
    #[arg(long, default_value = "rules/waf")]
    pub rules: PathBuf,
    /// JSONL request corpus (repeatable).
    #[arg(long, required = true)]
    pub corpus: Vec<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `gateway waf-eval`.
pub fn run_eval(_args: &EvalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("waf-eval is not implemented yet")
}

/// Arguments of `gateway rules import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Source format: `x-waf` or `ngx-lua-waf`.
    #[arg(long = "from")]
    pub from: String,
    /// Directory holding the rules to import.
    pub dir: PathBuf,
    /// Output TOML rule file.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `gateway rules import`.
pub fn run_import(_args: &ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("rules import is not implemented yet")
}
