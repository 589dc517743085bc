#!/usr/bin/env python3
"""Generates rules/waf/932-rce.toml (written to argv[1]) from the word lists in lists.py and ps.py."""
import os, sys, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lists import *
from ps import PS_GENERIC, PS_DIST

OUT = sys.argv[1]


def rx(*alts, ci=True):
    body = '|'.join(alts)
    return ('(?i)' if ci else '') + (f'(?:{body})' if len(alts) > 1 else body)


X = alt(TOOLS_X)
XH = alt(TOOLS_XH)
XT = alt(TOOLS_XT)
EN = alt(TOOLS_EN)
CM = alt(COMMON)
ALLW = alt(TOOLS_X + TOOLS_EN + COMMON)
BIN = r'(?:/(?:usr/)?(?:local/)?s?bin/)?'
QW = r'''["'\\]*'''
WRAP = rf'(?:(?:{WRAP_EN}|{WRAP_X})\s+(?:-\w+\s+)*)*'
PREFIX = rf'''(?:[{{(!]\s*)*(?:\$\w+\s+|\$\{{\w*\}}\s*)*(?:\\?[\w.-]+=\S*\s+)*{WRAP}{QW}{BIN}{QW}'''
DELIM = r'''(?:\s|$|[;|&<>`)'"])'''

# --- argument shapes that only a shell command line has ------------------------------------------------
OPT = r'\s+--?[a-z]|\s+-\d+(?:\s|$)|\s+\+[a-z](?:\s|$)'
PATH = (r'''(?:\s+["']?|\s*["'])(?:~[\w.-]*|\.{1,2})?/(?:[\w.*?\[\]-]+/|(?:etc|tmp|var|bin|sbin|usr|dev|proc|home|root|opt|sys|boot|lib|srv|mnt|run)\b|\s|$|[;|&])'''
        r'|\s*(?:~[\w.-]*|\.{1,2})/')
VAR = r'\s*(?:\$[a-z_{(@]|`)'
REDIR = r'\s*(?:\d?>>?\s*(?:/|&\s*\d|\$|~|\()|&>|<\s*(?:/[\w.-]*/|~|\$|\()|<<<)'
FILEARG = (r'''\s+["']?[\w.-]*(?:passwd\b|shadow\s*(?:$|[;|&])|\.(?:sh|bash|php\d?|phtml|py|pl|rb|conf|cfg|ini|log|bak|sql|gz|tgz|bz2|xz|zst|tar|exe|bat|ps1|cgi|jsp|aspx?|htaccess|env)\b)''')
# a pipe into a shell/decoder/network tool, or a second command after ; && || (the follower must itself end the value or
# take an option, a redirection or an address: skills lists "grep | awk | sed", "Docker | Bash | Python" pass)
FOLLOW_PIPE = alt('(?:ba|z|k|da|c|tc)?sh bash busybox nc ncat netcat socat telnet base64 base32 xxd tee xargs openssl'.split())
FOLLOW_SEQ = alt('whoami uname ifconfig netstat wget nc ncat netcat socat busybox (?:ba|z|k|da)?sh bash'.split())
FOLLOW_END = r'''{QW}(?:\s*$|\s*[;&|<>`)]|\s+-|\s+\d+\.\d+)'''.replace('{QW}', QW)
PIPE = (rf'''\s*\|\s*{QW}(?:/(?:usr/)?(?:local/)?s?bin/|{FOLLOW_PIPE}{FOLLOW_END})'''
        rf'''|\s*(?:;|&&|\|\|)\s*{QW}(?:/(?:usr/)?(?:local/)?s?bin/|{FOLLOW_SEQ}{FOLLOW_END})''')
SUBSH = r'\)\s*(?:\d?[<>]|\||;|&)'
ARG = f'(?:{OPT}|{PATH}|{VAR}|{REDIR}|{FILEARG}|{PIPE}|{SUBSH})'
END = r'''["'\\]*\s*$'''
END2 = r'''["'\\]*\s*(?:$|[)\]}`]|[;|]\s*$)'''

# --- whole-command shapes -------------------------------------------------------------------------------
FETCH = (r'''(?:curl|wget|lynx|links|w3m|aria2c|lwp-download|lwp-request|fetch|tftp|ftp|nc|ncat|telnet)\s+(?:-\S+\s+)*'''
         r'''["']?(?:https?|ftp|tftp|file|gopher|dict|ldap|telnet)://''')
NET = (r'(?:ping6?|nc|ncat|netcat|telnet|nmap|traceroute6?|dig|host|nslookup|ssh|whois|arp|route|hping3|fping|mtr|socat)'
       r'\s+(?:-\S+\s+)*\d{1,3}(?:\.\d{1,3}){3}\b')
