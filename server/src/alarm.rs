//! Honeypot alarms. Any event from a honeypot-mode host or a sandbox is hostile by itself: the first one of a
//! source raises an alarm at once; later ones within `throttle` are counted and summed up in one summary alarm
//! when the window ends; past `max_sources` new sources fold into one flood summary. Alarms go to the manager
//! (event kind `alarm`), to webhooks (JSON POST) and by SMTP.

mod sinks;
mod throttle;

pub use sinks::{run, Alarm};
pub use throttle::Throttle;
