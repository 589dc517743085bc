//! Detection server of jinghuashuiyue: receives syslog from agents and sandboxes, runs per-service detector
//! rules, counts offences per source in leaky buckets and emits decisions and alarms (DESIGN.md §1–2).
#![forbid(unsafe_code)]

pub mod alarm;
pub mod bucket;
pub mod client;
pub mod config;
pub mod engine;
pub mod eval;
pub mod framing;
pub mod http;
pub mod listen;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod reload;
pub mod replay;
pub mod rules;
pub mod serve;
pub mod session;
pub mod spool;
pub mod syslog;
pub mod tls;
