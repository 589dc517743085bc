//! The engine: loads rule files, then inspects requests. Order per request: IP and URL allowlists, IP
//! denylists, protocol checks, rate limits, then every target value through its matcher groups; the verdict sums
//! the scores of the rules that fired (each rule once) against the site's threshold.

use std::path::{Path, PathBuf};
use std::time::Instant;

use smallvec::SmallVec;

use crate::clean_cache::{CleanCache, SeenInRequest};
use crate::compile::{self, Compiled, Group, GroupList, Groups, Set};
use crate::policy::Exclusion;
use crate::prefilter;
use crate::rule_file::{self, Action, Check};
use crate::target::{self, Field, TargetKind};
use crate::transform::apply_chain;
use crate::{RateLimiter, RequestView, RuleError, RuleMatch, SitePolicy, Verdict};

/// Longest matched value kept in a [`RuleMatch`].
const MAX_LOGGED_VALUE: usize = 120;

/// A compiled rule set.
#[derive(Debug, Default)]
pub struct Engine {
    c: Compiled,
    clean: CleanCache,
}

/// Per-request scratch state.
struct Scan<'e, 'p> {
    engine: &'e Engine,
    site: &'p SitePolicy,
    active: Vec<&'p Exclusion>,
    verdict: Verdict,
    deny: bool,
    /// Rule hits seen, before paranoia and exclusion filtering (a value with none is clean for every site).
    hits: usize,
    /// Body values of this request that came out clean, for targets the cross-request cache does not keep.
    seen: SeenInRequest,
    /// True once the body's fields are being visited: only they use `seen`. JSON and XML bodies repeat keys
    /// and values through every record of an array; a query string's arguments are distinct, and looking each
    /// up and storing it cost more than the lookups saved.
    in_body: bool,
    /// True while argument names are still to be looked at for a session id (see `is_session_param`).
    watch_session: bool,
    /// Whether the generic session-id names (`sessionId`, `session_id` …) count here: in the query and form
    /// bodies, which a page on another site can make a browser send, and not in JSON or XML bodies, where apps
    /// and API clients send such keys with no Referer (framework cookie names like `jsessionid` count anywhere).
    generic_session_names: bool,
    /// The first argument name that carries a session id.
    session_param: Option<String>,
    /// The request target's transform steps, kept for the query's (see [`crate::query_steps`]).
    uri_steps: Option<UriSteps>,
}

/// The step outputs of a request target whose path is inert (see [`crate::query_steps`]).
struct UriSteps {
    /// Where the query starts in the target, as an address: the query field must be that very slice.
    query_at: usize,
    /// Length of the path and the `?`, which every step keeps.
    offset: usize,
    owned: SmallVec<[Option<Vec<u8>>; INLINE_STEPS]>,
    same_as: SmallVec<[Option<usize>; INLINE_STEPS]>,
}

impl UriSteps {
    /// The query's value at each step of its list, as the tails of the target's twin steps; `None` when
    /// `query` is not the tail these were kept for.
    fn tails<'a>(
        &'a self,
        list: &GroupList,
        twins: &[usize],
        query: &'a [u8],
    ) -> Option<SmallVec<[&'a [u8]; INLINE_STEPS]>> {
        if query.as_ptr() as usize != self.query_at {
            return None;
        }
        list.step_of
            .iter()
            .map(|&step| {
                let Some(step) = step else { return Some(query) };
                match self.same_as.get(*twins.get(step)?)? {
                    Some(m) => self.owned.get(*m)?.as_deref()?.get(self.offset..),
                    None => Some(query),
                }
            })
            .collect()
    }
}

impl<'e, 'p> Scan<'e, 'p> {
    fn new(engine: &'e Engine, site: &'p SitePolicy, active: Vec<&'p Exclusion>) -> Self {
        Scan {
            engine,
            site,
            active,
            verdict: Verdict::default(),
            deny: false,
            hits: 0,
            seen: SeenInRequest::default(),
            in_body: false,
            watch_session: false,
            generic_session_names: true,
            session_param: None,
            uri_steps: None,
        }
    }

