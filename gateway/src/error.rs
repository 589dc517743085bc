//! Configuration errors that point at the offending `file:line`, so a broken site or rule file can be fixed
//! from the log line alone.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn io(file: &Path, e: &std::io::Error) -> ConfigError {
        ConfigError::at(file, 0, format!("cannot read: {e}"))
    }

    /// Converts a TOML parse error into `file:line`, using the error's byte span.
    pub fn toml(file: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        // toml's message repeats the snippet over several lines; keep the first sentence for a one-line log.
        let msg = e.message().lines().next().unwrap_or("invalid TOML").to_string();
        ConfigError::at(file, line, msg)
    }
}

/// 1-based line number of byte offset `pos` in `text`.
pub fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Line of the first `key =` assignment in `text`, for errors found after parsing (1 when absent).
pub fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_carry_the_line() {
        let text = "name = \"a\"\nhosts = [\"x\"\nbackends = 3\n";
        let e = toml::from_str::<toml::Value>(text).unwrap_err();
        let ce = ConfigError::toml(Path::new("s.toml"), text, &e);
        assert!(ce.line >= 2, "{ce}");
        assert!(ce.to_string().starts_with("s.toml:"));
        assert_eq!(line_of_key("a = 1\n  backends = []\n", "backends"), 2);
    }
}
