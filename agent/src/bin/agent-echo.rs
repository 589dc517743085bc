//! TCP identity server and client, for checking where a (DNAT'ed) connection lands.
//!
//! `agent-echo NAME ADDR:PORT...` answers every connection with one line
//! `NAME local=<local addr> peer=<peer addr>` and then echoes each line it receives until the client closes.
//! `agent-echo --connect SRC_IP DST:PORT [TIMEOUT_MS]` connects from SRC_IP, prints the server's first line, then
//! sends each stdin line and prints the echo; on failure prints `error: ...` and exits 1.
//! The integration tests run both inside the network namespaces they create.
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

fn serve(name: String, l: TcpListener) {
    for c in l.incoming().flatten() {
        let name = name.clone();
        std::thread::spawn(move || {
            let local = c.local_addr().map(|a| a.to_string()).unwrap_or_default();
            let peer = c.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            let mut w = match c.try_clone() {
                Ok(w) => w,
                Err(_) => return,
            };
            if writeln!(w, "{name} local={local} peer={peer}").is_err() {
                return;
            }
            for line in BufReader::new(c).lines() {
                let Ok(line) = line else { break };
                if writeln!(w, "{name} echo {line}").is_err() {
                    break;
                }
            }
        });
    }
}

fn connect(src: &str, dst: &str, timeout: Duration) -> Result<(), String> {
    let src: IpAddr = src.parse().map_err(|e| format!("source {src}: {e}"))?;
    let dst: SocketAddr = dst.parse().map_err(|e| format!("destination {dst}: {e}"))?;
    let domain = if dst.is_ipv4() {
        socket2::Domain::IPV4
    } else {
        socket2::Domain::IPV6
    };
    let s = socket2::Socket::new(domain, socket2::Type::STREAM, None).map_err(|e| e.to_string())?;
    s.bind(&SocketAddr::new(src, 0).into())
        .map_err(|e| format!("bind {src}: {e}"))?;
    s.connect_timeout(&dst.into(), timeout)
        .map_err(|e| format!("connect {dst}: {e}"))?;
    let c: TcpStream = s.into();
    c.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let mut w = c.try_clone().map_err(|e| e.to_string())?;
    let mut r = BufReader::new(c);
    let mut first = String::new();
    r.read_line(&mut first).map_err(|e| format!("read: {e}"))?;
    if first.is_empty() {
        return Err("closed without a greeting".into());
    }
    print!("{first}");
    let _ = std::io::stdout().flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        writeln!(w, "{line}").map_err(|e| format!("write: {e}"))?;
        let mut echo = String::new();
        r.read_line(&mut echo).map_err(|e| format!("read: {e}"))?;
        if echo.is_empty() {
            return Err("connection closed".into());
        }
        print!("{echo}");
        let _ = std::io::stdout().flush();
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--connect") && args.len() >= 3 {
        let ms = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2000);
        return match connect(&args[1], &args[2], Duration::from_millis(ms)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                println!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.len() < 2 {
        eprintln!("usage: agent-echo NAME ADDR:PORT... | agent-echo --connect SRC_IP DST:PORT [TIMEOUT_MS]");
        return ExitCode::FAILURE;
    }
    let mut handles = Vec::new();
    for a in &args[1..] {
        let l = match TcpListener::bind(a) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("agent-echo: bind {a}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let name = args[0].clone();
        handles.push(std::thread::spawn(move || serve(name, l)));
    }
    println!("ready");
    let _ = std::io::stdout().flush();
    for h in handles {
        let _ = h.join();
    }
    ExitCode::SUCCESS
}