    fn record(&mut self, idx: usize, kind: TargetKind, name: &[u8], value: &[u8]) {
        self.hits += 1;
        let r = &self.engine.c.rules[idx];
        if r.paranoia > self.site.paranoia || self.verdict.matches.iter().any(|m| m.id == r.id) {
            return;
        }
        if self.active.iter().any(|e| e.removes(r, kind, name)) {
            return;
        }
        let target = if name.is_empty()
            || matches!(
                kind,
                TargetKind::ArgName | TargetKind::CookieName | TargetKind::HeaderName
            ) {
            kind.label().to_string()
        } else {
            format!(
                "{}:{}",
                kind.label(),
                String::from_utf8_lossy(&name[..name.len().min(64)])
            )
        };
        let cut = value.len().min(MAX_LOGGED_VALUE);
        match r.action {
            Action::Deny => self.deny = true,
            Action::Score => self.verdict.score = self.verdict.score.saturating_add(r.score),
            Action::Allow => self.verdict.allowlisted = true,
        }
        self.verdict.matches.push(RuleMatch {
            id: r.id,
            msg: r.msg.clone(),
            score: r.score,
            target,
            value: String::from_utf8_lossy(&value[..cut]).into_owned(),
        });
    }

    fn set(&mut self, set: &Set, kind: TargetKind, name: &[u8], v: &[u8]) {
        if let Some(needs) = &set.needs {
            if !v.iter().any(|&b| needs[usize::from(b)]) {
                return;
            }
        }
        if !set.set.is_match(v) {
            return;
        }
        for i in set.set.matches(v).iter() {
            let (idx, re) = &set.rules[i];
            let m = re.find(v).map_or(v, |m| &v[m.start()..]);
            self.record(*idx, kind, name, m);
        }
    }

    /// Runs one group; `open` says which of its gated sets had a required literal in the value
    /// (bit 0: `any[0]`, bit 1: `special[0]`).
    fn group(&mut self, g: &Group, kind: TargetKind, name: &[u8], v: &[u8], open: u64) {
        let plain = prefilter::is_plain(v);
        let gate_open = |i: usize| open & (1 << i) != 0;
        if let (Some(set), true) = (&g.any[0], gate_open(0)) {
            self.set(set, kind, name, v);
        }
        if let Some(set) = &g.any[1] {
            self.set(set, kind, name, v);
        }
        if let (Some(set), true) = (&g.special[0], !plain && gate_open(1)) {
            self.set(set, kind, name, v);
        }
        if let (Some(set), false) = (&g.special[1], plain) {
            self.set(set, kind, name, v);
        }
        for (idx, re) in &g.negated {
            if !re.is_match(v) {
                self.record(*idx, kind, name, v);
            }
        }
        if let Some(ac) = &g.literals {
            for m in ac.find_overlapping_iter(v) {
                let idx = g.literal_rules[m.pattern().as_usize()];
                self.record(idx, kind, name, &v[m.start()..]);
            }
        }
        if !g.sqli.is_empty() && has_sql_punctuation(v) && self.sqli_possible(v) && libinjection_sqli(v) {
            for &idx in &g.sqli {
                self.record(idx, kind, name, v);
            }
        }
        if !g.xss.is_empty() && !prefilter::xss_impossible(v) && libinjectionrs::detect_xss(v).is_injection() {
            for &idx in &g.xss {
                self.record(idx, kind, name, v);
            }
        }
    }

    /// Runs every group of `list` on its chain's value of one non-plain field.
    fn groups_on(&mut self, list: &GroupList, f: &Field<'_>, values: &[&[u8]]) {
        let open = gate_scan(list, values);
        for (i, (g, v)) in list.groups.iter().zip(values).enumerate() {
            self.group(g, f.kind, &f.name, v, open >> (2 * i) & 3);
        }
    }

    /// Keeps a request target's step outputs for its query, when its path is inert.
    fn keep_uri_steps(&mut self, uri: &[u8], steps: StepValues<'_>) {
        let Some(q) = memchr::memchr(b'?', uri) else { return };
        if crate::query_steps::inert(&uri[..q]) {
            self.uri_steps = Some(UriSteps {
                query_at: uri[q + 1..].as_ptr() as usize,
                offset: q + 1,
                owned: steps.owned,
                same_as: steps.same_as,
            });
        }
    }

    fn sqli_possible(&self, v: &[u8]) -> bool {
        match &self.engine.c.sql_keywords {
            Some(k) => k.sqli_possible(v),
            None => !prefilter::sqli_impossible(v),
        }
    }

