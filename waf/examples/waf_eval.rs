//! Runs `waf-eval` without the gateway binary: `cargo run -p waf --example waf_eval -- --corpus FILE.jsonl`.
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: waf::cli::EvalArgs,
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    waf::cli::run_eval(&Cli::parse().args)
}
