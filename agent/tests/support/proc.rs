//! Child processes that are always stopped: SIGTERM, a grace period, then SIGKILL.
#![allow(dead_code, reason = "shared by several test crates, each of which uses a part")]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

pub struct Guard {
    pub child: Option<Child>,
    pub name: String,
}

impl Guard {
    pub fn spawn(name: &str, cmd: &mut Command) -> Guard {
        let child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        Guard {
            child: Some(child),
            name: name.to_string(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    /// SIGTERM and wait up to `grace`; SIGKILL after. Returns whether it exited by itself in time.
    pub fn term(&mut self, grace: Duration) -> bool {
        let Some(mut c) = self.child.take() else { return true };
        let _ = kill(Pid::from_raw(c.id() as i32), Signal::SIGTERM);
        let t = Instant::now();
        while t.elapsed() < grace {
            if let Ok(Some(_)) = c.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
        false
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.term(Duration::from_secs(5));
    }
}

/// Whether `prog` can be run (`prog --version` or `-V`).
pub fn have(prog: &str) -> bool {
    ["--version", "-V", "-v"].iter().any(|a| {
        Command::new(prog)
            .arg(a)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Polls `f` every 50 ms until it returns true or `limit` passes.
pub fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}