    /// True when no group of the list can fire on a plain raw value, so the value needs no transform at all.
    /// Transforms (other than base64) keep plain values plain, and the gates are case-insensitive. `sqli` is
    /// whether libinjection's SQLi check must see the value; its XSS check never needs a plain one (no plain
    /// byte is one [`prefilter::xss_impossible`] looks for: asserted where the plain bytes are defined).
    fn list_skippable(list: &GroupList, raw: &[u8], sqli: bool) -> bool {
        !list.plain_always && !sqli && (!list.base64 || !crate::decode::looks_base64(raw)) && !list.plain_gate_hit(raw)
    }

    /// Runs every group that applies to one field (one group per transform chain). Inlined into the visitor so
    /// that a repeat (most fields of an array of records) costs a lookup, not a call with a large frame.
    #[inline(always)]
    fn field(&mut self, groups: &Groups, f: &Field<'_>) {
        // Only the main rule set may remember clean values (the allowlist pass looks for other things).
        let cacheable = std::ptr::eq(groups, &self.engine.c.main);
        // A clean verdict is remembered across requests for headers and cookies, for this request's body values.
        let in_request = cacheable && self.in_body && !CleanCache::applies(f.kind);
        if in_request && self.seen.contains(f.kind, &f.name, &f.value) {
            return;
        }
        self.unseen_field(groups, f, cacheable, in_request);
    }

    /// [`Self::field`] for a value not in the request's memory.
    #[inline(never)]
    fn unseen_field(&mut self, groups: &Groups, f: &Field<'_>, cacheable: bool, in_request: bool) {
        let across_requests = CleanCache::applies(f.kind);
        // After the memory check: a name repeated through a JSON array is looked at once.
        if self.watch_session
            && cacheable
            && f.kind == TargetKind::ArgName
            && is_session_param(&f.name)
            && (self.generic_session_names || !is_generic_session_name(&f.name))
        {
            self.session_param = Some(String::from_utf8_lossy(&f.name).into_owned());
            self.watch_session = false;
        }
        let Some(list) = groups.list_for(f.kind, &f.name) else {
            return;
        };
        let plain = prefilter::is_plain(&f.value);
        let sqli = plain && list.sqli && has_sql_punctuation(&f.value) && self.sqli_possible(&f.value);
        if plain && Self::list_skippable(list, &f.value, sqli) {
            if in_request {
                self.seen.insert(f.kind, &f.name, &f.value);
            }
            return;
        }
        let cache_key = if cacheable && across_requests {
            let key = self.engine.clean.key(f.kind, &f.name, &f.value);
            if self.engine.clean.contains(key) {
                return;
            }
            Some(key)
        } else {
            None
        };
        let hits_before = self.hits;
        if plain {
            // Transforms keep a plain value plain (base64 aside) and change at most its case, so one gate scan
            // of the raw value tells which groups can fire; the others are not even transformed.
            let open = list.gate_open(&f.value, u64::MAX);
            let b64 = crate::decode::looks_base64(&f.value);
            for (i, g) in list.groups.iter().enumerate() {
                let bits = open >> (2 * i) & 3;
                let needed = bits & 1 != 0
                    || g.any[1].is_some()
                    || !g.negated.is_empty()
                    || g.literals.is_some()
                    || (sqli && !g.sqli.is_empty())
                    || (b64 && self.engine.c.chain_unplains[g.chain]);
                if needed {
                    let v = apply_chain(&self.engine.c.chains[g.chain], &f.value);
                    // A base64 chain may have made the value non-plain: then every gated set must look.
                    let bits = if prefilter::is_plain(&v) { bits } else { 3 };
                    self.group(g, f.kind, &f.name, &v, bits);
                }
            }
        } else {
            let twins = groups.query_in_uri.as_deref().filter(|_| cacheable);
            let kept = match (f.kind, twins) {
                (TargetKind::Query, Some(_)) => self.uri_steps.take(),
                _ => None,
            };
            let tails = kept
                .as_ref()
                .zip(twins)
                .and_then(|(k, twins)| k.tails(list, twins, &f.value));
            if let Some(tails) = tails {
                self.groups_on(list, f, &tails);
            } else {
                let steps = StepValues::run(list, &f.value);
                let values: SmallVec<[&[u8]; INLINE_STEPS]> = list.step_of.iter().map(|&s| steps.get(s)).collect();
                self.groups_on(list, f, &values);
                drop(values);
                if f.kind == TargetKind::Uri && twins.is_some() {
                    self.keep_uri_steps(&f.value, steps);
                }
            }
        }
        if self.hits == hits_before {
            if let Some(key) = cache_key {
                self.engine.clean.insert(key);
            } else if in_request {
                self.seen.insert(f.kind, &f.name, &f.value);
            }
        }
    }
}

