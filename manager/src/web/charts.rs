//! Inline SVG charts (no JavaScript library): a column chart of counts over time and horizontal bar charts of
//! top values. Output is escaped SVG markup ready to embed in a page.

use std::fmt::Write;

use super::render::{escape, fmt_time, url_encode};

/// Columns for `counts`, one per `bucket` seconds starting at `from`.
pub fn timeline(counts: &[i64], from: i64, bucket: i64) -> String {
    let (w, h, pad) = (1200.0, 200.0, 24.0);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = counts.len().max(1) as f64;
    let bw = (w - pad) / n;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="events over time"><line x1="{pad}" y1="{y}" x2="{w}" y2="{y}" class="axis"/>"#,
        y = h - pad
    );
    for (i, c) in counts.iter().enumerate() {
        let bh = (*c as f64 / max) * (h - 2.0 * pad);
        let x = pad + i as f64 * bw;
        let t = from + i as i64 * bucket;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw2:.1}" height="{bh:.1}" class="bar"><title>{} — {c}</title></rect>"#,
            fmt_time(t),
            y = h - pad - bh,
            bw2 = (bw - 1.0).max(1.0)
        );
    }
    let _ = write!(
        s,
        r#"<text x="0" y="{pad}" class="label">{max}</text><text x="{pad}" y="{h}" class="label">{}</text><text x="{w}" y="{h}" text-anchor="end" class="label">{}</text></svg>"#,
        escape(&fmt_time(from)),
        escape(&fmt_time(from + bucket * counts.len() as i64)),
        max = max as i64
    );
    s
}

/// Horizontal bars; each label links to `link_prefix` + value when given.
pub fn bars(items: &[(String, i64)], link_prefix: Option<&str>) -> String {
    if items.is_empty() {
        return r#"<p class="muted">no data in this range</p>"#.into();
    }
    let (w, row) = (360.0, 22.0);
    let h = row * items.len() as f64;
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1) as f64;
    let mut s = String::new();
    let _ = write!(s, r#"<svg class="chart bars" viewBox="0 0 {w} {h}" role="img">"#);
    for (i, (label, n)) in items.iter().enumerate() {
        let y = i as f64 * row;
        let bw = (*n as f64 / max) * (w - 170.0);
        let text = escape(label);
        let label_svg = match link_prefix {
            Some(p) => format!(
                r#"<a href="{p}{}"><text x="0" y="{:.1}" class="label">{text}</text></a>"#,
                url_encode(label),
                y + 15.0
            ),
            None => format!(r#"<text x="0" y="{:.1}" class="label">{text}</text>"#, y + 15.0),
        };
        let _ = write!(
            s,
            r#"{label_svg}<rect x="130" y="{:.1}" width="{bw:.1}" height="{:.1}" class="bar"/><text x="{:.1}" y="{:.1}" class="label">{n}</text>"#,
            y + 3.0,
            row - 6.0,
            134.0 + bw,
            y + 15.0
        );
    }
    s.push_str("</svg>");
    s
}
