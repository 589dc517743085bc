#!/usr/bin/env bash
# Runs every test of the workspace against real processes (gateway, origins, redis-server, nft in network
# namespaces, logger/rsyslog, headless Chromium), after installing what they need. Then, when the evaluation
# corpus is beside the checkout (../shared/corpus), prints the detection figures.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export RUST_BACKTRACE=1
cargo build --workspace --all-targets
cargo test --workspace --no-fail-fast -- --test-threads="${TEST_THREADS:-2}"

if [ -d ../shared/corpus ]; then
  echo "== WAF evaluation (default rules, paranoia 1) =="
  cargo run -q -p gateway -- waf-eval --rules rules/waf \
      --corpus ../shared/corpus/crs-dev.jsonl --corpus ../shared/corpus/csic2010-dev.jsonl || echo "waf-eval failed (not a test failure)"
else
  echo "evaluation corpus ../shared/corpus not found: skipping the detection figures"
fi
