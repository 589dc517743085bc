//! Integration tests of the real `gateway` binary with real origin servers on loopback.

mod harness;

mod admin;
mod adversarial;
mod eval;
mod health;
mod limits;
mod modes;
mod reload;
mod routing;
mod tls;