QCODE = r'''(?:trap|eval|exec|watch)\s+["'][^"']*[-;|&$`/<>]'''
PSAUX = r'ps\s+(?:-?aux\w*|-?ax\w*|-e[fl]\w*)\b'
TARX = r'tar\s+-?[cxtru][a-z]{0,5}f?\s+(?:-\s|\S*\.t|/)'
DDX = r'dd\s+(?:if|of|bs|count)='
ASSIGN = rf'(?:export|declare|local|readonly|typeset)\s+(?:-\w+\s+)*(?-i:[A-Z_][A-Z0-9_]*)=|unset\s+(?:-\w\s+)?(?-i:(?:HISTFILE|HISTSIZE|PATH|PROMPT_COMMAND|LD_PRELOAD|IFS))\b'
SLEEP = r'''(?:sleep|usleep)\s+\d+(?:\.\d+)?[smhd]?\s*(?:$|[;|&`#)'"])'''

# --- separators ------------------------------------------------------------------------------------------
# strong: ; | && || $( ` <( >( ${IFS}, and a single & that starts the value or follows punctuation
SEP_STRONG = r'(?:[;|]|(?:^|\S)`|&&|\$\(|\$\{IFS\}|<\(|>\(|(?:^|[^\w\s&])\s*&)'
# any: also a newline and a single & between words (prose: "salt & pepper", a textarea line)
SEP_ANY = r'(?:[;|\n\r&]|(?:^|\S)`|\$\(|\$\{IFS\}|<\(|>\()'
# a value that starts with a separator (";ps", "&aptitude", "|id")
SEP_START = r'^\s*(?:[;|&`]|\$\()'
# a bare shell-only word at the end: after ; or | only when that is the value's first ; or | ("first;last;id" passes)
SEP_MID = r'(?:^[^;|\n]*[;|]|`|&&|\|\||\$\(|(?:^|[^\w\s&])\s*&)'
END_SH = alt('ls id ps pwd env set w df du uname whoami sh bash ifconfig ipconfig netstat printenv uptime lsof dmesg'.split())
RECON_RE = alt(RECON + ['id', 'pwd', 'ls'])

rules = []


def rule(id, msg, tags, targets, transforms, regex, paranoia=None, comment=None):
    rules.append(dict(id=id, msg=msg, tags=tags, targets=targets, transforms=transforms, regex=regex,
                      paranoia=paranoia, comment=comment))


T_UD = ["url_decode", "utf8_fix", "html_entity_decode", "remove_nulls"]
T_LC = T_UD + ["lowercase"]
T_CL = T_UD + ["cmdline"]
UNIX_T = ["args", "args_names", "cookies", "cookie_names", "header:user-agent", "header:referer", "body"]

# ================================================= Unix ================================================
rule(932100, "Unix command injection: command separator followed by a shell tool (bare for unmistakable tool names, "
     "with shell arguments otherwise)",
     ["rce", "unix"], UNIX_T + ["files"], T_UD,
     rx(rf'{SEP_STRONG}\s*{PREFIX}{XH}{QW}{DELIM}',
        rf'{SEP_ANY}\s*{PREFIX}(?:{X}|{EN}){QW}{ARG}',
        rf'{SEP_STRONG}\s*{PREFIX}{X}(?:\s+[\w.@:=+,-]+){{1,6}}{ARG}',
        rf'{SEP_START}\s*{PREFIX}(?:{XT}|{EN}){END}',
        rf'{SEP_STRONG}\s*{PREFIX}{XT}(?:[ \t]+[\w.-]+)*[ \t]*[\r\n]+\s*$',
        rf'{SEP_STRONG}\s*{PREFIX}\./[\w.-]+{QW}{DELIM}',
        rf'{SEP_ANY}\s*{PREFIX}(?:{FETCH}|{NET})'),
     comment="A newline or a single '&' between words (textarea lines, \"salt & pepper\") and tool names that are\n"
             "# also English words (expect, screen, salt, ruby, chef …) count only with shell arguments after them.")

rule(932105, "Unix command injection: shell command with shell arguments (option, path, variable, redirection, pipe) "
     "at the start of a value",
     ["rce", "unix"], ["args", "cookies", "body"], T_UD,
     rx(rf'^\s*{PREFIX}{ALLW}{QW}{ARG}',
        rf'^\s*{PREFIX}(?:{FETCH}|{NET}|{QCODE}|{PSAUX}|{TARX}|{DDX})',
        rf'^\s*{PREFIX}{X}(?:\s+[\w.@:=+,-]+){{1,6}}{ARG}',
        rf'^\s*{PREFIX}(?:echo|printf|cat|{X})(?:\s+[\w.@:=+-]+){{1,6}}(?:{REDIR}|{PIPE})',
        rf'^\s*{PREFIX}{XH}{QW}\s*(?:[|;<>`]|&&)'),
     comment="Command words are English too (top 10, ps 5, who's who, AT&T, set (of 4), chef knife > 8 inch): an\n"
             "# apostrophe, '(', a single '&', '>' before a number or a bare trailing number is not shell syntax.")

