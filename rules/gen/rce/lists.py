# Word lists for the 932 generator.  Regex fragments (no capture groups).
def alt(ws): return '(?:' + '|'.join(ws) + ')'

# Unix tools whose names are not English words: bare after a shell separator is enough.
TOOLS_X = '''whoami uname wget netcat ncat socat telnet zsh ksh csh tcsh yash busybox python[23](?:\\.\\d+)* perl5(?:\\.\\d+)*
perlbug irb php[5-8](?:\\.\\d+)? php-cgi nodejs lua5(?:\\.\\d)? luatex gawk nawk mawk awk xargs chmod chown chgrp killall pkill pgrep
nslookup traceroute6? ssh-keygen ssh-agent sshpass scp sftp tftp base64 base32 basenc xxd hexdump gunzip zcat zgrep zstdcat bzip2
bunzip2 bzcat xzcat crontab useradd usermod userdel passwd ifconfig netstat mkfifo mknod openssl egrep fgrep nmap sudo visudo
sudoedit nohup setsid strace ltrace gdb jrunscript jjs lwp-download lwp-request aria2c sendmail mailx lsof dmesg iptables ip6tables
insmod modprobe chattr lsattr getfacl setfacl tcpdump tshark msfconsole msfvenom ansible ansible-[a-z]+ chef-[a-z]+ salt-[a-z]+
kubectl podman crictl virsh cscli cpulimit rmt rmt-[a-z]+ bsdtar bsdcat cpio c89 c99 gcc(?:-?[\\d.]+)? g\\+\\+ cobc nasm ghci tclsh
rlwrap pkexec nsenter capsh chroot taskset ionice stdbuf unbuffer start-stop-daemon run-parts runuser systemd-run systemctl
journalctl loginctl timedatectl busctl dmsetup ldconfig readelf objdump uudecode uuencode smbclient rpcclient psql sqlite3 mysqldump
redis-cli mosquitto_pub lftp rsync rlogin rsh hping3 fping iftop tmate tmux scrot xdotool zypper opkg dpkg apt-get dnf cpan
easy_install byebug valgrind exiftool pdflatex xelatex latexmk dvips genisoimage unsquashfs restic certbot torify torsocks
proxychains4? xterm printenv sysctl e2fsck fdisk vmstat iostat lscpu lsmod lspci lsusb lsb_release nproc getent regedit certutil grep'''.split()

# Unix tools whose names are also English (or everyday tech) words: they need shell syntax around them.
TOOLS_EN = '''curl bash dash fish python perl ruby php lua ssh shutdown reboot chef knife puppet salt terraform docker vagrant perf
flock pax clang ghc julia octave wish expect unshare strings nm mysql mongo whois mtr screen rpm aptitude yum apk snap pip\\d?
gem npm yarn composer bundle rake pry pdb pandoc nft'''.split()

# Short/common Unix commands and builtins (mostly English words too).
COMMON = '''cat find sort more less head tail time host last echo printf cp mv rm cd ln dd od tr cut tac rev nl column fold paste uniq
tee env export sleep kill ping dig file stat touch mkdir rmdir diff vi vim nano ed ex expr which whereis locate hostname df du mount
umount service apt make git svn top history pwd groups bridge jq wall write iconv pr fmt split csplit look comm join sum
md5sum sha\\d+sum shred unlink install wc cmp zip unzip tar 7z java script nice mail lynx links w3m ip ss sed bc node who finger
route arp free uptime base logger readlink realpath basename dirname timeout watch yes seq shuf source exec eval set unset alias
type command declare ulimit umask trap sh nc ls id ps man view red pic date task ul expand unexpand ptx soelim tbl eqn troff
nroff tic xz gzip pg rc sash sg su dialog whiptail socket setarch setlock softlimit multitime pidstat xmore'''.split()

# Command prefixes ("wrappers"): English-word ones and the rest.
WRAP_EN = 'time|nice|env|exec|eval|command|builtin'
WRAP_X = r'sudo|doas|nohup|busybox|strace|ltrace|ionice|setsid|stdbuf|flock\s+\S+|cpulimit(?:\s+-+\w+(?:\s+\S+)?)*|timeout\s+\d+\w?'

