#!/usr/bin/env bash
# Replays request corpora through a real gateway in `block` mode with the default rules, in front of the
# benches origin, using the corpus's own replay tool (../shared/corpus/replay.py), and prints its summary.
#   scripts/waf-replay.sh                      # crs-dev + csic2010-dev
#   scripts/waf-replay.sh --in FILE.jsonl ...  # other corpora (replay.py options pass through)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS_DIR:-$root/../shared/corpus}
if [[ ! -f $corpus/replay.py ]]; then
    echo "no corpus at $corpus (set CORPUS_DIR)" >&2
    exit 2
fi
cargo build --release -q -p gateway -p benches
dir=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
origin=$(free_port)
port=$(free_port)
admin=$(free_port)
"$root/target/release/benches" origin --addr "127.0.0.1:$origin" >"$dir/origin.log" 2>&1 &
pids+=($!)
mkdir -p "$dir/sites"
cp -r "$root/rules/waf" "$dir/rules"
cat >"$dir/gateway.toml" <<CFG
listen = ["127.0.0.1:$port"]
admin_listen = "127.0.0.1:$admin"
sites_dir = "sites"
rules_dir = "rules"
access_log = "access.log"
state_file = "state.json"
upgrade_sock = "upgrade.sock"
pid_file = "gw.pid"
CFG
cat >"$dir/sites/replay.toml" <<SITE
name = "replay"
default = true
backends = ["127.0.0.1:$origin"]
[waf]
mode = "block"
SITE
"$root/target/release/gateway" --config "$dir/gateway.toml" >"$dir/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
    sleep 0.1
done
if [[ $# -eq 0 ]]; then
    set -- --in "$corpus/crs-dev.jsonl" --in "$corpus/csic2010-dev.jsonl"
fi
python3 "$corpus/replay.py" --target "127.0.0.1:$port" "$@"