rule(932106, "Command or code-execution function called at the start of a value (exec(, eval(, system(, printf( …, "
     "also split by comments or line breaks)",
     ["rce", "unix", "php"], ["args", "cookies", "body"], T_UD,
     r'(?i)^\s*(?:(?:exec|eval|system|passthru|popen|proc_open|shell_exec|pcntl_exec|assert|printf|mail)\((?:[^s)\s]|s[^)])'
     r'|(?:exec|eval|system|passthru|popen|proc_open|shell_exec|pcntl_exec|assert|printf|mail|file|sleep|time|ln)(?:(?:\s|/\*.*?\*/|//[^\r\n]*[\r\n]|#[^\r\n]*[\r\n])*(?:/\*.*?\*/|//[^\r\n]*[\r\n]|#[^\r\n]*[\r\n]|[\r\n])(?:\s|/\*.*?\*/)*\('
     r'|\s*\(\s*\)\s*(?:;|$)|\s*\(\s*$))',
     comment="Prose puts a space before a parenthesis (\"sleep (8 hours) tracker\", \"time (UTC)\", \"time(s)\") and names\n"
             "# functions (\"assert() in tests\"): only a glued call with an argument, a call split by a comment or a line\n"
             "# break, an empty call ending the value, or a trailing '(' count.")

rule(932235, "Unix command injection: command separator followed by a common command with shell arguments",
     ["rce", "unix"], UNIX_T, T_UD,
     rx(rf'{SEP_ANY}\s*{PREFIX}{CM}{QW}{ARG}',
        rf'{SEP_START}\s*{PREFIX}{CM}{END}',
        rf'{SEP_STRONG}\s*{PREFIX}{CM}(?:\s+[\w.@:=+-]+){{1,6}}(?:{REDIR}|{PIPE})',
        rf'{SEP_MID}\s*{PREFIX}{END_SH}{END2}',
        rf'{SEP_ANY}\s*{PREFIX}(?:{SLEEP}|{QCODE}|{PSAUX}|{NET}|{FETCH}|{TARX}|{DDX})',
        rf'{SEP_STRONG}\s*{PREFIX}(?:{ASSIGN})',
        rf'[\r\n&]\s*{BIN}{RECON_RE}{END}'),
     comment="After a newline or a single '&' between words (\"\\nWho's the…\", \"\\nDate (approx)\", \"fork & knife\") a\n"
             "# command needs shell arguments. A bare word at the end counts when the value starts with the separator, and\n"
             "# otherwise only for shell-only words (lists: \"first;last\", \"blue;green;red\", \"|PG|XXX\", \"a|b|top\").")


def obf(word, q):
    """word with at least one q (quote, backslash, empty expansion) between two of its letters."""
    w = [re.escape(c) for c in word]
    def rest(cs):
        return f'(?:{q})*'.join(cs)
    def first_q(cs):
        if len(cs) == 2:
            return f'{cs[0]}(?:{q})+{cs[1]}'
        return f'{cs[0]}(?:(?:{q})+{rest(cs[1:])}|{first_q(cs[1:])})'
    return first_q(w)


Q = r'''\\\r?\n|["'\\]|\$@|\$\{\d?\}|\$\d|\$\(\)'''
Q_NOAPOS = r'''\\\r?\n|["\\]|\$@|\$\{\d?\}|\$\d|\$\(\)'''
EV = '|'.join(obf(w, Q_NOAPOS if w in ('id', 'ps') else Q) for w in dict.fromkeys(EVADE))
rule(932250, "Unix command injection: a known command hidden with quotes, backslashes or empty expansions "
     "(c'a't, w\\ho\\am\\i, ca$@t) after a separator or at the start of a value",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies", "body"], T_UD,
     rf'''(?i)(?:^|[;|&\n\r`({{]|\$\()\s*\\?(?:{EV})(?:{Q})*(?:\s|$|[;|&<>)`'"/])''',
     comment="The de-quoted word must be a known command, so contractions after a separator (\"; don't\", \"\\nWho's\",\n"
             "# \"; it's fine\", \"ring twice; the bell's broken\") pass; for id and ps the apostrophe is not counted (I'd, p's).")

rule(932261, "Unix command injection: a recon command alone as the whole value (whoami, uname, ifconfig …)",
     ["rce", "unix"], ["args", "cookies"], T_CL,
     rf'^\s*{WRAP}{BIN}{alt(RECON)}\s*$',
     comment="Only names no form sends as a value: hostname, mysql, psql, reboot, shutdown, arp, id, ls, ps … are left out.")

