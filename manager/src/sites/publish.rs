//! Rendering a site through `site-templates/site.toml.j2` and publishing it into the gateways' `sites_dir`:
//! render → parse as TOML → optional `gateway check` in a scratch directory → temp file + rename, so a gateway
//! watching the directory never sees a half-written or unchecked file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use minijinja::{context, Environment, Error, ErrorKind, Value};

use super::SiteSpec;

/// The template shipped in `site-templates/`, compiled in so a bare binary works.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../../site-templates/site.toml.j2");

#[derive(Debug, Clone)]
pub struct Publisher {
    pub sites_dir: PathBuf,
    template: String,
    gateway_bin: Option<PathBuf>,
}

/// Writes any value as a TOML literal. JSON string and array syntax is valid TOML for strings and lists.
fn toml_filter(v: Value) -> Result<Value, Error> {
    let json = serde_json::to_string(&v).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(Value::from_safe_string(json))
}

impl Publisher {
    /// Loads `site.toml.j2` from `templates_dir` when given, else uses the built-in one.
    pub fn new(sites_dir: PathBuf, templates_dir: Option<&Path>, gateway_bin: Option<PathBuf>) -> anyhow::Result<Self> {
        let template = match templates_dir {
            Some(dir) => {
                let p = dir.join("site.toml.j2");
                std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
            }
            None => BUILTIN_TEMPLATE.to_string(),
        };
        let me = Publisher {
            sites_dir,
            template,
            gateway_bin,
        };
        // Fail at startup, not at the first site, when the template itself is broken.
        me.env().map_err(|e| anyhow::anyhow!("site.toml.j2: {e}"))?;
        Ok(me)
    }

    fn env(&self) -> Result<Environment<'_>, Error> {
        let mut env = Environment::new();
        env.add_filter("toml", toml_filter);
        env.add_template("site.toml.j2", &self.template)?;
        Ok(env)
    }

    pub fn render(&self, site: &SiteSpec) -> Result<String, String> {
        let env = self.env().map_err(|e| format!("site template: {e}"))?;
        let tpl = env
            .get_template("site.toml.j2")
            .map_err(|e| format!("site template: {e}"))?;
        let mut out = tpl
            .render(context! { site => site })
            .map_err(|e| format!("rendering site template: {e}"))?;
        out.push('\n');
        // The template is user-editable: make sure it produced TOML that names the right site.
        let parsed: toml::Table = toml::from_str(&out).map_err(|e| format!("rendered site is not valid TOML: {e}"))?;
        if parsed.get("name").and_then(|v| v.as_str()) != Some(site.name.as_str()) {
            return Err("rendered site does not carry the site's name (check site.toml.j2)".into());
        }
        // A template written before TLS existed would silently publish the site without it.
        if site.tls && !parsed.get("tls").is_some_and(|t| t.is_table()) {
            return Err("TLS is on but the rendered site has no [tls] table (update site.toml.j2)".into());
        }
        Ok(out)
    }

    /// Runs `gateway check` on the rendered file in a scratch directory when a gateway binary is configured.
    /// Files the site names relative to its directory (`block_page`, TLS certificate and key) are copied from
    /// `sites_dir` so the check sees what the gateway will; absolute certificate paths are read where they are,
    /// so they must exist on the manager's host too when `gateway_bin` is set.
    pub fn gateway_check(&self, site: &SiteSpec, rendered: &str) -> Result<(), String> {
        let name = site.name.as_str();
        let Some(bin) = &self.gateway_bin else {
            return Ok(());
        };
        let dir = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
        let sites = dir.path().join("sites");
        let io = |e: std::io::Error| format!("scratch directory: {e}");
        std::fs::create_dir(&sites).map_err(io)?;
        std::fs::create_dir(dir.path().join("rules")).map_err(io)?;
        std::fs::write(sites.join(format!("{name}.toml")), rendered).map_err(io)?;
        let mut relative: Vec<&str> = vec![];
        if !site.block_page.is_empty() {
            relative.push(&site.block_page);
        }
        if site.tls {
            relative.extend([site.tls_cert.as_str(), site.tls_key.as_str()]);
        }
        // Validation already refuses `..` in these; the filter is a second guard so nothing is ever written outside
        // the scratch directory. A missing file is left for `gateway check` to report.
        let inside = |p: &&str| {
            let p = Path::new(*p);
            p.is_relative() && !p.components().any(|c| c == std::path::Component::ParentDir)
        };
        for rel in relative.into_iter().filter(inside) {
            let src = self.sites_dir.join(rel);
            if src.is_file() {
                let dst = sites.join(rel);
                if let Some(parent) = dst.parent() {
                    std::fs::create_dir_all(parent).map_err(io)?;
                }
                std::fs::copy(&src, &dst).map_err(io)?;
            }
        }
        let cfg = dir.path().join("gateway.toml");
        std::fs::write(
            &cfg,
            "listen = [\"127.0.0.1:0\"]\nsites_dir = \"sites\"\nrules_dir = \"rules\"\n",
        )
        .map_err(io)?;
        let mut child = Command::new(bin)
            .arg("check")
            .arg("--config")
            .arg(&cfg)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("running {} check: {e}", bin.display()))?;
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if started.elapsed() > Duration::from_secs(30) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("gateway check did not finish within 30 s".into());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("gateway check: {e}")),
            }
        }
        let out = child.wait_with_output().map_err(|e| format!("gateway check: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Err(format!("gateway check rejected the site: {}", text.trim()))
        }
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        self.sites_dir.join(format!("{name}.toml"))
    }

    /// Renders, checks and atomically writes the site file. Unchanged files are not rewritten.
    pub fn publish(&self, site: &SiteSpec) -> Result<PathBuf, String> {
        let rendered = self.render(site)?;
        self.gateway_check(site, &rendered)?;
        let path = self.path_of(&site.name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(rendered.as_str()) {
            return Ok(path);
        }
        let io = |e: std::io::Error| format!("{}: {e}", self.sites_dir.display());
        std::fs::create_dir_all(&self.sites_dir).map_err(io)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".")
            .suffix(".tmp")
            .tempfile_in(&self.sites_dir)
            .map_err(io)?;
        std::io::Write::write_all(&mut tmp, rendered.as_bytes()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path)
            .map_err(|e| format!("{}: {}", path.display(), e.error))?;
        Ok(path)
    }

    /// Removes a published site file; a missing file is fine.
    pub fn remove(&self, name: &str) -> Result<(), String> {
        match std::fs::remove_file(self.path_of(name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("{}: {e}", self.path_of(name).display())),
        }
    }
}
