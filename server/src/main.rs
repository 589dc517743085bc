//! `server`: the detection server binary. `server --config server.toml` runs it; `server check` validates the
//! config and rules; `server replay FILE` runs the detectors offline; `server eval-corpus DIR` scores them.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::Config;
use server::engine::EngineConfig;
use server::rules::{self, RuleSet};

#[derive(Parser)]
#[command(name = "server", version, about = "jinghuashuiyue detection server")]
struct Cli {
    /// Config file.
    #[arg(long, short = 'c', global = true, default_value = "server.toml")]
    config: PathBuf,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Validate the config and every rule file; prints `file:line: message` per error.
    Check,
    /// Run the detectors over a log file offline (no manager needed).
    Replay {
        file: PathBuf,
        /// Detector for lines without a syslog tag (`vsftpd`, `mysql`, …).
        #[arg(long)]
        service: Option<String>,
        /// One JSON object per event, then one `{"decision":…}` per decision.
        #[arg(long)]
        json: bool,
        /// Rules directory (default: the config's, else ./rules/services).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Score the detectors against the annotated corpus (`../shared/corpus/services`).
    EvalCorpus {
        #[arg(default_value = "../shared/corpus/services")]
        dir: PathBuf,
        #[arg(long)]
        rules: Option<PathBuf>,
        /// List missed lines and false positives.
        #[arg(long, short)]
        verbose: bool,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.cmd {
        None => server::serve::main(&cli.config),
        Some(Cmd::Check) => check(&cli.config),
        Some(Cmd::Replay {
            file,
            service,
            json,
            rules,
        }) => replay(&cli.config, rules, &file, service.as_deref(), json),
        Some(Cmd::EvalCorpus {
            dir,
            rules,
            verbose,
            json,
        }) => eval(&cli.config, rules, &dir, verbose, json),
    };
    match res {
        Ok(code) => code,
        Err(e) => {
            eprintln!("server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Rules dir: explicit flag, else the config's (if the config exists), else `rules/services`.
fn rules_dir(config: &Path, flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d);
    }
    if config.exists() {
        return Ok(Config::load(config)?.rules_dir);
    }
    Ok(PathBuf::from("rules/services"))
}

fn load_rules(dir: &Path) -> anyhow::Result<RuleSet> {
    rules::load_dir(dir).map_err(|errs| {
        let msg: Vec<String> = errs.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("{}", msg.join("\n"))
    })
}

fn check(config: &Path) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(config)?;
    if cfg.decisions.manager.is_some() {
        cfg.secret()?;
    }
    if let Some(t) = &cfg.syslog.tls {
        server::tls::acceptor(&t.cert, &t.key)?;
    }
    match rules::load_dir(&cfg.rules_dir) {
        Ok(set) => {
            let n: usize = set.detectors.iter().map(|d| d.rules.len()).sum();
            println!(
                "{}: ok ({} files, {} detectors, {} rules, {} scenarios)",
                config.display(),
                set.files,
                set.detectors.len(),
                n,
                set.scenarios.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errs) => {
            for e in errs {
                eprintln!("{e}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn replay(
    config: &Path,
    rules: Option<PathBuf>,
    file: &Path,
    service: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let set = load_rules(&rules_dir(config, rules)?)?;
    let only = match service {
        Some(s) => Some(
            set.detector_by_name(s)
                .ok_or_else(|| anyhow::anyhow!("unknown service {s:?} (no rule file names it)"))?,
        ),
        None => None,
    };
    let f = std::fs::File::open(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    server::replay::print(
        &set,
        &EngineConfig::default(),
        only,
        std::io::BufReader::new(f),
        json,
        &mut out,
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn eval(config: &Path, rules: Option<PathBuf>, dir: &Path, verbose: bool, json: bool) -> anyhow::Result<ExitCode> {
    if !dir.exists() {
        println!(
            "eval-corpus: {} not found; skipping (the corpus lives in ../shared/corpus)",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let set = load_rules(&rules_dir(config, rules)?)?;
    let report = server::eval::evaluate(&set, dir)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", server::eval::render(&report, verbose));
    }
    let ok = report.detection_rate() >= 0.99 && report.false_positive_rate() <= 0.01 && report.hub_ok();
    println!(
        "target (>= 99% detected, <= 1% false positives, hub sources as expected): {}",
        if ok { "met" } else { "NOT met" }
    );
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