WRAP_X2 = r'sudo|doas|nohup|strace|ltrace|setsid|ionice|pkexec|busybox|unbuffer|torify|torsocks|proxychains4?|stdbuf(?:\s+-\S+)+|chroot\s+\S+'
rule(932262, "Unix command injection: a command prefixed by sudo/nohup/strace/time …, or an unmistakable tool with plain "
     "arguments ending in a line break, at the start of a value",
     ["rce", "unix"], ["args", "cookies", "body"], T_UD,
     rx(rf'^\s*(?:{WRAP_X2})\s+(?:-\w+\s+)*{QW}{BIN}{QW}{ALLW}{QW}(?:\s|$)',
        rf'^\s*(?:{WRAP_EN})\s+(?:-\w+\s+)*{QW}{BIN}{QW}{XH}{QW}(?:\s|$)',
        rf'^\s*{PREFIX}{X}(?:[ \t]+[\w.-]+)*[ \t]*[\r\n]+\s*$'),
     comment="English wrappers (time, nice, env) only before an unmistakable tool name: \"time warner\", \"nice python shirt\" pass.")

rule(932110, "Unix command injection: shell paths, /dev/tcp, $IFS, reverse shells and download-and-run",
     ["rce", "unix"], ["args", "args_names", "cookies", "header:user-agent", "header:referer", "body", "files"], T_UD,
     r'''(?i)(?:/bin/(?:ba|z|k|c|tc|da)?sh\b|/dev/(?:tcp|udp)/|\$\{?IFS\b|\b(?:nc|ncat|netcat)\s+(?:-[a-z]*e|[\w.-]+\s+\d+\s*-e)|\bbash\s+-[ic]\b|\bsh\s+-c\b|>\s*&\s*/dev/|\b(?:wget|curl)\s+(?:-\w+\s+)*(?:https?|ftp)://\S+\s*(?:[|;]|-O|-o|&&)|\bchmod\s+(?:[+0-7]{3,4}|\+x)\s|\bmkfifo\s|\brm\s+-[rf]{1,2}\s+/|\becho\s+\S+\s*\|\s*(?:base64|xxd)\b|\|\s*(?:ba|z|k|da)?sh\s*$|\|\s*(?:ba|z|k|da)?sh\s*[;&|]|\|\s*base64\s+-d)''',
     comment="Brace expansion moved to 932280 (set notation \"{1, 2, 3}\" is not shell).")

BRACE_CMD = alt('cat ls echo wget curl nc ncat bash sh python\\d? perl php whoami uname ping nslookup rm cp mv chmod base64 xxd sleep tac grep awk sed'.split())
rule(932280, "Unix shell brace expansion hiding a command ({,ip,a}, {ls,-la}, {cat,/etc/passwd}, c{a,oun}t)",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies", "cookie_names"], T_UD,
     rx(r'''\{,[^{}\s]*[a-z/$'"#.~-][^{}\s]*\}''',
        r'''\{(?:[^{}\s,]*,)*[^{}\s,]*[^\d{}\s,][^{}\s,]*,\}''',
        r'''\{[^{}\s,]*,[^{}\s]*\}\w''',
        r'''\{[^{}\s,]+(?:,[^{}\s,]*)*,["']?(?:--?[a-z]|/|\.{1,2}/|~/)[^{}\s]*\}''',
        rf'''(?:^|[;|&`(\n]|\$\()\s*\{{{BRACE_CMD},[^{{}}\s]+\}}'''),
     comment="Plain groups pass: JSON, regex quantifiers {2,} {,5}, set notation {a,b} and field selections\n"
             "# (Graph API fields=id,name,friends{id,name}). Flagged: an empty element, an option or path element, a group\n"
             "# glued to a word on its right, or a command word first at the start of a value or after a separator.")

rule(932270, "Unix shell tilde expansion (~+, ~-, ~+N)",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies", "cookie_names"], T_CL,
     r'''(?:^|[\s(=|&`])~[+-](?:\d+)?(?:/|$)|(?:^|[\s(=|&`])~[+-](?:\s|[|&)`])''',
     comment="\"~-shaped\", \"~+5 points\" pass: the tilde prefix must stand alone or start a path.")

rule(932330, "Unix shell history expansion (!-N)",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies", "cookie_names"], T_UD,
     r'''(?:^|[\s;|&(`])!-\d+(?:\s|$|[;|&)`])''')

rule(932175, "Unix shell alias definition (alias x=command)",
     ["rce", "unix"], ["args", "args_names", "cookies", "cookie_names"], T_CL,
     r'''(?:^|[\s|&(`])alias\s+(?:-p\s+)?[\w.:@%!-]+=\S''')

