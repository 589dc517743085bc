//! Browser tests in headless Chromium (via chromedriver): log in, add a site (and see a gateway serve it when the
//! gateway binary is built), ban an IP, see an attack posted through the signed API in the attack list and on
//! the per-IP timeline. Screenshots go to target/test-artifacts/manager/. Skips when Chromium is not installed.

#[path = "support/harness.rs"]
mod harness;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{Manager, ADMIN_PW};
use serde_json::json;
use webdriver::Browser;

fn artifacts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-artifacts/manager")
}

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn operator_logs_in_adds_a_site_bans_and_follows_an_attacker() {
    let Some((chromium, driver)) = webdriver::available() else {
        eprintln!("SKIP: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        return;
    };
    let m = Manager::start();
    let shots = artifacts();
    let b = Browser::start(&chromium, &driver);

    // Log in (a wrong password first).
    b.goto(&m.url("/"));
    assert!(b.url().contains("/login"), "not redirected to login: {}", b.url());
    b.type_into("#username", "admin");
    b.type_into("#password", "wrong password");
    b.click("#login");
    b.wait_text("Wrong user name or password");
    b.type_into("#username", "admin");
    b.type_into("#password", ADMIN_PW);
    b.screenshot(&shots.join("01-login.png"));
    b.click("#login");
    b.wait_text("events, last 24 h");

    // Add a site; a field error first, then a good one.
    let real = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let real_addr = real.local_addr().unwrap();
    drop(real);
    b.goto(&m.url("/sites/new"));
    // The certificate and key paths show only while TLS is ticked (and the box starts off).
    b.wait_text("Add site");
    assert!(!b.body_text().contains("Private key, PEM"));
    b.click("#tls");
    assert!(b.body_text().contains("Private key, PEM"));
    b.click("#tls");
    assert!(!b.body_text().contains("Private key, PEM"));
    b.type_into("#name", "shop");
    b.type_into("#hosts", "localhost");
    b.type_into("#backends", "not a backend");
    b.type_into("#unreal_backends", "127.0.0.1:9101");
    b.click("#save-site");
    b.wait_text("is not host:port");
    b.screenshot(&shots.join("02-site-field-error.png"));
    b.type_into("#backends", &real_addr.to_string());
    b.click("#save-site");
    b.wait_text("Each site is rendered");
    assert!(b.text("#sites").contains("shop"));
    b.screenshot(&shots.join("03-sites.png"));
    assert!(m.dir.path().join("sites/shop.toml").exists());

    // See the site served by a real gateway watching the manager's sites_dir.
    if let Some(gw) = harness::gateway_bin() {
        let backend = std::net::TcpListener::bind(real_addr).unwrap();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            backend.set_nonblocking(true).unwrap();
            let end = Instant::now() + Duration::from_secs(60);
            while Instant::now() < end {
                if let Ok((mut s, _)) = backend.accept() {
                    s.set_nonblocking(false).ok();
                    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
                    let mut buf = [0u8; 8192];
                    let _ = s.read(&mut buf);
                    let body = "<!doctype html><title>ACME Shop</title><h1>ACME Shop (real backend)</h1>";
                    let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                } else {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let admin = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            dir.path().join("gateway.toml"),
            format!(
                "listen = [\"127.0.0.1:{port}\"]\nadmin_listen = \"127.0.0.1:{admin}\"\nsites_dir = {:?}\nrules_dir = \"rules\"\nthreads = 1\nupgrade_sock = \"u.sock\"\npid_file = \"g.pid\"\n",
                m.dir.path().join("sites").display().to_string()
            ),
        )
        .unwrap();
        let _g = Kill(
            Command::new(&gw)
                .arg("--config")
                .arg(dir.path().join("gateway.toml"))
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let end = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "gateway did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        b.goto(&format!("http://localhost:{port}/"));
        b.wait_text("ACME Shop (real backend)");
        b.screenshot(&shots.join("04-site-served-by-gateway.png"));
    } else {
        eprintln!("SKIP part: target/debug/gateway not built; not checking that the gateway serves the site");
    }

    // Ban an IP by hand.
    b.goto(&m.url("/decisions"));
    b.type_into("#ban-value", "198.51.100.23");
    b.type_into("#ban-duration", "2h");
    b.type_into("#ban-reason", "seen probing /admin");
    b.click("#ban");
    b.wait_text("seen probing /admin");
    assert!(b.text("#decisions").contains("198.51.100.23"));
    b.screenshot(&shots.join("05-decisions.png"));

    // An attack reported by a gateway through the signed API appears in the list and on the timeline.
    let key = m.key("gw1");
    let now = time::OffsetDateTime::now_utc();
    let ts = |d: i64| {
        (now - time::Duration::seconds(d))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let batch = json!({"events": [
        {"time": ts(120), "src_ip": "198.51.100.23", "service": "http", "kind": "waf_match", "rule": "942100",
         "site": "shop", "host": "localhost", "evidence": "GET /item?id=1%27%20or%201=1--"},
        {"time": ts(60), "src_ip": "198.51.100.23", "service": "ftp", "kind": "auth_failure", "rule": "ftp-bf",
         "site": "web1", "evidence": "530 Login incorrect user=admin", "honeypot": true},
        {"time": ts(30), "src_ip": "203.0.113.99", "service": "http", "kind": "waf_match", "rule": "941100",
         "site": "shop", "host": "localhost", "evidence": "<script>alert(1)</script>"}
    ]});
    let r = m.signed("gw1", &key, "POST", "/api/v1/events", &batch.to_string());
    assert_eq!(r.status, 202, "{}", r.body);
    b.goto(&m.url("/attacks?range=1h"));
    b.wait_text("942100");
    let table = b.text("#attacks");
    assert!(table.contains("198.51.100.23") && table.contains("ftp-bf"), "{table}");
    assert!(
        !b.source().contains("<script>alert(1)</script>"),
        "evidence must be escaped"
    );
    b.screenshot(&shots.join("06-attacks.png"));
    // Filter by service.
    b.type_into("input[name=service]", "ftp");
    b.click("#apply-filters");
    b.wait_url("service=ftp");
    b.wait_text("530 Login incorrect");
    assert_eq!(b.text("#total"), "1");
    // Follow the attacker to the per-IP timeline.
    b.click("#attacks a[href='/ip/198.51.100.23']");
    b.wait_text("Timeline of 198.51.100.23");
    let tl = b.text("#timeline");
    assert!(
        tl.contains("942100") && tl.contains("530 Login incorrect user=admin"),
        "{tl}"
    );
    assert!(
        tl.find("942100").unwrap() < tl.find("530 Login").unwrap(),
        "oldest first"
    );
    assert!(b.text("h1").contains("banned"));
    b.screenshot(&shots.join("07-ip-timeline.png"));

    // The dashboard charts and the alarm raised by the honeypot event.
    b.goto(&m.url("/"));
    b.wait_text("Top attackers");
    assert!(b.source().contains("<svg class=\"chart\""));
    b.screenshot(&shots.join("08-dashboard.png"));
    b.goto(&m.url("/alarms"));
    b.wait_text("touched honeypot");
    b.click("#open-alarms button");
    b.wait_text("Nothing open.");
    b.screenshot(&shots.join("09-alarms.png"));
    eprintln!("screenshots in {}", shots.display());
}
