//! manager (placeholder).
fn main() {}
