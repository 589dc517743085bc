//! jinghuashuiyue manager: the source of truth for users, agents, sites, policies, decisions and attack events;
//! the signed machine API the gateways, servers and agents talk to (DESIGN.md §4) and the web UI people use.
#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod metrics;
pub mod nonce;
pub mod server;
pub mod sites;
pub mod state;
pub mod store;
pub mod web;
