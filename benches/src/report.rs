//! Results: one row per contestant and mix, printed as a Markdown table and written as JSON.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub contestant: String,
    pub mix: String,
    pub rps: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub errors: u64,
    pub cpu_s: f64,
    /// CPU of the proxy process per request in the closed-loop (throughput) phase, user + system, in µs.
    pub cpu_us_per_req: f64,
    pub peak_rss_kib: u64,
    /// rps relative to `direct` for the same mix.
    pub rps_ratio_direct: Option<f64>,
    /// p99 minus direct's p99 for the same mix, in µs.
    pub p99_added_us: Option<i64>,
    pub skipped: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub kernel: String,
    pub proxy_threads: usize,
    pub duration_s: f64,
    pub open_loop_rate: f64,
    pub connections: usize,
    pub load_generator: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub results: Vec<Row>,
    pub reload: Option<ReloadResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReloadResult {
    pub reloads: u32,
    pub requests: u64,
    pub failed: u64,
    pub p99_us: u64,
    pub p99_us_without_reload: u64,
}

pub fn machine(threads: usize, duration_s: f64, rate: f64, conns: usize, gen: &str) -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Machine {
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model,
        kernel,
        proxy_threads: threads,
        duration_s,
        open_loop_rate: rate,
        connections: conns,
        load_generator: gen.to_string(),
    }
}

/// Fills the ratio columns from the `direct` rows.
pub fn add_ratios(rows: &mut [Row]) {
    let direct: Vec<(String, f64, u64)> = rows
        .iter()
        .filter(|r| r.contestant == "direct" && r.skipped.is_none())
        .map(|r| (r.mix.clone(), r.rps, r.p99_us))
        .collect();
    for r in rows.iter_mut().filter(|r| r.skipped.is_none()) {
        if let Some((_, rps, p99)) = direct.iter().find(|(m, _, _)| *m == r.mix) {
            r.rps_ratio_direct = Some(if *rps > 0.0 { r.rps / rps } else { 0.0 });
            r.p99_added_us = Some(r.p99_us as i64 - *p99 as i64);
        }
    }
}

pub fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let m = &report.machine;
    s.push_str(&format!(
        "Machine: {} CPUs ({}), kernel {}; proxy threads {}; {} s per phase; open-loop rate {} req/s; {} connections; load: {}\n\n",
        m.cpus, m.cpu_model, m.kernel, m.proxy_threads, m.duration_s, m.open_loop_rate, m.connections, m.load_generator
    ));
    s.push_str("| contestant | mix | req/s | × direct | p50 µs | p90 µs | p99 µs | p99.9 µs | p99 added µs | errors | CPU s | CPU µs/req | peak RSS MiB |\n");
    s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &report.results {
        if let Some(why) = &r.skipped {
            s.push_str(&format!(
                "| {} | {} | skipped: {} ||||||||||| \n",
                r.contestant, r.mix, why
            ));
            continue;
        }
        s.push_str(&format!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.1} | {:.1} |\n",
            r.contestant,
            r.mix,
            r.rps,
            r.rps_ratio_direct.map_or("-".into(), |x| format!("{x:.2}")),
            r.p50_us,
            r.p90_us,
            r.p99_us,
            r.p999_us,
            r.p99_added_us.map_or("-".into(), |x| x.to_string()),
            r.errors,
            r.cpu_s,
            r.cpu_us_per_req,
            r.peak_rss_kib as f64 / 1024.0
        ));
    }
    if let Some(rl) = &report.reload {
        s.push_str(&format!(
            "\nRule reloads under load (gateway, default rules): {} reloads, {} requests, {} failed, p99 {} µs during reloads (p99 {} µs without)\n",
            rl.reloads, rl.requests, rl.failed, rl.p99_us, rl.p99_us_without_reload
        ));
    }
    s
}
