//! The jinghuashuiyue gateway: a Pingora reverse proxy that runs the WAF in-process and sends attackers, from
//! their first detected request on, to a cloned copy of the site while everyone else reaches the real one.
//!
//! Reading order of the request path: [`router`] (site by Host) → [`client_ip`] → [`proxy`] (phases) →
//! [`pool`] (backend) → [`access_log`]. Process state is in [`state`]; live reload in [`background`].
#![forbid(unsafe_code)]

pub mod access_log;
pub mod admin;
pub mod app;
pub mod background;
pub mod badguys;
pub mod client_ip;
pub mod config;
pub mod demo;
pub mod error;
pub mod manager_sync;
pub mod metrics;
pub mod outbox;
pub mod pages;
pub mod pool;
pub mod proxy;
pub mod router;
pub mod site;
pub mod state;
pub mod tls;
