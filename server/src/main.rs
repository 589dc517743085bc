//! server (placeholder).
fn main() {}
