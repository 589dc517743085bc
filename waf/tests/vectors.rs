//! Holds the default rules to the test vectors in `tests/vectors/*.toml` (format: `waf::cli::vectors`): every
//! attack value is blocked at its case's paranoia level, every benign value passes at paranoia 1. All failures
//! are listed at once, with the rules that fired.

use std::path::Path;

use waf::cli::{inspect, vectors};
use waf::{Engine, SitePolicy};

#[test]
fn default_rules_meet_their_vectors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::load_dir(&root.join("../rules/waf")).unwrap_or_else(|e| panic!("default rules: {e:?}"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/vectors"))
        .expect("tests/vectors exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files");
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        for r in vectors::read(f).unwrap_or_else(|e| panic!("{e:#}")) {
            let site = SitePolicy {
                paranoia: r.pl.unwrap_or(1) as u8,
                ..SitePolicy::default()
            };
            let v = inspect(&engine, &site, &r);
            checked += 1;
            if v.attack != r.expect_trigger {
                let fired: Vec<String> = v.matches.iter().map(|m| format!("{} [{}]", m.id, m.value)).collect();
                failures.push(format!(
                    "{}: {} (score {}; {})",
                    r.id,
                    if r.expect_trigger { "missed" } else { "blocked" },
                    v.score,
                    fired.join(", ")
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
