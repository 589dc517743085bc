//! Detector rule files (`rules/services/*.toml`): their typed form, loading a directory, and compiling it into a
//! [`RuleSet`]. A file that does not load is reported as `file:line: message` and the caller keeps the previous
//! set (see `reload`).

mod compile;
mod find;
mod model;

pub use compile::{Detector, Rule, RuleSet, Scenario};
pub use find::{normalize_src, Hit};
pub use model::{Action, FileModel, RuleModel, ScenarioModel, SessionKey};

use std::path::{Path, PathBuf};
use thiserror::Error;

/// A problem in one rule file, located to a line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The `*.toml` files of a directory, sorted by name so precedence is stable.
pub fn rule_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Loads and compiles every rule file in `dir`. All errors are returned, not just the first.
pub fn load_dir(dir: &Path) -> Result<RuleSet, Vec<RuleError>> {
    let files = rule_files(dir).map_err(|e| {
        vec![RuleError {
            file: dir.display().to_string(),
            line: 0,
            message: format!("cannot read rules directory: {e}"),
        }]
    })?;
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match std::fs::read_to_string(&f) {
            Ok(text) => sources.push((f.display().to_string(), text)),
            Err(e) => errors.push(RuleError {
                file: f.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    compile::compile(&sources)
}

/// A fingerprint of the directory (names, sizes, modification times) to notice edits cheaply.
pub fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    rule_files(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let md = std::fs::metadata(&p).ok();
            let len = md.as_ref().map(|m| m.len()).unwrap_or(0);
            let mtime = md.and_then(|m| m.modified().ok());
            (p, len, mtime)
        })
        .collect()
}

#[cfg(test)]
mod tests;
