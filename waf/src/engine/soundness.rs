//! The engine's shortcuts (plain-value skipping, gate literals with word bounds, shared chain prefixes, the
//! libinjection prefilters, the in-request memory) against a brute-force pass that runs every chain, set,
//! literal automaton, negated regex and libinjection check of a field's groups on every value: for random
//! values built from attack and ordinary fragments, both must fire the same rules.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;

use super::{has_sql_punctuation, libinjection_sqli, Engine, Scan};
use crate::target::{Field, TargetKind};
use crate::transform::apply_chain;
use crate::SitePolicy;

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
    Engine::load_dir(&dir).unwrap_or_else(|e| panic!("default rules: {e:?}"))
}

fn every_rule() -> SitePolicy {
    SitePolicy {
        paranoia: 4,
        ..SitePolicy::default()
    }
}

/// Rule ids the engine fires for one field.
fn fast(engine: &Engine, site: &SitePolicy, kind: TargetKind, name: &[u8], value: &[u8]) -> BTreeSet<u32> {
    let mut scan = Scan::new(engine, site, Vec::new());
    let f = Field {
        kind,
        name: Cow::Borrowed(name),
        value: Cow::Borrowed(value),
    };
    scan.field(&engine.c.main, &f);
    scan.verdict.matches.iter().map(|m| m.id).collect()
}

/// Rule ids every matcher of the field's groups fires when nothing is skipped.
fn brute(engine: &Engine, kind: TargetKind, name: &[u8], value: &[u8]) -> BTreeSet<u32> {
    let Some(list) = engine.c.main.list_for(kind, name) else {
        return BTreeSet::new();
    };
    let id = |idx: usize| engine.c.rules[idx].id;
    let mut out = BTreeSet::new();
    for g in &list.groups {
        let v = apply_chain(&engine.c.chains[g.chain], value);
        for set in g.any.iter().chain(&g.special).flatten() {
            out.extend(set.set.matches(&v).iter().map(|i| id(set.rules[i].0)));
        }
        out.extend(
            g.negated
                .iter()
                .filter(|(_, re)| !re.is_match(&v))
                .map(|(idx, _)| id(*idx)),
        );
        if let Some(ac) = &g.literals {
            out.extend(
                ac.find_overlapping_iter(&*v)
                    .map(|m| id(g.literal_rules[m.pattern().as_usize()])),
            );
        }
        if has_sql_punctuation(&v) && libinjection_sqli(&v) {
            out.extend(g.sqli.iter().map(|&i| id(i)));
        }
        if libinjectionrs::detect_xss(&v).is_injection() {
            out.extend(g.xss.iter().map(|&i| id(i)));
        }
    }
    out
}

/// Values made of fragments that rules look for, fragments that decoders change, and ordinary text.
fn values() -> impl Strategy<Value = Vec<u8>> {
    let atoms: Vec<&'static [u8]> = vec![
        b"select",
        b"union",
        b"from",
        b"where",
        b"or",
        b"and",
        b"sleep",
        b"benchmark",
        b"information_schema",
        b"1",
        b"0x",
        b"1.",
        b"e",
        b"x",
        b"abc",
        b"admin",
        b" ",
        b",",
        b".",
        b"-",
        b"--",
        b"@",
        b"_",
        b"'",
        b"\"",
        b"(",
        b")",
        b";",
        b"=",
        b"<",
        b">",
        b"/",
        b"\\",
        b"*",
        b"/*",
        b"*/",
        b"#",
        b"|",
        b"&",
        b"&&",
        b"`",
        b"$",
        b"${",
        b"}",
        b"{",
        b"%",
        b"%27",
        b"%3c",
        b"%2e%2e%2f",
        b"%u0027",
        b"&lt;",
        b"&#x3c;",
        b"\\x3c",
        b"\\u003c",
        b"script",
        b"<script>",
        b"onerror",
        b"javascript:",
        b"alert(1)",
        b"img src=x",
        b"svg/onload",
        b"../",
        b"..\\",
        b"etc/passwd",
        b"/etc/shadow",
        b"win.ini",
        b"cmd.exe",
        b"/bin/sh",
        b"cat ",
        b"wget ",
        b"curl ",
        b"nc -e",
        b"$(id)",
        b"system(",
        b"eval(",
        b"exec(",
        b"passthru",
        b"php://",
        b"file://",
        b"http://",
        b"169.254.169.254",
        b"jndi:ldap",
        b"${jndi:",
        b"java.lang",
        b"Runtime",
        b"ProcessBuilder",
        b"__proto__",
        b"constructor",
        b"\n",
        b"\r\n",
        b"\t",
        b"\0",
        b"\xa0",
        b"\xc3\xa9",
        b"\xc0\xae",
        b"YWxlcnQoMSk=",
    ];
    proptest::collection::vec(proptest::sample::select(atoms), 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn shortcuts_fire_what_brute_force_fires(v in values()) {
        let e = engine_once();
        let site = every_rule();
        for (kind, name) in [
            (TargetKind::ArgValue, &b"q"[..]),
            (TargetKind::ArgName, b""),
            (TargetKind::CookieValue, b"session"),
            (TargetKind::HeaderValue, b"user-agent"),
            (TargetKind::HeaderValue, b"referer"),
            (TargetKind::Path, b""),
            (TargetKind::Query, b""),
            (TargetKind::Body, b""),
        ] {
            let name_for_field = if kind == TargetKind::ArgName { &v[..] } else { name };
            let got = fast(e, &site, kind, name_for_field, &v);
            let want = brute(e, kind, name_for_field, &v);
            prop_assert_eq!(&got, &want, "{:?} {:?}", kind, String::from_utf8_lossy(&v));
        }
    }
}

