//! The command line: `agent check`, error reporting with file:line, the original's flags.

use std::fs;
use std::process::Command;

fn agent(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_agent")).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn check_accepts_a_good_config_and_reports_bad_ones_with_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("agent.toml");
    fs::write(
        d.path().join("policy.json"),
        r#"{"mode":"unreal","sandbox":"10.0.0.9","black_ips":["203.0.113.7","nope"]}"#,
    )
    .unwrap();
    fs::write(
        &cfg,
        "policy_file = \"policy.json\"\n[[servers]]\naddr = \"127.0.0.1:514\"\n[[files]]\npath = \"x.log\"\nservice = \"vsftpd\"\n",
    )
    .unwrap();
    let (ok, out, err) = agent(&["check", "--config", cfg.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("mode unreal, 1 black"), "{out}");
    assert!(out.contains("skipped \"nope\""), "{out}");
    assert!(out.contains("x.log does not exist yet"), "{out}");

    // Unknown key: file:line.
    fs::write(&cfg, "[[servers]]\naddr = \"127.0.0.1:514\"\ntransprot = \"tcp\"\n").unwrap();
    let (ok, _, err) = agent(&["check", "--config", cfg.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains(&format!("{}:3: unknown field `transprot`", cfg.display())),
        "{err}"
    );

    // Bad policy file: file:line.
    fs::write(&cfg, "policy_file = \"policy.json\"\n").unwrap();
    fs::write(
        d.path().join("policy.json"),
        "{\"mode\":\"unreal\",\n\"black_ips\": [1,]\n}",
    )
    .unwrap();
    let (ok, _, err) = agent(&["check", "--config", cfg.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("policy.json:2:"), "{err}");

    // Bad enum value in config.
    fs::write(&cfg, "[[servers]]\naddr = \"127.0.0.1:514\"\ntransport = \"sctp\"\n").unwrap();
    let (ok, _, err) = agent(&["-c", "start", "--config", cfg.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains(":3:") && err.contains("sctp"), "{err}");

    // Missing file.
    let (ok, _, err) = agent(&["check", "--config", "/nonexistent/agent.toml"]);
    assert!(!ok && err.contains("/nonexistent/agent.toml"), "{err}");
}

#[test]
fn original_flags_are_accepted_and_unknown_modes_refused() {
    let (ok, out, _) = agent(&["--help"]);
    assert!(ok);
    for f in ["-m, --mode", "-c, --command", "--config", "--dry-run", "check"] {
        assert!(out.contains(f), "{f} missing from help:\n{out}");
    }
    let (ok, _, err) = agent(&["-m", "mirror", "-c", "start"]);
    assert!(!ok && err.contains("mirror"), "{err}");
    let (ok, _, err) = agent(&["-m", "firewall", "-c", "restart"]);
    assert!(!ok && err.contains("restart"), "{err}");
}