/// Steps and groups of one list held on the stack: a request's non-plain values each went through three small
/// heap vectors here.
const INLINE_STEPS: usize = 16;

/// The value of every transform step of a [`GroupList`] for one raw value.
struct StepValues<'v> {
    raw: &'v [u8],
    /// Per step: its own output, when the step changed the value.
    owned: SmallVec<[Option<Vec<u8>>; INLINE_STEPS]>,
    /// Per step: the step whose output it equals (`None`: the raw value).
    same_as: SmallVec<[Option<usize>; INLINE_STEPS]>,
}

impl<'v> StepValues<'v> {
    fn run(list: &GroupList, raw: &'v [u8]) -> StepValues<'v> {
        let mut s = StepValues {
            raw,
            owned: SmallVec::new(),
            same_as: SmallVec::new(),
        };
        for (n, step) in list.steps.iter().enumerate() {
            let changed = step.transform.apply(s.get(step.parent));
            let same = match changed {
                Some(_) => Some(n),
                None => step.parent.and_then(|p| s.same_as[p]),
            };
            s.owned.push(changed);
            s.same_as.push(same);
        }
        s
    }

    fn get(&self, step: Option<usize>) -> &[u8] {
        match step.and_then(|n| self.same_as[n]) {
            Some(m) => self.owned[m].as_deref().unwrap_or(self.raw),
            None => self.raw,
        }
    }
}

/// libinjection's own SQLi verdict. Callers count it only when the value also holds SQL punctuation (see
/// [`has_sql_punctuation`]), tested first because it is cheaper. `libinjectionrs::detect_sqli` is the same call
/// plus a second, discarded tokenising pass to report the fingerprint, which doubled its cost.
fn libinjection_sqli(v: &[u8]) -> bool {
    let mut state = libinjectionrs::SqliState::new(v, libinjectionrs::SqliFlags::FLAG_NONE);
    state.detect() && !statement_word_in_prose(&state, v)
}

/// A verdict whose fingerprint starts with a statement keyword and a parenthesis (`E(`: "Set (", "Update (",
/// "Select (") and whose fingerprinted tokens hold only words, numbers, parentheses and commas: "Set (of 4) wine
/// glasses – dishwasher safe; 350 ml each", "Select (one) option; then continue". The punctuation that let the
/// value reach libinjection lies beyond what libinjection read. A query of that shape with a function or a
/// CASE in it (`select(sleep(5))`, `SELECT (CASE WHEN …`) is what the keyword rules (942160, 942190, 942230)
/// look for; one that compares, computes or quotes inside the fingerprint keeps its verdict.
fn statement_word_in_prose(state: &libinjectionrs::SqliState<'_>, v: &[u8]) -> bool {
    if !state.fingerprint.starts_with(b"E(") {
        return false;
    }
    let n = state.fingerprint.iter().position(|&b| b == 0).unwrap_or(8);
    let (Some(first), Some(last)) = (state.tokens.first(), state.tokens.get(n.saturating_sub(1))) else {
        return false;
    };
    let end = (last.pos + last.len).min(v.len());
    v.get(first.pos..end)
        .is_some_and(|span| !span.iter().any(|b| b"'\"`;=<>|&@#*/+-%!^~\\:$?[]{}".contains(b)))
}

/// A quote, comment (`--`, `#`, a closed `/* */`), statement end, comparison or concatenation operator, or
/// variable sigil. libinjection reads words and parentheses alone as SQL ("benchmark (2024) laptops", "set (of 4)
/// wine glasses", "sum(revenue) by region", "European Union Select Committee"), which search boxes send all day;
/// injections of that shape (`1 union select 1,2`) are what the keyword rules (942190 …) look for.
fn has_sql_punctuation(v: &[u8]) -> bool {
    // Most values hold none of these bytes: one table load per byte, and the `match` only at a candidate.
    v.iter().enumerate().any(|(i, &b)| {
        SQL_PUNCTUATION[usize::from(b)]
            && match b {
                b'-' => v.get(i + 1) == Some(&b'-'),
                // A closed comment (`un/**/ion`); an open `/*` at the end is a path glob (`src/vendor/*`).
                b'/' => v.get(i + 1) == Some(&b'*') && memchr::memmem::find(&v[i + 2..], b"*/").is_some(),
                _ => true,
            }
    })
}

/// The bytes [`has_sql_punctuation`] looks at: its punctuation, and `-` and `/`, which start `--` and `/*`.
static SQL_PUNCTUATION: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"'\"`;=<>|&@#\\-/";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// One overlapping scan of the list's gate per distinct transformed value (case-insensitively equal values
/// share it); returns the open bits of every group's gated sets.
fn gate_scan(list: &GroupList, values: &[&[u8]]) -> u64 {
    if list.gate.is_none() {
        return 0;
    }
    let mut open = 0u64;
    let mut done = 0u64;
    for (i, v) in values.iter().enumerate() {
        if done & (3 << (2 * i)) != 0 {
            continue;
        }
        let mut mask = 0u64;
        for (j, w) in values.iter().enumerate().skip(i) {
            // Steps that change nothing hand on the value they got: the same slice, compared without a byte loop.
            if j == i || (done & (3 << (2 * j)) == 0 && (std::ptr::eq(*w, *v) || w.eq_ignore_ascii_case(v))) {
                mask |= 3 << (2 * j);
            }
        }
        done |= mask;
        open |= list.gate_open(v, mask);
    }
    open
}

fn headers_named<'a>(req: &RequestView<'a>, n: &'static str) -> impl Iterator<Item = &'a [u8]> + 'a {
    req.headers
        .iter()
        .filter(move |(h, _)| h.eq_ignore_ascii_case(n))
        .map(|(_, v)| *v)
}