# Recon commands that are never prose on their own (used after a newline or alone as a value).
RECON = '''whoami uname ifconfig ipconfig netstat printenv dmesg lsof vmstat iostat lscpu lsmod lspci lsusb lsb_release nproc getent
visudo'''.split()

# Targets of a pipe or a second command that make "word | x" or "word; x" shell, not prose.
FOLLOW = '''(?:ba|z|k|da|c|tc)?sh grep egrep fgrep awk gawk sed xargs base64 base32 xxd rev tac nc ncat netcat socat wget bash busybox
id whoami uname ifconfig netstat nslookup python[23]? perl php ruby node openssl telnet tee od hexdump'''.split()

# Evasion: commands attackers hide with quotes/backslashes/empty expansions.
EVADE = '''cat tac nl head tail more less cut sort uniq grep egrep awk sed id whoami uname hostname ifconfig netstat ls pwd ps env
printenv echo printf wget curl nc ncat netcat socat telnet bash sh zsh ksh dash python python3 perl php ruby node lua rm cp mv
chmod chown touch mkdir base64 base32 xxd od hexdump dig nslookup ping host kill pkill sleep find xargs tar zip unzip gzip gunzip
openssl ssh scp sudo su passwd crontab useradd nohup timeout busybox gcc strings file stat who last history export eval exec
tee dd rev vi vim nano mkfifo tftp ftp uudecode powershell cmd certutil wmic whoami rmdir readlink dmesg systemctl'''.split()

WIN_X = '''certutil bitsadmin wmic regsvr32 rundll32 mshta cscript wscript schtasks vssadmin bcdedit wevtutil msiexec systeminfo
tasklist taskkill ipconfig whoami netstat nltest klist setx mklink forfiles attrib icacls cacls takeown cmstp odbcconf mavinject pcalua
msbuild installutil regasm regsvcs regedit regini nbtstat netsh quser qwinsta qprocess driverquery gpresult gpupdate auditpol
wbadmin diskshadow diskpart ntdsutil dnscmd esentutl extrac32 makecab diantz procdump psexec winrm winrs cmdkey certreq certoc
pktmon pnputil fsutil ksetup rpcping tttracer verclsid xwizard syncappvpublishingserver scriptrunner desktopimgdownldr
appinstaller atbroker accesschk adplus advpack aspnet_compiler ieexec ilasm msdt msxsl mofcomp mountvol rasautou tracert chcp
robocopy xcopy findstr getmac openfiles bginfo wusa'''.split()
WIN_EN = '''cmd net1? type dir copy del erase move ren rename rd rmdir md mkdir echo start set call ping find sort more expand
timeout reg sc cipher format label tree path print title mode assoc ftype shift pause exit ver vol cls help subst replace
comp fc where hostname shutdown query runas tftp ftp mmc sfc route arp nslookup pathping'''.split()

# PowerShell aliases: not words / words and abbreviations
PS_ALIAS_X = 'iex iwr irm icm ipmo gci gcm gps gsv gwmi iwmi saps spps sasv sajb rjb gjb wjb rcjb gcb scb nsn etsn gal'.split()
PS_ALIAS_EN = 'gc gp ni ri rni sc ac cpi mi sls nal ii ihy epal sal gi si cli clc gdr gu gv sv nv rv ogv'.split()

# Tool names that appear in skills lists and tech prose ("Docker; Ansible; Kubectl", "| grep | search |"): treated
# like English words after ; and | (they need shell arguments), bare only when the value starts with the separator.
TECH = set('''python[23](?:\\.\\d+)* perl5(?:\\.\\d+)* php[5-8](?:\\.\\d+)? nodejs lua5(?:\\.\\d)? luatex gawk nawk mawk awk grep egrep fgrep
openssl nmap tcpdump tshark ansible kubectl podman crictl virsh gcc(?:-?[\\d.]+)? g\\+\\+ cobc nasm ghci tclsh
valgrind exiftool pdflatex xelatex latexmk dvips certbot restic zypper dpkg apt-get dnf cpan psql sqlite3 mysqldump redis-cli
mosquitto_pub smbclient sendmail mailx gdb strace ltrace scp sftp lftp rsync tmux tmate iptables ip6tables rsh telnet
easy_install byebug genisoimage unsquashfs pandoc'''.split())
TOOLS_XH = [t for t in TOOLS_X if t not in TECH]
TOOLS_XT = [t for t in TOOLS_X if t in TECH]
