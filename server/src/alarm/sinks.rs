//! Alarm delivery: the manager (as events of kind `alarm`), webhooks (JSON) and SMTP (lettre, plain SMTP to a
//! relay). A sink that fails is logged and retried a few times; it never holds up the others.

use std::collections::BTreeMap;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use protocol::event::Event;
use serde::Serialize;
use tokio::sync::mpsc;

use super::Throttle;
use crate::config::{AlarmsConfig, SmtpConfig};
use crate::metrics::Metrics;
use crate::pipeline::Outbound;

/// One alarm, as webhooks receive it.
#[derive(Debug, Clone, Serialize)]
pub struct Alarm {
    /// `first` (the first touch of a source), `summary` (what followed within the window), `flood`.
    pub kind: String,
    pub summary: bool,
    pub src_ip: String,
    pub service: String,
    pub event_kind: String,
    pub rule: String,
    pub host: String,
    pub evidence: String,
    /// Events this alarm stands for.
    pub count: u64,
    pub kinds: BTreeMap<String, u64>,
    pub text: String,
}

impl Alarm {
    pub fn first(e: &Event) -> Alarm {
        Alarm {
            kind: "first".into(),
            summary: false,
            src_ip: e.src_ip.clone(),
            service: e.service.clone(),
            event_kind: e.kind.clone(),
            rule: e.rule.clone(),
            host: e.host.clone(),
            evidence: e.evidence.clone(),
            count: 1,
            kinds: BTreeMap::from([(e.kind.clone(), 1)]),
            text: format!(
                "honeypot touched: {} {} from {} on {} ({})",
                e.service, e.kind, e.src_ip, e.host, e.rule
            ),
        }
    }

    pub fn summary(last: &Event, n: u64, kinds: BTreeMap<String, u64>, window: f64) -> Alarm {
        Alarm {
            kind: "summary".into(),
            summary: true,
            src_ip: last.src_ip.clone(),
            service: last.service.clone(),
            event_kind: last.kind.clone(),
            rule: last.rule.clone(),
            host: last.host.clone(),
            evidence: last.evidence.clone(),
            count: n,
            text: format!(
                "honeypot: {n} more events from {} on {} in {window:.0} s ({kinds:?})",
                last.src_ip, last.host
            ),
            kinds,
        }
    }

    pub fn flood(n: u64, sample: Vec<String>, window: f64) -> Alarm {
        Alarm {
            kind: "flood".into(),
            summary: true,
            // The manager files alarms by address: the first new source stands for the flood.
            src_ip: sample.first().cloned().unwrap_or_default(),
            service: String::new(),
            event_kind: String::new(),
            rule: String::new(),
            host: String::new(),
            evidence: sample.join(" "),
            count: n,
            kinds: BTreeMap::new(),
            text: format!("honeypot flood: {n} events from too many sources in {window:.0} s, e.g. {sample:?}"),
        }
    }

    fn as_event(&self) -> Event {
        Event {
            time: time::OffsetDateTime::now_utc(),
            src_ip: self.src_ip.clone(),
            service: self.service.clone(),
            kind: "alarm".into(),
            rule: self.rule.clone(),
            site: String::new(),
            host: self.host.clone(),
            evidence: self.text.clone(),
            honeypot: true,
        }
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Receives honeypot events until the queue closes.
pub async fn run(
    mut rx: mpsc::Receiver<Event>,
    cfg: AlarmsConfig,
    smtp_password: Option<String>,
    manager: Option<mpsc::Sender<Outbound>>,
    metrics: Metrics,
) {
    let mut throttle = Throttle::new(cfg.throttle.as_secs_f64(), cfg.max_sources);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new());
    let tick_every = cfg
        .throttle
        .div_f64(10.0)
        .clamp(Duration::from_millis(100), Duration::from_secs(5));
    let mut tick = tokio::time::interval(tick_every);
    loop {
        let alarms = tokio::select! {
            e = rx.recv() => match e {
                Some(e) => throttle.event(&e, now()).into_iter().collect::<Vec<_>>(),
                None => return,
            },
            _ = tick.tick() => throttle.tick(now()),
        };
        for a in alarms {
            metrics.alarms.with_label_values(&[&a.kind]).inc();
            tracing::warn!(src = %a.src_ip, kind = %a.kind, count = a.count, "{}", a.text);
            if cfg.manager {
                if let Some(m) = &manager {
                    if m.try_send(Outbound::Event(a.as_event())).is_err() {
                        metrics.output_dropped.inc();
                    }
                }
            }
            for url in &cfg.webhooks {
                tokio::spawn(webhook(http.clone(), url.clone(), a.clone()));
            }
            if let Some(s) = &cfg.smtp {
                tokio::spawn(mail(s.clone(), smtp_password.clone(), a.clone()));
            }
        }
    }
}

async fn webhook(http: reqwest::Client, url: String, a: Alarm) {
    for attempt in 0..3u32 {
        match http.post(&url).json(&a).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => tracing::warn!(%url, status = %r.status(), "webhook refused alarm"),
            Err(e) => tracing::warn!(%url, error = %e, "webhook unreachable"),
        }
        tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
    }
}

async fn mail(cfg: SmtpConfig, password: Option<String>, a: Alarm) {
    let build = || -> anyhow::Result<Message> {
        let from: Mailbox = cfg.from.parse()?;
        let mut m = Message::builder()
            .from(from)
            .subject(format!("[jinghuashuiyue] {}", a.text));
        for to in &cfg.to {
            m = m.to(to.parse()?);
        }
        let body = format!("{}\n\n{}\n", a.text, serde_json::to_string_pretty(&a)?);
        Ok(m.body(body)?)
    };
    let msg = match build() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "cannot build alarm mail");
            return;
        }
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.server)
        .port(cfg.port)
        .timeout(Some(Duration::from_secs(10)));
    if let (Some(u), Some(p)) = (&cfg.username, password) {
        b = b.credentials(Credentials::new(u.clone(), p));
    }
    let transport = b.build();
    for attempt in 0..3u32 {
        match transport.send(msg.clone()).await {
            Ok(_) => return,
            Err(e) => tracing::warn!(server = %cfg.server, error = %e, "alarm mail not sent"),
        }
        tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
    }
}