VARS = 'HOME|PATH|PWD|OLDPWD|IFS|HOSTNAME|OSTYPE|CDPATH|DIRSTACK|SHELL|BASH_VERSION|BASH_ENV|USER|LOGNAME|UID|EUID|PPID|SHLVL|HISTFILE|TMPDIR|LD_PRELOAD|LD_LIBRARY_PATH|PROMPT_COMMAND'
rule(932164, "Unix shell variable or special device path in shell context (${PATH}, echo $HOME, >/dev/null, /proc/self/)",
     ["rce", "unix"], ["args", "args_names", "cookies", "cookie_names"], T_UD,
     rx(rf'\$\{{(?:{VARS})\}}',
        rf'\$(?:{VARS})(?:/|\s*$|\s*[;|&)`])',
        rf'(?:[;|&=(`]|\$\()\s*\$(?:{VARS})\b',
        rf'(?i:\b(?:cd|ls|cat|echo|printf|export|env|eval|exec|sh|bash|source)\s+)\$(?:{VARS})\b',
        r'(?i:(?:^|[\s;|&<>=(`"\'])/dev/(?:tcp|udp|fd)/)',
        r'(?i:[<>]\s*/dev/(?:null|zero|stdin|stdout|stderr|u?random|full)\b)',
        r'(?i:^\s*/dev/(?:null|zero|stdin|stdout|stderr|u?random|full|shm)/?\s*(?:$|[;|&]))',
        r'(?i:(?:^|[^\w.])/?proc/(?:self|\d+|thread-self)/)',
        r'(?i:(?:^|[^\w.])/?etc/(?:shells|group|gshadow|master\.passwd|pwd\.db|spwd\.db|sudoers)\b)',
        ci=False),
     comment="Variable names are upper-case shell variables in shell context: \"my $HOME page\", \"price $5\" pass;\n"
             "# /dev/null only as the whole value or after a redirection (\"dev/null jokes\", \"send it to /dev/null.\" pass).")

rule(932130, "Unix shell expression: command substitution, process substitution, here-string or parameter expansion",
     ["rce", "unix"], ["args", "args_names", "cookies", "cookie_names", "header:user-agent", "header:referer", "body"], T_UD,
     r'''\$\(\s*(?:[a-zA-Z_./\\'"$({-][^)]*|\d[^)]*[^\d\s.,)][^)]*)\)(?:[^.]|$)|\$\{[ -|~]*[:#%/^,][ -|~]*\}|\$\{\s*(?:ifs|path|home|shell|pwd|user|env|[0-9@*#?$!-])\s*\}|(?:[0-9A-Za-z_]|[;|&=]\s*)`[0-9A-Za-z_./\\$'"-]+(?:[ <>|;&$(][ -_a-~]*)?`|^\s*`\s*(?:''' + XH + '|' + END_SH + r'''\b|sleep\s+\d|/(?:usr/)?s?bin/|\$)[ -_a-~]*`|[<>]\(\s*[\w./\\$'"-][ -(*-~]*\)|\$\(\(.*\)\)|^\s*\$\{\s*\w+\s*\}\s*(?:$|[;|&])|[;|&]\s*\$\{\s*\w+\s*\}|\w<<<[^<\s]''',
     comment="Printable ASCII only between the delimiters (random bytes of binary bodies pass); \"$(5)\" and jQuery\n"
             "# \"$(document).ready\" pass (a number, or a '.' right after the closing parenthesis).")

rule(932160, "Unix command injection: absolute path of a shell utility",
     ["rce", "unix"], ["args", "args_names", "cookies", "header:user-agent", "header:referer", "body"], T_CL,
     r'''(?:^|[^\w.-])/?(?:usr/(?:local/)?)?s?bin/(?:[a-z0-9_.+-]*/)?''' + alt(TOOLS_X + TOOLS_EN + COMMON + ['ab', 'at', r'python[\d.]*', r'perl\d*', r'php[\d.]*', r'lua\d*', 'powershell', 'pwsh']) + r'''\b|\$\{?(?:shell|bash|0)\}?\s+-c\b''')

rule(932170, "Shellshock (CVE-2014-6271): function definition at the start of a value",
     ["rce", "unix", "shellshock"], ["headers", "args", "args_names", "cookies", "cookie_names", "body"], T_UD,
     r'''^\s*\(\s*\)\s*\{''',
     comment="Anchored like CRS 932170/932171: code in posts (\"fn main() {\", \"function() {\") passes.")

rule(932180, "Upload of a server configuration or script file name (.htaccess, .user.ini, web.config, shell scripts)",
     ["rce", "upload"], ["files", "header:x-filename", "header:x_filename", "header:x-file-name"], T_LC,
     r'''(?:^|[\\/])(?:\.htaccess|\.htpasswd|\.htdigest|\.user\.ini|php\.ini|web\.config|\.bashrc|\.bash_profile|\.profile|\.ssh/authorized_keys|authorized_keys|crontab|\.boto|\.aws/credentials|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.env|\.dockercfg|config\.ya?ml|settings\.py|wp-config[\w.-]*|local\.xml|database\.yml|secrets\.ya?ml|mtrr|acpi|cpuinfo|meminfo)\s*$|\.\s*(?:php\d?|phtml|phar|pht|phps|sh|bash|cgi|pl|py|asp|aspx|asa|cdx|ashx|asmx|shtml|jsp|jspx|war)\s*(?:\.|$)''',
     comment="'.cer' is not listed: it is the usual X.509 certificate extension.")