fn check(req: &RequestView<'_>, c: Check) -> Option<String> {
    let all = |n: &'static str| headers_named(req, n);
    match c {
        Check::ClAndTe => {
            let cl = all("content-length").next()?;
            let te = all("transfer-encoding").next()?;
            Some(format!(
                "content-length: {} + transfer-encoding: {}",
                String::from_utf8_lossy(cl),
                String::from_utf8_lossy(te)
            ))
        }
        Check::InvalidTransferEncoding => {
            let tes: Vec<&[u8]> = all("transfer-encoding").collect();
            let bad = tes.len() > 1
                || tes.iter().any(|te| {
                    let lower = te.to_ascii_lowercase();
                    let last = lower.rsplit(|&b| b == b',').next().unwrap_or(b"").trim_ascii();
                    last != b"chunked"
                        || !lower
                            .iter()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b',' | b' ' | b'-'))
                });
            bad.then(|| {
                tes.iter()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
        }
        Check::InvalidContentLength => {
            let cls: Vec<&[u8]> = all("content-length").collect();
            let bad = cls.iter().any(|v| v.is_empty() || !v.iter().all(u8::is_ascii_digit))
                || cls.windows(2).any(|w| w[0] != w[1]);
            bad.then(|| {
                cls.iter()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
        }
        // One pass over the headers each: every request runs these.
        Check::ConflictingSingletonHeaders => {
            let (mut content_type, mut host): (Option<&[u8]>, Option<&[u8]>) = (None, None);
            for &(n, v) in req.headers {
                let (name, first) = if n.eq_ignore_ascii_case("content-type") {
                    ("content-type", &mut content_type)
                } else if n.eq_ignore_ascii_case("host") {
                    ("host", &mut host)
                } else {
                    continue;
                };
                match *first {
                    None => *first = Some(v),
                    Some(f) if !f.trim_ascii().eq_ignore_ascii_case(v.trim_ascii()) => {
                        return Some(format!(
                            "{name}: {} | {}",
                            String::from_utf8_lossy(f),
                            String::from_utf8_lossy(v)
                        ))
                    }
                    Some(_) => {}
                }
            }
            None
        }
        Check::BodyOnGetOrHead => {
            if !(req.method.eq_ignore_ascii_case("GET") || req.method.eq_ignore_ascii_case("HEAD")) {
                return None;
            }
            req.headers.iter().find_map(|&(n, v)| {
                let announces = (n.eq_ignore_ascii_case("content-length") && v.iter().any(|&b| b != b'0'))
                    || n.eq_ignore_ascii_case("transfer-encoding");
                announces.then(|| format!("{} with {n}: {}", req.method, String::from_utf8_lossy(v)))
            })
        }
        Check::TooManyQueryArgs => {
            let q = req.uri.split_once('?')?.1;
            let n = memchr::memchr_iter(b'&', q.as_bytes()).count();
            (n >= 255).then(|| format!("{} arguments in the query string", n + 1))
        }
        // Needs the argument names: evaluated after the field scan (see `Engine::evaluate`).
        Check::SessionFixation => None,
        Check::MultipartWithoutBoundary => {
            let ct = target::header(req, "content-type")?;
            let lower = ct.to_ascii_lowercase();
            (lower.trim_ascii_start().starts_with(b"multipart/") && crate::body::multipart_boundary(ct).is_none())
                .then(|| String::from_utf8_lossy(ct).into_owned())
        }
    }
}

/// The frameworks' session-id parameter names of [`is_session_param`] (the generic ones are
/// [`GENERIC_SESSION_NAMES`]).
const SESSION_NAMES: [&str; 27] = [
    "jsessionid",
    "phpsessid",
    "phpsession",
    "asp.net_sessionid",
    "weblogicsession",
    "jservsession",
    "jwsession",
    "cfid",
    "cftoken",
    "cfsid",
    "cakephp",
    "ci_session",
    "laravel_session",
    "zend_session_id",
    "connect.sid",
    "sails.sid",
    "koa.sess",
    "koa:sess",
    "rack.session",
    "_rails_session",
    "play_session",
    "_flask_session",
    "shiny-token",
    "meteor_login_token",
    "next-auth.session-token",
    "__secure-next-auth.session-token",
    "__host-next-auth.session-token",
];

/// Parameter names that are the session id of a framework people deploy (PHP, Java EE, ASP/ASP.NET,
/// ColdFusion, WebLogic, Express/Connect, Koa, Sails, Meteor, Next-Auth, Laravel, CodeIgniter, CakePHP, Zend,
/// Rails/Rack, Flask, Play, Shiny), compared whole and in any case. Names that merely contain "session"
/// (`session_state` of OpenID Connect callbacks, `user_session`, a conference's `session=3`) are not. Generic
/// names (`sessionId`, `session_id`) count too.
fn is_session_param(name: &[u8]) -> bool {
    // Every argument name of every request comes here: most leave at the first byte.
    let Some(first) = name.first().map(u8::to_ascii_lowercase) else {
        return false;
    };
    if !b"_acjklmnprswz".contains(&first) {
        return false;
    }
    // Classic ASP appends eight letters to its name: ASPSESSIONIDQQGGQGPG.
    let asp = name.len() >= 12 && name[..12].eq_ignore_ascii_case(b"aspsessionid");
    asp || SESSION_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n.as_bytes())) || is_generic_session_name(name)
}

