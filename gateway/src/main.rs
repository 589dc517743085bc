//! `gateway`: the Pingora reverse-proxy WAF gateway (placeholder entry point while the proxy lands).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "gateway",
    about = "Reverse-proxy WAF gateway that moves attackers onto a cloned site"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the WAF engine over JSONL request corpora and print detection and false-positive rates.
    WafEval(waf::cli::EvalArgs),
    /// Rule-file tools.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Import ngx_lua_waf or x-waf rule files into a TOML rule file.
    Import(waf::cli::ImportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::WafEval(a)) => waf::cli::run_eval(a),
        Some(Command::Rules {
            command: RulesCommand::Import(a),
        }) => waf::cli::run_import(a),
        None => Ok(ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gateway: {e:#}");
            ExitCode::from(2)
        }
    }
}
