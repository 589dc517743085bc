//! `gateway waf-eval` and `gateway rules import`: the engine's offline sub-commands.

pub mod corpus;
mod eval;
mod import;
pub mod vectors;

pub use eval::inspect;

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gateway waf-eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Rule directory.
    #[arg(long, default_value = "rules/waf")]
    pub rules: PathBuf,
    /// JSONL request corpus, or a `.toml` rule test-vector file (see `waf::cli::vectors`); repeatable.
    #[arg(long, required = true)]
    pub corpus: Vec<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long)]
    pub json: bool,
    /// Site paranoia level to evaluate with.
    #[arg(long, default_value_t = 1)]
    pub paranoia: u8,
    /// Anomaly score threshold.
    #[arg(long, default_value_t = 5)]
    pub threshold: u32,
    /// List every missed attack with the partial score it got.
    #[arg(long)]
    pub show_misses: bool,
    /// Also write one JSON line per record (`id`, `attack`, `score`, `rules`) to this file: diff two runs to
    /// see what a rule change did, record by record, at every paranoia level.
    #[arg(long)]
    pub verdicts: Option<PathBuf>,
}

/// Runs `gateway waf-eval`.
pub fn run_eval(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    eval::run(args)
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
pub fn run_import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    import::run(args)
}
