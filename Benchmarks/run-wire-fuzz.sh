#!/usr/bin/env bash
# Live fuzzing (issue 11): ≥ 1,000,000 mutated frames (bytes, headers, JSON, batches, deflate bodies and
# bombs, deep nesting) over thousands of connections to a running deletiond on the demo store. Passes when
# no connection hangs, the server still answers health.check afterwards, and it did not crash; prints the
# server's resident memory before, right after, and after 40 s of rest (deletiond trims freed memory
# every 30 s). With rounds > 1 the server takes `frames` frames per round (seeds seed, seed+1, …) and the
# resident memory after each round's rest is printed, one JSON line per round: a leak shows as growth.
#   Benchmarks/run-wire-fuzz.sh [frames, default 1000000] [seed, default 1] [rounds, default 1]
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-1000000}
seed=${2:-1}
rounds=${3:-1}
port=17731

swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product wire-fuzz >&2
deletiond=$(swift build -c release --show-bin-path)/deletiond
fuzz=$(swift build -c release --package-path Benchmarks --show-bin-path)/wire-fuzz

work=$(mktemp -d)
"$deletiond" seed --db "$work/alt.sqlite" --profile demo >/dev/null
"$deletiond" serve --dev --port "$port" --db "$work/alt.sqlite" --log-level critical > "$work/out" 2> "$work/err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status"; }

# Warm the server up the way the fuzzer will use it, so the baseline is a working server's.
"$fuzz" --port "$port" --frames 20000 --seed 999 --token dev > /dev/null
before=$(rss)
for round in $(seq "$rounds"); do
    "$fuzz" --port "$port" --frames "$frames" --seed $((seed + round - 1)) --token dev | tee "$work/report"
    after=$(rss)
    sleep 40
    rested=$(rss)
    kill -0 "$server" 2>/dev/null || { echo "deletiond died" >&2; exit 1; }
    echo "{\"round\":$round,\"serverRssMiB\":{\"before\":$before,\"after\":$after,\"rested\":$rested}}"
    before=$rested
done
