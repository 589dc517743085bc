//! A three-namespace lab: `attacker` (10.77.1.2-.5, fd77:1::2-3) -- `host` (10.77.1.1, fd77:1::1 / 10.77.2.1) --
//! `sandbox` (10.77.2.2).
//! All addresses live only inside namespaces the test created; everything is deleted on drop.
#![allow(dead_code, reason = "shared by several test crates, each of which uses a part")]

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static SEQ: AtomicUsize = AtomicUsize::new(0);

pub const HOST: &str = "10.77.1.1";
pub const HOST_SB: &str = "10.77.2.1";
pub const SANDBOX: &str = "10.77.2.2";
pub const BLACK: &str = "10.77.1.2";
pub const CLEAN: &str = "10.77.1.3";
pub const WHITE: &str = "10.77.1.4";
pub const OTHER: &str = "10.77.1.5";
pub const HOST6: &str = "fd77:1::1";
pub const BLACK6: &str = "fd77:1::2";
pub const CLEAN6: &str = "fd77:1::3";

pub struct Lab {
    pub attacker: String,
    pub host: String,
    pub sandbox: String,
}

fn run(args: &[&str]) -> Output {
    Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn must(args: &[&str]) {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

impl Lab {
    /// Builds the lab, or returns why it cannot (the caller prints it and skips).
    pub fn new() -> Result<Lab, String> {
        for p in ["ip", "nft"] {
            if !super::proc::have(p) {
                return Err(format!("{p} not installed"));
            }
        }
        if !super::proc::is_root() {
            return Err("not root".into());
        }
        let id = format!("{}x{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst));
        let lab = Lab {
            attacker: format!("jA{id}"),
            host: format!("jH{id}"),
            sandbox: format!("jS{id}"),
        };
        let o = run(&["ip", "netns", "add", &lab.attacker]);
        if !o.status.success() {
            return Err(format!("ip netns add: {}", String::from_utf8_lossy(&o.stderr).trim()));
        }
        must(&["ip", "netns", "add", &lab.host]);
        must(&["ip", "netns", "add", &lab.sandbox]);
        let (a, h, s) = (lab.attacker.as_str(), lab.host.as_str(), lab.sandbox.as_str());
        must(&[
            "ip", "-n", h, "link", "add", "ha", "type", "veth", "peer", "name", "ah", "netns", a,
        ]);
        must(&[
            "ip", "-n", h, "link", "add", "hs", "type", "veth", "peer", "name", "sh", "netns", s,
        ]);
        must(&["ip", "-n", h, "addr", "add", "10.77.1.1/24", "dev", "ha"]);
        must(&["ip", "-n", h, "addr", "add", "10.77.2.1/24", "dev", "hs"]);
        for ip in [BLACK, CLEAN, WHITE, OTHER] {
            must(&["ip", "-n", a, "addr", "add", &format!("{ip}/24"), "dev", "ah"]);
        }
        must(&["ip", "-n", s, "addr", "add", "10.77.2.2/24", "dev", "sh"]);
        must(&[
            "ip",
            "-n",
            h,
            "addr",
            "add",
            &format!("{HOST6}/64"),
            "dev",
            "ha",
            "nodad",
        ]);
        for ip in [BLACK6, CLEAN6] {
            must(&["ip", "-n", a, "addr", "add", &format!("{ip}/64"), "dev", "ah", "nodad"]);
        }
        for (ns, dev) in [(a, "ah"), (h, "ha"), (h, "hs"), (s, "sh")] {
            must(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        for ns in [a, h, s] {
            must(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        must(&["ip", "-n", a, "route", "add", "default", "via", HOST]);
        must(&["ip", "-n", s, "route", "add", "default", "via", HOST_SB]);
        must(&["ip", "netns", "exec", h, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
        Ok(lab)
    }

    /// `ip netns exec NS args...` as a Command.
    pub fn cmd(&self, ns: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).args(args);
        c
    }

    pub fn nft(&self, args: &[&str]) -> Output {
        let mut full = vec!["ip", "netns", "exec", &self.host, "nft"];
        full.extend_from_slice(args);
        run(&full)
    }

    pub fn nft_script(&self, script: &str) {
        use std::io::Write;
        let mut c = self
            .cmd(&self.host, &["nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    pub fn ruleset(&self) -> String {
        String::from_utf8(self.nft(&["list", "ruleset"]).stdout).unwrap()
    }

    /// One connection from `src` (an attacker address) to `dst`; the server's greeting or `error: ...`.
    pub fn connect(&self, src: &str, dst: &str) -> String {
        let o = self
            .cmd(
                &self.attacker,
                &[env!("CARGO_BIN_EXE_agent-echo"), "--connect", src, dst, "1500"],
            )
            .stdin(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [&self.attacker, &self.host, &self.sandbox] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}
