//! Compiling rule files into a [`RuleSet`]: regexes checked and grouped per detector into one `RegexSet`, program
//! names indexed, scenarios resolved.

use super::model::{Action, FileModel, SessionKey};
use super::{line_of, RuleError};
use regex::{Regex, RegexSet};
use std::collections::HashMap;
use std::time::Duration;

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub kind: String,
    pub regex: Regex,
    pub action: Action,
    pub session: SessionKey,
    pub honeypot_only: bool,
}

/// One compiled rule file.
#[derive(Debug)]
pub struct Detector {
    pub name: String,
    pub service: String,
    pub programs: Vec<String>,
    pub aliases: Vec<String>,
    pub set: RegexSet,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub services: Vec<String>,
    pub kinds: Vec<String>,
    pub capacity: u32,
    pub leak: Duration,
    pub distinct: Option<String>,
    pub ttl: Duration,
    pub blackhole: Duration,
}

impl Scenario {
    pub fn accepts(&self, service: &str, kind: &str) -> bool {
        self.services.iter().any(|s| s == service) && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
    }
}

/// Everything loaded from the rules directory; immutable, swapped whole on reload.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub detectors: Vec<Detector>,
    pub scenarios: Vec<Scenario>,
    /// Lower-cased program name → detectors.
    pub(super) programs: HashMap<String, Vec<usize>>,
    pub files: usize,
}

pub fn compile(sources: &[(String, String)]) -> Result<RuleSet, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut set = RuleSet {
        files: sources.len(),
        ..RuleSet::default()
    };
    let mut names: HashMap<String, String> = HashMap::new();
    for (file, text) in sources {
        let err = |line: usize, message: String| RuleError {
            file: file.clone(),
            line,
            message,
        };
        let model: FileModel = match toml::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
                errors.push(err(line, e.message().to_string()));
                continue;
            }
        };
        if let Some(other) = names.insert(model.name.clone(), file.clone()) {
            errors.push(err(
                1,
                format!("detector name {:?} is also used by {other}", model.name),
            ));
        }
        let mut rules = Vec::new();
        let mut patterns = Vec::new();
        for r in model.rules {
            let line = line_of(text, r.regex.span().start);
            let regex = match Regex::new(r.regex.get_ref()) {
                Ok(re) => re,
                Err(e) => {
                    errors.push(err(line, format!("rule {}: bad regex: {e}", r.id.get_ref())));
                    continue;
                }
            };
            let has = |n: &str| regex.capture_names().flatten().any(|c| c == n);
            if r.session == SessionKey::Capture && !has("sid") {
                errors.push(err(
                    line,
                    format!(
                        "rule {}: session = \"capture\" needs a (?P<sid>…) group",
                        r.id.get_ref()
                    ),
                ));
            }
            if r.action == Action::Event && !has("src_ip") && r.session == SessionKey::Pid && model.programs.is_empty()
            {
                errors.push(err(
                    line,
                    format!(
                        "rule {}: no src_ip capture and no session to take it from",
                        r.id.get_ref()
                    ),
                ));
            }
            if r.kind.is_empty() {
                errors.push(err(
                    line_of(text, r.id.span().start),
                    format!("rule {}: empty kind", r.id.get_ref()),
                ));
            }
            patterns.push(r.regex.get_ref().clone());
            rules.push(Rule {
                id: r.id.into_inner(),
                kind: r.kind,
                regex,
                action: r.action,
                session: r.session,
                honeypot_only: r.honeypot_only,
            });
        }
        for s in model.scenarios {
            let line = line_of(text, s.id.span().start);
            if s.leak.is_zero() {
                errors.push(err(line, format!("scenario {}: leak must be > 0", s.id.get_ref())));
            }
            if s.distinct.as_deref().is_some_and(str::is_empty) {
                errors.push(err(
                    line,
                    format!("scenario {}: distinct names a capture", s.id.get_ref()),
                ));
            }
            set.scenarios.push(Scenario {
                id: s.id.into_inner(),
                services: if s.services.is_empty() {
                    vec![model.service.clone()]
                } else {
                    s.services
                },
                kinds: s.kinds,
                capacity: s.capacity,
                leak: s.leak,
                distinct: s.distinct,
                blackhole: s.blackhole.unwrap_or(s.ttl),
                ttl: s.ttl,
            });
        }
        let regex_set = match RegexSet::new(&patterns) {
            Ok(s) => s,
            Err(e) => {
                errors.push(err(1, format!("rules do not compile together: {e}")));
                continue;
            }
        };
        let idx = set.detectors.len();
        for p in &model.programs {
            set.programs.entry(p.to_ascii_lowercase()).or_default().push(idx);
        }
        set.detectors.push(Detector {
            name: model.name,
            service: model.service,
            programs: model.programs,
            aliases: model.aliases,
            set: regex_set,
            rules,
        });
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}
