//! `manager` binary: `manager [--config manager.toml]` serves; `manager check`, `manager key …`, `manager user …`
//! administer. See `cli.rs`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    manager::cli::main()
}
