//! Test helpers: free loopback ports, the real `server` binary started on a config written to a temp dir, a
//! manager stand-in (HTTP sink that checks DESIGN.md §4 signatures and signs its answers), an SMTP sink, and
//! `logger`. Everything binds 127.0.0.1 and is torn down on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use protocol::event::{Event, EventBatch};
use protocol::signing;
use protocol::Decision;

pub const KEY_ID: &str = "server-test";
pub const SECRET: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

/// A port free for both TCP and UDP on 127.0.0.1.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
    panic!("no free port");
}

pub fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services")
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Polls `f` every 50 ms for at most `secs`.
pub fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

/// Minimal HTTP GET, returns the body.
pub fn http_get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

/// Value of a metric line (`name{labels}`) in Prometheus text, 0 when absent.
pub fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels).and_then(|r| r.trim().parse().ok()))
        .unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------------------
// The server binary

pub struct Server {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub metrics: SocketAddr,
    pub config: PathBuf,
}

impl Server {
    /// Writes `server.toml` (listeners on one free port for UDP and TCP, metrics on another) plus `extra`
    /// TOML, and starts the binary.
    pub fn start(extra: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, extra, None)
    }

    pub fn start_in(dir: tempfile::TempDir, extra: &str, rules: Option<&Path>) -> Server {
        let port = free_port();
        let mport = free_port();
        let rules = rules.map(Path::to_path_buf).unwrap_or_else(rules_dir);
        std::fs::write(dir.path().join("key"), SECRET).unwrap();
        let config = dir.path().join("server.toml");
        std::fs::write(
            &config,
            format!(
                "rules_dir = {rules:?}\nreload_interval = \"200ms\"\n{extra}\n[syslog]\nudp = [\"127.0.0.1:{port}\"]\ntcp = [\"127.0.0.1:{port}\"]\nmax_message = 4096\n[metrics]\nlisten = \"127.0.0.1:{mport}\"\n"
            ),
        )
        .unwrap();
        Self::spawn(dir, config, port, mport)
    }

    fn spawn(dir: tempfile::TempDir, config: PathBuf, port: u16, mport: u16) -> Server {
        let metrics: SocketAddr = format!("127.0.0.1:{mport}").parse().unwrap();
        let child = Self::launch(dir.path(), &config);
        let s = Server {
            child,
            dir,
            port,
            metrics,
            config,
        };
        s.wait_up();
        s
    }

    fn launch(dir: &Path, config: &Path) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    fn wait_up(&self) {
        let m = self.metrics;
        let up = wait_until(20, || http_get(m, "/healthz").is_some());
        assert!(up, "server did not start: {}", self.log());
    }

    /// Stops with SIGTERM (graceful: queued items go to the spool) and starts again on the same config.
    pub fn restart(&mut self) {
        self.terminate();
        self.child = Self::launch(self.dir.path(), &self.config);
        self.wait_up();
    }

    pub fn terminate(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn metrics(&self) -> String {
        http_get(self.metrics, "/metrics").unwrap_or_default()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn udp(&self) -> SocketAddr {
        format!("127.0.0.1:{}", self.port).parse().unwrap()
    }

    /// Sends raw bytes on one TCP connection and closes it.
    pub fn send_tcp(&self, bytes: &[u8]) {
        let mut s = TcpStream::connect(self.udp()).unwrap();
        s.write_all(bytes).unwrap();
    }

    pub fn send_udp(&self, bytes: &[u8]) {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.send_to(bytes, self.udp()).unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// util-linux logger to the server. Returns false if logger is missing.
pub fn logger(port: u16, transport: &str, extra: &[&str], tag: &str, msg: &str) -> bool {
    let st = Command::new("logger")
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            transport,
            "-t",
            tag,
        ])
        .args(extra)
        .arg("--")
        .arg(msg)
        .status();
    matches!(st, Ok(s) if s.success())
}

// ---------------------------------------------------------------------------------------------------------
// Manager stand-in

#[derive(Default)]
pub struct SinkState {
    pub decisions: Vec<Decision>,
    pub events: Vec<Event>,
    pub bad_signatures: usize,
    pub nonces: Vec<String>,
    pub hooks: Vec<serde_json::Value>,
}

pub struct Sink {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<SinkState>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn signed(status: StatusCode, nonce: &str, body: Vec<u8>) -> Response {
    let (ts, sig) = signing::sign_response(SECRET.as_bytes(), status.as_u16(), nonce, &body);
    (
        status,
        [
            (signing::HEADER_TIMESTAMP, ts.to_string()),
            (signing::HEADER_SIGNATURE, sig),
        ],
        body,
    )
        .into_response()
}

async fn receive(State(st): State<Arc<Mutex<SinkState>>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let nonce = h(signing::HEADER_NONCE);
    let ok = h(signing::HEADER_KEY_ID) == KEY_ID
        && signing::parse_timestamp(&h(signing::HEADER_TIMESTAMP))
            .and_then(|ts| {
                signing::verify_request(
                    SECRET.as_bytes(),
                    "POST",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or(""),
                    &body,
                    ts,
                    &nonce,
                    &h(signing::HEADER_SIGNATURE),
                    signing::now_unix(),
                )
            })
            .is_ok();
    let mut s = st.lock().unwrap();
    if !ok || s.nonces.contains(&nonce) {
        s.bad_signatures += 1;
        return signed(
            StatusCode::UNAUTHORIZED,
            &nonce,
            b"{\"error\":\"bad signature\"}".to_vec(),
        );
    }
    s.nonces.push(nonce.clone());
    match uri.path() {
        "/api/v1/decisions" => match serde_json::from_slice::<Vec<Decision>>(&body) {
            Ok(d) => s.decisions.extend(d),
            Err(_) => return signed(StatusCode::BAD_REQUEST, &nonce, b"{}".to_vec()),
        },
        "/api/v1/events" => match serde_json::from_slice::<EventBatch>(&body) {
            Ok(b) => s.events.extend(b.events),
            Err(_) => return signed(StatusCode::BAD_REQUEST, &nonce, b"{}".to_vec()),
        },
        _ => return signed(StatusCode::NOT_FOUND, &nonce, b"{}".to_vec()),
    }
    signed(StatusCode::OK, &nonce, b"{\"ok\":true}".to_vec())
}

async fn hook(State(st): State<Arc<Mutex<SinkState>>>, body: Bytes) -> StatusCode {
    if let Ok(v) = serde_json::from_slice(&body) {
        st.lock().unwrap().hooks.push(v);
    }
    StatusCode::OK
}

impl Sink {
    pub fn start() -> Sink {
        Self::start_on(0, Arc::new(Mutex::new(SinkState::default())))
    }

    /// Starts on a given port (0 = any) with the given state (to keep it across a restart).
    pub fn start_on(port: u16, state: Arc<Mutex<SinkState>>) -> Sink {
        let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
        l.set_nonblocking(true).unwrap();
        let addr = l.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(l).unwrap();
                let app = Router::new()
                    .route("/api/v1/decisions", post(receive))
                    .route("/api/v1/events", post(receive))
                    .route("/hook", post(hook))
                    .with_state(st);
                let _ = axum::serve(l, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        Sink {
            addr,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `[decisions]` section pointing at this sink.
    pub fn decisions_toml(&self, dir: &Path) -> String {
        format!(
            "[decisions]\nmanager = \"{}\"\nkey_id = \"{KEY_ID}\"\nkey_file = {:?}\nflush_interval = \"200ms\"\n",
            self.url(),
            dir.join("key")
        )
    }

    pub fn decided(&self) -> Vec<Decision> {
        self.state.lock().unwrap().decisions.clone()
    }

    pub fn events(&self) -> Vec<Event> {
        self.state.lock().unwrap().events.clone()
    }

    pub fn hooks(&self) -> Vec<serde_json::Value> {
        self.state.lock().unwrap().hooks.clone()
    }

    pub fn bad_signatures(&self) -> usize {
        self.state.lock().unwrap().bad_signatures
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// SMTP sink: enough of RFC 5321 for one client at a time.

pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        std::thread::spawn(move || {
            for conn in l.incoming().take(100) {
                let Ok(c) = conn else { continue };
                let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
                let mut w = c.try_clone().unwrap();
                let mut r = BufReader::new(c);
                let _ = w.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                let mut data = String::new();
                let mut in_data = false;
                for _ in 0..10_000 {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            m.lock().unwrap().push(std::mem::take(&mut data));
                            let _ = w.write_all(b"250 queued\r\n");
                        } else {
                            data.push_str(&line);
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply);
                }
            }
        });
        SmtpSink { port, mails }
    }

    pub fn mails(&self) -> Vec<String> {
        self.mails.lock().unwrap().clone()
    }
}
