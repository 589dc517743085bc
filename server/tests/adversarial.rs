//! Security: adversarial input never panics the parser, the framing decoder or the rule matcher, and
//! attacker-chosen user names cannot redirect a decision to another address.

use std::path::PathBuf;

use server::engine::EngineConfig;
use server::framing::{Decoder, Item};
use server::rules::load_dir;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const PIECES: &[&str] = &[
    "<13>",
    "<38>1 ",
    "1 ",
    "Nov 28 01:00:00 ",
    "2026-11-28T01:00:00Z ",
    "host ",
    "sshd[1]: ",
    "vsftpd: ",
    "- ",
    "[jhsy@0 mode=\"honeypot\"] ",
    "[x@1 a=\"\\\"]\"] ",
    "[",
    "]",
    "\"",
    "\\",
    "Failed password for ",
    "invalid user ",
    " from ",
    "192.0.2.1",
    "::ffff:10.0.0.1",
    "[::1]",
    " port 22",
    " ssh2",
    ": ",
    "\u{feff}",
    "é",
    "日本",
    "\u{0}",
    "message repeated 3 times: [ ",
    "[ID 1 auth.info] ",
    "kernel:[ 1.0]: ",
    "'@'",
    "Access denied for user '",
    " (using password: YES)",
    "{\"t\":{\"$date\":\"",
    "\"id\":20249,",
    "\"remote\":\"",
    "[conn1] ",
    "12 ",
    "\n",
];

#[test]
fn random_messages_never_panic() {
    let rules = load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services")).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut lines = Vec::new();
    for _ in 0..20_000 {
        let n = 1 + rng.next() % 12;
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        }
        lines.push(s);
    }
    // Whole pipeline minus the network: parse, match, sessions, buckets.
    let r = server::replay::run(&rules, &EngineConfig::default(), None, &lines);
    assert_eq!(r.lines, lines.len());
    for e in &r.events {
        assert!(!e.1.src_ip.is_empty());
    }
    // Raw bytes through the framing decoder.
    let mut bytes = Vec::new();
    for _ in 0..200_000 {
        bytes.push((rng.next() % 256) as u8);
    }
    let mut d = Decoder::new(512);
    let mut pos = 0;
    let mut steps = 0;
    while let Some((n, item)) = d.next(&bytes[pos..]) {
        assert!(n > 0, "decoder must make progress");
        if let Item::Message(r) = item {
            assert!(r.end <= bytes.len() - pos && r.end - r.start <= 512);
        }
        pos += n;
        steps += 1;
        assert!(steps < 1_000_000);
    }
}

#[test]
fn user_names_cannot_choose_the_banned_address() {
    let rules = load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/services")).unwrap();
    let victim = "192.0.2.250";
    let lines: Vec<String> = (0..6)
        .flat_map(|i| {
            [
                format!("Nov 28 01:00:0{i} h sshd[9]: Failed password for invalid user x from {victim} port 22 ssh2 from 198.51.100.1 port 1{i} ssh2"),
                format!("Nov 28 01:00:0{i} h sshd[9]: Invalid user a from {victim} port 22 from 198.51.100.1 port 1{i}"),
                format!("Nov 28 01:00:0{i} db mysqld: Access denied for user 'x'@'{victim}' (using password: YES)'@'198.51.100.1' (using password: YES)"),
                format!("Nov 28 01:00:0{i} f proftpd[3] f (198.51.100.1[198.51.100.1]): USER a (h[{victim}]): no such user found from x [y] to z:21"),
                format!("Mon Jun  8 12:00:0{i} 2020 [pid 1] [x\"] FAIL LOGIN: Client \"{victim}] FAIL LOGIN: Client \"198.51.100.1\""),
            ]
        })
        .collect();
    let r = server::replay::run(&rules, &EngineConfig::default(), None, &lines);
    assert!(!r.events.iter().any(|(_, e)| e.src_ip == victim), "{:?}", r.events);
    assert!(!r.verdicts.iter().any(|v| v.decision.value == victim));
    assert!(r.verdicts.iter().any(|v| v.decision.value == "198.51.100.1"));
}
