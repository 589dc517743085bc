//! agent (placeholder).
fn main() {}
