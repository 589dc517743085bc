//! `gateway rules import`: converts the rule files of the Lua WAFs this project replaces into our TOML rule
//! format. ngx_lua_waf keeps one regex per line in `wafconf/{url,args,post,cookie,user-agent,whiteurl}`; x-waf
//! keeps JSON lists of `{"Id", "RuleType", "RuleItem"}` in `rules/*.rule`. Both match case-insensitively on
//! URL-decoded values, so imported regexes get `(?i)` and a `url_decode` transform. A regex the linear-time
//! `regex` crate cannot compile (look-around, backreferences) is reported as `file:line: skipped: …` and left
//! out; the rest is still imported.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde::Deserialize;

use super::ImportArgs;
use crate::Engine;

/// What an imported rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Url,
    Args,
    Post,
    Cookie,
    UserAgent,
    Referer,
    WhiteUrl,
    BlackIp,
    WhiteIp,
}

impl Kind {
    fn from_name(n: &str) -> Option<Kind> {
        Some(match n.to_ascii_lowercase().as_str() {
            "url" => Kind::Url,
            "args" => Kind::Args,
            "post" => Kind::Post,
            "cookie" => Kind::Cookie,
            "user-agent" | "useragent" | "ua" => Kind::UserAgent,
            "referer" | "referrer" => Kind::Referer,
            "whiteurl" => Kind::WhiteUrl,
            "blackip" => Kind::BlackIp,
            "whiteip" => Kind::WhiteIp,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Url => "URL",
            Kind::Args => "query argument",
            Kind::Post => "POST body",
            Kind::Cookie => "cookie",
            Kind::UserAgent => "User-Agent",
            Kind::Referer => "Referer",
            Kind::WhiteUrl => "URL allowlist",
            Kind::BlackIp => "IP denylist",
            Kind::WhiteIp => "IP allowlist",
        }
    }

    fn targets(self) -> &'static str {
        match self {
            Kind::Url => r#"["uri"]"#,
            Kind::Args => r#"["args", "args_names"]"#,
            Kind::Post => r#"["args", "args_names", "body"]"#,
            Kind::Cookie => r#"["cookies", "cookie_names"]"#,
            Kind::UserAgent => r#"["header:user-agent"]"#,
            Kind::Referer => r#"["header:referer"]"#,
            Kind::WhiteUrl => r#"["path"]"#,
            Kind::BlackIp | Kind::WhiteIp => "[]",
        }
    }
}

/// One rule read from the source WAF.
#[derive(Debug)]
struct Imported {
    id: u32,
    kind: Kind,
    item: String,
    /// `file:line` it came from.
    origin: String,
}

/// ngx_lua_waf: fixed file names, one regex per line.
fn read_ngx_lua_waf(dir: &Path, out: &mut Vec<Imported>, skipped: &mut Vec<String>) -> anyhow::Result<()> {
    let files = [
        ("url", 991_000),
        ("args", 992_000),
        ("post", 993_000),
        ("cookie", 994_000),
        ("user-agent", 995_000),
        ("whiteurl", 996_000),
    ];
    let mut found = 0;
    for (name, base) in files {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        found += 1;
        let kind = Kind::from_name(name).context("internal: unknown ngx_lua_waf file")?;
        for (n, line) in text.lines().enumerate() {
            let item = line.trim();
            if item.is_empty() || item.starts_with('#') && !item.starts_with("#{") {
                continue;
            }
            let origin = format!("{}:{}", path.display(), n + 1);
            if n >= 999 {
                skipped.push(format!("{origin}: skipped: more than 999 rules in one file"));
                continue;
            }
            out.push(Imported {
                id: base + n as u32 + 1,
                kind,
                item: item.to_string(),
                origin,
            });
        }
    }
    if found == 0 {
        anyhow::bail!(
            "{}: no ngx_lua_waf rule file (url, args, post, cookie, user-agent, whiteurl)",
            dir.display()
        );
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct XWafRule {
    #[serde(rename = "Id")]
    id: u32,
    #[serde(rename = "RuleType")]
    rule_type: String,
    #[serde(rename = "RuleItem")]
    rule_item: String,
}

/// x-waf: `*.rule` files holding JSON lists.
fn read_x_waf(dir: &Path, out: &mut Vec<Imported>, skipped: &mut Vec<String>) -> anyhow::Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rule"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{}: no x-waf *.rule file", dir.display());
    }
    let mut next_free = 989_000;
    for path in files {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let rules: Vec<XWafRule> = match serde_json::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                skipped.push(format!("{}:{}: skipped file: {e}", path.display(), e.line()));
                continue;
            }
        };
        for r in rules {
            let origin = format!("{}:Id {}", path.display(), r.id);
            let Some(kind) = Kind::from_name(&r.rule_type) else {
                skipped.push(format!(
                    "{origin}: skipped: rule type {:?} has no equivalent",
                    r.rule_type
                ));
                continue;
            };
            let id = if r.id < 9_000 {
                980_000 + r.id
            } else {
                next_free += 1;
                next_free
            };
            out.push(Imported {
                id,
                kind,
                item: r.rule_item,
                origin,
            });
        }
    }
    Ok(())
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Renders one imported rule, or explains why it cannot be imported.
fn render(r: &Imported) -> Result<String, String> {
    let mut t = String::new();
    let _ = writeln!(t, "[[rule]]\nid = {}", r.id);
    let _ = writeln!(
        t,
        "msg = {}",
        toml_string(&format!("Imported {} rule ({})", r.kind.label(), r.origin))
    );
    match r.kind {
        Kind::BlackIp | Kind::WhiteIp => {
            let net = r.item.trim();
            let net = if net.contains('/') {
                net.to_string()
            } else if net.contains(':') {
                format!("{net}/128")
            } else {
                format!("{net}/32")
            };
            net.parse::<ipnet::IpNet>()
                .map_err(|e| format!("not an IP address or CIDR {net:?}: {e}"))?;
            let (action, tag) = if r.kind == Kind::BlackIp {
                ("deny", "denylist")
            } else {
                ("allow", "allowlist")
            };
            let _ = writeln!(
                t,
                "tags = [\"imported\", \"{tag}\"]\naction = \"{action}\"\ndetect = {{ ip = [{}] }}",
                toml_string(&net)
            );
        }
        _ => {
            let pattern = format!("(?i){}", r.item);
            regex::bytes::RegexBuilder::new(&pattern)
                .unicode(false)
                .size_limit(64 << 20)
                .build()
                .map_err(|e| {
                    let msg = e.to_string();
                    let first = msg.lines().last().unwrap_or(&msg).trim().to_string();
                    format!("regex not supported by the linear-time engine: {first}")
                })?;
            let action = if r.kind == Kind::WhiteUrl {
                "\naction = \"allow\""
            } else {
                ""
            };
            let _ = writeln!(
                t,
                "tags = [\"imported\"]{action}\ntargets = {}\ntransforms = [\"url_decode\"]\ndetect = {{ regex = {} }}",
                r.kind.targets(),
                toml_string(&pattern)
            );
        }
    }
    Ok(t)
}

