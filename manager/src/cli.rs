//! Command line: serve (default), `check`, `key add|list|revoke`, `user add|passwd`. Administrative commands open
//! the database directly (SQLite WAL allows that while the server runs); changes take effect at once.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::{self, Db};
use crate::store;

#[derive(Debug, Parser)]
#[command(
    name = "manager",
    version,
    about = "jinghuashuiyue manager: API, attack log and web UI"
)]
pub struct Cli {
    /// Configuration file; a missing file means all defaults.
    #[arg(long, short = 'c', global = true, default_value = "manager.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the manager (the default).
    Run,
    /// Validate the configuration, open and migrate the database, render every stored site; exit non-zero on error.
    Check,
    /// Machine keys used to sign API calls.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Web UI users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key; prints the secret as the last line of output.
    Add {
        #[arg(long)]
        name: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key: calls signed with it are refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from the environment variable JHSY_PASSWORD.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "viewer")]
        role: RoleArg,
    },
    /// Set a user's password from JHSY_PASSWORD (ends the user's sessions).
    Passwd {
        #[arg(long)]
        name: String,
    },
    /// List users.
    List,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Admin,
    Viewer,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let must_exist = std::env::args_os().any(|a| a == "--config" || a == "-c");
    let cfg = match Config::load(&cli.config, must_exist) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => crate::server::run(cfg),
        Command::Check => check(&cfg),
        Command::Key(k) => key(&cfg, k),
        Command::User(u) => user(&cfg, u),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open(cfg: &Config) -> anyhow::Result<Db> {
    Ok(Db::new(db::open(&cfg.database)?))
}

fn check(cfg: &Config) -> anyhow::Result<()> {
    let db = open(cfg)?;
    let publisher = crate::sites::publish::Publisher::new(
        cfg.sites_dir.clone(),
        cfg.site_templates.as_deref(),
        cfg.gateway_bin.clone(),
    )?;
    let sites = db.blocking(|c| store::sites::list(c))?;
    let mut bad = 0;
    for s in &sites {
        let r = publisher.render(s).and_then(|out| publisher.gateway_check(s, &out));
        if let Err(e) = r {
            eprintln!("site {}: {e}", s.name);
            bad += 1;
        }
    }
    if bad > 0 {
        anyhow::bail!("{bad} of {} sites do not render or check", sites.len());
    }
    println!(
        "ok: config, database {} (schema v{}), {} sites",
        cfg.database.display(),
        db::schema_version(),
        sites.len()
    );
    Ok(())
}

fn key(cfg: &Config, cmd: KeyCommand) -> anyhow::Result<()> {
    let db = open(cfg)?;
    match cmd {
        KeyCommand::Add { name } => {
            let secret = db.blocking(|c| {
                let s = store::keys::add(c, &name)?;
                store::audit::record(c, "cli", "key.add", &name, "")?;
                Ok(s)
            })?;
            println!("created key {name}; give the program this secret (shown once):");
            println!("{secret}");
        }
        KeyCommand::List => {
            for k in db.blocking(|c| store::keys::list(c))? {
                let state = match k.revoked_at {
                    Some(t) => format!("revoked {}", store::rfc3339(t)),
                    None => "active".into(),
                };
                println!("{}\tcreated {}\t{state}", k.name, store::rfc3339(k.created_at));
            }
        }
        KeyCommand::Revoke { name } => {
            let done = db.blocking(|c| {
                let done = store::keys::revoke(c, &name)?;
                if done {
                    store::audit::record(c, "cli", "key.revoke", &name, "")?;
                }
                Ok(done)
            })?;
            if !done {
                anyhow::bail!("no active key named {name:?}");
            }
            println!("revoked key {name}");
        }
    }
    Ok(())
}

fn password_from_env() -> anyhow::Result<String> {
    std::env::var("JHSY_PASSWORD")
        .map_err(|_| anyhow::anyhow!("set the password in the environment variable JHSY_PASSWORD"))
}

fn user(cfg: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = open(cfg)?;
    match cmd {
        UserCommand::Add { name, role } => {
            let pw = password_from_env()?;
            let role = match role {
                RoleArg::Admin => store::users::Role::Admin,
                RoleArg::Viewer => store::users::Role::Viewer,
            };
            db.blocking(|c| {
                store::users::create(c, &name, &pw, role)?;
                store::audit::record(c, "cli", "user.add", &format!("{name} ({})", role.as_str()), "")
            })?;
            println!("created user {name}");
        }
        UserCommand::Passwd { name } => {
            let pw = password_from_env()?;
            db.blocking(|c| {
                let u = store::users::list(c)?.into_iter().find(|u| u.username == name);
                let u = u.ok_or_else(|| db::DbError::Other(format!("no user named {name:?}")))?;
                if let Some((f, m)) = store::users::validate(&name, &pw).into_iter().next() {
                    return Err(db::DbError::Other(format!("{f}: {m}")));
                }
                store::users::set_password(c, u.id, &pw)?;
                store::audit::record(c, "cli", "user.passwd", &name, "")
            })?;
            println!("password changed for {name}");
        }
        UserCommand::List => {
            for u in db.blocking(|c| store::users::list(c))? {
                println!("{}\t{}", u.username, u.role.as_str());
            }
        }
    }
    Ok(())
}