/// Request targets whose path no decoding step touches, so the query's steps are read off the target's.
fn inert_paths() -> impl Strategy<Value = Vec<u8>> {
    proptest::sample::select(vec![
        &b"/"[..],
        b"/search",
        b"/a/B.php",
        b"/x;y=1/",
        b"/.././etc",
        b"/#/'<",
    ])
    .prop_map(<[u8]>::to_vec)
}

/// Rule ids the engine fires on the query of `path?query`, after the target itself went through the same scan.
fn query_after_target(engine: &Engine, site: &SitePolicy, path: &[u8], query: &[u8]) -> (BTreeSet<u32>, bool) {
    let uri = [path, b"?", query].concat();
    let mut scan = Scan::new(engine, site, Vec::new());
    let field = |kind, value| Field {
        kind,
        name: Cow::Borrowed(&b""[..]),
        value: Cow::Borrowed(value),
    };
    scan.field(&engine.c.main, &field(TargetKind::Uri, &uri));
    let kept = scan.uri_steps.is_some();
    let before: BTreeSet<u32> = scan.verdict.matches.iter().map(|m| m.id).collect();
    scan.field(&engine.c.main, &field(TargetKind::Query, &uri[path.len() + 1..]));
    let ids = scan
        .verdict
        .matches
        .iter()
        .map(|m| m.id)
        .filter(|id| !before.contains(id))
        .collect();
    (ids, kept)
}

#[test]
fn the_query_reuses_the_targets_steps() {
    let e = query_engine_once();
    assert!(
        e.c.main.query_in_uri.is_some(),
        "the query's chains are all target chains"
    );
    let (ids, kept) = query_after_target(e, &every_rule(), b"/search", b"user=admin&pass%5B%24gt%5D=");
    assert!(kept);
    assert!(ids.contains(&1_942_291), "{ids:?}");
    // A path a decoding step would change: the query is decoded on its own.
    let (_, kept) = query_after_target(e, &every_rule(), b"/a%20b", b"q=%3Cb%3E");
    assert!(!kept);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn query_steps_from_the_target_fire_what_brute_force_fires(path in inert_paths(), q in values()) {
        let e = query_engine_once();
        let site = every_rule();
        let (got, _) = query_after_target(e, &site, &path, &q);
        let uri = [&path[..], b"?", &q].concat();
        let on_uri = fast(e, &site, TargetKind::Uri, b"", &uri);
        let want: BTreeSet<u32> = brute(e, TargetKind::Query, b"", &q).difference(&on_uri).copied().collect();
        prop_assert_eq!(&got, &want, "{:?}", String::from_utf8_lossy(&uri));
    }
}

fn engine_once() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(engine)
}

/// The default rules plus, for each rule on `uri`, a twin on `query` with id + 1 000 000. The default rules read
/// the query through `uri`; the twins give the query every chain the target has, under ids of their own, for
/// the tests of the query's shared steps.
fn query_engine_once() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf");
        let files: Vec<_> = Engine::read_dir(&dir)
            .unwrap_or_else(|e| panic!("default rules: {e:?}"))
            .into_iter()
            .map(|(p, text)| (p, with_query_twins(&text)))
            .collect();
        Engine::from_sources(files.iter().map(|(p, t)| (p.as_path(), t.as_str())))
            .unwrap_or_else(|e| panic!("default rules with query twins: {e:?}"))
    })
}

fn with_query_twins(text: &str) -> String {
    let mut out = text.to_string();
    for rule in text.split("[[rule]]").skip(1) {
        let on_uri = rule
            .lines()
            .any(|l| l.starts_with("targets = ") && l.contains("\"uri\""));
        if !on_uri {
            continue;
        }
        let twin: Vec<String> = rule
            .lines()
            .map(|l| match (l.strip_prefix("id = "), l.starts_with("targets = ")) {
                (Some(id), _) => format!("id = {}", id.trim().parse::<u32>().unwrap_or(0) + 1_000_000),
                (None, true) => "targets = [\"query\"]".to_string(),
                (None, false) => l.to_string(),
            })
            .collect();
        out.push_str("\n[[rule]]");
        out.push_str(&twin.join("\n"));
    }
    out
}
