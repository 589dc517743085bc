//! Web side against the real manager: first-run setup link, login/session/CSRF/roles/rate limiting, every page
//! renders, and sites are rendered from the template into `sites_dir` (checked by the real `gateway check` when
//! the gateway binary has been built).

#[path = "support/harness.rs"]
mod harness;
#[path = "web/tls.rs"]
mod tls;

use harness::{Manager, ADMIN_PW};

#[test]
fn first_start_prints_a_one_time_setup_link_and_has_no_default_password() {
    let m = Manager::start_with("", false);
    let link = m.setup_link.clone().expect("no setup link printed");
    assert!(link.starts_with(&m.url("/setup?token=")), "{link}");
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (user, pw) in [("admin", "admin"), ("admin", ""), ("root", "root")] {
        let r = client
            .post(m.url("/login"))
            .form(&[("username", user), ("password", pw)])
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "no default password may work");
    }
    assert_eq!(
        client
            .get(m.url("/setup?token=wrong"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(client.get(&link).send().unwrap().status().as_u16(), 200);
    let token = link.split("token=").nth(1).unwrap();
    let r = client
        .post(m.url("/setup"))
        .form(&[
            ("token", token),
            ("username", "boss"),
            ("password", "short"),
            ("password2", "short"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().unwrap().contains("at least 10 characters"));
    let r = client
        .post(m.url("/setup"))
        .form(&[
            ("token", token),
            ("username", "boss"),
            ("password", ADMIN_PW),
            ("password2", ADMIN_PW),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers().get("set-cookie").is_some());
    // The link is spent.
    assert_eq!(client.get(&link).send().unwrap().status().as_u16(), 403);
    m.login("boss", ADMIN_PW);
}

#[test]
fn sessions_csrf_roles_and_login_rate_limit() {
    let m = Manager::start();
    let s = m.login("admin", ADMIN_PW);
    assert!(
        s.set_cookie.contains("HttpOnly") && s.set_cookie.contains("SameSite=Strict"),
        "{}",
        s.set_cookie
    );
    assert!(!s.set_cookie.contains("Secure"), "no TLS here: {}", s.set_cookie);
    for page in [
        "/",
        "/attacks",
        "/alarms",
        "/decisions",
        "/sites",
        "/sites/new",
        "/agents",
        "/policies",
        "/policies/new",
        "/users",
        "/audit",
        "/ip/192.0.2.1",
    ] {
        let (code, body) = s.get(page);
        assert_eq!(code, 200, "{page}: {body}");
    }
    // Forms without the session's CSRF token are refused.
    let (code, _) = s.post("/decisions/ban", &[("value", "192.0.2.9"), ("duration", "1h")]);
    assert_eq!(code, 403);
    let (code, _) = s.post(
        "/decisions/ban",
        &[("csrf", &"0".repeat(64)), ("value", "192.0.2.9"), ("duration", "1h")],
    );
    assert_eq!(code, 403);
    // A viewer can look but not change.
    let csrf = s.csrf("/users");
    let (code, body) = s.post(
        "/users",
        &[
            ("csrf", &csrf),
            ("username", "eve"),
            ("password", "viewer-password-1"),
            ("role", "viewer"),
        ],
    );
    assert_eq!(code, 303, "{body}");
    let v = m.login("eve", "viewer-password-1");
    assert_eq!(v.get("/decisions").0, 200);
    let vcsrf = v.csrf("/decisions");
    assert_eq!(
        v.post(
            "/decisions/ban",
            &[("csrf", &vcsrf), ("value", "192.0.2.9"), ("duration", "1h")]
        )
        .0,
        403
    );
    assert_eq!(v.get("/users").0, 403);
    assert_eq!(v.get("/sites/new").0, 403);
    // Logout ends the session on the server, not just in the browser.
    assert_eq!(v.post("/logout", &[("csrf", &vcsrf)]).0, 303);
    let (code, _) = v.get("/decisions");
    assert_eq!(code, 303, "old cookie must not work after logout");
    // Not logged in: pages redirect to the login form.
    let r = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = r.get(m.url("/attacks")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(resp.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    // Five failures for a name, then even the right password is refused for a while.
    for _ in 0..5 {
        let resp = r
            .post(m.url("/login"))
            .form(&[("username", "admin"), ("password", "guess")])
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
    }
    let resp = r
        .post(m.url("/login"))
        .form(&[("username", "admin"), ("password", ADMIN_PW)])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    // Everything above is in the audit log.
    let (_, audit) = s.get("/audit");
    for action in ["login.failed", "user.add", "logout", "login"] {
        assert!(audit.contains(action), "audit lacks {action}");
    }
}

fn site_form<'a>(
    csrf: &'a str,
    name: &'a str,
    hosts: &'a str,
    backends: &'a str,
    unreal: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("original", ""),
        ("name", name),
        ("hosts", hosts),
        ("backends", backends),
        ("unreal_backends", unreal),
        ("waf_mode", "deceive"),
        ("bad_guy_ttl", "10m"),
        ("max_fails", "3"),
        ("fail_timeout", "20s"),
        ("trusted_proxies", "10.0.0.0/8"),
    ]
}

#[test]
fn sites_are_validated_rendered_checked_and_published() {
    let gateway = harness::gateway_bin();
    let extra = match &gateway {
        Some(g) => format!("gateway_bin = {:?}\n", g.display().to_string()),
        None => {
            eprintln!("SKIP part: target/debug/gateway not built; sites are validated by the manager alone");
            String::new()
        }
    };
    let m = Manager::start_with(&extra, true);
    let s = m.login("admin", ADMIN_PW);
    let csrf = s.csrf("/sites/new");
    let sites_dir = m.dir.path().join("sites");

    // Bad input: field-level errors, nothing written.
    let mut bad = site_form(&csrf, "bad name!", "", "localhost", "");
    bad.push(("redirect_url", "ftp://x"));
    let (code, page) = s.post("/sites", &bad);
    assert_eq!(code, 422);
    for f in ["name", "hosts", "backends", "unreal_backends", "redirect_url"] {
        assert!(
            page.contains(&format!("data-field=\"{f}\"")),
            "no error for {f}: {page}"
        );
    }
    assert!(!sites_dir.exists() || std::fs::read_dir(&sites_dir).unwrap().count() == 0);

    let form = site_form(
        &csrf,
        "shop",
        "shop.example.com\n*.shop.example.com",
        "127.0.0.1:9001\n127.0.0.1:9002",
        "127.0.0.1:9101",
    );
    let (code, page) = s.post("/sites", &form);
    assert_eq!(code, 303, "{page}");
    let file = sites_dir.join("shop.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(t["name"].as_str(), Some("shop"));
    assert_eq!(t["hosts"].as_array().unwrap().len(), 2);
    assert_eq!(t["waf"]["mode"].as_str(), Some("deceive"));
    assert_eq!(t["health"]["max_fails"].as_integer(), Some(3));

    // The same host on a second site is refused.
    let (code, page) = s.post(
        "/sites",
        &site_form(&csrf, "shop2", "shop.example.com", "127.0.0.1:9003", "127.0.0.1:9103"),
    );
    assert_eq!(code, 422);
    assert!(page.contains("already served by site"));

    if let Some(g) = &gateway {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        let cfg = dir.path().join("gateway.toml");
        std::fs::write(
            &cfg,
            format!(
                "sites_dir = {:?}\nrules_dir = \"rules\"\n",
                sites_dir.display().to_string()
            ),
        )
        .unwrap();
        let out = std::process::Command::new(g)
            .args(["check", "--config"])
            .arg(&cfg)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gateway check refused the published site: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // A site the gateway refuses (its block page does not exist) is not published.
        let mut form = site_form(&csrf, "blocky", "blocky.example.com", "127.0.0.1:9004", "");
        form.retain(|(k, _)| *k != "waf_mode");
        form.push(("waf_mode", "block"));
        form.push(("block_page", "missing.html"));
        let (code, page) = s.post("/sites", &form);
        assert_eq!(code, 422, "{page}");
        assert!(page.contains("gateway check rejected"), "{page}");
        assert!(!sites_dir.join("blocky.toml").exists());
    }

    // Rename moves the file; delete removes it.
    let mut form = site_form(&csrf, "store", "shop.example.com", "127.0.0.1:9001", "127.0.0.1:9101");
    form[1] = ("original", "shop");
    let (code, page) = s.post("/sites", &form);
    assert_eq!(code, 303, "{page}");
    assert!(!file.exists() && sites_dir.join("store.toml").exists());
    let (code, preview) = s.get("/sites/store/preview");
    assert_eq!(code, 200);
    assert!(preview.contains("name = \"store\""));
    // The same rendered file is served to gateways that do not share the directory.
    let k = m.key("gw-remote");
    let r = m.signed("gw-remote", &k, "GET", "/api/v1/sites", "");
    assert_eq!(r.json["sites"][0]["name"], "store");
    assert_eq!(
        r.json["sites"][0]["toml"].as_str().unwrap(),
        std::fs::read_to_string(sites_dir.join("store.toml")).unwrap()
    );
    let (ok, out, err) = m.cli(&["check"]);
    assert!(ok && out.contains("1 sites"), "{out}{err}");
    assert_eq!(s.post("/sites/store/delete", &[("csrf", &csrf)]).0, 303);
    assert!(!sites_dir.join("store.toml").exists());
}

#[test]
fn keys_from_the_ui_and_own_password_change() {
    let m = Manager::start();
    let s = m.login("admin", ADMIN_PW);
    let csrf = s.csrf("/agents");
    let (code, page) = s.post("/keys", &[("csrf", &csrf), ("name", "gw-ui")]);
    assert_eq!(code, 200, "{page}");
    let i = page.find("id=\"secret\">").unwrap() + 12;
    let secret = &page[i..i + 64];
    let r = m.signed("gw-ui", secret, "GET", "/api/v1/decisions/stream?startup=true", "");
    assert_eq!(r.status, 200, "the secret shown in the UI works");
    let (code, _) = s.post("/keys", &[("csrf", &csrf), ("name", "gw-ui")]);
    assert_eq!(code, 422, "an active key is not silently replaced");
    assert_eq!(s.post("/keys/gw-ui/revoke", &[("csrf", &csrf)]).0, 303);
    let h = protocol::signing::sign_request("gw-ui", secret.as_bytes(), "GET", "/api/v1/decisions/stream", b"");
    assert_eq!(
        harness::send(&m.url("/api/v1/decisions/stream"), "GET", "", &h.pairs())
            .status()
            .as_u16(),
        401
    );

    let csrf = s.csrf("/account");
    let (code, page) = s.post(
        "/account/password",
        &[
            ("csrf", &csrf),
            ("current", "nope"),
            ("password", "x"),
            ("password2", "y"),
        ],
    );
    assert_eq!(code, 422);
    assert!(page.contains("wrong password") && page.contains("at least 10") && page.contains("differ"));
    let new = "a much better passphrase";
    let (code, _) = s.post(
        "/account/password",
        &[
            ("csrf", &csrf),
            ("current", ADMIN_PW),
            ("password", new),
            ("password2", new),
        ],
    );
    assert_eq!(code, 303);
    assert_eq!(s.get("/").0, 303, "sessions end with a password change");
    m.login("admin", new);
}

#[test]
fn cookies_are_secure_behind_https() {
    let m = Manager::start_with("public_url = \"https://manager.example.com\"\n", true);
    let s = m.login("admin", ADMIN_PW);
    assert!(s.set_cookie.contains("; Secure"), "{}", s.set_cookie);
}
