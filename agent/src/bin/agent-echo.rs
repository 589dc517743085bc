//! `agent-echo NAME ADDR...`: a TCP identity server. Every connection gets one line
//! `NAME local=<local addr> peer=<peer addr>` and is closed. The integration tests run it inside network
//! namespaces to see where a connection landed; it is just as handy to check a sandbox DNAT by hand.
#![forbid(unsafe_code)]

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: agent-echo NAME ADDR:PORT [ADDR:PORT...]");
        return ExitCode::FAILURE;
    }
    let name = args[0].clone();
    let mut handles = Vec::new();
    for a in &args[1..] {
        let l = match TcpListener::bind(a) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("agent-echo: bind {a}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let name = name.clone();
        handles.push(std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let local = c.local_addr().map(|a| a.to_string()).unwrap_or_default();
                let peer = c.peer_addr().map(|a| a.to_string()).unwrap_or_default();
                let mut c = c;
                let _ = writeln!(c, "{name} local={local} peer={peer}");
            }
        }));
    }
    println!("ready");
    for h in handles {
        let _ = h.join();
    }
    ExitCode::SUCCESS
}
