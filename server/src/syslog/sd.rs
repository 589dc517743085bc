//! RFC 5424 structured data, read only for what the server needs: the `jhsy` element an agent or sandbox adds to
//! say which mode its host runs in (`[jhsy@0 mode="honeypot"]`, README "Honeypot tag").

use serde::Serialize;

/// The mode the sending host declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HostMode {
    /// No tag, or a mode that is not a trap (`unreal`, `back`, `firewall`).
    #[default]
    Normal,
    /// The host is a honeypot: anyone touching it is hostile.
    Honeypot,
    /// The message comes from the sandbox attackers are redirected to.
    Sandbox,
}

/// Splits `SD MSG` (after MSGID) into the jhsy mode and the message.
pub fn split_structured_data(s: &str) -> (Option<HostMode>, &str) {
    if let Some(rest) = s.strip_prefix("- ") {
        return (None, rest);
    }
    if s == "-" {
        return (None, "");
    }
    let mut mode = None;
    let mut rest = s;
    while rest.starts_with('[') {
        match element(rest) {
            Some((m, after)) => {
                mode = mode.or(m);
                rest = after;
            }
            None => return (mode, rest),
        }
    }
    (mode, rest.strip_prefix(' ').unwrap_or(rest))
}

/// For RFC 3164 and bare lines the agent puts the same element first in the message.
pub fn strip_leading_jhsy(msg: &str) -> (Option<HostMode>, &str) {
    if !msg.starts_with("[jhsy") {
        return (None, msg);
    }
    match element(msg) {
        Some((m, after)) => (m, after.strip_prefix(' ').unwrap_or(after)),
        None => (None, msg),
    }
}

/// Parses one `[ID k="v" ...]` element at the start of `s`; returns the jhsy mode (if this element is jhsy)
/// and the text after `]`. None when the element is malformed.
fn element(s: &str) -> Option<(Option<HostMode>, &str)> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && b[i] != b' ' && b[i] != b']' {
        i += 1;
    }
    let id = &s[1..i];
    let is_jhsy = id == "jhsy"
        || id
            .strip_prefix("jhsy@")
            .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()));
    let mut mode = None;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b']' {
            return Some((mode, &s[i + 1..]));
        }
        let name_start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b']' && b[i] != b' ' {
            i += 1;
        }
        if i + 1 >= b.len() || b[i] != b'=' || b[i + 1] != b'"' {
            return None;
        }
        let name = &s[name_start..i];
        i += 2;
        let val_start = i;
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let val = &s[val_start..i];
        i += 1;
        if is_jhsy && name == "mode" {
            mode = Some(match val {
                "honeypot" => HostMode::Honeypot,
                "sandbox" => HostMode::Sandbox,
                _ => HostMode::Normal,
            });
        }
    }
}
