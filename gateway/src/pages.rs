//! Pages the gateway answers itself: the block page of `block` mode and error pages (404, 413, 421, 502–504),
//! built in or replaced per site by a file. The same page is used whichever pool a request went to, so an error
//! never tells an attacker which site answered.

use std::path::Path;

use bytes::Bytes;

use crate::site::ErrorPagesSection;

const BLOCK_PAGE: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>403 Forbidden</title></head>\n\
<body><h1>403 Forbidden</h1><p>Your request was blocked by the web application firewall.</p>\n\
<p>Client: {client_ip}<br>Rule: {rule_id}<br>Request id: {request_id}</p></body></html>\n";

/// Built-in error page for `status`.
pub fn builtin(status: u16) -> Bytes {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    Bytes::from(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}</title></head>\n\
         <body><h1>{status} {reason}</h1></body></html>\n"
    ))
}

#[derive(Debug, Clone)]
pub struct Pages {
    block_template: String,
    overrides: Vec<(u16, Bytes)>,
}

impl Default for Pages {
    fn default() -> Self {
        Pages {
            block_template: BLOCK_PAGE.to_string(),
            overrides: Vec::new(),
        }
    }
}

impl Pages {
    /// Reads the site's page files (paths relative to the site file's directory).
    pub fn load(base: &Path, block_page: Option<&Path>, errors: &ErrorPagesSection) -> Result<Pages, String> {
        let read = |p: &Path| {
            let full = crate::config::resolve(base, p);
            std::fs::read(&full).map_err(|e| format!("cannot read page {}: {e}", full.display()))
        };
        let block_template = match block_page {
            Some(p) => String::from_utf8_lossy(&read(p)?).into_owned(),
            None => BLOCK_PAGE.to_string(),
        };
        let mut overrides = Vec::new();
        for (code, p) in [
            (404, &errors.not_found),
            (413, &errors.too_large),
            (502, &errors.bad_gateway),
            (503, &errors.unavailable),
            (504, &errors.timeout),
        ] {
            if let Some(p) = p {
                overrides.push((code, Bytes::from(read(p)?)));
            }
        }
        Ok(Pages {
            block_template,
            overrides,
        })
    }

    /// The page for an error status: the site's file if it has one, else the built-in page.
    pub fn error(&self, status: u16) -> Bytes {
        self.overrides
            .iter()
            .find(|(c, _)| *c == status)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| builtin(status))
    }

    /// The block page with its placeholders filled in (values HTML-escaped).
    pub fn block(&self, client_ip: &str, rule_id: &str, request_id: &str) -> Bytes {
        Bytes::from(
            self.block_template
                .replace("{client_ip}", &escape(client_ip))
                .replace("{rule_id}", &escape(rule_id))
                .replace("{request_id}", &escape(request_id)),
        )
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_page_fills_and_escapes() {
        let p = Pages::default();
        let b = p.block("1.2.3.4", "942100<x>", "abc");
        let s = std::str::from_utf8(&b).unwrap();
        assert!(s.contains("1.2.3.4") && s.contains("942100&lt;x&gt;") && s.contains("abc"));
        assert!(std::str::from_utf8(&p.error(502)).unwrap().contains("502 Bad Gateway"));
    }
}
