//! placeholder
use std::process::ExitCode;
pub fn run(_a: &super::ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("rules import is not implemented yet")
}
