//! Keeps the agent's nftables table equal to the current policy: applies when the rendered table changed, when
//! the table vanished (someone flushed the ruleset) and when a third of the black-set TTL has passed (to renew
//! element timeouts). Re-applying the same policy in between does nothing at all.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::FirewallConfig;
use crate::nft::{self, NftError, TableSpec};
use crate::policy::Resolved;

/// How often an unchanged policy checks that its table still exists.
const TABLE_CHECK: Duration = Duration::from_secs(60);

pub struct Firewall {
    nft: PathBuf,
    table: String,
    black_ttl: Duration,
    masquerade_sandbox: bool,
    applied: Option<(String, Instant)>,
    checked: Instant,
}

impl Firewall {
    pub fn new(cfg: &FirewallConfig) -> Firewall {
        Firewall {
            nft: cfg.nft.clone(),
            table: cfg.table.clone(),
            black_ttl: cfg.black_ttl,
            masquerade_sandbox: cfg.masquerade_sandbox,
            applied: None,
            checked: Instant::now(),
        }
    }

    pub fn render(&self, p: &Resolved) -> String {
        nft::render(
            &TableSpec {
                table: &self.table,
                black_ttl: self.black_ttl,
                masquerade_sandbox: self.masquerade_sandbox,
            },
            p,
        )
    }

    /// Applies `p` if anything would change; returns whether nft ran.
    pub fn ensure(&mut self, p: &Resolved) -> Result<bool, NftError> {
        let script = self.render(p);
        let fresh = match &self.applied {
            Some((s, at)) => *s == script && at.elapsed() < self.black_ttl / 3,
            None => false,
        };
        if fresh {
            // `nft list tables` loads the whole ruleset (0.35 s with 100k elements): look once a minute.
            if self.checked.elapsed() < TABLE_CHECK {
                return Ok(false);
            }
            self.checked = Instant::now();
            if nft::table_exists(&self.nft, &self.table)? {
                return Ok(false);
            }
            tracing::warn!(table = %self.table, "nftables table disappeared; restoring it");
        }
        let t = Instant::now();
        nft::apply(&self.nft, &script)?;
        tracing::info!(
            table = %self.table,
            mode = ?p.mode,
            black = p.black.len(),
            white = p.white.len(),
            white_ports = p.white_ports.len(),
            took = ?t.elapsed(),
            "nftables table applied"
        );
        self.applied = Some((script, Instant::now()));
        Ok(true)
    }

    /// Removes the agent's table (nothing else); no-op if it is absent.
    pub fn remove(&mut self) -> Result<(), NftError> {
        nft::apply(&self.nft, &nft::render_remove(&self.table))?;
        self.applied = None;
        Ok(())
    }
}