rule(932190, "Unix shell glob or bracket expression hiding a path or command (/etc/pa[s]swd, $[1+1])",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies", "body"], T_CL,
     r'''(?:^|[^\w.])/(?:[\w.*?-]*/)*[\w.*?-]*\[!?\^?[\w/.-]{1,12}\](?:[\w.*?-]|/[\w.*?\[-]{2}|\s|$)[\w.*?-]*(?:/[\w.*?\[\]-]*)*|\$\[[^\]]*\]|(?:^|[^\w.])/[\w-]*[?*][\w?*-]*/[\w?*-]*[?*]|(?:^|[^\w.])/(?:usr/)?(?:local/)?s?bin/[\w.-]*[*?][\w.*?-]*|(?:^|[^\w.])/etc/[\w.-]*[*?]''',
     comment="A bracket followed by '{', '+' or a one-letter flag is a regex literal (/[a-z]{1,5}/), not a path.")

rule(932200, "RCE bypass: glob, variable or quote tricks inside a command word",
     ["rce", "unix", "evasion"], ["args", "args_names", "cookies"], T_UD,
     r'''(?:[*?]\w*/|/\w*[*?]|\$\w+\$?\w*/|\w['"\\]+\w+['"\\]+\w)[\w/.*?]*(?:passwd|shadow|bin/|sh\b)''', paranoia=2)

rule(932260, "Unix command injection: decode-and-run pipeline, interpreter one-liner or reverse text",
     ["rce", "unix"], ["args", "args_names", "cookies", "body"], T_UD,
     r'''(?i)\|\s*(?:base64|base32|xxd|openssl\s+(?:enc|base64))\s+(?:-d|--decode|-r)\b|\|\s*rev\s*\||\b(?:python[\d.]*|perl|ruby|php|node|lua)\s+-(?:c|e|r)\s|\b(?:python[\d.]*|perl|ruby|php\d*|node|lua)\s+(?:[\w./-]+\.(?:py|pl|rb|php|js|lua)|cmd|-)\b|\b(?:gunzip|zcat|bzcat|xzcat|zgrep)\s+(?:-\w+\s+)*/|\bprintf\s+['"]?\S*\s*\|\s*(?:ba)?sh|\bprintf\s+\S+\s*\|\s*(?:rev|base64|xxd|tac)''')

# ================================================= Windows ==============================================
WX = alt(WIN_X)
WEN = alt(WIN_EN)
SEP_W = r'(?:[;|&`]|\|\||&&)'
WIN_ARG = (r'''(?:\s+/[a-z?][\w-]*(?::\S*)?(?:\s|$)|\s+["']?[a-z]:[\\/]|\s+["']?\\\\[\w.$]|\s*%\w+%'''
           r'''|\s+["']?[\w.\\:~-]*\.(?:exe|bat|cmd|ps1|vbs|vbe|jse?|wsf|wsh|hta|dll|sct|msi|lnk|reg|inf|ini|cpl|scr|config)\b)''')
WIN_SUB = (r'''net1?\s+(?:user|localgroup|group|share|view|use|start|stop|session|accounts|config|time|file)\b(?:\s*$|[^&|;\r\n]*\s/[a-z])'''
           r'''|reg(?:\.exe)?\s+(?:query|add|delete|save|export|import|load|unload|copy|compare|restore)\s+["']?hk'''
           r'''|sc(?:\.exe)?\s+(?:query|queryex|qc|create|config|delete|sdshow|sdset|failure)\b'''
           r'''|start\s+(?:/[a-z]|"[^"]*"\s|\S+\.(?:exe|bat|cmd|vbs|hta|lnk|ps1)\b|(?:calc|cmd|powershell|pwsh|notepad|mshta|wscript|cscript|rundll32|regsvr32|explorer|msiexec|certutil|bitsadmin)\b|https?:|\\\\)'''
           r'''|echo\s+[^&|\r\n]*(?:>\s*\S|%\w+%)'''
           r'''|(?:ping|tracert|pathping|arp|route|netstat|nslookup)\s+(?:-[a-z]+\b|(?:-[a-z]+\s+\S+\s+)*\d{1,3}(?:\.\d{1,3}){3})''')

rule(932370, "Windows command injection: command separator followed by a Windows command",
     ["rce", "windows"], ["args", "args_names", "cookies", "body"], T_LC,
     rx(rf'''{SEP_W}\s*["']?{WX}(?:\.exe)?["']?(?:\s|$|[/&|;"'^,])''',
        rf'''{SEP_W}\s*["']?{WEN}(?:\.exe|\.com)?["']?{WIN_ARG}''',
        rf'''{SEP_W}\s*(?:{WIN_SUB})''',
        rf'''(?:^\s*[;|&`]|[;|`]|&&)\s*["']?(?:dir|ver|vol)(?:\.exe)?["']?\s*$''', ci=False),
     comment="No newline separator, and words like net, type, copy, ping, start, expand, timeout, reg, cipher need\n"
             "# Windows syntax after them (a /switch, a drive or UNC path, %VAR%, a script file): \"& ping pong\",\n"
             "# \"\\nNet weight: 500 g\", \"\\nType C charging\", \"\\nCopy of the invoice\" pass.")

