//! Running the server: placeholder until the pipeline lands.
use std::path::Path;
use std::process::ExitCode;

pub fn main(_config: &Path) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}
