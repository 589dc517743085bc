//! Per-request state carried between the proxy phases.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use crate::pool::PoolKind;
use crate::site::Site;
use crate::state::Snapshot;

/// What the gateway did with a request, as logged and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Clean request to the real site.
    Pass,
    /// An attack in `detect` mode: logged, passed.
    Detect,
    Block,
    Redirect,
    /// An attack in `deceive` mode: client marked and sent to the clone.
    Deceive,
    /// A client already in the bad-guy table, sent to the clone.
    BadGuy,
    /// Matched an allowlist.
    Allow,
    /// Refused by the gateway for a protocol reason (unknown host, body too large).
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pass => "pass",
            Action::Detect => "detect",
            Action::Block => "block",
            Action::Redirect => "redirect",
            Action::Deceive => "deceive",
            Action::BadGuy => "badguy",
            Action::Allow => "allow",
            Action::Reject => "reject",
        }
    }
}

pub struct Ctx {
    pub snapshot: Arc<Snapshot>,
    pub site: Option<Arc<Site>>,
    pub client_ip: Option<IpAddr>,
    pub host: String,
    pub request_id: String,
    pub start: Instant,
    pub pool: PoolKind,
    pub action: Action,
    pub rule_ids: Vec<u32>,
    pub score: u32,
    /// Backends already tried for this request (connect retries go to the next one).
    pub tried: Vec<SocketAddr>,
    pub upstream: Option<SocketAddr>,
    /// Body bytes seen by the body filter (for `max_body_size` on streamed bodies).
    pub body_seen: u64,
    /// Body collected for the late inspection pass, when the early read did not see all of it: the bytes from
    /// `late_from` on (up to the inspection limit).
    pub late_body: Option<Vec<u8>>,
    /// Where the late pass resumes in the body (the early verdict's `waf::Verdict::body_resume`).
    pub late_from: usize,
    /// While the late pass looks for the delimiter line after a file's content (which is not kept).
    pub late_skip: Option<waf::DelimiterSkip>,
    /// The early verdict's resume point, to start the late pass again when a retry replays the body.
    pub late_resume: Option<waf::BodyResume>,
    /// The request was ended by the gateway (late block); its error is not a proxy failure.
    pub ended_on_purpose: bool,
    /// Status the gateway answered with itself, when it did.
    pub own_status: Option<u16>,
}

impl Ctx {
    pub fn new(snapshot: Arc<Snapshot>) -> Ctx {
        Ctx {
            snapshot,
            site: None,
            client_ip: None,
            host: String::new(),
            request_id: new_request_id(),
            start: Instant::now(),
            pool: PoolKind::Real,
            action: Action::Pass,
            rule_ids: Vec::new(),
            score: 0,
            tried: Vec::new(),
            upstream: None,
            body_seen: 0,
            late_body: None,
            late_from: 0,
            late_skip: None,
            late_resume: None,
            ended_on_purpose: false,
            own_status: None,
        }
    }

    /// Sets up the late pass at `resume`, with room for `expected` bytes unless it starts by skipping a file's
    /// content (then what it keeps is usually small, and the file may be large).
    pub fn start_late_pass(&mut self, resume: &waf::BodyResume, expected: usize) {
        self.late_from = resume.offset;
        self.late_skip = resume.skip_to.as_ref().map(waf::DelimiterSkip::new);
        let capacity = if self.late_skip.is_some() { 0 } else { expected };
        self.late_body = Some(Vec::with_capacity(capacity));
        self.late_resume = Some(resume.clone());
    }
}

/// 128 random bits as 32 hex characters.
fn new_request_id() -> String {
    hex::encode(rand::random::<u128>().to_be_bytes())
}