rule(932380, "Windows command injection: command separator followed by a program given by its path (c:\\…\\x.exe, \\\\host\\share\\x.exe)",
     ["rce", "windows"], ["args", "args_names", "cookies", "body"], T_LC,
     rf'''{SEP_W}\s*["']?(?:[a-z]:|%\w+%|\\\\[\w.$-]+)(?:[\\/][^\\/"'\r\n&|;<>]+)*[\\/]["']?(?:{WX}|{WEN}|[\w.-]+\.(?:exe|com|bat|cmd|ps1|vbs|hta|scr))(?:\.exe|\.com)?["']?(?:\s|$|[/&|;"'^,])''')

# 932150 runs after cmdline: quotes, carets and backslashes are gone, ';' and ',' are spaces, and a space before '/' is dropped.
WIN_SUB_CL = (r'''net1?\s+(?:user|localgroup|group|share|use|session|accounts)\b(?:\s*$|.*/(?:add|del(?:ete)?|domain|active|persistent|grant|y)\b)'''
              r'''|reg(?:\.exe)?\s+(?:query|add|delete|save|export|import|load|copy)\s+hk'''
              r'''|sc(?:\.exe)?\s+(?:query|queryex|qc|create|config|delete|sdshow|sdset)\b'''
              r'''|start\s+(?:(?:calc|cmd|powershell|pwsh|notepad|mshta|wscript|cscript|rundll32|regsvr32|msiexec|certutil|bitsadmin)\b|\S+\.(?:exe|bat|cmd|vbs|hta|lnk|ps1)\b)'''
              r'''|wmic\s+(?:process|shadowcopy|os|useraccount|qfe|service|product|startup|nicconfig|computersystem)\b'''
              r'''|vssadmin\s+(?:delete|list|create|resize)\s+shadow'''
              r'''|netsh\s+(?:firewall|advfirewall|wlan|interface|portproxy|winhttp|winsock|http)\b''')
rule(932150, "Windows command injection: cmd.exe or a Windows command with Windows-style arguments",
     ["rce", "windows"], ["args", "args_names", "cookies", "header:user-agent", "body"], T_CL,
     r'''(?:^|[\s&|(]|/)(?:cmd(?:\.exe)?/[ckr]\b|command\.com/c\b|'''
     rf'''{WX}(?:\.exe)?(?:/[a-z?]|\s+-[a-z]|\s+[a-z]:(?:$|[\w.%$])|\s+https?:)'''
     rf'''|{WEN}(?:\.exe)?(?:/[a-z?]{{1,2}}(?:[\s:]|$)|/(?:all|flushdns|query|create|delete|transfer|urlcache|grant|dclist|domain|quiet)\b|\s+[a-z]:(?:$|[\w.%$])|\s*%\w+%|\s+\S*\.(?:exe|bat|cmd|ps1|vbs|dll|sct|hta)\b|\s+-[a-z](?:\s|$)|\s+https?:)'''
     rf'''|{WIN_SUB_CL})|%comspec%|\b(?:c:|%systemdrive%)/?windows/?system32/|%(?:systemroot|windir)%/?(?:system32|syswow64)''',
     comment="English words (set, start, type, copy, call …) need a short /switch, a drive, %VAR% or a script after them:\n"
             "# \"Set start date\", \"Start/Stop button\", \"copy/paste\" pass; an environment variable alone (%APPDATA%) is not code.")

rule(932140, "Windows command injection: FOR or IF batch command",
     ["rce", "windows"], ["args", "args_names", "cookies", "body"], T_CL,
     r'''\bfor(?:/[dflr][^%]*?)?\s*%+~?[^\s%]*\s+in\s*\(.*\)\s*do\b|\bif(?:/i)?(?:\s+not)?(?:\s+(?:exist|defined)(?:\s+[^\s(]+|\s*\([^)]*\))(?:\s*\(|\s+\S)|\s+(?:errorlevel|cmdextversion)\s+\d|[\s(]+[^\s=]+(?:\s+[^\s=]+)?\s*(?:==|\s(?:equ|neq|lss|leq|gtr|geq)[\s(]))''',
     comment="IF EXIST/DEFINED needs a target and then a command or '(' (\"if exist then\" in prose passes).")

rule(932120, "Windows command injection: PowerShell invocation and download cradles",
     ["rce", "windows", "powershell"], ["args", "args_names", "cookies", "header:user-agent", "body"], T_LC,
     r'''\bpowershell\.exe\b|\b(?:powershell|pwsh)(?:\.exe)?\s+(?:-|/|["'&{]|\$|iex\b|invoke-)|\b(?:invoke-(?:expression|webrequest|command|restmethod|shellcode|mimikatz)|iex\s*\(|new-object\s+(?:system\.)?net\.webclient|downloadstring\s*\(|downloadfile\s*\(|start-process|set-mppreference|get-wmiobject)|(?:^|\s)-(?:encodedcommand|enc\s+[a-z0-9+/=]{20,})|\[(?:system\.)?convert\]::frombase64string|\[system\.text\.encoding\]::''',
     comment="The word PowerShell alone in prose (\"powershell script to rename files\") passes.")

