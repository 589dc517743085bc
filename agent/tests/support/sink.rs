//! A syslog receiver on loopback for the tests: TCP with RFC 6587 octet-counted frames, or UDP. It can be
//! stopped (like a server restart: no new connections, FIN on the old ones, everything already sent is read)
//! and started again on the same port.
#![allow(dead_code, reason = "shared by several test crates, each of which uses a part")]

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Sink {
    pub port: u16,
    pub msgs: Arc<Mutex<Vec<String>>>,
    pub errors: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

fn read_frames(mut c: TcpStream, msgs: Arc<Mutex<Vec<String>>>, errors: Arc<Mutex<Vec<String>>>) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 65536];
    loop {
        match c.read(&mut tmp) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
        while let Some(sp) = buf.iter().position(|&b| b == b' ') {
            let Ok(len) = std::str::from_utf8(&buf[..sp]).unwrap_or("x").parse::<usize>() else {
                errors.lock().unwrap().push(format!(
                    "bad frame start {:?}",
                    String::from_utf8_lossy(&buf[..sp.min(40)])
                ));
                return;
            };
            if buf.len() < sp + 1 + len {
                break;
            }
            let m = String::from_utf8_lossy(&buf[sp + 1..sp + 1 + len]).to_string();
            msgs.lock().unwrap().push(m);
            buf.drain(..sp + 1 + len);
        }
    }
    if !buf.is_empty() {
        errors
            .lock()
            .unwrap()
            .push(format!("{} bytes of a partial frame at close", buf.len()));
    }
}

impl Sink {
    pub fn tcp(port: u16) -> Sink {
        let l = TcpListener::bind(("127.0.0.1", port)).expect("bind sink");
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let mut s = Sink::empty(port);
        let (msgs, errors, stop, conns) = (s.msgs.clone(), s.errors.clone(), s.stop.clone(), s.conns.clone());
        s.threads.push(std::thread::spawn(move || {
            let mut readers = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                match l.accept() {
                    Ok((c, _)) => {
                        c.set_nonblocking(false).unwrap();
                        conns.lock().unwrap().push(c.try_clone().unwrap());
                        let (m, e) = (msgs.clone(), errors.clone());
                        readers.push(std::thread::spawn(move || read_frames(c, m, e)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            drop(l);
            // Like a server going down cleanly: FIN to every client, then read what they had sent until they close.
            for c in conns.lock().unwrap().drain(..) {
                let _ = c.shutdown(Shutdown::Write);
            }
            for r in readers {
                let _ = r.join();
            }
        }));
        s
    }

    pub fn udp(port: u16) -> Sink {
        let u = UdpSocket::bind(("127.0.0.1", port)).expect("bind udp sink");
        u.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let port = u.local_addr().unwrap().port();
        let mut s = Sink::empty(port);
        let (msgs, stop) = (s.msgs.clone(), s.stop.clone());
        s.threads.push(std::thread::spawn(move || {
            let mut b = vec![0u8; 70000];
            while !stop.load(Ordering::SeqCst) {
                if let Ok(n) = u.recv(&mut b) {
                    msgs.lock().unwrap().push(String::from_utf8_lossy(&b[..n]).to_string());
                }
            }
        }));
        s
    }

    fn empty(port: u16) -> Sink {
        Sink {
            port,
            msgs: Arc::default(),
            errors: Arc::default(),
            stop: Arc::default(),
            threads: Vec::new(),
            conns: Arc::default(),
        }
    }

    /// Stops accepting and closes connections once the peers have closed theirs (bounded by the agent noticing).
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    pub fn messages(&self) -> Vec<String> {
        self.msgs.lock().unwrap().clone()
    }

    /// Message bodies (after the structured data) of messages whose APP-NAME is `app`.
    pub fn bodies(&self, app: &str) -> Vec<String> {
        self.messages()
            .iter()
            .filter(|m| m.split(' ').nth(3) == Some(app))
            .filter_map(|m| m.split_once("\"] ").map(|(_, b)| b.to_string()))
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
    }
}
