//! Test harness: writes a gateway config into a temp dir, starts the real `gateway` binary on free loopback ports
//! with real origin servers, and tears everything down on drop.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gateway::demo::Backend;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// A rule file every test can rely on: `EVILMARKER` in any argument scores 5 (an attack at threshold 5).
pub const TEST_RULES: &str = r#"
[[rule]]
id = 990001
msg = "test attack marker in an argument"
tags = ["test"]
targets = ["args"]
detect = { regex = 'EVILMARKER' }

[[rule]]
id = 990002
msg = "test attack marker in the body"
tags = ["test"]
targets = ["body", "args"]
detect = { literals = ["BODYMARKER"] }

[[rule]]
id = 990010
msg = "test allowlisted client"
action = "allow"
detect = { ip = ["127.0.0.9/32"] }
"#;

pub struct Gateway {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub admin: u16,
    child: Option<Child>,
}

impl Gateway {
    /// Writes `gateway.toml` (plus `extra` lines), the site files and the rule files, without starting.
    pub fn prepare(sites: &[(&str, String)], rules: &[(&str, &str)], extra: &str) -> Gateway {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sites")).unwrap();
        std::fs::create_dir_all(dir.path().join("rules")).unwrap();
        for (name, text) in sites {
            std::fs::write(dir.path().join("sites").join(name), text).unwrap();
        }
        for (name, text) in rules {
            std::fs::write(dir.path().join("rules").join(name), text).unwrap();
        }
        let (port, admin) = (free_port(), free_port());
        let cfg = format!(
            "listen = [\"127.0.0.1:{port}\"]\nadmin_listen = \"127.0.0.1:{admin}\"\nsites_dir = \"sites\"\n\
             rules_dir = \"rules\"\naccess_log = \"access.log\"\nstate_file = \"state.json\"\n\
             upgrade_sock = \"upgrade.sock\"\npid_file = \"gw.pid\"\nwatch_interval = \"200ms\"\n{extra}\n"
        );
        std::fs::write(dir.path().join("gateway.toml"), cfg).unwrap();
        Gateway {
            dir,
            port,
            admin,
            child: None,
        }
    }

    pub fn start(mut self) -> Gateway {
        self.spawn();
        self
    }

    pub fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("gateway.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_gateway"))
            .arg("--config")
            .arg(self.dir.path().join("gateway.toml"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", self.admin)).is_ok()
            {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("gateway exited with {status}: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("gateway did not start: {}", self.log());
    }

    /// Stops the process with SIGTERM (graceful: state is saved) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends a signal (`HUP`, `USR1` …) to the running gateway.
    pub fn signal(&self, name: &str) {
        let c = self.child.as_ref().expect("gateway running");
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(c.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success(), "kill -{name}");
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("gateway.log")).unwrap_or_default()
    }

    /// Waits up to 5 s for the gateway's log to hold `needle`, and returns the last read (a rejected reload is
    /// logged after the watcher's next poll, however busy the machine is).
    pub async fn log_with(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if log.contains(needle) || Instant::now() >= deadline {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path_and_query)
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.admin, path)
    }

    /// Current reload generation (from `/healthz`).
    pub async fn generation(&self) -> u64 {
        let v: serde_json::Value = reqwest::get(self.admin_url("/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["generation"].as_u64().unwrap()
    }

    /// Waits until the generation passes `after` (a reload happened), up to `timeout`.
    pub async fn wait_reload(&self, after: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        loop {
            let g = self.generation().await;
            if g > after {
                return g;
            }
            assert!(
                Instant::now() < deadline,
                "no reload within {timeout:?}: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn metrics(&self) -> String {
        reqwest::get(self.admin_url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits up to two seconds for `/metrics` to hold `line`, and returns the last scrape. Counters bumped in
    /// pingora's logging phase land after the client already has its response, so a scrape right after the last
    /// request can miss that request.
    pub async fn metrics_with(&self, line: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let m = self.metrics().await;
            if m.contains(line) || Instant::now() >= deadline {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Sends `req` and reads the answer as JSON (the echo backend's report of what it received, an admin listing).
pub async fn json_of(req: reqwest::RequestBuilder) -> serde_json::Value {
    req.send().await.unwrap().json().await.unwrap()
}

/// A client whose connections come from `src` (127.0.0.x), never following redirects.
pub fn client(src: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(src.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Which backend answered `GET path` (the `backend` field of `/echo`), with the status.
pub async fn who(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let name = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["backend"].as_str().map(str::to_string))
        .unwrap_or(text);
    (status, name)
}

pub async fn backend(name: &str) -> Backend {
    Backend::start(SocketAddr::from(([127, 0, 0, 1], 0)), name, &format!("<h1>{name}</h1>"))
        .await
        .unwrap()
}

/// A real and a cloned origin behind a started gateway whose one default site `name` runs in `mode` with the
/// test rules; `extra` goes into the site file before its `[waf]` table.
pub async fn one_site(name: &str, mode: &str, extra: &str) -> (Backend, Backend, Gateway) {
    let (real, clone) = (backend("real").await, backend("clone").await);
    let text = site(name, "default = true", &[real.addr], &[clone.addr], mode, extra);
    let gw = Gateway::prepare(&[(&format!("{name}.toml"), text)], &[("t.toml", TEST_RULES)], "").start();
    (real, clone, gw)
}

/// A site file with both pools.
pub fn site(name: &str, hosts: &str, real: &[SocketAddr], unreal: &[SocketAddr], mode: &str, extra: &str) -> String {
    let list = |v: &[SocketAddr]| v.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
    format!(
        "name = \"{name}\"\n{hosts}\nbackends = [{}]\nunreal_backends = [{}]\n{extra}\n[waf]\nmode = \"{mode}\"\nbad_guy_ttl = \"5s\"\nredirect_url = \"https://example.com/\"\n",
        list(real),
        list(unreal)
    )
}

/// The first line of `path` that contains `needle`, waiting up to 3 s for the gateway's writer thread to get
/// it there; `None` when it never does.
pub async fn line_containing(path: &Path, needle: &str) -> Option<String> {
    for _ in 0..60 {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains(needle)) {
            return Some(line.to_string());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Replaces `path` in one rename. The temporary file sits beside the watched directory, not in it: the watcher
/// would take it for an edit and reload the old file before the rename.
pub fn write(path: &Path, text: &str) {
    let name = path.file_name().unwrap().to_string_lossy();
    let tmp = path.parent().unwrap().with_file_name(format!(".{name}.tmp-write"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