PSG = alt([c for c in PS_GENERIC if c != 'new-object'])
PSD = alt(PS_DIST)
rule(932121, "Windows PowerShell cmdlet (Verb-Noun) or PowerShell-only option",
     ["rce", "windows", "powershell"], ["args", "args_names", "cookies", "cookie_names"], T_CL,
     rf'''(?:^|[^\w/.-]){PSD}(?:$|[^\w-])'''
     rf'''|(?:^|[\s|&({{=@$`]){PSG}(?:\s+[^\s|]|\s*\|)'''
     r'''|(?:^|[\s|&({=@$`])new-object\s+(?:-|\w+\.\w)'''
     r'''|(?:^|\s)-(?:executionpolicy|encodedcommand|psconsolefile|windowstyle\s+hidden)\b|\$env:(?:comspec|temp|appdata|userprofile|windir|path|computername|username)\b''',
     comment="Cmdlets whose parts are English words (remove-item, new-object, get-content, sort-object) appear in URL\n"
             "# slugs and ids: they need an argument or a pipe after them and no '/', '-' or '.' before them.")

rule(932125, "Windows PowerShell alias after a command separator (iex, iwr, gci, saps …)",
     ["rce", "windows", "powershell"], ["args", "args_names", "cookies", "cookie_names"], T_LC,
     rx(rf'''(?:[;|`]|&&|(?:^|[^\w\s&])\s*&)\s*[\s"'(,@]*{alt(PS_ALIAS_X)}(?:\s|\(|$)''',
        rf'''(?:^|{SEP_W})\s*[\s"'(,@]*{alt(PS_ALIAS_X + PS_ALIAS_EN)}(?:\s+(?:-[a-z]|\$|\(|["']|[a-z]:\\|\\\\|\.{{0,2}}[\\/]|https?://|env:|hk(?:lm|cu):)|\()''',
        r'''(?:^|[;|&`])\s*sal\s+\S+\s+(?:iex|invoke-expression|iwr|invoke-webrequest)\b''', ci=False),
     comment="No newline separator; aliases that are words or abbreviations (ii, gp, sc, ac, mi, ni, cpi) need a\n"
             "# PowerShell argument after them: \"World War I & II\", \"Tom & Mi casa\" pass.")

# --------------------------------------------------------------------------------------------------------
order = [932100, 932105, 932106, 932235, 932250, 932261, 932262, 932110, 932280, 932270, 932330, 932175, 932164,
         932130, 932160, 932170, 932180, 932190, 932200, 932260, 932120, 932121, 932125, 932140, 932150, 932370, 932380]
byid = {r['id']: r for r in rules}
assert sorted(order) == sorted(byid), set(byid) ^ set(order)


def tq(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


out = ['''# Remote command execution / shell injection, Unix and Windows (CRS 932xxx).
# GENERATED by rules/gen/rce/gen.py from the word lists in rules/gen/rce/lists.py and ps.py: edit those, then run
# `python3 rules/gen/rce/gen.py rules/waf/932-rce.toml` (vectors: waf/tests/vectors/932-rce.toml).
# Many command names are also English words (top, who, set, type, copy, time, more …), so the rules ask for shell
# syntax around them: an option (-x), a path (/etc/…, ~/, ./), $( or a backtick, a redirection or a pipe into another
# command. A newline and a single '&' between words are not treated as command separators on their own.
# `cmdline` normalisation drops quoting tricks (c'a't, c\\at, c^md) and turns ';' and ',' into spaces, so the
# separator-based rules look at the url-decoded value without it. Word lists are shared between rules; 932250 spells
# each command with room for a quote, backslash or empty expansion between two letters, so it is long.''']
for i in order:
    r = byid[i]
    assert "'''" not in r['regex']
    out.append('')
    if r['comment']:
        out.append('# ' + r['comment'])
    out.append('[[rule]]')
    out.append(f"id = {r['id']}")
    out.append(f"msg = {tq(r['msg'])}")
    out.append('tags = [' + ', '.join(tq(t) for t in r['tags']) + ']')
    if r['paranoia']:
        out.append(f"paranoia = {r['paranoia']}")
    out.append('targets = [' + ', '.join(tq(t) for t in r['targets']) + ']')
    out.append('transforms = [' + ', '.join(tq(t) for t in r['transforms']) + ']')
    out.append(f"detect = {{ regex = '''(?-u){r['regex']}''' }}")
open(OUT, 'w').write('\n'.join(out) + '\n')
print('wrote', OUT, len(rules), 'rules', sum(len(r['regex']) for r in rules), 'regex chars')
