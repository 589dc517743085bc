//! Test harness: starts the real `manager` binary on a free loopback port in a temp dir, creates keys with the
//! real CLI, makes signed calls (and checks the signed answers), and logs in through the real login form.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use protocol::signing;
use reqwest::blocking::{Client, Response};

pub const BIN: &str = env!("CARGO_BIN_EXE_manager");
pub const ADMIN_PW: &str = "correct horse battery";

pub struct Manager {
    pub dir: tempfile::TempDir,
    pub addr: String,
    pub child: Child,
    pub setup_link: Option<String>,
}

impl Drop for Manager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Signed {
    pub status: u16,
    pub body: String,
    pub json: serde_json::Value,
}

impl Manager {
    /// Starts a manager with `extra` appended to its config; the admin password comes from the environment
    /// unless `with_admin` is false.
    pub fn start_with(extra: &str, with_admin: bool) -> Manager {
        let dir = tempfile::tempdir().unwrap();
        let cfg = format!("listen = \"127.0.0.1:0\"\ndatabase = \"manager.db\"\nsites_dir = \"sites\"\n{extra}");
        std::fs::write(dir.path().join("manager.toml"), cfg).unwrap();
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(dir.path().join("manager.toml"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env_remove("JHSY_ADMIN_PASSWORD");
        if with_admin {
            cmd.env("JHSY_ADMIN_PASSWORD", ADMIN_PW);
        }
        let mut child = cmd.spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut setup_link = None;
        let addr = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("manager did not print its listen address within 30 s");
            if let Some(l) = line.strip_prefix("setup link: ") {
                setup_link = Some(l.to_string());
            }
            if let Some(a) = line.strip_prefix("listening on ") {
                break a.to_string();
            }
        };
        Manager {
            dir,
            addr,
            child,
            setup_link,
        }
    }

    pub fn start() -> Manager {
        Self::start_with("", true)
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("manager.toml")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Runs the CLI against this manager's config; returns (success, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(BIN)
            .arg("--config")
            .arg(self.config())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `manager key add --name NAME`; the secret is the last line.
    pub fn key(&self, name: &str) -> String {
        let (ok, out, err) = self.cli(&["key", "add", "--name", name]);
        assert!(ok, "key add failed: {err}");
        out.lines().last().unwrap().trim().to_string()
    }

    /// A signed call; asserts the answer carries a valid signature bound to our nonce.
    pub fn signed(&self, key: &str, secret: &str, method: &str, path: &str, body: &str) -> Signed {
        let h = signing::sign_request(key, secret.as_bytes(), method, path, body.as_bytes());
        let r = send(&self.url(path), method, body, &h.pairs());
        let status = r.status().as_u16();
        let ts = r.headers().get("x-timestamp").map(|v| v.to_str().unwrap().to_string());
        let sig = r.headers().get("x-signature").map(|v| v.to_str().unwrap().to_string());
        let text = r.text().unwrap();
        let (ts, sig) = (
            ts.expect("response not signed (x-timestamp)"),
            sig.expect("response not signed"),
        );
        signing::verify_response(
            secret.as_bytes(),
            status,
            &h.nonce,
            text.as_bytes(),
            ts.parse().unwrap(),
            &sig,
            signing::now_unix(),
        )
        .expect("response signature does not verify");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Signed {
            status,
            body: text,
            json,
        }
    }

    /// Logs in through the form; returns a client holding the session cookie.
    pub fn login(&self, user: &str, pw: &str) -> Session {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .post(self.url("/login"))
            .form(&[("username", user), ("password", pw), ("next", "/")])
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "login failed");
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        let token = cookie.split(';').next().unwrap().to_string();
        Session {
            client,
            cookie: token,
            set_cookie: cookie,
            base: self.url(""),
        }
    }
}

pub fn send(url: &str, method: &str, body: &str, headers: &[(&'static str, String)]) -> Response {
    let client = Client::new();
    let mut req = match method {
        "GET" => client.get(url),
        _ => client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string()),
    };
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().unwrap()
}

pub struct Session {
    pub client: Client,
    pub cookie: String,
    pub set_cookie: String,
    pub base: String,
}

impl Session {
    pub fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }

    /// The CSRF token embedded in a page's forms.
    pub fn csrf(&self, page: &str) -> String {
        let (_, html) = self.get(page);
        let i = html.find("name=\"csrf\" value=\"").expect("no csrf field on page") + 19;
        html[i..i + 64].to_string()
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }
}

pub fn decision(value: &str, secs: i64, reason: &str) -> serde_json::Value {
    let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    serde_json::json!({
        "value": value, "scope": "ip", "origin": "server", "reason": reason, "service": "ssh",
        "until": until.format(&time::format_description::well_known::Rfc3339).unwrap(), "hits": 1
    })
}

pub fn values(list: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The workspace's debug `gateway` binary, when it has been built.
pub fn gateway_bin() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/gateway");
    p.exists().then_some(p)
}
