//! `agent` binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use agent::cli::{Action, Cli, Sub};
use agent::config::Config;
use clap::Parser;
use protocol::policy::PolicyMode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let mode: Option<PolicyMode> = cli.mode.map(Into::into);
    if let Some(Sub::Check) = cli.sub {
        let (errors, notes) = agent::plan::check(&cli.config);
        for n in &notes {
            println!("{n}");
        }
        for e in &errors {
            eprintln!("{e}");
        }
        if errors.is_empty() {
            println!("{}: ok", cli.config.display());
            return ExitCode::SUCCESS;
        }
        return ExitCode::FAILURE;
    }
    let cfg = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if cli.dry_run {
        print!("{}", agent::plan::dry_run(&cfg, mode));
        return ExitCode::SUCCESS;
    }
    let r = match cli.action {
        Action::Start => agent::service::run(cfg, mode),
        Action::Stop => agent::service::stop(&cfg),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agent: {e:#}");
            ExitCode::FAILURE
        }
    }
}
