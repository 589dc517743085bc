#!/usr/bin/env bash
# Builds the gateway and runs the loopback demo: the real shop and its clone behind the gateway in deceive mode.
#   curl http://127.0.0.1:8080/                                   -> the real site
#   curl 'http://127.0.0.1:8080/?id=1%20union%20select%201,2'     -> caught (answered by the clone)
#   curl http://127.0.0.1:8080/                                   -> from now on: the clone
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cmake >/dev/null 2>&1 || bash scripts/setup.sh
cargo build --release -p gateway
exec ./target/release/gateway demo --listen 127.0.0.1:8080 --admin 127.0.0.1:9180 --rules rules/waf --dir demo-state "$@"
