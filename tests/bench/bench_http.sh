#!/usr/bin/env bash
# make bench-http: wrk against sok-server (/api/search?q=fritidsbanken and
# /healthz) and, in the same run, against tests/bench/hello (a bare evhttp
# server with a 1 KiB body), so the numbers read against evhttp's floor.
# Usage: tests/bench/bench_http.sh BUILD_DIR   (wrk must be installed)
# Environment: DURATION (10s), CONNS (64), WRK_THREADS (2).
set -u
build=${1:-build}
dur=${DURATION:-10s}
conns=${CONNS:-64}
wt=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "bench-http: wrk is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

port_of() {   # waits for "listening on ADDR:PORT" in $1
  for _ in $(seq 100); do
    p=$(grep -ao 'listening on [^ ]*:[0-9]*' "$1" | head -1 | sed 's/.*://')
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.05
  done
  return 1
}

"$build/sok-index" --db "$tmp/db" corpus/ >/dev/null || exit 1
"$build/sok-server" --db "$tmp/db" --listen 127.0.0.1:0 --quiet 2>"$tmp/server.log" &
pids+=($!)
"$build/bench/hello" --listen 127.0.0.1:0 2>"$tmp/hello.log" &
pids+=($!)
sp=$(port_of "$tmp/server.log") || { echo "sok-server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }
hp=$(port_of "$tmp/hello.log") || { echo "hello did not start" >&2; exit 1; }

run() {       # name url
  echo "== $1: wrk -t$wt -c$conns -d$dur $2"
  wrk -t"$wt" -c"$conns" -d"$dur" --latency "$2" | \
    grep -E 'Requests/sec|Latency  |50%|99%|Socket errors|Non-2xx|requests in'
}
run "sok-server search" "http://127.0.0.1:$sp/api/search?q=fritidsbanken"
run "sok-server healthz" "http://127.0.0.1:$sp/healthz"
run "evhttp hello (1 KiB, 1 thread)" "http://127.0.0.1:$hp/"
echo "(no 'Socket errors' / 'Non-2xx' line above means none)"
