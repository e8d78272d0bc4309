#!/usr/bin/env bash
# Acknowledged events/s, ack latency and RSS under load: `serve` on loopback, wrk with 32
# keep-alive connections POSTing distinct events. Usage: bench/http_load.sh [seconds] [durability]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
durability=${2:-full}
bin=${FLUXSTATUS_BIN:-build/fluxstatus}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
printf 'listen: "127.0.0.1:9597"\ndurability: %s\n' "$durability" > "$dir/fluxstatus.yaml"
"$bin" --config "$dir/fluxstatus.yaml" --db "$dir/bench.db" serve --log-level warn > "$dir/serve.log" &
pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:9597/healthz >/dev/null && break; sleep 0.1; done
( sleep $((secs / 2)); echo "rss_kb_midway $(awk '/VmRSS/{print $2}' /proc/$pid/status)" ) &
wrk -t2 -c32 -d"${secs}s" --latency -s bench/post_events.lua http://127.0.0.1:9597/ | sed -n '/Latency Distribution/,$p'
wait %2 2>/dev/null || true
echo "rss_kb_end $(awk '/VmRSS/{print $2}' /proc/$pid/status)"
echo "events_in_log $("$bin" --db "$dir/bench.db" sql 'select count(*) from events' --csv | tail -1)"
kill -TERM $pid; wait $pid
