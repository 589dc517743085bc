//! The literal gates' automaton (see [`crate::gate_literals`]), walked byte by byte here rather than through
//! `AhoCorasick`'s search API. Gates run on nearly every value of every request, most of them a few bytes
//! long, where the API's fixed cost per call (search setup, a prefilter check, a dynamic dispatch) was most
//! of the work; and a gate that finds something needs every occurrence with its position, which the API
//! gave as a second, overlapping pass after the first had said "yes". One walk reports each occurrence as its
//! last byte is read.

use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// A case-insensitive set of literals.
#[derive(Debug, Clone)]
pub struct Gate {
    dfa: Arc<DFA>,
    start: StateID,
}

impl Gate {
    pub fn new(lits: &[Vec<u8>]) -> Result<Gate, String> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .build(lits)
            .map_err(|e| e.to_string())?;
        let start = dfa.start_state(Anchored::No).map_err(|e| e.to_string())?;
        Ok(Gate {
            dfa: Arc::new(dfa),
            start,
        })
    }

    /// Calls `found(pattern, start, end)` for every occurrence of a literal in `v`, overlapping ones
    /// included, in order of their end; stops early when it returns true, and returns whether it did.
    #[inline]
    pub fn scan(&self, v: &[u8], mut found: impl FnMut(usize, usize, usize) -> bool) -> bool {
        let dfa = &*self.dfa;
        let mut sid = self.start;
        for (i, &b) in v.iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) && dfa.is_match(sid) {
                for k in 0..dfa.match_len(sid) {
                    let pid = dfa.match_pattern(sid, k);
                    let end = i + 1;
                    if found(pid.as_usize(), end - dfa.pattern_len(pid), end) {
                        return true;
                    }
                }
            }
        }
        false
    }

    pub fn len(&self) -> usize {
        self.dfa.patterns_len()
    }

    pub fn memory_usage(&self) -> usize {
        self.dfa.memory_usage()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LITS: [&[u8]; 6] = [b"cat", b"at", b"%2e", b"select", b"lect", b"t"];

    /// Every occurrence of every literal, found the slow way.
    fn naive(v: &[u8]) -> Vec<(usize, usize, usize)> {
        let lower = v.to_ascii_lowercase();
        let mut out = Vec::new();
        for end in 1..=v.len() {
            for (p, l) in LITS.iter().enumerate() {
                if end >= l.len() && &lower[end - l.len()..end] == *l {
                    out.push((p, end - l.len(), end));
                }
            }
        }
        out
    }

    fn walk(g: &Gate, v: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        g.scan(v, |p, s, e| {
            out.push((p, s, e));
            false
        });
        out
    }

    #[test]
    fn reports_every_overlapping_occurrence() {
        let g = Gate::new(&LITS.map(<[u8]>::to_vec)).unwrap();
        for v in [&b"concatenate"[..], b"SeLeCt", b"x%2E%2e", b"", b"tt"] {
            let mut got = walk(&g, v);
            got.sort();
            let mut want = naive(v);
            want.sort();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(v));
        }
        // Stops at the first occurrence the caller takes.
        let mut seen = 0;
        assert!(g.scan(b"cat cat", |_, _, _| {
            seen += 1;
            true
        }));
        assert_eq!(seen, 1);
        assert!(!g.scan(b"dog", |_, _, _| true));
    }

    proptest! {
        #[test]
        fn random_values(v in proptest::collection::vec(
            prop_oneof![Just(b'c'), Just(b'A'), Just(b't'), Just(b'%'), Just(b'2'), Just(b'E'),
                        Just(b's'), Just(b'e'), Just(b'l'), Just(b'x')], 0..24)) {
            let g = Gate::new(&LITS.map(<[u8]>::to_vec)).unwrap();
            let mut got = walk(&g, &v);
            got.sort();
            let mut want = naive(&v);
            want.sort();
            prop_assert_eq!(got, want);
        }
    }
}