/// Session-id names that no framework owns: apps use them for their own sessions too (see
/// `Scan::generic_session_names`).
const GENERIC_SESSION_NAMES: [&str; 4] = ["sessionid", "session_id", "session-id", "_session_id"];

fn is_generic_session_name(name: &[u8]) -> bool {
    GENERIC_SESSION_NAMES
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

/// The session-fixation finding for a request that carries session-id parameter `param`: a missing Referer
/// or one naming another host.
fn session_fixation(req: &RequestView<'_>, param: &str) -> Option<String> {
    let host = target::header(req, "host").map(|h| h.split(|&b| b == b':').next().unwrap_or(h).to_ascii_lowercase());
    match target::header(req, "referer") {
        None => Some(format!("{param} without Referer")),
        Some(r) => {
            let r = r.to_ascii_lowercase();
            let after = memchr::memmem::find(&r, b"//").map_or(&r[..], |p| &r[p + 2..]);
            let rhost = after
                .split(|&b| b == b'/' || b == b':' || b == b'?')
                .next()
                .unwrap_or(b"");
            (host.as_deref() != Some(rhost))
                .then(|| format!("{param} with off-site Referer {}", String::from_utf8_lossy(&r)))
        }
    }
}

impl Engine {
    /// Loads and compiles every `*.toml` file in `dir` (sorted by name).
    pub fn load_dir(dir: &Path) -> Result<Engine, Vec<RuleError>> {
        let texts = Self::read_dir(dir)?;
        Engine::from_sources(texts.iter().map(|(f, t)| (f.as_path(), t.as_str())))
    }

    /// The name and text of every `*.toml` file in `dir`, sorted by name.
    fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>, Vec<RuleError>> {
        let io_err = |file: &Path, e: std::io::Error| RuleError {
            file: file.to_path_buf(),
            line: 0,
            message: e.to_string(),
        };
        let entries = std::fs::read_dir(dir).map_err(|e| vec![io_err(dir, e)])?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        files.sort();
        let mut texts = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            match std::fs::read_to_string(&f) {
                Ok(t) => texts.push((f, t)),
                Err(e) => errors.push(io_err(&f, e)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(texts)
    }

    /// Compiles rule files given as (name, text) pairs.
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = (&'a Path, &'a str)>) -> Result<Engine, Vec<RuleError>> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in sources {
            match rule_file::parse(file, text) {
                Ok(r) => rules.extend(r),
                Err(e) => errors.push(e),
            }
        }
        match compile::compile(rules) {
            Ok(c) if errors.is_empty() => Ok(Engine {
                c,
                clean: CleanCache::default(),
            }),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    /// One line per inspected target: how many transform chains it goes through, whether plain values can skip
    /// it, and the size of its gates (for tuning rule files; see [`crate::prefilter`]).
    pub fn describe(&self) -> Vec<String> {
        let line = |what: String, l: &GroupList| {
            let ungated: Vec<u32> = l
                .groups
                .iter()
                .flat_map(|g| g.any[1].iter().chain(g.special[1].iter()))
                .flat_map(|s| s.rules.iter().map(|(i, _)| self.c.rules[*i].id))
                .collect();
            let size =
                |a: &Option<crate::gate::Gate>| a.as_ref().map_or((0, 0), |a| (a.len(), a.memory_usage() / 1024));
            let (gate, gate_kib) = size(&l.gate);
            let (plain, plain_kib) = size(&l.plain_gate);
            format!(
                "{what}: {} chains, plain values skip: {}, ungated rules: {ungated:?}, gate: {gate} literals \
                 ({gate_kib} KiB), plain gate: {plain} literals ({plain_kib} KiB)",
                l.groups.len(),
                !l.plain_always
            )
        };
        let mut out: Vec<String> = self
            .c
            .main
            .by_kind
            .iter()
            .map(|(k, l)| line(format!("{k:?}"), l))
            .collect();
        let mut named: Vec<String> = self
            .c
            .main
            .by_header
            .iter()
            .map(|(h, l)| line(format!("header {}", String::from_utf8_lossy(h)), l))
            .collect();
        named.sort();
        out.extend(named);
        out
    }

    /// Number of rules loaded.
    pub fn rule_count(&self) -> usize {
        self.c.rules.len()
    }

    /// Inspects one request.
    pub fn evaluate(&self, req: &RequestView<'_>, site: &SitePolicy, rate: &RateLimiter) -> Verdict {
        let path = req.uri.split('?').next().unwrap_or("");
        let active = site
            .exclusions
            .iter()
            .filter(|e| e.applies(path, req.client_ip))
            .collect();
        let mut scan = Scan::new(self, site, active);
        if self.allowlisted(req, &mut scan) {
            return scan.verdict;
        }
        for (idx, nets) in &self.c.ip_rules {
            if nets.iter().any(|n| n.contains(&req.client_ip)) {
                scan.record(*idx, TargetKind::Method, b"", req.client_ip.to_string().as_bytes());
            }
        }
        if !req.body_only {
            for &(idx, c) in &self.c.checks {
                if self.c.rules[idx].paranoia <= site.paranoia {
                    if let Some(v) = check(req, c) {
                        scan.record(idx, TargetKind::HeaderValue, b"", v.as_bytes());
                    }
                }
            }
            self.rate_limits(req, path, rate, &mut scan);
        }
        let session_check = self
            .c
            .checks
            .iter()
            .find(|(idx, c)| *c == Check::SessionFixation && self.c.rules[*idx].paranoia <= site.paranoia)
            .map(|(idx, _)| *idx);
        scan.watch_session = session_check.is_some();
        target::for_each_head_field(req, &mut |f| scan.field(&self.c.main, &f));
        scan.in_body = true;
        scan.generic_session_names = matches!(
            crate::body::kind_of(target::header(req, "content-type").unwrap_or(b"")),
            crate::BodyKind::UrlEncoded | crate::BodyKind::Multipart
        );
        let body_resume =
            target::for_each_body_field(req, site.inspect_body_limit, &mut |f| scan.field(&self.c.main, &f));
        if let (Some(idx), Some(param), false) = (session_check, scan.session_param.take(), req.body_only) {
            if let Some(v) = session_fixation(req, &param) {
                scan.record(idx, TargetKind::ArgName, param.as_bytes(), v.as_bytes());
            }
        }
        let mut v = scan.verdict;
        v.attack = scan.deny || v.score >= site.threshold;
        v.body_resume = body_resume;
        v
    }

    fn allowlisted(&self, req: &RequestView<'_>, scan: &mut Scan<'_, '_>) -> bool {
        for (idx, nets) in &self.c.ip_rules {
            let r = &self.c.rules[*idx];
            if r.action == Action::Allow && nets.iter().any(|n| n.contains(&req.client_ip)) {
                scan.record(*idx, TargetKind::Method, b"", req.client_ip.to_string().as_bytes());
                return scan.verdict.allowlisted;
            }
        }
        if self.c.allow.is_empty() {
            return false;
        }
        // URL allowlists look only at the request line and headers, never the body; usually only at the
        // request line, which needs no argument, header or cookie splitting.
        let allow = &self.c.allow;
        let line_only = allow.by_header.is_empty()
            && allow.by_arg.is_empty()
            && allow.by_kind.iter().all(|(k, _)| {
                matches!(
                    k,
                    TargetKind::Method | TargetKind::Uri | TargetKind::Path | TargetKind::Query
                )
            });
        if line_only {
            if !req.body_only {
                target::for_each_line_field(req, &mut |f| scan.field(allow, &f));
            }
        } else {
            let head = RequestView {
                body: &[],
                ..req.clone()
            };
            target::for_each_field(&head, 0, &mut |f| scan.field(allow, &f));
        }
        scan.verdict.allowlisted
    }

    fn rate_limits(&self, req: &RequestView<'_>, path: &str, rate: &RateLimiter, scan: &mut Scan<'_, '_>) {
        if self.c.rate_rules.is_empty() {
            return;
        }
        let now = Instant::now();
        for (idx, def) in &self.c.rate_rules {
            let r = &self.c.rules[*idx];
            if r.paranoia > scan.site.paranoia {
                continue;
            }
            let n = rate.hit(r.id, req.client_ip, path.as_bytes(), def.window, now);
            if n > def.requests {
                let msg = format!(
                    "{n} requests to {path} within {:?} (limit {})",
                    def.window, def.requests
                );
                scan.record(*idx, TargetKind::Uri, b"", msg.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod soundness;

#[cfg(test)]
mod tests {
    use super::{has_sql_punctuation, is_session_param, GENERIC_SESSION_NAMES, SESSION_NAMES};
    use proptest::prelude::*;

    proptest! {
        /// The table-driven scan against the rule it implements, one byte at a time.
        #[test]
        fn sql_punctuation_as_specified(v in proptest::collection::vec(
            prop_oneof![Just(b'-'), Just(b'/'), Just(b'*'), Just(b'a'), Just(b' '), Just(b'@'), Just(b'\''),
                        Just(b'#'), Just(b'\\'), Just(b'='), any::<u8>()], 0..12)) {
            let want = (0..v.len()).any(|i| match v[i] {
                b'\'' | b'"' | b'`' | b';' | b'=' | b'<' | b'>' | b'|' | b'&' | b'@' | b'#' | b'\\' => true,
                b'-' => v.get(i + 1) == Some(&b'-'),
                b'/' => v.get(i + 1) == Some(&b'*') && v[i + 2..].windows(2).any(|w| w == b"*/"),
                _ => false,
            });
            prop_assert_eq!(has_sql_punctuation(&v), want);
        }
    }

    #[test]
    fn session_param_names() {
        for n in SESSION_NAMES.iter().chain(&GENERIC_SESSION_NAMES) {
            assert!(is_session_param(n.as_bytes()), "{n}");
        }
        for n in [
            "PHPSESSID",
            "jsessionid",
            "ASP.NET_SessionId",
            "ASPSESSIONIDQQGGQGPG",
            "aspsessionid",
            "connect.sid",
            "_session_id",
            "sessionId",
            "laravel_session",
            "next-auth.session-token",
            "__Secure-next-auth.session-token",
            "CAKEPHP",
            "cfid",
            "CFTOKEN",
            "ci_session",
        ] {
            assert!(is_session_param(n.as_bytes()), "{n}");
        }
        for n in [
            "session_state",
            "user_session",
            "session",
            "sid",
            "id",
            "consider",
            "cfid2",
            "sessions",
        ] {
            assert!(!is_session_param(n.as_bytes()), "{n}");
        }
    }
}
