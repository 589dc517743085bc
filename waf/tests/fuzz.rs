//! Property tests (proptest) for the code that reads attacker-controlled bytes: decoders, body parsers and the
//! whole engine. Any input must be handled without panicking, and output stays bounded by the input.

use std::net::IpAddr;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use waf::transform::{apply_chain, Transform};
use waf::{Engine, RateLimiter, RequestView, SitePolicy};

const ALL: [Transform; 14] = [
    Transform::UrlDecode,
    Transform::HtmlEntityDecode,
    Transform::JsDecode,
    Transform::CssDecode,
    Transform::Base64Decode,
    Transform::Lowercase,
    Transform::CompressWhitespace,
    Transform::RemoveWhitespace,
    Transform::ReplaceComments,
    Transform::NormalizePath,
    Transform::NormalizePathWin,
    Transform::RemoveNulls,
    Transform::Utf8Fix,
    Transform::Cmdline,
];

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/waf")).unwrap())
}

/// Bytes biased towards the characters decoders and parsers care about.
fn nasty() -> impl Strategy<Value = Vec<u8>> {
    let atoms = prop_oneof![
        any::<u8>(),
        Just(b'%'),
        Just(b'&'),
        Just(b'\\'),
        Just(b'"'),
        Just(b'<'),
        Just(b'/'),
        Just(b'.'),
        Just(b'#'),
        Just(b'-'),
        Just(b'*'),
        Just(b'{'),
        Just(b'['),
        Just(b'u'),
        Just(b'x'),
        Just(b'0'),
        Just(b'\n'),
        Just(0xc0),
    ];
    proptest::collection::vec(atoms, 0..400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn transforms_never_panic_and_stay_bounded(input in nasty(), chain in proptest::collection::vec(0usize..14, 0..6)) {
        let chain: Vec<Transform> = chain.into_iter().map(|i| ALL[i]).collect();
        let out = apply_chain(&chain, &input);
        // No decoder grows its input by more than the UTF-8 expansion of one character per byte.
        prop_assert!(out.len() <= input.len() * 4 + 4);
    }

    #[test]
    fn body_parsers_never_panic(body in nasty(), ct in prop_oneof![
        Just(&b"application/json"[..]),
        Just(&b"application/xml"[..]),
        Just(&b"application/x-www-form-urlencoded"[..]),
        Just(&b"multipart/form-data; boundary=--x"[..]),
        Just(&b"multipart/form-data; boundary=\"a;b\""[..]),
        Just(&b"text/plain"[..]),
    ]) {
        let mut total = 0usize;
        waf::extract_body(ct, &body, false, false, &mut |f| total += f.value.len() + f.name.len());
        prop_assert!(total <= body.len() * 8 + 64);
        // A second pass from where a first one over a prefix resumes.
        let cut = body.len() / 2;
        if let Some(r) = waf::extract_body(ct, &body[..cut], true, false, &mut |_| {}) {
            prop_assert!(r.offset <= cut);
            let start = match &r.skip_to {
                // What a streaming caller keeps: from the next delimiter line on.
                Some(d) => {
                    let mut skip = waf::DelimiterSkip::new(d);
                    skip.feed(&body[r.offset..]).map_or(body.len(), |(head, at)| r.offset + at - head.len())
                }
                None => r.offset,
            };
            waf::extract_body(ct, &body[start..], false, start > 0, &mut |_| {});
        }
    }

    #[test]
    fn engine_never_panics(uri_tail in nasty(), body in nasty(), header in nasty()) {
        let uri = format!("/p?{}", String::from_utf8_lossy(&uri_tail));
        let headers: [(&str, &[u8]); 3] = [("content-type", b"application/json"), ("x-any", &header), ("cookie", &header)];
        let req = RequestView {
            method: "POST",
            uri: &uri,
            headers: &headers,
            client_ip: IpAddr::from([127, 0, 0, 2]),
            body: &body,
            body_complete: false,
            body_only: false,
            body_offset: 0,
        };
        let v = engine().evaluate(&req, &SitePolicy::default(), &RateLimiter::new(128));
        prop_assert!(v.score as usize <= v.matches.len() * 5);
    }
}

#[test]
fn pathological_inputs_finish() {
    let start = std::time::Instant::now();
    let many_percent = "%25".repeat(200_000).into_bytes();
    let _ = apply_chain(&ALL, &many_percent);
    let nested_comments = b"/*".repeat(200_000);
    let _ = apply_chain(&[Transform::ReplaceComments], &nested_comments);
    let boundaries = b"--x\r\n".repeat(200_000);
    waf::extract_body(
        b"multipart/form-data; boundary=x",
        &boundaries,
        false,
        false,
        &mut |_| {},
    );
    let xml = b"<a b='".repeat(100_000);
    waf::extract_body(b"text/xml", &xml, false, false, &mut |_| {});
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

/// Words libinjection knows, mixed into random text so the prefilters are tested where it matters.
fn sqlish_text() -> impl Strategy<Value = Vec<u8>> {
    let atoms = prop_oneof![
        Just(&b"select"[..]),
        Just(&b"union"[..]),
        Just(&b"or"[..]),
        Just(&b"and"[..]),
        Just(&b"1"[..]),
        Just(&b"42"[..]),
        Just(&b" "[..]),
        Just(&b","[..]),
        Just(&b"."[..]),
        Just(&b"-"[..]),
        Just(&b"@"[..]),
        Just(&b"_"[..]),
        Just(&b"abc"[..]),
        Just(&b"x"[..]),
        Just(&b"sleep"[..]),
        Just(&b"version"[..]),
        // Where libinjection's token boundaries differ from plain word boundaries: numbers that end at a
        // letter, charset introducers, dotted function names, and 0xA0 read as white space.
        Just(&b"0x"[..]),
        Just(&b"1."[..]),
        Just(&b"e"[..]),
        Just(&b"d"[..]),
        Just(&b"f"[..]),
        Just(&b"_utf8"[..]),
        Just(&b"dbms_lock.sleep"[..]),
        Just(&b"\xa0"[..]),
        Just(&b"\xc3"[..]),
        Just(&b"'"[..]),
        Just(&b"("[..]),
        Just(&b")"[..]),
        Just(&b"\""[..]),
        Just(&b"javascript:"[..]),
        Just(&b"onerror"[..]),
        Just(&b"alert(1)"[..]),
        Just(&b"`"[..]),
        Just(&b"script"[..]),
        Just(&b"/"[..]),
    ];
    proptest::collection::vec(atoms, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// The libinjection prefilters only skip inputs libinjection itself would pass.
    #[test]
    fn libinjection_prefilters_are_sound(v in sqlish_text()) {
        let k = waf::prefilter::SqlKeywords::new().unwrap();
        if !k.sqli_possible(&v) {
            prop_assert!(!libinjectionrs::detect_sqli(&v).is_injection(), "{}", String::from_utf8_lossy(&v));
        }
        if waf::prefilter::xss_impossible(&v) {
            prop_assert!(!libinjectionrs::detect_xss(&v).is_injection(), "{}", String::from_utf8_lossy(&v));
        }
    }
}