/// Converts the rules; returns the TOML text and the messages about skipped rules.
pub fn convert(from: &str, dir: &Path) -> anyhow::Result<(String, usize, Vec<String>)> {
    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    match from {
        "ngx-lua-waf" | "ngx_lua_waf" => read_ngx_lua_waf(dir, &mut rules, &mut skipped)?,
        "x-waf" | "xwaf" => read_x_waf(dir, &mut rules, &mut skipped)?,
        other => anyhow::bail!("unknown source format {other:?}: use x-waf or ngx-lua-waf"),
    }
    let mut text = format!(
        "# Imported from {from} rules in {} by `gateway rules import`.\n",
        dir.display()
    );
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    for r in &rules {
        if !seen.insert(r.id) {
            skipped.push(format!("{}: skipped: duplicate id {}", r.origin, r.id));
            continue;
        }
        match render(r) {
            Ok(t) => {
                text.push('\n');
                text.push_str(&t);
                count += 1;
            }
            Err(e) => skipped.push(format!("{}: skipped: {e}", r.origin)),
        }
    }
    Ok((text, count, skipped))
}

/// Runs `gateway rules import`.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (text, count, skipped) = convert(&args.from, &args.dir)?;
    for s in &skipped {
        eprintln!("{s}");
    }
    // The output must load: check it the way the gateway will.
    if let Err(errs) = Engine::from_sources([(args.out.as_path(), text.as_str())]) {
        for e in errs {
            eprintln!("{e}");
        }
        anyhow::bail!("the converted rules do not load; nothing written");
    }
    std::fs::write(&args.out, &text).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "imported {count} rules into {} ({} skipped)",
        args.out.display(),
        skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_waf_and_ngx_lua_waf() {
        let dir = std::env::temp_dir().join(format!("waf-import-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("args.rule"),
            r#"[{"Id":4,"RuleType":"args","RuleItem":"\\.\\./"},{"Id":8,"RuleType":"args","RuleItem":"(?:(union(.*?)select))"},{"Id":9,"RuleType":"args","RuleItem":"(?=x)lookahead"}]"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("blackip.rule"),
            r#"[{"Id":2,"RuleType":"blackip","RuleItem":"203.0.113.9"}]"#,
        )
        .unwrap();
        let (text, count, skipped) = convert("x-waf", &dir).unwrap();
        assert_eq!(count, 3, "{text}");
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(skipped[0].contains("Id 9"), "{skipped:?}");
        let engine = Engine::from_sources([(Path::new("imported.toml"), text.as_str())]).unwrap();
        assert_eq!(engine.rule_count(), 3);

        std::fs::write(dir.join("args"), "select.+(from|limit)\n\n(?<=a)b\n").unwrap();
        std::fs::write(dir.join("whiteurl"), "^/health$\n").unwrap();
        let (text, count, skipped) = convert("ngx-lua-waf", &dir).unwrap();
        assert_eq!(count, 2, "{text}");
        assert!(skipped[0].contains("args:3"), "{skipped:?}");
        assert!(text.contains("action = \"allow\""));
        Engine::from_sources([(Path::new("imported.toml"), text.as_str())]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_format() {
        assert!(convert("modsecurity", Path::new("/nonexistent")).is_err());
    }
}
