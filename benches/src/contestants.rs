//! The contestants: how each is configured, started (as a child process whose PID is measured) and stopped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Direct,
    GatewayOff,
    Gateway,
    GatewayDeceive,
    /// The smallest pingora proxy: pingora's own cost, for reading the gateway's.
    PingoraBare,
    Nginx,
    NginxModsecurity,
    NginxLua,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Direct,
        Kind::GatewayOff,
        Kind::Gateway,
        Kind::GatewayDeceive,
        Kind::PingoraBare,
        Kind::Nginx,
        Kind::NginxModsecurity,
        Kind::NginxLua,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::GatewayOff => "gateway-off",
            Kind::Gateway => "gateway",
            Kind::GatewayDeceive => "gateway-deceive",
            Kind::PingoraBare => "pingora-bare",
            Kind::Nginx => "nginx",
            Kind::NginxModsecurity => "nginx-modsecurity",
            Kind::NginxLua => "nginx-lua",
        }
    }

    pub fn is_gateway(self) -> bool {
        matches!(self, Kind::GatewayOff | Kind::Gateway | Kind::GatewayDeceive)
    }
}

pub struct Running {
    pub addr: SocketAddr,
    pub pid: u32,
    child: Option<Child>,
}

impl Running {
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

fn wait_listening(addr: SocketAddr, child: &mut Child, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        if let Ok(Some(st)) = child.try_wait() {
            anyhow::bail!("{what} exited at start ({st})");
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    anyhow::bail!("{what} did not listen on {addr}")
}

/// Why a contestant cannot run here, with the command that would fix it.
pub fn skipped(kind: Kind) -> Option<String> {
    let nginx = Path::new("/usr/sbin/nginx").exists();
    match kind {
        Kind::Nginx if !nginx => Some("nginx not installed: apt-get install nginx-light".into()),
        Kind::NginxModsecurity if !nginx || !Path::new(MODSEC_MODULE).exists() || !Path::new(CRS_LOAD).exists() => {
            Some(
                "ModSecurity not installed: apt-get install nginx-light libnginx-mod-http-modsecurity modsecurity-crs"
                    .into(),
            )
        }
        Kind::NginxLua if !nginx || !Path::new(LUA_MODULE).exists() => {
            Some("Lua module not installed: apt-get install nginx-light libnginx-mod-http-lua".into())
        }
        _ => None,
    }
}

const MODSEC_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so";
const CRS_LOAD: &str = "/usr/share/modsecurity-crs/owasp-crs.load";
const LUA_MODULE: &str = "/usr/lib/nginx/modules/ngx_http_lua_module.so";
const NDK_MODULE: &str = "/usr/lib/nginx/modules/ndk_http_module.so";

/// Settings shared by every contestant of one run.
pub struct Env {
    pub dir: PathBuf,
    pub origin: SocketAddr,
    pub threads: usize,
    pub rules: PathBuf,
    /// The benches binary itself: it runs the origin and the gateway (`benches gateway --config`).
    pub exe: PathBuf,
}

pub fn start(kind: Kind, env: &Env) -> anyhow::Result<Running> {
    if kind == Kind::Direct {
        // The baseline is the origin itself; measured as the "proxy" process.
        return Ok(Running {
            addr: env.origin,
            pid: 0,
            child: None,
        });
    }
    let addr = free_addr()?;
    let dir = env.dir.join(kind.name());
    std::fs::create_dir_all(&dir)?;
    let mut child = match kind {
        k if k.is_gateway() => start_gateway(kind, env, &dir, addr)?,
        Kind::PingoraBare => Command::new(&env.exe)
            .args([
                "bare-pingora",
                "--listen",
                &addr.to_string(),
                "--upstream",
                &env.origin.to_string(),
            ])
            .arg("--threads")
            .arg(env.threads.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
        _ => start_nginx(kind, env, &dir, addr)?,
    };
    wait_listening(addr, &mut child, kind.name())?;
    Ok(Running {
        addr,
        pid: child.id(),
        child: Some(child),
    })
}

pub fn gateway_config(kind: Kind, env: &Env, dir: &Path, addr: SocketAddr) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir.join("sites"))?;
    let admin = free_addr()?;
    let mode = match kind {
        Kind::GatewayOff => "off",
        Kind::GatewayDeceive => "deceive",
        _ => "block",
    };
    std::fs::write(
        dir.join("gateway.toml"),
        format!(
            "listen = [\"{addr}\"]\nadmin_listen = \"{admin}\"\nsites_dir = \"sites\"\nrules_dir = {:?}\nthreads = {}\n\
             upgrade_sock = \"upgrade.sock\"\npid_file = \"gw.pid\"\n",
            env.rules.display().to_string(),
            env.threads
        ),
    )?;
    std::fs::write(
        dir.join("sites/bench.toml"),
        format!(
            "name = \"bench\"\ndefault = true\nbackends = [\"{o}\"]\nunreal_backends = [\"{o}\"]\nmax_body_size = 10485760\n\
             [waf]\nmode = \"{mode}\"\nbad_guy_ttl = \"10m\"\n",
            o = env.origin
        ),
    )?;
    Ok(dir.join("gateway.toml"))
}

fn start_gateway(kind: Kind, env: &Env, dir: &Path, addr: SocketAddr) -> anyhow::Result<Child> {
    let cfg = gateway_config(kind, env, dir, addr)?;
    let log = std::fs::File::create(dir.join("gateway.log"))?;
    Ok(Command::new(&env.exe)
        .arg("gateway")
        .arg("--config")
        .arg(cfg)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?)
}

/// ngx_lua_waf's checks in its own style: URL, args, User-Agent, cookie and form-body regexes with `ngx.re.find`.
const LUA_WAF: &str = r#"
local rules = {
  url = { [[\.(svn|htaccess|bash_history)]], [[\.(bak|inc|old|mdb|sql|backup|java|class)$]], [[(vhost|bbs|host|wwwroot|www|site|root|hytop|flashfxp).*\.rar]], [[(phpmyadmin|jmx-console|jmxinvokerservlet)]], [[java\.lang]], [[/(attachments|upimg|images|css|uploadfiles|html|uploads|templets|static|template|data|inc|forumdata|upload|includes|cache|avatar)/(\\w+).(php|jsp)]] },
  args = { [[\.\./]], [[\:\$]], [[\$\{]], [[select.+(from|limit)]], [[(?:(union(.*?)select))]], [[having|rongjitest]], [[sleep\((\s*)(\d*)(\s*)\)]], [[benchmark\((.*)\,(.*)\)]], [[base64_decode\(]], [[(?:from\W+information_schema\W)]], [[(?:(?:current_)user|database|schema|connection_id)\s*\(]], [[(?:etc\/\W*passwd)]], [[into(\s+)+(?:dump|out)file\s*]], [[group\s+by.+\(]], [[xwork.MethodAccessor]], [[(?:define|eval|file_get_contents|include|require|require_once|shell_exec|phpinfo|system|passthru|preg_\w+|execute|echo|print|print_r|var_dump|(fp)open|alert|showmodaldialog)\(]], [[\<(iframe|script|body|img|layer|div|meta|style|base|object|input)]], [[(onmouseover|onerror|onload)\=]] },
  ua = { [[(HTTrack|harvest|audit|dirbuster|pangolin|nmap|sqln|-scan|hydra|Parser|libwww|BBBike|sqlmap|w3af|owasp|Nikto|fimap|havij|PycURL|zmeu|BabyKrokodil|netsparker|httperf|bench )]] },
  cookie = { [[\.\./]], [[\:\$]], [[\$\{]], [[select.+(from|limit)]], [[(?:(union(.*?)select))]], [[having|rongjitest]], [[sleep\((\s*)(\d*)(\s*)\)]], [[benchmark\((.*)\,(.*)\)]], [[base64_decode\(]] },
}
local function hit(list, s)
  if not s then return false end
  for _, r in ipairs(list) do
    if ngx.re.find(s, r, "isjo") then return true end
  end
  return false
end
local uri = ngx.var.request_uri
if hit(rules.url, uri) then return ngx.exit(403) end
for _, v in pairs(ngx.req.get_uri_args()) do
  if type(v) == "table" then v = table.concat(v, " ") end
  if type(v) == "string" and hit(rules.args, ngx.unescape_uri(v)) then return ngx.exit(403) end
end
if hit(rules.ua, ngx.var.http_user_agent) then return ngx.exit(403) end
if hit(rules.cookie, ngx.var.http_cookie) then return ngx.exit(403) end
if ngx.req.get_method() == "POST" then
  ngx.req.read_body()
  local ct = ngx.var.content_type or ""
  if ct:find("x-www-form-urlencoded", 1, true) then
    local args = ngx.req.get_post_args()
    for _, v in pairs(args or {}) do
      if type(v) == "table" then v = table.concat(v, " ") end
      if type(v) == "string" and hit(rules.args, v) then return ngx.exit(403) end
    end
  else
    local body = ngx.req.get_body_data()
    if body and hit(rules.args, body) then return ngx.exit(403) end
  end
end
"#;

fn start_nginx(kind: Kind, env: &Env, dir: &Path, addr: SocketAddr) -> anyhow::Result<Child> {
    let d = dir.display();
    let mut modules = String::new();
    let mut server_extra = String::new();
    match kind {
        Kind::NginxModsecurity => {
            modules.push_str(&format!("load_module {MODSEC_MODULE};\n"));
            std::fs::write(
                dir.join("modsec.conf"),
                format!(
                    "Include /etc/nginx/modsecurity.conf\nSecRuleEngine On\nSecAuditEngine Off\nSecDebugLogLevel 0\n\
                     SecTmpDir {d}\nSecDataDir {d}\nInclude /etc/modsecurity/crs/crs-setup.conf\n\
                     Include /usr/share/modsecurity-crs/rules/*.conf\n"
                ),
            )?;
            server_extra.push_str(&format!("modsecurity on;\nmodsecurity_rules_file {d}/modsec.conf;\n"));
        }
        Kind::NginxLua => {
            modules.push_str(&format!("load_module {NDK_MODULE};\nload_module {LUA_MODULE};\n"));
            std::fs::write(dir.join("waf.lua"), LUA_WAF)?;
            server_extra.push_str(&format!(
                "access_by_lua_file {d}/waf.lua;\nclient_body_buffer_size 128k;\n"
            ));
        }
        _ => {}
    }
    let conf = format!(
        "{modules}daemon off;\nmaster_process off;\nworker_processes {threads};\npid {d}/nginx.pid;\nerror_log {d}/error.log crit;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fcgi;\n\
           uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  client_max_body_size 10m;\n  client_body_buffer_size 128k;\n\
           upstream origin {{ server {origin}; keepalive 64; }}\n\
           server {{\n    listen {addr} reuseport;\n    {server_extra}\n    location / {{\n      proxy_pass http://origin;\n\
               proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n      proxy_set_header Host $host;\n\
               proxy_set_header X-Real-IP $remote_addr;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n",
        threads = env.threads,
        origin = env.origin,
    );
    std::fs::write(dir.join("nginx.conf"), conf)?;
    let log = std::fs::File::create(dir.join("stderr.log"))?;
    Ok(Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?)
}
