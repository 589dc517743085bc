//! `gateway`: runs the proxy (`gateway --config gateway.toml`), validates configuration (`gateway check`), runs
//! the demo, and hosts the WAF engine's offline tools (`waf-eval`, `rules import`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// glibc malloc showed up at ~8 % of proxy CPU; mimalloc's thread-local free lists fit the per-request allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "gateway",
    version,
    about = "Reverse-proxy WAF gateway that moves attackers onto a cloned site"
)]
struct Cli {
    /// gateway.toml
    #[arg(short, long, global = true, default_value = "gateway.toml")]
    config: PathBuf,
    /// Take the listening sockets over from a running gateway (send it SIGQUIT after starting this one).
    #[arg(long)]
    upgrade: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate gateway.toml, every site file and every rule file; print `file:line: message` per error.
    Check,
    /// Run a self-contained demo on loopback: built-in real and cloned sites behind the gateway in deceive mode.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:9180")]
        admin: SocketAddr,
        /// Rule directory.
        #[arg(long, default_value = "rules/waf")]
        rules: PathBuf,
        /// Where the demo writes its config, logs and state.
        #[arg(long, default_value = "demo-state")]
        dir: PathBuf,
    },
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

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,pingora_core=warn,pingora_proxy=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match &cli.command {
        None => gateway::app::run(&cli.config, cli.upgrade).map(|()| ExitCode::SUCCESS),
        Some(Command::Check) => match gateway::app::check(&cli.config) {
            Ok(msg) => {
                println!("{msg}");
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => {
                for e in errors {
                    println!("{e}");
                }
                Ok(ExitCode::FAILURE)
            }
        },
        Some(Command::Demo {
            listen,
            admin,
            rules,
            dir,
        }) => gateway::demo::run(dir, *listen, *admin, rules).map(|()| ExitCode::SUCCESS),
        Some(Command::WafEval(a)) => waf::cli::run_eval(a),
        Some(Command::Rules {
            command: RulesCommand::Import(a),
        }) => waf::cli::run_import(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gateway: {e:#}");
            ExitCode::from(2)
        }
    }
}
