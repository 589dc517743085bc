//! Types the jinghuashuiyue programs exchange over HTTP — decisions, the decision stream, agent policies, attack
//! events — and the HMAC request/response signing every machine-to-machine call carries (DESIGN.md §4).
#![forbid(unsafe_code)]

pub mod decision;
pub mod event;
pub mod ip;
pub mod policy;
pub mod signing;

pub use decision::{Decision, DecisionStream, Origin, Scope};
pub use event::Event;
pub use policy::{Policy, PolicyMode};
